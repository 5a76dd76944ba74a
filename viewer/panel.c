/*
 * panel.c - the component panel and the coder panel for the selected token.
 *
 * Component panel: how the final probability came about. The SSM's
 * probability against the coded one (as bars and in bits; only where the
 * trace has the SSM), each component's term in the token's logit (every
 * component the trace declares; the terms sum to the logit), and the top 8
 * candidates before (SSM) and after mixing, with the actual token
 * highlighted.
 *
 * Coder panel (for teaching): the range coder's interval before the token,
 * cut into slices for the candidates, and the interval after, which is the
 * actual token's slice blown up to full width. The width of the slice is
 * exact: p_final is the coded probability, so the interval shrinks by exactly
 * that factor and the token costs -log2(p_final) bits. Where the slice sits is
 * illustrative: the trace does not record the coder's symbol order, so slices
 * are laid out in the order of the mixed top-k (with everything else after
 * them), which is what a reader needs to see the narrowing.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "view.h"

/* Escaped label for vocabulary id (or the NEW escape). */
static void cand_label(const vw_state *st, uint32_t id, size_t cells, char *out, size_t outsz)
{
    uint32_t len = 0;
    const uint8_t *b = id == SMIX_TOKEN_NEW ? NULL : smix_trace_vocab_token(st->a.t, id, &len);
    if (id == SMIX_TOKEN_NEW)
        snprintf(out, outsz, "<new>");
    else if (!b)
        snprintf(out, outsz, "#%u", id);
    else
        vw_esc_str(b, len, VW_ESC_LABEL, cells, out, outsz);
}

static int is_actual(const smix_trace_token *tk, uint32_t id)
{
    return tk->is_new ? id == SMIX_TOKEN_NEW : id == tk->token_id;
}

/* A horizontal bar for probability p in [0,1] with a value label. */
static void pbar(vw_state *st, int x, int y, int w, double p, vw_rgb c)
{
    int h = st->font.ch - 4;
    vw_fill(st->ren, x, y + 2, w, h, VW_BG);
    vw_fill(st->ren, x, y + 2, vw_clampi(w * p + 0.5, 0, w), h, c);
}

static int section_title(vw_state *st, int x, int y, const char *s)
{
    vw_text(&st->font, st->ren, x, y, s, -1, VW_DIM);
    return y + st->font.ch;
}

static int draw_header(vw_state *st, const smix_trace_token *tk, int x, int y)
{
    char txt[96];
    vw_font *f = &st->font;
    vw_esc_str(tk->bytes, tk->length, VW_ESC_LABEL, 28, txt, sizeof txt);
    vw_textf(f, st->ren, x, y, VW_ACCENT, "token #%llu  \"%s\"", (unsigned long long)tk->index, txt);
    y += f->ch;
    vw_textf(f, st->ren, x, y, VW_DIM, "id %u  offset %llu  len %u%s  H %.2f b  scale %.2f",
             tk->token_id, (unsigned long long)tk->offset, tk->length, tk->is_new ? "  NEW" : "",
             tk->entropy, tk->scale);
    y += f->ch;
    if (st->compare) {
        float b = vw_bits_b_on_a(st, tk->index);
        vw_textf(f, st->ren, x, y, VW_FG, "B spent %.2f bits on these bytes: B-A %+.2f bits",
                 b, b - tk->bits);
    } else if (tk->longest_order > 0)
        vw_textf(f, st->ren, x, y, VW_DIM, "n-gram: order-%d context seen, this token after it %ux",
                 tk->longest_order, tk->longest_count);
    else
        vw_text(f, st->ren, x, y, "no n-gram context seen before", -1, VW_DIM);
    return y + f->ch;
}

static int draw_pbars(vw_state *st, const smix_trace_token *tk, int x, int y, int w)
{
    vw_font *f = &st->font;
    int bw = w - 32 * f->cw;
    double bssm = tk->p_ssm > 0 ? -log2(tk->p_ssm) : INFINITY;
    vw_text(f, st->ren, x, y, "SSM  ", -1, VW_SSMC);
    if (!(st->a.sum.flags & SMIX_TRACE_SSM)) {
        vw_text(f, st->ren, x + 6 * f->cw, y, "off at this level", -1, VW_DIM);
    } else if (tk->flags & SMIX_TI_SSM) {
        pbar(st, x + 6 * f->cw, y, bw, tk->p_ssm, VW_SSMC);
        vw_textf(f, st->ren, x + 7 * f->cw + bw, y, VW_FG, "p %-8.4g = %5.2f bits", tk->p_ssm, bssm);
    } else {
        vw_textf(f, st->ren, x + 6 * f->cw, y, VW_DIM, "n/a: a new token (the SSM gave NEW %.3g)", tk->p_ssm_new);
    }
    y += f->ch;
    vw_text(f, st->ren, x, y, "final", -1, VW_MIXC);
    pbar(st, x + 6 * f->cw, y, bw, tk->p_final, VW_MIXC);
    vw_textf(f, st->ren, x + 7 * f->cw + bw, y, VW_FG, "p %-8.4g = %5.2f bits", tk->p_final, tk->bits);
    return y + f->ch;
}

/* Each component's term in the token's logit: bars around a zero line, in
 * two or three columns. */
static int draw_bias(vw_state *st, const smix_trace_token *tk, int x, int y, int w)
{
    vw_font *f = &st->font;
    double mx = 1.0;
    int n = (int)tk->n_comp;
    for (int c = 0; c < n; c++)
        if (fabs(tk->comp[c]) > mx)
            mx = fabs(tk->comp[c]);
    y = section_title(st, x, y, "each component's term in the token's logit (their sum):");
    int cols = n > 14 ? 3 : 2, rows = (n + cols - 1) / cols, colw = w / cols;
    int bw = colw - 16 * f->cw;
    if (bw < 6) bw = 6;
    for (int c = 0; c < n; c++) {
        int cx = x + (c / rows) * colw, cy = y + (c % rows) * f->ch;
        double v = tk->comp[c];
        int zero = cx + 8 * f->cw + bw / 2, len = vw_clampi(fabs(v) / mx * (bw / 2), 0, bw / 2);
        smix_trace_part p;
        if (smix_trace_component(st->a.t, (uint32_t)c, &p) == 0) vw_text(f, st->ren, cx, cy, p.name, 7, VW_FG);
        vw_line(st->ren, zero, cy + 1, zero, cy + f->ch - 2, VW_GRID);
        if (v >= 0)
            vw_fill(st->ren, zero, cy + 3, len, f->ch - 6, VW_POSC);
        else
            vw_fill(st->ren, zero - len, cy + 3, len, f->ch - 6, VW_NEGC);
        vw_textf(f, st->ren, cx + 9 * f->cw + bw, cy, v == 0 ? VW_DIM : VW_FG, "%+.2f", v);
    }
    return y + rows * f->ch;
}

static void draw_topk_col(vw_state *st, const smix_trace_token *tk, const uint32_t *id,
                          const float *p, int x, int y, int w, vw_rgb c)
{
    vw_font *f = &st->font;
    int bw = w - 19 * f->cw;
    if (bw < 8) bw = 8;
    for (int i = 0; i < SMIX_TOPK; i++) {
        char lab[64];
        int cy = y + i * f->ch;
        int hit = is_actual(tk, id[i]);
        if (id[i] == SMIX_TOKEN_NONE || (p[i] <= 0 && id[i] == 0))
            continue;
        cand_label(st, id[i], 9, lab, sizeof lab);
        if (hit)
            vw_fill(st->ren, x - 2, cy, w - 2, f->ch, (vw_rgb){ 70, 60, 30 });
        vw_text(f, st->ren, x, cy, lab, 9, hit ? VW_ACCENT : VW_FG);
        pbar(st, x + 10 * f->cw, cy, bw, p[i], c);
        vw_textf(f, st->ren, x + 11 * f->cw + bw, cy, VW_FG, "%.3f", p[i]);
    }
}

void vw_panel_components(vw_state *st)
{
    smix_trace_token tk;
    smix_trace_topk top;
    SDL_Rect *R = &st->r_comp;
    vw_font *f = &st->font;
    int x = R->x + f->cw / 2, w = R->w - f->cw;
    if (smix_trace_get_token(st->a.t, st->sel, &tk) != 0 ||
        smix_trace_get_topk(st->a.t, st->sel, &top) != 0)
        return;
    int y = draw_header(st, &tk, x, R->y + f->ch / 4);
    y = draw_pbars(st, &tk, x, y, w);
    y = draw_bias(st, &tk, x, y, w);
    if (st->a.sum.flags & SMIX_TRACE_SSM) {
        vw_text(f, st->ren, x, y, "SSM top 8", -1, VW_SSMC);
        draw_topk_col(st, &tk, top.ssm_id, top.ssm_p, x, y + f->ch, w / 2, VW_SSMC);
    }
    vw_text(f, st->ren, x + w / 2, y, "after mixing, top 8", -1, VW_MIXC);
    y += f->ch;
    draw_topk_col(st, &tk, top.id, top.p, x + w / 2, y, w / 2, VW_MIXC);
}

/* Where token k's slice sits in [0,1): the mass of mixed candidates ranked
 * before it (all top-k if it is not among them). */
static double slice_start(const smix_trace_token *tk, const smix_trace_topk *top, int *rank)
{
    double cum = 0;
    *rank = -1;
    for (int i = 0; i < SMIX_TOPK; i++) {
        if (is_actual(tk, top->id[i])) {
            *rank = i;
            break;
        }
        cum += top->p[i] > 0 ? top->p[i] : 0;
    }
    if (cum + tk->p_final > 1.0)
        cum = 1.0 - tk->p_final;    /* quantisation can push it past the end */
    return cum < 0 ? 0 : cum;
}

/* One interval bar cut into the top-k slices of token k; returns the pixel
 * span of k's slice in *s0, *s1. */
static void interval_bar(vw_state *st, uint64_t k, int x, int y, int w, int h, int *s0, int *s1)
{
    smix_trace_token tk;
    smix_trace_topk top;
    int rank;
    *s0 = *s1 = x;
    vw_fill(st->ren, x, y, w, h, (vw_rgb){ 52, 55, 64 });
    if (smix_trace_get_token(st->a.t, k, &tk) != 0 || smix_trace_get_topk(st->a.t, k, &top) != 0)
        return;
    double start = slice_start(&tk, &top, &rank), cum = 0;
    for (int i = 0; i < SMIX_TOPK && top.p[i] > 0; i++) {
        int a = x + vw_clampi(cum * w, 0, w), b = x + vw_clampi((cum + top.p[i]) * w, 0, w);
        vw_rgb c = (i & 1) ? (vw_rgb){ 88, 94, 108 } : (vw_rgb){ 110, 117, 133 };
        if (i != rank)
            vw_fill(st->ren, a, y, b - a - 1, h, c);
        cum += top.p[i];
    }
    *s0 = x + vw_clampi(start * w, 0, w);
    *s1 = x + vw_clampi((start + tk.p_final) * w, 0, w);
    if (*s1 - *s0 < 2)
        *s1 = *s0 + 2;               /* a tiny slice stays visible */
    vw_fill(st->ren, *s0, y, *s1 - *s0, h, VW_MIXC);
    vw_frame(st->ren, x - 1, y - 1, w + 2, h + 2, VW_DIM);
}

void vw_panel_coder(vw_state *st)
{
    smix_trace_token tk;
    SDL_Rect *R = &st->r_coder;
    vw_font *f = &st->font;
    int x = R->x + f->cw, w = R->w - 2 * f->cw, y = R->y + f->ch / 4, bh = f->ch;
    if (smix_trace_get_token(st->a.t, st->sel, &tk) != 0)
        return;
    double before = vw_pyr_query(&st->pa, 0, st->sel).sum;
    vw_textf(f, st->ren, x, y, VW_FG, "range coder: token #%llu narrows the interval",
             (unsigned long long)st->sel);
    y += f->ch;
    vw_textf(f, st->ren, x, y, VW_DIM, "before: width 2^-%.1f, cut into candidate slices", before);
    y += f->ch;
    int s0, s1, n0, n1;
    interval_bar(st, st->sel, x, y, w, bh, &s0, &s1);
    int ybar2 = y + bh + 2 * f->ch;
    /* magnifier: the slice's ends to the full width of the next bar */
    vw_line(st->ren, s0, y + bh, x, ybar2 - 1, VW_MIXC);
    vw_line(st->ren, s1 - 1, y + bh, x + w - 1, ybar2 - 1, VW_MIXC);
    char zoom[48];
    int zl = snprintf(zoom, sizeof zoom, "x %.4g", tk.p_final);
    int mid = ((s0 + x) / 2 + (s1 + x + w) / 2) / 2;
    vw_text(f, st->ren, mid - zl * f->cw / 2, y + bh + f->ch / 2, zoom, -1, VW_MIXC);
    if (st->sel + 1 < st->a.n)
        interval_bar(st, st->sel + 1, x, ybar2, w, bh, &n0, &n1);
    else
        vw_fill(st->ren, x, ybar2, w, bh, VW_MIXC);
    y = ybar2 + bh + f->ch / 2;
    vw_textf(f, st->ren, x, y, VW_DIM, "after: width 2^-%.1f = before x p_final (%.2f bits)",
             before + tk.bits, tk.bits);
    y += f->ch;
    vw_textf(f, st->ren, x, y, VW_DIM, "~%.0f payload bytes settled so far (8 bits each)",
             (before + tk.bits) / 8.0);
    y += f->ch;
    char steps[160];
    size_t l = (size_t)snprintf(steps, sizeof steps, "steps:");
    smix_trace_part p;
    for (uint32_t k = 0; smix_trace_step(st->a.t, k, &p) == 0 && l < sizeof steps - 24; k++)
        if (fabs(tk.step_bits[k]) >= 0.005) l += (size_t)snprintf(steps + l, sizeof steps - l, " %s %.2f", p.name, tk.step_bits[k]);
    vw_text(f, st->ren, x, y, steps, -1, VW_DIM);
    y += f->ch;
    vw_text(f, st->ren, x, y, "slice width exact; its place (top-8 order) illustrative", -1, VW_DIM);
}
