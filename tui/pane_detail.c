/*
 * pane_detail.c - why the cursor token cost what it cost.
 *
 * The figures are traceview's (tv_why.h), the same smix-view draws: the
 * token's cost split into the token model, the byte model, a new token's id
 * and the coder; the favourite (or runner-up) and its lead; the SSM's own
 * view; then one row per component: its term in the token's logit, in the
 * rival's, and the margin between them (all in bits), largest margins
 * first, so the rows that explain the cost are the ones that fit. Last, the
 * top 8 after mixing beside the SSM's own top 8 (with the SSM only).
 *
 * Two shapes: a tall column beside the text on wide terminals, or a band
 * under the text on narrow ones: its title on the rule above it, then rows
 * in order of importance (header lines wrapped, the components on the left
 * and the top-8 lists on the right, or one under the other below 76
 * columns), scrolled with { and } as htop scrolls its list.
 */
#include "app.h"
#include "tv_why.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void det__line(app *a, int y, int x, int w, crt_color c, const char *s)
{
    crt_set(a->crt, c);
    crt_text(a->crt, y, x, w, s);
    crt_set(a->crt, CRT_NORMAL);
}

/* Draws s from row y on, wrapped at spaces over at most rows rows (a
 * continuation row is indented); returns the rows used. */
static int det__wrap(app *a, const char *s, int y, int x, int w, int rows, crt_color c)
{
    int used = 0;
    while (*s && used < rows) {
        int ind = used ? 2 : 0, room = w - ind;
        size_t len = strlen(s), cut = len;
        if (room < 8) break;
        if ((int)len > room && used + 1 < rows) {   /* room counts bytes: exact for ASCII, safe for UTF-8 */
            cut = (size_t)room;
            while (cut > 0 && s[cut] != ' ') cut--;
            if (cut == 0) cut = (size_t)room;
        }
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)cut, s);
        det__line(a, y + used, x + ind, room, c, line);
        used++;
        s += cut;
        while (*s == ' ') s++;
    }
    return used;
}

/* One of tv_why's header lines, over at most rows rows; returns rows used. */
static int det__why(app *a, const tv_why *wy, int which, int y, int x, int w, int rows, crt_color c)
{
    char s[512];
    tv_why_line(wy, a->doc, which, s, sizeof s);
    return det__wrap(a, s, y, x, w, rows, c);
}

static double det__scale(const tv_why *wy)
{
    double s = 1.0;
    for (uint32_t k = 0; k < wy->n_comp; k++) {
        double v = fabs(wy->rival ? wy->comp[k].margin_bits : wy->comp[k].tok_bits);
        if (v > s) s = v;
    }
    return s;
}

/* "name   token  rival margin" heading of the component rows. */
static void det__comp_head(app *a, const tv_why *wy, int y, int x, int w)
{
    det__line(a, y, x, w, CRT_LABEL, wy->rival ? (wy->has_saved ? "bits:    token  rival margin  saved" : "bits:    token  rival margin")
                                           : (wy->has_saved ? "bits:    term  saved" : "bits:    term"));
}

/* A component's row: its term for the token and the rival, the margin, and
 * a bar of the margin (of the term without a rival) around zero. */
static void det__comp(app *a, const tv_why *wy, const tv_why_comp *c, double scale, int y, int x, int w)
{
    char v[64];
    int utf8 = crt_utf8(a->crt), tw;
    double m = wy->rival ? c->margin_bits : c->tok_bits;
    det__line(a, y, x, 8, CRT_LABEL, c->name);
    if (wy->rival) snprintf(v, sizeof v, "%+6.2f %+6.2f %+6.2f", c->tok_bits, c->rival_bits, c->margin_bits);
    else snprintf(v, sizeof v, "%+6.2f", c->tok_bits);
    if (wy->has_saved) snprintf(v + strlen(v), sizeof v - strlen(v), " %+6.2f", c->saved_bits);
    tw = (int)strlen(v);
    det__line(a, y, x + 8, w - 8, fabs(m) < 0.005 ? CRT_DIM : CRT_NORMAL, v);
    int bw = w - 9 - tw, half = (bw - 1) / 2, x0 = x + 9 + tw + half;
    if (half < 1) return;
    int len = tv_clampi(fabs(m) / scale * half + 0.5, 0, half);
    if (len == 0 && fabs(m) >= 0.05) len = 1;
    crt_set(a->crt, CRT_DIM);
    crt_text(a->crt, y, x0, 1, utf8 ? "\xE2\x94\x82" : "|");
    crt_set(a->crt, m >= 0 ? CRT_BAR_POS : CRT_BAR_NEG);
    for (int i = 1; i <= len; i++)
        crt_text(a->crt, y, m >= 0 ? x0 + i : x0 - i, 1, utf8 ? "\xE2\x96\x88" : (m >= 0 ? "+" : "-"));
    crt_set(a->crt, CRT_NORMAL);
}

/* The component rows that fit in h rows (heading included). */
static void det__comps(app *a, const tv_why *wy, int y, int x, int w, int h)
{
    if (h < 2) return;
    det__comp_head(a, wy, y, x, w);
    double scale = det__scale(wy);
    for (uint32_t k = 0; k < wy->n_comp && (int)k + 1 < h; k++)
        det__comp(a, wy, &wy->comp[k], scale, y + 1 + (int)k, x, w);
}

static void det__cand(app *a, uint32_t id, float p, uint32_t actual, int y, int x, int w)
{
    char q[128], e[96], pc[24];
    uint32_t len;
    if (id == SMIX_TOKEN_NONE) return;
    const uint8_t *b = tv_doc_vocab(a->doc, id, &len);
    if (id == SMIX_TOKEN_NEW) snprintf(q, sizeof q, "<NEW>");
    else {
        tv_text_label(b, len, crt_utf8(a->crt), w - 10 > 4 ? w - 10 : 4, e, sizeof e);
        snprintf(q, sizeof q, "'%s'", e);
    }
    crt_set(a->crt, id == actual ? CRT_ACTUAL : CRT_NORMAL);
    crt_text(a->crt, y, x, w - 7, q);
    tv_pct(p, pc, sizeof pc);
    crt_text(a->crt, y, x + w - 7, 7, pc);
    crt_set(a->crt, CRT_NORMAL);
}

/* Row i of the top-8 lists: their heading (i = 0), then candidate i. */
static void det__topk_row(app *a, const smix_trace_token *tk, const smix_trace_topk *top, int i, int y, int x,
                          int w)
{
    int ssm = tv_doc_has_ssm(a->doc), cw = ssm ? (w - 3) / 2 : w - 3;
    uint32_t actual = tk->is_new ? SMIX_TOKEN_NEW : tk->token_id;
    if (i == 0) {
        det__line(a, y, x, w, CRT_TITLE, "   after mixing");
        if (ssm) det__line(a, y, x + 3 + cw, w - 3 - cw, CRT_TITLE, "SSM alone");
        return;
    }
    if (i > SMIX_TOPK) return;
    char n[8];
    snprintf(n, sizeof n, "%d", i);
    det__line(a, y, x, 3, CRT_DIM, n);
    det__cand(a, top->id[i - 1], top->p[i - 1], actual, y, x + 2, cw);
    if (ssm) det__cand(a, top->ssm_id[i - 1], top->ssm_p[i - 1], tk->token_id, y, x + 3 + cw, cw);
}

static void det__topk(app *a, const smix_trace_token *tk, int y, int x, int w, int h)
{
    smix_trace_topk top;
    if (h < 2 || smix_trace_get_topk(tv_doc_trace(a->doc), tk->index, &top) != 0) return;
    for (int i = 0; i <= SMIX_TOPK && i < h; i++) det__topk_row(a, tk, &top, i, y + i, x, w);
}

/* ---- the band under the text: rows in priority order, scrolled ----
 *
 * As htop does with its process list, the band keeps its title row and
 * scrolls the rest: the rows are laid out in order of importance (the cost
 * and its split, the rival, the SSM, the components by margin, the top 8,
 * the coding steps and the context), wrapped at the width rather than cut,
 * and `{` / `}` (a->det_scroll) move through those that do not fit; the
 * title row says how many are above and below. */
typedef struct det__view {
    int y0, h;          /* screen rows under the title */
    int scroll, v;      /* first virtual row shown; the next virtual row */
} det__view;

/* The screen row of the next virtual row (and counts it), or -1 off screen. */
static int det__next(det__view *dv)
{
    int r = dv->v++ - dv->scroll;
    return r >= 0 && r < dv->h ? dv->y0 + r : -1;
}

/* s wrapped at spaces (continuation rows indented), one virtual row each. */
static void det__text(app *a, det__view *dv, const char *s, int x, int w, crt_color c)
{
    for (int used = 0; *s && used < 6; used++) {
        int ind = used ? 2 : 0, room = w - ind, y;
        size_t len = strlen(s), cut = len;
        if (room < 8) return;
        if ((int)len > room) {   /* room counts bytes: exact for ASCII, safe for UTF-8 */
            cut = (size_t)room;
            while (cut > 0 && s[cut] != ' ') cut--;
            if (cut == 0) cut = (size_t)room;
        }
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)cut, s);
        if ((y = det__next(dv)) >= 0) det__line(a, y, x + ind, room, c, line);
        s += cut;
        while (*s == ' ') s++;
    }
}

static void det__why_rows(app *a, det__view *dv, const tv_why *wy, int which, int x, int w, crt_color c)
{
    char s[512];
    tv_why_line(wy, a->doc, which, s, sizeof s);
    det__text(a, dv, s, x, w, c);
}

/* The title on the rule above the band ("#245 ' when'  id 820 ..." or, when
 * that does not fit, "#245 ' when' NEW"), and where the scroll stands. */
static void det__title(app *a, const tv_why *wy, const app_rect *r, int above, int below)
{
    int utf8 = crt_utf8(a->crt);
    char t[512], more[64] = "";
    crt_set(a->crt, CRT_DIM);
    for (int x = 0; x < r->w; x++) crt_text(a->crt, r->y, r->x + x, 1, utf8 ? "\xE2\x94\x80" : "-");
    if (below) snprintf(more, sizeof more, " %d more: }%s ", below, above ? " {" : "");
    else if (above) snprintf(more, sizeof more, " %d above: { ", above);
    int ml = (int)strlen(more), room = r->w - 2 - ml - 1;
    tv_why_line(wy, a->doc, TV_WHY_TITLE, t, sizeof t);
    if ((int)strlen(t) > room - 2)   /* the essentials, not a cut line */
        snprintf(t, sizeof t, "#%llu '%s'%s", (unsigned long long)wy->tk.index, wy->text, wy->tk.is_new ? " NEW" : "");
    if (ml) crt_text(a->crt, r->y, r->x + r->w - 1 - ml, ml, more);
    char lab[520];
    snprintf(lab, sizeof lab, " %s ", t);
    det__line(a, r->y, r->x + 1, room, CRT_TITLE, lab);
}

/* Row i of the component table: its heading (i = 0), then one component. */
static void det__comp_row(app *a, const tv_why *wy, int i, double scale, int y, int x, int w)
{
    if (i == 0) det__comp_head(a, wy, y, x, w);
    else if (i - 1 < (int)wy->n_comp) det__comp(a, wy, &wy->comp[i - 1], scale, y, x, w);
}

/* The rows under the title, most important first; returns how many. */
static int det__body(app *a, det__view *dv, const tv_why *wy, const app_rect *r)
{
    smix_trace_topk top;
    int x = r->x, w = r->w, half = w * 11 / 20, y;
    int has_top = smix_trace_get_topk(tv_doc_trace(a->doc), wy->tk.index, &top) == 0;
    double scale = det__scale(wy);
    det__why_rows(a, dv, wy, TV_WHY_COST, x, w, CRT_NORMAL);
    det__why_rows(a, dv, wy, TV_WHY_RIVAL, x, w, CRT_NORMAL);
    det__why_rows(a, dv, wy, TV_WHY_SSM, x, w, CRT_NORMAL);
    if (w >= 76) {   /* the components on the left, the top 8 on the right */
        int n = (int)wy->n_comp + 1 > SMIX_TOPK + 1 ? (int)wy->n_comp + 1 : SMIX_TOPK + 1;
        for (int i = 0; i < n; i++) {
            if ((y = det__next(dv)) < 0) continue;
            det__comp_row(a, wy, i, scale, y, x, half - 1);
            if (has_top) det__topk_row(a, &wy->tk, &top, i, y, x + half, w - half);
        }
    } else {         /* one under the other */
        for (int i = 0; i <= (int)wy->n_comp; i++)
            if ((y = det__next(dv)) >= 0) det__comp_row(a, wy, i, scale, y, x, w);
        for (int i = 0; has_top && i <= SMIX_TOPK; i++)
            if ((y = det__next(dv)) >= 0) det__topk_row(a, &wy->tk, &top, i, y, x, w);
    }
    det__why_rows(a, dv, wy, TV_WHY_STEPS, x, w, CRT_NORMAL);
    det__why_rows(a, dv, wy, TV_WHY_FINAL, x, w, CRT_NORMAL);
    det__why_rows(a, dv, wy, TV_WHY_ORDER, x, w, CRT_NORMAL);
    return dv->v;
}

static void det__band(app *a, const tv_why *wy, const app_rect *r)
{
    det__view dv = { r->y + 1, 0, 0, 0 };   /* no rows: only counts them */
    int total = det__body(a, &dv, wy, r), h = r->h - 1;
    int most = total - h > 0 ? total - h : 0;
    if (a->det_scroll > most) a->det_scroll = most;
    dv = (det__view){ r->y + 1, h, a->det_scroll, 0 };
    det__body(a, &dv, wy, r);
    det__title(a, wy, r, a->det_scroll, most - a->det_scroll);
}

static void det__column(app *a, const tv_why *wy, const app_rect *r)
{
    int y = r->y, x = r->x, w = r->w;
    for (int i = 0; i < r->h; i++) det__line(a, r->y + i, x - 1, 1, CRT_DIM, crt_utf8(a->crt) ? "\xE2\x94\x82" : "|");
    static const int lines[] = { TV_WHY_TITLE, TV_WHY_COST, TV_WHY_FINAL, TV_WHY_RIVAL, TV_WHY_SSM,
                                 TV_WHY_STEPS, TV_WHY_ORDER };
    int wrap = r->h >= 30 ? 2 : 1;   /* header lines get two rows when there is room */
    for (size_t i = 0; i < sizeof lines / sizeof lines[0] && y < r->y + r->h; i++)
        y += det__why(a, wy, lines[i], y, x, w, wrap, i == 0 ? CRT_TITLE : CRT_NORMAL);
    int rest = r->y + r->h - y - 1;
    int topk = rest >= 20 ? 9 : 0;                 /* the top-8 lists only if the bars keep 10 rows */
    int nc = (int)wy->n_comp + 1, ch = rest - topk - (topk ? 1 : 0);
    if (ch > nc) ch = nc;
    det__comps(a, wy, y + 1, x, w, ch);
    if (topk) det__topk(a, &wy->tk, y + 2 + ch, x, w, topk);
}

static void detail_draw(app *a, const app_rect *r)
{
    tv_why wy;
    if (tv_why_token(a->doc, a->nav.cur, crt_utf8(a->crt), &wy) != 0) {
        det__line(a, r->y + 1, r->x, r->w, CRT_ERROR, "this record cannot be read: the trace is damaged");
        return;
    }
    if (r->x == 0) det__band(a, &wy, r);   /* under the text */
    else det__column(a, &wy, r);
}

const pane_ops pane_detail = { "detail", detail_draw, NULL };
