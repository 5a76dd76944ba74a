/*
 * vec.h - dense kernels over the mixer's candidate arrays and the SSM's rows
 * (max, exp-and-sum, quantisation, the PPM blend's log).
 *
 * Every reduction uses VEC_LANES independent accumulators (element j goes to
 * lane j % VEC_LANES) combined in a fixed pairwise tree, and no operation is
 * fused, so the scalar code, its SSE2 auto-vectorisation and the AVX2 /
 * AVX-512 clones chosen at run time all produce identical bits. Built with
 * -DSMIX_PORTABLE there are no clones at all.
 */
#ifndef SMIX_VEC_H
#define SMIX_VEC_H

#include <stdint.h>

#define VEC_LANES 16

/* max of x[0..n), n >= 1 */
float vec_max(const float *x, uint32_t n);
/* out[j] = exp(x[j] - sub); returns the sum of out in lane order. */
double vec_exp_sum(const float *x, float sub, float *out, uint32_t n);
/* Like vec_exp_sum, and also *sum_xd = sum of out[j] * (x[j] - sub). */
double vec_exp_sum_ent(const float *x, float sub, float *out, uint32_t n, double *sum_xd);
/* sum of e[j] exp(-k x[j]) in lane order, through tmp[0..n) (the trace's
 * counterfactuals: a mass with a term k x[j] taken away); k = 0 gives the
 * plain sum of e, as vec_sum does without the exponentials. */
double vec_exp_mass(const float *restrict e, const float *restrict x, float k, uint32_t n, float *restrict tmp);
double vec_sum(const float *x, uint32_t n);
/* out[j] = m[j] exp(-x[j]) */
void vec_exp_scaled(const float *restrict m, const float *restrict x, float *restrict out, uint32_t n);
/* freq[j] = 1 + floor(e[j] * k), for 0 <= e[j] k < 2^31 (the caller sums). */
void vec_quantise(const float *e, float k, uint32_t *freq, uint32_t n);

/* x[j] = log(1 + x[j] k), for x[j] >= 0 and x[j] k finite. */
void vec_log1p_scaled(float *x, float k, uint32_t n);

#endif
