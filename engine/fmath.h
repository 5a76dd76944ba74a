/*
 * fmath.h - the library's own exp/log/tanh-free activations.
 *
 * Why: the decoder must reproduce every number the encoder computed. libm's
 * expf/logf may differ between library versions, CPUs and vector variants,
 * so the model uses these instead. They use only IEEE float add/mul/div and
 * integer bit manipulation, in a fixed order, never fused (the build uses
 * -ffp-contract=off), so scalar and auto-vectorised code give the same bits.
 * Accuracy: relative error about 2e-7 (exp) and 1e-7 absolute (log) over the
 * ranges the model uses; exactness across builds is what matters.
 */
#ifndef SMIX_FMATH_H
#define SMIX_FMATH_H

#include <stdint.h>
#include <string.h>

static inline float fm_bits_to_float(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint32_t fm_float_to_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* e^x, x clamped to [-87, 88]. Branch-free so loops over it vectorise:
 * t = x / ln2 is split as r + f with r = round-to-nearest(t) (the 1.5*2^23
 * trick, exact in the default rounding mode) and f in [-0.5, 0.5]; 2^f is a
 * degree-7 Taylor polynomial of e^(f ln2); 2^r is built in the exponent. */
static inline float fm_exp(float x)
{
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    float t = x * 1.44269504088896341f;
    float big = t + 12582912.0f;
    float f = t - (big - 12582912.0f);
    int32_t n = (int32_t)(fm_float_to_bits(big) & 0x7FFFFFu) - 0x400000;
    float g = f * 0.693147180559945309f;
    float p = 1.0f / 5040.0f;
    p = p * g + 1.0f / 720.0f;
    p = p * g + 1.0f / 120.0f;
    p = p * g + 1.0f / 24.0f;
    p = p * g + 1.0f / 6.0f;
    p = p * g + 0.5f;
    p = p * g + 1.0f;
    p = p * g + 1.0f;
    return p * fm_bits_to_float((uint32_t)(n + 127) << 23);
}

/* natural log for a normal x > 0, branch-free (the mantissa is folded into
 * [sqrt(1/2), sqrt(2)) by a select) so loops over it vectorise. */
static inline float fm_log_normal(float x)
{
    uint32_t u = fm_float_to_bits(x);
    int e = (int)((u >> 23) & 255) - 127;
    float m = fm_bits_to_float((u & 0x007FFFFFu) | 0x3F800000u);  /* [1, 2) */
    int big = m > 1.41421356f;
    m = big ? m * 0.5f : m;
    e += big;
    float f = m - 1.0f;                          /* [-0.293, 0.414] */
    float s = f / (2.0f + f);
    float s2 = s * s;
    float q = 1.0f / 11.0f;
    q = q * s2 + 1.0f / 9.0f;
    q = q * s2 + 1.0f / 7.0f;
    q = q * s2 + 1.0f / 5.0f;
    q = q * s2 + 1.0f / 3.0f;
    q = q * s2 + 1.0f;
    return 2.0f * s * q + (float)e * 0.693147180559945309f;
}

/* natural log, x > 0 (x <= 0 or denormal returns about -87.3). */
static inline float fm_log(float x)
{
    if (!(x >= 1.17549435e-38f)) return -87.3365447f;
    return fm_log_normal(x);
}

static inline float fm_log2(float x) { return fm_log(x) * 1.44269504088896341f; }

/* log2 in double precision (relative error about 1e-16), for a normal
 * x > 0: what the trace records as the cost of a coded symbol. Nothing
 * that reaches the coder uses it. The mantissa m is folded into
 * [sqrt(1/2), sqrt(2)) and ln m = 2 atanh(s), s = (m - 1)/(m + 1),
 * |s| < 0.172, summed to s^21 (the next term is below 1e-17). */
static inline double fm_log2d(double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    int e = (int)((u >> 52) & 2047) - 1023;
    u = (u & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull;   /* [1, 2) */
    double m;
    memcpy(&m, &u, 8);
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e++;
    }
    double s = (m - 1.0) / (m + 1.0), s2 = s * s, q = 1.0 / 21.0;
    for (int k = 19; k >= 1; k -= 2) q = q * s2 + 1.0 / (double)k;
    return (double)e + 2.0 * s * q * 1.4426950408889634074;
}

static inline float fm_sigmoid(float x) { return 1.0f / (1.0f + fm_exp(-x)); }
static inline float fm_silu(float x) { return x * fm_sigmoid(x); }

/* softplus(x) = log(1 + e^x), stable for large |x| */
static inline float fm_softplus(float x)
{
    if (x > 20.0f) return x;
    if (x < -20.0f) return fm_exp(x);
    return fm_log(1.0f + fm_exp(x));
}

/* sqrt is correctly rounded by IEEE 754, so libm's sqrtf is exact everywhere. */
static inline float fm_sqrt(float x) { return __builtin_sqrtf(x); }

/* Deterministic PRNG for weight initialisation (splitmix64). */
static inline uint64_t fm_rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
/* uniform in [-1, 1) from 24 random bits, exact in float */
static inline float fm_rng_uniform(uint64_t *s)
{
    return (float)(int32_t)((fm_rng_next(s) >> 40) & 0xFFFFFF) * (1.0f / 8388608.0f) - 1.0f;
}

#endif /* SMIX_FMATH_H */
