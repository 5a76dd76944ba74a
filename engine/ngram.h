/*
 * ngram.h - sparse n-gram context models over the token history.
 *
 * For each order k in NGM_ORDERS (context = the last k tokens) the model
 * keeps, per context seen so far, the list of tokens that followed it with
 * their counts. Only those tokens get a logit bias, which is all a softmax
 * needs (adding the same value to every unseen token changes nothing).
 *
 * Memory grows with the input: one hash table (open addressing, doubled when
 * three quarters full) shared by all orders, and list storage in power-of-two blocks
 * recycled through free lists. A context of order k is only created once
 * the next lower order's context had been seen before (as PPM would use
 * it), which keeps the long orders from storing one entry per position.
 * Contexts are found by a 64-bit hash and then verified against the history
 * (the entry remembers where the context occurred), so a hash collision can
 * never merge two contexts.
 */
#ifndef SMIX_NGRAM_H
#define SMIX_NGRAM_H

#include <stddef.h>
#include <stdint.h>

/* The orders a model may use: 1..4 (the format's max_order range; orders
 * 5-8, 16 and 32 once existed here, no level ever used them, and their
 * weights took 18 of every 48 mixing weights). */
#define NGM_NORDERS 4
extern const uint8_t ngm_orders[NGM_NORDERS];   /* 1..4 */

typedef struct ngm_item {
    uint16_t slot;      /* compact token id */
    uint16_t count;
    uint32_t last;      /* history position after its last occurrence here */
} ngm_item;

/* A context as found for the next position. */
typedef struct ngm_ctx {
    const ngm_item *items;   /* NULL if the context was never seen */
    uint32_t n;              /* distinct followers */
    uint32_t total;          /* sum of counts */
} ngm_ctx;

typedef struct ngm ngm;

/* max_order: orders above it are not used (e.g. 8 disables 16 and 32).
 * budget: bytes the model may grow to (0 = unlimited); once reached it
 * keeps counting what it knows but learns no new contexts or followers.
 * The point where that happens depends only on the token sequence, so an
 * encoder and a decoder with the same budget stay in step.
 * max_followers: a context keeps at most this many followers (0 = no
 * limit); a new one then takes the place of the follower whose count,
 * discounted by its age, is lowest: count / (1 + age / NGM_AGE_UNIT).
 * Without a limit the lists of frequent contexts grow with the input, and
 * with them the time per token. */
#define NGM_AGE_UNIT 4096
ngm *ngm_create(int max_order, uint64_t budget, uint32_t max_followers);
void ngm_free(ngm *m);

/* Looks up the contexts ending at hist[t-1] for predicting hist[t].
 * out[i] is order ngm_orders[i]. Returns the number of orders found.
 * Must be followed by ngm_update for the same t before the next lookup
 * (it caches where the contexts live). Returns -1 on allocation failure. */
int ngm_lookup(ngm *m, const uint32_t *hist, size_t t, ngm_ctx out[NGM_NORDERS]);

/* Records that slot, the token at position t, followed the contexts looked up last.
 * cap: followers the contexts it counts in may keep this time, below
 * max_followers (0 = max_followers). Returns 0, or -1 on allocation failure. */
int ngm_update(ngm *m, size_t t, uint32_t slot, uint32_t cap);
/* The same, with at[i] = where slot may be in the list of out[i] of the
 * last lookup (-1: unknown); a wrong place only costs the search that
 * ngm_update makes. */
int ngm_update_at(ngm *m, size_t t, uint32_t slot, uint32_t cap, const int32_t at[NGM_NORDERS]);

size_t ngm_memory(const ngm *m);

#endif
