/*
 * tv_summary.c - the rows of the summary view (see tv_summary.h), from the
 * reader's report, the top-1% threshold and the training chunks.
 */
#define _POSIX_C_SOURCE 200809L
#include "tv_summary.h"
#include "tv_why.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct tv__rows {
    tv_srow *r;
    size_t n, cap;
    int col, fail;
} tv__rows;

static tv_srow *tv__add(tv__rows *o, int kind)
{
    if (o->n == o->cap) {
        size_t c = o->cap ? o->cap * 2 : 128;
        tv_srow *nr = realloc(o->r, c * sizeof *nr);
        if (!nr) { o->fail = 1; return NULL; }
        o->r = nr;
        o->cap = c;
    }
    tv_srow *r = &o->r[o->n++];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->column = o->col;
    return r;
}

__attribute__((format(printf, 3, 4)))
static void tv__put(tv__rows *o, int kind, const char *fmt, ...)
{
    tv_srow *r = tv__add(o, kind);
    va_list ap;
    if (!r) return;
    va_start(ap, fmt);
    vsnprintf(r->text, sizeof r->text, fmt, ap);
    va_end(ap);
}

static void tv__bar(tv__rows *o, const char *label, double frac, const char *tail)
{
    tv_srow *r = tv__add(o, TV_SR_BAR);
    if (!r) return;
    snprintf(r->text, sizeof r->text, "%s", label);
    snprintf(r->tail, sizeof r->tail, "%s", tail);
    r->frac = frac > 1 ? 1 : frac < -1 ? -1 : frac;
}

static void tv__figures(tv__rows *o, const smix_trace_report *rp, const smix_config *g)
{
    double in = rp->input_bytes ? (double)rp->input_bytes : 1;
    tv__put(o, TV_SR_TITLE, "File");
    tv__put(o, TV_SR_TEXT, "  input bytes       %llu", (unsigned long long)rp->input_bytes);
    tv__put(o, TV_SR_TEXT, "  tokens            %llu (%.2f bytes/token)", (unsigned long long)rp->tokens,
            rp->tokens ? (double)rp->input_bytes / (double)rp->tokens : 0.0);
    tv__put(o, TV_SR_TEXT, "  compressed bytes  %llu (%.2f%%, %.3f bpb)", (unsigned long long)rp->compressed_bytes,
            100.0 * (double)rp->compressed_bytes / in, rp->file_bpb);
    tv__put(o, TV_SR_TEXT, "                    = header %llu + payload %llu", (unsigned long long)rp->header_bytes,
            (unsigned long long)rp->payload_bytes);
    tv__put(o, TV_SR_TEXT, "  coded bits        %.1f (%.3f bpb)", rp->total_bits, rp->bpb);
    tv__put(o, TV_SR_TEXT, "  model             level %u, n-grams to order %u", g->level, g->max_order);
    if (g->ssm_enabled)
        tv__put(o, TV_SR_TEXT, "  SSM               %u layer%s, d_model %u, d_state %u, d_inner %u", g->n_layers,
                g->n_layers == 1 ? "" : "s", g->d_model, g->d_state, g->d_inner);
    else
        tv__put(o, TV_SR_TEXT, "  SSM               off at this level (levels 4-9 have it)");
}

static void tv__steps(tv__rows *o, const smix_trace *t, const smix_trace_report *rp, double tb)
{
    char lab[64], tail[96];
    tv__put(o, TV_SR_TEXT, "  by coding step: bits (share; what the byte model changed)");
    for (uint32_t k = 0; k < rp->n_steps; k++) {
        smix_trace_part p;
        if (smix_trace_step(t, k, &p) || !rp->step[k].tokens) continue;
        snprintf(lab, sizeof lab, "    %-9s", p.name);
        if (p.mixed)
            snprintf(tail, sizeof tail, "%.0f (%.1f%%; %+.0f)", rp->step[k].bits, 100 * rp->step[k].bits / tb,
                     rp->step[k].bits - rp->step[k].tm);
        else
            snprintf(tail, sizeof tail, "%.0f (%.1f%%)", rp->step[k].bits, 100 * rp->step[k].bits / tb);
        tv__bar(o, lab, rp->step[k].bits > 0 ? rp->step[k].bits / tb : 0, tail);
    }
}

/* Per component: the bits it saved when the trace has them (largest
 * first in the reader's order), else its margin over the rival. */
static void tv__comps(tv__rows *o, const smix_trace *t, const smix_trace_report *rp)
{
    char lab[64], tail[96];
    double mx = 1;
    int sv = rp->saved_known;
    if (sv)
        tv__put(o, TV_SR_TEXT, "  bits saved (cost without it - cost), tokens where it acts:");
    else
        tv__put(o, TV_SR_TEXT, "  margin over the rival, bits (tokens where it acts):");
    for (uint32_t k = 0; k < rp->n_comp; k++) {
        double v = sv ? rp->comp[k].saved : rp->comp[k].margin;
        if (fabs(v) > mx) mx = fabs(v);
    }
    for (uint32_t k = 0; k < rp->n_comp; k++) {
        smix_trace_part p;
        if (smix_trace_component(t, k, &p) || !rp->comp[k].active) continue;
        double v = sv ? rp->comp[k].saved : rp->comp[k].margin;
        snprintf(lab, sizeof lab, "    %-9s", p.name);
        snprintf(tail, sizeof tail, "%+.0f (%llu)", v, (unsigned long long)rp->comp[k].active);
        tv__bar(o, lab, v / mx, tail);
    }
}

static void tv__where(tv__rows *o, const smix_trace *t, const smix_trace_report *rp)
{
    double tb = rp->total_bits > 0 ? rp->total_bits : 1;
    tv__put(o, TV_SR_TEXT, "%s", "");
    tv__put(o, TV_SR_TITLE, "Where the bits went");
    if (rp->ssm)
        tv__put(o, TV_SR_TEXT, "  vs the SSM alone (%llu tokens seen before): saved %.0f bits (%.1f%%)",
                (unsigned long long)rp->ssm_tokens, rp->saved_vs_ssm,
                rp->ssm_bits > 0 ? 100 * rp->saved_vs_ssm / rp->ssm_bits : 0.0);
    tv__put(o, TV_SR_TEXT, "  vs order-0 frequencies: saved %.0f bits (%.1f%%)", rp->saved_vs_prior,
            rp->prior_bits > 0 ? 100 * rp->saved_vs_prior / rp->prior_bits : 0.0);
    tv__put(o, TV_SR_TEXT, "  new tokens: %llu, %.0f bits (%.1f%%), ids %.0f of them",
            (unsigned long long)rp->new_tokens, rp->new_bits, 100 * rp->new_bits / tb, rp->new_id_bits);
    tv__steps(o, t, rp, tb);
    tv__comps(o, t, rp);
}

static void tv__types(tv__rows *o, const smix_trace_report *rp)
{
    char lab[64], tail[96], line[192] = "   ";
    size_t l = 3;
    tv__put(o, TV_SR_TEXT, "  by token type: share of bits, tokens, bits/token");
    for (int ty = 0; ty < SMIX_TTYPE_COUNT; ty++) {
        if (!rp->type[ty].count) continue;
        snprintf(lab, sizeof lab, "    %-11s", smix_trace_token_type_name(ty));
        snprintf(tail, sizeof tail, "%4.1f%%  %llu  %.2f", 100 * rp->type[ty].share,
                 (unsigned long long)rp->type[ty].count, rp->type[ty].bits / (double)rp->type[ty].count);
        tv__bar(o, lab, rp->type[ty].share, tail);
    }
    tv__put(o, TV_SR_TEXT, "  n-gram order k fired (share of tokens):");
    for (uint32_t k = 0; k < rp->n_orders && l < sizeof line - 16; k++)
        l += (size_t)snprintf(line + l, sizeof line - l, " %d:%.0f%%", rp->order[k].order, 100 * rp->order[k].share);
    tv__put(o, TV_SR_TEXT, "%s", line);
}

/* The SSM's training loss per chunk, averaged into TV_SR_CURVE_N points. */
static void tv__loss(tv__rows *o, tv_doc *d, const smix_trace_report *rp)
{
    const smix_trace *t = tv_doc_trace(d);
    uint64_t nc = smix_trace_chunk_count(t);
    tv__put(o, TV_SR_TEXT, "%s", "");
    tv__put(o, TV_SR_TITLE, "Training of the SSM");
    if (nc == 0) {
        tv__put(o, TV_SR_TEXT, "  no training chunks: the SSM is off at this level");
        return;
    }
    tv_srow *r = tv__add(o, TV_SR_CURVE);
    if (!r) return;
    int n = nc < TV_SR_CURVE_N ? (int)nc : TV_SR_CURVE_N;
    r->n = n;
    r->lo = 1e30f;
    r->hi = 0;
    for (int i = 0; i < n; i++) {
        uint64_t a = nc * (uint64_t)i / (uint64_t)n, b = nc * (uint64_t)(i + 1) / (uint64_t)n;
        double s = 0;
        uint64_t c = 0;
        for (uint64_t k = a; k < b; k++) {
            smix_chunk_info ci;
            if (smix_trace_get_chunk(t, k, &ci) == 0) { s += ci.loss; c++; }
        }
        r->v[i] = c ? (float)(s / (double)c) : 0;
        if (r->v[i] < r->lo) r->lo = r->v[i];
        if (r->v[i] > r->hi) r->hi = r->v[i];
    }
    snprintf(r->text, sizeof r->text, "  loss per chunk");
    snprintf(r->tail, sizeof r->tail, "%.2f..%.2f nats", r->lo, r->hi);
    tv__put(o, TV_SR_TEXT, "  %llu chunks; loss %.3f -> %.3f nats (first -> last chunk)", (unsigned long long)nc,
            rp->first_loss, rp->last_loss);
    tv__put(o, TV_SR_TEXT, "  How to read it: the SSM learns the file as it goes, a few");
    tv__put(o, TV_SR_TEXT, "  Adam steps on each chunk of tokens just coded. A point is");
    tv__put(o, TV_SR_TEXT, "  its mean cross-entropy on a chunk after those steps, in");
    tv__put(o, TV_SR_TEXT, "  nats (/ ln 2 = bits). Each chunk is new text, so the curve");
    tv__put(o, TV_SR_TEXT, "  follows how hard the text is as much as what the SSM has");
    tv__put(o, TV_SR_TEXT, "  learned: read it beside the bpb by stretch above.");
}

static void tv__hist(tv__rows *o, tv_doc *d, const smix_trace_report *rp)
{
    uint64_t mx = 1, n = rp->tokens ? rp->tokens : 1;
    for (int b = 0; b < SMIX_REPORT_HIST_BINS; b++)
        if (rp->hist[b].count > mx) mx = rp->hist[b].count;
    tv__put(o, TV_SR_TITLE, "Bits per token (histogram)");
    for (int b = 0; b < SMIX_REPORT_HIST_BINS; b++) {
        char lab[32], tail[48];
        if (rp->hist[b].hi > 1e300) snprintf(lab, sizeof lab, "  %6g+     ", rp->hist[b].lo);
        else snprintf(lab, sizeof lab, "  %6g-%-5g", rp->hist[b].lo, rp->hist[b].hi);
        snprintf(tail, sizeof tail, "%5.1f%% %llu", 100.0 * (double)rp->hist[b].count / (double)n,
                 (unsigned long long)rp->hist[b].count);
        tv__bar(o, lab, (double)rp->hist[b].count / (double)mx, tail);
    }
    if (!rp->whole) return;   /* the top 1% is the file's */
    const tv_stats *st = tv_doc_stats(d);
    tv__put(o, TV_SR_TEXT, "  top 1%%: %llu tokens of >= %.2f bits (w/W visit them)",
            (unsigned long long)st->top1_count, st->top1_threshold);
}

static void tv__stretches(tv__rows *o, const smix_trace_report *rp)
{
    double mx = 0.01;
    tv__put(o, TV_SR_TEXT, "%s", "");
    tv__put(o, TV_SR_TITLE, "bpb by stretch of the file");
    for (uint32_t k = 0; k < rp->n_stretches; k++)
        if (rp->stretch[k].bpb > mx) mx = rp->stretch[k].bpb;
    for (uint32_t k = 0; k < rp->n_stretches; k++) {
        char lab[32], tail[32];
        snprintf(lab, sizeof lab, "  %3.0f%%", rp->input_bytes ? 100.0 * (double)rp->stretch[k].first_byte /
                 (double)rp->input_bytes : 0.0);
        snprintf(tail, sizeof tail, "%.3f", rp->stretch[k].bpb);
        tv__bar(o, lab, rp->stretch[k].bpb / mx, tail);
    }
}

static void tv__costly(tv__rows *o, tv_doc *d, const smix_trace_report *rp, int utf8)
{
    tv__put(o, TV_SR_TEXT, "%s", "");
    tv__put(o, TV_SR_TITLE, "Costliest tokens (:N jumps there)");
    for (uint32_t i = 0; i < rp->n_costly && i < 10; i++) {
        smix_trace_token tk;
        char e[96];
        tv_doc_token(d, rp->costly[i].index, &tk);
        tv_text_label(tk.bytes, tk.length, utf8, 20, e, sizeof e);
        tv__put(o, TV_SR_TEXT, "  #%-9llu %6.2f bits%s  '%s'", (unsigned long long)rp->costly[i].index,
                rp->costly[i].bits, tk.is_new ? " NEW" : "    ", e);
    }
}

int tv_summary_rows(tv_doc *d, int utf8, tv_srow **rows, size_t *n)
{
    const smix_trace_report *rp = tv_doc_report(d);
    tv__rows o = { 0 };
    *rows = NULL;
    *n = 0;
    if (!rp) return -1;
    tv__figures(&o, rp, &tv_doc_summary(d)->config);
    tv__where(&o, tv_doc_trace(d), rp);
    tv__types(&o, rp);
    o.col = 1;
    tv__hist(&o, d, rp);
    tv__stretches(&o, rp);
    tv__loss(&o, d, rp);
    tv__costly(&o, d, rp, utf8);
    if (o.fail) { free(o.r); return -1; }
    *rows = o.r;
    *n = o.n;
    return 0;
}

/* ---- a range of tokens ---- */

static void tv__range_head(tv__rows *o, tv_doc *d, const smix_trace_report *rp, int utf8)
{
    const smix_trace_summary *sm = tv_doc_summary(d);
    uint64_t nb = rp->end_byte - rp->first_byte, last = rp->first_token + rp->tokens - 1;
    double tb = rp->total_bits > 0 ? rp->total_bits : 1;
    char text[200] = "";
    size_t tl = 0;
    smix_trace_token tk;
    for (uint64_t i = rp->first_token; i <= last && tl < 60; i++) {
        if (tv_doc_token(d, i, &tk) != 0) break;
        tl += (size_t)tv_text_label(tk.bytes, tk.length, utf8, 60 - (int)tl, text + strlen(text),
                                    sizeof text - strlen(text));
    }
    tv__put(o, TV_SR_TITLE, "Range #%llu..#%llu (from the mark to the cursor)", (unsigned long long)rp->first_token,
            (unsigned long long)last);
    tv__put(o, TV_SR_TEXT, "  text      '%s'", text);
    tv__put(o, TV_SR_TEXT, "  tokens    %llu, bytes %llu..%llu (%llu bytes)", (unsigned long long)rp->tokens,
            (unsigned long long)rp->first_byte, (unsigned long long)rp->end_byte, (unsigned long long)nb);
    tv__put(o, TV_SR_TEXT, "  bits      %.1f = %.3f bpb (the file: %.3f), %.2f bits/token", rp->total_bits,
            rp->bpb, sm->input_bytes ? sm->total_bits / (double)sm->input_bytes : 0.0,
            rp->tokens ? rp->total_bits / (double)rp->tokens : 0.0);
    tv__put(o, TV_SR_TEXT, "  share     %.1f%% of the file's bits in %.1f%% of its bytes",
            sm->total_bits > 0 ? 100 * rp->total_bits / sm->total_bits : 0.0,
            sm->input_bytes ? 100.0 * (double)nb / (double)sm->input_bytes : 0.0);
    tv__put(o, TV_SR_TEXT, "  NEW       %llu tokens = %.1f%% of the tokens, %.1f%% of the bits",
            (unsigned long long)rp->new_tokens, rp->tokens ? 100.0 * (double)rp->new_tokens / (double)rp->tokens : 0.0,
            100 * rp->new_bits / tb);
}

int tv_summary_range_rows(tv_doc *d, uint64_t a, uint64_t b, int utf8, tv_srow **rows, size_t *n)
{
    smix_trace_report *rp = malloc(sizeof *rp);
    tv__rows o = { 0 };
    *rows = NULL;
    *n = 0;
    if (a > b) { uint64_t x = a; a = b; b = x; }
    if (!rp || smix_trace_report_range(tv_doc_trace(d), a, b - a + 1, rp) != 0 || rp->tokens == 0) {
        free(rp);
        return -1;
    }
    tv__range_head(&o, d, rp, utf8);
    tv__where(&o, tv_doc_trace(d), rp);
    tv__types(&o, rp);
    o.col = 1;
    tv__hist(&o, d, rp);
    tv__costly(&o, d, rp, utf8);
    free(rp);
    if (o.fail) { free(o.r); return -1; }
    *rows = o.r;
    *n = o.n;
    return 0;
}

/* "text" as a CSV field: quoted, quotes doubled (the text is escaped
 * first, so it holds no control character). */
static void tv__csv_text(FILE *f, const smix_trace_token *tk)
{
    char e[1024];
    tv_text_label(tk->bytes, tk->length, 1, 300, e, sizeof e);
    fputc('"', f);
    for (const char *c = e; *c; c++) {
        if (*c == '"') fputc('"', f);
        fputc(*c, f);
    }
    fputc('"', f);
}

static int tv__csv_write(tv_doc *d, uint64_t a, uint64_t b, FILE *f)
{
    const smix_trace *t = tv_doc_trace(d);
    int sv = (tv_doc_summary(d)->flags & SMIX_TRACE_SAVED) != 0;
    uint32_t nc = smix_trace_component_count(t);
    fprintf(f, "index,offset,length,token_id,text,is_new,type,bits,p_final,rank_final,longest_order");
    for (uint32_t k = 0; k < nc; k++) {
        smix_trace_part p;
        if (smix_trace_component(t, k, &p) == 0) fprintf(f, ",%s_%s", sv ? "saved" : "margin", p.name);
    }
    fputc('\n', f);
    for (uint64_t i = a; i <= b; i++) {
        smix_trace_token tk;
        if (tv_doc_token(d, i, &tk) != 0) return -1;
        fprintf(f, "%llu,%llu,%u,%u,", (unsigned long long)tk.index, (unsigned long long)tk.offset, tk.length,
                tk.token_id);
        tv__csv_text(f, &tk);
        fprintf(f, ",%d,%s,%.6f,%.6g,%u,%d", tk.is_new, smix_trace_token_type_name(smix_trace_token_type(tk.bytes,
                tk.length)), tk.bits, tk.p_final, tk.rank_final, tk.longest_order);
        for (uint32_t k = 0; k < nc && k < tk.n_comp; k++)
            fprintf(f, ",%.6f", sv ? tk.saved[k] : tk.fav_id != SMIX_TOKEN_NONE ?
                    (tk.comp[k] - tk.fav_comp[k]) / 0.69314718055994530942 : 0.0);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

int tv_summary_range_csv(tv_doc *d, uint64_t a, uint64_t b, char *path, size_t pathlen, char *err, size_t errlen)
{
    char tmp[64];
    if (a > b) { uint64_t x = a; a = b; b = x; }
    snprintf(tmp, sizeof tmp, "smix-range-tmp-XXXXXX");
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0) { close(fd); unlink(tmp); }
        snprintf(err, errlen, "cannot write in the current directory: %s", strerror(errno));
        return -1;
    }
    int bad = tv__csv_write(d, a, b, f);
    bad |= fclose(f) != 0;
    if (bad) {
        unlink(tmp);
        snprintf(err, errlen, "writing the CSV failed (a damaged record or a full disk)");
        return -1;
    }
    /* link, never rename: an existing file keeps its name and contents */
    for (int k = 1; k < 100; k++) {
        if (k == 1) snprintf(path, pathlen, "smix-range-%llu-%llu.csv", (unsigned long long)a, (unsigned long long)b);
        else snprintf(path, pathlen, "smix-range-%llu-%llu-%d.csv", (unsigned long long)a, (unsigned long long)b, k);
        if (link(tmp, path) == 0) { unlink(tmp); return 0; }
        if (errno != EEXIST) break;
    }
    snprintf(err, errlen, "cannot name the CSV %s: %s", path, strerror(errno));
    unlink(tmp);
    return -1;
}
