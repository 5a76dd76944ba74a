/*
 * slotclass.c - classes of seen tokens by (count, age) buckets; see slotclass.h.
 */
#include "slotclass.h"

#include <stdlib.h>

static int log2_floor(uint32_t v) { return 31 - __builtin_clz(v); }

/* Half-octave bucket of v >= 2^lo_log2: 2 buckets per power of two. */
static int half_octave(uint32_t v, int exact, int lo_log2)
{
    int k = log2_floor(v);
    int half = (int)((v >> (k - 1)) & 1u);
    return exact + 2 * (k - lo_log2) + half;
}

/* Counts: 1..7 exact, then octaves (half-octaves measured no better). */
int sc_count_bucket(uint32_t count)
{
    if (count < 8) return count ? (int)count - 1 : 0;
    int b = 7 + log2_floor(count) - 3;
    return b < SC_COUNT_BUCKETS ? b : SC_COUNT_BUCKETS - 1;
}

/* Ages: 0..3 exact, then half-octaves (octaves cost 0.01%). */
int sc_age_bucket(uint32_t age)
{
    if (age < 4) return (int)age;
    int b = half_octave(age, 4, 2);
    return b < SC_AGE_BUCKETS ? b : SC_AGE_BUCKETS - 1;
}

/* Midpoint of a half-octave bucket: [lo, hi) with lo = (2 + half) 2^(k-1). */
static float half_octave_rep(int offset, int lo_log2)
{
    int k = offset / 2 + lo_log2, half = offset % 2;
    float lo = (float)((2 + half) << (k - 1)), hi = (float)((3 + half) << (k - 1));
    return 0.5f * (lo + hi - 1.0f);
}

float sc_count_rep(int b)
{
    return b < 7 ? (float)(b + 1) : 1.5f * (float)(1u << (b - 7 + 3)) - 0.5f;   /* octave midpoint */
}

float sc_age_rep(int b)
{
    return b < 4 ? (float)b : half_octave_rep(b - 4, 2);
}

int sc_age_boundaries(uint32_t *out, int max)
{
    int n = 0;
    for (int b = 1; b < SC_AGE_BUCKETS && n < max; b++) {
        if (b < 4) { out[n++] = (uint32_t)b; continue; }
        int k = (b - 4) / 2 + 2, half = (b - 4) % 2;
        out[n++] = (uint32_t)(2 + half) << (k - 1);
    }
    return n;
}

int sc_init(slotclass *c, uint32_t cap)
{
    for (uint32_t k = 0; k < SC_NCLASS; k++) c->size[k] = c->head[k] = 0;
    c->nused = 0;
    c->next = calloc(cap, sizeof *c->next);
    c->prev = calloc(cap, sizeof *c->prev);
    c->cls = calloc(cap, sizeof *c->cls);
    if (c->next && c->prev && c->cls) return 0;
    sc_free(c);
    return -1;
}

void sc_free(slotclass *c)
{
    free(c->next); free(c->prev); free(c->cls);
    c->next = c->prev = NULL;
    c->cls = NULL;
}

void sc_insert(slotclass *c, uint32_t slot, uint32_t k)
{
    uint32_t h = c->head[k];
    c->next[slot] = h;
    c->prev[slot] = 0;
    if (h) c->prev[h] = slot;
    c->head[k] = slot;
    c->cls[slot] = (uint16_t)k;
    if (c->size[k]++ == 0) {
        c->used_pos[k] = (uint16_t)c->nused;
        c->used[c->nused++] = (uint16_t)k;
    }
}

void sc_move(slotclass *c, uint32_t slot, uint32_t k)
{
    uint32_t old = c->cls[slot];
    if (old == k) return;
    uint32_t p = c->prev[slot], n = c->next[slot];
    if (p) c->next[p] = n; else c->head[old] = n;
    if (n) c->prev[n] = p;
    if (--c->size[old] == 0) {   /* swap the last used class into its place */
        uint16_t last = c->used[--c->nused];
        c->used[c->used_pos[old]] = last;
        c->used_pos[last] = c->used_pos[old];
    }
    sc_insert(c, slot, k);
}
