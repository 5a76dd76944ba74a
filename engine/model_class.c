/*
 * model_class.c - the seen tokens that are no candidate, as classes.
 *
 * Every seen token that no context, recent position, match or SSM
 * favourite offers (an "escape" when it occurs) has a logit that depends
 * only on its kind (first byte), count and age:
 *
 *   F = w_prior s prior_rep[count bucket] + C[count bucket]
 *     + w_last s rlast_rep[age bucket] + A[age bucket] + K[kind]
 *
 * so the tokens of one class (slotclass.h) share one logit and the tail of
 * the distribution costs O(classes in use). The learned biases K (by the
 * previous last byte, the previous token and the previous pair), C and A
 * (by the previous last byte's kind) apply to candidates too; their
 * gradient is E_p[part] - [y's part], summed over the candidates and the
 * classes. After an ESCAPE the class is coded (step 2) with the class
 * masses times a learned factor by class and previous byte kind, then the
 * member, uniformly (step 3); or, walking escapes (tokbits.c), the member
 * among all of them with its class's step-2 probability.
 */
#include "model_internal.h"

#include <string.h>

#include "fmath.h"

#define BUCKET_LR 0.03f        /* count and age biases */
#define KIND_LR 0.15f          /* kind bias by the previous last byte, */
#define KIND_LR2 0.4f          /*   by the previous token, */
#define KIND_LR3 0.3f          /*   by the hashed previous pair */
#define CLASS_LR 0.1f          /* step-2 class factor */
#define CLASS_FMIN 3.3546e-4f  /* e^-8 .. e^8, as the biases */
#define CLASS_FMAX 2980.96f

/* A class's typical prior and time since last seen; the age boundaries.
 * The class factors start at 1, a row at a time (model_escape_prepare). */
void model_class_init(model *m)
{
    for (int b = 0; b < SC_COUNT_BUCKETS; b++) m->c.prior_rep[b] = 0.1f * fm_log(1.0f + sc_count_rep(b, m->c.count_octaves));
    for (int b = 0; b < SC_AGE_BUCKETS; b++) m->c.rlast_rep[b] = RLAST_H / (RLAST_H + sc_age_rep(b, m->c.age_octaves));
    m->c.n_age_bound = sc_age_boundaries(m->c.age_bound, SC_AGE_BUCKETS, m->c.age_octaves);
}

/* ---- forward ---- */

/* Exponentials of each bucket's part of the shared class logit
 * wp prior_rep[cb] + wr rlast_rep[ab], each against its own maximum;
 * returns the sum of the two maxima. */
float model_class_parts(model *m, const float *w)
{
    float wp = w[F_PRIOR] * m->s.scale, wr = w[F_LASTSEEN] * m->s.scale;
    float mp = wp * m->c.prior_rep[0], mr = wr * m->c.rlast_rep[0];
    float lp[SC_COUNT_BUCKETS], lr[SC_AGE_BUCKETS];
    for (int b = 0; b < SC_COUNT_BUCKETS; b++) lp[b] = wp * m->c.prior_rep[b] + m->s.count_bias[b];
    for (int b = 0; b < SC_AGE_BUCKETS; b++) lr[b] = wr * m->c.rlast_rep[b] + m->s.age_bias[b];
    mp = lp[0];
    mr = lr[0];
    for (int b = 1; b < SC_COUNT_BUCKETS; b++) mp = lp[b] > mp ? lp[b] : mp;
    for (int b = 1; b < SC_AGE_BUCKETS; b++) mr = lr[b] > mr ? lr[b] : mr;
    for (int b = 0; b < SC_COUNT_BUCKETS; b++) m->s.ep[b] = fm_exp(lp[b] - mp);
    for (int b = 0; b < SC_AGE_BUCKETS; b++) m->s.er[b] = fm_exp(lr[b] - mr);
    const float *kw = m->s.kind_cur;
    float mk = kw[0];
    for (int f = 1; f < SC_KINDS; f++) mk = kw[f] > mk ? kw[f] : mk;
    for (int f = 0; f < SC_KINDS; f++) m->s.ek[f] = fm_exp(kw[f] - mk);
    return mp + mr + mk;
}

/* members of used class i that are not candidates */
static uint32_t class_others(const model *m, uint32_t i) { return m->h.sc.used_size[i] - m->s.excl[i]; }


/* Total mass of the non-candidates by kind, count and age bucket; its
 * prior and rlast moments follow from the bucket sums (prior and rlast are
 * the same for every member of a bucket). */
void model_class_masses(model *m, float shift, float top)
{
    /* one pass, float sums (double sums in a second pass cost 8% of level
     * 1's instructions for no smaller output) */
    float fk[SC_KINDS] = { 0 }, fc[SC_COUNT_BUCKETS] = { 0 }, fa[SC_AGE_BUCKETS] = { 0 };
    double mk[SC_KINDS], mc[SC_COUNT_BUCKETS], ma[SC_AGE_BUCKETS];
    const slotclass *c = &m->h.sc;
    uint32_t n = c->nused;
    float *unit = m->s.class_unit;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t kc = c->used_count[i], ka = c->used_age[i], kk = c->used_kind[i];
        float u = (m->s.ep[kc] * m->s.er[ka]) * m->s.ek[kk];
        float xi = (float)(c->used_size[i] - m->s.excl[i]) * u;
        unit[i] = u;
        fk[kk] += xi;
        fc[kc] += xi;
        fa[ka] += xi;
    }
    for (int f = 0; f < SC_KINDS; f++) mk[f] = fk[f];
    for (int b = 0; b < SC_COUNT_BUCKETS; b++) mc[b] = fc[b];
    for (int b = 0; b < SC_AGE_BUCKETS; b++) ma[b] = fa[b];
    double sc = m->s.other_scale = fm_exp(top - shift), mass = 0.0, mprior = 0.0, mrlast = 0.0;
    for (int f = 0; f < SC_KINDS; f++) {
        mass += mk[f];
        m->s.kind_mass[f] = mk[f] * sc;
    }
    for (int b = 0; b < SC_COUNT_BUCKETS; b++) {
        mprior += mc[b] * m->c.prior_rep[b];
        m->s.count_mass[b] = mc[b] * sc;
    }
    for (int b = 0; b < SC_AGE_BUCKETS; b++) {
        mrlast += ma[b] * m->c.rlast_rep[b];
        m->s.age_mass[b] = ma[b] * sc;
    }
    m->s.other_mass = mass * sc;
    m->s.other_prior = mprior * sc;
    m->s.other_rlast = mrlast * sc;
}

void model_part_masses(model *m)
{
    double *pk = m->s.all_kind, *pc = m->s.all_count, *pa = m->s.all_age;
    memcpy(pk, m->s.kind_mass, sizeof m->s.kind_mass);
    memcpy(pc, m->s.count_mass, sizeof m->s.count_mass);
    memcpy(pa, m->s.age_mass, sizeof m->s.age_mass);
    const uint8_t *uk = m->h.sc.used_kind, *uc = m->h.sc.used_count, *ua = m->h.sc.used_age;
    for (uint32_t i = 1; i < m->s.ncand; i++) {   /* the class's parts by its place in sc.used */
        uint32_t u = m->s.cand_used[i];
        double e = m->s.e[i];
        pk[uk[u]] += e;
        pc[uc[u]] += e;
        pa[ua[u]] += e;
    }
}

/* ---- gradient ---- */

/* The kind, count and age biases: gradient E_p[class part = b] - [part of
 * y's class = b], the expectation from model_part_masses. */
void model_learn_class_biases(model *m, uint32_t y)
{
    const double *pk = m->s.all_kind, *pc = m->s.all_count, *pa = m->s.all_age;
    int yk = -1, yc = -1, ya = -1;
    if (y) {
        uint32_t k = m->h.sc.cls[y];
        yk = sc_kind_of(k), yc = sc_count_of(k), ya = sc_age_of(k);
    }
    double inv = 1.0 / m->s.sum_e;
    float *kw = m->w.kind_w[m->nid.last_byte];
    float *kt = m->w.kind_tok + (size_t)(m->h.t ? m->h.hist[m->h.t - 1] : 0) * SC_KINDS;
    float *kp = m->w.kind_pair + (size_t)m->s.kind_pair_at * SC_KINDS;
    for (int f = 0; f < SC_KINDS; f++) {
        float g = (float)(pk[f] * inv) - (f == yk ? 1.0f : 0.0f);
        kw[f] = model_clamp_bias(kw[f] - KIND_LR * g);
        kt[f] = model_clamp_bias(kt[f] - KIND_LR2 * g);
        kp[f] = model_clamp_bias(kp[f] - KIND_LR3 * g);
    }
    for (int b = 0; b < SC_COUNT_BUCKETS; b++)
        m->s.count_bias[b] = model_clamp_bias(m->s.count_bias[b] - BUCKET_LR * ((float)(pc[b] * inv) - (b == yc ? 1.0f : 0.0f)));
    for (int b = 0; b < SC_AGE_BUCKETS; b++)
        m->s.age_bias[b] = model_clamp_bias(m->s.age_bias[b] - BUCKET_LR * ((float)(pa[b] * inv) - (b == ya ? 1.0f : 0.0f)));
}

/* ---- escapes: the class, then the member ---- */

_Static_assert(NEWID_KINDS <= 32, "class_factor_ready has a bit per kind");

/* With escape_keys: a member's step-2 probability for each used class,
 * (unit x class factor) / sum, with no division by the members; and the
 * kinds' masses, the sums of their classes' class_p as four partial sums
 * (i mod 4). */
static void escape_key_masses(model *m)
{
    const slotclass *c = &m->h.sc;
    double *mp = m->s.member_p, inv = m->s.class_inv, part[4][SC_KINDS];
    memset(part, 0, sizeof part);
    for (uint32_t i = 0; i < c->nused; i++) {
        mp[i] = (double)m->s.class_ucf[i] * inv;
        part[i & 3][c->used_kind[i]] += m->s.class_p[i];
    }
    for (int k = 0; k < SC_KINDS; k++) m->s.kind_p[k] = (part[0][k] + part[1][k]) + (part[2][k] + part[3][k]);
}

/* The symbols of step 2 are the classes with members, in sc.used order.
 * Their masses are those of step 1 times a learned factor by class and by
 * the kind of the last byte, which only step 2 uses (enwik8_1M at level 3:
 * 0.14% smaller). */
void model_escape_prepare(model *m)
{
    float *cf = m->w.class_factor + (size_t)m->nid.kind * SC_NCLASS;
    if (!(m->w.class_factor_ready >> m->nid.kind & 1)) {   /* its first escape after this kind */
        for (uint32_t k = 0; k < SC_NCLASS; k++) cf[k] = 1.0f;
        m->w.class_factor_ready |= 1u << m->nid.kind;
    }
    double sum = 0.0;
    float *ucf = m->s.class_ucf;
    for (uint32_t i = 0; i < m->h.sc.nused; i++) {
        ucf[i] = m->s.class_unit[i] * cf[m->h.sc.used[i]];
        float x = (float)class_others(m, i) * ucf[i];
        m->s.class_p[i] = x;
        sum += x;
    }
    float inv = sum > 0.0 && sum < 1e30 ? (float)(1.0 / sum) : 0.0f;   /* degenerate: no step */
    m->s.class_inv = inv;
    m->s.escaped = 1;
    if (m->c.cfg.escape_walk) {   /* no class to code: class_p for the walk */
        for (uint32_t i = 0; i < m->h.sc.nused; i++) m->s.class_p[i] *= inv;
        if (m->c.cfg.escape_keys) escape_key_masses(m);
        return;
    }
    float scale = model_safe_scale((double)(MODEL_TOTAL - 2 * SC_NCLASS), sum);
    for (uint32_t i = 0; i < m->h.sc.nused; i++) {
        uint32_t n = class_others(m, i);
        m->s.class_freq[i] = n ? 1 + (uint32_t)(m->s.class_p[i] * scale) : 0;
        m->s.class_p[i] *= inv;
    }
    m->s.class_total = model_fit_total(m->s.class_freq, m->h.sc.nused);
}

/* One class's factor step, g = class_p - [it is y's class]. */
static void class_factor_step(float *cf, uint32_t k, float g)
{
    float f = cf[k] * (1.0f - CLASS_LR * g);
    cf[k] = f < CLASS_FMIN ? CLASS_FMIN : f > CLASS_FMAX ? CLASS_FMAX : f;
}

/* The class factor: after an escape, a step on the stage-2 cost, taken on
 * its log (a bias) as f e^(-lr g) ~ f (1 - lr g), which needs no exp. The
 * classes before and after y's in two loops with no test (p - 0 is p). */
void model_learn_class_factor(model *m, uint32_t y)
{
    if (!m->s.escaped) return;
    m->s.escaped = 0;
    float *cf = m->w.class_factor + (size_t)m->nid.kind * SC_NCLASS;
    uint32_t yu = model_class_of(m, y), n = m->h.sc.nused, mid = yu < n ? yu : n;
    const uint16_t *used = m->h.sc.used;
    const float *p = m->s.class_p;
    for (uint32_t i = 0; i < mid; i++) class_factor_step(cf, used[i], p[i]);
    if (yu < n) class_factor_step(cf, used[yu], p[yu] - 1.0f);
    for (uint32_t i = mid + 1; i < n; i++) class_factor_step(cf, used[i], p[i]);
}

uint32_t model_nclasses(const model *m) { return m->h.sc.nused; }

const uint32_t *model_class_freqs(const model *m) { return m->s.class_freq; }

uint32_t model_class_total(const model *m) { return m->s.class_total; }

uint32_t model_class_of(const model *m, uint32_t slot) { return m->h.sc.used_pos[m->h.sc.cls[slot]]; }

uint32_t model_class_size(const model *m, uint32_t sym) { return class_others(m, sym); }

uint32_t model_class_rank(const model *m, uint32_t slot)
{
    uint32_t r = 0;
    for (uint32_t j = m->h.sc.head[m->h.sc.cls[slot]]; j != slot; j = m->h.sc.next[j])
        r += !model_is_cand(m, j);
    return r;
}

uint32_t model_class_member(const model *m, uint32_t sym, uint32_t rank)
{
    for (uint32_t j = m->h.sc.head[m->h.sc.used[sym]]; j; j = m->h.sc.next[j]) {
        if (model_is_cand(m, j)) continue;
        if (rank-- == 0) return j;
    }
    return 0;
}

/* member_p[i]: used class i's probability over its members to code. */
static void member_probs(model *m)
{
    for (uint32_t i = 0; i < m->h.sc.nused; i++) {
        uint32_t others = class_others(m, i);
        m->s.member_p[i] = others ? (double)m->s.class_p[i] / (double)others : 0.0;
    }
}

/* One pass over the seen slots in order (sequential memory), not over the
 * class lists, with the candidates marked: the list's i-th token adds to
 * partial sum i mod 4 of its first byte (so that runs of one first byte do
 * not wait on each other's additions), combined in a fixed order. */
uint32_t model_escape_first_sums(model *m, double *mass, uint32_t *count)
{
    member_probs(m);
    double part[4][256];
    uint32_t cnt[256] = { 0 };
    memset(part, 0, sizeof part);
    uint8_t *mark = m->s.cand_mark;
    for (uint32_t i = 0; i < m->s.ncand; i++) mark[m->s.cand[i]] = 1;
    const uint8_t *first = m->h.first;
    const uint16_t *cls = m->h.sc.cls, *used_pos = m->h.sc.used_pos;
    const double *mp = m->s.member_p;
    uint32_t n = 0, nslots = m->h.nslots;
    for (uint32_t slot = 1; slot < nslots; slot++) {
        if (mark[slot]) continue;
        uint32_t b = first[slot];
        part[n & 3][b] += mp[used_pos[cls[slot]]];
        cnt[b]++;
        n++;
    }
    for (uint32_t i = 0; i < m->s.ncand; i++) mark[m->s.cand[i]] = 0;
    for (int b = 0; b < 256; b++) {
        mass[b] = (part[0][b] + part[1][b]) + (part[2][b] + part[3][b]);
        count[b] = cnt[b];
    }
    return n;
}

/* Sum of n[j] mp[used_pos[cls[j]]], as four partial sums (j mod 4),
 * combined in a fixed order. */
static double key_mass(const uint16_t *cls, const uint32_t *n, uint32_t np, const uint16_t *used_pos,
                       const double *mp)
{
    double s[4] = { 0.0, 0.0, 0.0, 0.0 };
    uint32_t j = 0;
    for (; j + 4 <= np; j += 4)
        for (int l = 0; l < 4; l++) s[l] += (double)n[j + l] * mp[used_pos[cls[j + l]]];
    for (int l = 0; j < np; j++, l++) s[l] += (double)n[j] * mp[used_pos[cls[j]]];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

/* With config.escape_keys, after model_escape_prepare (escape_key_masses):
 * the kinds' masses; the candidates by key (a counting sort), for the
 * counts by key and to be taken out of their pairs while a key's mass is
 * summed. */
uint32_t model_escape_key_counts(model *m, uint32_t *count, double *kind_mass)
{
    const slotclass *c = &m->h.sc;
    for (int k = 0; k < SC_KINDS; k++) kind_mass[k] = m->s.kind_p[k];
    const uint32_t *cand = m->s.cand;
    uint32_t *at = m->s.cand_key_at, total = 0, run = 0;
    for (int k = 0; k <= SC_NKEYS; k++) at[k] = 0;
    for (uint32_t i = 0; i < m->s.ncand; i++)
        if (cand[i]) at[c->key[cand[i]] + 1]++;
    for (int k = 0; k < SC_NKEYS; k++) {   /* at[k + 1]: key k's candidates, then where they start */
        uint32_t nk = at[k + 1];
        count[k] = c->key_n[k] - nk;
        total += count[k];
        at[k + 1] = run;
        run += nk;
    }
    for (uint32_t i = 0; i < m->s.ncand; i++)   /* at[k + 1] ends where key k's end: at[k] starts them */
        if (cand[i]) m->s.cand_by_key[at[c->key[cand[i]] + 1]++] = (uint16_t)cand[i];
    return total;
}

/* The sum over the key's pairs, with its candidates taken out of their
 * pairs' counts (integers) meanwhile. */
double model_escape_key_mass(model *m, uint32_t key)
{
    slotclass *c = &m->h.sc;
    if (key >= SC_NKEYS || !c->key_pairs[key]) return 0.0;
    const uint16_t *cands = m->s.cand_by_key;
    uint32_t lo = m->s.cand_key_at[key], hi = m->s.cand_key_at[key + 1];
    for (uint32_t i = lo; i < hi; i++) c->pair_n[sc_pair(c, c->cls[cands[i]], key)]--;
    double mass = key_mass(c->pair_cls + c->key_at[key], c->pair_n + c->key_at[key], c->key_pairs[key], c->used_pos,
                           m->s.member_p);
    for (uint32_t i = lo; i < hi; i++) c->pair_n[sc_pair(c, c->cls[cands[i]], key)]++;
    return mass;
}

/* The class probabilities add up to 1 (up to their rounding), or are all
 * 0 when model_escape_prepare found no mass. */
double model_escape_mass(const model *m) { return m->s.class_inv > 0.0f ? 1.0 : 0.0; }

uint32_t model_escape_tokens_from(model *m, uint32_t key, uint32_t *ids, double *p)
{
    if (key >= SC_NKEYS) return 0;
    const uint16_t *slots = key < SC_SPACE_KEYS ? m->h.by_first + m->h.by_first_at[key]
                                                : m->h.by_space + m->h.by_space_at[key - SC_SPACE_KEYS];
    uint32_t n = 0, nslots = key < SC_SPACE_KEYS ? m->h.by_first_n[key] : m->h.by_space_n[key - SC_SPACE_KEYS];
    for (uint32_t j = 0; j < nslots; j++) {
        uint32_t slot = slots[j];
        if (model_is_cand(m, slot)) continue;
        ids[n] = m->h.id_of[slot];
        p[n++] = m->s.member_p[m->h.sc.used_pos[m->h.sc.cls[slot]]];
    }
    return n;
}

/* The tokens whose age just reached a bucket boundary A are those last seen
 * exactly A positions ago: move them to their next age class. */
void model_age_classes(model *m)
{
    uint32_t t = (uint32_t)m->h.t;
    for (int i = 0; i < m->c.n_age_bound; i++) {
        uint32_t a = m->c.age_bound[i];
        if (a >= t) break;
        uint32_t j = m->h.hist[t - a - 1];
        if (m->h.last[j] == t - a)
            sc_move(&m->h.sc, j, sc_class(sc_kind_of(m->h.sc.cls[j]), sc_count_bucket(m->h.count[j], m->c.count_octaves), sc_age_bucket(a, m->c.age_octaves)));
    }
}
