/*
 * ssm.c - public side of the smix SSM: creation, growable vocabulary rows,
 * the predict/observe cycle and the per-chunk training driver.
 *
 * Cycle: ssm_predict runs the current input through the trunk (one step of
 * the recurrence, activations cached in slot `pos` of the chunk) and the
 * head. ssm_observe records the target, queues the next input and, once
 * `chunk` positions are recorded, runs a few Adam steps on them:
 *   iteration 1 reuses the prediction-time activations and logits (they are
 *   exactly what a fresh forward pass would compute; only rows added later
 *   in the chunk need their logits), later iterations recompute them from
 *   the chunk-start state.
 * The recurrent state carried into the next chunk is the one computed while
 * predicting (old weights). Re-running the chunk with the new weights to
 * refresh it (tuning knob refresh_state) costs one more trunk pass per token
 * and measured no better (enwik8 prefix, tools/ssm_bench: 4.2054 vs 4.2299
 * bits/token at 20K tokens, 4.8511 vs 4.8525 at 40K), so it is off.
 */
#include <stdlib.h>
#include <string.h>
#include "ssm_internal.h"
#include "fmath.h"

static void *xalloc(ssm *s, size_t n, int *fail)
{
    (void)s;
    void *p = calloc(n ? n : 1, 1);
    if (!p) *fail = 1;
    return p;
}

static size_t runstate_bytes_per_layer(const ssm_dims *d)
{
    size_t T = (size_t)d->T;
    return sizeof(float) * T * ((size_t)2 * d->dm + 2 + (size_t)2 * d->di + 7 * (size_t)d->di
                                + d->nbc + (size_t)2 * d->di * d->ds);
}

static void alloc_cache(ssm *s, ssm_lcache *c, int *fail)
{
    const ssm_dims *d = &s->d;
    float *q = xalloc(s, runstate_bytes_per_layer(d), fail);
    if (!q) return;
    size_t T = (size_t)d->T;
    c->xr = q;   q += T * d->dm;
    c->mean = q; q += T;
    c->rstd = q; q += T;
    c->n = q;    q += T * d->dm;
    c->xz = q;   q += T * 2 * d->di;
    c->c = q;    q += T * d->di;
    c->u = q;    q += T * d->di;
    c->bc = q;   q += T * d->nbc;
    c->dtp = q;  q += T * d->di;
    c->dt = q;   q += T * d->di;
    c->dA = q;   q += T * d->di * d->ds;
    c->h = q;    q += T * d->di * d->ds;
    c->y = q;    q += T * d->di;
    c->sz = q;   q += T * d->di;
    c->g = q;
}

static int dims_from_config(ssm_dims *d, const smix_config *cfg)
{
    d->nl = cfg->n_layers;
    d->dm = cfg->d_model;
    d->ds = cfg->d_state;
    d->di = cfg->d_inner;
    d->dc = cfg->d_conv;
    d->nbc = 2 * d->ds + 1;
    d->T = cfg->chunk;
    return d->nl && d->dm && d->ds && d->di && d->dc && d->T && d->nbc <= 256;
}

static int alloc_fixed(ssm *s)
{
    const ssm_dims *d = &s->d;
    int fail = 0;
    size_t nt = s->n_trunk, T = (size_t)d->T, hs = (size_t)d->nl * d->di * d->ds;
    size_t cs = (size_t)d->nl * (d->dc - 1) * d->di;
    s->p = xalloc(s, 4 * nt * sizeof(float), &fail);
    if (fail) return -1;
    s->gp = s->p + nt; s->pm = s->gp + nt; s->pv = s->pm + nt;
    s->L = xalloc(s, 2 * (size_t)d->nl * sizeof(ssm_layer), &fail);
    s->C = xalloc(s, (size_t)d->nl * sizeof(ssm_lcache), &fail);
    s->negA = xalloc(s, hs * sizeof(float), &fail);
    s->xL = xalloc(s, T * d->dm * sizeof(float), &fail);
    s->xf = xalloc(s, T * d->dm * sizeof(float), &fail);
    s->meanf = xalloc(s, 2 * T * sizeof(float), &fail);
    s->pred_rows = xalloc(s, T * sizeof(uint32_t), &fail);
    s->in = xalloc(s, T * sizeof(int32_t), &fail);
    s->tgt = xalloc(s, T * sizeof(uint32_t), &fail);
    s->h_live = xalloc(s, 3 * (hs + cs) * sizeof(float), &fail);
    s->dres = xalloc(s, 2 * T * d->dm * sizeof(float), &fail);
    s->dxin = xalloc(s, T * d->di * sizeof(float), &fail);
    s->dh = xalloc(s, (size_t)d->di * d->ds * sizeof(float), &fail);
    s->gemb = xalloc(s, T * d->dm * sizeof(float), &fail);
    s->emb_rows = xalloc(s, T * sizeof(int32_t), &fail);
    s->hsum = xalloc(s, 2 * (size_t)d->dm * sizeof(float), &fail);
    s->rest_p = xalloc(s, 2 * T * sizeof(float), &fail);
    if (fail) return -1;
    for (int l = 0; l < d->nl; l++) {
        alloc_cache(s, &s->C[l], &fail);
        if (fail) return -1;
    }
    s->GL = s->L + d->nl;
    s->rstdf = s->meanf + T;
    s->cv_live = s->h_live + hs;
    s->h0 = s->cv_live + cs; s->cv0 = s->h0 + hs;
    s->h_tmp = s->cv0 + cs;  s->cv_tmp = s->h_tmp + hs;
    s->dxf = s->dres + T * d->dm;
    s->rest_logp = s->rest_p + T;
    s->xbar = s->hsum + d->dm;
    return 0;
}

ssm *ssm_create(const smix_config *cfg, uint64_t seed)
{
    if (!cfg) return NULL;
    ssm *s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    s->cfg = *cfg;
    s->seed = seed;
    s->threads = 1;
    s->autotrain = 1;
    s->tun.reuse_pred = 1;
    s->tun.refresh_state = 0;
    s->tun.sparse_head = 0;
    s->tun.sparse_fwd = 1;
    s->tun.head_thr = 1e-4f;
    s->tun.par_min_rows = 4096;
    s->cur_in = -1;
    s->b1t = s->b2t = 1.0f;
    if (!dims_from_config(&s->d, cfg)) { free(s); return NULL; }
    s->n_trunk = ssm__trunk_size(&s->d);
    if (alloc_fixed(s) < 0) { ssm_free(s); return NULL; }
    ssm__layer_map(&s->d, s->p, s->L, &s->lnf_g, &s->lnf_b);
    ssm__layer_map(&s->d, s->gp, s->GL, &s->glnf_g, &s->glnf_b);
    uint64_t rng = seed ^ 0x5EEDC0DE5EEDC0DEull;
    ssm__trunk_init(s, &rng);
    ssm__refresh_A(s);
    return s;
}

static void free_rows(ssm *s)
{
    free(s->emb); free(s->head); free(s->emb_m); free(s->emb_v);
    free(s->head_m); free(s->head_v); free(s->ghead); free(s->mark);
    free(s->list); free(s->lg); free(s->gbg);
}

void ssm_free(ssm *s)
{
    if (!s) return;
    free_rows(s);
    if (s->C)
        for (int l = 0; l < s->d.nl; l++) free(s->C[l].xr);
    free(s->p); free(s->L); free(s->C); free(s->negA); free(s->xL); free(s->xf);
    free(s->meanf); free(s->pred_rows); free(s->in); free(s->tgt); free(s->h_live);
    free(s->dres); free(s->dxin); free(s->dh); free(s->gemb);
    free(s->emb_rows); free(s->hsum); free(s->rest_p);
    free(s);
}

void ssm_set_threads(ssm *s, int n)
{
    s->threads = n < 1 ? 1 : n;
}

uint32_t ssm_rows(const ssm *s) { return s->rows; }

void ssm_get_tuning(const ssm *s, ssm_tuning *t) { *t = s->tun; }
void ssm_get_stats(const ssm *s, ssm_stats *st) { *st = s->stats; }
void ssm_set_tuning(ssm *s, const ssm_tuning *t) { s->tun = *t; }

/* Per-row arrays of the old capacity copied into a new one; returns the new
 * buffer or NULL (old untouched). */
static void *grow_copy(const void *old, size_t old_bytes, size_t new_bytes)
{
    void *p = calloc(new_bytes, 1);
    if (p && old) memcpy(p, old, old_bytes);
    return p;
}

/* Doubles the row capacity. All or nothing: on failure nothing changes. */
static int grow_rows(ssm *s)
{
    uint32_t nc = s->cap ? s->cap * 2 : 256;
    if (nc <= s->cap) return -1;
    size_t rb = (size_t)s->d.dm * sizeof(float), T = (size_t)s->d.T;
    float **arr[7] = { &s->emb, &s->head, &s->emb_m, &s->emb_v, &s->head_m, &s->head_v, &s->ghead };
    void *nw[11] = { 0 };
    int fail = 0;
    for (int k = 0; k < 7; k++)
        if (!(nw[k] = grow_copy(*arr[k], s->cap * rb, nc * rb))) fail = 1;
    if (!(nw[10] = calloc(nc, sizeof(float)))) fail = 1;
    if (!(nw[7] = grow_copy(s->mark, s->cap, nc))) fail = 1;
    if (!(nw[8] = calloc(nc, sizeof(uint32_t)))) fail = 1;
    if (!(nw[9] = calloc(T * nc, sizeof(float)))) fail = 1;
    if (fail) {
        for (int k = 0; k < 11; k++) free(nw[k]);
        return -1;
    }
    for (size_t t = 0; t < T && s->lg; t++)   /* logits keep their rows, new stride */
        memcpy((float *)nw[9] + t * nc, s->lg + t * s->cap, s->rows * sizeof(float));
    free_rows(s);
    for (int k = 0; k < 7; k++) *arr[k] = nw[k];
    s->mark = nw[7];
    s->list = nw[8];
    s->lg = nw[9];
    s->gbg = nw[10];
    s->cap = nc;
    return 0;
}

/* A row's initial weights depend only on the seed and its index. */
int ssm_add_row(ssm *s)
{
    if (s->rows == UINT32_MAX || (s->rows == s->cap && grow_rows(s) < 0)) return -1;
    uint32_t r = s->rows;
    const int DM = s->d.dm;
    uint64_t rng = s->seed ^ (0xD1B54A32D192ED03ull * ((uint64_t)r + 1));
    float *e = s->emb + (size_t)r * DM, *h = s->head + (size_t)r * DM;
    for (int k = 0; k < DM; k++) e[k] = fm_rng_uniform(&rng);
    for (int k = 0; k < DM; k++) h[k] = fm_rng_uniform(&rng) * 0.05f;
    s->rows++;
    return (int)r;
}

/* Runs the pending input through the trunk into slot pos. */
static void advance(ssm *s)
{
    const ssm_dims *d = &s->d;
    if (s->pos == 0) {   /* chunk start: the state backprop stops at */
        size_t hs = (size_t)d->nl * d->di * d->ds, cs = (size_t)d->nl * (d->dc - 1) * d->di;
        memcpy(s->h0, s->h_live, hs * sizeof(float));
        memcpy(s->cv0, s->cv_live, cs * sizeof(float));
    }
    s->in[s->pos] = s->cur_in;
    ssm__trunk_step(s, s->pos, s->cur_in, s->h_live, s->cv_live);
    s->pred_rows[s->pos] = 0;
    s->stepped = 1;
}

void ssm_predict(ssm *s, float *logits)
{
    if (!s->stepped) advance(s);
    ssm__head_logits(s, s->pos, 0);
    s->pred_rows[s->pos] = s->rows;
    memcpy(logits, s->lg + (size_t)s->pos * s->cap, s->rows * sizeof(float));
}

/* Re-runs the recorded chunk from the chunk-start state with the current
 * weights, filling the activation caches; the end state goes to (h, cv). */
static void rerun_chunk(ssm *s, float *h, float *cv)
{
    const ssm_dims *d = &s->d;
    size_t hs = (size_t)d->nl * d->di * d->ds, cs = (size_t)d->nl * (d->dc - 1) * d->di;
    memcpy(h, s->h0, hs * sizeof(float));
    memcpy(cv, s->cv0, cs * sizeof(float));
    for (int t = 0; t < d->T; t++) ssm__trunk_step(s, t, s->in[t], h, cv);
}

/* Iteration `it` of the chunk's training: forward (reused at it 0 when
 * allowed), loss, backward. With the sparse head, iteration 0 computes the
 * full softmax and selects the rows; later ones touch the selected only. */
float ssm__loss_grad(ssm *s, int it)
{
    const int T = s->d.T;
    int sparse_later = it > 0 && s->tun.sparse_head && s->tun.sparse_fwd;
    if (it == 0 && s->tun.reuse_pred) {
        for (int t = 0; t < T; t++)
            if (s->pred_rows[t] < s->rows) ssm__head_logits(s, t, s->pred_rows[t]);
    } else {
        rerun_chunk(s, s->h_tmp, s->cv_tmp);
        if (!sparse_later) ssm__head_logits_all(s);
    }
    for (int t = 0; t < T; t++) s->pred_rows[t] = 0;   /* lg becomes gradients */
    memset(s->gp, 0, s->n_trunk * sizeof(float));
    float loss;
    if (sparse_later) {
        loss = ssm__softmax_grad_sparse(s);
    } else {
        loss = ssm__softmax_grad(s);
        if (s->tun.sparse_head) ssm__sparse_select(s);
    }
    ssm__head_backward(s);
    ssm__trunk_backward(s);
    return loss;
}

float ssm__loss(ssm *s)
{
    rerun_chunk(s, s->h_tmp, s->cv_tmp);
    ssm__head_logits_all(s);
    for (int t = 0; t < s->d.T; t++) s->pred_rows[t] = 0;
    return ssm__softmax_grad(s);
}

static int iterations(const ssm *s)
{
    if (s->chunk_index < 10) return s->cfg.iters_early;
    if (s->chunk_index < 30) return s->cfg.iters_mid;
    return s->cfg.iters_late;
}

static void train_chunk(ssm *s, smix_chunk_info *ci)
{
    int iters = s->rows ? iterations(s) : 0;
    float lr = (float)s->cfg.lr_milli * 1e-5f, loss = 0.0f;
    for (int it = 0; it < iters; it++) {
        loss = ssm__loss_grad(s, it);
        s->stats.steps++;
        s->stats.listed_rows += s->tun.sparse_head ? s->n_list : s->rows;
        s->stats.total_rows += s->rows;
        ssm__adam(s, lr);
    }
    if (iters > 0 && s->tun.refresh_state) rerun_chunk(s, s->h_live, s->cv_live);
    s->last_loss = loss;
    if (ci) {
        ci->chunk_index = s->chunk_index;
        ci->first_token = s->tokens - (uint64_t)s->d.T;
        ci->n_tokens = (uint32_t)s->d.T;
        ci->iterations = (uint32_t)iters;
        ci->loss = loss;
        ci->lr = lr;
    }
    s->chunk_index++;
}

int ssm_observe(ssm *s, uint32_t target_row, uint32_t input_row, smix_chunk_info *ci)
{
    if (!s->stepped) advance(s);
    s->tgt[s->pos] = target_row < s->rows ? target_row : 0;
    s->cur_in = input_row < s->rows ? (int32_t)input_row : -1;
    s->pos++;
    s->stepped = 0;
    s->tokens++;
    if (s->pos < s->d.T || !s->autotrain) return 0;
    train_chunk(s, ci);
    s->pos = 0;
    return 1;
}

size_t ssm_memory(const ssm *s)
{
    const ssm_dims *d = &s->d;
    size_t T = (size_t)d->T, hs = (size_t)d->nl * d->di * d->ds;
    size_t cs = (size_t)d->nl * (d->dc - 1) * d->di;
    size_t b = sizeof(*s) + 4 * s->n_trunk * sizeof(float) + 2 * (size_t)d->nl * sizeof(ssm_layer)
             + (size_t)d->nl * (sizeof(ssm_lcache) + runstate_bytes_per_layer(d))
             + hs * sizeof(float) + T * sizeof(float) * (4 + 2 * (size_t)d->dm)
             + T * 12 + 3 * (hs + cs) * sizeof(float)
             + sizeof(float) * (T * (3 * (size_t)d->dm + d->di) + (size_t)d->di * d->ds
                                + (size_t)d->dm + 2 * T)
             + T * sizeof(int32_t);
    b += (size_t)s->cap * (7 * (size_t)d->dm * sizeof(float) + 1 + sizeof(uint32_t)
                           + (T + 1) * sizeof(float));
    return b;
}
