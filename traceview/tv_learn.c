/*
 * tv_learn.c - the SSM's training chunks for the timelines (see tv_learn.h).
 */
#include "tv_learn.h"

#include <stdio.h>

void tv_learn_init(tv_learn *l, tv_doc *d)
{
    const smix_trace *t = tv_doc_trace(d);
    smix_chunk_info c;
    l->n = smix_trace_chunk_count(t);
    l->lo = l->lr_lo = 1e30f;
    l->hi = l->lr_hi = 0;
    for (uint64_t i = 0; i < l->n; i++) {
        if (smix_trace_get_chunk(t, i, &c) != 0) continue;
        if (c.loss < l->lo) l->lo = c.loss;
        if (c.loss > l->hi) l->hi = c.loss;
        if (c.lr < l->lr_lo) l->lr_lo = c.lr;
        if (c.lr > l->lr_hi) l->lr_hi = c.lr;
    }
    if (l->lo > l->hi) l->lo = l->hi = l->lr_lo = l->lr_hi = 0;
}

int tv_learn_chunk(tv_doc *d, uint64_t tok, smix_chunk_info *out)
{
    const smix_trace *t = tv_doc_trace(d);
    uint64_t lo = 0, hi = smix_trace_chunk_count(t);
    /* the last chunk whose first token is <= tok */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (smix_trace_get_chunk(t, mid, out) != 0) return -1;
        if (out->first_token <= tok) lo = mid;
        else hi = mid;
    }
    if (hi == 0 || smix_trace_get_chunk(t, lo, out) != 0) return -1;
    return out->first_token <= tok && tok < out->first_token + out->n_tokens ? 0 : -1;
}

void tv_learn_line(tv_doc *d, uint64_t tok, char *out, size_t len)
{
    smix_chunk_info c;
    if (len) out[0] = 0;
    if (tv_learn_chunk(d, tok, &c) != 0) return;
    snprintf(out, len, "chunk %llu: SSM loss %.2f nats = %.2f bits/token, lr %g, %u step%s",
             (unsigned long long)c.chunk_index, c.loss, c.loss / 0.69314718055994530942, c.lr, c.iterations,
             c.iterations == 1 ? "" : "s");
}
