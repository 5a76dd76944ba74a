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
#include <math.h>
#include <string.h>
#include "ssm_internal.h"
#include "fmath.h"

/* Rows below which the head loops stay on one thread: forking costs more. */
#define PAR_MIN_ROWS 4096

void ssm__matvec(float *out, const float *W, const float *x, int nout, int nin)
{
    for (int o = 0; o < nout; o++) out[o] = ssm__dot(W + (size_t)o * nin, x, nin);
}

/* The same dot product as ssm__dot for DM = 32, written out so the compiler
 * keeps the eight lanes in registers; identical operations and order. */
static inline float dot32(const float *a, const float *b)
{
    float acc[8];
    for (int l = 0; l < 8; l++) acc[l] = 0.0f + a[l] * b[l];
    for (int i = 8; i < 32; i += 8)
        for (int l = 0; l < 8; l++) acc[l] += a[i + l] * b[i + l];
    return ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
}

static int nthreads(const ssm *s, uint32_t rows)
{
    return rows >= PAR_MIN_ROWS ? s->threads : 1;
}

/* lg[t][j] = head[j] . xf[t] for j in [from, rows) */
void ssm__head_logits(ssm *s, int t, uint32_t from)
{
    const int DM = s->d.dm;
    const float *x = s->xf + (size_t)t * DM;
    float *lg = s->lg + (size_t)t * s->cap;
    const float *H = s->head;
    long n = (long)s->rows;
    if (DM == 32) {
        #pragma omp parallel for schedule(static) num_threads(nthreads(s, s->rows - from))
        for (long j = from; j < n; j++) lg[j] = dot32(H + (size_t)j * 32, x);
    } else {
        #pragma omp parallel for schedule(static) num_threads(nthreads(s, s->rows - from))
        for (long j = from; j < n; j++) lg[j] = ssm__dot(H + (size_t)j * DM, x, DM);
    }
}

/* All positions, all rows: rows outer so each head row is read once. */
void ssm__head_logits_all(ssm *s)
{
    const int DM = s->d.dm, T = s->d.T;
    const size_t cap = s->cap;
    const float *H = s->head, *X = s->xf;
    float *lg = s->lg;
    long n = (long)s->rows;
    #pragma omp parallel for schedule(static) num_threads(nthreads(s, s->rows))
    for (long j = 0; j < n; j++) {
        const float *hr = H + (size_t)j * DM;
        for (int t = 0; t < T; t++)
            lg[(size_t)t * cap + j] = DM == 32 ? dot32(hr, X + (size_t)t * 32)
                                               : ssm__dot(hr, X + (size_t)t * DM, DM);
    }
}

/* One position: lg (logits) -> (p - q)/T, q = (1-eps)*onehot(tgt) + eps/V.
 * Returns the smoothed cross-entropy -sum_j q_j log p_j. */
static float softmax_grad_row(float *lg, uint32_t V, uint32_t tgt, float eps, float invT)
{
    float mx = lg[0];
    for (uint32_t j = 1; j < V; j++) mx = lg[j] > mx ? lg[j] : mx;
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
    return -(1.0f - eps) * lp_tgt - qo * sum_lp;
}

float ssm__softmax_grad(ssm *s)
{
    const int T = s->d.T;
    const float eps = (float)s->cfg.smooth_milli / 1000.0f, invT = 1.0f / (float)T;
    float loss[256];
    #pragma omp parallel for schedule(static) num_threads(nthreads(s, s->rows))
    for (int t = 0; t < T; t++)
        loss[t] = softmax_grad_row(s->lg + (size_t)t * s->cap, s->rows, s->tgt[t], eps, invT);
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
    memset(s->mark, 0, V);
    for (int t = 0; t < T; t++) {
        const float *g = s->lg + (size_t)t * s->cap;
        for (uint32_t j = 0; j < V; j++) s->mark[j] |= (uint8_t)(g[j] > gthr);
        s->mark[s->tgt[t]] = 1;
    }
    uint32_t n = 0;
    for (uint32_t j = 0; j < V; j++)
        if (s->mark[j]) s->list[n++] = j;
    return n;
}

/* dxf[t] = sum_j g[t][j] * head[j]  (j ascending) */
static void head_dx_dense(ssm *s)
{
    const int DM = s->d.dm, T = s->d.T;
    #pragma omp parallel for schedule(static) num_threads(nthreads(s, s->rows))
    for (int t = 0; t < T; t++) {
        const float *g = s->lg + (size_t)t * s->cap;
        float acc[256];
        for (int k = 0; k < DM; k++) acc[k] = 0.0f;
        for (uint32_t j = 0; j < s->rows; j++) {
            const float *hr = s->head + (size_t)j * DM;
            float gj = g[j];
            for (int k = 0; k < DM; k++) acc[k] += gj * hr[k];
        }
        memcpy(s->dxf + (size_t)t * DM, acc, sizeof(float) * DM);
    }
}

/* ghead[j] = sum_t g[t][j] * xf[t]  (t ascending) for the listed rows */
static void head_dw(ssm *s, const uint32_t *list, long n)
{
    const int DM = s->d.dm, T = s->d.T;
    #pragma omp parallel for schedule(static) num_threads(nthreads(s, (uint32_t)n))
    for (long q = 0; q < n; q++) {
        uint32_t j = list ? list[q] : (uint32_t)q;
        float *gr = s->ghead + (size_t)j * DM;
        for (int k = 0; k < DM; k++) gr[k] = 0.0f;
        for (int t = 0; t < T; t++) {
            float gj = s->lg[(size_t)t * s->cap + j];
            const float *x = s->xf + (size_t)t * DM;
            for (int k = 0; k < DM; k++) gr[k] += gj * x[k];
        }
    }
}

/* Sparse dx: with c = eps/(V*T), the rows outside the list have gradient
 * about -c (their p is below the threshold), so
 *   dxf[t] = sum_{j in list} (g[t][j] + c) head[j] - c * sum_all_j head[j]. */
static void head_dx_sparse(ssm *s, uint32_t n)
{
    const int DM = s->d.dm, T = s->d.T;
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
        const float *g = s->lg + (size_t)t * s->cap;
        float acc[256];
        for (int k = 0; k < DM; k++) acc[k] = 0.0f;
        for (uint32_t q = 0; q < n; q++) {
            uint32_t j = s->list[q];
            const float *hr = s->head + (size_t)j * DM;
            float gj = g[j] + c;
            for (int k = 0; k < DM; k++) acc[k] += gj * hr[k];
        }
        float *dx = s->dxf + (size_t)t * DM;
        for (int k = 0; k < DM; k++) dx[k] = acc[k] - c * S[k];
    }
}

void ssm__head_backward(ssm *s)
{
    if (s->tun.sparse_head) {
        uint32_t n = mark_rows(s);
        head_dx_sparse(s, n);
        head_dw(s, s->list, n);
        s->n_list = n;
    } else {
        head_dx_dense(s);
        head_dw(s, NULL, s->rows);
        s->n_list = s->rows;
    }
}

typedef struct adam_k {
    float lr, b1, b2, eps, a1, a2, scale;
} adam_k;

/* m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * w -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps), g already clipped. */
static void adam_update(float *w, float *m, float *v, const float *g, size_t n, const adam_k *k)
{
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] * k->scale;
        m[i] = k->b1 * m[i] + (1.0f - k->b1) * gi;
        v[i] = k->b2 * v[i] + (1.0f - k->b2) * (gi * gi);
        w[i] -= k->lr * (m[i] * k->a1) / (fm_sqrt(v[i] * k->a2) + k->eps);
    }
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
    for (uint32_t q = 0; q < s->n_list; q++) {
        uint32_t j = s->tun.sparse_head ? s->list[q] : q;
        tot += ssm__dot(s->ghead + (size_t)j * DM, s->ghead + (size_t)j * DM, DM);
    }
    return tot;
}

#define CLIP_NORM 5.0f

void ssm__adam(ssm *s, float lr)
{
    const int DM = s->d.dm;
    float norm = fm_sqrt((float)grad_sumsq(s));
    s->adam_t++;
    s->b1t *= 0.9f;
    s->b2t *= 0.999f;
    adam_k k = { lr, 0.9f, 0.999f, 1e-8f, 1.0f / (1.0f - s->b1t), 1.0f / (1.0f - s->b2t),
                 norm > CLIP_NORM ? CLIP_NORM / norm : 1.0f };
    adam_update(s->p, s->pm, s->pv, s->gp, s->n_trunk, &k);
    for (int q = 0; q < s->n_emb; q++) {
        size_t o = (size_t)s->emb_rows[q] * DM;
        adam_update(s->emb + o, s->emb_m + o, s->emb_v + o, s->gemb + (size_t)q * DM, DM, &k);
    }
    long n = (long)s->n_list;
    #pragma omp parallel for schedule(static) num_threads(nthreads(s, (uint32_t)n))
    for (long q = 0; q < n; q++) {
        size_t o = (size_t)(s->tun.sparse_head ? s->list[q] : (uint32_t)q) * DM;
        adam_update(s->head + o, s->head_m + o, s->head_v + o, s->ghead + o, DM, &k);
    }
    ssm__refresh_A(s);
}
