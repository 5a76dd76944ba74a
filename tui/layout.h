/*
 * layout.h - wrapping the original text into screen lines, on demand.
 *
 * The text pane never lays out the whole file: it lays out the lines it
 * shows, starting from a known line start. A position is (token, byte in
 * token). Lines break after a newline (which may sit inside a token), before
 * a token that does not fit in what is left of the line (tokens are only
 * split when longer than a line), and at every LAY_ANCHOR-th token that
 * follows LAY_ANCHOR tokens without a newline, so that the start of the
 * "paragraph" holding any position is found by scanning back at most
 * 2 * LAY_ANCHOR tokens, whatever the file looks like. Laying out
 * forward from a paragraph start gives every line start deterministically,
 * which is how moving up a line works.
 *
 * Cells are traceview's glyphs (tv_text.h): a UTF-8 character that the
 * tokenizer cut between tokens, a letter with its combining marks, a CR LF
 * are each one cell, owned by the token holding their first byte and
 * covering the tokens up to their last byte (tok_last). A glyph never
 * reaches past an anchor, so paragraphs lay out the same from either side.
 */
#ifndef TUI_LAYOUT_H
#define TUI_LAYOUT_H

#include <stdint.h>
#include "tv_doc.h"

#define LAY_ANCHOR 1024
#define LAY_MAXW 1024   /* widest line laid out */

typedef struct lay_pos {
    uint64_t t;
    uint32_t b;
} lay_pos;

typedef struct lay_cell {
    char text[TV_GLYPH_MAX];
    uint8_t width;
    uint8_t kind;      /* tv_gkind, or LAY_SEP for a token separator */
    uint64_t tok;
    uint64_t tok_last; /* > tok when a UTF-8 character spans tokens */
} lay_cell;

#define LAY_SEP 9

/* A glyph of kind TV_G_ESC, TV_G_NEWLINE or TV_G_TAB is drawn as a mark. */

typedef struct lay_opts {
    int width;
    int utf8;
    int sep;           /* draw a separator cell between tokens */
} lay_opts;

typedef struct lay_line {
    lay_pos start, next;
    int ncells;
    int cols;
    lay_cell cells[LAY_MAXW];
} lay_line;

int lay_pos_cmp(lay_pos a, lay_pos b);
int lay_at_end(tv_doc *d, lay_pos p);

/* Lays out the line starting at p (a line start) into out. */
void lay_line_at(tv_doc *d, lay_pos p, const lay_opts *o, lay_line *out);

/* Start of the line that holds token t's first byte. */
lay_pos lay_line_of(tv_doc *d, uint64_t t, const lay_opts *o);

/* Start of the line before the line starting at p; returns p at the top. */
lay_pos lay_prev(tv_doc *d, lay_pos p, const lay_opts *o);

/* Start of the line after the line starting at p; returns p at the end. */
lay_pos lay_next(tv_doc *d, lay_pos p, const lay_opts *o);

/* Column of the first cell of line l that shows token t, or -1. */
int lay_col_of(const lay_line *l, uint64_t t);
/* Token under column x of l (the last one if x is past the end); -1 if empty. */
int64_t lay_tok_at(const lay_line *l, int x);

#endif /* TUI_LAYOUT_H */
