/*
 * test_slotclass.c - the (count, age) classes of seen tokens: buckets are
 * monotone and saturate, the boundary list is exactly where the age bucket
 * changes, representatives fall inside their bucket, and after many random
 * moves every class list holds exactly the slots whose class says so, with
 * consistent sizes and used-class bookkeeping (including each used class's
 * count, age and kind parts); with keys counted, the (class, key) pairs
 * hold exactly the members by class and key.
 */
#include <stdio.h>
#include <stdlib.h>

#include "slotclass.h"
#include "slotclass_check.h"

static int pass, fail;
static void check(int cond, const char *name)
{
    printf("%s %s\n", cond ? "PASS" : "FAIL", name);
    if (cond) pass++; else fail++;
}

static uint32_t rng(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

/* The age buckets of one width (octaves per bucket): monotone, each
 * representative inside its bucket, the boundary list exact. */
static void test_age_width(int oct)
{
    char name[128];
    int mono = 1, rep_in = 1;
    for (uint32_t v = 1; v < 5000000; v++) mono &= sc_age_bucket(v, oct) >= sc_age_bucket(v - 1, oct);
    snprintf(name, sizeof name, "%d octave(s) per age bucket: buckets never decrease", oct);
    check(mono, name);
    int last = sc_age_bucket(0xFFFFFFFFu, oct);
    for (int b = 0; b < last; b++) {
        uint32_t r = (uint32_t)sc_age_rep(b, oct);
        rep_in &= sc_age_bucket(r, oct) == b;
    }
    snprintf(name, sizeof name, "%d octave(s): each representative age lies in its own bucket", oct);
    check(rep_in, name);
    int grows = 1;   /* every bucket, reachable or not, has a finite one (UBSan checks the shifts) */
    for (int b = 1; b < SC_AGE_BUCKETS; b++) grows &= sc_age_rep(b, oct) >= sc_age_rep(b - 1, oct) && sc_age_rep(b, oct) < 1e10f;
    snprintf(name, sizeof name, "%d octave(s): representatives never decrease, up to the last bucket", oct);
    check(grows, name);
    uint32_t bound[SC_AGE_BUCKETS];
    int n = sc_age_boundaries(bound, SC_AGE_BUCKETS, oct), exact = n == last, k = 0;
    for (uint32_t a = 1; a < (1u << 23) && exact; a++) {
        int changes = sc_age_bucket(a, oct) != sc_age_bucket(a - 1, oct);
        int listed = k < n && bound[k] == a;
        exact &= changes == listed;
        k += listed;
    }
    for (; k < n && exact; k++) exact = sc_age_bucket(bound[k], oct) == sc_age_bucket(bound[k] - 1, oct) + 1;
    snprintf(name, sizeof name, "%d octave(s): the boundary list is exactly the ages where the bucket changes", oct);
    check(exact && k == n, name);
}

/* The count buckets of one width: monotone, saturating, each
 * representative inside its bucket up to the last reachable one. */
static void test_count_width(int oct)
{
    char name[128];
    int mono = 1, rep_in = 1;
    for (uint32_t v = 1; v < 5000000; v++) mono &= sc_count_bucket(v, oct) >= sc_count_bucket(v - 1 ? v - 1 : 1, oct);
    snprintf(name, sizeof name, "%d octave(s) per count bucket: buckets never decrease", oct);
    check(mono, name);
    int last = sc_count_bucket(0xFFFFFFFFu, oct);
    snprintf(name, sizeof name, "%d octave(s): the largest count stays within the buckets", oct);
    check(last < SC_COUNT_BUCKETS, name);
    for (int b = 0; b < last; b++) {
        uint32_t r = (uint32_t)sc_count_rep(b, oct);
        rep_in &= sc_count_bucket(r, oct) == b;
    }
    snprintf(name, sizeof name, "%d octave(s): each representative count lies in its own bucket", oct);
    check(rep_in, name);
    int grows = 1;
    for (int b = 1; b < SC_COUNT_BUCKETS; b++)
        grows &= sc_count_rep(b, oct) >= sc_count_rep(b - 1, oct) && sc_count_rep(b, oct) < 1e10f;
    snprintf(name, sizeof name, "%d octave(s): count representatives never decrease, up to the last bucket", oct);
    check(grows, name);
}

static void test_buckets(void)
{
    check(sc_count_bucket(1, 1) == 0 && sc_count_bucket(7, 1) == 6 && sc_count_bucket(8, 1) == 7,
          "counts 1..7 have buckets of their own");
    check(sc_count_bucket(3, SC_COARSE_COUNTS) == 2 && sc_count_bucket(4, SC_COARSE_COUNTS) == 3 &&
          sc_count_bucket(15, SC_COARSE_COUNTS) == 3 && sc_count_bucket(16, SC_COARSE_COUNTS) == 4,
          "coarse counts: 1..3 exact, then pairs of octaves");
    check(sc_age_bucket(0, 1) == 0 && sc_age_bucket(3, 1) == 3 && sc_age_bucket(4, 1) == 4 &&
          sc_age_bucket(7, 1) == 4 && sc_age_bucket(8, 1) == 5, "ages 0..3 exact, then octaves");
    check(sc_age_bucket(4, SC_WIDE_AGES) == 4 && sc_age_bucket(15, SC_WIDE_AGES) == 4 &&
          sc_age_bucket(16, SC_WIDE_AGES) == 5, "wide ages: 0..3 exact, then pairs of octaves");
    check(sc_count_bucket(0xFFFFFFFFu, 1) == SC_COUNT_BUCKETS - 1 && sc_age_bucket(0xFFFFFFFFu, 1) == SC_AGE_BUCKETS - 1,
          "buckets saturate at the last one");
    check(sc_age_bucket(0xFFFFFFFFu, SC_WIDE_AGES) < SC_AGE_BUCKETS, "wide ages stay within the buckets");
    test_count_width(1);
    test_count_width(SC_COARSE_COUNTS);
    test_age_width(1);
    test_age_width(SC_WIDE_AGES);
}

/* Every member reachable from its class head, sizes and the used list agree. */
static int consistent(const slotclass *c, uint32_t nslots)
{
    uint32_t seen = 0;
    for (uint32_t k = 0; k < SC_NCLASS; k++) {
        uint32_t n = 0, prev = 0;
        for (uint32_t j = c->head[k]; j; j = c->next[j]) {
            if (c->cls[j] != k || c->prev[j] != prev || ++n > nslots) return 0;
            prev = j;
        }
        if (n && (c->used_pos[k] >= c->nused || c->used[c->used_pos[k]] != k)) return 0;
        if (n != sc_size(c, k)) return 0;   /* after used_pos is known to be in range */
        seen += n;
    }
    uint32_t used = 0;
    for (uint32_t k = 0; k < SC_NCLASS; k++) used += sc_size(c, k) != 0;
    for (uint32_t i = 0; i < c->nused; i++)
        if (c->used_count[i] != sc_count_of(c->used[i]) || c->used_age[i] != sc_age_of(c->used[i]) ||
            c->used_kind[i] != sc_kind_of(c->used[i]))
            return 0;
    return seen == nslots - 1 && used == c->nused;
}

static void test_lists(void)
{
    const uint32_t cap = 3000;
    slotclass c;
    check(sc_init(&c, cap) == 0, "sc_init");
    uint64_t s = 42;
    for (uint32_t j = 1; j < cap; j++) sc_insert(&c, j, rng(&s) % SC_NCLASS, 0);
    int ok = consistent(&c, cap);
    for (int i = 0; i < 200000 && ok; i++) {
        uint32_t j = 1 + rng(&s) % (cap - 1);
        /* favour few classes so some empty out and refill */
        sc_move(&c, j, rng(&s) % 4 ? rng(&s) % 8 + SC_NCLASS - 8 : rng(&s) % SC_NCLASS);
        if (i % 1000 == 0) ok = consistent(&c, cap);
    }
    check(ok && consistent(&c, cap), "200,000 random moves keep every list, size and the used set consistent");
    sc_free(&c);
}

/* Keys counted: random tokens' keys, classes of their kind, random moves
 * within the kind (moves never change a member's kind). */
static void test_keys(void)
{
    const uint32_t cap = 3000;
    uint32_t room[SC_NKEYS], keys[3000];
    slotclass c;
    uint64_t s = 7;
    for (uint32_t k = 0; k < SC_NKEYS; k++) room[k] = 0;
    for (uint32_t j = 1; j < cap; j++) {   /* a few keys, most of them a space and a letter */
        keys[j] = rng(&s) % 3 ? SC_SPACE_KEYS + 'a' + rng(&s) % 26 : rng(&s) % SC_NKEYS;
        room[keys[j]]++;
    }
    check(sc_init(&c, cap) == 0 && sc_keys_init(&c, cap, room) == 0, "sc_init, sc_keys_init");
    uint32_t per_kind = SC_COUNT_BUCKETS * SC_AGE_BUCKETS;
    for (uint32_t j = 1; j < cap; j++)
        sc_insert(&c, j, (uint32_t)sc_key_kind(keys[j]) * per_kind + rng(&s) % per_kind, keys[j]);
    int ok = sc_pairs_exact(&c, cap) && consistent(&c, cap);
    for (int i = 0; i < 200000 && ok; i++) {
        uint32_t j = 1 + rng(&s) % (cap - 1), kind = (uint32_t)sc_key_kind(keys[j]);
        /* favour few cells so that pairs empty out and refill */
        sc_move(&c, j, kind * per_kind + (rng(&s) % 4 ? rng(&s) % 4 : rng(&s) % per_kind));
        if (i % 1000 == 0) ok = sc_pairs_exact(&c, cap) && consistent(&c, cap);
    }
    check(ok && sc_pairs_exact(&c, cap), "200,000 random moves keep the pairs by class and key exact");
    uint8_t b[2] = { ' ', 't' };
    check(sc_key(b, 2) == SC_SPACE_KEYS + 't' && sc_key(b, 1) == ' ' && sc_key(b + 1, 1) == 't' &&
          sc_key_kind(SC_SPACE_KEYS + 't') == sc_token_kind(b, 2) && sc_key_kind(' ') == sc_token_kind(b, 1),
          "keys: a space and a byte, a space alone, a first byte; their kinds are the tokens'");
    sc_free(&c);
}

int main(void)
{
    test_buckets();
    test_lists();
    test_keys();
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
