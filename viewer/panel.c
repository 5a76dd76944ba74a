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
 * cut into slices for the candidates, then the token's coding steps (the
 * trace's steps: a candidate's is_cand and cand_walk, a new token's escape
 * slice and then its id, an escape's class and rank, the coder's own loss),
 * each drawn as the slice it keeps of what the steps before it left, and
 * labelled with its bits. The widths are exact: the whole token's slice is
 * p_final, a step's slice is 2^-bits of its bar, and the steps' bits add up
 * to the token's (the panel says so, or calls the record damaged). Where a
 * slice sits is illustrative: the trace does not record the coder's symbol
 * order, so candidates are laid out in the order of the mixed top-k (with
 * everything else after them) and a step's slice at the left of its bar,
 * which is what a reader needs to see the narrowing.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "view.h"

/* Escaped label for vocabulary id (or the NEW escape), quoted. */
static void cand_label(const vw_state *st, uint32_t id, int cells, char *out, size_t outsz)
{
    uint32_t len = 0;
    char e[64];
    if (id == SMIX_TOKEN_NEW) {
        snprintf(out, outsz, "<NEW>");
        return;
    }
    const uint8_t *b = smix_trace_vocab_token(st->a.t, id, &len);
    if (!b) {
        snprintf(out, outsz, "id %u", id);
        return;
    }
    tv_text_label(b, len, 1, cells - 2, e, sizeof e);
    snprintf(out, outsz, "'%s'", e);
}

static int is_actual(const smix_trace_token *tk, uint32_t id)
{
    return tk->is_new ? id == SMIX_TOKEN_NEW : id == tk->token_id;
}

/* A horizontal bar for probability p in [0,1]. */
static void pbar(vw_state *st, int x, int y, int w, double p, vw_rgb c)
{
    int h = st->font.ch - 4;
    vw_fill(st->ren, x, y + 2, w, h, VW_BG);
    vw_fill(st->ren, x, y + 2, vw_clampi(w * p + 0.5, 0, w), h, c);
}

/* Draws s from y on, wrapped at spaces to w pixels, at most rows rows (a
 * continuation row is indented); returns the y below it. */
int vw_wrap(vw_state *st, const char *s, int x, int y, int w, int rows, vw_rgb c)
{
    vw_font *f = &st->font;
    int cols = w / f->cw;
    for (int row = 0; row < rows && *s; row++) {
        int ind = row ? 2 : 0, room = cols - ind;
        size_t len = vw_utf8_cells(s), cut = strlen(s);
        if (room < 8)
            break;
        if ((int)len > room && row + 1 < rows) {   /* cut at a space (ASCII lines) */
            cut = (size_t)room;
            while (cut > 0 && s[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = (size_t)room;
        }
        char line[640];
        snprintf(line, sizeof line, "%.*s", (int)cut, s);
        vw_text(f, st->ren, x + ind * f->cw, y, line, room, c);
        y += f->ch;
        s += cut;
        while (*s == ' ')
            s++;
    }
    return y;
}

static int why_line(vw_state *st, const tv_why *w, int which, int x, int y, int wpx, int rows, vw_rgb c)
{
    char s[512];
    tv_why_line(w, st->a.d, which, s, sizeof s);
    return vw_wrap(st, s, x, y, wpx, rows, c);
}

/* The SSM's probability of the token against the coded one, as bars. */
static int draw_pbars(vw_state *st, const tv_why *w, int x, int y, int wpx)
{
    vw_font *f = &st->font;
    char p[24], line[96];
    int bw = wpx - 30 * f->cw;
    const smix_trace_token *tk = &w->tk;
    if (bw < 4 * f->cw)
        return y;
    vw_text(f, st->ren, x, y, "SSM", -1, VW_SSMC);
    if (!(st->a.sum.flags & SMIX_TRACE_SSM)) {
        vw_text(f, st->ren, x + 6 * f->cw, y, "off at this level", -1, VW_DIM);
    } else if (tk->flags & SMIX_TI_SSM) {
        pbar(st, x + 6 * f->cw, y, bw, tk->p_ssm, VW_SSMC);
        snprintf(line, sizeof line, "%s = %.2f bits", tv_pct(tk->p_ssm, p, sizeof p), -log2(tk->p_ssm > 0 ? tk->p_ssm : 1e-30));
        vw_text(f, st->ren, x + 7 * f->cw + bw, y, line, -1, VW_FG);
    } else {
        vw_text(f, st->ren, x + 6 * f->cw, y, "n/a: a new token", -1, VW_DIM);
    }
    y += f->ch;
    vw_text(f, st->ren, x, y, "coded", -1, VW_MIXC);
    pbar(st, x + 6 * f->cw, y, bw, tk->p_final, VW_MIXC);
    snprintf(line, sizeof line, "%s = %.2f bits", tv_pct(tk->p_final, p, sizeof p), tk->bits);
    vw_text(f, st->ren, x + 7 * f->cw + bw, y, line, -1, VW_FG);
    return y + f->ch;
}

/* One row per component, largest margin first: its term in the token's
 * logit and in the rival's, the margin (bits), and a bar of the margin
 * around zero (green: favoured the token, vermillion: the rival). At most
 * rows rows, the heading included; returns the y below. */
static int draw_comps(vw_state *st, const tv_why *w, int x, int y, int wpx, int rows)
{
    vw_font *f = &st->font;
    double mx = 1.0;
    uint32_t shown = 0;
    if (rows < 2)
        return y;
    for (uint32_t k = 0; k < w->n_comp; k++) {
        double v = fabs(w->rival ? w->comp[k].margin_bits : w->comp[k].tok_bits);
        if (v > mx)
            mx = v;
    }
    const char *head = w->rival ? (w->has_saved ? "component  token  rival margin  saved (bits)"
                                                : "component  token  rival margin (bits)")
                                : (w->has_saved ? "component   term  saved (bits)" : "component   term (bits)");
    if ((int)strlen(head) > wpx / f->cw)   /* narrow: the unit goes, the columns stay */
        head = w->rival ? (w->has_saved ? "bits:      token  rival margin  saved" : "bits:      token  rival margin")
                        : (w->has_saved ? "bits:        term  saved" : "bits:        term");
    vw_text(f, st->ren, x, y, head, wpx / f->cw, VW_DIM);
    y += f->ch;
    int numw = (w->rival ? 21 : 7) + (w->has_saved ? 7 : 0), bw = wpx - (10 + numw) * f->cw;
    for (uint32_t k = 0; k < w->n_comp && (int)shown + 1 < rows; k++) {
        const tv_why_comp *c = &w->comp[k];
        double v = w->rival ? c->margin_bits : c->tok_bits;
        char num[64];
        if (fabs(c->tok_bits) < 0.005 && fabs(c->rival_bits) < 0.005)
            continue;
        if (w->rival)
            snprintf(num, sizeof num, "%+6.2f %+6.2f %+6.2f", c->tok_bits, c->rival_bits, c->margin_bits);
        else
            snprintf(num, sizeof num, "%+6.2f", c->tok_bits);
        if (w->has_saved)   /* the counterfactual, when the trace has it (#14) */
            snprintf(num + strlen(num), sizeof num - strlen(num), " %+6.2f", c->saved_bits);
        vw_text(f, st->ren, x, y, c->name, 9, VW_FG);
        vw_text(f, st->ren, x + 9 * f->cw, y, num, -1, fabs(v) < 0.005 ? VW_DIM : VW_FG);
        if (bw > 8) {
            int zero = x + (10 + numw) * f->cw + bw / 2, len = vw_clampi(fabs(v) / mx * (bw / 2), 0, bw / 2);
            vw_line(st->ren, zero, y + 1, zero, y + f->ch - 2, VW_GRID);
            if (v >= 0)
                vw_fill(st->ren, zero, y + 3, len, f->ch - 6, VW_POSC);
            else
                vw_fill(st->ren, zero - len, y + 3, len, f->ch - 6, VW_NEGC);
        }
        y += f->ch;
        shown++;
    }
    return y;
}

static void draw_topk_col(vw_state *st, const smix_trace_token *tk, const uint32_t *id,
                          const float *p, int x, int y, int w, vw_rgb c)
{
    vw_font *f = &st->font;
    int bw = w - 22 * f->cw;
    for (int i = 0; i < SMIX_TOPK; i++) {
        char lab[96], pc[24];
        int cy = y + i * f->ch;
        int hit = is_actual(tk, id[i]);
        if (id[i] == SMIX_TOKEN_NONE)
            continue;
        cand_label(st, id[i], 12, lab, sizeof lab);
        if (hit)
            vw_fill(st->ren, x - 2, cy, w - 2, f->ch, st->th->hilite);
        vw_text(f, st->ren, x, cy, lab, 12, hit ? VW_ACCENT : VW_FG);
        if (bw >= 8)
            pbar(st, x + 13 * f->cw, cy, bw, p[i], c);
        vw_text(f, st->ren, x + 14 * f->cw + (bw >= 8 ? bw : 0), cy, tv_pct(p[i], pc, sizeof pc), -1, VW_FG);
    }
}

void vw_panel_components(vw_state *st)
{
    tv_why w;
    smix_trace_topk top;
    SDL_Rect *R = &st->r_comp;
    vw_font *f = &st->font;
    int x = R->x + f->cw / 2, wpx = R->w - f->cw, y = R->y + f->ch / 4, bottom = R->y + R->h;
    if (tv_why_token(st->a.d, st->nav.cur, 1, &w) != 0 || smix_trace_get_topk(st->a.t, st->nav.cur, &top) != 0) {
        vw_text(f, st->ren, x, y, "this record cannot be read: the trace is damaged", -1, VW_NEGC);
        return;
    }
    int wrap = 2;   /* a header line takes a second row only when it needs one */
    y = why_line(st, &w, TV_WHY_TITLE, x, y, wpx, 1, VW_ACCENT);
    if (st->compare) {
        char line[160];
        float b = vw_bits_b_on_a(st, w.tk.index);
        snprintf(line, sizeof line, "B spent %.2f bits on these bytes: B-A %+.2f bits", b, b - w.bits);
        y = vw_wrap(st, line, x, y, wpx, 1, VW_FG);
    }
    y = why_line(st, &w, TV_WHY_COST, x, y, wpx, wrap, VW_FG);
    y = why_line(st, &w, TV_WHY_RIVAL, x, y, wpx, wrap, VW_FG);
    y = draw_pbars(st, &w, x, y, wpx);
    y = why_line(st, &w, TV_WHY_SSM, x, y, wpx, wrap, VW_DIM);
    int left = (bottom - y) / f->ch, topk = left >= 18 ? 9 : 0;
    y = draw_comps(st, &w, x, y, wpx, left - topk);
    if (!topk)
        return;
    y = bottom - 9 * f->ch;
    if (st->a.sum.flags & SMIX_TRACE_SSM) {
        vw_text(f, st->ren, x, y, "SSM alone, top 8", -1, VW_SSMC);
        draw_topk_col(st, &w.tk, top.ssm_id, top.ssm_p, x, y + f->ch, wpx / 2, VW_SSMC);
    }
    vw_text(f, st->ren, x + wpx / 2, y, "after mixing, top 8", -1, VW_MIXC);
    draw_topk_col(st, &w.tk, top.id, top.p, x + wpx / 2, y + f->ch, wpx / 2, VW_MIXC);
}

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
    vw_fill(st->ren, x, y, w, h, st->th->bar);
    if (smix_trace_get_token(st->a.t, k, &tk) != 0 || smix_trace_get_topk(st->a.t, k, &top) != 0)
        return;
    double start = slice_start(&tk, &top, &rank), cum = 0;
    for (int i = 0; i < SMIX_TOPK && top.p[i] > 0; i++) {
        int a = x + vw_clampi(cum * w, 0, w), b = x + vw_clampi((cum + top.p[i]) * w, 0, w);
        vw_rgb c = (i & 1) ? st->th->bar2 : st->th->bar3;
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

/* One coding step as a slice of what the steps before it left: the bar is
 * that interval at full width, the orange slice 2^-bits of it (exact; its
 * place, at the left end, is not in the trace). A step that gave bits back
 * (the coder's rounding can) fills the bar. Returns the slice's right end. */
static int step_bar(vw_state *st, double bits, int x, int y, int w, int h)
{
    int sw = vw_clampi(exp2(-bits) * w + 0.5, 2, w);   /* NaN (a damaged record) gives 2 */
    vw_fill(st->ren, x, y, w, h, st->th->bar);
    vw_fill(st->ren, x, y, sw, h, VW_MIXC);
    vw_frame(st->ren, x - 1, y - 1, w + 2, h + 2, VW_DIM);
    return x + sw;
}

/* "10.75 bits (model 10.81)": a step's bits, with the token model's own
 * cost where the byte model changed it. */
static void step_label(const tv_why_step *s, char *out, size_t outsz)
{
    int n = snprintf(out, outsz, "%.2f bits", s->bits);
    if (n > 0 && (size_t)n < outsz && s->mixed && fabs(s->bits - s->tm) >= 0.005)
        snprintf(out + n, outsz - (size_t)n, " (model %.2f)", s->tm);
}

static int step_shown(const tv_why_step *s)
{
    return !(fabs(s->bits) < 0.005 && fabs(s->tm) < 0.005);
}

/* The token's coding steps, from y down to at most bottom: one bar per step
 * that cost anything (name, slice, bits), each blown up into the next by a
 * funnel, so a new token shows its escape slice, then its id; steps that do
 * not fit are listed on one text row. Returns the y below. */
static int draw_steps(vw_state *st, const tv_why *wy, int x, int y, int w, int bottom)
{
    vw_font *f = &st->font;
    int idx[SMIX_TRACE_MAX_STEPS], n = 0, gap = f->ch / 2, namew = 10 * f->cw, labw = 26 * f->cw;
    for (uint32_t k = 0; k < wy->n_steps; k++)
        if (step_shown(&wy->step[k]))
            idx[n++] = (int)k;
    int bx = x + namew, bw = w - namew - labw, fit = 0;
    while (fit < n && y + (fit + 1) * f->ch + fit * gap <= bottom)
        fit++;
    if (fit < n && fit > 0)
        fit--;                       /* keep a row for the rest */
    if (bw < 6 * f->cw)
        fit = 0;                     /* too narrow for bars: text only */
    for (int i = 0; i < fit; i++) {
        const tv_why_step *s = &wy->step[idx[i]];
        char lab[64];
        step_label(s, lab, sizeof lab);
        vw_text(f, st->ren, x, y, s->name, 9, VW_FG);
        int s1 = step_bar(st, s->bits, bx, y + 2, bw, f->ch - 4);
        vw_text(f, st->ren, bx + bw + f->cw, y, lab, -1, VW_FG);
        if (i + 1 < fit) {           /* the slice, magnified to the next bar */
            vw_line(st->ren, bx, y + f->ch - 2, bx, y + f->ch + gap + 1, VW_MIXC);
            vw_line(st->ren, s1 - 1, y + f->ch - 2, bx + bw - 1, y + f->ch + gap + 1, VW_MIXC);
        }
        y += f->ch + (i + 1 < fit ? gap : 0);
    }
    if (fit < n) {
        char rest[320];
        size_t o = (size_t)snprintf(rest, sizeof rest, fit ? "then" : "steps:");
        for (int i = fit; i < n && o < sizeof rest; i++)
            o += (size_t)snprintf(rest + o, sizeof rest - o, " %s %.2f%s", wy->step[idx[i]].name,
                                  wy->step[idx[i]].bits, i + 1 < n ? "," : " bits");
        y = vw_wrap(st, rest, x, y, w, 2, VW_FG);
    }
    return y;
}

void vw_panel_coder(vw_state *st)
{
    tv_why wy;
    SDL_Rect *R = &st->r_coder;
    vw_font *f = &st->font;
    int x = R->x + f->cw, w = R->w - 2 * f->cw, y = R->y + f->ch / 4, bh = f->ch - 2, s0, s1;
    if (tv_why_token(st->a.d, st->nav.cur, 1, &wy) != 0)
        return;
    double before = vw_pyr_query(&st->pa, 0, st->nav.cur).sum, sum = 0;
    for (uint32_t k = 0; k < wy.n_steps; k++)
        sum += wy.step[k].bits;      /* in step order, as the record's bits were added */
    vw_textf(f, st->ren, x, y, VW_FG, "range coder: #%llu narrows the interval by %.2f bits",
             (unsigned long long)st->nav.cur, wy.bits);
    y += f->ch;
    vw_textf(f, st->ren, x, y, VW_DIM, "before: width 2^-%.1f, cut into candidate slices", before);
    y += f->ch;
    interval_bar(st, st->nav.cur, x, y + 2, w, bh, &s0, &s1);
    y += f->ch + f->ch / 4;
    int nshown = 0;
    for (uint32_t k = 0; k < wy.n_steps; k++)
        nshown += step_shown(&wy.step[k]);
    vw_textf(f, st->ren, x, y, VW_DIM, "coded in %d step%s (widths exact, places illustrative):",
             nshown, nshown == 1 ? "" : "s");
    y += f->ch;
    y = draw_steps(st, &wy, x, y, w, R->y + R->h - 2 * f->ch);
    if (fabs(sum - wy.bits) > 1e-6)  /* the trace's arithmetic does not close: say so, draw no sum */
        vw_textf(f, st->ren, x, y, VW_NEGC, "the steps add up to %.2f bits, the record says %.2f: damaged",
                 sum, wy.bits);
    else
        vw_textf(f, st->ren, x, y, VW_FG, "the steps add up to %.2f bits, the token's cost", sum);
    y += f->ch;
    vw_textf(f, st->ren, x, y, VW_DIM, "after: width 2^-%.1f, ~%.0f payload bytes settled", before + wy.bits,
             (before + wy.bits) / 8.0);
}
