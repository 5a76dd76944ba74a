/*
 * esc.c - token bytes to visible display cells.
 *
 * Input files are arbitrary bytes and a token may cut a UTF-8 character in
 * two. The viewer never hands raw bytes to the font renderer: printable UTF-8
 * becomes code points, and everything a reader could not see or that could
 * confuse (C0/C1 controls, DEL, invalid or split UTF-8, invisible format
 * characters such as bidi overrides) becomes a visible escape drawn in a
 * distinct colour. Newlines keep the text readable in the heat map: a
 * return-arrow cell followed by a line break.
 */
#include <stdio.h>
#include <string.h>
#include "view.h"
#include "smix.h"

/* Length of the valid UTF-8 sequence at b[0..n), 0 if invalid. */
static size_t utf8_len(const uint8_t *b, size_t n, uint32_t *cp)
{
    return smix_utf8_decode(b, n, cp);
}

/* Characters that draw nothing or reorder text: shown as \u escapes. */
static int invisible(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD ||
           (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
           (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xE0000 && cp <= 0xE007F);
}

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

static void put_ctrl(cellbuf *o, uint8_t c, int mode)
{
    char tmp[8];
    if (c == '\n' && mode == VW_ESC_MAP) {
        put(o, 0x21B5, VW_CELL_NL | VW_CELL_MARK);   /* return arrow */
        return;
    }
    if (c == '\n') put_esc(o, "\\n");
    else if (c == '\t') put_esc(o, "\\t");
    else if (c == '\r') put_esc(o, "\\r");
    else {
        snprintf(tmp, sizeof tmp, "\\x%02X", c);
        put_esc(o, tmp);
    }
}

size_t vw_esc_cells(const uint8_t *b, size_t n, int mode,
                    uint32_t *cp, uint8_t *flags, size_t cap)
{
    cellbuf o = { cp, flags, cap, 0 };
    char tmp[16];
    size_t i = 0;
    while (i < n) {
        uint32_t c = 0;
        size_t len = utf8_len(b + i, n - i, &c);
        if (len == 0) {
            snprintf(tmp, sizeof tmp, "\\x%02X", b[i]);
            put_esc(&o, tmp);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            put_ctrl(&o, (uint8_t)c, mode);
            i++;
        } else if (invisible(c)) {
            snprintf(tmp, sizeof tmp, "\\u%04X", (unsigned)c);
            put_esc(&o, tmp);
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
