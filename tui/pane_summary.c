/*
 * pane_summary.c - the `s` view: the file's figures (what --trace-report
 * prints: sizes, bits, where the bits went), bpb by stretch of the file,
 * the costliest tokens and a histogram of bits per token.
 *
 * The figures come from the trace reader's report (smix_trace_report, the
 * same numbers as `smix --trace-report`), computed once on first use. Output is a
 * list of rows written through a small cursor (sum_out) that applies the
 * scroll offset, so the view works at any height; on wide screens the
 * histogram and costliest tokens go in a second column.
 */
#include "app.h"
#include "tv_text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct sum_out {
    app *a;
    int y, x, w, h;
    int row;        /* next logical row */
    int skip;       /* rows scrolled away */
} sum_out;

static int sum__at(sum_out *o)
{
    int r = o->row++ - o->skip;
    return r >= 0 && r < o->h ? o->y + r : -1;
}

__attribute__((format(printf, 3, 4)))
static void sum_put(sum_out *o, crt_color c, const char *fmt, ...)
{
    char v[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    int y = sum__at(o);
    if (y < 0) return;
    crt_set(o->a->crt, c);
    crt_text(o->a->crt, y, o->x, o->w, v);
}

/* "label  ████████ tail" with the bar frac of the room left. */
static void sum_bar(sum_out *o, const char *label, double frac, const char *tail)
{
    int y = sum__at(o);
    if (y < 0) return;
    crt *c = o->a->crt;
    int lw = (int)strlen(label), room = o->w - lw - (int)strlen(tail) - 2;
    crt_set(c, CRT_LABEL);
    crt_text(c, y, o->x, o->w, label);
    int n = tv_clampi(frac * room + 0.5, 0, room > 0 ? room : 0);
    crt_set(c, CRT_BAR_POS);
    for (int i = 0; i < n; i++) crt_text(c, y, o->x + lw + 1 + i, 1, crt_utf8(c) ? "\xE2\x96\x88" : "#");
    crt_set(c, CRT_NORMAL);
    crt_text(c, y, o->x + lw + 2 + n, o->w - lw - 2 - n, tail);
}

static void sum_figures(sum_out *o, const smix_trace_report *rp, const smix_config *g)
{
    double in = rp->input_bytes ? (double)rp->input_bytes : 1;
    sum_put(o, CRT_TITLE, "File");
    sum_put(o, CRT_NORMAL, "  input bytes       %llu", (unsigned long long)rp->input_bytes);
    sum_put(o, CRT_NORMAL, "  tokens            %llu (%.2f bytes/token)", (unsigned long long)rp->tokens,
            rp->tokens ? (double)rp->input_bytes / (double)rp->tokens : 0.0);
    sum_put(o, CRT_NORMAL, "  header bytes      %llu", (unsigned long long)rp->header_bytes);
    sum_put(o, CRT_NORMAL, "  payload bytes     %llu", (unsigned long long)rp->payload_bytes);
    sum_put(o, CRT_NORMAL, "  compressed bytes  %llu (%.2f%%, %.3f bpb)",
            (unsigned long long)rp->compressed_bytes, 100.0 * (double)rp->compressed_bytes / in,
            rp->file_bpb);
    sum_put(o, CRT_NORMAL, "  total bits        %.1f (%.3f bpb)", rp->total_bits, rp->bpb);
    sum_put(o, CRT_NORMAL, "  training chunks   %llu, loss %.3f -> %.3f nats",
            (unsigned long long)rp->chunks, rp->first_loss, rp->last_loss);
    sum_put(o, CRT_NORMAL, "  model             level %u, n-grams to order %u", g->level, g->max_order);
    if (g->ssm_enabled)
        sum_put(o, CRT_NORMAL, "  SSM               %u layers, d_model %u, d_state %u, d_inner %u",
                g->n_layers, g->d_model, g->d_state, g->d_inner);
    else
        sum_put(o, CRT_NORMAL, "  SSM               off");
}

static void sum_where(sum_out *o, const smix_trace *t, const smix_trace_report *rp)
{
    char lab[64], tail[96];
    double tb = rp->total_bits > 0 ? rp->total_bits : 1, mx = 1;
    sum_put(o, CRT_NORMAL, "%s", "");
    sum_put(o, CRT_TITLE, "Where the bits went");
    if (rp->ssm)
        sum_put(o, CRT_NORMAL, "  vs SSM alone on the %llu tokens seen before: saved %.0f bits (%.1f%%)",
                (unsigned long long)rp->ssm_tokens, rp->saved_vs_ssm,
                rp->ssm_bits > 0 ? 100 * rp->saved_vs_ssm / rp->ssm_bits : 0.0);
    sum_put(o, CRT_NORMAL, "  vs order-0 frequencies: saved %.0f bits (%.1f%%)", rp->saved_vs_prior,
            rp->prior_bits > 0 ? 100 * rp->saved_vs_prior / rp->prior_bits : 0.0);
    sum_put(o, CRT_NORMAL, "  first occurrences: %llu tokens, %.0f bits (%.1f%%; ids %.0f)",
            (unsigned long long)rp->new_tokens, rp->new_bits, 100 * rp->new_bits / tb, rp->new_id_bits);
    for (uint32_t k = 0; k < rp->n_steps; k++) {
        smix_trace_part p;
        if (smix_trace_step(t, k, &p) || !rp->step[k].tokens) continue;
        snprintf(lab, sizeof lab, "    step %-9s", p.name);
        snprintf(tail, sizeof tail, "%.0f bits (%.1f%%)", rp->step[k].bits, 100 * rp->step[k].bits / tb);
        sum_bar(o, lab, rp->step[k].bits > 0 ? rp->step[k].bits / tb * 0.6 : 0, tail);
    }
    sum_put(o, CRT_LABEL, "  margin over the rival, bits (tokens active):");
    for (uint32_t k = 0; k < rp->n_comp; k++)
        if (fabs(rp->comp[k].margin) > mx) mx = fabs(rp->comp[k].margin);
    for (uint32_t k = 0; k < rp->n_comp; k++) {
        smix_trace_part p;
        if (smix_trace_component(t, k, &p) || !rp->comp[k].active) continue;
        snprintf(lab, sizeof lab, "    %-9s", p.name);
        snprintf(tail, sizeof tail, "%+.0f (%llu)", rp->comp[k].margin, (unsigned long long)rp->comp[k].active);
        sum_bar(o, lab, rp->comp[k].margin > 0 ? rp->comp[k].margin / mx * 0.6 : 0, tail);
    }
}

static void sum_types(sum_out *o, const smix_trace_report *rp)
{
    char lab[64], tail[96], line[256] = "   ";
    size_t l = 3;
    sum_put(o, CRT_LABEL, "  by token type: share of bits, tokens, bits/token");
    for (int ty = 0; ty < SMIX_TTYPE_COUNT; ty++) {
        if (!rp->type[ty].count) continue;
        snprintf(lab, sizeof lab, "    %-11s", smix_trace_token_type_name(ty));
        snprintf(tail, sizeof tail, "%4.1f%%  %llu  %.2f", 100 * rp->type[ty].share,
                 (unsigned long long)rp->type[ty].count, rp->type[ty].bits / (double)rp->type[ty].count);
        sum_bar(o, lab, rp->type[ty].share * 0.5, tail);
    }
    sum_put(o, CRT_LABEL, "  n-gram order k fired (share of tokens):");
    for (uint32_t k = 0; k < rp->n_orders && l < sizeof line - 16; k++)
        l += (size_t)snprintf(line + l, sizeof line - l, " %d:%.0f%%", rp->order[k].order,
                              100 * rp->order[k].share);
    sum_put(o, CRT_NORMAL, "%s", line);
}

static void sum_stretches(sum_out *o, const smix_trace_report *rp)
{
    double mx = 0.01;
    sum_put(o, CRT_NORMAL, "%s", "");
    sum_put(o, CRT_TITLE, "bpb by stretch of the file");
    for (uint32_t k = 0; k < rp->n_stretches; k++)
        if (rp->stretch[k].bpb > mx) mx = rp->stretch[k].bpb;
    for (uint32_t k = 0; k < rp->n_stretches; k++) {
        char lab[32], tail[32];
        snprintf(lab, sizeof lab, "  %3.0f%%", rp->input_bytes ? 100.0 * (double)rp->stretch[k].first_byte /
                 (double)rp->input_bytes : 0.0);
        snprintf(tail, sizeof tail, "%.3f", rp->stretch[k].bpb);
        sum_bar(o, lab, rp->stretch[k].bpb / mx * 0.6, tail);
    }
}

static void sum_hist(sum_out *o, const smix_trace_report *rp, tv_doc *d)
{
    uint64_t mx = 1, n = rp->tokens ? rp->tokens : 1;
    for (int b = 0; b < SMIX_REPORT_HIST_BINS; b++)
        if (rp->hist[b].count > mx) mx = rp->hist[b].count;
    sum_put(o, CRT_TITLE, "Bits per token (histogram)");
    for (int b = 0; b < SMIX_REPORT_HIST_BINS; b++) {
        char lab[32], tail[48];
        if (rp->hist[b].hi > 1e300) snprintf(lab, sizeof lab, "  %6g+     ", rp->hist[b].lo);
        else snprintf(lab, sizeof lab, "  %6g-%-5g", rp->hist[b].lo, rp->hist[b].hi);
        snprintf(tail, sizeof tail, "%5.1f%% %llu", 100.0 * (double)rp->hist[b].count / (double)n,
                 (unsigned long long)rp->hist[b].count);
        sum_bar(o, lab, (double)rp->hist[b].count / (double)mx, tail);
    }
    const tv_stats *st = tv_doc_stats(d);
    sum_put(o, CRT_NORMAL, "  top 1%%: %llu tokens of >= %.2f bits (w/W visit them)",
            (unsigned long long)st->top1_count, st->top1_threshold);
}

static void sum_costly(sum_out *o, const smix_trace_report *rp, tv_doc *d)
{
    sum_put(o, CRT_NORMAL, "%s", "");
    sum_put(o, CRT_TITLE, "Costliest tokens");
    for (uint32_t i = 0; i < rp->n_costly && i < 10; i++) {
        smix_trace_token tk;
        char e[64];
        tv_doc_token(d, rp->costly[i].index, &tk);
        tv_text_label(tk.bytes, tk.length, crt_utf8(o->a->crt), 20, e, sizeof e);
        sum_put(o, CRT_NORMAL, "  #%-9llu %6.2f bits  '%s'",
                (unsigned long long)rp->costly[i].index, rp->costly[i].bits, e);
    }
}

static void summary_draw(app *a, const app_rect *r)
{
    const smix_trace_report *rp = tv_doc_report(a->doc);
    char name[160];
    const char *fn = tv_doc_name(a->doc);
    tv_text_label((const uint8_t *)fn, strlen(fn), crt_utf8(a->crt), 60, name, sizeof name);
    int two = r->w >= 100;
    int lw = two ? r->w / 2 - 1 : r->w;
    sum_out o = { a, r->y + 1, r->x, lw, r->h - 1, 0, a->scroll };
    crt_set(a->crt, CRT_TITLE);
    crt_text(a->crt, r->y, r->x, r->w, "Summary (s or Esc: back, j/k scroll): ");
    crt_set(a->crt, CRT_NORMAL);
    crt_text(a->crt, r->y, r->x + 38, r->w - 38, name);
    if (!rp) {
        sum_put(&o, CRT_ERROR, "out of memory computing the report");
        return;
    }
    sum_figures(&o, rp, &tv_doc_summary(a->doc)->config);
    sum_where(&o, tv_doc_trace(a->doc), rp);
    sum_types(&o, rp);
    if (two) o = (sum_out){ a, r->y + 1, r->x + lw + 2, r->w - lw - 2, r->h - 1, 0, a->scroll };
    else sum_put(&o, CRT_NORMAL, "%s", "");
    sum_hist(&o, rp, a->doc);
    sum_stretches(&o, rp);
    sum_costly(&o, rp, a->doc);
}

const pane_ops pane_summary = { "summary", summary_draw, NULL };
