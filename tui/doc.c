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

#include <ctype.h>
#include <math.h>
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

static const char *const doc__types[DOC_TYPES] = {
    "words", "numbers", "markup", "whitespace", "punctuation", "other"
};

const char *doc_type_name(int type)
{
    return type >= 0 && type < DOC_TYPES ? doc__types[type] : "?";
}

int doc_token_type(const uint8_t *s, uint32_t n)
{
    int alpha = 0, digit = 0, space = 0, markup = 0, ctrl = 0, punct = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c >= 0x80 || isalpha(c)) alpha++;
        else if (isdigit(c)) digit++;
        else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') space++;
        else if (strchr("<>[]{}=|&;#/\\", c)) markup++;
        else if (c < 0x20 || c == 0x7F) ctrl++;
        else punct++;
    }
    if (ctrl) return 5;
    if (markup) return 2;
    if (alpha) return 0;
    if (digit) return 1;
    if (punct) return 4;
    return space ? 3 : 5;
}

static void doc__keep_top(doc_stats *s, uint64_t i, double bits)
{
    int k;
    if (s->top_n < DOC_TOPN) k = s->top_n++;
    else if (bits > s->top_bits[DOC_TOPN - 1]) k = DOC_TOPN - 1;
    else return;
    while (k > 0 && s->top_bits[k - 1] < bits) {
        s->top_bits[k] = s->top_bits[k - 1];
        s->top_index[k] = s->top_index[k - 1];
        k--;
    }
    s->top_bits[k] = bits;
    s->top_index[k] = i;
}

/* Threshold for the top 1%: scan a fine histogram from the top until it
 * holds at least n/100 tokens (at least one). */
static void doc__threshold(doc *d, const uint32_t *fine, int nfine, double step)
{
    uint64_t want = d->n / 100 ? d->n / 100 : 1, got = 0;
    int b = nfine - 1;
    for (; b > 0; b--) {
        got += fine[b];
        if (got >= want) break;
    }
    if (b == 0) got += fine[0];
    d->stats.top1_threshold = b * step;
    d->stats.top1_count = got;
}

static void doc__scan_token(doc_stats *s, const smix_trace_token *tk, uint32_t *fine,
                            int nfine, double step)
{
    int bin = (int)tk->bits;
    s->hist[bin < DOC_HIST_BINS ? (bin < 0 ? 0 : bin) : DOC_HIST_BINS - 1]++;
    int fb = (int)(tk->bits / step);
    fine[fb < nfine ? (fb < 0 ? 0 : fb) : nfine - 1]++;
    if (tk->longest_order >= 0 && tk->longest_order <= 32) s->order_fired[tk->longest_order]++;
    if (tk->is_new) s->new_tokens++;
    if (tk->p_ssm > 0) {
        s->bits_ssm_alone += -log2(tk->p_ssm);
        s->bits_where_ssm += tk->bits;
        s->ssm_tokens++;
    }
    int ty = doc_token_type(tk->bytes, tk->length);
    s->type_bits[ty] += tk->bits;
    s->type_count[ty]++;
    if (tk->bits > s->max_bits) s->max_bits = tk->bits;
    doc__keep_top(s, tk->index, tk->bits);
}

const doc_stats *doc_get_stats(doc *d)
{
    enum { NFINE = 64 * 16 };
    const double step = 1.0 / 16;
    if (d->stats_ready) return &d->stats;
    uint32_t *fine = calloc(NFINE, sizeof *fine);
    if (!fine) return &d->stats;   /* zeroed stats: views show nothing */
    memset(&d->stats, 0, sizeof d->stats);
    smix_trace_token tk;
    for (uint64_t i = 0; i < d->n; i++)
        if (doc_token(d, i, &tk) == 0) doc__scan_token(&d->stats, &tk, fine, NFINE, step);
    doc__threshold(d, fine, NFINE, step);
    free(fine);
    d->stats_ready = 1;
    return &d->stats;
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
