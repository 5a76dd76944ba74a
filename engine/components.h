/*
 * components.h - the parts of the model and of the coder, as the trace
 * shows them: the only place where a component or a coding step is
 * declared.
 *
 * A component adds a term to a token's logit (natural-log units; a term c
 * multiplies the token's unnormalised probability by e^c). The model
 * computes each term once per candidate (model_feat.c, model_class.c,
 * model_apm.c) and model_trace.c hands the trace the same terms, for the
 * coded token and for its strongest rival, so that they sum to the final
 * logit (model_cf.c: the bits each saved). A coding step is one of the
 * decisions a token is coded with; the trace records the exact cost of
 * each. The table gives the model its mixing weights' layout (F_*) and
 * says which configurations use which component; the trace writer, the
 * report, the dump, tools/trace_synth.c and both viewers iterate it
 * (through smix.h and the trace's own copy of it): adding a component
 * means adding a row here and computing its term in the model, nothing
 * else.
 *
 * COMP_LIST(X): X(ID, name, group, weights, used, description), in display
 * order: weights = how many learned mixing weights the component's term
 * has (a context's three: its count feature, its confidence, its recency;
 * 0 for a part with tables of its own); used = whether a configuration
 * `c` (const smix_config *) uses it.
 * STEP_LIST(X): X(ID, name, mixed, description); mixed steps are binary
 * decisions refined by the byte model (bytemix.h), for which the token
 * model's own cost is recorded beside the coded one.
 */
#ifndef SMIX_COMPONENTS_H
#define SMIX_COMPONENTS_H

#include "smix.h"

#define COMP_LIST(X) \
    X(SSM,      "ssm",      "ssm",       1, c->ssm_enabled,        "the SSM (its logit against its mean over the tokens no context offers)") \
    X(PRIOR,    "prior",    "frequency", 1, 1,                     "the frequency prior (0.1 log(1 + count))") \
    X(LASTSEEN, "lastseen", "recency",   1, 1,                     "the time since the token last occurred (H/(H + age), H = 1024)") \
    X(RECENT,   "recent",   "recency",   1, !c->coarse_classes,    "the tokens of the last 32 positions (16 at levels 1-2 before format 8)") \
    X(KIND,     "kind",     "bias",      0, 1,                     "the learned bias of the token's kind (first byte) after the previous byte, token and pair") \
    X(COUNT,    "count",    "bias",      0, 1,                     "the learned bias of the token's count bucket") \
    X(AGE,      "age",      "bias",      0, 1,                     "the learned bias of the token's age bucket") \
    X(NG1,      "ng1",      "context",   3, c->max_order >= 1,     "the order-1 n-gram context (the previous token)") \
    X(NG2,      "ng2",      "context",   3, c->max_order >= 2,     "the order-2 n-gram context") \
    X(NG3,      "ng3",      "context",   3, c->max_order >= 3,     "the order-3 n-gram context") \
    X(NG4,      "ng4",      "context",   3, c->max_order >= 4,     "the order-4 n-gram context") \
    X(SKIP2,    "skip2",    "context",   3, c->skip_context >= 1,  "the skip context: followers of the token 2 back") \
    X(SKIP3,    "skip3",    "context",   3, c->skip_context >= 1,  "the skip context: followers of the token 3 back") \
    X(SKIP4,    "skip4",    "context",   3, c->skip_context >= 2,  "the skip context: followers of the token 4 back") \
    X(CELLS,    "cells",    "context",   0, c->level >= 2,         "the learned biases of context followers by (count, share) and (count, age) cells") \
    X(PPM,      "ppm",      "context",   1, 1,                     "the PPM blend of all n-gram orders") \
    X(MATCH,    "match",    "match",     1, 1,                     "the match model (the token after the longest earlier repeat)") \
    X(NEW_BIAS, "new_bias", "new",       1, 1,                     "the bias of NEW (a token not seen before)") \
    X(NEW_ESC,  "new_esc",  "new",       1, 1,                     "the escape estimate of the longest context, on NEW") \
    X(NEW_RATE, "new_rate", "new",       1, 1,                     "the recent rate of new tokens, on NEW") \
    X(APM_ESC,  "apm_esc",  "apm",       0, 1,                     "the APM on the probability of an escape (every seen token no candidate)") \
    X(APM_NEW,  "apm_new",  "apm",       0, 1,                     "the APM on the probability of NEW") \
    X(APM_FAV,  "apm_fav",  "apm",       0, 1,                     "the APM on the probability of the favourite") \
    X(CLASS,    "class",    "escape",    0, 1,                     "the learned step-2 factor of an escaped token's class, renormalised")

#define STEP_LIST(X) \
    X(SYM,       "sym",       0, "the token model's symbol: a candidate, NEW or ESCAPE") \
    X(IS_CAND,   "is_cand",   1, "is the token a candidate") \
    X(CAND_WALK, "cand_walk", 1, "which candidate, its bytes bit by bit and where it ends") \
    X(IS_NEW,    "is_new",    1, "not a candidate: is it new (else an escape)") \
    X(CLASS,     "class",     0, "an escape's class") \
    X(RANK,      "rank",      0, "an escape's rank in its class (uniform)") \
    X(ESC_WALK,  "esc_walk",  1, "which escape, its bytes bit by bit and where it ends") \
    X(ID,        "id",        0, "a new token's id, through the id tree") \
    X(NEW_WALK,  "new_walk",  1, "a new token's bytes bit by bit among the unused tokens, and where it ends") \
    X(CODER,     "coder",     0, "the range coder's own loss (its rounding and carry-less cuts)")

#define COMP_ENUM(id, name, group, weights, used, desc) COMP_##id,
enum { COMP_LIST(COMP_ENUM) COMP_N };
#define STEP_ENUM(id, name, mixed, desc) STEP_##id,
enum { STEP_LIST(STEP_ENUM) STEP_N };
#undef COMP_ENUM
#undef STEP_ENUM

/* The mixing weights, in table order: F_<ID> is the first of component
 * ID's (for a component without weights, the next one's), NFEAT counts
 * them all. A context's three are F_CTX(k, part), k its context index
 * (model_internal.h: the n-gram orders, then the skip contexts, as the
 * table lists them). */
#define COMP_WEIGHTS(id, name, group, weights, used, desc) F_##id, F_##id##_END = F_##id + (weights) - 1,
enum { COMP_LIST(COMP_WEIGHTS) NFEAT };
#undef COMP_WEIGHTS
enum { CTX_COUNT, CTX_CONF, CTX_REC, CTX_WEIGHTS };
#define F_CTX(k, part) (F_NG1 + CTX_WEIGHTS * (k) + (part))
_Static_assert(F_SKIP4 + CTX_WEIGHTS == F_CELLS && F_SKIP2 == F_CTX(COMP_SKIP2 - COMP_NG1, 0),
               "the contexts' rows are contiguous, with three weights each");
_Static_assert(F_NEW_ESC == F_NEW_BIAS + 1 && F_NEW_RATE == F_NEW_ESC + 1, "NEW's features are contiguous");

/* The cost of one token's coding steps, in bits, from the integers given
 * to the range coder: bits[s] as coded; tm[s] what the token model's own
 * probabilities would have cost for the same decisions (before the byte
 * model refined them; equal to bits[s] for a step that is not mixed). */
typedef struct step_costs {
    double bits[STEP_N], tm[STEP_N];
} step_costs;

_Static_assert(COMP_N <= SMIX_MAX_COMPONENTS, "raise SMIX_MAX_COMPONENTS");
_Static_assert(STEP_N <= SMIX_MAX_STEPS, "raise SMIX_MAX_STEPS");

#endif
