/*
 * layout.c - on-demand line wrapping of the original text (see layout.h).
 *
 * Every function works from a line start and looks at a bounded number of
 * tokens (one paragraph, at most 2 * LAY_ANCHOR tokens), so moving around a
 * trace of any size costs the same. A single lay_line is large (LAY_MAXW
 * cells), so the helpers that walk lines keep one on the heap.
 */
#include "layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lay_pos_cmp(lay_pos a, lay_pos b)
{
    if (a.t != b.t) return a.t < b.t ? -1 : 1;
    if (a.b != b.b) return a.b < b.b ? -1 : 1;
    return 0;
}

int lay_at_end(tv_doc *d, lay_pos p)
{
    return p.t >= tv_doc_count(d);
}

/* Width of the token from byte b up to and including its first newline. */
static int lay__chunk_width(const smix_trace_token *tk, uint32_t b, int utf8)
{
    int w = 0;
    tv_glyph g;
    for (uint32_t i = b; i < tk->length; i += (uint32_t)g.used) {
        tv_text_next(tk->bytes + i, tk->length - i, utf8, &g);
        w += g.width;
        if (g.kind == TV_G_NEWLINE) break;
    }
    return w;
}

static void lay__push(lay_line *l, const char *text, int width, int kind, uint64_t tok,
                      uint64_t tok_last)
{
    lay_cell *c = &l->cells[l->ncells++];
    snprintf(c->text, sizeof c->text, "%s", text);
    c->width = (uint8_t)width;
    c->kind = (uint8_t)kind;
    c->tok = tok;
    c->tok_last = tok_last;
    l->cols += width;
}

/* Token t is an anchor (a forced paragraph start) if t is a multiple of
 * LAY_ANCHOR and none of the LAY_ANCHOR tokens before it holds a newline:
 * ordinary text, with newlines, never gets a forced break, and the start
 * of any paragraph is still at most 2 * LAY_ANCHOR tokens back. */
static int lay__is_anchor(tv_doc *d, uint64_t t)
{
    smix_trace_token tk;
    if (t % LAY_ANCHOR != 0) return 0;
    for (uint64_t i = t >= LAY_ANCHOR ? t - LAY_ANCHOR : 0; i < t; i++)
        if (tv_doc_token(d, i, &tk) == 0 && memchr(tk.bytes, '\n', tk.length)) return 0;
    return 1;
}

/* tv_text's byte source for a glyph that starts in token `from`: no token
 * past an anchor after it (paragraphs must lay out the same from either
 * side). */
typedef struct lay__src {
    tv_doc *d;
    uint64_t from;
} lay__src;

static int lay__bytes(void *ctx, uint64_t tok, const uint8_t **b, uint32_t *n)
{
    lay__src *s = ctx;
    if (tok > s->from && lay__is_anchor(s->d, tok)) return -1;
    return tv_doc_bytes(s->d, tok, b, n);
}

/* At the start of a token on a non-empty line: returns 1 if the line must
 * break before it (anchor, or the token does not fit). */
static int lay__break_before(tv_doc *d, lay_line *l, const smix_trace_token *tk,
                             const lay_opts *o)
{
    if (lay__is_anchor(d, tk->index)) return 1;
    int need = lay__chunk_width(tk, 0, o->utf8) + (o->sep ? 1 : 0);
    if (l->cols + need > o->width && need <= o->width) return 1;
    if (o->sep) {
        if (l->cols + 1 >= o->width) return 1;
        lay__push(l, o->utf8 ? "\xC2\xA6" : "|", 1, LAY_SEP, tk->index, tk->index);
    }
    return 0;
}

void lay_line_at(tv_doc *d, lay_pos p, const lay_opts *o, lay_line *out)
{
    smix_trace_token tk;
    int width = o->width < 1 ? 1 : (o->width > LAY_MAXW ? LAY_MAXW : o->width);
    lay_opts oo = *o;
    oo.width = width;
    out->start = p;
    out->ncells = 0;
    out->cols = 0;
    int have = 0;
    while (!lay_at_end(d, p)) {
        if (!have || tk.index != p.t) {
            if (tv_doc_token(d, p.t, &tk) != 0) break;
            have = 1;
        }
        if (tk.length == 0) { p.t++; p.b = 0; continue; }
        if (p.b == 0 && out->cols > 0 && lay__break_before(d, out, &tk, &oo)) break;
        tv_glyph g;
        tv_pos after;
        uint64_t last = p.t;
        lay__src src = { d, p.t };
        if (tv_text_at(lay__bytes, &src, (tv_pos){ p.t, p.b }, o->utf8, &g, &after, &last) != 0) break;
        if (out->cols + g.width > width && out->cols > 0) break;
        lay__push(out, g.text, g.width, g.kind, p.t, last);
        p = (lay_pos){ after.tok, after.byte };
        if (g.kind == TV_G_NEWLINE || out->ncells >= LAY_MAXW) break;
    }
    out->next = p;
}

/* Start of the paragraph holding p: after the last newline before p, or
 * the anchor token at or before p. */
static lay_pos lay__para_start(tv_doc *d, lay_pos p)
{
    smix_trace_token tk;
    uint64_t t = p.t;
    uint32_t b = p.b;
    if (t >= tv_doc_count(d)) {
        if (tv_doc_count(d) == 0) return (lay_pos){ 0, 0 };
        t = tv_doc_count(d) - 1;
        b = UINT32_MAX;
    }
    for (;;) {
        if (tv_doc_token(d, t, &tk) != 0) return (lay_pos){ t, 0 };
        if (b > tk.length) b = tk.length;
        for (uint32_t j = b; j > 0; j--)
            if (tk.bytes[j - 1] == '\n')
                return j == tk.length ? (lay_pos){ t + 1, 0 } : (lay_pos){ t, j };
        if (t == 0 || lay__is_anchor(d, t)) return (lay_pos){ t, 0 };
        t--;
        b = UINT32_MAX;
    }
}

lay_pos lay_next(tv_doc *d, lay_pos p, const lay_opts *o)
{
    lay_line *l = malloc(sizeof *l);
    if (!l) return p;
    lay_line_at(d, p, o, l);
    lay_pos n = lay_at_end(d, l->next) ? p : l->next;
    free(l);
    return n;
}

/* Walks lines from paragraph start s; returns the start of the line that
 * holds position q. */
static lay_pos lay__walk_to(tv_doc *d, lay_pos s, lay_pos q, const lay_opts *o)
{
    lay_line *l = malloc(sizeof *l);
    if (!l) return s;
    for (;;) {
        lay_line_at(d, s, o, l);
        if (lay_pos_cmp(q, l->next) < 0 || lay_at_end(d, l->next)
            || lay_pos_cmp(l->next, s) <= 0)
            break;
        s = l->next;
    }
    free(l);
    return s;
}

lay_pos lay_line_of(tv_doc *d, uint64_t t, const lay_opts *o)
{
    lay_pos q = { t, 0 };
    return lay__walk_to(d, lay__para_start(d, q), q, o);
}

lay_pos lay_prev(tv_doc *d, lay_pos p, const lay_opts *o)
{
    lay_pos q = p;
    if (p.t == 0 && p.b == 0) return p;
    if (q.b > 0) {
        q.b--;
    } else {
        smix_trace_token tk;
        q.t--;
        tv_doc_token(d, q.t, &tk);
        q.b = tk.length ? tk.length - 1 : 0;
    }
    /* the line holding the byte just before p */
    return lay__walk_to(d, lay__para_start(d, q), q, o);
}

int lay_col_of(const lay_line *l, uint64_t t)
{
    int x = 0;
    for (int i = 0; i < l->ncells; i++) {
        const lay_cell *c = &l->cells[i];
        if (c->tok <= t && t <= c->tok_last && c->kind != LAY_SEP) return x;
        x += l->cells[i].width;
    }
    return -1;
}

int64_t lay_tok_at(const lay_line *l, int x)
{
    int col = 0;
    if (l->ncells == 0) return -1;
    for (int i = 0; i < l->ncells; i++) {
        col += l->cells[i].width;
        if (x < col) return (int64_t)l->cells[i].tok;
    }
    return (int64_t)l->cells[l->ncells - 1].tok;
}
