/*
 * pane_text.c - the original text, wrapped, each token on a background that
 * says what it cost (or what the colouring of `c` says: tv_colour.h); the
 * cursor token in reverse video.
 *
 * Only the visible lines are laid out (layout.h). While drawing, the pane
 * records which token owns every cell, so a mouse click maps back to a token
 * without laying anything out again.
 */
#include "app.h"

#include <stdlib.h>

static void text__line(app *a, const app_rect *r, int row, const lay_line *l)
{
    int x = 0;
    uint64_t level_tok = UINT64_MAX;
    int level = 0;
    for (int i = 0; i < l->ncells && x < r->w; i++) {
        const lay_cell *c = &l->cells[i];
        if (c->kind == LAY_SEP) {
            crt_set(a->crt, CRT_DIM);
        } else {
            if (c->tok != level_tok) {
                level_tok = c->tok;
                level = tv_colour_level(&a->col, a->doc, c->tok);
            }
            int cur = c->tok <= a->nav.cur && a->nav.cur <= c->tok_last;
            if (level < 0) crt_set_plain(a->crt, cur);
            else crt_set_level(a->crt, level, (int)(c->tok & 1), cur);
            uint64_t m = a->nav.mark, k = a->nav.cur;
            if (a->nav.has_mark && (m < k ? m <= c->tok && c->tok <= k : k <= c->tok && c->tok <= m))
                crt_underline(a->crt);   /* the range v reports */
        }
        int w = crt_text(a->crt, r->y + row, r->x + x, r->w - x, c->text);
        for (int k = 0; k < w && a->hit && x + k < a->hit_w; k++)
            a->hit[row * a->hit_w + x + k] = (int64_t)c->tok;
        if (w == 0) break;
        x += w;
    }
}

static void text_draw(app *a, const app_rect *r)
{
    lay_line *l = malloc(sizeof *l);
    if (!l) return;
    lay_pos p = a->top;
    int row = 0;
    for (; row < r->h; row++) {
        if (lay_at_end(a->doc, p)) break;
        lay_line_at(a->doc, p, &a->lo, l);
        text__line(a, r, row, l);
        if (lay_pos_cmp(l->next, p) <= 0) { row++; break; }
        p = l->next;
    }
    crt_set(a->crt, CRT_DIM);
    for (; row < r->h; row++) crt_text(a->crt, r->y + row, r->x, r->w, "~");
    if (tv_doc_count(a->doc) == 0) crt_text(a->crt, r->y, r->x, r->w, "(empty trace: no tokens)");
    crt_set(a->crt, CRT_NORMAL);
    free(l);
}

static int text_click(app *a, const app_rect *r, int y, int x)
{
    (void)r;
    if (!a->hit || y >= a->hit_h || x >= a->hit_w) return ACT_NONE;
    int64_t t = a->hit[y * a->hit_w + x];
    for (int k = x; t < 0 && k > 0; k--) t = a->hit[y * a->hit_w + k - 1];   /* past line end */
    if (t < 0) return ACT_NONE;
    a->nav.cur = (uint64_t)t;
    return ACT_MOVED | ACT_REDRAW;
}

const pane_ops pane_text = { "text", text_draw, text_click };
