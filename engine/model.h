/*
 * model.h - the full predictor of smix: SSM + n-gram + match + recency +
 * frequency prior, mixed in the logit domain with weights learned online,
 * turned into integer frequencies for the range coder.
 *
 * The model works on "slots": slot 0 is NEW (a token not seen before in this
 * file), slots 1.. are the distinct tokens in order of first occurrence. The
 * encoder and the decoder make exactly the same calls in the same order:
 *     model_predict()                  distribution for the next token
 *     (code a slot with model_freqs())
 *     model_update(slot, token_id)     learn from it (slot 0 = new token)
 * and so compute identical frequencies.
 */
#ifndef SMIX_MODEL_H
#define SMIX_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "smix.h"

/* Total of the quantised frequencies is at most this (see rc.h). */
#define MODEL_TOTAL (1u << 26)

typedef struct model model;

/* Creates a model; NULL on allocation failure. vocab_size = ids in use. */
model *model_create(const smix_config *cfg, int threads);
void model_free(model *m);

/* Computes the distribution for the next token. Returns 0, -1 on OOM. */
int model_predict(model *m);

/* After model_predict: number of slots, their frequencies, and the total. */
uint32_t model_nslots(const model *m);
const uint32_t *model_freqs(const model *m);
uint32_t model_total(const model *m);

/* Slot of a token id, 0 if it has not occurred yet. */
uint32_t model_slot_of(const model *m, uint32_t token_id);
/* Token id of a slot >= 1. */
uint32_t model_token_of(const model *m, uint32_t slot);

/* Bit-tree probabilities for coding the id of a new token: the caller codes
 * id's bits MSB first with model_newid_bits() bits; node starts at 1 and
 * becomes 2*node+bit. p = model_newid_p(node) is P(bit=0) in 1/4096; it is
 * 0 or 4096 when one side holds no unused id (that bit then costs nothing). */
int model_newid_bits(const model *m);
uint32_t model_newid_p(const model *m, uint32_t node);
void model_newid_learn(model *m, uint32_t node, int bit);

/* Fills the trace fields of *t for the actual slot (before model_update).
 * Costs O(slots); only called when a token hook is installed. */
void model_trace(model *m, uint32_t slot, smix_token_info *t);

/* Learns from the actual token (slot 0 with the real token_id when new).
 * Returns 1 if a training chunk finished (fills *ci), 0, or -1 on OOM. */
int model_update(model *m, uint32_t slot, uint32_t token_id, smix_chunk_info *ci);

size_t model_memory(const model *m);

#endif
