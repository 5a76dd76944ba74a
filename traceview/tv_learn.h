/*
 * tv_learn.h - the SSM's training, beside the bits: which training chunk a
 * token belongs to, its loss and learning rate, for the timelines of both
 * viewers.
 *
 * The SSM trains on the file as it codes it: after each chunk of tokens
 * (config.chunk of them), a few Adam steps on that chunk (the trace's
 * chunk records: first token, tokens, steps, loss, learning rate). The loss
 * is the mean cross-entropy of the chunk after its steps, in nats; / ln 2
 * gives bits per token, the same unit as the token's cost, so the two
 * curves can be read side by side.
 */
#ifndef TV_LEARN_H
#define TV_LEARN_H

#include <stddef.h>
#include <stdint.h>
#include "tv_doc.h"

typedef struct tv_learn {
    uint64_t n;          /* chunks (0: no SSM at this level) */
    float lo, hi;        /* the smallest and largest loss of any chunk */
    float lr_lo, lr_hi;  /* and learning rate */
} tv_learn;

/* The chunks' ranges (one pass over the chunk records). */
void tv_learn_init(tv_learn *l, tv_doc *d);

/* The chunk that holds token tok (binary search); 0, or -1 if none does
 * (no SSM, or a token before the first chunk). */
int tv_learn_chunk(tv_doc *d, uint64_t tok, smix_chunk_info *out);

/* The line both timelines show for the cursor's token:
 * "chunk 14: SSM loss 4.10 nats = 5.91 bits/token, lr 0.006, 2 steps" (Adam steps),
 * or "" without a chunk. */
void tv_learn_line(tv_doc *d, uint64_t tok, char *out, size_t len);

#endif /* TV_LEARN_H */
