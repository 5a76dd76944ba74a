/*
 * esc.c - safe display of untrusted bytes (see esc.h).
 *
 * What may be drawn as it is and how everything else is written is the
 * engine's rule (smix_text_unit, the one the CLI and the viewer use too):
 * printable UTF-8 as it is; C0/C1 controls, DEL, bidi and other invisible
 * format characters and every byte that is not valid UTF-8 as an escape
 * (\x1B, \u202E), so what the user sees is exactly the bytes of the file.
 * On top of it, for the layout: a character is drawn only if wcwidth()
 * gives it a positive width (combining marks become \uXXXX escapes too),
 * which keeps every cell of the text pane owned by one glyph, as the
 * layout and mouse mapping rely on; without a UTF-8 locale every byte
 * above 0x7F is an escape; and newline and tab get one-cell glyphs (the
 * pane draws escapes in their own colour, so a backslash is left alone).
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

void esc_next(const uint8_t *s, size_t n, int utf8, esc_glyph *g)
{
    uint32_t cp = 0;
    char e[SMIX_TEXT_ESC_MAX];
    size_t len = smix_text_unit(s, utf8 || s[0] < 0x80 ? n : 1, &cp, e);

    if (cp == '\n' && e[0]) { esc__set(g, ESC_NEWLINE, utf8 ? "\xE2\x8F\x8E" : "\\n", utf8 ? 1 : 2, 1); return; }
    if (cp == '\t' && e[0]) { esc__set(g, ESC_MARK, utf8 ? "\xE2\x86\x92" : "\\t", utf8 ? 1 : 2, 1); return; }
    if (!e[0] && cp >= 0x80) {
        int w = wcwidth((wchar_t)cp);
        if (w < 1)
            snprintf(e, sizeof e, cp > 0xFFFF ? "\\U%08X" : "\\u%04X", (unsigned)cp);
        else {
            char buf[8];
            memcpy(buf, s, len);
            buf[len] = 0;
            esc__set(g, ESC_TEXT, buf, w, len);
            return;
        }
    }
    if (e[0]) { esc__set(g, ESC_MARK, e, (int)strlen(e), len); return; }
    char buf[2] = { (char)s[0], 0 };
    esc__set(g, ESC_TEXT, buf, 1, 1);
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
