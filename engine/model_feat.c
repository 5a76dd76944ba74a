/*
 * model_feat.c - the features with a learned mixing weight: their forward
 * pass (each candidate's logit) and their gradient (the weights' update).
 *
 * Final logit of candidate j (features are zero where a component did not
 * see j; the other seen tokens are handled as classes, model_class.c):
 *
 *   F[j] = w_ssm z[j]                        z = SSM feature (below)
 *        + w_prior s 0.1 log(1 + count[j])   global frequency prior
 *        + w_last s H / (H + age_j)          time since j last occurred, H = 1024
 *        + K[kind j] + C[count bucket j] + A[age bucket j]
 *                                            learned biases (model_class.c)
 *        + sum_k s (w_k g_k(c_k[j]) + v_k conf_k + r_k R/(R + age_k[j]))
 *                                            n-gram order k (or the skip
 *                                            context, the token 2-4 back) saw
 *                                            j c_k times, last age_k[j] ago
 *        + sum_k (S_k[cell of c_k[j], c_k[j]/total_k] + T_k[cell of c_k[j], age_k[j]])
 *                                            learned follower cell biases
 *        + w_match s m(len) [j = predicted]  longest earlier match (model_match.c)
 *        + w_rec s sum 0.05 e^(-3 age/W)     tokens of the last W = 32 positions
 *                                            (16 at levels 1 and 2)
 *        + w_ppm s log(1 + q[j] / u)         PPMD-style blend of all orders
 *        + (slot 0 only) bias, escape estimate, log rate of new tokens
 *
 * with g_k(c) = lambda_k log(1 + c/alpha_k) (the reference's form, the
 * log-odds of additive smoothing), conf_k = log(1 + total_k / distinct_k),
 * s = clamp((1-b) + b H/5.5, 0.2, 2.5) from the SSM's entropy H in nats.
 * The weights start at the reference's fixed mix and are learned online by
 * RMS-normalised gradient steps on the coding cost, as the sum of two weight
 * sets: one chosen by (longest n-gram order seen, match length bucket), one
 * by the previous token. The gradient of -log p[y] with respect to a weight
 * is E_p[feature] - feature(y) (feature_stats), so sparse features
 * cost only their support.
 */
#include "model_internal.h"

#include <string.h>

#include "fmath.h"
#include "vec.h"

/* Entropy-adaptive scale s = clamp((1-b) + b H/5.5, 0.2, 2.5). The reference's
 * b = 0.6 cost 0.7% on enwik8's first 300 KB once the weights are learned
 * (they already adapt per context); b = 0.2 keeps a mild effect at no cost. */
#define SCALE_B 0.2f
#define CREC_H 512.0f
#define CELL_LR 0.02f

static const float ng_lambda[NCTX] = { 0.15f, 0.10f, 0.08f, 0.06f, 0.15f, 0.15f, 0.15f };   /* orders 1-4, then the skip contexts */
static const float ng_alpha[NCTX] = { 0.10f, 0.05f, 0.03f, 0.02f, 0.10f, 0.10f, 0.10f };

/* The tables of g_k and of the recent window, and the initial weights
 * (the reference's fixed mix). */
void model_feat_init(model *m)
{
    for (int k = 0; k < NCTX; k++)
        for (uint32_t c = 0; c < CTAB; c++)
            m->c.ctab[k][c] = ng_lambda[k] * fm_log(1.0f + (float)c / ng_alpha[k]);
    for (int a = 1; a <= m->c.rec_window; a++)
        m->c.rec_w[a] = 0.05f * fm_exp(-3.0f * (float)a / (float)m->c.rec_window);
    for (int s = 0; s < NSETS; s++) {
        memset(m->w.set1[s], 0, sizeof m->w.set1[s]);
        m->w.set1[s][F_SSM] = 1.0f;
        m->w.set1[s][F_PRIOR] = 1.0f;
        for (int k = 0; k < NCTX; k++) m->w.set1[s][F_CTX(k, CTX_COUNT)] = 1.0f;
        m->w.set1[s][F_MATCH] = 1.0f;
        m->w.set1[s][F_RECENT] = 1.0f;
        m->w.set1[s][F_NEW_RATE] = 1.0f;
        m->w.set1[s][F_PPM] = 1.0f;
    }
}

static float ng_feature(const model *m, int k, uint32_t c)
{
    if (c < CTAB) return m->c.ctab[k][c];
    return ng_lambda[k] * fm_log(1.0f + (float)c / ng_alpha[k]);
}

/* ---- the SSM ---- */

/* SSM logits, its entropy H (nats) and the scale s. Row 0 stands for NEW
 * and for every slot past ssm_cap: its mass is shared out among them. */
void model_ssm_predict(model *m)
{
    uint32_t V = m->h.nslots;
    if (!m->net) {
        m->s.H = 0.0f;
        m->s.scale = 1.0f;
        return;
    }
    ssm_predict(m->net, m->s.z);
    uint32_t rows = V < m->c.ssm_cap ? V : m->c.ssm_cap, extra = V - rows;
    if (extra) m->s.z[0] -= fm_log((float)(extra + 1));
    m->s.ssm_rows_used = rows;
    double sez;
    float zmax = vec_max(m->s.z, rows);
    double se = vec_exp_sum_ent(m->s.z, zmax, m->s.e_ssm, rows, &sez);
    se += (double)extra * m->s.e_ssm[0];
    sez += (double)extra * m->s.e_ssm[0] * (double)(m->s.z[0] - zmax);
    m->s.sum_e_ssm = se;
    float H = fm_log((float)se) - (float)(sez / se);
    if (H < 0.0f) H = 0.0f;
    float s = (1.0f - SCALE_B) + SCALE_B * H / 5.5f;
    m->s.H = H;
    m->s.scale = s < 0.2f ? 0.2f : s > 2.5f ? 2.5f : s;
}

/* The SSM feature of each candidate: its SSM logit against the log of the
 * SSM's mean probability over the non-candidates (whose feature is then 0). */
void model_ssm_features(model *m)
{
    if (!m->net) {
        memset(m->s.zf, 0, m->s.ncand * sizeof *m->s.zf);
        return;
    }
    double in_cand = 0.0;
    for (uint32_t i = 0; i < m->s.ncand; i++) in_cand += model_ssm_exp(m, m->s.cand[i]);
    double rest = m->s.sum_e_ssm - in_cand, floor = m->s.sum_e_ssm * 1e-7;
    uint32_t n = m->s.n_other ? m->s.n_other : m->h.nslots;
    if (!m->s.n_other) rest = m->s.sum_e_ssm;
    if (rest < floor) rest = floor;
    float ref = fm_log((float)(rest / (double)n)) + vec_max(m->s.z, m->s.ssm_rows_used);
    for (uint32_t i = 0; i < m->s.ncand; i++) m->s.zf[i] = model_ssm_logit(m, m->s.cand[i]) - ref;
}

/* ---- forward ---- */

/* PPM-style blend of the contexts found, longest first: order k passes the
 * escape share d/(n+d) (PPMC) down to the next shorter one and keeps the
 * rest for its followers in proportion to their counts. The feature of a
 * slot is then log((q + u) / u), u = leftover mass per slot: the log-odds of
 * that blend against an unseen token. Stored in q by candidate index. */
void model_ppm_blend(model *m)
{
    uint32_t nq = m->s.nctx_cand;
    float mass = 1.0f;
    for (int k = NGM_NORDERS - 1; k >= 0; k--) {
        const ngm_ctx *c = &m->s.ctx[k];
        if (!c->items) continue;
        /* PPMD: each follower (2c - 1) / 2n, escape d / 2n */
        float esc = (float)c->n / (float)(2 * c->total);
        float share = mass / (float)(2 * c->total);
        const uint32_t *ci = m->s.item_cand + m->s.item_start[k];
        for (uint32_t i = 0; i < c->n; i++) m->s.q[ci[i]] += share * (float)(2 * c->items[i].count - 1);
        mass *= esc;
    }
    vec_log1p_scaled(m->s.q, (float)m->h.nslots / (mass > 1e-6f ? mass : 1e-6f), nq);
}

static int octave(uint32_t x) { return 31 - __builtin_clz(x | 1); }

static int cell_octave(int o) { return o < CELL_OCTAVES - 1 ? o : CELL_OCTAVES - 1; }

/* octave(x) for x < AGE24, from the exponent of (float)x, which is exact
 * there: a loop of these vectorises, one of __builtin_clz does not. Ages
 * are clamped below AGE24 first: their cell is the last from 2^14 on. */
#define AGE24 (1u << 24)
static int octave24(uint32_t x)
{
    float f = (float)(int32_t)(x | 1);
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return (int)(b >> 23) - 127;
}

/* Features of slot 0 (NEW): a bias, the escape estimate of the longest
 * context seen, log((d + 0.5) / (n + d + 1)), and the log of the recent rate
 * of new tokens. */
void model_new_features(model *m)
{
    m->s.new_feat[F_NEW_BIAS] = 1.0f;
    float esc = 0.0f;
    if (m->s.longest) {
        const ngm_ctx *c = &m->s.ctx[m->s.longest - 1];
        esc = fm_log(((float)c->n + 0.5f) / ((float)c->total + (float)c->n + 1.0f));
    }
    m->s.new_feat[F_NEW_ESC] = esc;
    m->s.new_feat[F_NEW_RATE] = fm_log(m->h.new_rate + 1e-4f);
}

/* Prior, time since last seen, SSM feature and learned biases of every
 * candidate: sets F. */
void model_cand_base(model *m, const float *w)
{
    float wz = w[F_SSM], wp = w[F_PRIOR] * m->s.scale, wr = w[F_LASTSEEN] * m->s.scale;
    uint32_t t = (uint32_t)m->h.t, n = m->s.ncand;
    const uint32_t *cand = m->s.cand, *last = m->h.last;
    const float *zf = m->s.zf, *prior = m->h.prior;
    float *restrict F = m->s.F, *restrict rlast = m->s.rlast;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t j = cand[i];
        float r = RLAST_H / (RLAST_H + (float)(int32_t)(t - last[j]));
        rlast[i] = r;
        F[i] = (wz * zf[i] + wp * prior[j]) + wr * r;
    }
    /* the biases of each candidate's class but NEW's, its parts read by its
     * place in sc.used (cand_used) */
    const float *kw = m->s.kind_cur, *cb = m->s.count_bias, *ab = m->s.age_bias;
    const uint8_t *uk = m->h.sc.used_kind, *uc = m->h.sc.used_count, *ua = m->h.sc.used_age;
    const uint16_t *cu = m->s.cand_used;
    for (uint32_t i = 1; i < n; i++) {
        uint32_t u = cu[i];
        F[i] += (kw[uk[u]] + cb[uc[u]]) + ab[ua[u]];
    }
}

/* Context k's features of each follower, from its list alone: g_k of its
 * count, its recency in the context CREC_H / (CREC_H + age) and, with
 * cells, its two cells: (count octave, octave of count/total) and (count
 * octave, age by powers of 4). Flat loops, one per feature (the recency's
 * divisions vectorise). */
static void follower_features(model *m, int k)
{
    const ngm_ctx *c = &m->s.ctx[k];
    const ngm_item *it = c->items;
    uint32_t at = m->s.item_start[k], n = c->n, t = (uint32_t)m->h.t;
    float *restrict g = m->s.item_g + at, *restrict r = m->s.item_r + at;
    for (uint32_t i = 0; i < n; i++) g[i] = ng_feature(m, k, it[i].count);
    for (uint32_t i = 0; i < n; i++) r[i] = CREC_H / (CREC_H + (float)(t - it[i].last));
    if (!m->c.cells) return;
    uint8_t *restrict sc = m->s.item_share + at, *restrict ac = m->s.item_age + at;
    int ot = octave(c->total);
    for (uint32_t i = 0; i < n; i++) {
        int oc = octave24(it[i].count), row = cell_octave(oc) * CELL_OCTAVES;
        uint32_t age = t - it[i].last;
        sc[i] = (uint8_t)(row + cell_octave(ot - oc));
        ac[i] = (uint8_t)(row + cell_octave(octave24(age < AGE24 ? age : AGE24 - 1) / 2));
    }
}

/* Context k's followers' terms, added to F. */
static void add_context(model *m, int k, const float *w)
{
    float s = m->s.scale;
    float bonus = w[F_CTX(k, CTX_CONF)] * s * m->s.conf[k];
    float wk = w[F_CTX(k, CTX_COUNT)] * s, wc = w[F_CTX(k, CTX_REC)] * s;
    uint32_t at = m->s.item_start[k], n = m->s.ctx[k].n;
    const float *g = m->s.item_g + at, *r = m->s.item_r + at;
    const uint32_t *ci = m->s.item_cand + at;
    float *F = m->s.F;
    if (!m->c.cells) {
        for (uint32_t i = 0; i < n; i++) F[ci[i]] += wk * g[i] + bonus + wc * r[i];
        return;
    }
    const uint8_t *sc = m->s.item_share + at, *ac = m->s.item_age + at;
    const float *sb = m->s.cell_share_bias[k], *ab = m->s.cell_age_bias[k];
    for (uint32_t i = 0; i < n; i++) {
        float f = wk * g[i] + bonus + wc * r[i];
        f += sb[sc[i]] + ab[ac[i]];
        F[ci[i]] += f;
    }
}

/* The sparse features, added to F: each context's followers (and their
 * cells), the match, the recent positions and the PPM blend, NEW's own. */
void model_add_sparse(model *m, const float *w)
{
    float s = m->s.scale;
    for (int k = 0; k < NCTX; k++) {
        if (!m->s.ctx[k].items) continue;
        follower_features(m, k);
        add_context(m, k, w);
    }
    if (m->h.mlen) {
        uint32_t pred = m->h.hist[m->h.mptr];
        m->s.F[m->s.cand_index[pred]] += w[F_MATCH] * s * model_match_feature(m->h.mlen);
    }
    float wr = w[F_RECENT] * s, wq = w[F_PPM] * s;
    for (uint32_t i = 0; i < m->s.ncand; i++) m->s.F[i] += wr * m->s.recsum[i] + wq * m->s.q[i];
    for (int f = F_NEW_BIAS; f <= F_NEW_RATE; f++) m->s.F[0] += w[f] * m->s.new_feat[f];
}

/* ---- gradient ---- */

/* The candidate index of y if y is a context follower, else none (no
 * follower has index 0 or ~0). */
static uint32_t follower_cand(const model *m, uint32_t y)
{
    return model_is_cand(m, y) && m->s.cand_index[y] < m->s.nctx_cand ? m->s.cand_index[y] : ~0u;
}

/* The sums over context k's followers of one gradient step: sum[0..2] =
 * E_p of its count feature, its followers' mass, E_p of its recency
 * feature; with cells, each cell's probability mass, summed in two
 * interleaved halves (gs[h], ga[h]) so that consecutive followers in the
 * same cell do not wait for each other (3% less time at level 2 than one
 * sum per cell). Returns y's place among the followers, or -1. */
static int32_t follower_sums(const model *m, int k, uint32_t yc, float inv, float *sum, float (*gs)[NCELLS], float (*ga)[NCELLS])
{
    uint32_t at = m->s.item_start[k], n = m->s.ctx[k].n, i = 0;
    int cells = m->c.cells;
    float s = m->s.scale, eg = 0.0f, eb = 0.0f, fcr = 0.0f;
    const float *gk = m->s.item_g + at, *rk = m->s.item_r + at, *e = m->s.e;
    const uint32_t *ci = m->s.item_cand + at;
    const uint8_t *sc = m->s.item_share + at, *ac = m->s.item_age + at;
    int32_t iy = -1;
    for (; i + 1 < n; i += 2) {
        float p0 = e[ci[i]] * inv, p1 = e[ci[i + 1]] * inv;
        eg += p0 * (s * gk[i]);
        eb += p0;
        fcr += p0 * (s * rk[i]);
        eg += p1 * (s * gk[i + 1]);
        eb += p1;
        fcr += p1 * (s * rk[i + 1]);
        iy = ci[i] == yc ? (int32_t)i : ci[i + 1] == yc ? (int32_t)i + 1 : iy;
        if (cells) {
            gs[0][sc[i]] += p0;
            ga[0][ac[i]] += p0;
            gs[1][sc[i + 1]] += p1;
            ga[1][ac[i + 1]] += p1;
        }
    }
    if (i < n) {
        float p0 = e[ci[i]] * inv;
        eg += p0 * (s * gk[i]);
        eb += p0;
        fcr += p0 * (s * rk[i]);
        iy = ci[i] == yc ? (int32_t)i : iy;
        if (cells) {
            gs[0][sc[i]] += p0;
            ga[0][ac[i]] += p0;
        }
    }
    sum[0] = eg;
    sum[1] = eb;
    sum[2] = fcr;
    return iy;
}

/* The followers' cell biases of context k: gradient E_p[cell] - [y's cell],
 * from follower_sums' cell masses and y's place iy; clears the masses. */
static void learn_cells(model *m, int k, int32_t iy, float (*gs)[NCELLS], float (*ga)[NCELLS])
{
    uint32_t at = m->s.item_start[k];
    if (iy >= 0) {
        gs[0][m->s.item_share[at + (uint32_t)iy]] -= 1.0f;
        ga[0][m->s.item_age[at + (uint32_t)iy]] -= 1.0f;
    }
    float *sb = m->s.cell_share_bias[k], *ab = m->s.cell_age_bias[k];
    for (int b = 0; b < NCELLS; b++) {
        sb[b] = model_clamp_bias(sb[b] - CELL_LR * (gs[0][b] + gs[1][b]));
        ab[b] = model_clamp_bias(ab[b] - CELL_LR * (ga[0][b] + ga[1][b]));
        gs[0][b] = gs[1][b] = ga[0][b] = ga[1][b] = 0.0f;
    }
}

/* The contexts' features in feat_y and exp_f (as feature_stats), and with
 * cells the cell biases' step: one pass over each context's followers. */
static void follower_stats(model *m, uint32_t y, float inv, float *feat_y, double *exp_f)
{
    float s = m->s.scale;
    uint32_t yc = follower_cand(m, y);
    double ecr[NCTX] = { 0 };
    for (int k = 0; k < NCTX; k++) {
        m->s.y_at[k] = -1;
        if (!m->s.ctx[k].items) continue;
        float sum[3], (*gs)[NCELLS] = m->s.cell_ms, (*ga)[NCELLS] = m->s.cell_ma;
        int32_t iy = follower_sums(m, k, yc, inv, sum, gs, ga);
        m->s.y_at[k] = iy;
        if (iy >= 0) {
            uint32_t at = m->s.item_start[k] + (uint32_t)iy;
            feat_y[F_CTX(k, CTX_COUNT)] = s * m->s.item_g[at];
            feat_y[F_CTX(k, CTX_CONF)] = s * m->s.conf[k];
            feat_y[F_CTX(k, CTX_REC)] = s * m->s.item_r[at];
        }
        exp_f[F_CTX(k, CTX_COUNT)] = sum[0];
        exp_f[F_CTX(k, CTX_CONF)] = (double)sum[1] * s * m->s.conf[k];
        ecr[k] = sum[2];
        if (m->c.cells) learn_cells(m, k, iy, gs, ga);
    }
    for (int k = 0; k < NCTX; k++) exp_f[F_CTX(k, CTX_REC)] = ecr[k];
}

/* feat_y[f] = feature f of slot y; exp_f[f] = E_p[feature f]; and the
 * followers' cell biases take their step (follower_stats). */
static void feature_stats(model *m, uint32_t y, float *feat_y, double *exp_f)
{
    float inv = (float)(1.0 / m->s.sum_e), s = m->s.scale;
    memset(feat_y, 0, NFEAT * sizeof *feat_y);
    memset(exp_f, 0, NFEAT * sizeof *exp_f);
    float fz = 0.0f, fp = 0.0f, frl = 0.0f, fr = 0.0f, fq = 0.0f;
    for (uint32_t i = 0; i < m->s.ncand; i++) {
        float e = m->s.e[i];
        fz += e * m->s.zf[i];
        fp += e * m->h.prior[m->s.cand[i]];
        frl += e * m->s.rlast[i];
        fr += e * m->s.recsum[i];
        fq += e * m->s.q[i];
    }
    double ez = fz, ep = m->s.other_prior + fp, erl = m->s.other_rlast + frl, er = fr, eq = fq;
    exp_f[F_RECENT] = er / m->s.sum_e * s;
    exp_f[F_PPM] = eq / m->s.sum_e * s;
    exp_f[F_SSM] = ez / m->s.sum_e;
    exp_f[F_PRIOR] = ep / m->s.sum_e * s;
    exp_f[F_LASTSEEN] = erl / m->s.sum_e * s;
    if (model_is_cand(m, y)) {
        uint32_t iy = m->s.cand_index[y];
        feat_y[F_LASTSEEN] = s * m->s.rlast[iy];
        feat_y[F_SSM] = m->s.zf[iy];
        feat_y[F_PRIOR] = s * m->h.prior[y];
        feat_y[F_RECENT] = s * m->s.recsum[iy];
        feat_y[F_PPM] = s * m->s.q[iy];
    } else {   /* a non-candidate: its class's values */
        uint32_t k = m->h.sc.cls[y];
        feat_y[F_LASTSEEN] = s * m->c.rlast_rep[sc_age_of(k)];
        feat_y[F_PRIOR] = s * m->c.prior_rep[sc_count_of(k)];
    }
    follower_stats(m, y, inv, feat_y, exp_f);
    if (m->h.mlen) {
        uint32_t pred = m->h.hist[m->h.mptr];
        float f = s * model_match_feature(m->h.mlen);
        exp_f[F_MATCH] = (double)(m->s.e[m->s.cand_index[pred]] * inv) * f;
        if (pred == y) feat_y[F_MATCH] = f;
    }
    float p0 = m->s.e[0] * inv;
    for (int f = F_NEW_BIAS; f <= F_NEW_RATE; f++) {
        exp_f[f] = (double)p0 * m->s.new_feat[f];
        feat_y[f] = y == 0 ? m->s.new_feat[f] : 0.0f;
    }
}

/* One RMS-normalised step on both weight sets in use. */
void model_learn_weights(model *m, uint32_t y)
{
    float fy[NFEAT];
    double ef[NFEAT];
    feature_stats(m, y, fy, ef);
    float *w = m->w.set1[m->s.set], *w2 = m->w.set2[m->s.set2], *v = m->w.rms1[m->s.set];
    float lr = m->c.mix_lr;
    for (int f = 0; f < NFEAT; f++) {
        float g = (float)ef[f] - fy[f];
        v[f] += (g * g - v[f]) * 0.002f;
        float step = lr * g / fm_sqrt(v[f] + 1e-6f);
        w[f] -= step;
        w2[f] -= step;
    }
}
