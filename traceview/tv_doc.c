/*
 * tv_doc.c - lazy, read-only model of an open trace (see tv_doc.h).
 *
 * Opening must stay O(1) in the trace length (a 1M-token trace opens in well
 * under a second), so nothing here walks the trace up front. Running totals
 * are kept per block of TV__BLOCK tokens and extended only as far as the
 * cursor has been; the whole-file statistics are one sequential scan over the
 * mmapped records, done the first time someone needs them. The record check
 * of a long trace runs in a thread of its own, which only reads the trace
 * and publishes its verdict through one atomic.
 */
#define _POSIX_C_SOURCE 200809L
#include "tv_doc.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TV__BLOCK 1024

struct tv_doc {
    smix_trace *t;
    uint64_t n;
    smix_trace_summary sum;
    char *name;
    double *cum;          /* cum[b] = bits of tokens [0, b*TV__BLOCK) */
    uint64_t cum_done;    /* entries of cum that are valid */
    int stats_ready;
    tv_stats stats;
    smix_trace_report *report;
    const float *bits;    /* optional copy of every token's bits */
    uint64_t bad_reads;
    /* the verifier: it writes msg, then state (release); readers load
     * state (acquire) before msg */
    atomic_int vstate;
    char vmsg[256];
    pthread_t vthread;
    int vrunning;
};

tv_doc *tv_doc_create(smix_trace *t, const char *name)
{
    tv_doc *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->t = t;
    d->n = smix_trace_count(t);
    smix_trace_get_summary(t, &d->sum);
    d->name = strdup(name ? name : "");
    d->cum = calloc(d->n / TV__BLOCK + 2, sizeof *d->cum);
    if (!d->name || !d->cum) {
        free(d->name);
        free(d->cum);
        free(d);
        return NULL;
    }
    d->cum_done = 1;   /* cum[0] = 0 */
    atomic_init(&d->vstate, TV_VERIFY_PENDING);
    return d;
}

void tv_doc_free(tv_doc *d)
{
    if (!d) return;
    if (d->vrunning) {
        if (atomic_load(&d->vstate) == TV_VERIFY_PENDING) {
            /* still checking a huge trace (tens of seconds) and we are
             * quitting: let it run out with the process rather than make q
             * wait; it reads the mapping and writes into d, so both stay */
            pthread_detach(d->vthread);
            return;
        }
        pthread_join(d->vthread, NULL);
    }
    smix_trace_close(d->t);
    free(d->report);
    free(d->name);
    free(d->cum);
    free(d);
}

uint64_t tv_doc_count(const tv_doc *d) { return d->n; }
const char *tv_doc_name(const tv_doc *d) { return d->name; }
const smix_trace_summary *tv_doc_summary(const tv_doc *d) { return &d->sum; }
const smix_trace *tv_doc_trace(const tv_doc *d) { return d->t; }
int tv_doc_has_ssm(const tv_doc *d) { return (d->sum.flags & SMIX_TRACE_SSM) != 0; }
uint64_t tv_doc_bad_reads(const tv_doc *d) { return d->bad_reads; }
void tv_doc_set_bits_cache(tv_doc *d, const float *bits) { d->bits = bits; }

const char *tv_doc_basename(const tv_doc *d)
{
    const char *s = strrchr(d->name, '/');
    return s && s[1] ? s + 1 : d->name;
}

int tv_doc_token(tv_doc *d, uint64_t i, smix_trace_token *out)
{
    if (i >= d->n) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    if (smix_trace_get_token(d->t, i, out) != 0) {
        memset(out, 0, sizeof *out);
        d->bad_reads++;
        return -1;
    }
    return 0;
}

double tv_doc_bits(tv_doc *d, uint64_t i)
{
    smix_trace_token tk;
    if (d->bits && i < d->n) return d->bits[i];
    return tv_doc_token(d, i, &tk) == 0 ? tk.bits : 0.0;
}

static double tv__sum(tv_doc *d, uint64_t a, uint64_t b)
{
    double s = 0;
    for (uint64_t i = a; i < b && i < d->n; i++) s += tv_doc_bits(d, i);
    return s;
}

double tv_doc_bits_before(tv_doc *d, uint64_t i)
{
    if (i > d->n) i = d->n;
    uint64_t blk = i / TV__BLOCK;
    while (d->cum_done <= blk) {
        uint64_t b = d->cum_done;
        d->cum[b] = d->cum[b - 1] + tv__sum(d, (b - 1) * TV__BLOCK, b * TV__BLOCK);
        d->cum_done++;
    }
    return d->cum[blk] + tv__sum(d, blk * TV__BLOCK, i);
}

double tv_doc_bpb_upto(tv_doc *d, uint64_t i)
{
    smix_trace_token tk;
    if (tv_doc_token(d, i, &tk) != 0) return 0;
    uint64_t bytes = tk.offset + tk.length;
    return bytes ? tv_doc_bits_before(d, i + 1) / (double)bytes : 0;
}

/* Threshold for the top 1%: a histogram in 1/16-bit bins, scanned from the
 * top until it holds at least n/100 tokens (at least one). */
const tv_stats *tv_doc_stats(tv_doc *d)
{
    enum { NFINE = 64 * 16 };
    if (d->stats_ready) return &d->stats;
    uint32_t *fine = calloc(NFINE, sizeof *fine);
    if (!fine) return &d->stats;   /* threshold 0: every token counts */
    for (uint64_t i = 0; i < d->n; i++) fine[tv_clampi(tv_doc_bits(d, i) * 16, 0, NFINE - 1)]++;
    uint64_t want = d->n / 100 ? d->n / 100 : 1, got = 0;
    int bin = NFINE - 1;
    for (; bin > 0; bin--) {
        got += fine[bin];
        if (got >= want) break;
    }
    if (bin == 0) got += fine[0];
    d->stats.top1_threshold = bin / 16.0;
    d->stats.top1_count = got;
    free(fine);
    d->stats_ready = 1;
    return &d->stats;
}

const smix_trace_report *tv_doc_report(tv_doc *d)
{
    if (d->report) return d->report;
    smix_trace_report *r = calloc(1, sizeof *r);
    if (r && smix_trace_report_compute(d->t, r) != 0) {
        free(r);
        r = NULL;
    }
    return d->report = r;
}

const uint8_t *tv_doc_vocab(const tv_doc *d, uint32_t id, uint32_t *len)
{
    const uint8_t *p = smix_trace_vocab_token(d->t, id, len);
    if (!p) { *len = 1; return (const uint8_t *)"?"; }
    return p;
}

int tv_doc_bytes(void *ctx, uint64_t tok, const uint8_t **b, uint32_t *n)
{
    smix_trace_token tk;
    if (tv_doc_token(ctx, tok, &tk) != 0) return -1;
    *b = tk.bytes;   /* points into the mapping: valid until the trace closes */
    *n = tk.length;
    return 0;
}

/* ---- search ---- */

/* Reads the original text byte by byte across token boundaries. */
typedef struct tv__cur {
    tv_doc *d;
    uint64_t t;
    uint32_t k;
    smix_trace_token tk;
} tv__cur;

static int tv__cur_next(tv__cur *c)
{
    while (c->k >= c->tk.length) {
        if (tv_doc_token(c->d, ++c->t, &c->tk) != 0) return -1;
        c->k = 0;
    }
    return c->tk.bytes[c->k++];
}

static int tv__fold(int c, int icase)
{
    return icase && c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int tv__match_at(tv_doc *d, const smix_trace_token *tk, uint32_t k, const char *pat,
                        size_t plen, int icase)
{
    tv__cur c = { d, tk->index, k, *tk };
    for (size_t i = 0; i < plen; i++) {
        int b = tv__cur_next(&c);
        if (b < 0 || tv__fold(b, icase) != tv__fold((uint8_t)pat[i], icase)) return 0;
    }
    return 1;
}

static int tv__token_has_match(tv_doc *d, uint64_t t, const char *pat, size_t plen, int icase)
{
    smix_trace_token tk;
    if (tv_doc_token(d, t, &tk) != 0) return 0;
    int p0 = tv__fold((uint8_t)pat[0], icase);
    for (uint32_t k = 0; k < tk.length; k++)
        if (tv__fold(tk.bytes[k], icase) == p0 && tv__match_at(d, &tk, k, pat, plen, icase))
            return 1;
    return 0;
}

int64_t tv_doc_search(tv_doc *d, uint64_t from, const char *pat, int dir, int *wrapped)
{
    size_t plen = strlen(pat);
    int icase = 1;
    *wrapped = 0;
    if (plen == 0 || d->n == 0) return -1;
    for (size_t i = 0; i < plen; i++)
        if (pat[i] >= 'A' && pat[i] <= 'Z') icase = 0;
    uint64_t t = from < d->n ? from : d->n - 1;
    for (uint64_t step = 0; step < d->n; step++) {
        if (dir > 0) {
            if (++t >= d->n) { t = 0; *wrapped = 1; }
        } else {
            if (t == 0) { t = d->n; *wrapped = 1; }
            t--;
        }
        if (tv__token_has_match(d, t, pat, plen, icase)) return (int64_t)t;
    }
    return -1;
}

int64_t tv_doc_next_costly(tv_doc *d, uint64_t from, int dir)
{
    const tv_stats *s = tv_doc_stats(d);
    uint64_t t = from;
    for (uint64_t step = 0; step < d->n; step++) {
        if (dir > 0) t = t + 1 >= d->n ? 0 : t + 1;
        else t = t == 0 ? d->n - 1 : t - 1;
        if (tv_doc_bits(d, t) >= s->top1_threshold) return (int64_t)t;
    }
    return -1;
}

int tv_doc_parse_jump(tv_doc *d, const char *s, uint64_t *tok)
{
    char *end;
    while (isspace((unsigned char)*s)) s++;
    int byte = *s == '@';
    if (byte) s++;
    if (!isdigit((unsigned char)*s)) return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) return -1;
    if (*end == 'b' || *end == 'B') { byte = 1; end++; }
    int pct = !byte && *end == '%';
    if (pct) end++;
    while (isspace((unsigned char)*end)) end++;
    if (*end) return -1;
    uint64_t n = d->n;
    if (pct) *tok = n ? (uint64_t)((double)(v > 100 ? 100 : v) / 100.0 * (double)(n - 1)) : 0;
    else if (byte) *tok = smix_trace_token_at_offset(d->t, v);
    else *tok = v;
    if (n && *tok >= n) *tok = n - 1;
    if (!n) *tok = 0;
    return 0;
}

/* ---- verification ---- */

static void *tv__verifier(void *arg)
{
    tv_doc *d = arg;
    int bad = smix_trace_verify(d->t, d->vmsg, sizeof d->vmsg) != 0;
    atomic_store_explicit(&d->vstate, bad ? TV_VERIFY_DAMAGED : TV_VERIFY_OK, memory_order_release);
    return NULL;
}

int tv_doc_verify(tv_doc *d, uint64_t sync_max, char *err, size_t errlen)
{
    if (atomic_load(&d->vstate) != TV_VERIFY_PENDING || d->vrunning) return 0;
    if (d->n <= sync_max) {
        if (smix_trace_verify(d->t, err, errlen) != 0) {
            snprintf(d->vmsg, sizeof d->vmsg, "%s", err);
            atomic_store(&d->vstate, TV_VERIFY_DAMAGED);
            return -1;
        }
        atomic_store(&d->vstate, TV_VERIFY_OK);
        return 0;
    }
    int e = pthread_create(&d->vthread, NULL, tv__verifier, d);
    if (e != 0) {
        snprintf(err, errlen, "cannot start the trace check: %s", strerror(e));
        return -1;
    }
    d->vrunning = 1;
    return 0;
}

uint64_t tv_doc_verify_max(uint64_t dflt)
{
    const char *e = getenv("SMIX_VIEW_VERIFY_MAX");
    char *end;
    if (!e || !*e) return dflt;
    unsigned long long v = strtoull(e, &end, 10);
    return *end ? dflt : (uint64_t)v;
}

int tv_doc_verify_state(const tv_doc *d)
{
    return atomic_load_explicit(&((tv_doc *)d)->vstate, memory_order_acquire);
}

const char *tv_doc_verify_msg(const tv_doc *d)
{
    return tv_doc_verify_state(d) == TV_VERIFY_DAMAGED ? d->vmsg : "";
}

const char *tv_doc_notice(const tv_doc *d, char *buf, size_t len)
{
    int s = tv_doc_verify_state(d);
    if (s == TV_VERIFY_DAMAGED)
        snprintf(buf, len, "DAMAGED TRACE, figures may be wrong: %s", d->vmsg);
    else if (d->bad_reads)
        snprintf(buf, len, "DAMAGED TRACE: %llu unreadable record%s shown as empty",
                 (unsigned long long)d->bad_reads, d->bad_reads == 1 ? "" : "s");
    else if (s == TV_VERIFY_PENDING && d->vrunning)
        snprintf(buf, len, "checking the trace in the background...");
    else if (len) buf[0] = 0;
    return buf;
}
