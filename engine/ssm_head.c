/*
 * ssm_head.c - the vocabulary side of the smix SSM: fixed-order kernels,
 * the head projection (rows x DM), softmax cross-entropy with label
 * smoothing, the head backward pass and the Adam optimiser.
 *
 * This is where the time goes (rows grow to ~10K): every loop over rows is
 * parallel over independent rows or positions only, and every reduction has
 * an order fixed by the code (8 lane accumulators combined in a fixed tree,
 * or a serial loop), so results do not depend on the thread count or on how
 * the compiler vectorises. The build uses -ffp-contract=off: no FMA.
 */
#include <string.h>
#include "ssm_internal.h"
#include "fmath.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* For DM = 32 the kernels use GCC vector extensions of 8 floats (one AVX
 * register, two SSE2 registers): element-wise IEEE mul/add, the same
 * operations in the same order as the scalar lane code of ssm__dot. */
#pragma GCC diagnostic ignored "-Wpsabi"   /* v8f stays inside this file */
typedef float v8f __attribute__((vector_size(32)));

static inline __attribute__((always_inline)) v8f ld8(const float *p)
{
    v8f v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline __attribute__((always_inline)) void st8(float *p, v8f v) { memcpy(p, &v, sizeof(v)); }

/* == ssm__dot(a, b, 32): lane l sums a[l+8i]*b[l+8i] for i = 0..3 in order,
 * then the fixed tree. */
static inline __attribute__((always_inline)) float dot32(const float *a, const float *b)
{
    v8f z = { 0, 0, 0, 0, 0, 0, 0, 0 };
    v8f acc = z + ld8(a) * ld8(b);
    acc += ld8(a + 8) * ld8(b + 8);
    acc += ld8(a + 16) * ld8(b + 16);
    acc += ld8(a + 24) * ld8(b + 24);
    return ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
}

static inline __attribute__((always_inline)) float dotdm(const float *a, const float *b, int dm)
{
    return dm == 32 ? dot32(a, b) : ssm__dot(a, b, dm);
}

/* ---- kernels: one body, a dispatched clone and a scalar reference ---- */

static inline __attribute__((always_inline)) void logits_body(const float *H, int dm, const float *x, float *lg, long lo, long hi)
{
    for (long j = lo; j < hi; j++) lg[j] = dotdm(H + (size_t)j * dm, x, dm);
}
SSM_CLONES void ssm__k_logits(const float *H, int dm, const float *x, float *lg, long lo, long hi)
{ logits_body(H, dm, x, lg, lo, hi); }
SSM_SCALAR void ssm__k_logits_ref(const float *H, int dm, const float *x, float *lg, long lo, long hi)
{ logits_body(H, dm, x, lg, lo, hi); }

static inline __attribute__((always_inline)) void logits_T_body(const float *H, int dm, const float *X, int T, float *lg,
                                 size_t cap, long lo, long hi)
{
    for (long j = lo; j < hi; j++)
        for (int t = 0; t < T; t++)
            lg[(size_t)t * cap + j] = dotdm(H + (size_t)j * dm, X + (size_t)t * dm, dm);
}
SSM_CLONES void ssm__k_logits_T(const float *H, int dm, const float *X, int T, float *lg,
                                size_t cap, long lo, long hi)
{ logits_T_body(H, dm, X, T, lg, cap, lo, hi); }
SSM_SCALAR void ssm__k_logits_T_ref(const float *H, int dm, const float *X, int T, float *lg,
                                    size_t cap, long lo, long hi)
{ logits_T_body(H, dm, X, T, lg, cap, lo, hi); }

static inline __attribute__((always_inline)) void dx_body(float *acc, const float *g, float c, const float *H,
                           const uint32_t *list, uint32_t n, int dm)
{
    if (dm == 32) {   /* acc[k] += gq * hr[k], q ascending, in registers */
        v8f z = { 0, 0, 0, 0, 0, 0, 0, 0 }, a0 = z, a1 = z, a2 = z, a3 = z;
        for (uint32_t q = 0; q < n; q++) {
            const float *hr = H + (size_t)(list ? list[q] : q) * 32;
            float gq = g[q] + c;
            a0 += gq * ld8(hr);
            a1 += gq * ld8(hr + 8);
            a2 += gq * ld8(hr + 16);
            a3 += gq * ld8(hr + 24);
        }
        st8(acc, a0); st8(acc + 8, a1); st8(acc + 16, a2); st8(acc + 24, a3);
        return;
    }
    float tmp[256];
    for (int k = 0; k < dm; k++) tmp[k] = 0.0f;
    for (uint32_t q = 0; q < n; q++) {
        const float *hr = H + (size_t)(list ? list[q] : q) * dm;
        float gq = g[q] + c;
        for (int k = 0; k < dm; k++) tmp[k] += gq * hr[k];
    }
    memcpy(acc, tmp, sizeof(float) * (size_t)dm);
}
SSM_CLONES void ssm__k_dx(float *acc, const float *g, float c, const float *H,
                          const uint32_t *list, uint32_t n, int dm)
{ dx_body(acc, g, c, H, list, n, dm); }
SSM_SCALAR void ssm__k_dx_ref(float *acc, const float *g, float c, const float *H,
                              const uint32_t *list, uint32_t n, int dm)
{ dx_body(acc, g, c, H, list, n, dm); }

static inline __attribute__((always_inline)) void dw_body(float *G, const float *lg, size_t cap, const float *X, int T, int dm,
                           const uint32_t *list, long lo, long hi)
{
    for (long q = lo; q < hi; q++) {
        float *gr = G + (size_t)(list ? list[q] : (uint32_t)q) * dm;
        if (dm == 32) {   /* gr[k] = sum_t g[t][q] * x[t][k], t ascending */
            v8f z = { 0, 0, 0, 0, 0, 0, 0, 0 }, a0 = z, a1 = z, a2 = z, a3 = z;
            for (int t = 0; t < T; t++) {
                float gq = lg[(size_t)t * cap + q];
                const float *x = X + (size_t)t * 32;
                a0 += gq * ld8(x);
                a1 += gq * ld8(x + 8);
                a2 += gq * ld8(x + 16);
                a3 += gq * ld8(x + 24);
            }
            st8(gr, a0); st8(gr + 8, a1); st8(gr + 16, a2); st8(gr + 24, a3);
            continue;
        }
        float tmp[256];
        for (int k = 0; k < dm; k++) tmp[k] = 0.0f;
        for (int t = 0; t < T; t++) {
            float gq = lg[(size_t)t * cap + q];
            const float *x = X + (size_t)t * dm;
            for (int k = 0; k < dm; k++) tmp[k] += gq * x[k];
        }
        memcpy(gr, tmp, sizeof(float) * (size_t)dm);
    }
}
SSM_CLONES void ssm__k_dw(float *G, const float *lg, size_t cap, const float *X, int T, int dm,
                          const uint32_t *list, long lo, long hi)
{ dw_body(G, lg, cap, X, T, dm, list, lo, hi); }
SSM_SCALAR void ssm__k_dw_ref(float *G, const float *lg, size_t cap, const float *X, int T, int dm,
                              const uint32_t *list, long lo, long hi)
{ dw_body(G, lg, cap, X, T, dm, list, lo, hi); }

static int nthreads(const ssm *s, uint32_t rows)
{
    return rows >= s->tun.par_min_rows ? s->threads : 1;
}

/* This thread's share of [lo, hi): contiguous, fixed by thread id. Which
 * thread computes a row never changes the row's value. */
static void thread_range(long lo, long hi, long *a, long *b)
{
#ifdef _OPENMP
    long id = omp_get_thread_num(), nt = omp_get_num_threads();
#else
    long id = 0, nt = 1;
#endif
    *a = lo + (hi - lo) * id / nt;
    *b = lo + (hi - lo) * (id + 1) / nt;
}

/* lg[t][j] = head[j] . xf[t] for j in [from, rows) */
void ssm__head_logits(ssm *s, int t, uint32_t from)
{
    const int DM = s->d.dm;
    const float *x = s->xf + (size_t)t * DM;
    float *lg = s->lg + (size_t)t * s->cap;
    int nt = nthreads(s, s->rows - from);
    if (nt == 1) {
        ssm__k_logits(s->head, DM, x, lg, from, s->rows);
        return;
    }
    #pragma omp parallel num_threads(nt)
    {
        long a, b;
        thread_range(from, s->rows, &a, &b);
        ssm__k_logits(s->head, DM, x, lg, a, b);
    }
}

/* All positions, all rows: rows outer so each head row is read once. */
void ssm__head_logits_all(ssm *s)
{
    #pragma omp parallel num_threads(nthreads(s, s->rows))
    {
        long a, b;
        thread_range(0, s->rows, &a, &b);
        ssm__k_logits_T(s->head, s->d.dm, s->xf, s->d.T, s->lg, s->cap, a, b);
    }
}

/* One position: lg (logits) -> (p - q)/T, q = (1-eps)*onehot(tgt) + eps/V.
 * Returns the smoothed cross-entropy -sum_j q_j log p_j. */
SSM_CLONES static float softmax_grad_row(float *lg, uint32_t V, uint32_t tgt, float eps, float invT,
                              float *sum_logp)
{
    float mx = ssm__max(lg, (int)V);
    float suml = ssm__sum(lg, (int)V);
    float ltgt = lg[tgt];
    for (uint32_t j = 0; j < V; j++) lg[j] = fm_exp(lg[j] - mx);
    float z = ssm__sum(lg, (int)V);
    float logz = fm_log(z), inv = 1.0f / z, qo = eps / (float)V;
    for (uint32_t j = 0; j < V; j++) lg[j] = (lg[j] * inv - qo) * invT;
    lg[tgt] -= (1.0f - eps) * invT;
    /* log p_j = l_j - mx - log z */
    float lp_tgt = ltgt - mx - logz;
    float sum_lp = (suml - (float)V * mx) - (float)V * logz;
    *sum_logp = sum_lp;
    return -(1.0f - eps) * lp_tgt - qo * sum_lp;
}

float ssm__softmax_grad(ssm *s)
{
    const int T = s->d.T;
    const float eps = (float)s->cfg.smooth_milli / 1000.0f, invT = 1.0f / (float)T;
    float loss[256];
    #pragma omp parallel for schedule(static) num_threads(nthreads(s, s->rows))
    for (int t = 0; t < T; t++)
        loss[t] = softmax_grad_row(s->lg + (size_t)t * s->cap, s->rows, s->tgt[t], eps, invT,
                                   &s->rest_logp[t]);
    float sum = 0.0f;
    for (int t = 0; t < T; t++) sum += loss[t];
    return sum * invT;
}

/* Rows that get a head gradient in sparse mode: any position's p_j above
 * head_thr, or a target. Collected in ascending order. */
static uint32_t mark_rows(ssm *s)
{
    const int T = s->d.T;
    const float eps = (float)s->cfg.smooth_milli / 1000.0f;
    const float gthr = (s->tun.head_thr - eps / (float)s->rows) / (float)T;
    const uint32_t V = s->rows;
    uint8_t *mark = s->mark;
    memset(mark, 0, V);
    for (int t = 0; t < T; t++) {
        const float *g = s->lg + (size_t)t * s->cap;
        for (uint32_t j = 0; j < V; j++) mark[j] |= (uint8_t)(g[j] > gthr);
        mark[s->tgt[t]] = 1;
    }
    uint32_t n = 0;
    for (uint32_t j = 0; j < V; j++)
        if (mark[j]) s->list[n++] = j;
    return n;
}

void ssm__sparse_select(ssm *s)
{
    const int T = s->d.T;
    const float eps = (float)s->cfg.smooth_milli / 1000.0f, qo = eps / (float)s->rows;
    uint32_t n = mark_rows(s);
    s->n_list = n;
    if (s->tun.sparse_head == 2) {   /* gbg[j] = sum_t g[t][j], t ascending */
        memset(s->gbg, 0, sizeof(float) * s->rows);
        for (int t = 0; t < T; t++) {
            const float *g = s->lg + (size_t)t * s->cap;
            for (uint32_t j = 0; j < s->rows; j++) s->gbg[j] += g[j];
        }
    }
    #pragma omp parallel for schedule(static) num_threads(nthreads(s, s->rows))
    for (int t = 0; t < T; t++) {
        float *g = s->lg + (size_t)t * s->cap;
        /* p_j = g_j*T + eps/V (+ (1-eps) at the target); the mass and the
         * log-probabilities outside the list are the totals minus the list */
        float pin = 0.0f, lin = 0.0f;
        for (uint32_t q = 0; q < n; q++) {
            uint32_t j = s->list[q];
            float pj = g[j] * (float)T + qo + (j == s->tgt[t] ? 1.0f - eps : 0.0f);
            pin += pj;
            lin += fm_log(pj);
            g[q] = g[j];                  /* compact: list[q] >= q */
        }
        float rp = 1.0f - pin;
        s->rest_p[t] = rp > 0.0f ? rp : 0.0f;
        s->rest_logp[t] -= lin;
    }
}

/* One position of a later sparse iteration: listed-row logits l_q, then
 * p_q = softmax_q(l) * (1 - rest_p) and the smoothed-CE gradient. */
SSM_CLONES static float sparse_row(ssm *s, int t, const uint32_t *where_tgt)
{
    const int DM = s->d.dm, T = s->d.T;
    const uint32_t n = s->n_list;
    const float eps = (float)s->cfg.smooth_milli / 1000.0f, qo = eps / (float)s->rows;
    const float invT = 1.0f / (float)T;
    const float *x = s->xf + (size_t)t * DM;
    float *g = s->lg + (size_t)t * s->cap;
    for (uint32_t q = 0; q < n; q++) g[q] = ssm__dot(s->head + (size_t)s->list[q] * DM, x, DM);
    float mx = g[0];
    for (uint32_t q = 1; q < n; q++) mx = g[q] > mx ? g[q] : mx;
    float suml = ssm__sum(g, (int)n), ltgt = g[where_tgt[t]];
    for (uint32_t q = 0; q < n; q++) g[q] = fm_exp(g[q] - mx);
    float keep = 1.0f - s->rest_p[t];
    keep = keep > 1e-6f ? keep : 1e-6f;
    float zu = ssm__sum(g, (int)n), sc = keep / zu, logk = fm_log(zu) - fm_log(keep);
    for (uint32_t q = 0; q < n; q++) g[q] = (g[q] * sc - qo) * invT;
    g[where_tgt[t]] -= (1.0f - eps) * invT;
    /* log p_q = l_q - mx - log(zu / keep) */
    float lp_tgt = ltgt - mx - logk;
    float sum_lp = (suml - (float)n * mx) - (float)n * logk + s->rest_logp[t];
    return -(1.0f - eps) * lp_tgt - qo * sum_lp;
}

float ssm__softmax_grad_sparse(ssm *s)
{
    const int T = s->d.T;
    uint32_t where[256];   /* position of each target in the list */
    for (int t = 0; t < T; t++) {
        uint32_t lo = 0, hi = s->n_list;   /* the list is ascending, targets are in it */
        while (lo + 1 < hi) {
            uint32_t mid = (lo + hi) / 2;
            if (s->list[mid] <= s->tgt[t]) lo = mid; else hi = mid;
        }
        where[t] = lo;
    }
    float loss[256];
    #pragma omp parallel for schedule(static) num_threads(nthreads(s, s->n_list * 4))
    for (int t = 0; t < T; t++) loss[t] = sparse_row(s, t, where);
    float sum = 0.0f;
    for (int t = 0; t < T; t++) sum += loss[t];
    return sum / (float)T;
}

/* dxf[t] = sum_j g[t][j] * head[j] (j ascending): dense, all rows */
static void head_dx_dense(ssm *s)
{
    const int DM = s->d.dm, T = s->d.T;
    #pragma omp parallel for schedule(static) num_threads(nthreads(s, s->rows))
    for (int t = 0; t < T; t++)
        ssm__k_dx(s->dxf + (size_t)t * DM, s->lg + (size_t)t * s->cap, 0.0f, s->head, NULL,
                  s->rows, DM);
}

/* ghead[row] = sum_t g[t][q] * xf[t] (t ascending); row = list[q], or q
 * when dense. */
static void head_dw(ssm *s, const uint32_t *list, long n)
{
    #pragma omp parallel num_threads(nthreads(s, (uint32_t)n))
    {
        long a, b;
        thread_range(0, n, &a, &b);
        ssm__k_dw(s->ghead, s->lg, s->cap, s->xf, s->d.T, s->d.dm, list, a, b);
    }
}

/* Sparse dx: with c = eps/(V*T), the rows outside the list have gradient
 * about -c (their p is below the threshold), so
 *   dxf[t] = sum_q (g[t][q] + c) head[list[q]] - c * sum_all_j head[j]. */
static void head_dx_sparse(ssm *s)
{
    const int DM = s->d.dm, T = s->d.T;
    const uint32_t n = s->n_list;
    const float eps = (float)s->cfg.smooth_milli / 1000.0f;
    const float c = eps / (float)s->rows / (float)T;
    float *S = s->hsum;
    for (int k = 0; k < DM; k++) S[k] = 0.0f;
    for (uint32_t j = 0; j < s->rows; j++) {
        const float *hr = s->head + (size_t)j * DM;
        for (int k = 0; k < DM; k++) S[k] += hr[k];
    }
    #pragma omp parallel for schedule(static) num_threads(nthreads(s, n * 4))
    for (int t = 0; t < T; t++) {
        float *dx = s->dxf + (size_t)t * DM;
        ssm__k_dx(dx, s->lg + (size_t)t * s->cap, c, s->head, s->list, n, DM);
        for (int k = 0; k < DM; k++) dx[k] = dx[k] - c * S[k];
    }
}

/* Rank-1 head gradient for the rows outside the list: their softmax
 * gradient g[t][j] is taken as its chunk mean gbg[j]/T at every position, so
 *   ghead[j] = gbg[j] * xbar,  xbar = mean_t xf[t]
 *   dxf[t]  = sum_{q in list} g[t][q] head[list[q]] + (1/T) sum_{j not listed} gbg[j] head[j].
 * O(V*DM) per step instead of O(T*V*DM); every row keeps learning. */
static void head_backward_rank1(ssm *s)
{
    const int DM = s->d.dm, T = s->d.T;
    const float invT = 1.0f / (float)T;
    float *xbar = s->xbar, *Q = s->hsum;
    for (int k = 0; k < DM; k++) xbar[k] = 0.0f;
    for (int t = 0; t < T; t++)
        for (int k = 0; k < DM; k++) xbar[k] += s->xf[(size_t)t * DM + k];
    for (int k = 0; k < DM; k++) xbar[k] *= invT;
    for (int k = 0; k < DM; k++) Q[k] = 0.0f;
    for (uint32_t j = 0; j < s->rows; j++) {
        float gj = s->mark[j] ? 0.0f : s->gbg[j] * invT;
        const float *hr = s->head + (size_t)j * DM;
        for (int k = 0; k < DM; k++) Q[k] += gj * hr[k];
    }
    #pragma omp parallel for schedule(static) num_threads(nthreads(s, s->n_list * 4))
    for (int t = 0; t < T; t++) {
        float *dx = s->dxf + (size_t)t * DM;
        ssm__k_dx(dx, s->lg + (size_t)t * s->cap, 0.0f, s->head, s->list, s->n_list, DM);
        for (int k = 0; k < DM; k++) dx[k] = dx[k] + Q[k];
    }
    head_dw(s, s->list, s->n_list);
    /* the rank-1 rows' gradients gbg[j] * xbar are formed where they are
     * used (head_grad_row), never stored: Adam streams less memory */
}

void ssm__head_backward(ssm *s)
{
    if (s->tun.sparse_head == 2) {
        head_backward_rank1(s);
        s->upd = NULL;
        s->n_upd = s->rows;
    } else if (s->tun.sparse_head) {
        head_dx_sparse(s);
        head_dw(s, s->list, s->n_list);
        s->upd = s->list;
        s->n_upd = s->n_list;
    } else {
        head_dx_dense(s);
        head_dw(s, NULL, s->rows);
        s->upd = NULL;
        s->n_upd = s->rows;
    }
}

typedef struct adam_k {
    float lr, b1, b2, eps, a1, a2, scale;
} adam_k;

/* m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * w -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps), g already clipped. */
SSM_CLONES static void adam_update(float *restrict w, float *restrict m, float *restrict v,
                                   const float *restrict g, size_t n, const adam_k *k)
{
    const float lr = k->lr, b1 = k->b1, b2 = k->b2, eps = k->eps, a1 = k->a1, a2 = k->a2;
    const float scale = k->scale, c1 = 1.0f - b1, c2 = 1.0f - b2;
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] * scale;
        m[i] = b1 * m[i] + c1 * gi;
        v[i] = b2 * v[i] + c2 * (gi * gi);
        w[i] -= lr * (m[i] * a1) / (fm_sqrt(v[i] * a2) + eps);
    }
}

/* Row j of the head gradient: stored, or the rank-1 row formed in tmp. */
static inline const float *head_grad_row(const ssm *s, uint32_t j, float *tmp)
{
    const int DM = s->d.dm;
    if (s->tun.sparse_head != 2 || s->mark[j]) return s->ghead + (size_t)j * DM;
    for (int k = 0; k < DM; k++) tmp[k] = s->gbg[j] * s->xbar[k];
    return tmp;
}

/* Squared gradient norm in a fixed order: trunk, embedding slots, head rows
 * in the order they are listed. */
static double grad_sumsq(const ssm *s)
{
    const int DM = s->d.dm;
    double tot = 0.0;
    for (size_t i = 0; i < s->n_trunk; i += 4096) {
        size_t n = s->n_trunk - i < 4096 ? s->n_trunk - i : 4096;
        tot += ssm__dot(s->gp + i, s->gp + i, (int)n);
    }
    for (int q = 0; q < s->n_emb; q++)
        tot += ssm__dot(s->gemb + (size_t)q * DM, s->gemb + (size_t)q * DM, DM);
    float tmp[256];
    for (uint32_t q = 0; q < s->n_upd; q++) {
        const float *g = head_grad_row(s, s->upd ? s->upd[q] : q, tmp);
        tot += ssm__dot(g, g, DM);
    }
    return tot;
}

#define CLIP_NORM 5.0f

void ssm__adam(ssm *s, float lr)
{
    const int DM = s->d.dm;
    float norm = fm_sqrt((float)grad_sumsq(s));
    s->adam_t++;
    /* adam_no_momentum (format 10): beta1 = 0, each step follows its own
     * gradient scaled by the second moment (NNCP's setting; docs/model.md,
     * session 10) */
    const float beta1 = s->cfg.adam_no_momentum ? 0.0f : 0.9f;
    s->b1t *= beta1;
    s->b2t *= 0.999f;
    adam_k k = { lr, beta1, 0.999f, 1e-8f, 1.0f / (1.0f - s->b1t), 1.0f / (1.0f - s->b2t),
                 norm > CLIP_NORM ? CLIP_NORM / norm : 1.0f };
    adam_update(s->p, s->pm, s->pv, s->gp, s->n_trunk, &k);
    for (int q = 0; q < s->n_emb; q++) {
        size_t o = (size_t)s->emb_rows[q] * DM;
        adam_update(s->emb + o, s->emb_m + o, s->emb_v + o, s->gemb + (size_t)q * DM, DM, &k);
    }
    long n = (long)s->n_upd;
    #pragma omp parallel for schedule(static) num_threads(nthreads(s, (uint32_t)n))
    for (long q = 0; q < n; q++) {
        uint32_t j = s->upd ? s->upd[q] : (uint32_t)q;
        size_t o = (size_t)j * DM;
        float tmp[256];
        adam_update(s->head + o, s->head_m + o, s->head_v + o, head_grad_row(s, j, tmp), DM, &k);
    }
    ssm__refresh_A(s);
}
