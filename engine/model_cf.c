/*
 * model_cf.c - counterfactuals for the trace: how many more bits the token
 * model would have given the coded token without each component.
 *
 * The final logit of every symbol is a sum of component terms
 * (model_trace.c), L_j = sum_X c_X(j), and the token model's information
 * about token y is I = log Z - L_y with Z = sum_j e^(L_j) over every
 * symbol (the candidates, NEW and each seen token no candidate offered).
 * Without component X every symbol loses its term and the distribution is
 * renormalised:
 *
 *   I_-X = log Z_-X - (L_y - c_X(y)),   Z_-X = sum_j e^(L_j - c_X(j))
 *   saved_X = (I_-X - I) / ln 2 = (log(Z_-X / Z) + c_X(y)) / ln 2 bits
 *
 * with the other components' terms as they were (the APMs' corrections are
 * components too, held at their factors). This is exact, and cheap because
 * each Z_-X comes from the masses the model already has and the change
 * over X's support only:
 *   - a context (an n-gram order, a skip context), the recent positions:
 *     their tokens;
 *   - the match, NEW's features, the APMs: one or two symbols;
 *   - the SSM, prior, time since last seen, PPM blend, cell biases: every
 *     candidate (the SSM's term is 0 for every other token; the prior's
 *     and time since last seen's depend on a class only through its count
 *     or age bucket, so the classes' part comes from their masses by
 *     bucket);
 *   - the kind, count and age biases: one factor per kind or bucket, on the
 *     mass of every seen token of that kind or bucket (model_part_masses);
 *   - the step-2 class factor: it only moves mass among the escapes, so
 *     Z_-X = Z. After an escape every token no candidate offered has the
 *     class term (model_trace.c), so their masses by bucket are then those
 *     of step 2.
 * At the default level that is about 1,200 exponentials per token (5 per
 * candidate, 1 per context follower, 1 per bucket), in float lanes (vec.h;
 * relative error about 2e-7, so about 1e-6 bits), where recomputing each
 * distribution would take 5,000 or more.
 */
#include "model_internal.h"

#include <stdlib.h>
#include <string.h>

#include "components.h"
#include "fmath.h"
#include "vec.h"

#define LN2 0.69314718055994530942

/* Z_-X / Z for each component. */
typedef struct cf_ratio {
    double r[COMP_N];
} cf_ratio;

/* The masses of the tokens no candidate offered (cls), and of every seen
 * token (all; NEW aside), by kind, count and age. */
typedef struct part_mass {
    double kind[SC_KINDS], count[SC_COUNT_BUCKETS], age[SC_AGE_BUCKETS];
} part_mass;

/* After an escape, the step-2 masses of the classes, other_mass class_p[u]
 * each, summed by part in four interleaved sets (a class's parts repeat
 * from one class to the next; four sets keep the additions from waiting on
 * each other). */
static void step2_masses(const model *m, part_mass *cls)
{
    part_mass s[4];
    memset(s, 0, sizeof s);
    const slotclass *c = &m->h.sc;
    for (uint32_t u = 0; u < c->nused; u++) {
        double x = m->s.other_mass * (double)m->s.class_p[u];
        part_mass *p = &s[u & 3];
        p->kind[c->used_kind[u]] += x;
        p->count[c->used_count[u]] += x;
        p->age[c->used_age[u]] += x;
    }
    for (int f = 0; f < SC_KINDS; f++) cls->kind[f] = (s[0].kind[f] + s[1].kind[f]) + (s[2].kind[f] + s[3].kind[f]);
    for (int b = 0; b < SC_COUNT_BUCKETS; b++)
        cls->count[b] = (s[0].count[b] + s[1].count[b]) + (s[2].count[b] + s[3].count[b]);
    for (int b = 0; b < SC_AGE_BUCKETS; b++) cls->age[b] = (s[0].age[b] + s[1].age[b]) + (s[2].age[b] + s[3].age[b]);
}

/* The tokens no candidate offered by part, and every seen token: the
 * model's (step 1), or after an escape those of step 2 plus the
 * candidates'. */
static void masses_by_part(const model *m, part_mass *cls, part_mass *all)
{
    if (!m->s.escaped) {
        memcpy(cls->kind, m->s.kind_mass, sizeof cls->kind);
        memcpy(cls->count, m->s.count_mass, sizeof cls->count);
        memcpy(cls->age, m->s.age_mass, sizeof cls->age);
        memcpy(all->kind, m->s.all_kind, sizeof all->kind);
        memcpy(all->count, m->s.all_count, sizeof all->count);
        memcpy(all->age, m->s.all_age, sizeof all->age);
        return;
    }
    step2_masses(m, cls);
    *all = *cls;
    for (uint32_t i = 1; i < m->s.ncand; i++) {
        uint32_t k = m->s.cand_class[i];
        all->kind[sc_kind_of(k)] += m->s.e[i];
        all->count[sc_count_of(k)] += m->s.e[i];
        all->age[sc_age_of(k)] += m->s.e[i];
    }
}

/* The sparse supports, gathered into one array for one pass of
 * exponentials: each context's followers, the buckets (below); mass me[i],
 * term x[i], product p[i] = me[i] e^-x[i]. */
enum { SEG_GROUPS = NCTX, NSEGS };
typedef struct sparse {
    float *me, *x, *p;
    uint32_t n, start[NSEGS + 1];
} sparse;

/* The parts by bucket: the kind, count and age biases on every seen token,
 * the prior and the time since last seen on the classes. */
enum { G_KIND, G_COUNT, G_AGE, G_PRIOR, G_LAST, NGROUPS };
#define GROUPS_LEN (SC_KINDS + 2 * SC_COUNT_BUCKETS + 2 * SC_AGE_BUCKETS)

int model_cf_init(model *m)
{
    if (m->s.cf_me) return 0;
    /* the followers each context keeps, the recent tokens, the buckets;
     * and room for one value per candidate (dense_ratios) */
    uint32_t per = m->c.cfg.follow16 ? 16u * m->c.cfg.follow16 : m->c.cap;
    m->s.cf_len = NCTX * (per < m->c.cap ? per : m->c.cap) + GROUPS_LEN + VEC_LANES;
    if (m->s.cf_len < m->c.cap) m->s.cf_len = m->c.cap;
    m->s.cf_me = malloc(m->s.cf_len * sizeof *m->s.cf_me);
    m->s.cf_x = malloc(m->s.cf_len * sizeof *m->s.cf_x);
    m->s.cf_p = malloc(m->s.cf_len * sizeof *m->s.cf_p);
    m->s.cf_cells = malloc(m->c.cap * sizeof *m->s.cf_cells);
    return m->s.cf_me && m->s.cf_x && m->s.cf_p && m->s.cf_cells ? 0 : -1;
}

/* The contexts' followers (and each candidate's sum of cell biases, added
 * in model_trace.c's order). */
static void gather_contexts(const model *m, sparse *sp, float *cells)
{
    const float *w = m->s.wc, *e = m->s.e;
    float s = m->s.scale;
    for (int k = 0; k < NCTX; k++) {
        const ngm_ctx *c = &m->s.ctx[k];
        sp->start[k] = sp->n;
        if (!c->items) continue;
        uint32_t at = m->s.item_start[k];
        const uint32_t *ci = m->s.item_cand + at;
        const float *g = m->s.item_g + at, *r = m->s.item_r + at;
        float bonus = w[F_CTX(k, CTX_CONF)] * s * m->s.conf[k];
        float wk = w[F_CTX(k, CTX_COUNT)] * s, wc = w[F_CTX(k, CTX_REC)] * s;
        float *me = sp->me + sp->n, *x = sp->x + sp->n;
        sp->n += c->n;
        if (!m->c.cells) {
            for (uint32_t i = 0; i < c->n; i++) {
                me[i] = e[ci[i]];
                x[i] = wk * g[i] + bonus + wc * r[i];
            }
            continue;
        }
        const uint8_t *sh = m->s.item_share + at, *ag = m->s.item_age + at;
        const float *sb = m->s.cell_share_bias[k], *ab = m->s.cell_age_bias[k];
        for (uint32_t i = 0; i < c->n; i++) {
            me[i] = e[ci[i]];
            x[i] = wk * g[i] + bonus + wc * r[i];
            cells[ci[i]] += sb[sh[i]] + ab[ag[i]];
        }
    }
}

static void group_add(sparse *sp, const double *mass, const float *x, float k, int n)
{
    for (int b = 0; b < n; b++) {
        sp->me[sp->n + (uint32_t)b] = (float)mass[b];
        sp->x[sp->n + (uint32_t)b] = k * x[b];
    }
    sp->n += (uint32_t)n;
}

static void gather_groups(const model *m, const part_mass *cls, const part_mass *all, sparse *sp)
{
    const float *w = m->s.wc;
    float s = m->s.scale;
    sp->start[SEG_GROUPS] = sp->n;
    group_add(sp, all->kind, m->s.kind_cur, 1.0f, SC_KINDS);
    group_add(sp, all->count, m->s.count_bias, 1.0f, SC_COUNT_BUCKETS);
    group_add(sp, all->age, m->s.age_bias, 1.0f, SC_AGE_BUCKETS);
    group_add(sp, cls->count, m->c.prior_rep, w[F_PRIOR] * s, SC_COUNT_BUCKETS);
    group_add(sp, cls->age, m->c.rlast_rep, w[F_LASTSEEN] * s, SC_AGE_BUCKETS);
    sp->start[NSEGS] = sp->n;
}

/* The sums of u[0..n) and v[0..n) in double, in four interleaved partial
 * sums (so that the additions do not wait on each other), equal where the
 * arrays are. */
static void sums4(const float *u, const float *v, uint32_t n, double *su, double *sv)
{
    double a[4] = { 0 }, b[4] = { 0 };
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int l = 0; l < 4; l++) {
            a[l] += u[i + l];
            b[l] += v[i + l];
        }
    for (; i < n; i++) {
        a[0] += u[i];
        b[0] += v[i];
    }
    *su = (a[0] + a[1]) + (a[2] + a[3]);
    *sv = (b[0] + b[1]) + (b[2] + b[3]);
}

/* sum of me and of p over [a, b), in double (equal where every term is 0) */
static void seg_sums(const sparse *sp, uint32_t a, uint32_t b, double *with, double *without)
{
    sums4(sp->me + a, sp->p + a, b - a, with, without);
}

/* A sparse support's Z_-X / Z = 1 + (sum me e^-x - sum me) / z: without
 * the component, what is left may be a tiny part of z, so both sums and z
 * are in double. */
static double sparse_ratio(const sparse *sp, uint32_t a, uint32_t b, double z)
{
    double with, without;
    seg_sums(sp, a, b, &with, &without);
    return 1.0 + (without - with) / z;
}

/* The groups' sums: with = of a group's masses, without = of the masses
 * each times e^-x. */
static void group_sums(const sparse *sp, double *with, double *without)
{
    static const int len[NGROUPS] = { SC_KINDS, SC_COUNT_BUCKETS, SC_AGE_BUCKETS, SC_COUNT_BUCKETS, SC_AGE_BUCKETS };
    uint32_t at = sp->start[SEG_GROUPS];
    for (int g = 0; g < NGROUPS; g++, at += (uint32_t)len[g - 1]) seg_sums(sp, at, at + (uint32_t)len[g], &with[g], &without[g]);
}

/* The components with a term on every candidate: the candidates' masses
 * each times e^(-k x[i]) (in lanes, every term positive) against their
 * plain sum in the same lanes; then the parts by bucket, or the tokens no
 * candidate offered where a component gives them no term. */
static void dense_ratios(const model *m, const double *gw, const double *gwo, float *x, float *tmp, const float *cells,
                         cf_ratio *out)
{
    const float *w = m->s.wc, *e = m->s.e;
    float s = m->s.scale;
    uint32_t n = m->s.ncand;
    for (uint32_t i = 0; i < n; i++) x[i] = m->h.prior[m->s.cand[i]];
    int comp[6] = { COMP_PRIOR, COMP_LASTSEEN, COMP_RECENT, COMP_PPM, COMP_CELLS, COMP_SSM };
    const float *xs[6] = { x, m->s.rlast, m->s.recsum, m->s.q, cells, m->s.zf };
    float ks[6] = { w[F_PRIOR] * s, w[F_LASTSEEN] * s, w[F_RECENT] * s, w[F_PPM] * s, 1.0f, w[F_SSM] };
    int nc = m->net ? 6 : m->c.cells ? 5 : 4;   /* (without the cells, their terms are 0) */
    double without[6], ce = vec_sum(e, n), o = m->s.other_mass;
    for (int c = 0; c < nc; c++) without[c] = vec_exp_mass(e, xs[c], ks[c], n, tmp);
    for (int c = 2; c < nc; c++) out->r[comp[c]] = (without[c] + o) / (ce + o);
    out->r[COMP_PRIOR] = (without[0] + gwo[G_PRIOR]) / (ce + gw[G_PRIOR]);
    out->r[COMP_LASTSEEN] = (without[1] + gwo[G_LAST]) / (ce + gw[G_LAST]);
    double e0 = m->s.e[0];   /* NEW has no kind, count or age */
    out->r[COMP_KIND] = (e0 + gwo[G_KIND]) / (e0 + gw[G_KIND]);
    out->r[COMP_COUNT] = (e0 + gwo[G_COUNT]) / (e0 + gw[G_COUNT]);
    out->r[COMP_AGE] = (e0 + gwo[G_AGE]) / (e0 + gw[G_AGE]);
}

/* e (e^-c - 1): the change of a mass e when a term c is taken away. */
static double change(double e, float c) { return e * ((double)fm_exp(-c) - 1.0); }

/* The components of one or two symbols: the match, NEW's features, the APMs. */
static void point_ratios(const model *m, double z, cf_ratio *out)
{
    const float *w = m->s.wc, *e = m->s.e;
    if (m->h.mlen) {
        uint32_t i = m->s.cand_index[m->h.hist[m->h.mptr]];
        out->r[COMP_MATCH] = 1.0 + change(e[i], w[F_MATCH] * m->s.scale * model_match_feature(m->h.mlen)) / z;
    }
    static const int nf[3][2] = { { COMP_NEW_BIAS, F_NEW_BIAS }, { COMP_NEW_ESC, F_NEW_ESC }, { COMP_NEW_RATE, F_NEW_RATE } };
    for (int k = 0; k < 3; k++) out->r[nf[k][0]] = 1.0 + change(e[0], w[nf[k][1]] * m->s.new_feat[nf[k][1]]) / z;
    out->r[COMP_APM_ESC] = 1.0 + (m->s.other_mass / m->s.esc_f - m->s.other_mass) / z;
    /* each APM's factor undone (NEW's applied first, then the favourite's:
     * when NEW is the favourite, top_pre is NEW's mass between the two) */
    double mid = m->s.apm_top_i == 0 ? m->s.top_pre : e[0];
    out->r[COMP_APM_NEW] = 1.0 + (double)e[0] * ((double)m->s.e0_pre / mid - 1.0) / z;
    out->r[COMP_APM_FAV] = 1.0 + ((double)m->s.top_pre - (double)e[m->s.apm_top_i]) / z;
}


/* log2 r: 0 for r = 1 (no effect), a series near 1 (where the float log
 * would lose the small effects), the float log elsewhere (its error, about
 * 1e-7, is then small against the result), the double one outside the
 * float range. */
static double log2_ratio(double r)
{
    double d = r - 1.0;
    if (d == 0.0) return 0.0;
    if (d > -1e-3 && d < 1e-3) return d * (1.0 - d * (0.5 - d * (1.0 / 3.0 - d * 0.25))) / LN2;
    if (r > 1e-30 && r < 1e30) return (double)fm_log2((float)r);
    return r > 1e-300 ? fm_log2d(r) : -997.0;
}

void model_counterfactuals(model *m, const float *cy, float *saved)
{
    cf_ratio cr;
    part_mass cls, all;
    sparse sp = { m->s.cf_me, m->s.cf_x, m->s.cf_p, 0, { 0 } };
    float *cells = m->s.cf_cells;
    double z, unused;   /* in double: a sparse support's change is taken from it */
    sums4(m->s.e, m->s.e, m->s.ncand, &z, &unused);
    z += m->s.other_mass;
    memset(cells, 0, m->s.ncand * sizeof *cells);
    for (int c = 0; c < COMP_N; c++) cr.r[c] = 1.0;
    masses_by_part(m, &cls, &all);
    gather_contexts(m, &sp, cells);
    gather_groups(m, &cls, &all, &sp);
    vec_exp_scaled(sp.me, sp.x, sp.p, sp.n);
    for (int k = 0; k < NCTX; k++)
        if (m->s.ctx[k].items) cr.r[COMP_NG1 + k] = sparse_ratio(&sp, sp.start[k], sp.start[k + 1], z);
    double gw[NGROUPS], gwo[NGROUPS];
    group_sums(&sp, gw, gwo);
    dense_ratios(m, gw, gwo, m->s.cf_x, m->s.cf_p, cells, &cr);   /* (the sparse supports' space is free again) */
    point_ratios(m, z, &cr);
    for (int c = 0; c < COMP_N; c++) saved[c] = (float)(log2_ratio(cr.r[c]) + cy[c] / LN2);
}
