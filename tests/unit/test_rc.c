/*
 * test_rc.c - the 64-bit range coder: exact round trips over the whole range
 * of totals the model uses, a size within 0.01% of the ideal code
 * length (the carry-less range cuts cost about 0.001 bit per symbol), and
 * no read past the end of a truncated stream.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rc.h"

static int pass, fail;
static void check(int cond, const char *name)
{
    printf("%s %s\n", cond ? "PASS" : "FAIL", name);
    if (cond) pass++; else fail++;
}

typedef struct sym { uint32_t cum, freq, total; } sym;

static uint64_t rng(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

/* a symbol of a random total up to RC_MAX_TOTAL, often very likely or very
 * unlikely, as the model's distributions are */
static sym draw(uint64_t *s)
{
    sym y;
    y.total = 2 + (uint32_t)(rng(s) % (RC_MAX_TOTAL - 1));
    switch (rng(s) % 3) {
    case 0: y.freq = 1; break;                                   /* floor */
    case 1: y.freq = y.total - y.total / 64; break;              /* near certain */
    default: y.freq = 1 + (uint32_t)(rng(s) % (y.total - 1)); break;
    }
    y.cum = (uint32_t)(rng(s) % (y.total - y.freq + 1));
    return y;
}

int main(void)
{
    enum { N = 300000 };
    sym *v = malloc(N * sizeof *v);
    uint64_t s = 42;
    double ideal = 0.0;
    rc_encoder e;
    rc_enc_init(&e);
    for (int i = 0; i < N; i++) {
        v[i] = draw(&s);
        ideal += log2((double)v[i].total / v[i].freq);
        rc_encode(&e, v[i].cum, v[i].freq, v[i].total);
        if (i % 7 == 0) rc_encode_bits(&e, (uint32_t)i & 0xFFF, 12);
    }
    rc_enc_finish(&e);
    ideal += (N / 7 + 1) * 12.0;
    check(!e.failed, "encoder buffer grew");
    printf("size %zu bytes, ideal %.0f\n", e.len, ideal / 8);
    check((double)e.len * 8 <= ideal * 1.0001 + 8 * 16, "size within 0.01% + 16 bytes of the ideal code length");

    rc_decoder d;
    rc_dec_init(&d, e.buf, e.len);
    int bad = 0;
    for (int i = 0; i < N && !bad; i++) {
        uint32_t t = rc_decode_target(&d, v[i].total);
        bad = t < v[i].cum || t >= v[i].cum + v[i].freq;
        rc_decode_update(&d, v[i].cum, v[i].freq);
        if (i % 7 == 0) bad |= rc_decode_bits(&d, 12) != ((uint32_t)i & 0xFFF);
    }
    check(!bad, "every symbol decodes to its interval");
    check(d.overrun == 0 && d.pos == e.len, "decoder consumed exactly the stream");

    rc_dec_init(&d, e.buf, e.len / 2);
    for (int i = 0; i < N; i++) {
        rc_decode_target(&d, v[i].total);
        rc_decode_update(&d, v[i].cum, v[i].freq);
    }
    check(d.pos == e.len / 2 && d.overrun > 0, "a truncated stream is noticed, never overread");

    rc_enc_free(&e);
    free(v);
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
