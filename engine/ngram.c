/*
 * ngram.c - sparse n-gram context models (see ngram.h for the design).
 *
 * Hash entries hold the context's 64-bit key, the history position where it
 * was created (to verify it) and its follower list. Lists live in one
 * growable pool of ngm_item, in blocks of 2^cls items; a block that outgrows
 * its class is moved to a bigger one and the old block goes on a free list.
 */
#include "ngram.h"

#include <stdlib.h>
#include <string.h>

#include "bigmem.h"

const uint8_t ngm_orders[NGM_NORDERS] = { 1, 2, 3, 4 };

/* Two sizes that decide when the table grows and when a budget freezes it,
 * kept at their values from when there were ten orders: a file made with a
 * budget (--memlimit) must stop learning at the same token in every
 * version. */
#define NGM_GROW_ROOM 10      /* insertions the table keeps room for */
#define NGM_HEAD_BYTES 320    /* the struct, as the budget counts it */

#define NGM_MAX_CLASS 17          /* up to 131072 followers (more than any vocab) */
#define NGM_COUNT_LIMIT 4000    /* halve a context's counts beyond this */

typedef struct ngm_entry {   /* 24 bytes: the table is most of the model's memory */
    uint64_t key;          /* 0 = empty */
    uint32_t pos;          /* history index just after an occurrence */
    uint32_t block;        /* offset of the follower list in the pool */
    uint32_t total;
    uint16_t n;            /* followers (distinct slots, so below 65536) */
    uint8_t cls;           /* block holds 2^cls items */
    uint8_t order;
} ngm_entry;
_Static_assert(sizeof(ngm_entry) == 24, "ngm_entry is meant to be 24 bytes");

struct ngm {
    int max_order;
    ngm_entry *table;
    size_t mask, used;
    ngm_item *pool;
    size_t pool_len, pool_cap;
    uint32_t free_head[NGM_MAX_CLASS + 1];  /* UINT32_MAX = empty; next link in item[0] */
    /* cache from the last lookup */
    size_t slot_of[NGM_NORDERS];            /* table index or SIZE_MAX */
    uint64_t key_of[NGM_NORDERS];
    uint8_t found_at[NGM_NORDERS];          /* context existed at lookup time */
    int usable;                             /* orders whose context exists in history */
    uint64_t budget;                        /* bytes the table and pool may use */
    int frozen;                             /* budget reached: no new contexts or followers */
    uint32_t max_followers;                 /* per context; 0 = no limit */
};

ngm *ngm_create(int max_order, uint64_t budget, uint32_t max_followers)
{
    ngm *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->max_order = max_order;
    m->max_followers = max_followers;
    m->budget = budget ? budget : UINT64_MAX;
    m->mask = (1u << 12) - 1;
    m->table = calloc(m->mask + 1, sizeof *m->table);
    if (!m->table) { free(m); return NULL; }
    for (int i = 0; i <= NGM_MAX_CLASS; i++) m->free_head[i] = UINT32_MAX;
    return m;
}

void ngm_free(ngm *m)
{
    if (!m) return;
    free(m->table);
    free(m->pool);
    free(m);
}

size_t ngm_memory(const ngm *m)
{
    return NGM_HEAD_BYTES + (m->mask + 1) * sizeof *m->table + m->pool_cap * sizeof *m->pool;
}

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return h;
}

static int grow_table(ngm *m)
{
    size_t ncap = (m->mask + 1) * 2;
    ngm_entry *nt = calloc(ncap, sizeof *nt);
    if (!nt) return -1;
    bigmem_advise(nt, ncap * sizeof *nt);
    for (size_t i = 0; i <= m->mask; i++) {
        if (!m->table[i].key) continue;
        size_t j = m->table[i].key & (ncap - 1);
        while (nt[j].key) j = (j + 1) & (ncap - 1);
        nt[j] = m->table[i];
    }
    free(m->table);
    m->table = nt;
    m->mask = ncap - 1;
    return 0;
}

static int ctx_matches(const uint32_t *hist, size_t a, size_t b, int k)
{
    for (int i = 1; i <= k; i++)
        if (hist[a - i] != hist[b - i]) return 0;
    return 1;
}

int ngm_lookup(ngm *m, const uint32_t *hist, size_t t, ngm_ctx out[NGM_NORDERS])
{
    /* grown at three quarters full (half full: 27% more memory on 3 MB, no
     * faster); room for one insertion per order before the update, so
     * cached indices stay valid */
    if (!m->frozen && (m->used + NGM_GROW_ROOM) * 4 > (m->mask + 1) * 3) {
        /* the decision depends only on sizes both coder sides share */
        if (ngm_memory(m) + (m->mask + 1) * 2 * sizeof *m->table > m->budget) m->frozen = 1;
        else if (grow_table(m) < 0) return -1;
    }
    uint64_t h = 0x9E3779B97F4A7C15ull;
    int found = 0, k = 0;
    m->usable = 0;
    for (int i = 0; i < NGM_NORDERS; i++) {
        int order = ngm_orders[i];
        out[i].items = NULL;
        out[i].n = out[i].total = 0;
        m->slot_of[i] = SIZE_MAX;
        if (order > m->max_order || (size_t)order > t) continue;
        for (; k < order; k++) h = mix64(h + hist[t - 1 - k] + 1);
        uint64_t key = mix64(h ^ (uint64_t)order) | 1;  /* never 0 */
        m->key_of[i] = key;
        m->usable = i + 1;
        size_t j = key & m->mask;
        while (m->table[j].key && !(m->table[j].key == key && m->table[j].order == order &&
                                    ctx_matches(hist, m->table[j].pos, t, order)))
            j = (j + 1) & m->mask;
        m->slot_of[i] = j;
        m->found_at[i] = m->table[j].key != 0;
        if (m->table[j].key) {
            ngm_entry *e = &m->table[j];
            out[i].items = m->pool + e->block;
            out[i].n = e->n;
            out[i].total = e->total;
            found++;
        }
    }
    return found;
}

static uint32_t block_alloc(ngm *m, int cls)
{
    if (m->free_head[cls] != UINT32_MAX) {
        uint32_t b = m->free_head[cls];
        memcpy(&m->free_head[cls], &m->pool[b], sizeof(uint32_t));
        return b;
    }
    size_t need = (size_t)1 << cls;
    if (m->pool_len + need > m->pool_cap) {
        size_t ncap = m->pool_cap ? m->pool_cap : 1 << 14;
        while (ncap < m->pool_len + need) ncap *= 2;
        if (ncap > UINT32_MAX || ngm_memory(m) + (ncap - m->pool_cap) * sizeof(ngm_item) > m->budget) {
            m->frozen = 1;
            return UINT32_MAX - 1;
        }
        /* no huge-page advice for the pool: it would make this a copy (bigmem.h) */
        ngm_item *np = realloc(m->pool, ncap * sizeof *np);
        if (!np) return UINT32_MAX;
        m->pool = np;
        m->pool_cap = ncap;
    }
    uint32_t b = (uint32_t)m->pool_len;
    m->pool_len += need;
    return b;
}

static void block_release(ngm *m, uint32_t b, int cls)
{
    memcpy(&m->pool[b], &m->free_head[cls], sizeof(uint32_t));
    m->free_head[cls] = b;
}

static void halve_counts(ngm *m, ngm_entry *e)
{
    ngm_item *it = m->pool + e->block;
    uint32_t w = 0, total = 0;
    for (uint32_t i = 0; i < e->n; i++) {
        uint16_t c = it[i].count >> 1;
        if (!c) continue;
        it[w].slot = it[i].slot;
        it[w].count = c;
        it[w].last = it[i].last;
        total += c;
        w++;
    }
    e->n = w;
    e->total = total;
}

/* The follower of a full list that a new one replaces: the lowest count
 * discounted by age, count / (1 + age / NGM_AGE_UNIT), compared exactly as
 * c_a (U + age_b) < c_b (U + age_a); the first such on a tie. */
static uint32_t evictee(const ngm_item *it, uint32_t n, uint32_t now)
{
    uint32_t v = 0;
    uint64_t vc = it[0].count, va = (uint64_t)NGM_AGE_UNIT + (now - it[0].last);
    for (uint32_t i = 1; i < n; i++) {
        uint64_t c = it[i].count, a = (uint64_t)NGM_AGE_UNIT + (now - it[i].last);
        if (c * va < vc * a) {
            v = i;
            vc = c;
            va = a;
        }
    }
    return v;
}

/* slot's place in e's list, or e->n; at first if it is there (a list
 * holds a slot at most once) */
static uint32_t find_follower(const ngm_item *it, uint32_t n, uint32_t slot, int32_t at)
{
    if (at >= 0 && (uint32_t)at < n && it[at].slot == slot) return (uint32_t)at;
    uint32_t i = 0;
    while (i < n && it[i].slot != slot) i++;
    return i;
}

/* Adds one to slot's count in e; *was_there tells whether it was listed;
 * at: where it may be (find_follower). */
static int add_follower(ngm *m, ngm_entry *e, uint32_t slot, uint32_t now, int *was_there, uint32_t cap, int32_t at)
{
    ngm_item *it = m->pool + e->block;
    uint32_t i = find_follower(it, e->n, slot, at);
    *was_there = i < e->n;
    if (*was_there) {
        it[i].count++;
        it[i].last = now;
        e->total++;
        if (it[i].count >= NGM_COUNT_LIMIT) halve_counts(m, e);
        return 0;
    }
    if (cap && e->n >= cap) {
        uint32_t v = evictee(it, e->n, now);
        e->total = e->total - it[v].count + 1;
        it[v].slot = (uint16_t)slot;
        it[v].count = 1;
        it[v].last = now;
        return 0;
    }
    if (e->n == (1u << e->cls)) {
        if (e->cls >= NGM_MAX_CLASS) return 0;   /* full: the new follower is dropped */
        if (m->frozen) return 0;
        uint32_t nb = block_alloc(m, e->cls + 1);
        if (nb == UINT32_MAX - 1) return 0;      /* over budget: follower dropped */
        if (nb == UINT32_MAX) return -1;
        memcpy(m->pool + nb, m->pool + e->block, e->n * sizeof(ngm_item));
        block_release(m, e->block, e->cls);
        e->block = nb;
        e->cls++;
    }
    it = m->pool + e->block;
    it[e->n].slot = (uint16_t)slot;
    it[e->n].count = 1;
    it[e->n].last = now;
    e->n++;
    e->total++;
    return 0;
}

/* Counts slot in the contexts that existed, longest first, with update
 * exclusion: once a longer context already listed slot, shorter ones are
 * left alone (as PPM does), so they keep describing what is new there. */
static int count_existing(ngm *m, size_t t, uint32_t slot, uint32_t cap, const int32_t *at)
{
    int seen_above = 0;
    for (int i = m->usable - 1; i >= 0 && !seen_above; i--) {
        size_t j = m->slot_of[i];
        if (j == SIZE_MAX || !m->found_at[i]) continue;
        if (add_follower(m, &m->table[j], slot, (uint32_t)t + 1, &seen_above, cap, at ? at[i] : -1) < 0) return -1;
    }
    return 0;
}

/* Creates the contexts that did not exist, each only if the next shorter
 * one existed before this position. */
static int create_missing(ngm *m, size_t t, uint32_t slot)
{
    int prev_existed = 1;   /* order 1 is always created */
    for (int i = 0; i < m->usable; i++) {
        size_t j = m->slot_of[i];
        if (j == SIZE_MAX) break;
        int existed = m->found_at[i];
        if (!existed && prev_existed && !m->frozen) {
            /* another order may have taken this empty slot during this update */
            while (m->table[j].key) j = (j + 1) & m->mask;
            uint32_t b = block_alloc(m, 1);
            if (b == UINT32_MAX - 1) break;           /* over budget */
            if (b == UINT32_MAX) return -1;
            ngm_entry *e = &m->table[j];
            e->key = m->key_of[i];
            e->order = ngm_orders[i];
            e->pos = (uint32_t)t;
            e->block = b;
            e->cls = 1;
            e->n = 1;
            e->total = 1;
            m->pool[b].slot = (uint16_t)slot;
            m->pool[b].count = 1;
            m->pool[b].last = (uint32_t)t + 1;
            m->used++;
        }
        prev_existed = existed;
    }
    return 0;
}

int ngm_update_at(ngm *m, size_t t, uint32_t slot, uint32_t cap, const int32_t at[NGM_NORDERS])
{
    if (!cap || (m->max_followers && cap > m->max_followers)) cap = m->max_followers;
    if (count_existing(m, t, slot, cap, at) < 0) return -1;
    return create_missing(m, t, slot);
}

int ngm_update(ngm *m, size_t t, uint32_t slot, uint32_t cap) { return ngm_update_at(m, t, slot, cap, NULL); }
