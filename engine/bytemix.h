/*
 * bytemix.h - a byte-level context-mixing model that refines the token
 * model's decisions bit by bit (levels whose config has byte_mix > 0).
 *
 * Why: the token model sees whole tokens in token contexts; byte contexts
 * (the last 1-6 bytes, the current word, and in tables the bytes one record
 * above) see the spelling, across token boundaries. tokbits.c codes the token model's choice as binary decisions
 * (is it a candidate, which one bit by bit, does it end here, is it new);
 * this module mixes each decision's token-model probability with byte-
 * context counters, PAQ-style. On enwik8_1M at level 3 that is 1.9% less
 * output (docs/model.md, session 5).
 *
 * Per coded bit of a byte, in this order:
 *     p = bytemix_p(bm, p_token, pos, walk)   the final P(bit = 1), 1/BYTEMIX_SCALE
 *     (code the bit with p)
 *     bytemix_learn(bm, bit)
 * Every byte of the input passes through, bit by bit: a bit that is not
 * coded (the candidates agree on it, or the token was coded otherwise) goes
 * through bytemix_pass(bm, bit), which only updates the byte contexts.
 * Token-level decisions go through bytemix_event_p / bytemix_event_learn.
 * Everything is computed with float operations in a fixed order and
 * fm_exp/fm_log, so the decoder gets the same numbers.
 */
#ifndef SMIX_BYTEMIX_H
#define SMIX_BYTEMIX_H

#include <stddef.h>
#include <stdint.h>

#define BYTEMIX_SCALE 65536u

typedef struct bytemix bytemix;

/* table_bits: log2 of the counters in the shared context table (16..26);
 * features, a set of:
 *   BYTEMIX_RECORDS  format 9's byte model (byte_records): detect fixed-
 *                    length records and add their contexts, and take the
 *                    mixers' stretches from their dot products;
 *   BYTEMIX_HISTORY  format 10's (byte_history): counters keep their last
 *                    bits, mapped to probabilities, and a match model over
 *                    the bytes (see bytemix.c). */
#define BYTEMIX_RECORDS 1u
#define BYTEMIX_HISTORY 2u
bytemix *bytemix_create(int table_bits, unsigned features);
void bytemix_free(bytemix *bm);
/* Bytes a byte model of 2^table_bits counters takes (levels.c's estimate). */
uint64_t bytemix_memory(int table_bits);

/* Which tokens a walk is choosing among (tokbits.c): the candidates, or
 * the tokens an escape can be. */
#define BYTEMIX_CANDIDATES 0
#define BYTEMIX_ESCAPES 1
#define BYTEMIX_NEW 2           /* a new token, among the unused ones */
#define BYTEMIX_WALKS 3
uint32_t bytemix_p(bytemix *bm, float p_token, int pos, int walk);
void bytemix_learn(bytemix *bm, int bit);
void bytemix_pass(bytemix *bm, int bit);

/* Token-level decisions (kind 0: is the token a candidate; 1: does it end
 * after pos bytes; 2: is it new; 3: does an escaped token end; 4: does a
 * new token end): the final P(1) from the token model's, in
 * 1/BYTEMIX_SCALE, then learning from the outcome. */
#define BYTEMIX_IS_CAND 0
#define BYTEMIX_END 1
#define BYTEMIX_IS_NEW 2
#define BYTEMIX_END_ESCAPE 3
#define BYTEMIX_END_NEW 4
uint32_t bytemix_event_p(bytemix *bm, int kind, float p_token, int pos);
void bytemix_event_learn(bytemix *bm, int bit);

#endif
