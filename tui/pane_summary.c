/*
 * pane_summary.c - the `s` view (and the `v` range view): traceview's summary rows (tv_summary.h,
 * the ones smix-view draws too), in two columns on a wide screen and one
 * after the other on a narrow one, scrolled by a->scroll.
 */
#include "app.h"
#include "tv_summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sum_out {
    app *a;
    int y, x, w, h;
    int row;        /* next logical row */
} sum_out;

static int sum__at(sum_out *o)
{
    int r = o->row++ - o->a->scroll;
    return r >= 0 && r < o->h ? o->y + r : -1;
}

/* "label  ████████ tail", the bar frac of the room left (red and from the
 * label for a negative frac). */
static void sum_bar(sum_out *o, int y, const tv_srow *r)
{
    crt *c = o->a->crt;
    int lw = (int)strlen(r->text), room = o->w - lw - (int)strlen(r->tail) - 3;
    crt_set(c, CRT_LABEL);
    crt_text(c, y, o->x, o->w, r->text);
    int n = tv_clampi((r->frac < 0 ? -r->frac : r->frac) * 0.6 * room + 0.5, 0, room > 0 ? room : 0);
    crt_set(c, r->frac < 0 ? CRT_BAR_NEG : CRT_BAR_POS);
    for (int i = 0; i < n; i++) crt_text(c, y, o->x + lw + 1 + i, 1, crt_utf8(c) ? "\xE2\x96\x88" : (r->frac < 0 ? "-" : "#"));
    crt_set(c, CRT_NORMAL);
    crt_text(c, y, o->x + lw + 2 + n, o->w - lw - 2 - n, r->tail);
}

/* A curve as a sparkline across the room after its label. */
static void sum_curve(sum_out *o, int y, const tv_srow *r)
{
    crt *c = o->a->crt;
    int lw = (int)strlen(r->text) + 1, room = o->w - lw - (int)strlen(r->tail) - 2;
    crt_set(c, CRT_LABEL);
    crt_text(c, y, o->x, o->w, r->text);
    if (room > r->n) room = r->n;
    crt_set(c, CRT_TITLE);
    for (int i = 0; i < room && r->n > 0; i++) {
        float v = r->v[(int)((long)i * r->n / room)];
        double f = r->hi > r->lo ? (v - r->lo) / (r->hi - r->lo) : 0.5;
        crt_text(c, y, o->x + lw + i, 1, crt_spark(c, tv_clampi(f * 7.99, 0, 7)));
    }
    crt_set(c, CRT_NORMAL);
    crt_text(c, y, o->x + lw + room + 1, o->w - lw - room - 1, r->tail);
}

static void sum_row(sum_out *o, const tv_srow *r)
{
    int y = sum__at(o);
    if (y < 0) return;
    switch (r->kind) {
    case TV_SR_TITLE: crt_set(o->a->crt, CRT_TITLE); crt_text(o->a->crt, y, o->x, o->w, r->text); break;
    case TV_SR_BAR: sum_bar(o, y, r); break;
    case TV_SR_CURVE: sum_curve(o, y, r); break;
    default: crt_set(o->a->crt, CRT_NORMAL); crt_text(o->a->crt, y, o->x, o->w, r->text); break;
    }
    crt_set(o->a->crt, CRT_NORMAL);
}

/* The summary (s) or, in VIEW_RANGE, the range's rows (v). */
static void summary_draw(app *a, const app_rect *r)
{
    tv_srow *rows;
    size_t n;
    char name[160];
    int range = a->view == VIEW_RANGE;
    const char *fn = tv_doc_basename(a->doc);
    const char *title = range ? "Range (E: write it as CSV, v or Esc: back, j/k scroll): "
                              : "Summary (s or Esc: back, j/k scroll): ";
    tv_text_label((const uint8_t *)fn, strlen(fn), crt_utf8(a->crt), 60, name, sizeof name);
    int two = r->w >= 120, lw = two ? r->w / 2 - 1 : r->w, tw = (int)strlen(title);
    crt_set(a->crt, CRT_TITLE);
    crt_text(a->crt, r->y, r->x, r->w, title);
    crt_set(a->crt, CRT_NORMAL);
    crt_text(a->crt, r->y, r->x + tw, r->w - tw, name);
    sum_out o = { a, r->y + 1, r->x, lw, r->h - 1, 0 };
    if (range) {
        rows = a->range;
        n = a->n_range;
    } else if (tv_summary_rows(a->doc, crt_utf8(a->crt), &rows, &n) != 0) {
        crt_set(a->crt, CRT_ERROR);
        crt_text(a->crt, r->y + 1, r->x, r->w, "the report cannot be computed: out of memory or a damaged trace");
        return;
    }
    for (int col = 0; col < 2; col++) {
        if (col == 1 && two) o = (sum_out){ a, r->y + 1, r->x + lw + 2, r->w - lw - 2, r->h - 1, 0 };
        else if (col == 1) sum__at(&o);   /* a blank row between the halves */
        for (size_t i = 0; i < n; i++)
            if (rows[i].column == col) sum_row(&o, &rows[i]);
    }
    if (!range) free(rows);
}

const pane_ops pane_summary = { "summary", summary_draw, NULL };
