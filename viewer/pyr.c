/*
 * pyr.c - min/max/sum pyramids over a per-token series.
 *
 * The timeline shows the whole file in a few hundred pixel columns, and a
 * column of a 10M-token trace covers tens of thousands of tokens. Reading
 * them all every frame would be far too slow, so at load time we summarise
 * the series in blocks of 16 tokens, then blocks of 8 of those, and so on.
 * A range query takes whole blocks from the coarsest level that fits and
 * recurses into finer levels only at the two ragged edges, reading at most 15
 * raw tokens per edge through the trace reader (which is mmapped). That keeps
 * a frame's plot at O(columns * levels * fan) work, independent of the trace
 * length, and the raw series is never held in memory.
 */
#include <stdlib.h>
#include <math.h>
#include "view.h"

static vw_agg agg_empty(void)
{
    vw_agg a = { INFINITY, -INFINITY, 0.0, 0 };
    return a;
}

static void agg_add(vw_agg *r, const vw_agg *x)
{
    if (!x->n)
        return;
    if (x->mn < r->mn) r->mn = x->mn;
    if (x->mx > r->mx) r->mx = x->mx;
    r->sum += x->sum;
    r->n += x->n;
}

static uint64_t block_size(int k)
{
    uint64_t bs = VW_PYR_BASE;
    for (int i = 0; i < k; i++)
        bs *= VW_PYR_FAN;
    return bs;
}

int vw_pyr_init(vw_pyr *p, uint64_t n, vw_raw_fn raw, const void *raw_ctx)
{
    *p = (vw_pyr){ .n = n, .raw = raw, .raw_ctx = raw_ctx };
    for (int k = 0; k < VW_PYR_MAXLEV; k++) {
        uint64_t bs = block_size(k);
        uint64_t c = (n + bs - 1) / bs;
        if (c == 0)
            break;
        p->lev[k] = malloc(c * sizeof(vw_agg));
        if (!p->lev[k]) {
            vw_pyr_free(p);
            return -1;
        }
        for (uint64_t j = 0; j < c; j++)
            p->lev[k][j] = agg_empty();
        p->cnt[k] = c;
        p->nlev = k + 1;
        if (c == 1)
            break;
    }
    return 0;
}

void vw_pyr_push(vw_pyr *p, uint64_t i, float v)
{
    if (!p->nlev || i >= p->n)
        return;
    vw_agg x = { v, v, v, 1 };
    agg_add(&p->lev[0][i / VW_PYR_BASE], &x);
}

void vw_pyr_finish(vw_pyr *p)
{
    for (int k = 1; k < p->nlev; k++)
        for (uint64_t j = 0; j < p->cnt[k - 1]; j++)
            agg_add(&p->lev[k][j / VW_PYR_FAN], &p->lev[k - 1][j]);
}

void vw_pyr_free(vw_pyr *p)
{
    if (!p)
        return;
    for (int k = 0; k < VW_PYR_MAXLEV; k++)
        free(p->lev[k]);
    *p = (vw_pyr){ 0 };
}

static void query_into(const vw_pyr *p, uint64_t a, uint64_t b, vw_agg *r)
{
    if (a >= b)
        return;
    for (int k = p->nlev - 1; k >= 0; k--) {
        uint64_t bs = block_size(k);
        uint64_t a2 = (a + bs - 1) / bs * bs;
        uint64_t b2 = (b == p->n) ? b : b / bs * bs;  /* last block may be short */
        if (a2 >= b2 || (b2 - a2 < bs && b2 != p->n))
            continue;
        uint64_t j1 = (b2 == p->n) ? p->cnt[k] : b2 / bs;
        for (uint64_t j = a2 / bs; j < j1; j++)
            agg_add(r, &p->lev[k][j]);
        query_into(p, a, a2, r);
        if (b2 < b)
            query_into(p, b2, b, r);
        return;
    }
    for (uint64_t i = a; i < b; i++) {
        float v = p->raw(p->raw_ctx, i);
        vw_agg x = { v, v, v, 1 };
        agg_add(r, &x);
    }
}

vw_agg vw_pyr_query(const vw_pyr *p, uint64_t a, uint64_t b)
{
    vw_agg r = agg_empty();
    if (b > p->n)
        b = p->n;
    query_into(p, a, b, &r);
    return r;
}
