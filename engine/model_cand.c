/*
 * model_cand.c - the contexts of a position and the candidate set.
 *
 * Contexts: the n-gram orders (ngram.h) and the skip contexts (the
 * followers of the token 2, 3 or 4 back, kept in order-1 models fed
 * d - 1 steps behind), each a list of followers with counts. Long lists are
 * thinned (below): followers seen once make many candidates for little gain.
 *
 * Candidates: the tokens that get the context-specific (sparse) features:
 * NEW (always candidate 0), the followers of every context found, the match's
 * prediction, the tokens of the last rec_window positions and, with the SSM,
 * its favourites. The set is sparse (cand_index by slot, valid when
 * cand[cand_index[slot]] == slot), so it needs no clearing between
 * positions; excl counts the candidates of each class, which the classes'
 * masses leave out (model_class.c).
 */
#include "model_internal.h"

#include <string.h>

#include "fmath.h"
#include "vec.h"

/* SSM rows within this many nats of its favourite become candidates: the
 * SSM's gain comes mostly from tokens no context or recent position offers. */
#define SSM_CAND_MARGIN 6.0f
#define SSM_CAND_MAX 32

/* A context's followers seen at least minc times or in the last `recent`
 * positions, copied into out; the list itself when every follower stays
 * (no copy), and no context at all when none does. */
static ngm_ctx keep_followers(const ngm_ctx *c, uint32_t minc, uint32_t recent, uint32_t t, ngm_item *out)
{
    ngm_ctx kept = { NULL, 0, 0 };
    if (!c->items || minc <= 1) return c->items ? *c : kept;
    for (uint32_t i = 0; i < c->n; i++) {   /* no branch: which follower stays cannot be predicted */
        out[kept.n] = c->items[i];
        kept.n += (uint32_t)(c->items[i].count >= minc) | (uint32_t)(t - c->items[i].last < recent);
    }
    if (!kept.n) return kept;
    kept.items = out;
    kept.total = c->total;
    return kept;
}

/* The skip context's followers seen only once make many candidates for
 * little gain (enwik8_1M level 2: all 234,309 bytes in 3.1 s, twice or more
 * 234,699 in 2.5 s, none 235,617 in 2.0 s), but so does dropping them all:
 * a long list keeps only followers seen twice (three times past
 * SKIP_LONG2), or seen in the last SKIP_RECENT positions. Their number grows
 * with the input: on enwik8_3M at level 3 the rule took 30.1 s to 19.0 s for
 * 0.09% more output (0.07% on enwik8_1M, 5.0 s to 3.7 s). They grow
 * further as counts rise: with skip_share (format 8, levels 3-9), from
 * token SHARE_FROM of a block on, a list of more than SHARE_LONG followers
 * in a context seen SHARE_TOTAL times keeps those with at least 1/SHARE of
 * its count (or seen in the last SKIP_RECENT positions): level 3 on a 10
 * MB text 7-11% faster for 0.17% more output. From the first token it cost
 * small binaries up to 0.9% (obj2, geo), whose frequent contexts reach
 * SHARE_TOTAL early; from SHARE_FROM their output is unchanged (session 8,
 * docs/model.md). With skip_share_wide (format 9, levels 3-9) the rule
 * applies from SHARE_TOTAL_WIDE: the skip lists of the contexts seen 1,024
 * to 4,096 times were most of what still grew with the input (level 3 on
 * a 10 MB text: 75 -> 50 followers a list late in the block, 5-6% less
 * time for 0.12% more output; docs/model.md, session 9). */
#define SKIP_LONG 128
#define SKIP_LONG2 512
#define SKIP_RECENT 2048
#define SHARE_LONG 64
#define SHARE_TOTAL 4096
#define SHARE_TOTAL_WIDE 1024
#define SHARE 64
#define SHARE_FROM (1u << 18)
static ngm_ctx filter_skip(model *m, int d, const ngm_ctx *c)
{
    uint32_t minc = c->n > SKIP_LONG2 ? 3 : c->n > SKIP_LONG ? 2 : 1;
    uint32_t share_total = m->c.cfg.skip_share_wide ? SHARE_TOTAL_WIDE : SHARE_TOTAL;
    if (m->c.cfg.skip_share && m->h.t >= SHARE_FROM && c->n > SHARE_LONG && c->total >= share_total)
        minc = (c->total + SHARE - 1) / SHARE;
    return keep_followers(c, minc, SKIP_RECENT, (uint32_t)m->h.t, m->s.skip_items[d]);
}

/* Levels 1 and 2 apply the same rule to a long order-1 list: followers seen
 * twice or in the last O1_RECENT positions (level 2: enwik8_1M 2.21 ->
 * 1.89 s for 0.17% more output, enwik8_3M 10.8 -> 8.6 s for 0.25%). A list
 * is long past O1_LONG followers, or with follow_words past half the
 * followers a context may keep (8 x follow16). */
#define O1_LONG 256
#define O1_RECENT 4096
static void filter_order1(model *m)
{
    uint32_t longer = m->c.cfg.follow_words ? 8u * m->c.cfg.follow16 : O1_LONG;
    if (m->s.ctx[0].n > longer)
        m->s.ctx[0] = keep_followers(&m->s.ctx[0], 2, O1_RECENT, (uint32_t)m->h.t, m->s.o1_items);
}

/* The lists live all over the n-gram models' memory and are first read
 * by model_cand_build, one after another: asking for every list at once
 * lets their cache misses overlap. */
static void prefetch_list(const ngm_ctx *c)
{
    const char *p = (const char *)c->items, *end = (const char *)(c->items + c->n);
    for (; p < end; p += 64) __builtin_prefetch(p);
}

int model_contexts(model *m)
{
    if (ngm_lookup(m->ng, m->h.hist, m->h.t, m->s.ctx) < 0) return -1;
    if (m->c.fast) filter_order1(m);
    ngm_ctx skip[NGM_NORDERS];
    for (int d = 0; d < NSKIP; d++) {
        m->s.ctx[CTX_SKIP + d].items = NULL;
        if (!m->skip[d] || m->h.t < (size_t)d + 2) continue;
        if (ngm_lookup(m->skip[d], m->h.hist, m->h.t - 1 - d, skip) < 0) return -1;
        m->s.ctx[CTX_SKIP + d] = filter_skip(m, d, &skip[0]);
    }
    m->s.longest = 0;
    for (int k = 0; k < NCTX; k++) {
        if (!m->s.ctx[k].items) continue;
        prefetch_list(&m->s.ctx[k]);
        if (k < NGM_NORDERS) m->s.longest = k + 1;
        m->s.conf[k] = fm_log(1.0f + (float)m->s.ctx[k].total / (float)m->s.ctx[k].n);
    }
    return 0;
}

/* Makes slot a candidate (if it is not one yet); returns its index. */
/* What a candidate needs besides cand, cand_index and recsum, for the
 * candidates from..ncand-1 (slots >= 1): its class as counted now (the
 * classes change before the next reset), that class's place in sc.used,
 * the class's count of candidates, and its PPM feature cleared. */
static void count_new(model *m, uint32_t from)
{
    const uint16_t *cls = m->h.sc.cls, *used_pos = m->h.sc.used_pos;
    for (uint32_t i = from; i < m->s.ncand; i++) {
        uint32_t k = cls[m->s.cand[i]], u = used_pos[k];
        m->s.cand_class[i] = (uint16_t)k;
        m->s.cand_used[i] = (uint16_t)u;
        m->s.excl[u]++;
        m->s.q[i] = 0.0f;
    }
}

static uint32_t add_candidate(model *m, uint32_t slot)
{
    if (model_is_cand(m, slot)) return m->s.cand_index[slot];
    uint32_t i = m->s.ncand++;
    m->s.cand_index[slot] = (uint16_t)i;
    m->s.cand[i] = slot;
    m->s.recsum[i] = 0.0f;
    if (slot) {
        count_new(m, i);
    } else {                    /* NEW counts in no class */
        m->s.cand_class[i] = 0;
        m->s.q[i] = 0.0f;
    }
    return i;
}

/* add_candidate's test and insertion without a branch on whether slot is
 * a candidate already (which cannot be predicted; as lists grow with the
 * input the mispredictions did): returns slot's index, and *n grows by one
 * if slot is new. cand[*n] is written either way: cand has cap + 1 entries
 * for this. The caller sets the rest (count_new). */
static inline uint32_t cand_insert(uint16_t *index, uint32_t *cand, uint32_t *n, uint32_t slot)
{
    uint32_t old = index[slot], in = (uint32_t)(old < *n), at = old & (0u - in);
    uint32_t fresh = (in & (uint32_t)(cand[at] == slot)) ^ 1u;
    uint32_t idx = fresh ? *n : old;
    index[slot] = (uint16_t)idx;
    cand[*n] = slot;
    *n += fresh;
    return idx;
}

/* Each of a context's followers (never slot 0) joins the candidates
 * (cand_insert), their candidate indices in ci. The new candidates'
 * classes and features are set afterwards, by count_new, in one dense
 * pass over them only. */
static void add_followers(model *m, const ngm_ctx *c, uint32_t *ci)
{
    uint32_t n = m->s.ncand;
    uint16_t *index = m->s.cand_index;
    uint32_t *cand = m->s.cand;
    const ngm_item *items = c->items;
    uint32_t len = c->n;
    for (uint32_t i = 0; i < len; i++) ci[i] = cand_insert(index, cand, &n, items[i].slot);
    m->s.ncand = n;
}

/* The tokens of the last rec_window positions join the candidates
 * (cand_insert), each with the sum of rec_w over its positions in recsum
 * (recsum[ncand] is not in use: it is cleared for a token that is not new,
 * to no effect). */
static void add_recent(model *m)
{
    uint32_t n = m->s.ncand, t = (uint32_t)m->h.t;
    uint32_t w = (uint32_t)m->c.rec_window < t ? (uint32_t)m->c.rec_window : t;
    uint16_t *index = m->s.cand_index;
    uint32_t *cand = m->s.cand;
    float *recsum = m->s.recsum;
    const uint32_t *hist = m->h.hist;
    for (uint32_t a = 1; a <= w; a++) {
        uint32_t before = n, idx = cand_insert(index, cand, &n, hist[t - a]);
        recsum[before] = 0.0f;
        recsum[idx] += m->c.rec_w[a];
    }
    m->s.ncand = n;
}

/* The SSM's favourites: its SSM_CAND_MAX best rows (ties to the lower row)
 * among those within SSM_CAND_MARGIN nats of its best. */
static void ssm_favourites(model *m)
{
    uint32_t best[SSM_CAND_MAX];
    int nb = 0;
    float zmin = vec_max(m->s.z, m->s.ssm_rows_used) - SSM_CAND_MARGIN;
    for (uint32_t r = 1; r < m->s.ssm_rows_used; r++) {
        float z = m->s.z[r];
        if (z < zmin || (nb == SSM_CAND_MAX && z <= m->s.z[best[nb - 1]])) continue;
        int i = nb < SSM_CAND_MAX ? nb++ : nb - 1;
        while (i > 0 && m->s.z[best[i - 1]] < z) { best[i] = best[i - 1]; i--; }
        best[i] = r;
    }
    for (int i = 0; i < nb; i++) add_candidate(m, best[i]);
}

/* NEW, the followers of every context found, the match, the recent tokens,
 * the SSM's favourites; each context's followers' candidate indices in
 * item_cand (from item_start[k]). */
void model_cand_build(model *m)
{
    for (uint32_t i = 1; i < m->s.ncand; i++) m->s.excl[m->s.cand_used[i]] = 0;
    m->s.ncand = 0;
    add_candidate(m, 0);
    uint32_t items = 0;
    for (int k = NCTX - 1; k >= 0; k--) {
        const ngm_ctx *c = &m->s.ctx[k];
        m->s.item_start[k] = items;
        if (!c->items) continue;
        add_followers(m, c, m->s.item_cand + items);
        items += c->n;
    }
    count_new(m, 1);
    memset(m->s.recsum + 1, 0, (m->s.ncand - 1) * sizeof *m->s.recsum);
    m->s.nctx_cand = m->s.ncand;
    if (m->h.mlen) add_candidate(m, m->h.hist[m->h.mptr]);
    uint32_t from = m->s.ncand;
    add_recent(m);
    count_new(m, from);
    if (m->net) ssm_favourites(m);
    m->s.n_other = m->h.nslots - m->s.ncand;
}
