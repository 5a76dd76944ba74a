/*
 * table.c - the token table overlay (t): traceview's rows (tv_table.h, the
 * ones smix-tui's table shows), one per line, each after a swatch of its
 * bits colour (by id: of the mean), the selected row highlighted.
 */
#include <stdio.h>
#include "view.h"

/* The overlay's rectangle, and how many rows of tokens it holds (the keys
 * page by it, so it is computed the same way before the first frame). */
static SDL_Rect table_rect(const vw_state *st)
{
    const vw_font *f = &st->font;
    /* the status line stays visible: it carries the damage notice */
    return (SDL_Rect){ f->cw, f->ch, st->W - 2 * f->cw, st->r_status.y - 2 - f->ch };
}

int vw_table_page(const vw_state *st)
{
    SDL_Rect r = table_rect(st);
    int n = st->font.ch > 0 ? r.h / st->font.ch - 6 : 1;
    return n > 1 ? n : 1;
}

int vw_table_row_at(const vw_state *st, int y)
{
    SDL_Rect r = table_rect(st);
    int y0 = r.y + st->font.ch / 4 + 4 * st->font.ch;   /* the first row of tokens (see vw_table_draw) */
    return y < y0 || st->font.ch <= 0 ? -1 : (y - y0) / st->font.ch;
}

void vw_table_draw(vw_state *st)
{
    vw_font *f = &st->font;
    tv_table *t = st->table;
    char line[512];
    if (!t)
        return;
    SDL_Rect r = table_rect(st);
    int page = vw_table_page(st), x = r.x + f->cw, y = r.y + f->ch / 4, cols = r.w / f->cw - 2;
    tv_table_scroll(t, page);
    vw_fill(st->ren, r.x, r.y, r.w, r.h, VW_WELL);
    vw_capture_erase(f, r.x, r.y, r.w, r.h);
    vw_frame(st->ren, r.x, r.y, r.w, r.h, VW_ACCENT);
    SDL_RenderSetClipRect(st->ren, &r);
    tv_table_title(t, line, sizeof line);
    vw_text(f, st->ren, x, y, line, cols, VW_ACCENT);
    tv_table_filters(t, line, sizeof line);
    vw_text(f, st->ren, x, y += f->ch, line, cols, VW_FG);
    vw_text(f, st->ren, x, y += f->ch, t->msg[0] ? t->msg : tv_table_keys(), cols, VW_DIM);
    tv_table_header(t, line, sizeof line);
    vw_text(f, st->ren, x + 3 * f->cw, y += f->ch, line, cols - 3, VW_DIM);
    for (int i = 0; i < page && t->top + (size_t)i < t->n_rows; i++) {
        size_t k = t->top + (size_t)i;
        const tv_table_row *row = &t->row[k];
        y += f->ch;
        vw_fill(st->ren, x, y + 2, 2 * f->cw, f->ch - 4,
                vw_bits_rgb(row->count ? row->bits / (double)row->count : row->bits));
        if (k == t->sel)
            vw_fill(st->ren, x + 3 * f->cw - 2, y, r.w - 5 * f->cw, f->ch, VW_GRID);
        tv_table_line(t, k, 1, line, sizeof line);
        vw_text(f, st->ren, x + 3 * f->cw, y, line, cols - 3, k == t->sel ? VW_SELC : VW_FG);
    }
    if (t->n_rows == 0)
        vw_text(f, st->ren, x + 3 * f->cw, y + f->ch, "(no token passes the filters)", cols - 3, VW_DIM);
    SDL_RenderSetClipRect(st->ren, NULL);
}
