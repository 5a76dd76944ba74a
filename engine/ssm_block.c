/*
 * ssm_block.c - the Mamba blocks of the smix SSM: parameter layout and
 * initialisation, the one-position forward step used both for prediction
 * and for training, and the backward pass through a chunk.
 *
 * The forward step is the same function at prediction time and in training,
 * with the same weights and the same start state, so the activations cached
 * while predicting are bit-identical to a training forward pass: training
 * iteration 1 may reuse them at no cost in exactness.
 *
 * Backprop is truncated at the chunk start: the state h0 and the conv
 * history cv0 at that point are constants. Gradients accumulate position by
 * position from t = T-1 down to 0 in a fixed order.
 */
#include <string.h>
#include "ssm_internal.h"
#include "fmath.h"

#define LN_EPS 1e-5f

size_t ssm__trunk_size(const ssm_dims *d)
{
    size_t per = (size_t)2 * d->dm + (size_t)2 * d->di * d->dm + (size_t)d->di * d->dc
               + d->di + (size_t)d->nbc * d->di + 2 * (size_t)d->di
               + (size_t)d->di * d->ds + d->di + (size_t)d->dm * d->di;
    return per * d->nl + 2 * (size_t)d->dm;
}

/* Carves the flat trunk array into per-layer views; the order here is the
 * order of the flat array (and so of the gradient-norm sum). */
void ssm__layer_map(const ssm_dims *d, float *base, ssm_layer *L, float **lnf_g, float **lnf_b)
{
    float *q = base;
    for (int l = 0; l < d->nl; l++) {
        ssm_layer *w = &L[l];
        w->ln_g = q;   q += d->dm;
        w->ln_b = q;   q += d->dm;
        w->in_w = q;   q += 2 * d->di * d->dm;
        w->conv_w = q; q += d->di * d->dc;
        w->conv_b = q; q += d->di;
        w->xp_w = q;   q += d->nbc * d->di;
        w->dt_w = q;   q += d->di;
        w->dt_b = q;   q += d->di;
        w->A_log = q;  q += d->di * d->ds;
        w->D = q;      q += d->di;
        w->out_w = q;  q += d->dm * d->di;
    }
    *lnf_g = q; q += d->dm;
    *lnf_b = q;
}

static void fill_uniform(float *w, size_t n, float scale, uint64_t *rng)
{
    for (size_t i = 0; i < n; i++) w[i] = fm_rng_uniform(rng) * scale;
}

/* Initialisation as in Mamba: linear layers U(-1/sqrt(fan_in), +), LN
 * gain 1, A_log[i][j] = log(j+1), D = 1, dt_b = softplus^-1(dt) with dt
 * log-uniform in [1e-3, 1e-1]. out_w is scaled down so the residual stream
 * starts close to the embedding. */
void ssm__trunk_init(ssm *s, uint64_t *rng)
{
    const ssm_dims *d = &s->d;
    for (int l = 0; l < d->nl; l++) {
        ssm_layer *w = &s->L[l];
        for (int k = 0; k < d->dm; k++) { w->ln_g[k] = 1.0f; w->ln_b[k] = 0.0f; }
        fill_uniform(w->in_w, (size_t)2 * d->di * d->dm, 1.0f / fm_sqrt((float)d->dm), rng);
        fill_uniform(w->conv_w, (size_t)d->di * d->dc, 1.0f / fm_sqrt((float)d->dc), rng);
        fill_uniform(w->conv_b, (size_t)d->di, 0.1f, rng);
        fill_uniform(w->xp_w, (size_t)d->nbc * d->di, 1.0f / fm_sqrt((float)d->di), rng);
        fill_uniform(w->dt_w, (size_t)d->di, 1.0f, rng);
        for (int i = 0; i < d->di; i++) {
            float r = 0.5f * (fm_rng_uniform(rng) + 1.0f);          /* [0, 1) */
            float dt = fm_exp(fm_log(1e-3f) + r * (fm_log(1e-1f) - fm_log(1e-3f)));
            w->dt_b[i] = dt + fm_log(1.0f - fm_exp(-dt));            /* log(e^dt - 1) */
            w->D[i] = 1.0f;
            for (int j = 0; j < d->ds; j++) w->A_log[i * d->ds + j] = fm_log((float)(j + 1));
        }
        fill_uniform(w->out_w, (size_t)d->dm * d->di, 0.5f / fm_sqrt((float)d->di), rng);
    }
    for (int k = 0; k < d->dm; k++) { s->lnf_g[k] = 1.0f; s->lnf_b[k] = 0.0f; }
}

/* negA = -exp(A_log): only changes with the weights, so it is computed once
 * per update instead of once per position. */
void ssm__refresh_A(ssm *s)
{
    const ssm_dims *d = &s->d;
    int n = d->di * d->ds;
    for (int l = 0; l < d->nl; l++) {
        const float *al = s->L[l].A_log;
        float *na = s->negA + (size_t)l * n;
        for (int k = 0; k < n; k++) na[k] = -fm_exp(al[k]);
    }
}

/* LayerNorm: out = (x - mean) * rstd * g + b, rstd = 1/sqrt(var + eps). */
static inline __attribute__((always_inline)) void layernorm_forward(float *out, float *mean, float *rstd, const float *x,
                              const float *g, const float *b, int n)
{
    float m = ssm__sum(x, n) / (float)n;
    float dev[256];
    for (int k = 0; k < n; k++) dev[k] = x[k] - m;
    float var = ssm__dot(dev, dev, n) / (float)n;
    float r = 1.0f / fm_sqrt(var + LN_EPS);
    for (int k = 0; k < n; k++) out[k] = dev[k] * r * g[k] + b[k];
    *mean = m;
    *rstd = r;
}

/* dx += rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),
 * dxhat = dout * g; gg += dout * xhat; gb += dout. */
static inline __attribute__((always_inline)) void layernorm_backward(float *dx, float *gg, float *gb, const float *dout,
                               const float *x, float mean, float rstd, const float *g, int n)
{
    float xhat[256], dxhat[256] = { 0 }, prod[256] = { 0 };
    for (int k = 0; k < n; k++) {
        xhat[k] = (x[k] - mean) * rstd;
        dxhat[k] = dout[k] * g[k];
        prod[k] = dxhat[k] * xhat[k];
        gg[k] += dout[k] * xhat[k];
        gb[k] += dout[k];
    }
    float m1 = ssm__sum(dxhat, n) / (float)n;
    float m2 = ssm__sum(prod, n) / (float)n;
    for (int k = 0; k < n; k++) dx[k] += rstd * ((dxhat[k] - m1) - xhat[k] * m2);
}

/* One position through block l. h [DI*DS] and cv [DC-1][DI] (oldest first)
 * are the block's recurrent state, updated in place. */
#define DIMS_PARAMS int DM, int DI, int DS, int DC
#define FIXED_DIMS 32, 64, 16, 4     /* the default model, compiled with constant sizes */
#define ANY_DIMS d->dm, d->di, d->ds, d->dc
#define IS_FIXED(d) ((d)->dm == 32 && (d)->di == 64 && (d)->ds == 16 && (d)->dc == 4)

static inline __attribute__((always_inline)) void block_step_body(const ssm *s, int l, int t, const float *xr_in,
                                                      float *xr_out, float *h, float *cv, DIMS_PARAMS)
{
    const ssm_layer *w = &s->L[l];
    const ssm_lcache *c = &s->C[l];
    const int NBC = 2 * DS + 1;
    const float *negA = s->negA + (size_t)l * DI * DS;
    float *xr = c->xr + (size_t)t * DM, *nrm = c->n + (size_t)t * DM;
    float *xz = c->xz + (size_t)t * 2 * DI, *cc = c->c + (size_t)t * DI;
    float *u = c->u + (size_t)t * DI, *bc = c->bc + (size_t)t * NBC;
    float *dtp = c->dtp + (size_t)t * DI, *dt = c->dt + (size_t)t * DI;
    float *dA = c->dA + (size_t)t * DI * DS, *ht = c->h + (size_t)t * DI * DS;
    float *y = c->y + (size_t)t * DI, *sz = c->sz + (size_t)t * DI, *g = c->g + (size_t)t * DI;

    memcpy(xr, xr_in, sizeof(float) * DM);
    /* n = LayerNorm(xr)                                   [DM] */
    layernorm_forward(nrm, &c->mean[t], &c->rstd[t], xr, w->ln_g, w->ln_b, DM);
    /* xz = in_w @ n: x = xz[0,DI), z = xz[DI,2DI)          [2DI] */
    ssm__matvec(xz, w->in_w, nrm, 2 * DI, DM);
    /* c[i] = conv_b[i] + sum_k conv_w[i][k] * x_{t-DC+1+k}[i]        [DI] */
    for (int i = 0; i < DI; i++) {
        const float *cw = w->conv_w + (size_t)i * DC;
        float a = w->conv_b[i];
        for (int k = 0; k < DC - 1; k++) a += cw[k] * cv[(size_t)k * DI + i];
        a += cw[DC - 1] * xz[i];
        cc[i] = a;
    }
    /* u = SiLU(c); SiLU(z) for the gate (flat loops: they vectorise) */
    for (int i = 0; i < DI; i++) u[i] = fm_silu(cc[i]);
    for (int i = 0; i < DI; i++) sz[i] = fm_silu(xz[DI + i]);
    if (DC > 1) {   /* shift the conv history: drop the oldest, append x_t */
        memmove(cv, cv + DI, sizeof(float) * (size_t)(DC - 2) * DI);
        memcpy(cv + (size_t)(DC - 2) * DI, xz, sizeof(float) * DI);
    }
    /* bc = xp_w @ u: B = bc[0,DS), C = bc[DS,2DS), dt_in = bc[2DS]  [NBC] */
    ssm__matvec(bc, w->xp_w, u, NBC, DI);
    const float *B = bc, *Cv = bc + DS;
    float dtin = bc[2 * DS];
    /* dt = softplus(dt_in * dt_w + dt_b)                            [DI] */
    for (int i = 0; i < DI; i++) dtp[i] = dtin * w->dt_w[i] + w->dt_b[i];
    for (int i = 0; i < DI; i++) dt[i] = fm_softplus(dtp[i]);
    /* dA[i][j] = exp(dt[i] * A[i][j])                           [DI][DS] */
    for (int i = 0; i < DI; i++)
        for (int j = 0; j < DS; j++) dA[i * DS + j] = dt[i] * negA[i * DS + j];
    for (int k = 0; k < DI * DS; k++) dA[k] = fm_exp(dA[k]);
    for (int i = 0; i < DI; i++) {
        /* h[i][j] = dA[i][j] * h[i][j] + B[j] * (dt[i] * u[i]) */
        float dtu = dt[i] * u[i];
        float *restrict hi = h + (size_t)i * DS;
        const float *restrict dAi = dA + (size_t)i * DS;
        for (int j = 0; j < DS; j++) hi[j] = dAi[j] * hi[j] + B[j] * dtu;
        /* y = C . h + D * u */
        y[i] = ssm__dot(Cv, hi, DS) + w->D[i] * u[i];
    }
    /* g = y * SiLU(z) */
    for (int i = 0; i < DI; i++) g[i] = y[i] * sz[i];
    memcpy(ht, h, sizeof(float) * (size_t)DI * DS);
    /* xr_out = xr + out_w @ g                             [DM] */
    float o[256];
    ssm__matvec(o, w->out_w, g, DM, DI);
    for (int k = 0; k < DM; k++) xr_out[k] = xr[k] + o[k];
}

SSM_CLONES static void block_step_fixed(const ssm *s, int l, int t, const float *xr_in,
                                        float *xr_out, float *h, float *cv)
{
    block_step_body(s, l, t, xr_in, xr_out, h, cv, FIXED_DIMS);
}

SSM_CLONES static void block_step_any(const ssm *s, int l, int t, const float *xr_in,
                                      float *xr_out, float *h, float *cv)
{
    const ssm_dims *d = &s->d;
    block_step_body(s, l, t, xr_in, xr_out, h, cv, ANY_DIMS);
}

void ssm__trunk_step(ssm *s, int t, int32_t in, float *h, float *cv)
{
    const ssm_dims *d = &s->d;
    const int DM = d->dm;
    float x[256], x2[256];
    if (in >= 0) memcpy(x, s->emb + (size_t)in * DM, sizeof(float) * DM);
    else memset(x, 0, sizeof(float) * DM);
    for (int l = 0; l < d->nl; l++) {
        float *hl = h + (size_t)l * d->di * d->ds, *cvl = cv + (size_t)l * (d->dc - 1) * d->di;
        if (IS_FIXED(d)) block_step_fixed(s, l, t, x, x2, hl, cvl);
        else block_step_any(s, l, t, x, x2, hl, cvl);
        memcpy(x, x2, sizeof(float) * DM);
    }
    /* xf = LayerNorm_f(xL) */
    memcpy(s->xL + (size_t)t * DM, x, sizeof(float) * DM);
    layernorm_forward(s->xf + (size_t)t * DM, &s->meanf[t], &s->rstdf[t], x,
                      s->lnf_g, s->lnf_b, DM);
}

static inline __attribute__((always_inline)) float dsilu(float x)
{
    float sg = fm_sigmoid(x);
    return sg * (1.0f + x * (1.0f - sg));
}

/* Gradient through the selective scan at one position. In: dy [DI], the
 * carried dh (gradient of h_t). Out: dbc [NBC] (dB, dC, d dt_in), du
 * accumulated [DI], ddtp [DI]; dh becomes the gradient of h_{t-1}. */
static inline __attribute__((always_inline)) void scan_backward(const ssm *s, int l, int t, const float *dy,
                                                    float *dbc, float *du, float *ddtp,
                                                    int DI, int DS)
{
    const int NBC = 2 * DS + 1;
    const ssm_lcache *c = &s->C[l];
    const ssm_layer *w = &s->L[l];
    ssm_layer *gw = &s->GL[l];
    const float *negA = s->negA + (size_t)l * DI * DS;
    const float *u = c->u + (size_t)t * DI, *bc = c->bc + (size_t)t * NBC;
    const float *dt = c->dt + (size_t)t * DI, *dtp = c->dtp + (size_t)t * DI;
    const float *dA = c->dA + (size_t)t * DI * DS, *ht = c->h + (size_t)t * DI * DS;
    const float *hp = t > 0 ? c->h + (size_t)(t - 1) * DI * DS : s->h0 + (size_t)l * DI * DS;
    const float *B = bc, *Cv = bc + DS;
    float *dh = s->dh;

    float dB[256], dC[256];
    for (int j = 0; j < DS; j++) dB[j] = dC[j] = 0.0f;
    for (int i = 0; i < DI; i++) {
        /* y = C.h + D*u:  dC += dy*h, dh += dy*C, du += dy*D, dD += dy*u */
        gw->D[i] += dy[i] * u[i];
        du[i] += dy[i] * w->D[i];
        float *restrict dhi = dh + (size_t)i * DS;
        const float *restrict hi = ht + (size_t)i * DS, *restrict hpi = hp + (size_t)i * DS;
        const float *restrict dAi = dA + (size_t)i * DS, *restrict nA = negA + (size_t)i * DS;
        float *restrict gAl = gw->A_log + (size_t)i * DS;
        float dti = dt[i], dyi = dy[i], dtu = dt[i] * u[i];
        float e[256], f[256];
        for (int j = 0; j < DS; j++) {
            dC[j] += dyi * hi[j];
            dhi[j] += dyi * Cv[j];
            /* h = dA*hp + B*dtu, dA = exp(dt*A), A = -exp(A_log):
             * d dt += dh*hp*dA*A; d A_log += dh*hp*dA*dt*A */
            e[j] = dhi[j] * hpi[j] * dAi[j] * nA[j];
            gAl[j] += e[j] * dti;
            dB[j] += dhi[j] * dtu;
            f[j] = dhi[j] * B[j];
            dhi[j] *= dAi[j];          /* carry to h_{t-1} */
        }
        /* the sums over j in the fixed lane order, so this loop vectorises */
        float ddt = ssm__sum(e, DS), ddtu = ssm__sum(f, DS);
        ddt += ddtu * u[i];
        du[i] += ddtu * dt[i];
        ddtp[i] = ddt;
    }
    /* dt = softplus(dtp): ddtp = ddt * sigmoid(dtp) */
    for (int i = 0; i < DI; i++) ddtp[i] = ddtp[i] * fm_sigmoid(dtp[i]);
    /* dtp = dt_in * dt_w + dt_b */
    float dtin = bc[2 * DS], ddtin = 0.0f;
    for (int i = 0; i < DI; i++) {
        ddtin += ddtp[i] * w->dt_w[i];
        gw->dt_w[i] += ddtp[i] * dtin;
        gw->dt_b[i] += ddtp[i];
    }
    for (int j = 0; j < DS; j++) { dbc[j] = dB[j]; dbc[DS + j] = dC[j]; }
    dbc[2 * DS] = ddtin;
}

/* Backward through block l for all positions, t = T-1 .. 0. dres [T][DM]
 * holds the gradient of the block output on entry, of its input on exit. */
static inline __attribute__((always_inline)) void block_backward_body(ssm *s, int l, DIMS_PARAMS)
{
    const int NBC = 2 * DS + 1, T = s->d.T;
    const ssm_layer *w = &s->L[l];
    ssm_layer *gw = &s->GL[l];
    const ssm_lcache *c = &s->C[l];
    /* per-position vectors live on the stack: the compiler then knows they
     * alias nothing and keeps the loops vectorised */
    float dg[256], dy[256], du[256], ddtp[256], dxz[512], dbc[512], dn[256];

    memset(s->dh, 0, sizeof(float) * (size_t)DI * DS);
    memset(s->dxin, 0, sizeof(float) * (size_t)T * DI);
    for (int t = T - 1; t >= 0; t--) {
        float *dout = s->dres + (size_t)t * DM;
        const float *g = c->g + (size_t)t * DI, *y = c->y + (size_t)t * DI;
        const float *sz = c->sz + (size_t)t * DI, *xz = c->xz + (size_t)t * 2 * DI;
        const float *u = c->u + (size_t)t * DI, *cc = c->c + (size_t)t * DI;
        /* xr_out = xr + out_w @ g: dg = out_w^T dout, dout_w += dout (x) g */
        for (int i = 0; i < DI; i++) dg[i] = 0.0f;
        for (int o = 0; o < DM; o++) {
            const float *wr = w->out_w + (size_t)o * DI;
            float *gr = gw->out_w + (size_t)o * DI;
            const float d_o = dout[o];
            for (int i = 0; i < DI; i++) {
                dg[i] += wr[i] * d_o;
                gr[i] += d_o * g[i];
            }
        }
        /* g = y * SiLU(z) */
        for (int i = 0; i < DI; i++) {
            dy[i] = dg[i] * sz[i];
            dxz[DI + i] = dg[i] * y[i] * dsilu(xz[DI + i]);
            du[i] = 0.0f;
        }
        scan_backward(s, l, t, dy, dbc, du, ddtp, DI, DS);
        /* bc = xp_w @ u: dxp_w += dbc (x) u, du += xp_w^T dbc */
        for (int r = 0; r < NBC; r++) {
            const float *wr = w->xp_w + (size_t)r * DI;
            float *gr = gw->xp_w + (size_t)r * DI;
            const float d_r = dbc[r];
            for (int i = 0; i < DI; i++) {
                gr[i] += d_r * u[i];
                du[i] += wr[i] * d_r;
            }
        }
        /* u = SiLU(c); c = conv_b + sum_k conv_w[i][k] * x_{t-DC+1+k}[i] */
        float dcv[256];
        for (int i = 0; i < DI; i++) dcv[i] = du[i] * dsilu(cc[i]);
        for (int i = 0; i < DI; i++) {
            float dc = dcv[i];
            gw->conv_b[i] += dc;
            for (int k = 0; k < DC; k++) {
                int tt = t - (DC - 1) + k;
                float xv = tt >= 0 ? s->C[l].xz[(size_t)tt * 2 * DI + i]
                                   : s->cv0[((size_t)l * (DC - 1) + (size_t)(tt + DC - 1)) * DI + i];
                gw->conv_w[(size_t)i * DC + k] += dc * xv;
                if (tt >= 0) s->dxin[(size_t)tt * DI + i] += dc * w->conv_w[(size_t)i * DC + k];
            }
        }
        /* dxin[t] is complete now (later positions were done first) */
        memcpy(dxz, s->dxin + (size_t)t * DI, sizeof(float) * DI);
        /* xz = in_w @ n: din_w += dxz (x) n, dn = in_w^T dxz */
        const float *nrm = c->n + (size_t)t * DM;
        for (int k = 0; k < DM; k++) dn[k] = 0.0f;
        for (int o = 0; o < 2 * DI; o++) {
            const float *wr = w->in_w + (size_t)o * DM;
            float *gr = gw->in_w + (size_t)o * DM;
            const float d_o = dxz[o];
            for (int k = 0; k < DM; k++) {
                gr[k] += d_o * nrm[k];
                dn[k] += wr[k] * d_o;
            }
        }
        /* n = LayerNorm(xr); the residual passes dout through unchanged */
        layernorm_backward(dout, gw->ln_g, gw->ln_b, dn, c->xr + (size_t)t * DM,
                           c->mean[t], c->rstd[t], w->ln_g, DM);
    }
}

SSM_CLONES static void block_backward_fixed(ssm *s, int l)
{
    block_backward_body(s, l, FIXED_DIMS);
}

SSM_CLONES static void block_backward_any(ssm *s, int l)
{
    const ssm_dims *d = &s->d;
    block_backward_body(s, l, ANY_DIMS);
}

/* Adds the embedding gradient of position t's input to its gemb slot. */
static void emb_accumulate(ssm *s, int t)
{
    int32_t row = s->in[t];
    if (row < 0) return;
    int k = 0;
    while (k < s->n_emb && s->emb_rows[k] != row) k++;
    float *g = s->gemb + (size_t)k * s->d.dm;
    if (k == s->n_emb) {
        s->emb_rows[s->n_emb++] = row;
        memset(g, 0, sizeof(float) * s->d.dm);
    }
    const float *dr = s->dres + (size_t)t * s->d.dm;
    for (int j = 0; j < s->d.dm; j++) g[j] += dr[j];
}

void ssm__trunk_backward(ssm *s)
{
    const ssm_dims *d = &s->d;
    const int DM = d->dm, T = d->T;
    /* xf = LayerNorm_f(xL) */
    memset(s->dres, 0, sizeof(float) * (size_t)T * DM);
    for (int t = T - 1; t >= 0; t--)
        layernorm_backward(s->dres + (size_t)t * DM, s->glnf_g, s->glnf_b,
                           s->dxf + (size_t)t * DM, s->xL + (size_t)t * DM,
                           s->meanf[t], s->rstdf[t], s->lnf_g, DM);
    for (int l = d->nl - 1; l >= 0; l--) {
        if (IS_FIXED(d)) block_backward_fixed(s, l);
        else block_backward_any(s, l);
    }
    /* x_0 = emb[in] */
    s->n_emb = 0;
    for (int t = 0; t < T; t++) emb_accumulate(s, t);
}
