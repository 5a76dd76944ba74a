/*
 * esc.c - token bytes to visible display cells.
 *
 * Input files are arbitrary bytes and a token may cut a UTF-8 character in
 * two. The viewer never hands raw bytes to the font renderer: printable UTF-8
 * becomes code points, and everything a reader could not see or that could
 * confuse (C0/C1 controls, DEL, invalid or split UTF-8, invisible format
 * characters such as bidi overrides) becomes a visible escape drawn in a
 * distinct colour. Which units those are, and how the escapes read, is the
 * engine's rule (smix_text_unit), the one the CLI and the TUI use. Newlines
 * keep the text readable in the heat map: a return-arrow cell followed by
 * a line break.
 */
#include <stdio.h>
#include <string.h>
#include "view.h"
#include "smix.h"

typedef struct cellbuf {
    uint32_t *cp;
    uint8_t *flags;
    size_t cap, n;
} cellbuf;

static void put(cellbuf *o, uint32_t cp, uint8_t fl)
{
    if (o->n < o->cap) {
        o->cp[o->n] = cp;
        o->flags[o->n] = fl;
    }
    o->n++;
}

static void put_esc(cellbuf *o, const char *s)
{
    for (; *s; s++)
        put(o, (uint8_t)*s, VW_CELL_ESC);
}

size_t vw_esc_cells(const uint8_t *b, size_t n, int mode,
                    uint32_t *cp, uint8_t *flags, size_t cap)
{
    cellbuf o = { cp, flags, cap, 0 };
    size_t i = 0;
    while (i < n) {
        uint32_t c = 0;
        char esc[SMIX_TEXT_ESC_MAX];
        size_t len = smix_text_unit(b + i, n - i, &c, esc);
        if (c == '\n' && esc[0] && mode == VW_ESC_MAP) {
            put(&o, 0x21B5, VW_CELL_NL | VW_CELL_MARK);   /* return arrow */
            i++;
        } else if (esc[0]) {
            put_esc(&o, esc);
            i += len;
        } else if (c == ' ' && mode == VW_ESC_LABEL) {
            put(&o, 0x2423, VW_CELL_MARK);   /* open box: a visible space */
            i++;
        } else {
            put(&o, c, 0);
            i += len;
        }
    }
    return o.n;
}

/* Appends code point c as UTF-8 if it fits (with room for the NUL). */
static size_t put_utf8(char *out, size_t pos, size_t outsz, uint32_t c)
{
    uint8_t u[4];
    size_t k;
    if (c < 0x80) u[0] = (uint8_t)c, k = 1;
    else if (c < 0x800) u[0] = 0xC0 | (c >> 6), u[1] = 0x80 | (c & 0x3F), k = 2;
    else if (c < 0x10000) u[0] = 0xE0 | (c >> 12), u[1] = 0x80 | ((c >> 6) & 0x3F),
                          u[2] = 0x80 | (c & 0x3F), k = 3;
    else u[0] = 0xF0 | (c >> 18), u[1] = 0x80 | ((c >> 12) & 0x3F),
         u[2] = 0x80 | ((c >> 6) & 0x3F), u[3] = 0x80 | (c & 0x3F), k = 4;
    if (pos + k + 1 > outsz)
        return pos;
    memcpy(out + pos, u, k);
    return pos + k;
}

void vw_esc_str(const uint8_t *b, size_t n, int mode, size_t max_cells,
                char *out, size_t outsz)
{
    uint32_t cp[64];
    uint8_t fl[64];
    size_t cap = max_cells < 64 ? max_cells : 64;
    size_t need = vw_esc_cells(b, n, mode, cp, fl, cap);
    size_t show = need > cap ? (cap ? cap - 1 : 0) : need;
    size_t pos = 0;
    if (!outsz)
        return;
    for (size_t i = 0; i < show; i++)
        pos = put_utf8(out, pos, outsz, cp[i]);
    if (need > cap)
        pos = put_utf8(out, pos, outsz, 0x2026);   /* ellipsis */
    out[pos] = 0;
}
