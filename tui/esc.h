/*
 * esc.h - turning untrusted bytes (token text, file names, typed patterns)
 * into glyphs that are safe to send to a terminal.
 *
 * Every byte of a trace is input we do not control: a token may hold ESC,
 * NUL, a C1 control encoded as UTF-8, a bidi override or a broken UTF-8
 * sequence. esc_next() decodes one character at a time and returns what to
 * draw for it: the character itself only when it is valid UTF-8 and
 * printable with a positive column width; otherwise a visible escape such as
 * "\x1B" or "\u202E" (the engine's smix_text_unit decides, as for the CLI
 * and the viewer). Newline and tab get one-cell glyphs (⏎, →) when the
 * terminal speaks UTF-8.
 */
#ifndef TUI_ESC_H
#define TUI_ESC_H

#include <stddef.h>
#include <stdint.h>

typedef enum esc_kind {
    ESC_TEXT = 0,   /* a printable character, drawn as is */
    ESC_NEWLINE,    /* '\n': drawn as a glyph, then the line breaks */
    ESC_MARK,       /* a control/invalid byte shown as an escape */
} esc_kind;

typedef struct esc_glyph {
    esc_kind kind;
    char text[16];   /* UTF-8 to draw, NUL-terminated, always safe */
    int width;       /* terminal columns text occupies */
    size_t used;     /* input bytes consumed (>= 1) */
} esc_glyph;

/* Decodes the character at s[0..n) (n >= 1) into g. utf8 says whether the
 * terminal locale is UTF-8: if not, every byte >= 0x80 is shown as \xNN and
 * glyphs are plain ASCII. Never produces a control character in g->text. */
void esc_next(const uint8_t *s, size_t n, int utf8, esc_glyph *g);

/* Width in columns of s[0..n) drawn with esc_next (newlines count as their
 * glyph). */
int esc_width(const uint8_t *s, size_t n, int utf8);

/* Writes the escaped form of s[0..n) to out (at most outlen-1 bytes, always
 * terminated, cut at a glyph boundary). Returns the number of columns. */
int esc_string(const uint8_t *s, size_t n, int utf8, char *out, size_t outlen);

#endif /* TUI_ESC_H */
