/*
 * model_trace.c - what the trace records of a prediction (model_trace),
 * read from the model's per-token state before model_update. Only called
 * when a token hook is installed; the feature statistics it computes are
 * kept for the weights' update of the same position, so tracing repeats no
 * work of the learning step.
 */
#include "model_internal.h"

#include <string.h>

/* Inserts j into best[0..*nb) (descending by v), keeping at most SMIX_TOPK. */
static void top_insert(const float *v, uint32_t j, uint32_t *best, int *nb)
{
    if (*nb == SMIX_TOPK && v[j] <= v[best[*nb - 1]]) return;
    int i = *nb < SMIX_TOPK ? (*nb)++ : *nb - 1;
    while (i > 0 && v[best[i - 1]] < v[j]) { best[i] = best[i - 1]; i--; }
    best[i] = j;
}

/* The SMIX_TOPK largest of v[0..n) as token ids and probabilities (v*scale);
 * v[i] belongs to slot list[i] (to slot i when list is NULL). */
static void top_k(const float *v, const uint32_t *list, uint32_t n, float scale,
                  const uint32_t *id_of, uint32_t *ids, float *ps)
{
    uint32_t best[SMIX_TOPK];
    int nb = 0;
    for (uint32_t i = 0; i < n; i++) top_insert(v, i, best, &nb);
    for (int i = 0; i < SMIX_TOPK; i++) {
        uint32_t slot = i < nb ? (list ? list[best[i]] : best[i]) : 0;
        ids[i] = slot ? id_of[slot] : SMIX_TOKEN_NEW;
        ps[i] = i < nb ? v[best[i]] * scale : 0.0f;
    }
}

/* The cell biases order k gave slot y (0 if y is not among its followers). */
static float cell_bias_of(const model *m, int k, uint32_t y)
{
    int32_t i = m->c.cells ? model_follower_index(m, k, y) : -1;
    if (i < 0) return 0.0f;
    uint32_t at = m->s.item_start[k] + (uint32_t)i;
    return m->s.cell_share_bias[k][m->s.item_share[at]] + m->s.cell_age_bias[k][m->s.item_age[at]];
}

void model_trace(model *m, uint32_t y, smix_token_info *t)
{
    float *fy = m->s.fy_cache;
    double *ef = m->s.ef_cache;
    model_feature_stats(m, y, fy, ef);
    m->s.stats_valid = 1;      /* reused by learn_weights for the same position */
    const float *w = m->s.wc;
    memset(t->bias, 0, sizeof t->bias);
    t->bias[SMIX_COMP_PRIOR] = w[F_PRIOR] * fy[F_PRIOR];
    for (int k = 0; k < NGM_NORDERS; k++)
        t->bias[SMIX_COMP_NG1 + k] = w[F_NG + k] * fy[F_NG + k] + w[F_BONUS + k] * fy[F_BONUS + k]
                                     + w[F_CREC + k] * fy[F_CREC + k]
                                     + (k == m->s.longest - 1 ? w[F_PPM] * fy[F_PPM] : 0.0f)
                                     + cell_bias_of(m, k, y);
    t->bias[SMIX_COMP_MATCH] = w[F_MATCH] * fy[F_MATCH];
    t->bias[SMIX_COMP_RECENCY] = w[F_REC] * fy[F_REC] + w[F_RLAST] * fy[F_RLAST];
    t->scale = m->s.scale;
    t->entropy = m->s.H * 1.44269504f;
    t->longest_order = m->s.longest ? (int8_t)ngm_orders[m->s.longest - 1] : 0;
    t->longest_count = 0;
    if (m->s.longest) {
        const ngm_ctx *c = &m->s.ctx[m->s.longest - 1];
        for (uint32_t i = 0; i < c->n; i++)
            if (c->items[i].slot == y && y) t->longest_count = c->items[i].count;
    }
    top_k(m->s.e, m->s.cand, m->s.ncand, (float)(1.0 / m->s.sum_e), m->h.id_of, t->top_id, t->top_p);
    if (!m->net) {
        t->p_ssm = 0.0f;
        t->rank_ssm = 0;
        for (int i = 0; i < SMIX_TOPK; i++) { t->ssm_top_id[i] = SMIX_TOKEN_NEW; t->ssm_top_p[i] = 0.0f; }
        return;
    }
    uint32_t rank = 1, rows = m->s.ssm_rows_used;
    float zy = model_ssm_logit(m, y);
    for (uint32_t j = 0; j < rows; j++) rank += m->s.z[j] > zy;
    if (m->s.z[0] > zy) rank += m->h.nslots - rows;   /* the slots sharing row 0 */
    t->p_ssm = (float)(model_ssm_exp(m, y) / m->s.sum_e_ssm);
    t->rank_ssm = rank;
    top_k(m->s.e_ssm, NULL, rows, (float)(1.0 / m->s.sum_e_ssm), m->h.id_of, t->ssm_top_id, t->ssm_top_p);
}
