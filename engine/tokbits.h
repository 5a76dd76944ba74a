/*
 * tokbits.h - coding the token model's choice bit by bit, so that byte
 * contexts can refine it (levels with config.byte_mix > 0).
 *
 * The token model's distribution (model_predict) names some tokens, the
 * candidates, and leaves the rest of its mass to NEW and ESCAPE. At these
 * levels a token is coded as: is it a candidate; if so, which, as its
 * bytes, MSB first, with an end-of-token decision where a candidate ends
 * and others go on; if not, is it new (its id then follows as at the other
 * levels, or with config.spell_new its bytes the same way among the unused
 * tokens, weighted by the id tree); if not, which of the tokens an escape can be (the seen tokens
 * that are no candidate, each with its class's step-2 probability), walked
 * the same way (config.escape_walk; else its class and rank as at the
 * other levels), its first bytes from the model's sums by key
 * (config.escape_keys, format 11) or by first byte (before). Every
 * decision has the token model's probability (the
 * share of the mass that agrees with it), which the byte model (bytemix.h)
 * mixes with its byte contexts. Bits on which every remaining token agrees
 * are not coded. Encoder and decoder run the same
 * functions, so they compute the same numbers.
 */
#ifndef SMIX_TOKBITS_H
#define SMIX_TOKBITS_H

#include <stddef.h>
#include <stdint.h>

#include "components.h"
#include "model.h"
#include "rc.h"

typedef struct tokbits tokbits;

/* NULL on allocation failure. vocab: token ids in use; table_bits and
 * bm_features (BYTEMIX_RECORDS, BYTEMIX_HISTORY) as bytemix_create;
 * walk_escapes: escapes are walked too, else their class and rank are left
 * to the caller; escape_keys: their first bytes from the sums by key. */
tokbits *tokbits_create(uint32_t vocab, int table_bits, unsigned bm_features, int walk_escapes, int escape_keys,
                        int spell_new);
void tokbits_free(tokbits *t);

/* After model_predict(m): codes whether token id is a candidate and which,
 * or else whether it is new, and if not (walking escapes) which of the
 * tokens an escape can be; adds the cost of each step to *k (steps
 * IS_CAND, CAND_WALK, IS_NEW, ESC_WALK; k NULL: no costs, as when no
 * trace is kept). *left is what the caller still
 * codes, then calling tokbits_pass: TOKBITS_NEW (the new id),
 * TOKBITS_ESCAPE (the escape's class and rank), or 0 (nothing). */
#define TOKBITS_NEW 0xFFFFFFFEu
#define TOKBITS_ESCAPE 0xFFFFFFFFu
void tokbits_encode(tokbits *t, model *m, rc_encoder *rc, uint32_t id, uint32_t *left, step_costs *k);
/* After model_predict(m): decodes a token into *id, or TOKBITS_NEW /
 * TOKBITS_ESCAPE (left to the caller, as above); adds the costs to *k
 * (unless NULL).
 * Returns 0, or -1 for a damaged stream. */
int tokbits_decode(tokbits *t, model *m, rc_decoder *rc, uint32_t *id, step_costs *k);
/* The byte model reads a token coded by the caller. */
void tokbits_pass(tokbits *t, uint32_t id);

#endif
