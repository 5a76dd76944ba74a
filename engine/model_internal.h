/*
 * model_internal.h - the token model's structures, shared by its files and
 * by nothing else (the codec uses model.h).
 *
 * Layout follows the SSM's (ssm_internal.h): a model is
 *   model_conf     configuration, fixed once the model is created;
 *   model_weights  everything learned by gradient steps (mixing weights,
 *                  learned biases, APMs, the step-2 class factor);
 *   model_hist     what the model has seen: the slots, their counts and last
 *                  positions, the token history, the slot classes, the match;
 *   model_tok      the per-token state of one prediction: candidates,
 *                  features, logits, masses, frequencies; allocated once,
 *                  rewritten at every position;
 * plus the sub-models it mixes (the SSM, the n-gram and skip-context models,
 * the new-id coder). One file per concept, each feature's forward pass
 * beside its gradient:
 *   model.c        create/free, model_predict / model_update, quantisation
 *   model_cand.c   the candidate set and the contexts' follower lists
 *   model_feat.c   the sparse features and the mixing weights' gradient
 *   model_class.c  the classes of the other seen tokens, their learned
 *                  kind/count/age biases, the escape's class and rank
 *   model_apm.c    the three APMs
 *   model_match.c  the match model
 *   model_trace.c  what the trace records of a prediction
 *   model_cf.c     and the bits saved by each component (counterfactuals)
 * Every constant below shapes the coded output: changing one is a format
 * change.
 */
#ifndef SMIX_MODEL_INTERNAL_H
#define SMIX_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "components.h"
#include "model.h"
#include "newid.h"
#include "ngram.h"
#include "slotclass.h"
#include "ssm.h"

/* Contexts: the n-gram orders, then the skip contexts (the token 2, 3, 4 back). */
#define NSKIP 3
#define CTX_SKIP NGM_NORDERS   /* the first skip context */
#define NCTX (NGM_NORDERS + NSKIP)

/* The features with a learned mixing weight (model_feat.c) are laid out by
 * the component table (components.h: F_*, NFEAT); context k's three are
 * F_CTX(k, CTX_COUNT | CTX_CONF | CTX_REC), as the table lists the orders
 * and then the skip contexts. */
_Static_assert(NCTX == COMP_SKIP4 - COMP_NG1 + 1 && CTX_SKIP == COMP_SKIP2 - COMP_NG1,
               "one component per context, the orders then the skip contexts");

#define MATCH_BUCKETS 3
#define NSETS ((NGM_NORDERS + 1) * MATCH_BUCKETS)
/* The tables hashed by tokens (the second weight set, the kind bias by
 * pair, the match table) have these many index bits with the levels'
 * vocabulary of 32,768 tokens; a smaller vocabulary (only through the
 * internal API: the fuzz targets' small configurations) gets smaller
 * tables, whose set-up and page faults would otherwise dominate a short
 * run (model_create). */
#define SET2_BITS 14
#define APM_SETS NSETS
#define APM_CELLS 33
/* 32 positions: 64 measured 0.01% smaller output on enwik8's first 1 MB at
 * level 3 for 3% more time, 256 another 0.03% for 25% more (older tokens
 * are still told apart by the age classes). */
#define REC_WINDOW 32
#define REC_WINDOW_FAST 16     /* levels 1 and 2: 6% faster, and no larger */
#define RLAST_H 1024.0f
#define CTAB 256
#define BIAS_MAX 8.0f
/* Learned biases of a context's followers by cell: (count octave, octave of
 * count/total) and (count octave, age in the context, by powers of 4); one
 * table per context and kind of the previous last byte. They let the mix
 * bend the fixed shape of g_k: a follower seen once in a context seen once
 * is a far better bet than one seen once among 1,000. */
#define CELL_OCTAVES 8
#define NCELLS (CELL_OCTAVES * CELL_OCTAVES)
#define KIND_PAIR_BITS 16
#define MATCH_BITS 18

/* Configuration: fixed once the model is created. */
typedef struct model_conf {
    smix_config cfg;
    uint32_t vocab;            /* ids in use */
    uint32_t cap;              /* slots: vocab + 1 */
    uint32_t ssm_cap;          /* slots below this have their own SSM row */
    int fast;                  /* levels 1 and 2: a shorter recent window, filtered order-1 lists */
    int age_octaves;           /* octaves per age bucket of the classes: SC_WIDE_AGES when fast */
    int count_octaves;         /* and per count bucket: SC_COARSE_COUNTS with coarse_classes */
    int cells;                 /* levels 2-9 learn the follower cell biases (level 1: 8% of its time for 0.2%) */
    int rec_window;            /* REC_WINDOW, REC_WINDOW_FAST at levels 1 and 2, 0 with coarse_classes */
    float mix_lr;
    int mbits;                 /* the match table has 1 << mbits cells */
    int set2_bits, pair_bits;  /* and the second weight set and the pair kind bias these many rows */
    float ctab[NCTX][CTAB];    /* g_k(c) for c < CTAB */
    float rec_w[REC_WINDOW + 1];   /* weight of a recent position a back */
    float prior_rep[SC_COUNT_BUCKETS], rlast_rep[SC_AGE_BUCKETS];   /* a class's typical prior and rlast */
    uint32_t age_bound[SC_AGE_BUCKETS];
    int n_age_bound;
} model_conf;

/* Weights: everything learned. */
typedef struct model_weights {
    float set1[NSETS][NFEAT];      /* mixing weights by (longest order, match bucket) */
    float rms1[NSETS][NFEAT];      /* running mean of squared gradients (RMSprop) of set1 */
    float (*set2)[NFEAT];          /* [1 << set2_bits] second weight set, by a hash of the previous token */
    float apm[APM_SETS * NEWID_KINDS][APM_CELLS];       /* favourite's hit rate by (set, kind, stretched p) */
    float esc_apm[APM_SETS * NEWID_KINDS][APM_CELLS];   /* escape rate by (set, previous byte kind, stretched p) */
    float new_apm[APM_SETS * NEWID_KINDS][APM_CELLS];   /* the same for NEW */
    float kind_w[256][SC_KINDS];   /* bias of a token's kind, by the previous token's last byte */
    float *kind_tok;               /* [cap][SC_KINDS] the same after each previous token */
    float *kind_pair;              /* [1 << pair_bits][SC_KINDS] and after each (hashed) pair of previous tokens */
    float count_bias_t[NEWID_KINDS][SC_COUNT_BUCKETS], age_bias_t[NEWID_KINDS][SC_AGE_BUCKETS];   /* every seen token */
    float cell_share_bias_t[NEWID_KINDS][NCTX][NCELLS], cell_age_bias_t[NEWID_KINDS][NCTX][NCELLS];
    float *class_factor;           /* [NEWID_KINDS][SC_NCLASS] step 2 only; a row is set
                                      to 1 at its first escape (class_factor_ready) */
    uint32_t class_factor_ready;
} model_weights;

/* History: what the model has seen. */
typedef struct model_hist {
    uint32_t nslots;           /* slot 0 (NEW) and the distinct tokens seen */
    uint32_t *slot_of;         /* [vocab] 0 = unseen */
    uint32_t *id_of;           /* [cap] */
    uint32_t *count;           /* [cap] occurrences */
    float *prior;              /* [cap] 0.1 log(1 + count) */
    uint32_t *last;            /* [cap] position after each slot's last occurrence */
    uint8_t *first;            /* [cap] the first byte of each slot's token */
    uint16_t *by_first;        /* [vocab] the seen slots by their token's first byte b, in
                                  order, from by_first_at[b]: room for every id of the
                                  vocabulary that starts with b */
    uint32_t by_first_at[256], by_first_n[256];
    uint16_t *by_space;        /* [vocab] the same for the tokens of a space and byte c,
                                  by c, from by_space_at[c] */
    uint32_t by_space_at[256], by_space_n[256];
    uint32_t *hist;            /* [hist_cap] slots */
    size_t t, hist_cap;        /* positions seen */
    slotclass sc;              /* every seen slot's class */
    uint32_t *mtab;            /* [1 << mbits] position after a MATCH_MIN context */
    size_t mptr;               /* the match: the position it predicts */
    uint32_t mlen;             /* and its length, 0 = none */
    float new_rate;            /* running rate of new tokens */
} model_hist;

/* Per-token state of one prediction. Arrays by candidate index unless said. */
typedef struct model_tok {
    /* the SSM's prediction */
    float *z;                  /* [ssm rows] SSM logits; row 0 = NEW and the slots past ssm_cap */
    float *e_ssm;              /* [ssm rows] exp(z - max z) */
    double sum_e_ssm;
    uint32_t ssm_rows_used;    /* rows of z in use: min(nslots, ssm_cap) */
    float scale, H;            /* entropy scale s, SSM entropy (nats) */
    /* contexts */
    ngm_ctx ctx[NCTX];
    float conf[NCTX];
    int longest;               /* index+1 of the longest order found, 0 none */
    ngm_item *skip_items[NSKIP];   /* [cap] the skip followers kept by filter_skip, when it drops some */
    ngm_item *o1_items;        /* [cap] a long order-1 list, filtered (levels 1, 2) */
    /* candidates and the classes of the other seen tokens */
    uint32_t *cand;            /* [cap + 1] candidate slots, NEW first (+1: add_followers) */
    uint32_t ncand;
    uint8_t *cand_mark;        /* [cap, by slot] 1 for the candidates while the escape
                                  list is summed (model_escape_first_sums), else 0 */
    uint16_t *cand_index;      /* [cap, by slot] index in cand (valid when cand[index] == slot);
                                  16 bits keep it in cache: cap <= 65536 (ngm_item.slot) */
    uint16_t *cand_class;      /* [cap + 1] class of cand[i] when it was counted in excl */
    uint16_t *cand_used;       /* [cap + 1] that class's place in sc.used then */
    uint32_t excl[SC_NCLASS];  /* candidates in each class now, by place in sc.used */
    uint32_t n_other;          /* seen tokens that are not candidates */
    uint32_t nctx_cand;        /* candidates 1..nctx_cand-1 are context followers */
    /* features */
    float *zf;                 /* [cap] SSM feature */
    float *rlast;              /* [cap] RLAST_H / (RLAST_H + age) */
    float *q;                  /* [cap + 1] PPM blend feature of the candidates 0..nctx_cand */
    float *recsum;             /* [cap + 1] sum of rec_w over a candidate's recent positions */
    uint32_t item_start[NCTX]; /* offsets of each context's followers in: */
    float *item_g, *item_r;    /* [NCTX cap] n-gram and in-context recency features */
    uint8_t *item_share, *item_age;   /* [NCTX cap] each follower's cells (share_cell, age_cell) */
    uint32_t *item_cand;       /* [NCTX cap] candidate index of each follower */
    int32_t y_at[NCTX];        /* the token's place among each context's followers, -1 none
                                  (model_learn_weights; the n-gram update's hint) */
    float new_feat[NFEAT];     /* features F_NEW* of slot 0 */
    /* learned biases in use at this position */
    float kind_cur[SC_KINDS];  /* the kind bias: by last byte + previous token + previous pair */
    uint32_t kind_pair_at;     /* row of kind_pair in use */
    float *count_bias, *age_bias;   /* rows by kind of the previous token's last byte */
    float (*cell_share_bias)[NCELLS], (*cell_age_bias)[NCELLS];
    float cell_ms[2][NCELLS], cell_ma[2][NCELLS];   /* one context's cell masses (model_feat.c);
                                                       zero between uses: learn_cells clears them */
    /* weights in use */
    int set, set2;             /* weight sets */
    float wc[NFEAT];           /* set1[set] + set2[set2] */
    /* logits and masses */
    float *F, *e;              /* [cap] final logit, exp of each candidate */
    double sum_e;
    float ep[SC_COUNT_BUCKETS], er[SC_AGE_BUCKETS], ek[SC_KINDS];   /* exp of each bucket's logit part */
    double kind_mass[SC_KINDS], count_mass[SC_COUNT_BUCKETS], age_mass[SC_AGE_BUCKETS];  /* of the non-candidates */
    double all_kind[SC_KINDS], all_count[SC_COUNT_BUCKETS], all_age[SC_AGE_BUCKETS];      /* and of every seen token */
    double other_scale;        /* exp(max part - shift): class masses are other_scale ep er size */
    double other_mass, other_prior, other_rlast;      /* sum of e, e prior, e rlast over the others */
    float class_unit[SC_NCLASS];   /* mass of one member of used class i, from class_masses */
    float class_p[SC_NCLASS];      /* stage-2 probability of used class i (after an escape) */
    float class_ucf[SC_NCLASS];    /* and a member's mass before the sum: unit x class factor */
    double member_p[SC_NCLASS];    /* after an escape, walked: class_p[i] over its members to code
                                      (with escape_keys, (unit x class factor) / sum) */
    float class_inv;               /* 1 / the class masses' sum: class_p adds up to 1 (0: all 0) */
    double kind_p[SC_KINDS];       /* with escape_keys: the sum of class_p by kind */
    uint16_t *cand_by_key;         /* [cap] with escape_keys: the candidates (slots), by key, */
    uint32_t cand_key_at[SC_NKEYS + 1];   /*   those of key k from cand_key_at[k] */
    int escaped;                   /* escape_prepare ran at this position */
    /* the APMs' cells, for their update */
    int esc_b, esc_ctx, new_b, apm_b;
    float esc_frac, new_frac, apm_frac;
    uint32_t apm_top;          /* the favourite's slot */
    /* what the trace needs to tell the APMs' terms apart (model_trace.c) */
    float shift;               /* e = exp(F - shift) */
    double esc_f;              /* the escape APM's factor on every non-candidate (1: none) */
    float e0_pre;              /* e[0] before the NEW APM */
    float top_pre;             /* e[apm_top_i] before the favourite's APM */
    uint32_t apm_top_i;        /* the favourite's candidate index */
    uint32_t *trace_idx;       /* [cap] scratch of model_trace.c, allocated by model_trace_init */
    /* the trace's counterfactuals (model_cf.c), allocated by model_trace_init */
    float *cf_me, *cf_x, *cf_p;  /* [cf_len] masses, terms, products of the sparse supports */
    float *cf_cells;           /* [cap] each candidate's cell biases */
    uint32_t cf_len;
    /* frequencies */
    uint32_t nsyms;            /* candidates + escape (if there are others) */
    uint32_t *freq;            /* [cap + 1] by candidate index, then escape */
    uint32_t total;
    uint32_t class_freq[SC_NCLASS], class_total;
} model_tok;

struct model {
    model_conf c;
    model_weights w;
    model_hist h;
    model_tok s;
    ssm *net;                  /* the SSM, NULL at levels without it */
    ngm *ng;                   /* the n-gram orders */
    ngm *skip[NSKIP];          /* followers of the token d = 2, 3, 4 back (order-1 models d - 1 steps behind) */
    newid nid;                 /* the id coder of first occurrences */
};

/* A sparse set: no clearing between positions. */
static inline int model_is_cand(const model *m, uint32_t slot)
{
    uint32_t i = m->s.cand_index[slot];
    return i < m->s.ncand && m->s.cand[i] == slot;
}

/* The SSM's logit and exp(logit - max) of slot j (row 0 for the slots past ssm_cap). */
static inline float model_ssm_logit(const model *m, uint32_t j) { return m->s.z[j < m->c.ssm_cap ? j : 0]; }
static inline float model_ssm_exp(const model *m, uint32_t j) { return m->s.e_ssm[j < m->c.ssm_cap ? j : 0]; }

/* The learned biases stay within +-BIAS_MAX: on long runs of one kind they
 * would otherwise drift until the classes' logits underflow (seen on
 * kennedy.xls after 760,000 tokens). */
static inline float model_clamp_bias(float b) { return b < -BIAS_MAX ? -BIAS_MAX : b > BIAS_MAX ? BIAS_MAX : b; }

/* model.c: the frequency helpers shared with the escape's class step */
uint32_t model_fit_total(uint32_t *f, uint32_t n);
float model_safe_scale(double total, double mass);

/* model_cand.c */
int model_contexts(model *m);              /* the contexts of this position; -1 on OOM */
void model_cand_build(model *m);           /* NEW, the followers, the match, the recent tokens, the SSM's favourites */

/* model_feat.c */
void model_feat_init(model *m);            /* tables and initial weights */
void model_ssm_predict(model *m);          /* SSM logits, entropy, scale */
void model_ssm_features(model *m);
void model_ppm_blend(model *m);
void model_new_features(model *m);
void model_cand_base(model *m, const float *w);    /* SSM, prior, time since last seen, biases */
void model_add_sparse(model *m, const float *w);   /* context, match, recent, PPM, NEW features */
void model_learn_weights(model *m, uint32_t y);   /* the mixing weights and, with cells, the cell biases */

/* model_class.c */
void model_class_init(model *m);
float model_class_parts(model *m, const float *w);
void model_class_masses(model *m, float shift, float top);
/* the masses of every seen token by part (all_kind, all_count, all_age):
 * the classes' and each candidate's (NEW aside) by its class's parts */
void model_part_masses(model *m);
void model_learn_class_biases(model *m, uint32_t y);
void model_learn_class_factor(model *m, uint32_t y);
void model_age_classes(model *m);

/* model_apm.c */
void model_apm_init(model *m);
void model_esc_refine(model *m, double cand_mass);
void model_new_refine(model *m);
void model_apm_refine(model *m, float fmax);
void model_learn_apms(model *m, uint32_t y);

/* model_trace.c: the terms of slot's logit (each component's, as the trace
 * records them for the token and its rival) and that logit, for any slot
 * seen (0: NEW); after model_predict (and model_escape_prepare when the
 * token is an escape). */
double model_slot_terms(const model *m, uint32_t slot, float *c);

/* model_cf.c: the scratch (0, -1 on OOM), then saved[c] = the bits the
 * token model would have given the token more without component c, from
 * its terms cy (model_trace) */
int model_cf_init(model *m);
void model_counterfactuals(model *m, const float *cy, float *saved);

/* model_match.c */
#define MATCH_MIN 3
#define MATCH_MAX 64
int model_match_bucket(uint32_t len);
float model_match_feature(uint32_t len);   /* m(len), before weight and scale */
void model_match_update(model *m);

#endif
