/*
 * pane_table.c - the token table (t): traceview's rows (tv_table.h, the
 * ones smix-view draws too), one per line, htop-style, each after a swatch
 * of its bits colour (by id: of the mean), the selected row in reverse video.
 */
#include "app.h"

#include <stdio.h>

static void table_draw(app *a, const app_rect *r)
{
    tv_table *t = a->table;
    char line[512];
    int page = r->h - 4;
    if (!t || page < 1) return;
    tv_table_scroll(t, page);
    crt_set(a->crt, CRT_TITLE);
    tv_table_title(t, line, sizeof line);
    crt_text(a->crt, r->y, r->x, r->w, line);
    crt_set(a->crt, CRT_NORMAL);
    tv_table_filters(t, line, sizeof line);
    crt_text(a->crt, r->y + 1, r->x, r->w, line);
    crt_set(a->crt, CRT_DIM);
    crt_text(a->crt, r->y + 2, r->x, r->w, t->msg[0] ? t->msg : tv_table_keys());
    crt_set(a->crt, CRT_LABEL);
    tv_table_header(t, line, sizeof line);
    crt_text(a->crt, r->y + 3, r->x + 3, r->w - 3, line);
    for (int i = 0; i < page && t->top + (size_t)i < t->n_rows; i++) {
        size_t k = t->top + (size_t)i;
        const tv_table_row *row = &t->row[k];
        double b = row->count ? row->bits / (double)row->count : row->bits;
        crt_set_level(a->crt, tv_scale_level(b), 0, 0);
        crt_text(a->crt, r->y + 4 + i, r->x, 2, "  ");
        crt_set(a->crt, k == t->sel ? CRT_STATUS : CRT_NORMAL);
        if (k == t->sel) crt_fill(a->crt, r->y + 4 + i, r->x + 3, r->w - 3);
        tv_table_line(t, k, crt_utf8(a->crt), line, sizeof line);
        crt_text(a->crt, r->y + 4 + i, r->x + 3, r->w - 3, line);
    }
    if (t->n_rows == 0) {
        crt_set(a->crt, CRT_DIM);
        crt_text(a->crt, r->y + 4, r->x + 3, r->w - 3, "(no token passes the filters)");
    }
    crt_set(a->crt, CRT_NORMAL);
}

const pane_ops pane_table = { "table", table_draw, NULL };
