/*
 * model.c - mixing the SSM with n-gram, match, recency and frequency
 * components into the distribution that is coded.
 *
 * Final logit of slot j (features are zero where a component did not see j,
 * which keeps most of the mixing sparse; softmax ignores common offsets):
 *
 *   F[j] = w_ssm z[j]                        z = SSM logits
 *        + w_prior s 0.1 log(1 + count[j])   global frequency prior
 *        + sum_k s (w_k g_k(c_k[j]) + v_k conf_k + r_k R/(R + age_k[j]))
 *                                            n-gram order k (or the skip
 *                                            context, the token 2-4 back) saw
 *                                            j c_k times, last age_k[j] ago
 *        + w_ppm s log(1 + q[j] / u)         PPMD-style blend of all orders
 *        + w_match s m(len) [j = predicted]  longest earlier match
 *        + w_rec s sum 0.05 e^(-3 age/W)     tokens of the last W = 32 positions
 *                                            (16 at levels 1 and 2)
 *        + w_last s H / (H + age_j)          time since j last occurred
 *        + sum_k (S_k[cell of c_k[j], c_k[j]/total_k] + T_k[cell of c_k[j], age_k[j]])
 *                                            learned follower cell biases
 *        + K[kind j] + C[count bucket j] + A[age bucket j]
 *                                            learned biases (K by the previous
 *                                            token, the previous pair and the
 *                                            previous last byte; C and A by
 *                                            that byte's kind)
 *        + (slot 0 only) bias, escape estimate, log rate of new tokens
 *
 * with g_k(c) = lambda_k log(1 + c/alpha_k) (the reference's form, the
 * log-odds of additive smoothing), conf_k = log(1 + total_k / distinct_k),
 * s = clamp((1-b) + b H/5.5, 0.2, 2.5) from the SSM's entropy H in nats.
 * The weights start at the reference's fixed mix and are learned online by
 * RMS-normalised gradient steps on the coding cost, as the sum of two weight
 * sets: one chosen by (longest n-gram order seen, match length bucket), one
 * by the previous token. The gradient of -log p[y] with respect to a weight
 * is E_p[feature] - feature(y), so sparse features cost only their support.
 * Finally an APM refines the favourite's probability.
 *
 * Sparse evaluation: only the "candidates" (NEW, the followers of the
 * contexts found, the last REC_WINDOW tokens, the match, the SSM's
 * favourites) get the sparse
 * features. Every other seen token's logit depends only on its kind, count
 * and age (biases, prior and time-since-last-seen at the class's typical
 * values; the SSM feature is measured against the SSM's mean over those
 * tokens and so is 0 for them), so they are handled as classes of equal
 * logit (slotclass.h) and cost O(classes in use), not O(tokens).
 * Coding is then in up to three steps: a candidate or ESCAPE; after an escape
 * the class (its mass times a factor learned for step 2 alone); then the
 * member of the class, uniformly. Levels 1 and 2 ("fast") look at 16 recent
 * positions instead of 32 and thin long order-1 follower lists, as every
 * level thins the skip contexts' (filter_skip).
 *
 * Frequencies: f[i] = 1 + floor(e[i] K), e[i] = exp(F[i] - max F), K chosen
 * so the total stays below MODEL_TOTAL. Every sum runs in a fixed order:
 * the same bits on every build and thread count.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "fmath.h"
#include "newid.h"
#include "ngram.h"
#include "slotclass.h"
#include "ssm.h"
#include "tok.h"
#include "vec.h"

/* Contexts: the n-gram orders, then the skip contexts (the token 2, 3, 4 back).
 * Every constant below shapes the coded output: changing one is a format change. */
#define NSKIP 3
#define CTX_SKIP NGM_NORDERS   /* the first skip context */
#define NCTX (NGM_NORDERS + NSKIP)
enum { F_SSM = 0, F_PRIOR, F_NG, F_BONUS = F_NG + NCTX, F_MATCH = F_BONUS + NCTX,
       F_REC, F_PPM, F_RLAST, F_CREC, F_NEWB = F_CREC + NCTX, F_NEWESC, F_NEWRATE, NFEAT };
#define FIRST_NEW F_NEWB
#define MATCH_BUCKETS 3
#define NSETS ((NGM_NORDERS + 1) * MATCH_BUCKETS)
#define NSETS2 16384
#define APM_SETS NSETS
#define APM_RATE 0.02f
/* 32 positions: 64 measured 0.01% smaller output on enwik8's first 1 MB at
 * level 3 for 3% more time, 256 another 0.03% for 25% more (older tokens
 * are still told apart by the age classes). */
#define REC_WINDOW 32
#define REC_WINDOW_FAST 16     /* levels 1 and 2: 6% faster, and no larger */
/* SSM rows within this many nats of its favourite become candidates: the
 * SSM's gain comes mostly from tokens no context or recent position offers. */
#define SSM_CAND_MARGIN 6.0f
#define SSM_CAND_MAX 32
/* Entropy-adaptive scale s = clamp((1-b) + b H/5.5, 0.2, 2.5). The reference's
 * b = 0.6 cost 0.7% on enwik8's first 300 KB once the weights are learned
 * (they already adapt per context); b = 0.2 keeps a mild effect at no cost. */
#define SCALE_B 0.2f
#define RLAST_H 1024.0f
#define CREC_H 512.0f
#define MATCH_MIN 3
#define MATCH_MAX 64
#define CTAB 256
#define BIAS_MAX 8.0f
#define BUCKET_LR 0.03f        /* count and age biases */
#define KIND_LR 0.15f          /* kind bias by the previous last byte, */
#define KIND_LR2 0.4f          /*   by the previous token, */
#define KIND_LR3 0.3f          /*   by the hashed previous pair */
#define KIND_PAIR_BITS 16
#define KIND_PAIRS (1u << KIND_PAIR_BITS)
#define CLASS_LR 0.1f          /* step-2 class factor */
#define CLASS_FMIN 3.3546e-4f  /* e^-8 .. e^8, as the biases */
#define CLASS_FMAX 2980.96f
/* Learned biases of a context's followers by cell: (count octave, octave of
 * count/total) and (count octave, age in the context, by powers of 4); one
 * table per context and kind of the previous last byte. They let the mix
 * bend the fixed shape of g_k: a follower seen once in a context seen once
 * is a far better bet than one seen once among 1,000. */
#define CELL_OCTAVES 8
#define NCELLS (CELL_OCTAVES * CELL_OCTAVES)
#define CELL_LR 0.02f

static const float ng_lambda[NCTX] = { 0.15f, 0.10f, 0.08f, 0.06f, 0.05f, 0.04f, 0.03f, 0.03f, 0.50f, 1.00f, 0.15f, 0.15f, 0.15f };
static const float ng_alpha[NCTX] = { 0.10f, 0.05f, 0.03f, 0.02f, 0.015f, 0.01f, 0.008f, 0.008f, 0.001f, 0.001f, 0.10f, 0.10f, 0.10f };

struct model {
    smix_config cfg;
    ssm *net;
    ngm *ng;
    uint32_t vocab;            /* ids in use */
    uint32_t nslots, cap;      /* cap = vocab + 1 */
    uint32_t ssm_cap;          /* slots below this have their own SSM row */
    uint32_t *slot_of;         /* [vocab] 0 = unseen */
    uint32_t *id_of;           /* [cap] */
    uint32_t *count;           /* [cap] occurrences */
    float *prior;              /* [cap] 0.1 log(1 + count) */
    float *z;                  /* [ssm rows] SSM logits; row 0 = NEW and the slots past ssm_cap */
    float *e_ssm;              /* [ssm rows] exp(z - max z) */
    float *zf, *F, *e;         /* [cap] SSM feature, final logit, exp of each candidate (by index) */
    uint32_t *last;            /* [cap] position of each slot's last occurrence */
    float *rlast;              /* [cap] RLAST_H / (RLAST_H + age) of each candidate */
    double sum_e_ssm;
    uint32_t ssm_rows_used;    /* rows of z in use: min(nslots, ssm_cap) */
    /* candidates and the classes of the other seen tokens */
    uint32_t *cand;            /* [cap] candidate slots, NEW first */
    uint32_t ncand;
    uint16_t *cand_index;      /* [cap] index in cand (valid when cand[index] == slot);
                                  16 bits keep it in cache: cap <= 65536 (ngm_item.slot) */
    uint16_t *cand_class;      /* [cap] class of cand[i] when it was counted in excl */
    uint16_t *cand_used;       /* [cap] that class's place in sc.used then */
    slotclass sc;
    uint32_t excl[SC_NCLASS];  /* candidates in each class now, by place in sc.used */
    uint32_t n_other;          /* seen tokens that are not candidates */
    float prior_rep[SC_COUNT_BUCKETS], rlast_rep[SC_AGE_BUCKETS];
    float ep[SC_COUNT_BUCKETS], er[SC_AGE_BUCKETS], ek[SC_KINDS];   /* exp of each bucket's logit part */
    float kind_w[256][SC_KINDS];   /* learned bias of a token's kind, by the previous token's last byte */
    double kind_mass[SC_KINDS];
    float *kind_tok;           /* [cap][SC_KINDS] the same after each previous token */
    float *kind_pair;          /* [KIND_PAIRS][SC_KINDS] and after each (hashed) pair of previous tokens */
    uint32_t kind_pair_at;     /* row of kind_pair in use */
    float kind_cur[SC_KINDS];  /* the sum in use at this position */
    float count_bias_t[NEWID_KINDS][SC_COUNT_BUCKETS], age_bias_t[NEWID_KINDS][SC_AGE_BUCKETS];   /* learned, every seen token */
    float *count_bias, *age_bias;   /* the rows in use: by kind of the previous token's last byte */
    double count_mass[SC_COUNT_BUCKETS], age_mass[SC_AGE_BUCKETS];  /* of the non-candidates */
    double other_scale;        /* exp(max part - shift): class masses are other_scale ep er size */
    double other_mass, other_prior, other_rlast;      /* sum of e, e prior, e rlast over the others */
    uint32_t age_bound[SC_AGE_BUCKETS];
    int n_age_bound;
    uint32_t nsyms;            /* candidates + escape (if there are others) */
    float class_unit[SC_NCLASS];   /* mass of one member of used class i, from class_masses */
    float class_p[SC_NCLASS];      /* stage-2 probability of used class i (after an escape) */
    double member_p[SC_NCLASS];    /* model_escape_tokens: class_p[i] over its members to code */
    int escaped;                   /* escape_prepare ran at this position */
    float *class_factor;           /* [NEWID_KINDS][SC_NCLASS] learned, stage 2 only */
    uint32_t class_freq[SC_NCLASS], class_total;
    int stats_valid;           /* fy_cache/ef_cache hold this position's feature stats */
    float fy_cache[NFEAT];
    double ef_cache[NFEAT];
    uint32_t *freq;            /* [cap + 1] by candidate index, then escape */
    uint32_t total;
    uint32_t *hist;            /* [hist_cap] slots */
    size_t t, hist_cap;
    /* match model */
    uint32_t *mtab;            /* [1 << mbits] position after a MATCH_MIN context */
    int mbits;
    size_t mptr;
    uint32_t mlen;
    /* mixing */
    float w[NSETS][NFEAT];
    float gv[NSETS][NFEAT];    /* running mean of squared gradients (RMSprop) */
    float w2[NSETS2][NFEAT];   /* second weight set, selected by the previous token */
    int set2;
    float wc[NFEAT];           /* weights in use: w[set] + w2[set2] */
    float apm[APM_SETS * NEWID_KINDS][33];   /* favourite's hit rate by (set, stretched p) */
    float esc_apm[APM_SETS * NEWID_KINDS][33];   /* escape rate by (set, previous byte kind, stretched p) */
    int esc_b, esc_ctx;
    float esc_frac;
    float new_apm[APM_SETS * NEWID_KINDS][33];   /* the same for NEW */
    int new_b;
    float new_frac;
    uint32_t apm_top;
    int apm_b;
    float apm_frac;
    int set;                   /* weight set of the current prediction */
    float s, H;                /* entropy scale, SSM entropy (nats) */
    double sum_e;
    ngm_ctx ctx[NCTX];
    float conf[NCTX];
    int longest;               /* index+1 of the longest order found, 0 none */
    float ctab[NCTX][CTAB];
    float rec_w[REC_WINDOW + 1];
    int fast;                  /* levels 1 and 2: a shorter recent window, filtered order-1 lists */
    int rec_window;            /* REC_WINDOW, or REC_WINDOW_FAST at levels 1 and 2 */
    float mix_lr;
    float new_rate;            /* running rate of new tokens */
    float *q;                  /* [cap] PPM blend feature of the candidates 0..nctx_cand */
    uint32_t nctx_cand;        /* candidates 1..nctx_cand-1 are context followers */
    float *recsum;             /* [cap] sum of rec_w over a candidate's recent positions */
    uint32_t item_start[NCTX]; /* offsets of each context's followers in: */
    float *item_g, *item_r;    /* [NCTX cap] n-gram and in-context recency features */
    uint8_t *item_share, *item_age;   /* [NCTX cap] each follower's cells (share_cell, age_cell) */
    float cell_share_bias_t[NEWID_KINDS][NCTX][NCELLS], cell_age_bias_t[NEWID_KINDS][NCTX][NCELLS];
    float (*cell_share_bias)[NCELLS], (*cell_age_bias)[NCELLS];   /* the tables in use */
    int cells;                 /* levels 2-9 (level 1: 8% of its time for 0.2%) */
    uint32_t *item_cand;       /* [NCTX cap] candidate index of each follower */
    ngm *skip[NSKIP];          /* followers of the token d = 2, 3, 4 back (order-1 models d - 1 steps behind) */
    ngm_item *skip_items[NSKIP];   /* [cap] the skip followers kept by filter_skip, when it drops some */
    ngm_item *o1_items;        /* [cap] a long order-1 list, filtered (levels 1, 2) */
    float new_feat[NFEAT];     /* features F_NEW* of slot 0 for this position */
    newid nid;                 /* the id coder of first occurrences */
};

static float ng_feature(const model *m, int k, uint32_t c)
{
    if (c < CTAB) return m->ctab[k][c];
    return ng_lambda[k] * fm_log(1.0f + (float)c / ng_alpha[k]);
}

static void init_tables(model *m)
{
    for (int k = 0; k < NCTX; k++)
        for (uint32_t c = 0; c < CTAB; c++)
            m->ctab[k][c] = ng_lambda[k] * fm_log(1.0f + (float)c / ng_alpha[k]);
    for (int a = 1; a <= m->rec_window; a++)
        m->rec_w[a] = 0.05f * fm_exp(-3.0f * (float)a / (float)m->rec_window);
    for (int b = 0; b < SC_COUNT_BUCKETS; b++) m->prior_rep[b] = 0.1f * fm_log(1.0f + sc_count_rep(b));
    for (int b = 0; b < SC_AGE_BUCKETS; b++) m->rlast_rep[b] = RLAST_H / (RLAST_H + sc_age_rep(b));
    m->n_age_bound = sc_age_boundaries(m->age_bound, SC_AGE_BUCKETS);
    for (int s = 0; s < APM_SETS * NEWID_KINDS; s++)
        for (int b = 0; b <= 32; b++)   /* start as the identity map */
            m->apm[s][b] = m->esc_apm[s][b] = m->new_apm[s][b] = 1.0f / (1.0f + fm_exp(-((float)b * 0.5f - 8.0f)));
    for (int s = 0; s < NSETS; s++) {
        memset(m->w[s], 0, sizeof m->w[s]);
        m->w[s][F_SSM] = 1.0f;
        m->w[s][F_PRIOR] = 1.0f;
        for (int k = 0; k < NCTX; k++) m->w[s][F_NG + k] = 1.0f;
        m->w[s][F_MATCH] = 1.0f;
        m->w[s][F_REC] = 1.0f;
        m->w[s][F_NEWRATE] = 1.0f;
        m->w[s][F_PPM] = 1.0f;
    }
}

model *model_create(const smix_config *cfg, int threads)
{
    model *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->cfg = *cfg;
    m->vocab = cfg->vocab_size;
    m->cap = m->vocab + 1;
    m->ssm_cap = cfg->ssm_rows ? cfg->ssm_rows : m->cap;
    m->slot_of = calloc(m->vocab, sizeof *m->slot_of);
    m->id_of = calloc(m->cap, sizeof *m->id_of);
    m->count = calloc(m->cap, sizeof *m->count);
    m->prior = calloc(m->cap, sizeof *m->prior);
    m->z = calloc(m->cap, sizeof *m->z);
    m->zf = calloc(m->cap, sizeof *m->zf);
    m->cand = calloc(m->cap, sizeof *m->cand);
    m->cand_index = calloc(m->cap, sizeof *m->cand_index);
    m->cand_class = calloc(m->cap, sizeof *m->cand_class);
    m->cand_used = calloc(m->cap, sizeof *m->cand_used);
    int sc_ok = sc_init(&m->sc, m->cap) == 0;
    m->F = calloc(m->cap, sizeof *m->F);
    m->e = calloc(m->cap, sizeof *m->e);
    m->e_ssm = calloc(m->cap, sizeof *m->e_ssm);
    m->last = calloc(m->cap, sizeof *m->last);
    m->rlast = calloc(m->cap, sizeof *m->rlast);
    m->freq = calloc(m->cap + 1, sizeof *m->freq);
    m->kind_tok = calloc((size_t)m->cap * SC_KINDS, sizeof *m->kind_tok);
    m->kind_pair = calloc((size_t)KIND_PAIRS * SC_KINDS, sizeof *m->kind_pair);
    m->class_factor = malloc((size_t)NEWID_KINDS * SC_NCLASS * sizeof *m->class_factor);
    m->mbits = 18;
    m->mtab = calloc((size_t)1 << m->mbits, sizeof *m->mtab);
    /* --memlimit's n-gram budget is shared: each skip context may use an
     * eighth, the n-gram orders the rest */
    uint64_t budget = (uint64_t)cfg->ngram_budget_mb << 20, skip_budget = budget / 8;
    int nskip = cfg->skip_context ? cfg->skip_context + 1 : 0;
    budget -= (uint64_t)nskip * skip_budget;
    uint32_t follow = cfg->follow_log2 ? 1u << cfg->follow_log2 : 0;
    m->ng = ngm_create(cfg->max_order, budget, follow);
    int skip_ok = 1;
    for (int d = 0; d < nskip && d < NSKIP; d++) {
        m->skip[d] = ngm_create(1, skip_budget, follow);
        m->skip_items[d] = malloc(m->cap * sizeof *m->skip_items[d]);
        skip_ok &= m->skip[d] && m->skip_items[d];
    }
    int nid_ok = newid_init(&m->nid, m->vocab) == 0;
    m->o1_items = malloc(m->cap * sizeof *m->o1_items);
    m->q = calloc(m->cap, sizeof *m->q);
    m->recsum = calloc(m->cap, sizeof *m->recsum);
    m->item_g = calloc((size_t)NCTX * m->cap, sizeof *m->item_g);
    m->item_r = calloc((size_t)NCTX * m->cap, sizeof *m->item_r);
    m->item_cand = calloc((size_t)NCTX * m->cap, sizeof *m->item_cand);
    m->item_share = calloc((size_t)NCTX * m->cap, 1);
    m->item_age = calloc((size_t)NCTX * m->cap, 1);
    if (cfg->ssm_enabled) {
        m->net = ssm_create(cfg, 0x5EED5EED5EEDull);
        if (m->net) ssm_set_threads(m->net, threads);
    }
    if (!sc_ok || !m->kind_tok || !m->class_factor || !m->kind_pair || !m->zf || !m->cand || !m->cand_index || !m->cand_class || !m->cand_used ||
        !m->slot_of || !m->id_of || !m->count || !m->prior || !m->z || !m->F || !m->e || !m->e_ssm || !m->last || !m->rlast ||
        !m->freq || !m->mtab || !m->q || !m->recsum || !m->item_g || !m->item_r || !m->item_cand || !m->item_share || !m->item_age || !m->ng || !m->o1_items || !skip_ok || !nid_ok || (cfg->ssm_enabled && !m->net) ||
        (m->net && ssm_add_row(m->net) != 0)) {
        model_free(m);
        return NULL;
    }
    for (size_t i = 0; i < (size_t)NEWID_KINDS * SC_NCLASS; i++) m->class_factor[i] = 1.0f;
    m->nslots = 1;             /* slot 0: NEW */
    m->mix_lr = 0.01f;
    m->fast = cfg->level <= 2;
    m->cells = cfg->level >= 2;
    m->rec_window = m->fast ? REC_WINDOW_FAST : REC_WINDOW;
    m->new_rate = 0.5f;
    init_tables(m);
    return m;
}

void model_free(model *m)
{
    if (!m) return;
    ssm_free(m->net);
    ngm_free(m->ng);
    for (int d = 0; d < NSKIP; d++) {
        ngm_free(m->skip[d]);
        free(m->skip_items[d]);
    }
    newid_free(&m->nid);
    free(m->o1_items);
    free(m->slot_of); free(m->id_of); free(m->count); free(m->prior);
    sc_free(&m->sc);
    free(m->kind_tok); free(m->kind_pair); free(m->class_factor);
    free(m->zf); free(m->cand); free(m->cand_index); free(m->cand_class); free(m->cand_used);
    free(m->z); free(m->F); free(m->e); free(m->e_ssm); free(m->last); free(m->rlast); free(m->freq);
    free(m->hist); free(m->mtab); free(m->q); free(m->recsum); free(m->item_g); free(m->item_r); free(m->item_cand);
    free(m->item_share); free(m->item_age);
    free(m);
}

size_t model_memory(const model *m)
{
    size_t b = sizeof *m + (size_t)m->cap * (84 + 14 * NCTX) + m->hist_cap * 4 + ((size_t)4 << m->mbits);
    b += ngm_memory(m->ng);
    for (int d = 0; d < NSKIP; d++) b += m->skip[d] ? ngm_memory(m->skip[d]) : 0;
    if (m->net) b += ssm_memory(m->net);
    return b;
}


/* A sparse set: no clearing between positions. */
static int is_candidate(const model *m, uint32_t slot)
{
    uint32_t i = m->cand_index[slot];
    return i < m->ncand && m->cand[i] == slot;
}
uint32_t model_nsyms(const model *m) { return m->nsyms; }
const uint32_t *model_freqs(const model *m) { return m->freq; }
uint32_t model_total(const model *m) { return m->total; }

uint32_t model_symbol_of(const model *m, uint32_t id)
{
    uint32_t slot = model_slot_of(m, id);
    if (is_candidate(m, slot)) return m->cand_index[slot];
    return m->ncand;   /* escape */
}

uint32_t model_symbol_slot(const model *m, uint32_t sym) { return sym < m->ncand ? m->cand[sym] : 0; }
int model_is_escape(const model *m, uint32_t sym) { return sym == m->ncand && m->n_other; }
uint32_t model_slot_of(const model *m, uint32_t id) { return id < m->vocab ? m->slot_of[id] : 0; }
uint32_t model_token_of(const model *m, uint32_t slot) { return slot < m->nslots ? m->id_of[slot] : 0; }
newid *model_newid(model *m) { return &m->nid; }

/* ---- prediction ---- */

static float ssm_logit(const model *m, uint32_t j) { return m->z[j < m->ssm_cap ? j : 0]; }
static float ssm_exp(const model *m, uint32_t j) { return m->e_ssm[j < m->ssm_cap ? j : 0]; }

/* SSM logits, its entropy H (nats) and the scale s. Row 0 stands for NEW
 * and for every slot past ssm_cap: its mass is shared out among them. */
static void predict_ssm(model *m)
{
    uint32_t V = m->nslots;
    if (!m->net) {
        m->H = 0.0f;
        m->s = 1.0f;
        return;
    }
    ssm_predict(m->net, m->z);
    uint32_t rows = V < m->ssm_cap ? V : m->ssm_cap, extra = V - rows;
    if (extra) m->z[0] -= fm_log((float)(extra + 1));
    m->ssm_rows_used = rows;
    double sez;
    float zmax = vec_max(m->z, rows);
    double se = vec_exp_sum_ent(m->z, zmax, m->e_ssm, rows, &sez);
    se += (double)extra * m->e_ssm[0];
    sez += (double)extra * m->e_ssm[0] * (double)(m->z[0] - zmax);
    m->sum_e_ssm = se;
    float H = fm_log((float)se) - (float)(sez / se);
    if (H < 0.0f) H = 0.0f;
    float s = (1.0f - SCALE_B) + SCALE_B * H / 5.5f;
    m->H = H;
    m->s = s < 0.2f ? 0.2f : s > 2.5f ? 2.5f : s;
}

/* The SSM feature of each candidate: its SSM logit against the log of the
 * SSM's mean probability over the non-candidates (whose feature is then 0). */
static void ssm_features(model *m)
{
    if (!m->net) {
        memset(m->zf, 0, m->ncand * sizeof *m->zf);
        return;
    }
    double in_cand = 0.0;
    for (uint32_t i = 0; i < m->ncand; i++) in_cand += ssm_exp(m, m->cand[i]);
    double rest = m->sum_e_ssm - in_cand, floor = m->sum_e_ssm * 1e-7;
    uint32_t n = m->n_other ? m->n_other : m->nslots;
    if (!m->n_other) rest = m->sum_e_ssm;
    if (rest < floor) rest = floor;
    float ref = fm_log((float)(rest / (double)n)) + vec_max(m->z, m->ssm_rows_used);
    for (uint32_t i = 0; i < m->ncand; i++) m->zf[i] = ssm_logit(m, m->cand[i]) - ref;
}

/* Makes slot a candidate (if it is not one yet); returns its index. */
static uint32_t add_candidate(model *m, uint32_t slot)
{
    if (is_candidate(m, slot)) return m->cand_index[slot];
    uint32_t i = m->ncand++;
    m->cand_index[slot] = (uint16_t)i;
    m->recsum[i] = 0.0f;
    m->q[i] = 0.0f;
    /* the class as counted now: the classes change before the next reset */
    m->cand_class[i] = slot ? m->sc.cls[slot] : 0;
    m->cand[i] = slot;
    if (slot) {
        uint32_t u = m->sc.used_pos[m->sc.cls[slot]];
        m->cand_used[i] = (uint16_t)u;
        m->excl[u]++;
    }
    return i;
}

/* The SSM's favourites: its SSM_CAND_MAX best rows (ties to the lower row)
 * among those within SSM_CAND_MARGIN nats of its best. */
static void ssm_favourites(model *m)
{
    uint32_t best[SSM_CAND_MAX];
    int nb = 0;
    float zmin = vec_max(m->z, m->ssm_rows_used) - SSM_CAND_MARGIN;
    for (uint32_t r = 1; r < m->ssm_rows_used; r++) {
        float z = m->z[r];
        if (z < zmin || (nb == SSM_CAND_MAX && z <= m->z[best[nb - 1]])) continue;
        int i = nb < SSM_CAND_MAX ? nb++ : nb - 1;
        while (i > 0 && m->z[best[i - 1]] < z) { best[i] = best[i - 1]; i--; }
        best[i] = r;
    }
    for (int i = 0; i < nb; i++) add_candidate(m, best[i]);
}

/* NEW, the followers of every context found, the match, the recent tokens. */
static void build_candidates(model *m)
{
    for (uint32_t i = 1; i < m->ncand; i++) m->excl[m->cand_used[i]] = 0;
    m->ncand = 0;
    add_candidate(m, 0);
    uint32_t items = 0;
    for (int k = NCTX - 1; k >= 0; k--) {
        const ngm_ctx *c = &m->ctx[k];
        m->item_start[k] = items;
        if (!c->items) continue;
        uint32_t *ci = m->item_cand + items;
        items += c->n;
        for (uint32_t i = 0; i < c->n; i++) ci[i] = add_candidate(m, c->items[i].slot);
    }
    m->nctx_cand = m->ncand;
    if (m->mlen) add_candidate(m, m->hist[m->mptr]);
    for (int a = 1; a <= m->rec_window && (size_t)a <= m->t; a++)
        m->recsum[add_candidate(m, m->hist[m->t - a])] += m->rec_w[a];
    if (m->net) ssm_favourites(m);
    m->n_other = m->nslots - m->ncand;
}

/* PPM-style blend of the contexts found, longest first: order k passes the
 * escape share d/(n+d) (PPMC) down to the next shorter one and keeps the
 * rest for its followers in proportion to their counts. The feature of a
 * slot is then log((q + u) / u), u = leftover mass per slot: the log-odds of
 * that blend against an unseen token. Stored in q by candidate index. */
static void ppm_blend(model *m)
{
    uint32_t nq = m->nctx_cand;
    float mass = 1.0f;
    for (int k = NGM_NORDERS - 1; k >= 0; k--) {
        const ngm_ctx *c = &m->ctx[k];
        if (!c->items) continue;
        /* PPMD: each follower (2c - 1) / 2n, escape d / 2n */
        float esc = (float)c->n / (float)(2 * c->total);
        float share = mass / (float)(2 * c->total);
        const uint32_t *ci = m->item_cand + m->item_start[k];
        for (uint32_t i = 0; i < c->n; i++) m->q[ci[i]] += share * (float)(2 * c->items[i].count - 1);
        mass *= esc;
    }
    vec_log1p_scaled(m->q, (float)m->nslots / (mass > 1e-6f ? mass : 1e-6f), nq);
}

static int match_bucket(uint32_t len) { return len == 0 ? 0 : len < 8 ? 1 : 2; }

/* recency of a follower within its context: CREC_H / (CREC_H + age) */
static float crec(const model *m, const ngm_item *it)
{
    return CREC_H / (CREC_H + (float)(uint32_t)((uint32_t)m->t - it->last));
}

static int octave(uint32_t x) { return 31 - __builtin_clz(x | 1); }
static int cell_octave(int o) { return o < CELL_OCTAVES - 1 ? o : CELL_OCTAVES - 1; }
static uint8_t share_cell(uint32_t count, uint32_t total)
{
    int oc = octave(count);
    return (uint8_t)(cell_octave(oc) * CELL_OCTAVES + cell_octave(octave(total) - oc));
}
static uint8_t age_cell(uint32_t count, uint32_t age)
{
    return (uint8_t)(cell_octave(octave(count)) * CELL_OCTAVES + cell_octave(octave(age) / 2));
}

static void add_sparse(model *m, const float *w)
{
    float s = m->s;
    for (int k = 0; k < NCTX; k++) {
        const ngm_ctx *c = &m->ctx[k];
        if (!c->items) continue;
        float bonus = w[F_BONUS + k] * s * m->conf[k];
        float wk = w[F_NG + k] * s, wc = w[F_CREC + k] * s;
        float *g = m->item_g + m->item_start[k], *r = m->item_r + m->item_start[k];
        const uint32_t *ci = m->item_cand + m->item_start[k];
        uint8_t *sc = m->item_share + m->item_start[k], *ac = m->item_age + m->item_start[k];
        const float *sb = m->cell_share_bias[k], *ab = m->cell_age_bias[k];
        for (uint32_t i = 0; i < c->n; i++) {
            const ngm_item *it = &c->items[i];
            g[i] = ng_feature(m, k, it->count);
            r[i] = crec(m, it);
            float f = wk * g[i] + bonus + wc * r[i];
            if (m->cells) {
                sc[i] = share_cell(it->count, c->total);
                ac[i] = age_cell(it->count, (uint32_t)m->t - it->last);
                f += sb[sc[i]] + ab[ac[i]];
            }
            m->F[ci[i]] += f;
        }
    }
    if (m->mlen) {
        uint32_t pred = m->hist[m->mptr];
        m->F[m->cand_index[pred]] += w[F_MATCH] * s * (1.5f * (1.0f - 1.0f / (1.0f + 0.3f * (float)m->mlen)));
    }
    float wr = w[F_REC] * s, wq = w[F_PPM] * s;
    for (uint32_t i = 0; i < m->ncand; i++) m->F[i] += wr * m->recsum[i] + wq * m->q[i];
    for (int f = FIRST_NEW; f < NFEAT; f++) m->F[0] += w[f] * m->new_feat[f];
}

/* Features of slot 0 (NEW): a bias, the escape estimate of the longest
 * context seen, log((d + 0.5) / (n + d + 1)), and the log of the recent rate
 * of new tokens. */
static void new_features(model *m)
{
    m->new_feat[F_NEWB] = 1.0f;
    float esc = 0.0f;
    if (m->longest) {
        const ngm_ctx *c = &m->ctx[m->longest - 1];
        esc = fm_log(((float)c->n + 0.5f) / ((float)c->total + (float)c->n + 1.0f));
    }
    m->new_feat[F_NEWESC] = esc;
    m->new_feat[F_NEWRATE] = fm_log(m->new_rate + 1e-4f);
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

/* Secondary estimation of the favourite's probability (PAQ's APM): an
 * adaptive map from (mixing context, stretched probability) to the observed
 * hit rate, interpolated between 33 buckets; the result is averaged with the
 * input and the favourite's weight is set to match. O(1) per token. */

static void apm_refine(model *m, float fmax)
{
    uint32_t i = 0;
    while (i + 1 < m->ncand && m->F[i] != fmax) i++;
    uint32_t top = i;
    m->apm_top = m->cand[i];
    m->apm_b = -1;
    /* the rest summed, not sum_e - e[top]: when the favourite holds nearly
     * all the mass that difference is rounding noise (and it once made
     * frequency totals overflow the coder's range) */
    double rest = m->other_mass;
    for (uint32_t j = 0; j < m->ncand; j++) rest += j == top ? 0.0 : (double)m->e[j];
    if (m->nslots < 2 || !(rest > 1e-6 * m->e[top])) return;   /* p > 0.999999: leave it */
    float p = (float)(m->e[top] / (m->e[top] + rest));
    if (p > 0.9999f) p = 0.9999f;
    if (p < 0.0001f) p = 0.0001f;
    float pa = apm_lookup(m->apm[m->set * NEWID_KINDS + m->nid.kind], p, &m->apm_b, &m->apm_frac);
    float pf = (p + 3.0f * pa) * 0.25f;
    pf = pf < 0.0001f ? 0.0001f : pf > 0.9999f ? 0.9999f : pf;
    float enew = (float)(pf / (1.0f - pf) * rest);
    m->sum_e = rest + enew;
    m->e[top] = enew;
}

/* The same for the probability of ESCAPE (a seen token no candidate):
 * rescales the mass of all the classes together. */
static void esc_refine(model *m, double cand_mass)
{
    m->esc_b = -1;
    if (!(m->other_mass > 0.0) || !(cand_mass > 0.0)) return;
    float p = (float)(m->other_mass / (m->other_mass + cand_mass));
    if (!(p >= 0.0001f && p <= 0.9999f)) return;
    float pa = apm_lookup(m->esc_apm[m->esc_ctx], p, &m->esc_b, &m->esc_frac);
    float pf = (p + pa) * 0.5f;
    pf = pf < 0.0001f ? 0.0001f : pf > 0.9999f ? 0.9999f : pf;
    double f = (double)pf / (1.0 - (double)pf) * cand_mass / m->other_mass;
    m->other_scale *= f;
    m->other_mass *= f;
    m->other_prior *= f;
    m->other_rlast *= f;
    for (int k = 0; k < SC_KINDS; k++) m->kind_mass[k] *= f;
    for (int k = 0; k < SC_COUNT_BUCKETS; k++) m->count_mass[k] *= f;
    for (int k = 0; k < SC_AGE_BUCKETS; k++) m->age_mass[k] *= f;
}

/* And for NEW (candidate 0); sets sum_e (the rest summed, not subtracted:
 * see apm_refine). */
static void new_refine(model *m)
{
    m->new_b = -1;
    double all = m->other_mass + (double)m->e[0], rest = m->other_mass;   /* with and without NEW */
    for (uint32_t i = 1; i < m->ncand; i++) {
        all += m->e[i];
        rest += m->e[i];
    }
    m->sum_e = all;
    if (!(rest > 0.0) || !(m->e[0] > 0.0f)) return;
    float p = (float)(m->e[0] / (m->e[0] + rest));
    if (!(p >= 0.0001f && p <= 0.9999f)) return;
    float pa = apm_lookup(m->new_apm[m->esc_ctx], p, &m->new_b, &m->new_frac);
    float pf = (p + pa) * 0.5f;
    pf = pf < 0.0001f ? 0.0001f : pf > 0.9999f ? 0.9999f : pf;
    m->e[0] = (float)((double)pf / (1.0 - (double)pf) * rest);
    m->sum_e = rest + m->e[0];
}

static void learn_apms(model *m, uint32_t y)
{
    apm_update(m->apm[m->set * NEWID_KINDS + m->nid.kind], m->apm_b, m->apm_frac, y == m->apm_top ? 1.0f : 0.0f);
    apm_update(m->esc_apm[m->esc_ctx], m->esc_b, m->esc_frac, y && !is_candidate(m, y) ? 1.0f : 0.0f);
    apm_update(m->new_apm[m->esc_ctx], m->new_b, m->new_frac, y == 0 ? 1.0f : 0.0f);
}

/* Prior, time since last seen and SSM feature of every candidate. */
static void candidate_base(model *m, const float *w)
{
    float wz = w[F_SSM], wp = w[F_PRIOR] * m->s, wr = w[F_RLAST] * m->s;
    const float *kw = m->kind_cur;
    uint32_t t = (uint32_t)m->t;
    for (uint32_t i = 0; i < m->ncand; i++) {
        uint32_t j = m->cand[i];
        float r = RLAST_H / (RLAST_H + (float)(int32_t)(t - m->last[j]));
        m->rlast[i] = r;
        m->F[i] = (wz * m->zf[i] + wp * m->prior[j]) + wr * r;
        if (j) {
            uint32_t k = m->cand_class[i];
            m->F[i] += (kw[sc_kind_of(k)] + m->count_bias[sc_count_of(k)]) + m->age_bias[sc_age_of(k)];
        }
    }
}

/* Exponentials of each bucket's part of the shared class logit
 * wp prior_rep[cb] + wr rlast_rep[ab], each against its own maximum;
 * returns the sum of the two maxima. */
static float class_parts(model *m, const float *w)
{
    float wp = w[F_PRIOR] * m->s, wr = w[F_RLAST] * m->s;
    float mp = wp * m->prior_rep[0], mr = wr * m->rlast_rep[0];
    float lp[SC_COUNT_BUCKETS], lr[SC_AGE_BUCKETS];
    for (int b = 0; b < SC_COUNT_BUCKETS; b++) lp[b] = wp * m->prior_rep[b] + m->count_bias[b];
    for (int b = 0; b < SC_AGE_BUCKETS; b++) lr[b] = wr * m->rlast_rep[b] + m->age_bias[b];
    mp = lp[0];
    mr = lr[0];
    for (int b = 1; b < SC_COUNT_BUCKETS; b++) mp = lp[b] > mp ? lp[b] : mp;
    for (int b = 1; b < SC_AGE_BUCKETS; b++) mr = lr[b] > mr ? lr[b] : mr;
    for (int b = 0; b < SC_COUNT_BUCKETS; b++) m->ep[b] = fm_exp(lp[b] - mp);
    for (int b = 0; b < SC_AGE_BUCKETS; b++) m->er[b] = fm_exp(lr[b] - mr);
    const float *kw = m->kind_cur;
    float mk = kw[0];
    for (int f = 1; f < SC_KINDS; f++) mk = kw[f] > mk ? kw[f] : mk;
    for (int f = 0; f < SC_KINDS; f++) m->ek[f] = fm_exp(kw[f] - mk);
    return mp + mr + mk;
}

/* members of used class i that are not candidates */
static uint32_t class_others(const model *m, uint32_t i) { return m->sc.used_size[i] - m->excl[i]; }

/* Total mass of the non-candidates by kind, count and age bucket; its
 * prior and rlast moments follow from the bucket sums (prior and rlast are
 * the same for every member of a bucket). */
static void class_masses(model *m, float shift, float top)
{
    double mk[SC_KINDS] = { 0 }, mc[SC_COUNT_BUCKETS] = { 0 }, ma[SC_AGE_BUCKETS] = { 0 };
    const slotclass *c = &m->sc;
    uint32_t n = c->nused;
    float *unit = m->class_unit, *x = m->class_p;   /* class_p: scratch until escape_prepare */
    for (uint32_t i = 0; i < n; i++) {
        unit[i] = (m->ep[c->used_count[i]] * m->er[c->used_age[i]]) * m->ek[c->used_kind[i]];
        x[i] = (float)(c->used_size[i] - m->excl[i]) * unit[i];
    }
    for (uint32_t i = 0; i < n; i++) {
        mk[c->used_kind[i]] += x[i];
        mc[c->used_count[i]] += x[i];
        ma[c->used_age[i]] += x[i];
    }
    double sc = m->other_scale = fm_exp(top - shift), mass = 0.0, mprior = 0.0, mrlast = 0.0;
    for (int f = 0; f < SC_KINDS; f++) {
        mass += mk[f];
        m->kind_mass[f] = mk[f] * sc;
    }
    for (int b = 0; b < SC_COUNT_BUCKETS; b++) {
        mprior += mc[b] * m->prior_rep[b];
        m->count_mass[b] = mc[b] * sc;
    }
    for (int b = 0; b < SC_AGE_BUCKETS; b++) {
        mrlast += ma[b] * m->rlast_rep[b];
        m->age_mass[b] = ma[b] * sc;
    }
    m->other_mass = mass * sc;
    m->other_prior = mprior * sc;
    m->other_rlast = mrlast * sc;
}

/* Float rounding may push a total slightly past MODEL_TOTAL (by a few per
 * symbol); the coder allows 4x that. Anything beyond would be a bug upstream:
 * halve until it fits rather than emit a stream that cannot decode. The sum
 * is recomputed in 64 bits so a wrapped 32-bit sum cannot hide an excess. */
static uint32_t fit_total(uint32_t *f, uint32_t n)
{
    for (;;) {
        uint64_t total = 0;
        for (uint32_t i = 0; i < n; i++) total += f[i];
        if (total <= 4 * (uint64_t)MODEL_TOTAL) return (uint32_t)total;
        for (uint32_t i = 0; i < n; i++) f[i] = f[i] ? 1 + f[i] / 2 : 0;
    }
}

/* A frequency scale that keeps every e K a finite float below 2^32: if the
 * mass is degenerate, all symbols get the floor frequency (the same on every
 * build, where an out-of-range float-to-int conversion would not be). */
static float safe_scale(double total, double mass)
{
    double k = total / mass;
    return k > 0.0 && k < 1e30 ? (float)k : 0.0f;
}

static void quantise(model *m, const float *w)
{
    uint32_t n = m->ncand;
    float fmax = vec_max(m->F, n);
    float top = 0.0f, shift = fmax;
    if (m->n_other) {
        top = class_parts(m, w);
        shift = top > fmax ? top : fmax;
    }
    double se = vec_exp_sum(m->F, shift, m->e, n);
    m->other_mass = m->other_prior = m->other_rlast = 0.0;
    memset(m->kind_mass, 0, sizeof m->kind_mass);
    memset(m->count_mass, 0, sizeof m->count_mass);
    memset(m->age_mass, 0, sizeof m->age_mass);
    m->esc_b = -1;
    m->esc_ctx = m->set * NEWID_KINDS + m->nid.kind;
    if (m->n_other) {
        class_masses(m, shift, top);
        esc_refine(m, se);
    }
    new_refine(m);
    apm_refine(m, fmax);
    float K = safe_scale((double)(MODEL_TOTAL - 2 * (n + 1)), m->sum_e);
    vec_quantise(m->e, K, m->freq, n);
    m->nsyms = n;
    if (m->n_other) {
        float x = (float)m->other_mass * K;
        m->freq[n] = 1 + (x < 4e9f ? (uint32_t)x : 0);
        m->nsyms = n + 1;
    }
    m->total = fit_total(m->freq, m->nsyms);
}

/* A context's followers seen at least minc times or in the last `recent`
 * positions, copied into out; the list itself when every follower stays
 * (no copy), and no context at all when none does. */
static ngm_ctx keep_followers(const ngm_ctx *c, uint32_t minc, uint32_t recent, uint32_t t, ngm_item *out)
{
    ngm_ctx kept = { NULL, 0, 0 };
    if (!c->items || minc <= 1) return c->items ? *c : kept;
    for (uint32_t i = 0; i < c->n; i++)
        if (c->items[i].count >= minc || t - c->items[i].last < recent) out[kept.n++] = c->items[i];
    if (!kept.n) return kept;
    kept.items = out;
    kept.total = c->total;
    return kept;
}

/* The skip context's followers seen only once make many candidates for
 * little gain (enwik8_1M level 2: all 234,309 bytes in 3.1 s, twice or more
 * 234,699 in 2.5 s, none 235,617 in 2.0 s), but so does dropping them all:
 * a long list keeps only followers seen twice (three times past
 * SKIP_LONG2), or seen in the last SKIP_RECENT positions. Their number grows
 * with the input: on enwik8_3M at level 3 the rule took 30.1 s to 19.0 s for
 * 0.09% more output (0.07% on enwik8_1M, 5.0 s to 3.7 s). */
#define SKIP_LONG 128
#define SKIP_LONG2 512
#define SKIP_RECENT 2048
static ngm_ctx filter_skip(model *m, int d, const ngm_ctx *c)
{
    uint32_t minc = c->n > SKIP_LONG2 ? 3 : c->n > SKIP_LONG ? 2 : 1;
    return keep_followers(c, minc, SKIP_RECENT, (uint32_t)m->t, m->skip_items[d]);
}

/* Levels 1 and 2 apply the same rule to a long order-1 list: followers seen
 * twice or in the last O1_RECENT positions (level 2: enwik8_1M 2.21 ->
 * 1.89 s for 0.17% more output, enwik8_3M 10.8 -> 8.6 s for 0.25%). */
#define O1_LONG 256
#define O1_RECENT 4096
static void filter_order1(model *m)
{
    if (m->ctx[0].n > O1_LONG)
        m->ctx[0] = keep_followers(&m->ctx[0], 2, O1_RECENT, (uint32_t)m->t, m->o1_items);
}

int model_predict(model *m)
{
    if (ngm_lookup(m->ng, m->hist, m->t, m->ctx) < 0) return -1;
    if (m->fast) filter_order1(m);
    ngm_ctx skip[NGM_NORDERS];
    for (int d = 0; d < NSKIP; d++) {
        m->ctx[CTX_SKIP + d].items = NULL;
        if (!m->skip[d] || m->t < (size_t)d + 2) continue;
        if (ngm_lookup(m->skip[d], m->hist, m->t - 1 - d, skip) < 0) return -1;
        m->ctx[CTX_SKIP + d] = filter_skip(m, d, &skip[0]);
    }
    m->longest = 0;
    for (int k = 0; k < NCTX; k++) {
        if (!m->ctx[k].items) continue;
        if (k < NGM_NORDERS) m->longest = k + 1;
        m->conf[k] = fm_log(1.0f + (float)m->ctx[k].total / (float)m->ctx[k].n);
    }
    new_features(m);
    if (m->t) {
        uint32_t len;
        const uint8_t *b = tok_bytes(tok_builtin(), m->id_of[m->hist[m->t - 1]], &len);
        newid_set_context(&m->nid, b, len);
    }
    const float *kt = m->kind_tok + (size_t)(m->t ? m->hist[m->t - 1] : 0) * SC_KINDS;
    m->kind_pair_at = m->t > 1 ? (uint32_t)(((m->hist[m->t - 1] * 0x9E3779B1u) ^ (m->hist[m->t - 2] * 0x85EBCA6Bu + 0x27D4EB2Fu)) * 0xC2B2AE35u >> (32 - KIND_PAIR_BITS)) : 0;
    const float *kp = m->kind_pair + (size_t)m->kind_pair_at * SC_KINDS;
    for (int f = 0; f < SC_KINDS; f++) m->kind_cur[f] = (m->kind_w[m->nid.last_byte][f] + kt[f]) + kp[f];
    m->count_bias = m->count_bias_t[m->nid.kind];
    m->cell_share_bias = m->cell_share_bias_t[m->nid.kind];
    m->cell_age_bias = m->cell_age_bias_t[m->nid.kind];
    m->age_bias = m->age_bias_t[m->nid.kind];
    predict_ssm(m);
    build_candidates(m);
    ppm_blend(m);
    ssm_features(m);
    m->set = m->longest * MATCH_BUCKETS + match_bucket(m->mlen);
    m->set2 = m->t ? (int)((m->hist[m->t - 1] * 2654435761u) >> 18) : 0;
    for (int f = 0; f < NFEAT; f++) m->wc[f] = m->w[m->set][f] + m->w2[m->set2][f];
    candidate_base(m, m->wc);
    add_sparse(m, m->wc);
    quantise(m, m->wc);
    return 0;
}

/* The learned biases stay within +-BIAS_MAX: on long runs of one kind they
 * would otherwise drift until the classes' logits underflow (seen on
 * kennedy.xls after 760,000 tokens). */
static float clamp_bias(float b) { return b < -BIAS_MAX ? -BIAS_MAX : b > BIAS_MAX ? BIAS_MAX : b; }

/* ---- escapes: the class, then the member ---- */

/* The symbols of step 2 are the classes with members, in sc.used order.
 * Their masses are those of step 1 times a learned factor by class and by
 * the kind of the last byte, which only step 2 uses (enwik8_1M at level 3:
 * 0.14% smaller). */
void model_escape_prepare(model *m)
{
    const float *cf = m->class_factor + (size_t)m->nid.kind * SC_NCLASS;
    double sum = 0.0;
    for (uint32_t i = 0; i < m->sc.nused; i++) {
        float x = (float)class_others(m, i) * (m->class_unit[i] * cf[m->sc.used[i]]);
        m->class_p[i] = x;
        sum += x;
    }
    float scale = safe_scale((double)(MODEL_TOTAL - 2 * SC_NCLASS), sum);
    float inv = sum > 0.0 && sum < 1e30 ? (float)(1.0 / sum) : 0.0f;   /* degenerate: no step */
    for (uint32_t i = 0; i < m->sc.nused; i++) {
        uint32_t n = class_others(m, i);
        m->class_freq[i] = n ? 1 + (uint32_t)(m->class_p[i] * scale) : 0;
        m->class_p[i] *= inv;
    }
    m->class_total = fit_total(m->class_freq, m->sc.nused);
    m->escaped = 1;
}

/* The class factor: after an escape, a step on the stage-2 cost, taken on
 * its log (a bias) as f e^(-lr g) ~ f (1 - lr g), which needs no exp. */
static void learn_class_factor(model *m, uint32_t y)
{
    if (!m->escaped) return;
    m->escaped = 0;
    float *cf = m->class_factor + (size_t)m->nid.kind * SC_NCLASS;
    uint32_t yu = model_class_of(m, y);
    for (uint32_t i = 0; i < m->sc.nused; i++) {
        uint32_t k = m->sc.used[i];
        float f = cf[k] * (1.0f - CLASS_LR * (m->class_p[i] - (i == yu ? 1.0f : 0.0f)));
        cf[k] = f < CLASS_FMIN ? CLASS_FMIN : f > CLASS_FMAX ? CLASS_FMAX : f;
    }
}

uint32_t model_nclasses(const model *m) { return m->sc.nused; }
const uint32_t *model_class_freqs(const model *m) { return m->class_freq; }
uint32_t model_class_total(const model *m) { return m->class_total; }
uint32_t model_class_of(const model *m, uint32_t slot) { return m->sc.used_pos[m->sc.cls[slot]]; }
uint32_t model_class_size(const model *m, uint32_t sym) { return class_others(m, sym); }

uint32_t model_class_rank(const model *m, uint32_t slot)
{
    uint32_t r = 0;
    for (uint32_t j = m->sc.head[m->sc.cls[slot]]; j != slot; j = m->sc.next[j])
        r += !is_candidate(m, j);
    return r;
}

uint32_t model_class_member(const model *m, uint32_t sym, uint32_t rank)
{
    for (uint32_t j = m->sc.head[m->sc.used[sym]]; j; j = m->sc.next[j]) {
        if (is_candidate(m, j)) continue;
        if (rank-- == 0) return j;
    }
    return 0;
}

/* One pass over the slots in order (sequential memory), not over the class
 * lists: an escape lists every seen token but the candidates. */
uint32_t model_escape_tokens(model *m, uint32_t *ids, double *p)
{
    for (uint32_t i = 0; i < m->sc.nused; i++) {
        uint32_t others = class_others(m, i);
        m->member_p[i] = others ? (double)m->class_p[i] / (double)others : 0.0;
    }
    uint32_t n = 0;
    for (uint32_t slot = 1; slot < m->nslots; slot++) {
        if (is_candidate(m, slot)) continue;
        ids[n] = m->id_of[slot];
        p[n++] = m->member_p[m->sc.used_pos[m->sc.cls[slot]]];
    }
    return n;
}

/* ---- learning the mixing weights ---- */

/* feat_y[f] = feature f of slot y; exp_f[f] = E_p[feature f]. */
static void feature_stats(const model *m, uint32_t y, float *feat_y, double *exp_f)
{
    float inv = (float)(1.0 / m->sum_e), s = m->s;
    memset(feat_y, 0, NFEAT * sizeof *feat_y);
    memset(exp_f, 0, NFEAT * sizeof *exp_f);
    double ez = 0.0, ep = m->other_prior, erl = m->other_rlast, er = 0.0, eq = 0.0;
    for (uint32_t i = 0; i < m->ncand; i++) {
        double e = m->e[i];
        ez += e * m->zf[i];
        ep += e * m->prior[m->cand[i]];
        erl += e * m->rlast[i];
        er += e * m->recsum[i];
        eq += e * m->q[i];
    }
    exp_f[F_REC] = er / m->sum_e * s;
    exp_f[F_PPM] = eq / m->sum_e * s;
    exp_f[F_SSM] = ez / m->sum_e;
    exp_f[F_PRIOR] = ep / m->sum_e * s;
    exp_f[F_RLAST] = erl / m->sum_e * s;
    if (is_candidate(m, y)) {
        uint32_t iy = m->cand_index[y];
        feat_y[F_RLAST] = s * m->rlast[iy];
        feat_y[F_SSM] = m->zf[iy];
        feat_y[F_PRIOR] = s * m->prior[y];
        feat_y[F_REC] = s * m->recsum[iy];
        feat_y[F_PPM] = s * m->q[iy];
    } else {   /* a non-candidate: its class's values */
        uint32_t k = m->sc.cls[y];
        feat_y[F_RLAST] = s * m->rlast_rep[sc_age_of(k)];
        feat_y[F_PRIOR] = s * m->prior_rep[sc_count_of(k)];
    }
    double ecr[NCTX] = { 0 };
    for (int k = 0; k < NCTX; k++) {
        const ngm_ctx *c = &m->ctx[k];
        if (!c->items) continue;
        double eg = 0.0, eb = 0.0;
        const float *gk = m->item_g + m->item_start[k], *rk = m->item_r + m->item_start[k];
        const uint32_t *ci = m->item_cand + m->item_start[k];
        for (uint32_t i = 0; i < c->n; i++) {
            float p = m->e[ci[i]] * inv;
            float g = s * gk[i];
            float r = s * rk[i];
            eg += p * g;
            eb += p;
            ecr[k] += p * r;
            if (c->items[i].slot == y) {
                feat_y[F_NG + k] = g;
                feat_y[F_BONUS + k] = s * m->conf[k];
                feat_y[F_CREC + k] = r;
            }
        }
        exp_f[F_NG + k] = eg;
        exp_f[F_BONUS + k] = eb * s * m->conf[k];
    }
    for (int k = 0; k < NCTX; k++) exp_f[F_CREC + k] = ecr[k];
    if (m->mlen) {
        uint32_t pred = m->hist[m->mptr];
        float f = s * (1.5f * (1.0f - 1.0f / (1.0f + 0.3f * (float)m->mlen)));
        exp_f[F_MATCH] = (double)(m->e[m->cand_index[pred]] * inv) * f;
        if (pred == y) feat_y[F_MATCH] = f;
    }
    float p0 = m->e[0] * inv;
    for (int f = FIRST_NEW; f < NFEAT; f++) {
        exp_f[f] = (double)p0 * m->new_feat[f];
        feat_y[f] = y == 0 ? m->new_feat[f] : 0.0f;
    }
}


/* The kind, count and age biases: gradient E_p[class part = b] - [part of
 * y's class = b], the expectation over the candidates (one pass) and the
 * classes (summed by class_masses). */
static void learn_class_biases(model *m, uint32_t y)
{
    double pk[SC_KINDS], pc[SC_COUNT_BUCKETS], pa[SC_AGE_BUCKETS];
    memcpy(pk, m->kind_mass, sizeof pk);
    memcpy(pc, m->count_mass, sizeof pc);
    memcpy(pa, m->age_mass, sizeof pa);
    for (uint32_t i = 1; i < m->ncand; i++) {
        uint32_t k = m->cand_class[i];
        pk[sc_kind_of(k)] += m->e[i];
        pc[sc_count_of(k)] += m->e[i];
        pa[sc_age_of(k)] += m->e[i];
    }
    int yk = -1, yc = -1, ya = -1;
    if (y) {
        uint32_t k = m->sc.cls[y];
        yk = sc_kind_of(k), yc = sc_count_of(k), ya = sc_age_of(k);
    }
    double inv = 1.0 / m->sum_e;
    float *kw = m->kind_w[m->nid.last_byte];
    float *kt = m->kind_tok + (size_t)(m->t ? m->hist[m->t - 1] : 0) * SC_KINDS;
    float *kp = m->kind_pair + (size_t)m->kind_pair_at * SC_KINDS;
    for (int f = 0; f < SC_KINDS; f++) {
        float g = (float)(pk[f] * inv) - (f == yk ? 1.0f : 0.0f);
        kw[f] = clamp_bias(kw[f] - KIND_LR * g);
        kt[f] = clamp_bias(kt[f] - KIND_LR2 * g);
        kp[f] = clamp_bias(kp[f] - KIND_LR3 * g);
    }
    for (int b = 0; b < SC_COUNT_BUCKETS; b++)
        m->count_bias[b] = clamp_bias(m->count_bias[b] - BUCKET_LR * ((float)(pc[b] * inv) - (b == yc ? 1.0f : 0.0f)));
    for (int b = 0; b < SC_AGE_BUCKETS; b++)
        m->age_bias[b] = clamp_bias(m->age_bias[b] - BUCKET_LR * ((float)(pa[b] * inv) - (b == ya ? 1.0f : 0.0f)));
}

/* y's place among context k's followers, or -1. */
static int32_t follower_index(const model *m, int k, uint32_t y)
{
    if (!is_candidate(m, y) || m->cand_index[y] >= m->nctx_cand) return -1;
    const uint32_t *ci = m->item_cand + m->item_start[k];
    for (uint32_t i = 0; m->ctx[k].items && i < m->ctx[k].n; i++)
        if (ci[i] == m->cand_index[y]) return (int32_t)i;
    return -1;
}

/* The followers' cell biases: gradient E_p[cell] - [y's cell]. The
 * probabilities are summed per cell in two interleaved halves, so that
 * consecutive followers in the same cell do not wait for each other (3%
 * less time at level 2 than one sum per cell). */
static void learn_cells(model *m, uint32_t y)
{
    float inv = (float)(1.0 / m->sum_e);
    for (int k = 0; k < NCTX; k++) {
        const ngm_ctx *c = &m->ctx[k];
        if (!c->items) continue;
        float gs[2][NCELLS] = { { 0 } }, ga[2][NCELLS] = { { 0 } };
        const uint32_t *ci = m->item_cand + m->item_start[k];
        const uint8_t *sc = m->item_share + m->item_start[k], *ac = m->item_age + m->item_start[k];
        uint32_t i = 0;
        for (; i + 1 < c->n; i += 2) {
            float p0 = m->e[ci[i]] * inv, p1 = m->e[ci[i + 1]] * inv;
            gs[0][sc[i]] += p0;
            ga[0][ac[i]] += p0;
            gs[1][sc[i + 1]] += p1;
            ga[1][ac[i + 1]] += p1;
        }
        if (i < c->n) {
            float p0 = m->e[ci[i]] * inv;
            gs[0][sc[i]] += p0;
            ga[0][ac[i]] += p0;
        }
        int32_t iy = follower_index(m, k, y);
        if (iy >= 0) {
            gs[0][sc[iy]] -= 1.0f;
            ga[0][ac[iy]] -= 1.0f;
        }
        float *sb = m->cell_share_bias[k], *ab = m->cell_age_bias[k];
        for (int b = 0; b < NCELLS; b++) {
            sb[b] = clamp_bias(sb[b] - CELL_LR * (gs[0][b] + gs[1][b]));
            ab[b] = clamp_bias(ab[b] - CELL_LR * (ga[0][b] + ga[1][b]));
        }
    }
}

static void learn_weights(model *m, uint32_t y)
{
    learn_apms(m, y);
    learn_class_factor(m, y);
    learn_class_biases(m, y);
    if (m->cells) learn_cells(m, y);
    float fy[NFEAT];
    double ef[NFEAT];
    if (m->stats_valid) {
        memcpy(fy, m->fy_cache, sizeof fy);
        memcpy(ef, m->ef_cache, sizeof ef);
    } else {
        feature_stats(m, y, fy, ef);
    }
    m->stats_valid = 0;
    float *w = m->w[m->set], *w2 = m->w2[m->set2], *v = m->gv[m->set];
    float lr = m->mix_lr;
    for (int f = 0; f < NFEAT; f++) {
        float g = (float)ef[f] - fy[f];
        v[f] += (g * g - v[f]) * 0.002f;
        float step = lr * g / fm_sqrt(v[f] + 1e-6f);
        w[f] -= step;
        w2[f] -= step;
    }
}

/* ---- trace ---- */

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
    int32_t i = m->cells ? follower_index(m, k, y) : -1;
    if (i < 0) return 0.0f;
    uint32_t at = m->item_start[k] + (uint32_t)i;
    return m->cell_share_bias[k][m->item_share[at]] + m->cell_age_bias[k][m->item_age[at]];
}

void model_trace(model *m, uint32_t y, smix_token_info *t)
{
    float *fy = m->fy_cache;
    double *ef = m->ef_cache;
    feature_stats(m, y, fy, ef);
    m->stats_valid = 1;      /* reused by learn_weights for the same position */
    const float *w = m->wc;
    memset(t->bias, 0, sizeof t->bias);
    t->bias[SMIX_COMP_PRIOR] = w[F_PRIOR] * fy[F_PRIOR];
    for (int k = 0; k < NGM_NORDERS; k++)
        t->bias[SMIX_COMP_NG1 + k] = w[F_NG + k] * fy[F_NG + k] + w[F_BONUS + k] * fy[F_BONUS + k]
                                     + w[F_CREC + k] * fy[F_CREC + k]
                                     + (k == m->longest - 1 ? w[F_PPM] * fy[F_PPM] : 0.0f)
                                     + cell_bias_of(m, k, y);
    t->bias[SMIX_COMP_MATCH] = w[F_MATCH] * fy[F_MATCH];
    t->bias[SMIX_COMP_RECENCY] = w[F_REC] * fy[F_REC] + w[F_RLAST] * fy[F_RLAST];
    t->scale = m->s;
    t->entropy = m->H * 1.44269504f;
    t->longest_order = m->longest ? (int8_t)ngm_orders[m->longest - 1] : 0;
    t->longest_count = 0;
    if (m->longest) {
        const ngm_ctx *c = &m->ctx[m->longest - 1];
        for (uint32_t i = 0; i < c->n; i++)
            if (c->items[i].slot == y && y) t->longest_count = c->items[i].count;
    }
    top_k(m->e, m->cand, m->ncand, (float)(1.0 / m->sum_e), m->id_of, t->top_id, t->top_p);
    if (!m->net) {
        t->p_ssm = 0.0f;
        t->rank_ssm = 0;
        for (int i = 0; i < SMIX_TOPK; i++) { t->ssm_top_id[i] = SMIX_TOKEN_NEW; t->ssm_top_p[i] = 0.0f; }
        return;
    }
    uint32_t rank = 1, rows = m->ssm_rows_used;
    float zy = ssm_logit(m, y);
    for (uint32_t j = 0; j < rows; j++) rank += m->z[j] > zy;
    if (m->z[0] > zy) rank += m->nslots - rows;   /* the slots sharing row 0 */
    t->p_ssm = (float)(ssm_exp(m, y) / m->sum_e_ssm);
    t->rank_ssm = rank;
    top_k(m->e_ssm, NULL, rows, (float)(1.0 / m->sum_e_ssm), m->id_of, t->ssm_top_id, t->ssm_top_p);
}

/* ---- update ---- */

static void match_update(model *m)
{
    size_t t = m->t;   /* hist[0..t) known, hist[t-1] just added */
    if (m->mlen && m->hist[m->mptr] == m->hist[t - 1]) {
        m->mptr++;
        if (m->mlen < MATCH_MAX) m->mlen++;
    } else {
        m->mlen = 0;
    }
    if (t < MATCH_MIN) return;
    uint64_t h = 0;
    for (int i = 1; i <= MATCH_MIN; i++) h = (h + m->hist[t - i] + 1) * 0x9E3779B97F4A7C15ull;
    uint32_t *cell = &m->mtab[h >> (64 - m->mbits)];
    if (!m->mlen && *cell) {
        size_t p = *cell;
        uint32_t len = 0;
        while (len < MATCH_MAX && len < p && m->hist[p - 1 - len] == m->hist[t - 1 - len]) len++;
        if (len >= MATCH_MIN) {
            m->mptr = p;
            m->mlen = len;
        }
    }
    *cell = (uint32_t)t;
}

/* The tokens whose age just reached a bucket boundary A are those last seen
 * exactly A positions ago: move them to their next age class. */
static void age_classes(model *m)
{
    uint32_t t = (uint32_t)m->t;
    for (int i = 0; i < m->n_age_bound; i++) {
        uint32_t a = m->age_bound[i];
        if (a >= t) break;
        uint32_t j = m->hist[t - a - 1];
        if (m->last[j] == t - a)
            sc_move(&m->sc, j, sc_class(sc_kind_of(m->sc.cls[j]), sc_count_bucket(m->count[j]), sc_age_bucket(a)));
    }
}

static int add_slot(model *m, uint32_t id)
{
    if (id >= m->vocab || m->slot_of[id] || m->nslots >= m->cap) return -1;
    uint32_t slot = m->nslots++;
    m->slot_of[id] = slot;
    m->id_of[slot] = id;
    if (m->net && slot < m->ssm_cap && ssm_add_row(m->net) != (int)slot) return -1;
    return (int)slot;
}

int model_update(model *m, uint32_t slot, uint32_t token_id, smix_chunk_info *ci)
{
    learn_weights(m, slot);
    uint32_t target = slot;
    m->new_rate += ((slot == 0 ? 1.0f : 0.0f) - m->new_rate) * (1.0f / 256.0f);
    if (slot == 0) {
        if (token_id >= m->vocab || m->slot_of[token_id]) return -1;
        newid_mark_used(&m->nid, token_id);
        int s = add_slot(m, token_id);
        if (s < 0) return -1;
        slot = (uint32_t)s;
        m->count[0]++;
        m->prior[0] = 0.1f * fm_log(1.0f + (float)m->count[0]);
    }
    m->count[slot]++;
    m->last[slot] = (uint32_t)m->t + 1;
    m->prior[slot] = 0.1f * fm_log(1.0f + (float)m->count[slot]);
    int count_bucket = sc_count_bucket(m->count[slot]);
    if (target == 0) {   /* its first class: the kind comes from its bytes */
        uint32_t len;
        const uint8_t *b = tok_bytes(tok_builtin(), token_id, &len);
        sc_insert(&m->sc, slot, sc_class(sc_token_kind(b, len), count_bucket, 0));
    } else {
        sc_move(&m->sc, slot, sc_class(sc_kind_of(m->sc.cls[slot]), count_bucket, 0));
    }
    if (ngm_update(m->ng, m->t, slot) < 0) return -1;
    for (int d = 0; d < NSKIP; d++)
        if (m->skip[d] && m->t >= (size_t)d + 2 && ngm_update(m->skip[d], m->t - 1 - d, slot) < 0) return -1;
    if (m->t == m->hist_cap) {
        size_t ncap = m->hist_cap ? m->hist_cap * 2 : 1 << 16;
        uint32_t *nh = realloc(m->hist, ncap * sizeof *nh);
        if (!nh) return -1;
        m->hist = nh;
        m->hist_cap = ncap;
    }
    m->hist[m->t++] = slot;
    age_classes(m);
    match_update(m);
    if (m->net) {
        uint32_t row = slot < m->ssm_cap ? slot : 0;
        return ssm_observe(m->net, target < m->ssm_cap ? target : 0, row, ci);
    }
    return 0;
}
