/*
 * slotclass.h - the seen tokens grouped by (how often, how long ago).
 *
 * Why: at each position only a few hundred tokens get a context-specific
 * feature (n-gram followers, recent tokens, the match); every other seen
 * token's logit depends only on its count, its age and its kind (first
 * byte), through the frequency prior, the "time since last seen" feature
 * and a learned bias by kind. Bucketing counts and ages in
 * octaves turns those thousands of tokens into at most SC_NCLASS classes
 * whose members share one logit, so the tail of the distribution costs
 * O(classes in use) per token instead of O(tokens). Bucketing count and age
 * (then in half-octaves) cost 0.01% on enwik8's first 1 MB against exact
 * values; octaves cost another 0.01% for half the classes.
 *
 * Every slot >= 1 is a member of exactly one class; members are kept in an
 * intrusive doubly linked list per class (no allocation after creation), and
 * the order of a list depends only on the sequence of moves, so an encoder
 * and a decoder agree on the rank of every member.
 *
 * Optionally (sc_keys_init) the members of each class are also counted by
 * key: a token's first byte, or after a space its second byte (keys 256 +
 * byte; the token " " alone keeps key 32). A key has one kind, so a class
 * holds only the keys of its kind. The (class, key) pairs with members
 * are listed by key (pair_cls, pair_n from key_at[key], key_pairs[key] of
 * them), in an order that again depends only on the sequence of moves. An
 * escape's sums by key (model_class.c, tokbits.c: format 11) then cost the
 * pairs of the keys they need, instead of a pass over every seen token.
 */
#ifndef SMIX_SLOTCLASS_H
#define SMIX_SLOTCLASS_H

#include <stddef.h>
#include <stdint.h>

#define SC_COUNT_BUCKETS 36
#define SC_AGE_BUCKETS 24
#define SC_KINDS 14          /* kinds of a token's first byte, see sc_token_kind */
#define SC_NCLASS (SC_KINDS * SC_COUNT_BUCKETS * SC_AGE_BUCKETS)
#define SC_NKEYS 512           /* keys of tokens: sc_key */
#define SC_SPACE_KEYS 256      /* keys 256..511: a space, then byte key - 256 */

typedef struct slotclass {
    uint32_t head[SC_NCLASS];   /* first member, 0 = empty (slot 0 is never a member) */
    uint16_t used[SC_NCLASS];   /* the classes with members, in used[0..nused) */
    uint16_t used_pos[SC_NCLASS];
    uint32_t nused;
    /* the parts of used[i] (so the per-token sums over classes need no division) */
    uint8_t used_count[SC_NCLASS], used_age[SC_NCLASS], used_kind[SC_NCLASS];
    uint32_t used_size[SC_NCLASS];   /* members of used[i] */
    uint32_t *next, *prev;      /* [cap] list links, 0 = none */
    uint16_t *cls;              /* [cap] class of each member */
    /* keys, when tracked (NULL otherwise) */
    uint16_t *key;              /* [cap] key of each member (sc_key) */
    uint16_t *pair_at;          /* [SC_KEY_CELLS] 1 + place of (class, key) in the pairs, 0 none
                                   (places < room total <= 65535) */
    uint16_t *pair_cls;         /* [room] the pairs with members: class, */
    uint32_t *pair_n;           /* [room]   and members */
    uint32_t key_at[SC_NKEYS], key_pairs[SC_NKEYS];   /* each key's pairs */
    uint32_t key_n[SC_NKEYS];   /* members by key */
} slotclass;

/* Bucket of a count >= 1 (octaves 1: 1..7 exact, then octaves; else 1..3
 * exact, then `octaves` octaves per bucket: SC_COARSE_COUNTS for the fast
 * levels from format 8) and of an age >= 0 (0..3 exact, then `octaves`
 * octaves per bucket: 1, or SC_WIDE_AGES for the fast levels, which then
 * walk fewer classes); both saturate at the last bucket. */
#define SC_WIDE_AGES 2
#define SC_COARSE_COUNTS 2
int sc_count_bucket(uint32_t count, int octaves);
int sc_age_bucket(uint32_t age, int octaves);
/* A value typical of a bucket (its midpoint), for the class's shared logit. */
float sc_count_rep(int bucket, int octaves);
float sc_age_rep(int bucket, int octaves);
/* The ages at which sc_age_bucket increases, ascending; returns how many. */
int sc_age_boundaries(uint32_t *out, int max, int octaves);

int sc_init(slotclass *c, uint32_t cap);     /* 0, or -1 on OOM */
/* Counts the members by key from now on (before any insert); room[key]:
 * how many tokens can have that key. 0, or -1 on OOM. */
int sc_keys_init(slotclass *c, uint32_t cap, const uint32_t *room);
void sc_free(slotclass *c);
/* Puts slot (not yet a member) into class k; key (sc_key, of k's kind) is
 * kept only when keys are tracked. */
void sc_insert(slotclass *c, uint32_t slot, uint32_t k, uint32_t key);
/* Moves a member to class k (nothing if it is already there). */
void sc_move(slotclass *c, uint32_t slot, uint32_t k);

/* Kind of a token by its first byte: space, lower, upper, digit, newline,
 * '[' ']' '|', markup '<' '>' '&', other ASCII, bytes >= 0x80. */
int sc_token_kind(const uint8_t *bytes, uint32_t len);

/* Key of a token: its first byte, or 256 + its second byte when the first
 * is a space (" " alone: 32). sc_key_kind gives the kind of every token
 * with that key. */
uint32_t sc_key(const uint8_t *bytes, uint32_t len);
int sc_key_kind(uint32_t key);
/* Cells of the (class, key) table: keys times (count, age) buckets. */
#define SC_KEY_CELLS (SC_COUNT_BUCKETS * SC_AGE_BUCKETS * SC_NKEYS)
/* The place of (class k, key) in the pairs, or -1 if it has no member. */
static inline int32_t sc_pair(const slotclass *c, uint32_t k, uint32_t key);
/* Members of class k (an empty class has no head and no place in used). */
static inline uint32_t sc_size(const slotclass *c, uint32_t k)
{
    return c->head[k] ? c->used_size[c->used_pos[k]] : 0;
}

static inline uint32_t sc_class(int kind, int count_bucket, int age_bucket)
{
    return ((uint32_t)kind * SC_COUNT_BUCKETS + (uint32_t)count_bucket) * SC_AGE_BUCKETS + (uint32_t)age_bucket;
}
static inline int sc_age_of(uint32_t k) { return (int)(k % SC_AGE_BUCKETS); }
static inline int sc_count_of(uint32_t k) { return (int)(k / SC_AGE_BUCKETS % SC_COUNT_BUCKETS); }
static inline int sc_kind_of(uint32_t k) { return (int)(k / (SC_AGE_BUCKETS * SC_COUNT_BUCKETS)); }
/* Cell (class k, key of k's kind): by key, then count and age bucket, so
 * that a move to the next age (the most frequent) stays in a cache line
 * (each key has one kind, so (key, count, age) names the class). */
static inline uint32_t sc_key_cell(uint32_t k, uint32_t key)
{
    return key * (SC_COUNT_BUCKETS * SC_AGE_BUCKETS) + k % (SC_COUNT_BUCKETS * SC_AGE_BUCKETS);
}
static inline int32_t sc_pair(const slotclass *c, uint32_t k, uint32_t key)
{
    return (int32_t)c->pair_at[sc_key_cell(k, key)] - 1;
}
/* A word, or a space and a letter (sc_token_kind 0, 1, 2, 9). */
static inline int sc_is_word_kind(int kind) { return kind <= 2 || kind == 9; }

#endif
