/*
 * vec.c - the dense kernels of vec.h.
 *
 * Written as plain loops over VEC_LANES accumulators so the compiler can
 * vectorise them without changing a single rounding; target_clones builds
 * AVX2 and AVX-512 variants that the loader picks at run time.
 */
#include "vec.h"

#include <string.h>

#include "fmath.h"

#if defined(SMIX_PORTABLE) || !defined(__x86_64__) || !defined(__GNUC__) || defined(__clang__)
#define VEC_CLONES
#else
#define VEC_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif

static double lanes_total(const float *acc)
{
    float t[VEC_LANES];
    for (int i = 0; i < VEC_LANES; i++) t[i] = acc[i];
    for (int w = VEC_LANES / 2; w >= 1; w /= 2)
        for (int i = 0; i < w; i++) t[i] = t[i] + t[i + w];
    return t[0];
}

#define exp_bf fm_exp

VEC_CLONES float vec_max(const float *x, uint32_t n)
{
    float acc[VEC_LANES];
    for (int i = 0; i < VEC_LANES; i++) acc[i] = x[0];
    uint32_t j = 0;
    for (; j + VEC_LANES <= n; j += VEC_LANES)
        for (int i = 0; i < VEC_LANES; i++) acc[i] = x[j + i] > acc[i] ? x[j + i] : acc[i];
    for (; j < n; j++) acc[0] = x[j] > acc[0] ? x[j] : acc[0];
    float m = acc[0];
    for (int i = 1; i < VEC_LANES; i++) m = acc[i] > m ? acc[i] : m;
    return m;
}

/* out[j] = exp(x[j] - sub): a flat loop, which the compiler vectorises */
static inline void exp_into(const float *restrict x, float sub, float *restrict out, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++) out[j] = fm_exp(x[j] - sub);
}

/* A vector of VEC_LANES floats (GCC vector extension): element-wise IEEE
 * operations, lowered to whatever registers the target has, so lane i
 * computes exactly what the scalar loop would. */
typedef float lanes __attribute__((vector_size(VEC_LANES * sizeof(float))));
#pragma GCC diagnostic ignored "-Wpsabi"   /* see LANES_INLINE */

/* Always inlined: an out-of-line helper taking or returning a vector would
 * be shared by the clones with different calling conventions (-Wpsabi). */
#define LANES_INLINE static inline __attribute__((always_inline))

LANES_INLINE lanes lanes_load(const float *p)
{
    lanes v;
    memcpy(&v, p, sizeof v);
    return v;
}

LANES_INLINE double lanes_reduce(lanes v)
{
    float acc[VEC_LANES];
    memcpy(acc, &v, sizeof acc);
    return lanes_total(acc);
}

/* sum of x[j] in VEC_LANES lanes (element j in lane j % VEC_LANES) */
LANES_INLINE double lane_sum(const float *restrict x, uint32_t n)
{
    lanes acc = { 0 };
    uint32_t j = 0;
    for (; j + VEC_LANES <= n; j += VEC_LANES) acc = acc + lanes_load(x + j);
    for (int i = 0; j < n; j++, i++) acc[i] += x[j];
    return lanes_reduce(acc);
}

/* sum of x[j] * (y[j] - sub) in VEC_LANES lanes */
LANES_INLINE double lane_dot(const float *restrict x, const float *restrict y, float sub,
                             uint32_t n)
{
    lanes acc = { 0 }, vs = { 0 };
    vs = vs + sub;
    uint32_t j = 0;
    for (; j + VEC_LANES <= n; j += VEC_LANES)
        acc = acc + lanes_load(x + j) * (lanes_load(y + j) - vs);
    for (int i = 0; j < n; j++, i++) acc[i] += x[j] * (y[j] - sub);
    return lanes_reduce(acc);
}

VEC_CLONES double vec_exp_sum(const float *x, float sub, float *out, uint32_t n)
{
    exp_into(x, sub, out, n);
    return lane_sum(out, n);
}

VEC_CLONES double vec_exp_sum_ent(const float *x, float sub, float *out, uint32_t n, double *sum_xd)
{
    exp_into(x, sub, out, n);
    *sum_xd = lane_dot(out, x, sub, n);
    return lane_sum(out, n);
}

VEC_CLONES double vec_exp_mass(const float *restrict e, const float *restrict x, float k, uint32_t n,
                               float *restrict tmp)
{
    for (uint32_t j = 0; j < n; j++) tmp[j] = e[j] * fm_exp(-(k * x[j]));   /* a flat loop: it vectorises */
    return lane_sum(tmp, n);
}

VEC_CLONES double vec_sum(const float *x, uint32_t n) { return lane_sum(x, n); }

VEC_CLONES void vec_exp_scaled(const float *restrict m, const float *restrict x, float *restrict out, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++) out[j] = m[j] * fm_exp(-x[j]);
}

VEC_CLONES void vec_quantise(const float *e, float k, uint32_t *freq, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++) freq[j] = 1 + (uint32_t)(int32_t)(e[j] * k);
}

/* log(1 + x k) for x >= 0: the argument is >= 1, always normal. */
VEC_CLONES void vec_log1p_scaled(float *x, float k, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++) x[j] = fm_log_normal(1.0f + x[j] * k);
}
