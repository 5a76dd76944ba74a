/*
 * newid.h - coding the vocabulary id of a token's first occurrence.
 *
 * About 5% of tokens are first occurrences, and they cost about 14% of the
 * output of a 1 MB text. The id is coded MSB first through an adaptive
 * binary tree, but not as the raw id: as its rank in byte-string order, so
 * the top of the tree splits on the token's first bytes. Those are what the
 * previous token predicts (a word after a space, a capital after "[[", a
 * digit after a digit), so the top NEWID_TOP_BITS levels have one tree per
 * last byte of the previous token and the deeper levels one per kind of that
 * byte. A used id is never new again: each node's probability is corrected
 * by how many unused ids lie on either side, so used ids cost nothing.
 * With spell_new (levels 3-9) the tree is no longer walked bit by bit: its
 * mass over ranges of codes (newid_unused_below, newid_p) is the token
 * model's side of spelling the token among the unused ones (tokbits.c).
 */
#ifndef SMIX_NEWID_H
#define SMIX_NEWID_H

#include <stdint.h>

#define NEWID_SCALE 4096u     /* probabilities are in 1/NEWID_SCALE */
#define NEWID_TOP_BITS 8
#define NEWID_KINDS 11

typedef struct newid {
    uint32_t vocab;
    int bits;                   /* tree depth: 2^bits >= vocab */
    uint16_t *code_of, *id_of;  /* [vocab] id -> rank in byte order, and back */
    uint16_t *top;              /* [256 << NEWID_TOP_BITS] by previous last byte */
    uint16_t *deep;             /* [NEWID_KINDS << bits] by kind of that byte */
    uint32_t *avail;            /* [2 << bits] unused codes below each node */
    int last_byte, kind;        /* context of the next id */
    /* rows of top and deep set to NEWID_SCALE / 2 when first in context
     * (most are never used: a model's set-up stays small) */
    uint32_t top_ready[256 / 32];
    uint32_t deep_ready;
} newid;

/* vocab ids 0..vocab-1; byte strings from the built-in vocabulary. */
int newid_init(newid *n, uint32_t vocab);     /* 0, or -1 on OOM */
void newid_free(newid *n);
/* The previous token's bytes (len 0: start of input). */
void newid_set_context(newid *n, const uint8_t *prev, uint32_t len);

/* The tree codes code = newid_code(id), newid_bits() bits MSB first; node
 * starts at 1 and becomes 2 node + bit. newid_p() is P(bit = 0); it is 0 or
 * NEWID_SCALE when one side holds no unused code (the bit is then free). */
uint32_t newid_code(const newid *n, uint32_t id);
uint32_t newid_id(const newid *n, uint32_t code);   /* code >= vocab: returned as is */
uint32_t newid_p(const newid *n, uint32_t node);
void newid_learn(newid *n, uint32_t node, int bit);
/* How many unused codes are below code (0..2^bits). */
uint32_t newid_unused_below(const newid *n, uint32_t code);
/* The tree's probability of the codes below code: the sum over them of the
 * product of newid_p along their paths (used codes have none). */
double newid_mass_below(const newid *n, uint32_t code);
/* Every node on id's path learns its bit, as if the tree had coded it. */
void newid_learn_id(newid *n, uint32_t id);
/* After a new token: its id can never be new again. */
void newid_mark_used(newid *n, uint32_t id);

#endif
