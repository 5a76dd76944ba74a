/*
 * doc.c - lazy, read-only model of an open trace (see doc.h).
 *
 * Opening must stay O(1) in the trace length (a 1M-token trace opens in well
 * under a second), so nothing here walks the trace up front. Running totals
 * are kept per block of DOC__BLOCK tokens and extended only as far as the
 * cursor has been; the whole-file statistics are one sequential scan over the
 * mmapped records, done the first time someone needs them.
 */
#include "doc.h"

#include <stdlib.h>
#include <string.h>

#define DOC__BLOCK 1024

struct doc {
    smix_trace *t;
    uint64_t n;
    smix_trace_summary sum;
    char *name;
    double *cum;          /* cum[b] = bits of tokens [0, b*DOC__BLOCK) */
    uint64_t cum_done;    /* entries of cum that are valid */
    uint64_t nblocks;
    int stats_ready;
    doc_stats stats;
    smix_trace_report *report;
};

static const double doc__floors[DOC_LEVELS] = { 0, 0.5, 1, 2, 4, 6, 9, 13 };

doc *doc_create(smix_trace *t, const char *name)
{
    doc *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->t = t;
    d->n = smix_trace_count(t);
    smix_trace_get_summary(t, &d->sum);
    d->name = strdup(name ? name : "");
    d->nblocks = d->n / DOC__BLOCK + 1;
    d->cum = calloc(d->nblocks + 1, sizeof *d->cum);
    if (!d->name || !d->cum) {
        free(d->name);
        free(d->cum);
        free(d);
        return NULL;
    }
    d->cum_done = 1;   /* cum[0] = 0 */
    return d;
}

void doc_free(doc *d)
{
    if (!d) return;
    smix_trace_close(d->t);
    free(d->report);
    free(d->name);
    free(d->cum);
    free(d);
}

uint64_t doc_count(const doc *d) { return d->n; }
const char *doc_name(const doc *d) { return d->name; }
const smix_trace_summary *doc_summary(const doc *d) { return &d->sum; }
const smix_trace *doc_trace(const doc *d) { return d->t; }

int doc_token(const doc *d, uint64_t i, smix_trace_token *out)
{
    if (i >= d->n || smix_trace_get_token(d->t, i, out) != 0) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    return 0;
}

double doc_bits(const doc *d, uint64_t i)
{
    smix_trace_token tk;
    return doc_token(d, i, &tk) == 0 ? tk.bits : 0.0;
}

static double doc__sum(const doc *d, uint64_t a, uint64_t b)
{
    double s = 0;
    for (uint64_t i = a; i < b && i < d->n; i++) s += doc_bits(d, i);
    return s;
}

double doc_bits_before(doc *d, uint64_t i)
{
    if (i > d->n) i = d->n;
    uint64_t blk = i / DOC__BLOCK;
    while (d->cum_done <= blk) {
        uint64_t b = d->cum_done;
        d->cum[b] = d->cum[b - 1] + doc__sum(d, (b - 1) * DOC__BLOCK, b * DOC__BLOCK);
        d->cum_done++;
    }
    return d->cum[blk] + doc__sum(d, blk * DOC__BLOCK, i);
}

int doc_level(double bits)
{
    int l = 0;
    while (l + 1 < DOC_LEVELS && bits >= doc__floors[l + 1]) l++;
    return l;
}

double doc_level_floor(int level)
{
    if (level < 0) level = 0;
    if (level >= DOC_LEVELS) level = DOC_LEVELS - 1;
    return doc__floors[level];
}

/* Threshold for the top 1%: a histogram in 1/16-bit bins, scanned from the
 * top until it holds at least n/100 tokens (at least one). */
const doc_stats *doc_get_stats(doc *d)
{
    enum { NFINE = 64 * 16 };
    if (d->stats_ready) return &d->stats;
    uint32_t *fine = calloc(NFINE, sizeof *fine);
    if (!fine) return &d->stats;   /* threshold 0: every token counts */
    for (uint64_t i = 0; i < d->n; i++) {
        fine[doc_clampi(doc_bits(d, i) * 16, 0, NFINE - 1)]++;
    }
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

const smix_trace_report *doc_report(doc *d)
{
    if (d->report) return d->report;
    smix_trace_report *r = calloc(1, sizeof *r);
    if (r && smix_trace_report_compute(d->t, r) != 0) {
        free(r);
        r = NULL;
    }
    return d->report = r;
}

const uint8_t *doc_vocab(const doc *d, uint32_t id, uint32_t *len)
{
    const uint8_t *p;
    if (id == SMIX_TOKEN_NEW) { *len = 5; return (const uint8_t *)"<new>"; }
    p = smix_trace_vocab_token(d->t, id, len);
    if (!p) { *len = 1; return (const uint8_t *)"?"; }
    return p;
}

/* ---- search ---- */

/* Reads the original text byte by byte across token boundaries. */
typedef struct doc__cur {
    const doc *d;
    uint64_t t;
    uint32_t k;
    smix_trace_token tk;
} doc__cur;

static int doc__cur_next(doc__cur *c)
{
    while (c->k >= c->tk.length) {
        if (doc_token(c->d, ++c->t, &c->tk) != 0) return -1;
        c->k = 0;
    }
    return c->tk.bytes[c->k++];
}

static int doc__fold(int c, int icase)
{
    return icase && c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int doc__match_at(const doc *d, const smix_trace_token *tk, uint32_t k,
                         const char *pat, size_t plen, int icase)
{
    doc__cur c = { d, tk->index, k, *tk };
    for (size_t i = 0; i < plen; i++) {
        int b = doc__cur_next(&c);
        if (b < 0 || doc__fold(b, icase) != doc__fold((uint8_t)pat[i], icase)) return 0;
    }
    return 1;
}

static int doc__token_has_match(const doc *d, uint64_t t, const char *pat, size_t plen,
                                int icase)
{
    smix_trace_token tk;
    if (doc_token(d, t, &tk) != 0) return 0;
    int p0 = doc__fold((uint8_t)pat[0], icase);
    for (uint32_t k = 0; k < tk.length; k++)
        if (doc__fold(tk.bytes[k], icase) == p0 && doc__match_at(d, &tk, k, pat, plen, icase))
            return 1;
    return 0;
}

int64_t doc_search(const doc *d, uint64_t from, const char *pat, int dir, int *wrapped)
{
    size_t plen = strlen(pat);
    int icase = 1;
    *wrapped = 0;
    if (plen == 0 || d->n == 0) return -1;
    for (size_t i = 0; i < plen; i++)
        if (pat[i] >= 'A' && pat[i] <= 'Z') icase = 0;
    uint64_t t = from;
    for (uint64_t step = 0; step < d->n; step++) {
        if (dir > 0) {
            if (++t >= d->n) { t = 0; *wrapped = 1; }
        } else {
            if (t == 0) { t = d->n; *wrapped = 1; }
            t--;
        }
        if (doc__token_has_match(d, t, pat, plen, icase)) return (int64_t)t;
    }
    return -1;
}

int64_t doc_next_costly(doc *d, uint64_t from, int dir)
{
    const doc_stats *s = doc_get_stats(d);
    uint64_t t = from;
    for (uint64_t step = 0; step < d->n; step++) {
        if (dir > 0) t = t + 1 >= d->n ? 0 : t + 1;
        else t = t == 0 ? d->n - 1 : t - 1;
        if (doc_bits(d, t) >= s->top1_threshold) return (int64_t)t;
    }
    return -1;
}
