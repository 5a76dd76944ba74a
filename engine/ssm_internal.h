/*
 * ssm_internal.h - structures shared by ssm.c (API, training driver),
 * ssm_block.c (Mamba blocks, forward/backward) and ssm_head.c (vocabulary
 * head, softmax, Adam). Only these files and tests/unit/test_ssm.c use it.
 *
 * Layout follows llm.c: Config (ssm_dims) + Weights (flat trunk array viewed
 * through ssm_layer, plus growable per-row arrays) + RunState (per-chunk
 * activation caches, allocated once).
 */
#ifndef SMIX_SSM_INTERNAL_H
#define SMIX_SSM_INTERNAL_H

#include <string.h>
#include "ssm.h"

/* Config. NBC = 2*DS+1 is the width of the x-projection output (B, C, dt_in). */
typedef struct ssm_dims {
    int nl, dm, ds, di, dc, nbc, T;
} ssm_dims;

/* One Mamba block's parameters (or their gradients), pointers into a flat
 * array. Shapes are [out][in] row-major. */
typedef struct ssm_layer {
    float *ln_g, *ln_b;  /* [DM] LayerNorm gain/bias */
    float *in_w;         /* [2DI][DM] rows 0..DI-1 give x, DI..2DI-1 give z */
    float *conv_w;       /* [DI][DC] depthwise causal conv, tap DC-1 = current */
    float *conv_b;       /* [DI] */
    float *xp_w;         /* [NBC][DI] rows 0..DS-1 B, DS..2DS-1 C, 2DS dt_in */
    float *dt_w, *dt_b;  /* [DI] */
    float *A_log;        /* [DI][DS] A = -exp(A_log) */
    float *D;            /* [DI] skip */
    float *out_w;        /* [DM][DI] */
} ssm_layer;

/* Activation cache of one layer for the T positions of a chunk. Position t
 * of a [T][n] buffer starts at t*n. */
typedef struct ssm_lcache {
    float *xr;    /* [T][DM]  block input (residual stream) */
    float *mean;  /* [T] */
    float *rstd;  /* [T] */
    float *n;     /* [T][DM]  LayerNorm output */
    float *xz;    /* [T][2DI] in-projection: x = [0,DI), z = [DI,2DI) */
    float *c;     /* [T][DI]  conv output before SiLU */
    float *u;     /* [T][DI]  SiLU(c), the scan input */
    float *bc;    /* [T][NBC] B, C, dt_in */
    float *dtp;   /* [T][DI]  dt_in*dt_w + dt_b */
    float *dt;    /* [T][DI]  softplus(dtp) */
    float *dA;    /* [T][DI*DS] exp(dt*A) */
    float *h;     /* [T][DI*DS] state after position t */
    float *y;     /* [T][DI]  C.h + D*u */
    float *sz;    /* [T][DI]  SiLU(z) */
    float *g;     /* [T][DI]  y*SiLU(z) */
} ssm_lcache;

struct ssm {
    ssm_dims d;
    smix_config cfg;
    uint64_t seed;
    int threads;
    ssm_tuning tun;
    int autotrain;         /* 0: observe never trains (tests) */

    /* ---- Weights ---- */
    size_t n_trunk;        /* floats in the trunk (all layers + final LN) */
    float *p, *gp, *pm, *pv;   /* [n_trunk] params, grads, Adam m, v */
    ssm_layer *L, *GL;     /* [NL] views into p and gp */
    float *lnf_g, *lnf_b, *glnf_g, *glnf_b;  /* [DM] final LayerNorm */
    float *negA;           /* [NL][DI*DS] -exp(A_log), refreshed after updates */

    uint32_t rows, cap;    /* vocabulary rows in use / allocated */
    float *emb, *head;     /* [cap][DM] */
    float *emb_m, *emb_v, *head_m, *head_v;  /* [cap][DM] Adam moments */
    float *ghead;          /* [cap][DM] head gradient */
    uint8_t *mark;         /* [cap] rows touched by the sparse head gradient */
    uint32_t *list;        /* [cap] the touched rows, ascending */
    uint32_t n_list;       /* rows in list (sparse head) */
    const uint32_t *upd;   /* rows Adam updates this step: upd[0..n_upd), NULL = 0..n_upd */
    uint32_t n_upd;
    float *gbg;            /* [cap] sum over t of each row's softmax gradient (rank-1 head) */
    float *xbar;           /* [DM] mean head input of the chunk */

    /* ---- RunState (one chunk) ---- */
    ssm_lcache *C;         /* [NL] */
    float *xL;             /* [T][DM] residual stream after the last block */
    float *meanf, *rstdf;  /* [T] */
    float *xf;             /* [T][DM] final LayerNorm output (head input) */
    float *lg;             /* [T][cap] logits, then softmax gradient in training */
    uint32_t *pred_rows;   /* [T] rows whose logits lg[t] already holds */
    int32_t *in;           /* [T] input row at position t (-1 = start of file) */
    uint32_t *tgt;         /* [T] target row */
    float *h_live, *cv_live;   /* [NL][DI*DS], [NL][DC-1][DI] recurrent state */
    float *h0, *cv0;           /* same, at the chunk start */
    float *h_tmp, *cv_tmp;     /* same, scratch for re-running a chunk */

    /* training scratch */
    float *dres;           /* [T][DM] gradient of the residual stream */
    float *dxf;            /* [T][DM] gradient of the head input */
    float *dxin;           /* [T][DI] gradient of the conv input x */
    float *dh;             /* [DI*DS] gradient of the state, carried backwards */
    float *gemb;           /* [T][DM] embedding gradient per distinct input */
    int32_t *emb_rows;     /* [T] row of each gemb slot */
    int n_emb;
    float *hsum;           /* [DM] sum of all head rows (sparse head) */
    float *rest_p;         /* [T] softmax mass outside the listed rows (sparse head) */
    float *rest_logp;      /* [T] sum of log p over all rows, then over those outside the list */

    int32_t cur_in;        /* input for the next position (-1 = none yet) */
    int pos;               /* positions recorded in the current chunk */
    int stepped;           /* position pos has been run through the trunk */
    uint64_t chunk_index, tokens;
    uint64_t adam_t;       /* Adam steps taken */
    float b1t, b2t;        /* beta1^t, beta2^t */
    float last_loss;
    ssm_stats stats;
};

/* ---- kernels ---- */
/* sum_i a[i]*b[i] in a fixed order: 8 lane accumulators, fixed tree, tail.
 * Any vectorisation of this (SSE2 4 lanes, AVX2 8 lanes) computes the same
 * operations in the same order, so the bits never change. */
static inline float ssm__dot(const float *a, const float *b, int n)
{
    float acc[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) acc[l] += a[i + l] * b[i + l];
    float s = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

/* sum_i a[i] in the same fixed order. */
static inline float ssm__sum(const float *a, int n)
{
    float acc[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) acc[l] += a[i + l];
    float s = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
    for (; i < n; i++) s += a[i];
    return s;
}

/* max of a[0..n), n >= 1, in 8 lanes (max is exact: any order gives the
 * same value; lanes let the loop vectorise). */
static inline float ssm__max(const float *a, int n)
{
    float acc[8];
    for (int l = 0; l < 8; l++) acc[l] = a[0];
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) acc[l] = a[i + l] > acc[l] ? a[i + l] : acc[l];
    for (; i < n; i++) acc[0] = a[i] > acc[0] ? a[i] : acc[0];
    float m = acc[0];
    for (int l = 1; l < 8; l++) m = acc[l] > m ? acc[l] : m;
    return m;
}

/* out[o] = W[o] . x for o < nout (W is [nout][nin]) */
static inline void ssm__matvec(float *out, const float *W, const float *x, int nout, int nin)
{
    for (int o = 0; o < nout; o++) out[o] = ssm__dot(W + (size_t)o * nin, x, nin);
}

/* Hot loops are compiled for AVX-512, AVX2 and baseline x86-64, chosen at
 * run time. They are plain C with no FMA (-ffp-contract=off) and a fixed
 * order, so every variant computes the same bits; SMIX_PORTABLE builds one
 * baseline version. test_ssm compares each kernel with its *_ref twin, a
 * copy of the same body compiled without vectorisation. */
#if defined(SMIX_PORTABLE) || !defined(__x86_64__) || !defined(__GNUC__) || defined(__clang__)
#define SSM_CLONES
#else
#define SSM_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
#if defined(__GNUC__) && !defined(__clang__)
#define SSM_SCALAR __attribute__((optimize("no-tree-vectorize")))
#else
#define SSM_SCALAR
#endif

/* lg[j] = H[j] . x for j in [lo, hi) */
void ssm__k_logits(const float *H, int dm, const float *x, float *lg, long lo, long hi);
void ssm__k_logits_ref(const float *H, int dm, const float *x, float *lg, long lo, long hi);
/* lg[t*cap + j] = H[j] . X[t] for t < T, j in [lo, hi) */
void ssm__k_logits_T(const float *H, int dm, const float *X, int T, float *lg, size_t cap,
                     long lo, long hi);
void ssm__k_logits_T_ref(const float *H, int dm, const float *X, int T, float *lg, size_t cap,
                         long lo, long hi);
/* acc[k] = sum_q (g[q] + c) * H[row_q][k], row_q = list ? list[q] : q, q ascending */
void ssm__k_dx(float *acc, const float *g, float c, const float *H, const uint32_t *list,
               uint32_t n, int dm);
void ssm__k_dx_ref(float *acc, const float *g, float c, const float *H, const uint32_t *list,
                   uint32_t n, int dm);
/* G[row_q] = sum_t lg[t*cap + q] * X[t] (t ascending) for q in [lo, hi) */
void ssm__k_dw(float *G, const float *lg, size_t cap, const float *X, int T, int dm,
               const uint32_t *list, long lo, long hi);
void ssm__k_dw_ref(float *G, const float *lg, size_t cap, const float *X, int T, int dm,
                   const uint32_t *list, long lo, long hi);

/* ---- blocks (ssm_block.c) ---- */
void ssm__layer_map(const ssm_dims *d, float *base, ssm_layer *L, float **lnf_g, float **lnf_b);
size_t ssm__trunk_size(const ssm_dims *d);
void ssm__refresh_A(ssm *s);
void ssm__trunk_init(ssm *s, uint64_t *rng);
/* Runs position t (input row `in`, -1 = zero vector) through the trunk with
 * the recurrent state (h, cv), updating it and writing cache slot t and xf[t]. */
void ssm__trunk_step(ssm *s, int t, int32_t in, float *h, float *cv);
/* Backward through final LN and all blocks for positions 0..T-1, from dxf;
 * accumulates trunk gradients in gp and embedding gradients in gemb. */
void ssm__trunk_backward(ssm *s);

/* ---- head and optimiser (ssm_head.c) ---- */
void ssm__head_logits(ssm *s, int t, uint32_t from);   /* lg[t][from..rows) */
void ssm__head_logits_all(ssm *s);                    /* lg[0..T)[0..rows) */
/* lg -> softmax gradient (p - q)/T in place; returns mean smoothed CE (nats). */
float ssm__softmax_grad(ssm *s);
/* Sparse head, after ssm__softmax_grad: lists the rows with p > head_thr at
 * some position or a target, records the mass outside them, and compacts
 * lg[t] to the listed rows (lg[t][q] = gradient of row list[q]). */
void ssm__sparse_select(ssm *s);
/* Sparse head, later iterations: logits of the listed rows only, the mass
 * outside them taken as fixed from the first iteration. Leaves compact
 * gradients in lg; returns the (approximate) loss. */
float ssm__softmax_grad_sparse(ssm *s);
/* dxf and the head gradient from lg: dense (all rows) or compact (listed). */
void ssm__head_backward(ssm *s);
/* Clips the global gradient norm and applies one Adam step. */
void ssm__adam(ssm *s, float lr);

/* ---- driver (ssm.c), for tests ---- */
/* Forward + backward over the recorded full chunk (pos == T) from the chunk
 * start state; leaves gradients in gp/gemb/ghead. Returns the loss. */
float ssm__loss_grad(ssm *s, int it);
/* Forward only: the loss of the recorded chunk with the current weights. */
float ssm__loss(ssm *s);

#endif /* SMIX_SSM_INTERNAL_H */
