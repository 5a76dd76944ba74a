/*
 * tv_text.h - token bytes as text a screen can show (smix-tui and smix-view).
 *
 * A trace holds the bytes of the original file, cut into tokens by a
 * byte-level tokenizer: a UTF-8 character, a base letter and its combining
 * marks, or the CR LF that ends a line may be cut between two tokens. This
 * module turns bytes into *glyphs*, the units a screen draws in one or two
 * cells, across token boundaries:
 *
 *   - printable UTF-8 as it is, a base character together with the
 *     combining marks that follow it (one cell, or two for East Asian wide
 *     characters; widths from wcwidth(), so the caller's LC_CTYPE must be a
 *     UTF-8 locale, which smix-view sets to C.UTF-8);
 *   - CR LF and LF as one line end (drawn as a return arrow);
 *   - a tab as an arrow;
 *   - everything else as a visible escape (\x1B, \u202E, \r): the engine's
 *     rule, smix_text_unit, the one the CLI uses too;
 *   - without a UTF-8 locale (utf8 = 0), plain ASCII only: every byte above
 *     0x7F is \xNN and the arrows are \n and \t.
 *
 * A glyph that spans tokens belongs to the token that holds its first byte
 * (its `first`), and covers the tokens up to its last byte (`last`).
 * Nothing here allocates; token bytes come through a callback, so the
 * module knows nothing of how the viewer stores its trace.
 */
#ifndef TV_TEXT_H
#define TV_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef enum tv_gkind {
    TV_G_TEXT = 0,    /* printable text, drawn as it is */
    TV_G_NEWLINE,     /* LF or CR LF: a return arrow, then the line breaks */
    TV_G_TAB,         /* a tab: an arrow */
    TV_G_ESC,         /* an escape such as \x1B: drawn in the escape colour */
} tv_gkind;

#define TV_GLYPH_MAX 40   /* bytes of a glyph's text with its NUL */

typedef struct tv_glyph {
    tv_gkind kind;
    char text[TV_GLYPH_MAX];  /* UTF-8, NUL-terminated, never a control character */
    int width;                /* columns (cells) it takes: >= 1 */
    size_t used;              /* input bytes it stands for (>= 1) */
} tv_glyph;

/* The glyph at s[0..n) (n >= 1), within one buffer. */
void tv_text_next(const uint8_t *s, size_t n, int utf8, tv_glyph *g);

/* Where token bytes come from: token tok's bytes in *b, *n; returns 0, or
 * -1 if there is no such token or the caller does not want a glyph to
 * reach into it (the TUI stops at its layout anchors). */
typedef int (*tv_bytes_fn)(void *ctx, uint64_t tok, const uint8_t **b, uint32_t *n);

/* A text position: byte `byte` of token `tok`. */
typedef struct tv_pos {
    uint64_t tok;
    uint32_t byte;
} tv_pos;

/* The glyph that starts at p (a byte of a token fn knows), reading into
 * the following tokens when the glyph goes on there (at most 8 tokens and
 * TV_GLYPH_MAX - 1 bytes). *next receives the position after it (the
 * next token's start when it ends a token) and *last the token of its last
 * byte. Returns 0, or -1 if fn has no token at p. */
int tv_text_at(tv_bytes_fn fn, void *ctx, tv_pos p, int utf8, tv_glyph *g, tv_pos *next,
               uint64_t *last);

/* The first byte of token tok that starts a glyph: 0, unless the last
 * glyph of token tok - 1 goes on into tok (a cut character, a combining
 * mark, the LF of a CR LF); then the byte after it (possibly the token's
 * length: tok starts nothing). For views that start drawing at a token. */
uint32_t tv_text_start(tv_bytes_fn fn, void *ctx, uint64_t tok, int utf8);

/* The escaped form of s[0..n) for a label, at most max_cols columns (an
 * ellipsis marks a cut) and outlen - 1 bytes: as tv_text_next, but a line
 * end is the escape \n (or \r\n) and a tab \t, so the label stays on one
 * line. Returns the columns written. */
int tv_text_label(const uint8_t *s, size_t n, int utf8, int max_cols, char *out, size_t outlen);

#endif /* TV_TEXT_H */
