/*
 * model_apm.c - the three APMs (PAQ's adaptive probability maps) that
 * refine the mixed distribution after the logits: one on the probability
 * of ESCAPE (every seen token that is no candidate, rescaled together), one
 * on NEW, one on the favourite. Each maps (a context, the stretched
 * probability) to the hit rate observed there, interpolated between 33
 * cells over [-8, 8], and averages the result with its input; the mass of
 * the refined symbol is then set to match. They act only inside
 * [1e-4, 0.9999] (outside, clamping tiny probabilities up had inflated
 * binary files: docs/model.md, session 2). O(1) per token each, applied in
 * that order by quantise (model.c) and learned in model_update.
 */
#include "model_internal.h"

#include "fmath.h"

#define APM_RATE 0.02f

/* Every row starts as the identity map. */
void model_apm_init(model *m)
{
    for (int s = 0; s < APM_SETS * NEWID_KINDS; s++)
        for (int b = 0; b < APM_CELLS; b++)
            m->w.apm[s][b] = m->w.esc_apm[s][b] = m->w.new_apm[s][b] = 1.0f / (1.0f + fm_exp(-((float)b * 0.5f - 8.0f)));
}

static float stretchf(float p) { return fm_log(p / (1.0f - p)); }

/* One APM row: 33 cells over the stretched probability in [-8, 8]. Looks
 * up p's interpolated estimate and remembers where, for apm_update. */
static float apm_lookup(const float *cell, float p, int *bucket, float *frac)
{
    float st = stretchf(p);
    st = st < -7.999f ? -7.999f : st > 7.999f ? 7.999f : st;
    float pos = (st + 8.0f) * 2.0f;
    int b = (int)pos;
    float fr = pos - (float)b;
    *bucket = b;
    *frac = fr;
    return cell[b] * (1.0f - fr) + cell[b + 1] * fr;
}

static void apm_update(float *cell, int b, float frac, float target)
{
    if (b < 0) return;
    cell[b] += (target - cell[b]) * APM_RATE * (1.0f - frac);
    cell[b + 1] += (target - cell[b + 1]) * APM_RATE * frac;
}

/* The favourite (the first candidate with the largest logit, fmax): the
 * APM's estimate weighs 3/4. Sets sum_e. */
void model_apm_refine(model *m, float fmax)
{
    uint32_t i = 0;
    while (i + 1 < m->s.ncand && m->s.F[i] != fmax) i++;
    uint32_t top = i;
    m->s.apm_top = m->s.cand[i];
    m->s.apm_top_i = top;
    m->s.top_pre = m->s.e[top];
    m->s.apm_b = -1;
    /* the rest summed, not sum_e - e[top]: when the favourite holds nearly
     * all the mass that difference is rounding noise (and it once made
     * frequency totals overflow the coder's range) */
    double rest = m->s.other_mass;
    for (uint32_t j = 0; j < m->s.ncand; j++) rest += j == top ? 0.0 : (double)m->s.e[j];
    if (m->h.nslots < 2 || !(rest > 1e-6 * m->s.e[top])) return;   /* p > 0.999999: leave it */
    float p = (float)(m->s.e[top] / (m->s.e[top] + rest));
    if (p > 0.9999f) p = 0.9999f;
    if (p < 0.0001f) p = 0.0001f;
    float pa = apm_lookup(m->w.apm[m->s.set * NEWID_KINDS + m->nid.kind], p, &m->s.apm_b, &m->s.apm_frac);
    float pf = (p + 3.0f * pa) * 0.25f;
    pf = pf < 0.0001f ? 0.0001f : pf > 0.9999f ? 0.9999f : pf;
    float enew = (float)(pf / (1.0f - pf) * rest);
    m->s.sum_e = rest + enew;
    m->s.e[top] = enew;
}

/* The same for the probability of ESCAPE (a seen token no candidate):
 * rescales the mass of all the classes together. */
void model_esc_refine(model *m, double cand_mass)
{
    m->s.esc_b = -1;
    if (!(m->s.other_mass > 0.0) || !(cand_mass > 0.0)) return;
    float p = (float)(m->s.other_mass / (m->s.other_mass + cand_mass));
    if (!(p >= 0.0001f && p <= 0.9999f)) return;
    float pa = apm_lookup(m->w.esc_apm[m->s.esc_ctx], p, &m->s.esc_b, &m->s.esc_frac);
    float pf = (p + pa) * 0.5f;
    pf = pf < 0.0001f ? 0.0001f : pf > 0.9999f ? 0.9999f : pf;
    double f = (double)pf / (1.0 - (double)pf) * cand_mass / m->s.other_mass;
    m->s.esc_f = f;
    m->s.other_scale *= f;
    m->s.other_mass *= f;
    m->s.other_prior *= f;
    m->s.other_rlast *= f;
    for (int k = 0; k < SC_KINDS; k++) m->s.kind_mass[k] *= f;
    for (int k = 0; k < SC_COUNT_BUCKETS; k++) m->s.count_mass[k] *= f;
    for (int k = 0; k < SC_AGE_BUCKETS; k++) m->s.age_mass[k] *= f;
}

/* And for NEW (candidate 0); sets sum_e (the rest summed, not subtracted:
 * see apm_refine). */
void model_new_refine(model *m)
{
    m->s.new_b = -1;
    m->s.e0_pre = m->s.e[0];
    double all = m->s.other_mass + (double)m->s.e[0], rest = m->s.other_mass;   /* with and without NEW */
    for (uint32_t i = 1; i < m->s.ncand; i++) {
        all += m->s.e[i];
        rest += m->s.e[i];
    }
    m->s.sum_e = all;
    if (!(rest > 0.0) || !(m->s.e[0] > 0.0f)) return;
    float p = (float)(m->s.e[0] / (m->s.e[0] + rest));
    if (!(p >= 0.0001f && p <= 0.9999f)) return;
    float pa = apm_lookup(m->w.new_apm[m->s.esc_ctx], p, &m->s.new_b, &m->s.new_frac);
    float pf = (p + pa) * 0.5f;
    pf = pf < 0.0001f ? 0.0001f : pf > 0.9999f ? 0.9999f : pf;
    m->s.e[0] = (float)((double)pf / (1.0 - (double)pf) * rest);
    m->s.sum_e = rest + m->s.e[0];
}

void model_learn_apms(model *m, uint32_t y)
{
    apm_update(m->w.apm[m->s.set * NEWID_KINDS + m->nid.kind], m->s.apm_b, m->s.apm_frac, y == m->s.apm_top ? 1.0f : 0.0f);
    apm_update(m->w.esc_apm[m->s.esc_ctx], m->s.esc_b, m->s.esc_frac, y && !model_is_cand(m, y) ? 1.0f : 0.0f);
    apm_update(m->w.new_apm[m->s.esc_ctx], m->s.new_b, m->s.new_frac, y == 0 ? 1.0f : 0.0f);
}
