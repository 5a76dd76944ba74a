/*
 * esc.c - safe display of untrusted bytes (see esc.h).
 *
 * Decoding is strict UTF-8 (no overlong forms, no surrogates, nothing above
 * U+10FFFF): anything else is shown byte by byte as \xNN, so what the user
 * sees is exactly the bytes of the file. A decoded character is drawn only
 * if wcwidth() gives it a positive width; C0/C1 controls, DEL, combining
 * marks, zero-width and format characters (bidi overrides) become \uXXXX
 * escapes. That keeps every cell of the text pane owned by one glyph, which
 * the layout and mouse mapping rely on.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include "esc.h"
#include "smix.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

static void esc__set(esc_glyph *g, esc_kind kind, const char *text, int width,
                     size_t used)
{
    g->kind = kind;
    snprintf(g->text, sizeof g->text, "%s", text);
    g->width = width;
    g->used = used;
}

/* Decodes one strict UTF-8 sequence; returns its length or 0 if invalid. */
static size_t esc__utf8(const uint8_t *s, size_t n, uint32_t *cp)
{
    return smix_utf8_decode(s, n, cp);
}

static void esc__ascii_control(uint8_t c, esc_glyph *g)
{
    char buf[8];
    switch (c) {
    case 0: esc__set(g, ESC_MARK, "\\0", 2, 1); return;
    case '\r': esc__set(g, ESC_MARK, "\\r", 2, 1); return;
    case 0x1B: esc__set(g, ESC_MARK, "\\e", 2, 1); return;
    default:
        snprintf(buf, sizeof buf, "\\x%02X", c);
        esc__set(g, ESC_MARK, buf, 4, 1);
    }
}

void esc_next(const uint8_t *s, size_t n, int utf8, esc_glyph *g)
{
    uint8_t c = s[0];
    char buf[16];
    uint32_t cp = 0;
    size_t len;

    if (c == '\n') { esc__set(g, ESC_NEWLINE, utf8 ? "\xE2\x8F\x8E" : "\\n", utf8 ? 1 : 2, 1); return; }
    if (c == '\t') { esc__set(g, ESC_MARK, utf8 ? "\xE2\x86\x92" : "\\t", utf8 ? 1 : 2, 1); return; }
    if (c < 0x20 || c == 0x7F) { esc__ascii_control(c, g); return; }
    if (c < 0x80) { buf[0] = (char)c; buf[1] = 0; esc__set(g, ESC_TEXT, buf, 1, 1); return; }
    len = utf8 ? esc__utf8(s, n, &cp) : 0;
    if (len == 0) {
        snprintf(buf, sizeof buf, "\\x%02X", c);
        esc__set(g, ESC_MARK, buf, 4, 1);
        return;
    }
    int w = wcwidth((wchar_t)cp);
    if (w < 1 || (cp >= 0x80 && cp < 0xA0)) {
        snprintf(buf, sizeof buf, "\\u%04X", (unsigned)cp);
        esc__set(g, ESC_MARK, buf, (int)strlen(buf), len);
        return;
    }
    memcpy(buf, s, len);
    buf[len] = 0;
    esc__set(g, ESC_TEXT, buf, w, len);
}

int esc_width(const uint8_t *s, size_t n, int utf8)
{
    int w = 0;
    esc_glyph g;
    for (size_t i = 0; i < n; i += g.used) {
        esc_next(s + i, n - i, utf8, &g);
        w += g.width;
    }
    return w;
}

int esc_string(const uint8_t *s, size_t n, int utf8, char *out, size_t outlen)
{
    size_t o = 0;
    int w = 0;
    esc_glyph g;
    if (outlen == 0) return 0;
    for (size_t i = 0; i < n; i += g.used) {
        esc_next(s + i, n - i, utf8, &g);
        size_t tl = strlen(g.text);
        if (o + tl + 1 > outlen) break;
        memcpy(out + o, g.text, tl);
        o += tl;
        w += g.width;
    }
    out[o] = 0;
    return w;
}
