/*
 * model.h - the full predictor of smix: SSM + n-gram + match + recency +
 * frequency prior, mixed in the logit domain with weights learned online,
 * turned into integer frequencies for the range coder.
 *
 * The model works on "slots": slot 0 is NEW (a token not seen before in this
 * file), slots 1.. are the distinct tokens in order of first occurrence.
 * A token is coded in up to three steps (see model.c for why):
 *   1. a symbol among the candidates (NEW is symbol 0) and ESCAPE;
 *   2. after ESCAPE, the class of the token (a symbol < model_nclasses());
 *   3. its rank among the class's members, uniformly over model_class_size().
 * A NEW token's id then follows through model_newid(). The encoder and
 * the decoder make exactly the same calls in the same order:
 *     model_predict()                  distribution for the next token
 *     (code the steps above)
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

/* After model_predict, step 1: number of symbols, their frequencies, total. */
uint32_t model_nsyms(const model *m);
const uint32_t *model_freqs(const model *m);
uint32_t model_total(const model *m);
/* The step-1 symbol of a token id (0 for an id not seen yet). */
uint32_t model_symbol_of(const model *m, uint32_t token_id);
/* The slot of a step-1 symbol (0 for NEW and for ESCAPE). */
uint32_t model_symbol_slot(const model *m, uint32_t sym);
/* The same for every symbol at once: the slots of symbols 0..nsyms-2
 * (symbol 0, NEW, has slot 0); the last symbol, when model_is_escape(),
 * has none. And every seen slot's token id, by slot (slots 1..). For loops
 * over all the symbols, which would otherwise call the two above each time. */
const uint32_t *model_symbol_slots(const model *m);
const uint32_t *model_token_ids(const model *m);
int model_is_escape(const model *m, uint32_t sym);

/* Step 2, after ESCAPE: model_escape_prepare() fills the class frequencies
 * (0 for a class with no member to code). Step 3 codes the rank. */
void model_escape_prepare(model *m);
uint32_t model_nclasses(const model *m);
const uint32_t *model_class_freqs(const model *m);
uint32_t model_class_total(const model *m);
uint32_t model_class_of(const model *m, uint32_t slot);
uint32_t model_class_size(const model *m, uint32_t cls);   /* members to code */
uint32_t model_class_rank(const model *m, uint32_t slot);
/* The slot of a rank in a class, 0 if there is none (a damaged stream). */
uint32_t model_class_member(const model *m, uint32_t cls, uint32_t rank);
/* After model_escape_prepare, the tokens an escape can be (every seen
 * token that is no candidate, in order of first occurrence, each with its
 * probability: its class's over the class's members to code), by first
 * byte: mass[b] and count[b] of those whose first byte is b (256 each).
 * Returns the count of all of them. */
uint32_t model_escape_first_sums(model *m, double *mass, uint32_t *count);
/* With config.escape_keys, instead: model_escape_key_counts fills their
 * count by key (sc_key: the first byte, or 256 + the second after a space;
 * SC_NKEYS of them) and their mass by kind (SC_KINDS, a sum over the
 * classes), and returns the count of all; after it (which sorts the
 * candidates by key), model_escape_key_mass gives a key's mass (a sum over its (class, key)
 * pairs), and model_escape_mass the mass of all (1, or 0 if none). */
uint32_t model_escape_key_counts(model *m, uint32_t *count, double *kind_mass);
double model_escape_key_mass(model *m, uint32_t key);
double model_escape_mass(const model *m);
/* Then those with key k (k < 256: first byte k, all of them for a space;
 * else a space and byte k - 256), in order of first occurrence, with their
 * probabilities: fills ids[] and p[] (room for the tokens seen so far);
 * returns the count. */
uint32_t model_escape_tokens_from(model *m, uint32_t key, uint32_t *ids, double *p);

/* Slot of a token id, 0 if it has not occurred yet. */
uint32_t model_slot_of(const model *m, uint32_t token_id);
/* Token id of a slot >= 1. */
uint32_t model_token_of(const model *m, uint32_t slot);

/* The coder of a new token's id (newid.h), used after symbol NEW. */
struct newid *model_newid(model *m);

/* Fills what the model knows of the actual slot in *t (before
 * model_update): the SSM's view, every component's term in the slot's
 * logit and in its strongest rival's, the normaliser, the top lists, and
 * if model_trace_init was asked for them the bits each component saved
 * it. O(candidates + classes); only called when a token hook is installed,
 * after model_trace_init (0, or -1 on OOM) once. */
int model_trace_init(model *m, int saved);
void model_trace(model *m, uint32_t slot, smix_token_info *t);

/* Learns from the actual token (slot 0 with the real token_id when new).
 * Returns 1 if a training chunk finished (fills *ci), 0, or -1 on OOM. */
int model_update(model *m, uint32_t slot, uint32_t token_id, smix_chunk_info *ci);

size_t model_memory(const model *m);

#endif
