/*
 * rc.h - 64-bit carry-less range coder (Subbotin style).
 *
 * Why 64 bits: the model's distribution covers thousands of tokens and must
 * give every one a non-zero frequency; with a 2^16 total that floor alone
 * wasted ~0.75% of the output in the reference design. Here the range stays
 * at or above 2^48, so totals up to RC_MAX_TOTAL (2^28) lose less than 2^-20
 * of a bit per symbol to truncation.
 *
 * The encoder appends to a growable buffer with a sticky error flag; the
 * decoder reads a bounded buffer and never reads past it (missing bytes read
 * as zero and are counted, so truncation is detected by the caller).
 */
#ifndef SMIX_RC_H
#define SMIX_RC_H

#include <stddef.h>
#include <stdint.h>

#include "fmath.h"

#define RC_MAX_TOTAL (1u << 28)

typedef struct rc_encoder {
    uint64_t low, range;
    uint8_t *buf;
    size_t len, cap;
    int failed;                 /* sticky: an allocation failed */
} rc_encoder;

void rc_enc_init(rc_encoder *e);
/* Codes the interval [cum, cum+freq) of total (freq >= 1, cum+freq <= total <= RC_MAX_TOTAL). */
void rc_encode(rc_encoder *e, uint32_t cum, uint32_t freq, uint32_t total);
/* Codes nbits (<= 16) raw bits with equal probability. */
void rc_encode_bits(rc_encoder *e, uint32_t value, int nbits);
void rc_enc_finish(rc_encoder *e);   /* flushes; buf[0..len) is the payload */
void rc_enc_free(rc_encoder *e);     /* frees buf */

typedef struct rc_decoder {
    uint64_t low, range, code, r;
    const uint8_t *src;
    size_t len, pos;
    size_t overrun;             /* bytes read past the end */
} rc_decoder;

void rc_dec_init(rc_decoder *d, const uint8_t *src, size_t len);
/* Returns the target value in [0, total) for the next symbol; a damaged
 * stream may give a value >= total, which the caller must treat as corrupt. */
uint32_t rc_decode_target(rc_decoder *d, uint32_t total);
/* Consumes the symbol found for the target: same arguments as rc_encode. */
void rc_decode_update(rc_decoder *d, uint32_t cum, uint32_t freq);
uint32_t rc_decode_bits(rc_decoder *d, int nbits);

/* The cost in bits of coding freq out of total, from the integers given to
 * the coder: log2(total / freq). */
static inline double rc_cost(uint32_t freq, uint32_t total) { return fm_log2d((double)total / (double)freq); }

/* The output the coder has used so far, in bits: the bytes shifted out and
 * the part of the current range already narrowed (8 bytes + 64 -
 * log2(range)). The difference over a symbol is what it really cost: its
 * rc_cost plus the coder's own loss (the truncation of range / total, and
 * the range cut when low straddles a byte boundary). An encoder and a
 * decoder at the same point give the same value; the final flush adds the
 * last 64 - log2(range) bits. */
double rc_enc_spent(const rc_encoder *e);
double rc_dec_spent(const rc_decoder *d);

#endif
