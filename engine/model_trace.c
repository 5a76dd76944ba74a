/*
 * model_trace.c - what the trace records of a prediction (model_trace),
 * read from the model's per-token state before model_update. Only called
 * when a token hook is installed.
 *
 * Attribution: the final logit of a slot is the sum of one term per
 * component (components.h), each computed with the very expressions of the
 * forward pass (model_feat.c, model_class.c), so the terms add up to the
 * logit the model used, to float rounding:
 *   - a candidate: its features times their weights, the learned biases of
 *     its class and of its cells, and the APMs' corrections, each the log of
 *     the factor by which the APM changed its mass;
 *   - a token no candidate offered (an escape): its class's logit (prior,
 *     time since last seen, kind, count and age at the class's values), the
 *     escape APM's factor, and the step-2 class factor's net effect, the log
 *     of (its probability after step 2) / (its step-1 probability).
 * The normaliser is the model's own sum of the masses, so
 * (log_norm - logit) / ln 2 is the information the token model gave the
 * token's symbol, before the probabilities were quantised for the coder.
 */
#include "model_internal.h"

#include <stdlib.h>
#include <string.h>

#include "components.h"
#include "fmath.h"

#define LN2 0.69314718055994530942

static double ln(double x) { return x > 1e-300 ? fm_log2d(x) * LN2 : -690.8; }

/* The component of context k: an n-gram order or a skip context. */
static int ctx_comp(int k) { return k < NGM_NORDERS ? COMP_NG1 + k : COMP_SKIP2 + (k - CTX_SKIP); }

/* Context k's terms of its follower at item index at. */
static void follower_terms(const model *m, int k, uint32_t at, float *c)
{
    const float *w = m->s.wc;
    float s = m->s.scale;
    float bonus = w[F_CTX(k, CTX_CONF)] * s * m->s.conf[k];
    float wk = w[F_CTX(k, CTX_COUNT)] * s, wc = w[F_CTX(k, CTX_REC)] * s;
    c[ctx_comp(k)] += wk * m->s.item_g[at] + bonus + wc * m->s.item_r[at];
    if (m->c.cells)
        c[COMP_CELLS] += m->s.cell_share_bias[k][m->s.item_share[at]] + m->s.cell_age_bias[k][m->s.item_age[at]];
}

/* The context and cell terms of candidates a and b (either may be
 * NO_CAND), in one pass over the contexts' followers. */
#define NO_CAND 0xFFFFFFFFu
static void context_terms(const model *m, uint32_t a, uint32_t b, float *ca, float *cb)
{
    if (a >= m->s.nctx_cand && b >= m->s.nctx_cand) return;   /* no context offered either */
    for (int k = 0; k < NCTX; k++) {
        if (!m->s.ctx[k].items) continue;
        const uint32_t *ci = m->s.item_cand + m->s.item_start[k];
        for (uint32_t i = 0; i < m->s.ctx[k].n; i++) {
            if (ci[i] == a) follower_terms(m, k, m->s.item_start[k] + i, ca);
            if (ci[i] == b) follower_terms(m, k, m->s.item_start[k] + i, cb);
        }
    }
}

/* The terms of candidate i's logit but its contexts'; returns that logit
 * (F and the APMs'). */
static double cand_terms(const model *m, uint32_t i, float *c)
{
    const float *w = m->s.wc;
    float s = m->s.scale;
    uint32_t j = m->s.cand[i];
    memset(c, 0, COMP_N * sizeof *c);
    c[COMP_SSM] = w[F_SSM] * m->s.zf[i];
    c[COMP_PRIOR] = (w[F_PRIOR] * s) * m->h.prior[j];
    c[COMP_LASTSEEN] = (w[F_LASTSEEN] * s) * m->s.rlast[i];
    if (j) {
        uint32_t k = m->s.cand_class[i];
        c[COMP_KIND] = m->s.kind_cur[sc_kind_of(k)];
        c[COMP_COUNT] = m->s.count_bias[sc_count_of(k)];
        c[COMP_AGE] = m->s.age_bias[sc_age_of(k)];
    }
    if (m->h.mlen && m->h.hist[m->h.mptr] == j) c[COMP_MATCH] = w[F_MATCH] * s * model_match_feature(m->h.mlen);
    c[COMP_RECENT] = (w[F_RECENT] * s) * m->s.recsum[i];
    c[COMP_PPM] = (w[F_PPM] * s) * m->s.q[i];
    double logit = m->s.F[i];
    if (i == 0) {
        c[COMP_NEW_BIAS] = w[F_NEW_BIAS] * m->s.new_feat[F_NEW_BIAS];
        c[COMP_NEW_ESC] = w[F_NEW_ESC] * m->s.new_feat[F_NEW_ESC];
        c[COMP_NEW_RATE] = w[F_NEW_RATE] * m->s.new_feat[F_NEW_RATE];
        /* NEW's APM, then (if NEW is the favourite) the favourite's */
        float mid = m->s.apm_top_i == 0 ? m->s.top_pre : m->s.e[0];
        double a = ln((double)mid / (double)m->s.e0_pre);
        c[COMP_APM_NEW] = (float)a;
        logit += a;
    }
    if (i == m->s.apm_top_i) {
        double a = ln((double)m->s.e[i] / (double)m->s.top_pre);
        c[COMP_APM_FAV] = (float)a;
        logit += a;
    }
    return logit;
}

/* The step-1 mass of one member of used class u (the escape APM included). */
static double member_mass(const model *m, uint32_t u) { return (double)m->s.class_unit[u] * m->s.other_scale; }

/* The terms of a seen token that is no candidate (slot y); returns its logit. */
static double class_terms(const model *m, uint32_t y, float *c)
{
    const float *w = m->s.wc;
    float s = m->s.scale;
    uint32_t k = m->h.sc.cls[y], u = m->h.sc.used_pos[k];
    int cb = sc_count_of(k), ab = sc_age_of(k);
    memset(c, 0, COMP_N * sizeof *c);
    c[COMP_PRIOR] = (w[F_PRIOR] * s) * m->c.prior_rep[cb];
    c[COMP_COUNT] = m->s.count_bias[cb];
    c[COMP_LASTSEEN] = (w[F_LASTSEEN] * s) * m->c.rlast_rep[ab];
    c[COMP_AGE] = m->s.age_bias[ab];
    c[COMP_KIND] = m->s.kind_cur[sc_kind_of(k)];
    double logit = (double)(c[COMP_PRIOR] + c[COMP_COUNT]) + (double)(c[COMP_LASTSEEN] + c[COMP_AGE]) +
                   (double)c[COMP_KIND];
    double a = ln(m->s.esc_f);
    c[COMP_APM_ESC] = (float)a;
    logit += a;
    uint32_t others = model_class_size(m, u);
    if (m->s.escaped && others && m->s.class_p[u] > 0.0f) {
        /* P(y) = P(ESCAPE) class_p[u] / others against P1(y) = e_y / sum_e */
        double b = ln((double)m->s.class_p[u] * m->s.other_mass / ((double)others * member_mass(m, u)));
        c[COMP_CLASS] = (float)b;
        logit += b;
    }
    return logit;
}

double model_slot_terms(const model *m, uint32_t slot, float *c)
{
    if (slot && !model_is_cand(m, slot)) return class_terms(m, slot, c);
    uint32_t i = m->s.cand_index[slot];
    double logit = cand_terms(m, i, c);
    context_terms(m, i, NO_CAND, c, c);
    return logit;
}

/* One pass over the candidates: the SMIX_TOPK most probable (indices,
 * ties to the lower index), and how many are more probable than ey. */
typedef struct cand_scan {
    uint32_t best[SMIX_TOPK];
    int nb;
    uint32_t above;
} cand_scan;

/* A bound that the SMIX_TOPK-th largest of e[0..n) reaches: the least of
 * the largest of each of SMIX_TOPK interleaved stripes (SMIX_TOPK distinct
 * elements are at least that large). -1 if n < SMIX_TOPK (masses are
 * positive). */
static float topk_floor(const float *e, uint32_t n)
{
    if (n < SMIX_TOPK) return -1.0f;
    float mx[SMIX_TOPK];
    for (int i = 0; i < SMIX_TOPK; i++) mx[i] = e[i];
    uint32_t j = SMIX_TOPK;
    for (; j + SMIX_TOPK <= n; j += SMIX_TOPK)
        for (int i = 0; i < SMIX_TOPK; i++) mx[i] = e[j + i] > mx[i] ? e[j + i] : mx[i];
    for (int i = 0; j < n; j++, i++) mx[i] = e[j] > mx[i] ? e[j] : mx[i];
    float lo = mx[0];
    for (int i = 1; i < SMIX_TOPK; i++) lo = mx[i] < lo ? mx[i] : lo;
    return lo;
}

static void scan_candidates(const model *m, double ey, uint32_t *idx, cand_scan *cs)
{
    const float *e = m->s.e;
    uint32_t n = m->s.ncand, above = 0, k = 0;
    float floor = topk_floor(e, n);
    /* counted, and the few at or above the bound listed, without a branch
     * per candidate (one mispredicted in three was most of the time) */
    for (uint32_t j = 0; j < n; j++) {
        above += (double)e[j] > ey;
        idx[k] = j;
        k += e[j] >= floor;
    }
    cs->above = above;
    cs->nb = 0;
    for (uint32_t q = 0; q < k; q++) {
        uint32_t j = idx[q];
        if (cs->nb == SMIX_TOPK && e[j] <= e[cs->best[SMIX_TOPK - 1]]) continue;
        int i = cs->nb < SMIX_TOPK ? cs->nb++ : cs->nb - 1;
        while (i > 0 && e[cs->best[i - 1]] < e[j]) { cs->best[i] = cs->best[i - 1]; i--; }
        cs->best[i] = j;
    }
}

/* 1 + the slots more probable than ey: the candidates (counted by the
 * scan), and the members of the classes (NEW is candidate 0). */
static uint32_t rank_of(const model *m, const cand_scan *cs, double ey)
{
    uint32_t r = 1 + cs->above, n = m->s.n_other ? m->h.sc.nused : 0;
    const float *unit = m->s.class_unit;
    const uint32_t *size = m->h.sc.used_size, *excl = m->s.excl;
    /* member_mass(u) > ey, compared in float so that the loop over the
     * thousands of classes vectorises (ties within float rounding may
     * count either way) */
    float thr = (float)(ey / m->s.other_scale);
    for (uint32_t u = 0; u < n; u++) r += (size[u] - excl[u]) & (0u - (uint32_t)(unit[u] > thr));
    return r;
}

/* The rival: the most probable candidate other than slot y, or NO_CAND. */
static uint32_t rival_of(const model *m, const cand_scan *cs, uint32_t y)
{
    if (cs->nb > 0 && m->s.cand[cs->best[0]] != y) return cs->best[0];
    return cs->nb > 1 ? cs->best[1] : NO_CAND;
}

static uint32_t id_of_slot(const model *m, uint32_t slot) { return slot ? m->h.id_of[slot] : SMIX_TOKEN_NEW; }

/* The SMIX_TOPK largest of v[0..n) as token ids and probabilities
 * (v*scale), for the SSM's rows (slot = row). Missing entries are
 * SMIX_TOKEN_NONE. */
static void top_rows(const model *m, uint32_t n, uint32_t *ids, float *ps)
{
    const float *v = m->s.e_ssm;
    float scale = (float)(1.0 / m->s.sum_e_ssm);
    uint32_t best[SMIX_TOPK];
    int nb = 0;
    for (uint32_t j = 0; j < n; j++) {
        if (nb == SMIX_TOPK && v[j] <= v[best[nb - 1]]) continue;
        int i = nb < SMIX_TOPK ? nb++ : nb - 1;
        while (i > 0 && v[best[i - 1]] < v[j]) { best[i] = best[i - 1]; i--; }
        best[i] = j;
    }
    for (int i = 0; i < SMIX_TOPK; i++) {
        ids[i] = i < nb ? id_of_slot(m, best[i]) : SMIX_TOKEN_NONE;
        ps[i] = i < nb ? v[best[i]] * scale : 0.0f;
    }
}

/* The SSM's view: its probability of NEW, of the token (unless it is new)
 * and its rank, its entropy, its own top list. */
static void ssm_view(const model *m, uint32_t y, smix_token_info *t)
{
    t->scale = m->s.scale;
    if (!m->net) {
        t->p_ssm = t->p_ssm_new = t->entropy = 0.0f;
        t->rank_ssm = 0;
        for (int i = 0; i < SMIX_TOPK; i++) { t->ssm_top_id[i] = SMIX_TOKEN_NONE; t->ssm_top_p[i] = 0.0f; }
        return;
    }
    uint32_t rows = m->s.ssm_rows_used;
    t->entropy = m->s.H * 1.44269504f;
    t->p_ssm_new = (float)(m->s.e_ssm[0] / m->s.sum_e_ssm);   /* row 0's share per member: NEW's */
    t->p_ssm = 0.0f;
    t->rank_ssm = 0;
    if (y) {
        uint32_t rank = 1;
        float zy = model_ssm_logit(m, y);
        for (uint32_t j = 0; j < rows; j++) rank += m->s.z[j] > zy;
        if (m->s.z[0] > zy) rank += m->h.nslots - rows;   /* the slots sharing row 0 */
        t->p_ssm = (float)(model_ssm_exp(m, y) / m->s.sum_e_ssm);
        t->rank_ssm = rank;
        t->flags |= SMIX_TI_SSM;
    }
    top_rows(m, rows, t->ssm_top_id, t->ssm_top_p);
}

/* The n-gram context the token was predicted in: the longest order seen,
 * and how often the token followed it. */
static void longest_context(const model *m, uint32_t y, smix_token_info *t)
{
    t->longest_order = m->s.longest ? (int8_t)ngm_orders[m->s.longest - 1] : 0;
    t->longest_count = 0;
    if (!m->s.longest || !y) return;
    const ngm_ctx *c = &m->s.ctx[m->s.longest - 1];
    for (uint32_t i = 0; i < c->n; i++)
        if (c->items[i].slot == y) t->longest_count = c->items[i].count;
}

/* The rival's id and terms (none: SMIX_TOKEN_NONE, zeros). */
static void rival_terms(const model *m, uint32_t r, smix_token_info *t)
{
    if (r == NO_CAND) {
        t->fav_id = SMIX_TOKEN_NONE;
        t->fav_logit = 0.0;
        memset(t->fav_comp, 0, COMP_N * sizeof *t->fav_comp);
        return;
    }
    t->fav_id = id_of_slot(m, m->s.cand[r]);
    t->fav_logit = cand_terms(m, r, t->fav_comp);
}

int model_trace_init(model *m, int saved)
{
    if (!m->s.trace_idx) m->s.trace_idx = malloc(m->c.cap * sizeof *m->s.trace_idx);
    return m->s.trace_idx && (!saved || model_cf_init(m) == 0) ? 0 : -1;
}

void model_trace(model *m, uint32_t y, smix_token_info *t)
{
    int cand = model_is_cand(m, y);
    uint32_t iy = cand ? m->s.cand_index[y] : NO_CAND;
    double ey = cand ? (double)m->s.e[iy] : member_mass(m, m->h.sc.used_pos[m->h.sc.cls[y]]);
    cand_scan cs;
    t->flags = 0;
    ssm_view(m, y, t);
    longest_context(m, y, t);
    scan_candidates(m, ey, m->s.trace_idx, &cs);
    t->rank_final = rank_of(m, &cs, ey);
    uint32_t r = rival_of(m, &cs, y);
    t->logit = cand ? cand_terms(m, iy, t->comp) : class_terms(m, y, t->comp);
    rival_terms(m, r, t);
    context_terms(m, iy, r, t->comp, t->fav_comp);
    if (r == NO_CAND || ey >= (double)m->s.e[r]) t->flags |= SMIX_TI_FAV;
    t->log_norm = (double)m->s.shift + ln(m->s.sum_e);
    if (m->s.cf_me) model_counterfactuals(m, t->comp, t->saved);
    float scale = (float)(1.0 / m->s.sum_e);
    for (int i = 0; i < SMIX_TOPK; i++) {
        t->top_id[i] = i < cs.nb ? id_of_slot(m, m->s.cand[cs.best[i]]) : SMIX_TOKEN_NONE;
        t->top_p[i] = i < cs.nb ? m->s.e[cs.best[i]] * scale : 0.0f;
    }
}
