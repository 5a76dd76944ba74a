/*
 * slotclass.c - classes of seen tokens by (count, age) buckets; see slotclass.h.
 */
#include "slotclass.h"

#include <stdlib.h>

static int log2_floor(uint32_t v) { return 31 - __builtin_clz(v); }

/* Counts: 1..7 exact, then octaves (half-octaves measured no better); or,
 * coarse (SC_COARSE_COUNTS), 1..3 exact, then pairs of octaves. */
int sc_count_bucket(uint32_t count, int octaves)
{
    int b;
    if (octaves == 1) {
        if (count < 8) return count ? (int)count - 1 : 0;
        b = 7 + log2_floor(count) - 3;
    } else {
        if (count < 4) return count ? (int)count - 1 : 0;
        b = 3 + (log2_floor(count) - 2) / octaves;
    }
    return b < SC_COUNT_BUCKETS ? b : SC_COUNT_BUCKETS - 1;
}

/* Ages: 0..3 exact, then octaves (half-octaves measured 0.01% better for
 * more than twice the classes), or pairs of octaves (SC_WIDE_AGES). */
int sc_age_bucket(uint32_t age, int octaves)
{
    if (age < 4) return (int)age;
    int b = 4 + (log2_floor(age) - 2) / octaves;
    return b < SC_AGE_BUCKETS ? b : SC_AGE_BUCKETS - 1;
}

/* Midpoint of the octave [2^k, 2^(k+1)). */
static float octave_rep(int k) { return 1.5f * (float)(1u << k) - 0.5f; }

/* Midpoint of [2^k, 2^(k+octaves)). */
static float octaves_rep(int k, int octaves)
{
    return 0.5f * (float)(1u << k) * (float)(1 + (1 << octaves)) - 0.5f;
}

/* Buckets past the last reachable one (counts and ages are 32-bit) get the
 * last reachable one's. */
float sc_count_rep(int b, int octaves)
{
    if (octaves == 1) return b < 7 ? (float)(b + 1) : octave_rep(b - 7 + 3);
    if (b < 3) return (float)(b + 1);
    int k = 2 + octaves * (b - 3);
    if (k > 31) k = 2 + octaves * ((31 - 2) / octaves);
    return octaves_rep(k, octaves);
}

float sc_age_rep(int b, int octaves)
{
    if (b < 4) return (float)b;
    if (octaves == 1) return octave_rep(b - 4 + 2);
    int k = 2 + octaves * (b - 4);
    if (k > 31) k = 2 + octaves * ((31 - 2) / octaves);
    return octaves_rep(k, octaves);
}

int sc_age_boundaries(uint32_t *out, int max, int octaves)
{
    int n = 0;
    for (int b = 1; b < SC_AGE_BUCKETS && n < max; b++) {
        int k = 2 + octaves * (b - 4);
        if (b >= 4 && k > 31) break;
        out[n++] = b < 4 ? (uint32_t)b : 1u << k;
    }
    return n;
}

int sc_token_kind(const uint8_t *bytes, uint32_t len)
{
    uint8_t b = len ? bytes[0] : 0, c = len > 1 ? bytes[1] : 0;
    if (b == ' ') {
        if (c >= 'a' && c <= 'z') return 0;
        if (c >= 'A' && c <= 'Z') return 9;
        if (c >= '0' && c <= '9') return 10;
        return 11;
    }
    if (b >= 'a' && b <= 'z') return 1;
    if (b >= 'A' && b <= 'Z') return 2;
    if (b >= '0' && b <= '9') return 3;
    if (b == '\n' || b == '\r' || b == '\t') return 4;
    if (b == '[' || b == ']' || b == '|') return 5;
    if (b == '<' || b == '>' || b == '&') return 6;
    if (b >= 0x80) return 8;
    if (b == '.' || b == ',' || b == ';' || b == ':' || b == '!' || b == '?') return 12;
    if (b == '\'' || b == '"' || b == '(' || b == ')') return 13;
    return 7;
}

uint32_t sc_key(const uint8_t *bytes, uint32_t len)
{
    if (len == 0) return 0;
    if (bytes[0] != ' ' || len == 1) return bytes[0];
    return SC_SPACE_KEYS + bytes[1];
}

int sc_key_kind(uint32_t key)
{
    uint8_t b[2] = { (uint8_t)key, 0 };
    if (key < SC_SPACE_KEYS) return sc_token_kind(b, 1);
    b[0] = ' ';
    b[1] = (uint8_t)(key - SC_SPACE_KEYS);
    return sc_token_kind(b, 2);
}

int sc_init(slotclass *c, uint32_t cap)
{
    for (uint32_t k = 0; k < SC_NCLASS; k++) c->head[k] = 0;
    c->nused = 0;
    for (uint32_t k = 0; k < SC_NKEYS; k++) c->key_n[k] = c->key_pairs[k] = c->key_at[k] = 0;
    c->key = c->pair_cls = NULL;
    c->pair_at = NULL;
    c->pair_n = NULL;
    c->next = calloc(cap, sizeof *c->next);
    c->prev = calloc(cap, sizeof *c->prev);
    c->cls = calloc(cap, sizeof *c->cls);
    if (c->next && c->prev && c->cls) return 0;
    sc_free(c);
    return -1;
}

int sc_keys_init(slotclass *c, uint32_t cap, const uint32_t *room)
{
    uint32_t at = 0;
    for (uint32_t k = 0; k < SC_NKEYS; k++) {
        c->key_at[k] = at;
        at += room[k];
    }
    if (at > UINT16_MAX) return -1;   /* pair_at's 16 bits */
    c->key = calloc(cap, sizeof *c->key);
    c->pair_at = calloc(SC_KEY_CELLS, sizeof *c->pair_at);
    c->pair_cls = calloc(at + 1, sizeof *c->pair_cls);
    c->pair_n = calloc(at + 1, sizeof *c->pair_n);
    return c->key && c->pair_at && c->pair_cls && c->pair_n ? 0 : -1;
}

void sc_free(slotclass *c)
{
    free(c->next); free(c->prev); free(c->cls);
    free(c->key); free(c->pair_at); free(c->pair_cls); free(c->pair_n);
    c->next = c->prev = NULL;
    c->cls = c->key = c->pair_cls = NULL;
    c->pair_at = NULL;
    c->pair_n = NULL;
}

/* One member more in pair (k, key), which joins its key's pairs if it was
 * empty. */
static void pair_add(slotclass *c, uint32_t k, uint32_t key)
{
    uint16_t *at = &c->pair_at[sc_key_cell(k, key)];
    if (!*at) {
        uint32_t i = c->key_at[key] + c->key_pairs[key]++;
        c->pair_cls[i] = (uint16_t)k;
        c->pair_n[i] = 0;
        *at = (uint16_t)(i + 1);
    }
    c->pair_n[*at - 1]++;
    c->key_n[key]++;
}

/* One member less; an emptied pair gives its place to its key's last one. */
static void pair_remove(slotclass *c, uint32_t k, uint32_t key)
{
    uint16_t *at = &c->pair_at[sc_key_cell(k, key)];
    uint32_t i = *at - 1u;
    c->key_n[key]--;
    if (--c->pair_n[i]) return;
    uint32_t q = c->key_at[key] + --c->key_pairs[key];
    c->pair_cls[i] = c->pair_cls[q];
    c->pair_n[i] = c->pair_n[q];
    c->pair_at[sc_key_cell(c->pair_cls[i], key)] = (uint16_t)(i + 1);
    *at = 0;
}

static void link_in(slotclass *c, uint32_t slot, uint32_t k)
{
    uint32_t h = c->head[k];
    c->next[slot] = h;
    c->prev[slot] = 0;
    if (h) c->prev[h] = slot;
    c->head[k] = slot;
    c->cls[slot] = (uint16_t)k;
    if (!h) {   /* the class was empty: it joins the used list */
        c->used_pos[k] = (uint16_t)c->nused;
        c->used_size[c->nused] = 0;
        c->used_count[c->nused] = (uint8_t)sc_count_of(k);
        c->used_age[c->nused] = (uint8_t)sc_age_of(k);
        c->used_kind[c->nused] = (uint8_t)sc_kind_of(k);
        c->used[c->nused++] = (uint16_t)k;
    }
    c->used_size[c->used_pos[k]]++;
}

void sc_insert(slotclass *c, uint32_t slot, uint32_t k, uint32_t key)
{
    link_in(c, slot, k);
    if (c->key) {
        c->key[slot] = (uint16_t)key;
        pair_add(c, k, key);
    }
}

void sc_move(slotclass *c, uint32_t slot, uint32_t k)
{
    uint32_t old = c->cls[slot];
    if (old == k) return;
    uint32_t p = c->prev[slot], n = c->next[slot];
    if (p) c->next[p] = n; else c->head[old] = n;
    if (n) c->prev[n] = p;
    c->used_size[c->used_pos[old]]--;
    if (!c->head[old]) {   /* now empty: swap the last used class into its place */
        uint32_t at = c->used_pos[old], q = --c->nused;
        uint16_t last = c->used[q];
        c->used[at] = last;
        c->used_count[at] = c->used_count[q];
        c->used_age[at] = c->used_age[q];
        c->used_kind[at] = c->used_kind[q];
        c->used_size[at] = c->used_size[q];
        c->used_pos[last] = (uint16_t)at;
    }
    link_in(c, slot, k);
    if (c->key) {
        pair_remove(c, old, c->key[slot]);
        pair_add(c, k, c->key[slot]);
    }
}
