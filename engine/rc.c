/*
 * rc.c - 64-bit carry-less range coder.
 *
 * Invariant: low + range never exceeds 2^64, so no carry ever propagates
 * into bytes already written. When the top byte of low and low+range agree
 * it is final and is shifted out; when the range falls below 2^48 without
 * that happening (low straddles a byte boundary), the range is cut down to
 * the boundary, wasting a little of it (rare: about once per 2^16 bytes).
 */
#include "rc.h"

#include <stdlib.h>

#define RC_TOP (1ull << 56)
#define RC_BOT (1ull << 48)

void rc_enc_init(rc_encoder *e)
{
    e->low = 0;
    e->range = ~0ull;
    e->buf = NULL;
    e->len = e->cap = 0;
    e->failed = 0;
}

static void enc_put(rc_encoder *e, uint8_t b)
{
    if (e->len == e->cap) {
        size_t ncap = e->cap ? e->cap * 2 : 4096;
        uint8_t *nb = realloc(e->buf, ncap);
        if (!nb) { e->failed = 1; return; }
        e->buf = nb;
        e->cap = ncap;
    }
    e->buf[e->len++] = b;
}

static void enc_normalize(rc_encoder *e)
{
    for (;;) {
        if ((e->low ^ (e->low + e->range)) >= RC_TOP) {
            if (e->range >= RC_BOT) break;
            e->range = (0 - e->low) & (RC_BOT - 1);
        }
        enc_put(e, (uint8_t)(e->low >> 56));
        e->low <<= 8;
        e->range <<= 8;
    }
}

void rc_encode(rc_encoder *e, uint32_t cum, uint32_t freq, uint32_t total)
{
    uint64_t r = e->range / total;
    e->low += r * cum;
    e->range = r * freq;
    enc_normalize(e);
}

void rc_encode_bits(rc_encoder *e, uint32_t value, int nbits)
{
    rc_encode(e, value & ((1u << nbits) - 1), 1, 1u << nbits);
}

void rc_enc_finish(rc_encoder *e)
{
    for (int i = 0; i < 8; i++) {
        enc_put(e, (uint8_t)(e->low >> 56));
        e->low <<= 8;
    }
}

double rc_enc_spent(const rc_encoder *e)
{
    return 8.0 * (double)e->len + 64.0 - fm_log2d((double)e->range);
}

void rc_enc_free(rc_encoder *e)
{
    free(e->buf);
    e->buf = NULL;
    e->len = e->cap = 0;
}

static uint8_t dec_get(rc_decoder *d)
{
    if (d->pos < d->len) return d->src[d->pos++];
    d->overrun++;
    return 0;
}

void rc_dec_init(rc_decoder *d, const uint8_t *src, size_t len)
{
    d->src = src;
    d->len = len;
    d->pos = 0;
    d->overrun = 0;
    d->low = 0;
    d->range = ~0ull;
    d->code = 0;
    d->r = 1;
    for (int i = 0; i < 8; i++) d->code = (d->code << 8) | dec_get(d);
}

uint32_t rc_decode_target(rc_decoder *d, uint32_t total)
{
    d->r = d->range / total;
    uint64_t v = (d->code - d->low) / d->r;
    return v >= total ? total : (uint32_t)v;
}

void rc_decode_update(rc_decoder *d, uint32_t cum, uint32_t freq)
{
    d->low += d->r * cum;
    d->range = d->r * freq;
    for (;;) {
        if ((d->low ^ (d->low + d->range)) >= RC_TOP) {
            if (d->range >= RC_BOT) break;
            d->range = (0 - d->low) & (RC_BOT - 1);
        }
        d->code = (d->code << 8) | dec_get(d);
        d->low <<= 8;
        d->range <<= 8;
    }
}

double rc_dec_spent(const rc_decoder *d)
{
    return 8.0 * ((double)(d->pos + d->overrun) - 8.0) + 64.0 - fm_log2d((double)d->range);
}

uint32_t rc_decode_bits(rc_decoder *d, int nbits)
{
    uint32_t v = rc_decode_target(d, 1u << nbits);
    if (v >= (1u << nbits)) v = (1u << nbits) - 1;
    rc_decode_update(d, v, 1);
    return v;
}
