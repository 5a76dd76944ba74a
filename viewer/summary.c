/*
 * summary.c - the summary overlay (s) and the range overlay (v): traceview's
 * rows (tv_summary.h), the
 * ones smix-tui's summary shows, drawn in two columns, bars as bars and the
 * training loss as a curve.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "view.h"

static void row_bar(vw_state *st, const tv_srow *r, int x, int y, int w)
{
    vw_font *f = &st->font;
    int lw = vw_text(f, st->ren, x, y, r->text, -1, VW_DIM) * f->cw + f->cw;
    int room = w - lw - ((int)strlen(r->tail) + 2) * f->cw;
    int len = vw_clampi((r->frac < 0 ? -r->frac : r->frac) * 0.7 * room, 0, room > 0 ? room : 0);
    vw_fill(st->ren, x + lw, y + 3, len, f->ch - 6, r->frac < 0 ? VW_NEGC : VW_POSC);
    vw_text(f, st->ren, x + lw + len + f->cw, y, r->tail, -1, VW_FG);
}

static void row_curve(vw_state *st, const tv_srow *r, int x, int y, int w)
{
    vw_font *f = &st->font;
    int lw = vw_text(f, st->ren, x, y, r->text, -1, VW_DIM) * f->cw + f->cw;
    int pw = w - lw - ((int)strlen(r->tail) + 2) * f->cw, h = 3 * f->ch, y0 = y;
    if (pw < 20 || r->n < 2)
        return;
    vw_fill(st->ren, x + lw, y0, pw, h, st->th->plotbg);
    int px = -1, py = -1;
    for (int i = 0; i < r->n; i++) {
        double fy = r->hi > r->lo ? (r->v[i] - r->lo) / (r->hi - r->lo) : 0.5;
        int cx = x + lw + (int)((double)i * (pw - 1) / (r->n - 1));
        int cy = y0 + h - 2 - vw_clampi(fy * (h - 4), 0, h - 4);
        if (px >= 0)
            vw_line(st->ren, px, py, cx, cy, VW_SSMC);
        px = cx, py = cy;
    }
    vw_text(f, st->ren, x + lw + pw + f->cw, y, r->tail, -1, VW_FG);
}

void vw_summary_draw(vw_state *st)
{
    vw_font *f = &st->font;
    tv_srow *rows;
    size_t n;
    int w = st->W - 2 * f->cw, h = st->r_status.y - 2 - f->ch, x0 = f->cw, y0 = f->ch;   /* the status line stays */
    vw_fill(st->ren, x0, y0, w, h, VW_WELL);
    vw_capture_erase(f, x0, y0, w, h);
    vw_frame(st->ren, x0, y0, w, h, VW_ACCENT);
    SDL_Rect clipr = { x0, y0, w, h };
    SDL_RenderSetClipRect(st->ren, &clipr);
    vw_text(f, st->ren, x0 + f->cw, y0 + f->ch / 4, st->range ? "Range (E: write it as CSV, v or Esc: back, j/k scroll)"
            : "Summary (s or Esc: back, j/k scroll)", -1, VW_ACCENT);
    if (st->range) {
        rows = st->range;
        n = st->n_range;
    } else if (tv_summary_rows(st->a.d, 1, &rows, &n) != 0) {
        vw_text(f, st->ren, x0 + f->cw, y0 + 2 * f->ch, "the report cannot be computed: a damaged trace?", -1, VW_NEGC);
        SDL_RenderSetClipRect(st->ren, NULL);
        return;
    }
    int two = w / f->cw >= 150, cw = two ? w / 2 : w;
    int y = y0 + f->ch + f->ch / 2 - st->scroll * f->ch, yc = y;
    for (int col = 0; col < 2; col++) {
        int x = x0 + f->cw + (two && col ? cw : 0);
        if (two && col)
            y = yc;
        for (size_t i = 0; i < n; i++) {
            const tv_srow *r = &rows[i];
            if (r->column != col)
                continue;
            if (y >= y0 + f->ch && y < y0 + h - f->ch) {
                if (r->kind == TV_SR_BAR)
                    row_bar(st, r, x, y, cw - 2 * f->cw);
                else if (r->kind == TV_SR_CURVE)
                    row_curve(st, r, x, y, cw - 2 * f->cw);
                else
                    vw_text(f, st->ren, x, y, r->text, -1, r->kind == TV_SR_TITLE ? VW_ACCENT : VW_FG);
            }
            y += r->kind == TV_SR_CURVE ? 3 * f->ch + f->ch / 2 : f->ch;
        }
    }
    if (!st->range)
        free(rows);
    SDL_RenderSetClipRect(st->ren, NULL);
}
