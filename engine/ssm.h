/*
 * ssm.h - the selective state space model (Mamba-style) that smix trains on
 * the file while it codes it. Engine-internal: only the codec includes this.
 *
 * The model predicts the next token over a vocabulary of "rows" that grows
 * during the file (the codec adds a row the first time a token occurs; row 0
 * is the codec's escape symbol). It is trained online: every `chunk` tokens a
 * few Adam steps with truncated backprop through that chunk.
 *
 * Determinism: every float reaching the caller is computed in an order fixed
 * by the code, with fmath.h transcendentals, never depending on the thread
 * count, SIMD width or compiler optimisation level. Encoder and decoder that
 * make the same calls get the same bits.
 *
 * Thread safety: one ssm must not be used by two threads at once; the model
 * itself may use up to ssm_set_threads() OpenMP threads internally.
 */
#ifndef SMIX_SSM_H
#define SMIX_SSM_H

#include <stddef.h>
#include <stdint.h>
#include "smix.h"   /* smix_config, smix_chunk_info */

typedef struct ssm ssm;

/* Creates a model for cfg (n_layers, d_model, d_state, d_inner, d_conv,
 * chunk, iters_*, lr_milli, smooth_milli, adam_no_momentum are used). Weights are initialised
 * deterministically from seed. Starts with 0 rows. NULL on OOM or when a
 * dimension is 0. */
ssm *ssm_create(const smix_config *cfg, uint64_t seed);
void ssm_free(ssm *s);                                    /* accepts NULL */

/* Maximum OpenMP threads for the big loops (n < 1 means 1). Results never
 * depend on it. */
void ssm_set_threads(ssm *s, int n);

/* Appends one vocabulary row (embedding + head row), initialised from the
 * seed and the row index only. Returns the new row index, -1 on OOM (the
 * model is unchanged then). Amortised O(d_model). */
int ssm_add_row(ssm *s);
uint32_t ssm_rows(const ssm *s);

/* Writes logits[0..rows) for the next token given all tokens observed so
 * far. Call at most once per position, then ssm_observe. */
void ssm_predict(ssm *s, float *logits);

/* Records the outcome of the position just predicted: target_row is the
 * training target of that prediction, input_row the token fed as the next
 * input (they differ only when a new token appeared: target = row 0, input =
 * the new row). Both must be < ssm_rows(). Advances the recurrent state.
 * When the chunk is full it trains and, if ci != NULL, fills *ci and returns
 * 1; otherwise returns 0. (May be called without ssm_predict; the prediction
 * is then computed internally for training.) */
int ssm_observe(ssm *s, uint32_t target_row, uint32_t input_row, smix_chunk_info *ci);

/* Bytes currently allocated by the model. */
size_t ssm_memory(const ssm *s);

/* ---- tuning knobs for tools/ssm_bench and tests; the codec leaves them at
 * their defaults (changing one changes the coded output). ---- */
typedef struct ssm_tuning {
    int reuse_pred;     /* 1 (default): training iteration 1 reuses the prediction-time
                           activations and logits; exact, same bits as 0, only faster */
    int refresh_state;  /* 0 (default): after training, re-run the chunk with the new
                           weights to refresh the carried state (measured no gain) */
    int sparse_head;    /* head training. 0 (default): exact dense gradient, Adam on all rows.
                           1: gradient only for the listed rows (p > head_thr at some
                           position, or a target), lazy Adam on them; ~0.2 bits/token worse.
                           2: listed rows exact, every other row gets the rank-1 gradient
                           (its chunk-mean softmax gradient) x (mean head input); Adam on
                           all rows. ~2x faster than 0, ~0.1 bits/token worse (thr 3e-4) */
    int sparse_fwd;     /* 1: with sparse_head, iterations 2.. recompute only the listed rows'
                           logits, the probability mass outside them fixed from iteration 1 */
    float head_thr;     /* probability threshold of sparse_head */
    uint32_t par_min_rows; /* head loops use threads only from this many rows */
} ssm_tuning;

/* Counters for the bench: training steps and rows that got a head gradient. */
typedef struct ssm_stats {
    uint64_t steps, listed_rows, total_rows;
} ssm_stats;
void ssm_get_stats(const ssm *s, ssm_stats *st);

void ssm_get_tuning(const ssm *s, ssm_tuning *t);
void ssm_set_tuning(ssm *s, const ssm_tuning *t);

#endif /* SMIX_SSM_H */
