/*
 * plot.c - the timeline: bits per token over the whole file (or a zoomed
 * part of it), a moving average, the cumulative bits per byte, and where the
 * selection is.
 *
 * Each pixel column shows the min..max of its tokens as a bar coloured by
 * their mean, so a single expensive token is never averaged away. All values
 * come from pyramid queries (pyr.c), so the cost per frame depends on the
 * plot's width, not on the trace length. In compare mode the bars show the
 * mean difference B - A around a zero line, and the running sum of B - A
 * (bits B saved or lost so far) on the right axis. With the SSM, its
 * training loss per chunk is a third curve (scaled from the file's lowest
 * to its highest loss, as the key says), and the line under the plot gives
 * the selected token's chunk: loss, learning rate, Adam steps. Zoomed in,
 * an overview strip above the plot shows where the window lies in the file.
 */
#include <math.h>
#include <stdio.h>
#include "view.h"

static vw_rgb avg_colour(const vw_state *st)
{
    return st->compare ? VW_FG : VW_ACCENT;
}

static SDL_Rect plot_area(const vw_state *st)
{
    const SDL_Rect *R = &st->r_time;
    int cw = st->font.cw, ch = st->font.ch;
    int top = ch + ch / 2 + (st->tspan < (double)st->a.n && !st->compare ? ch / 2 + 2 : 0);   /* + the overview */
    SDL_Rect a = { R->x + 7 * cw, R->y + top, R->w - 14 * cw, R->h - top - ch - ch / 2 };
    if (a.w < 10) a.w = 10;
    if (a.h < 10) a.h = 10;
    return a;
}

double vw_plot_token_at_x(const vw_state *st, int x)
{
    SDL_Rect a = plot_area(st);
    double t = st->t0 + (double)(x - a.x) / a.w * st->tspan;
    if (t < 0) t = 0;
    if (t > (double)st->a.n - 1) t = st->a.n ? (double)st->a.n - 1 : 0;
    return t;
}

static void clamp_view(vw_state *st)
{
    double n = (double)st->a.n;
    double minspan = n < 16 ? n : 16;
    if (st->tspan > n) st->tspan = n;
    if (st->tspan < minspan) st->tspan = minspan;
    if (st->t0 > n - st->tspan) st->t0 = n - st->tspan;
    if (st->t0 < 0) st->t0 = 0;
}

void vw_plot_follow(vw_state *st)
{
    double s = (double)st->nav.cur;
    if (s < st->t0 || s >= st->t0 + st->tspan)
        st->t0 = s - st->tspan / 2;
    clamp_view(st);
}

void vw_plot_zoom(vw_state *st, int x, double factor)
{
    SDL_Rect a = plot_area(st);
    double frac = (double)(x - a.x) / a.w;
    if (frac < 0) frac = 0;
    if (frac > 1) frac = 1;
    double at = st->t0 + frac * st->tspan;
    st->tspan *= factor;
    clamp_view(st);
    st->t0 = at - frac * st->tspan;
    clamp_view(st);
}

/* Token range [*ia, *ib) of pixel column x (at least one token). */
static void column_range(const vw_state *st, const SDL_Rect *a, int x, uint64_t *ia, uint64_t *ib)
{
    double t0 = st->t0 + st->tspan * x / a->w;
    double t1 = st->t0 + st->tspan * (x + 1) / a->w;
    *ia = (uint64_t)t0;
    *ib = (uint64_t)t1;
    if (*ib <= *ia) *ib = *ia + 1;
    if (*ib > st->a.n) *ib = st->a.n;
}

static int ypix(const SDL_Rect *a, double v, double lo, double hi)
{
    double f = (v - lo) / (hi - lo);
    return a->y + a->h - 1 - vw_clampi(f * (a->h - 1) + 0.5, 0, a->h - 1);
}

/* Running sums of bits of A and of B-A up to a column's end, advanced
 * column by column so the whole curve costs one query per column. */
typedef struct cum_state {
    uint64_t upto;
    double a, d;
} cum_state;

static void cum_advance(const vw_state *st, cum_state *c, uint64_t ib, double *ca, double *cb)
{
    if (ib > c->upto) {
        c->a += vw_pyr_query(&st->pa, c->upto, ib).sum;
        if (st->compare)
            c->d += vw_pyr_query(&st->pd, c->upto, ib).sum;
        c->upto = ib;
    }
    uint64_t bytes = vw_bytes_upto(st, ib - 1);
    *ca = bytes ? c->a / (double)bytes : 0;
    *cb = bytes ? (c->a + c->d) / (double)bytes : 0;
}

/* The curves' keys; returns how many. */
static int key_text(const vw_state *st, uint64_t win, char k[3][48])
{
    snprintf(k[0], 48, "\u2500 avg%s %llu tok", st->compare ? " B-A," : "", (unsigned long long)win);
    snprintf(k[1], 48, "%s", st->compare ? "\u2500 running B-A bits (right)" : "\u2500 cum bpb (right axis)");
    snprintf(k[2], 48, "\u2500 SSM loss %.2f..%.2f nats", st->learn.lo, st->learn.hi);
    return st->learn.n && !st->compare ? 3 : 2;
}

static int key_cells(const vw_state *st, uint64_t win)
{
    char k[3][48];
    int total = 0, n = key_text(st, win, k);
    for (int i = 0; i < n; i++)
        total += (int)vw_utf8_cells(k[i]) + 2;
    return total;
}

/* The curve key, right-aligned in the title row. */
static void draw_key(vw_state *st, uint64_t win)
{
    char k[3][48];
    vw_rgb c[3] = { avg_colour(st), st->compare ? VW_MIXC : VW_SSMC, VW_POSC };
    int n = key_text(st, win, k);
    int x = st->r_time.x + st->r_time.w - key_cells(st, win) * st->font.cw;
    for (int i = 0; i < n; i++)
        x += (vw_text(&st->font, st->ren, x, st->r_time.y + st->font.ch / 4, k[i], -1, c[i]) + 2) * st->font.cw;
}

static void draw_axes(vw_state *st, const SDL_Rect *a, double lo, double hi, double cmax, uint64_t win)
{
    vw_font *f = &st->font;
    int cw = f->cw, ch = f->ch;
    vw_fill(st->ren, a->x, a->y, a->w, a->h, st->th->plotbg);
    int last_ly = -4 * ch;
    for (int k = 4; k >= 0; k--) {   /* from the top: the maximum's label first */
        double v = lo + (hi - lo) * k / 4;
        int y = ypix(a, v, lo, hi), ly = y - ch / 2 < a->y - ch / 4 ? a->y - ch / 4 : y - ch / 2;   /* not in the title row */
        vw_line(st->ren, a->x, y, a->x + a->w - 1, y, VW_GRID);
        if (ly - last_ly < ch)
            continue;   /* a short plot: the gridline stays, the label would overlap the one above */
        last_ly = ly;
        vw_textf(f, st->ren, a->x - 6 * cw, ly, VW_DIM, "%5.3g", v);
        if (st->compare)
            vw_textf(f, st->ren, a->x + a->w + cw / 2, ly, VW_MIXC, "%+.3g", cmax * (k - 2) / 2);
        else
            vw_textf(f, st->ren, a->x + a->w + cw / 2, ly, VW_SSMC, "%.3g", cmax * k / 4);
    }
    char title[160];
    int tl = snprintf(title, sizeof title, "timeline  tokens %.0f..%.0f of %llu   %s", st->t0,
                      st->t0 + st->tspan, (unsigned long long)st->a.n,
                      st->compare ? "bars: B-A bits" : "bars: bits/token min..max");
    int room = st->r_time.w / cw - 2;
    if (tl + key_cells(st, win) > room)
        tl = snprintf(title, sizeof title, "tokens %.0f..%.0f", st->t0, st->t0 + st->tspan);
    vw_text(f, st->ren, st->r_time.x + cw, st->r_time.y + ch / 4, title, -1, VW_FG);
    if (tl + key_cells(st, win) <= room)
        draw_key(st, win);
    int x0 = a->x + (vw_textf(f, st->ren, a->x, a->y + a->h + 2, VW_DIM, "%.0f", st->t0) + 2) * cw;
    char end[32], learn[200];
    int n = snprintf(end, sizeof end, "%.0f", st->t0 + st->tspan);
    vw_text(f, st->ren, a->x + a->w - n * cw, a->y + a->h + 2, end, -1, VW_DIM);
    tv_learn_line(st->a.d, st->nav.cur, learn, sizeof learn);
    int lroom = (a->x + a->w - n * cw - x0) / cw - 1;
    smix_chunk_info ci;
    if (learn[0] && (int)vw_utf8_cells(learn) > lroom && tv_learn_chunk(st->a.d, st->nav.cur, &ci) == 0)
        snprintf(learn, sizeof learn, "SSM loss %.2f", ci.loss);   /* narrow: the figure, not a cut line */
    if (learn[0] && !st->compare && (int)vw_utf8_cells(learn) <= lroom)   /* the selected token's chunk */
        vw_text(f, st->ren, x0, a->y + a->h + 2, learn, lroom, VW_POSC);
}

/* When zoomed in, a strip over the plot shows the whole file (mean bits
 * per pixel column) and frames the part the plot shows, with the
 * selection as a tick: where the zoomed window lies. */
static void draw_overview(vw_state *st, const SDL_Rect *a)
{
    double n = (double)st->a.n;
    int y = st->r_time.y + st->font.ch + st->font.ch / 4 + 2, h = st->font.ch / 2 - 2;
    if (st->tspan >= n || h < 3 || st->compare)
        return;
    for (int x = 0; x < a->w; x++) {
        uint64_t ia = (uint64_t)(n * x / a->w), ib = (uint64_t)(n * (x + 1) / a->w);
        if (ib <= ia) ib = ia + 1;
        vw_agg g = vw_pyr_query(&st->pa, ia, ib);
        vw_line(st->ren, a->x + x, y, a->x + x, y + h - 1, vw_viridis(g.n ? g.sum / g.n / st->bits_max : 0));
    }
    int x0 = a->x + (int)(st->t0 / n * a->w), x1 = a->x + (int)((st->t0 + st->tspan) / n * a->w);
    vw_frame(st->ren, x0 - 1, y - 2, x1 - x0 + 3 > 3 ? x1 - x0 + 3 : 3, h + 4, VW_ACCENT);
    int xs = a->x + (int)(((double)st->nav.cur + 0.5) / n * a->w);
    vw_fill(st->ren, xs, y - 2, 1, h + 4, VW_SELC);
}

void vw_plot_draw(vw_state *st)
{
    if (st->a.n == 0)
        return;
    SDL_Rect a = plot_area(st);
    clamp_view(st);
    double tpp = st->tspan / a.w;
    uint64_t win = (uint64_t)(tpp * 8 > 32 ? tpp * 8 : 32);
    double lo = st->compare ? -1.5 * st->diff_max : 0, hi = st->compare ? 1.5 * st->diff_max : 1.25 * st->bits_max;
    double total_bpb = st->a.sum.input_bytes ? st->a.sum.total_bits / st->a.sum.input_bytes : 1;
    double cmax = st->compare ? st->cumd_max : ceil(2 * total_bpb) < 1 ? 1 : ceil(2 * total_bpb);
    draw_axes(st, &a, lo, hi, cmax, win);
    draw_overview(st, &a);
    const vw_pyr *p = st->compare ? &st->pd : &st->pa;
    int py_avg = -1, py_ca = -1, py_loss = -1;
    const tv_learn *L = &st->learn;
    cum_state cum = { 0, 0, 0 };
    for (int x = 0; x < a.w; x++) {
        uint64_t ia, ib;
        column_range(st, &a, x, &ia, &ib);
        if (ia >= st->a.n)
            break;
        vw_agg g = vw_pyr_query(p, ia, ib);
        double mean = g.n ? g.sum / g.n : 0;
        vw_rgb c = st->compare ? vw_diverge(mean / st->diff_max) : vw_viridis(mean / st->bits_max);
        /* wider than one token a column: a bar from zero, not a one-pixel tick */
        int y0 = ypix(&a, st->compare || tpp < 1 ? 0 : g.mn, lo, hi);
        int y1 = ypix(&a, st->compare ? mean : g.mx, lo, hi);
        vw_line(st->ren, a.x + x, y0, a.x + x, y1, c);
        uint64_t mid = (ia + ib) / 2, h = win / 2;
        vw_agg m = vw_pyr_query(p, mid > h ? mid - h : 0, mid + h);
        int ya = ypix(&a, m.n ? m.sum / m.n : 0, lo, hi);
        double ca, cb;
        cum_advance(st, &cum, ib, &ca, &cb);
        (void)cb;   /* compare mode draws the running B-A instead of two overlapping bpb curves */
        int yca = st->compare ? ypix(&a, cum.d, -cmax, cmax) : ypix(&a, ca, 0, cmax);
        if (x > 0) {
            vw_line(st->ren, a.x + x - 1, py_avg, a.x + x, ya, avg_colour(st));
            vw_line(st->ren, a.x + x - 1, py_ca, a.x + x, yca, st->compare ? VW_MIXC : VW_SSMC);
        }
        py_avg = ya, py_ca = yca;
        smix_chunk_info ci;
        if (L->n && !st->compare && tv_learn_chunk(st->a.d, ia, &ci) == 0) {
            int yl = ypix(&a, ci.loss, L->lo - 0.05 * (L->hi - L->lo), L->hi + 0.05 * (L->hi - L->lo) + 1e-6);
            if (py_loss >= 0) {   /* two pixels thick: it crosses the bars */
                vw_line(st->ren, a.x + x - 1, py_loss, a.x + x, yl, VW_POSC);
                vw_line(st->ren, a.x + x - 1, py_loss + 1, a.x + x, yl + 1, VW_POSC);
            }
            py_loss = yl;
        }
    }
    if (st->compare)
        vw_line(st->ren, a.x, ypix(&a, 0, lo, hi), a.x + a.w - 1, ypix(&a, 0, lo, hi), VW_DIM);
    double sx = ((double)st->nav.cur + 0.5 - st->t0) / st->tspan * a.w;
    if (sx >= 0 && sx < a.w) {
        vw_fill(st->ren, a.x + (int)sx - 1, a.y, 2, a.h, VW_SELC);
        vw_textf(&st->font, st->ren, a.x + (int)sx + 3, a.y + 1, VW_SELC, "%llu",
                 (unsigned long long)st->nav.cur);
    }
    vw_frame(st->ren, a.x - 1, a.y - 1, a.w + 2, a.h + 2, VW_GRID);
}
