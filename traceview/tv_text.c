/*
 * tv_text.c - glyphs from token bytes, across token boundaries (see
 * tv_text.h).
 *
 * The escaping rule is the engine's (smix_text_unit); this file adds what a
 * screen needs on top: combining marks joined to their base, CR LF as one
 * line end, widths, and glyphs that go on into the next token. A glyph is
 * first decoded from its own token; only when it ends within three bytes of
 * the token's end (a cut character, a mark or the LF of a CR LF may follow
 * in the next token) is it decoded again from a small buffer that goes on
 * into the following tokens.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include "tv_text.h"
#include "smix.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#define TV__SPAN_TOKENS 8

static void tv__set(tv_glyph *g, tv_gkind kind, const char *text, int width, size_t used)
{
    g->kind = kind;
    snprintf(g->text, sizeof g->text, "%s", text);
    g->width = width;
    g->used = used;
}

/* Length of the combining mark at s[0..n) (a printable code point of zero
 * width), or 0 if none starts there. */
static size_t tv__mark(const uint8_t *s, size_t n)
{
    uint32_t cp;
    char e[SMIX_TEXT_ESC_MAX];
    size_t len = smix_text_unit(s, n, &cp, e);
    return !e[0] && cp >= 0x300 && wcwidth((wchar_t)cp) == 0 ? len : 0;
}

void tv_text_next(const uint8_t *s, size_t n, int utf8, tv_glyph *g)
{
    uint32_t cp = 0;
    char e[SMIX_TEXT_ESC_MAX];
    if (s[0] == '\r' && n >= 2 && s[1] == '\n') {
        tv__set(g, TV_G_NEWLINE, utf8 ? "\xE2\x8F\x8E" : "\\n", utf8 ? 1 : 2, 2);
        return;
    }
    size_t len = smix_text_unit(s, utf8 || s[0] < 0x80 ? n : 1, &cp, e);
    if (e[0] && cp == '\n') { tv__set(g, TV_G_NEWLINE, utf8 ? "\xE2\x8F\x8E" : "\\n", utf8 ? 1 : 2, 1); return; }
    if (e[0] && cp == '\t') { tv__set(g, TV_G_TAB, utf8 ? "\xE2\x86\x92" : "\\t", utf8 ? 1 : 2, 1); return; }
    if (e[0]) { tv__set(g, TV_G_ESC, e, (int)strlen(e), len); return; }
    int w = cp < 0x80 ? 1 : wcwidth((wchar_t)cp);
    if (w < 1) {   /* a mark with no base before it, or an unknown width */
        snprintf(e, sizeof e, cp > 0xFFFF ? "\\U%08X" : "\\u%04X", (unsigned)cp);
        tv__set(g, TV_G_ESC, e, (int)strlen(e), len);
        return;
    }
    memcpy(g->text, s, len);
    size_t used = len, m;
    while (utf8 && used < n && (m = tv__mark(s + used, n - used)) > 0 && used + m < TV_GLYPH_MAX)
        used += m;
    memcpy(g->text, s, used);
    g->text[used] = 0;
    g->kind = TV_G_TEXT;
    g->width = w;
    g->used = used;
}

/* Bytes from p on, across up to TV__SPAN_TOKENS tokens: buf[0..*nb), with
 * tok_of[i] the token of byte i. */
static size_t tv__gather(tv_bytes_fn fn, void *ctx, tv_pos p, uint8_t *buf, uint64_t *tok_of,
                         uint32_t *byte_of)
{
    size_t k = 0;
    for (int t = 0; t < TV__SPAN_TOKENS && k < TV_GLYPH_MAX - 1; t++) {
        const uint8_t *b;
        uint32_t n;
        if (fn(ctx, p.tok + (uint64_t)t, &b, &n) != 0) break;
        for (uint32_t i = t ? 0 : p.byte; i < n && k < TV_GLYPH_MAX - 1; i++) {
            buf[k] = b[i];
            tok_of[k] = p.tok + (uint64_t)t;
            byte_of[k++] = i;
        }
    }
    return k;
}

int tv_text_at(tv_bytes_fn fn, void *ctx, tv_pos p, int utf8, tv_glyph *g, tv_pos *next,
               uint64_t *last)
{
    const uint8_t *b;
    uint32_t n;
    if (fn(ctx, p.tok, &b, &n) != 0 || p.byte >= n) return -1;
    size_t rest = n - p.byte;
    tv_text_next(b + p.byte, rest, utf8, g);
    if (rest - g->used >= 4) {   /* ends well inside its token */
        *next = (tv_pos){ p.tok, p.byte + (uint32_t)g->used };
        *last = p.tok;
        return 0;
    }
    uint8_t buf[TV_GLYPH_MAX];
    uint64_t tok_of[TV_GLYPH_MAX];
    uint32_t byte_of[TV_GLYPH_MAX];
    size_t k = tv__gather(fn, ctx, p, buf, tok_of, byte_of);
    tv_text_next(buf, k, utf8, g);
    size_t u = g->used;   /* >= 1, <= k */
    *last = tok_of[u - 1];
    if (u < k) {
        *next = (tv_pos){ tok_of[u], byte_of[u] };
    } else {
        const uint8_t *lb;
        uint32_t ln = 0;
        fn(ctx, tok_of[u - 1], &lb, &ln);
        *next = byte_of[u - 1] + 1 < ln ? (tv_pos){ tok_of[u - 1], byte_of[u - 1] + 1 }
                                        : (tv_pos){ tok_of[u - 1] + 1, 0 };
    }
    if (next->tok > p.tok) {   /* normalise "end of a token" to the next one's start */
        const uint8_t *nb;
        uint32_t nn = 0;
        if (fn(ctx, next->tok, &nb, &nn) == 0 && next->byte >= nn && nn > 0)
            *next = (tv_pos){ next->tok + 1, 0 };
    }
    if (next->tok == p.tok && next->byte >= n) *next = (tv_pos){ p.tok + 1, 0 };
    return 0;
}

uint32_t tv_text_start(tv_bytes_fn fn, void *ctx, uint64_t tok, int utf8)
{
    const uint8_t *b;
    uint32_t n, got = 0;
    uint64_t s = tok;
    /* start a few tokens back (a character cut into one-byte tokens begins
     * up to three tokens back), at least 16 bytes before tok */
    while (s > 0 && tok - s < TV__SPAN_TOKENS && got < 16 && fn(ctx, s - 1, &b, &n) == 0) {
        s--;
        got += n;
    }
    if (s == tok) return 0;
    fn(ctx, s, &b, &n);
    uint32_t i = got > 16 && n > got - 16 ? got - 16 : 0;
    while (i > 0 && i < n && (b[i] & 0xC0) == 0x80) i--;   /* a character's first byte */
    tv_pos p = { s, i }, nx;
    uint64_t last;
    tv_glyph g;
    while (p.tok < tok && tv_text_at(fn, ctx, p, utf8, &g, &nx, &last) == 0) {
        if (nx.tok > tok) {
            const uint8_t *tb;
            uint32_t tn = 0;
            fn(ctx, tok, &tb, &tn);
            return tn;
        }
        if (nx.tok == tok) return nx.byte;
        p = nx;
    }
    return 0;
}

int tv_text_label(const uint8_t *s, size_t n, int utf8, int max_cols, char *out, size_t outlen)
{
    size_t o = 0;
    int cols = 0;
    const char *ell = utf8 ? "\xE2\x80\xA6" : "...";
    int ellw = utf8 ? 1 : 3;
    if (outlen == 0) return 0;
    out[0] = 0;
    for (size_t i = 0; i < n;) {
        tv_glyph g;
        tv_text_next(s + i, n - i, utf8, &g);
        if (g.kind == TV_G_NEWLINE) tv__set(&g, TV_G_ESC, g.used == 2 ? "\\r\\n" : "\\n", g.used == 2 ? 4 : 2, g.used);
        else if (g.kind == TV_G_TAB) tv__set(&g, TV_G_ESC, "\\t", 2, 1);
        size_t tl = strlen(g.text);
        int last = i + g.used >= n;
        int room = max_cols - (last ? 0 : ellw);
        if (cols + g.width > room || o + tl + 4 >= outlen) {
            if (cols + ellw <= max_cols && o + strlen(ell) < outlen) {
                memcpy(out + o, ell, strlen(ell) + 1);
                cols += ellw;
            }
            return cols;
        }
        memcpy(out + o, g.text, tl);
        o += tl;
        out[o] = 0;
        cols += g.width;
        i += g.used;
    }
    return cols;
}
