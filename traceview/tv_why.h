/*
 * tv_why.h - why a token cost what it cost: the figures and the sentence
 * both viewers show for the selected token.
 *
 * Everything comes from the token's trace record (docs/trace-format.md):
 *
 *   bits = token model + byte model + id + coder, exactly: the token
 *          model's own cost of its decisions (the steps' tm), what the
 *          byte model changed on the mixed steps (bits - tm), a new token's
 *          id (the id tree's own cost: the "id" step, or the tm of
 *          "new_walk" where the id is spelled bit by bit and the byte model
 *          refines it), the range coder's own loss;
 *   token model = -log2 p_rival + lead: when another token was the
 *          favourite, the token's cost is the favourite's plus the bits by
 *          which the favourite led, and the lead splits exactly into the
 *          components' margins (its term in the rival's logit minus its
 *          term in the token's, / ln 2), because both logits are sums of
 *          those terms over the same normaliser.
 *
 * So "which component made this token expensive" has an exact answer
 * within one token: the components with the largest margins for the rival.
 * (What the token would have cost without a component, the counterfactual,
 * needs every competitor's terms; traces written with --trace-saved
 * (format 2.1) carry it, and tv_why shows it when they do: has_saved.)
 *
 * Terms are shown in bits (a component's term c, in nats of logit, is
 * c / ln 2 bits of log-probability), probabilities as percentages.
 */
#ifndef TV_WHY_H
#define TV_WHY_H

#include <stddef.h>
#include <stdint.h>
#include "tv_doc.h"

typedef struct tv_why_comp {
    int index;                 /* the component's number in the trace */
    const char *name, *group, *description;
    double tok_bits;           /* its term in the token's logit, bits */
    double rival_bits;         /* its term in the rival's logit, bits (0 without a rival) */
    double margin_bits;        /* tok_bits - rival_bits: > 0 favoured the token */
    double saved_bits;         /* with has_saved: what the token would cost without this
                                  component, minus what it cost (> 0: the component saved bits) */
} tv_why_comp;

typedef struct tv_why_step {
    const char *name, *description;
    int mixed;                 /* a binary decision the byte model refines */
    double bits;               /* what it cost in the file */
    double tm;                 /* the token model's own cost of it */
} tv_why_step;

typedef struct tv_why {
    smix_trace_token tk;
    char text[64];             /* the token's text, escaped, for a label */
    double bits;               /* the coded cost: the sum of the steps */
    double p_model;            /* the token model's probability of the symbol (NEW for a new token) */
    double p_rival;            /* the rival's, 0 without one */
    int rival;                 /* there is a rival (fav_id is a token or NEW) */
    int token_is_fav;          /* the token was the favourite: the rival is the runner-up */
    char rival_text[64];       /* escaped, quoted ("a new token" for NEW) */
    double model_bits;         /* the token model's cost: sum of tm over the steps before the id */
    double lead_bits;          /* log2(p_rival / p_model) = -(sum of margins) */
    double byte_bits;          /* what the byte model changed: sum of bits - tm (< 0: it saved) */
    double id_bits, coder_bits;
    double id_coded;           /* the bits the id took in the file (the id step, or new_walk) */
    int id_spelled;            /* the id was spelled bit by bit (the new_walk step) */
    uint32_t n_comp;           /* sorted: largest |margin| first, then largest |term| */
    tv_why_comp comp[SMIX_TRACE_MAX_COMP];
    uint32_t n_steps;          /* in the trace's order */
    tv_why_step step[SMIX_TRACE_MAX_STEPS];
    int has_saved;             /* the trace holds "bits without component X" (SMIX_TRACE_SAVED,
                                  format 2.1): then saved_bits is filled, the rows are
                                  sorted by it, both viewers add a "saved" column and the
                                  sentence names the component that saved or cost most */
} tv_why;

/* Fills w for token i. utf8: the screen takes UTF-8 (else texts are
 * ASCII). Returns 0, or -1 if the record cannot be read. */
int tv_why_token(tv_doc *d, uint64_t i, int utf8, tv_why *w);

/* The one-paragraph explanation of w, safe to draw (no control characters;
 * token texts escaped). */
void tv_why_sentence(const tv_why *w, tv_doc *d, char *out, size_t outlen);

/* The lines both viewers show above the component table:
 *   TV_WHY_TITLE  "#3333 ' to'  id 280  off 11806+3  NEW"
 *   TV_WHY_COST   "19.13 bits = token model 19.42 - byte model 0.30 + coder 0.01"
 *   TV_WHY_FINAL  "coded p 1.7e-04%, rank 109 (token model p 1.4e-04%)"
 *   TV_WHY_RIVAL  "expected: '\r' at 99.9%, 19.05 bits ahead"
 *   TV_WHY_SSM    "SSM 2.2% rank 7, entropy 7.99 bits, scale 1.001"
 *   TV_WHY_STEPS  "steps: is_cand 0.64 (model 0.70) cand_walk 9.75 ..."
 *   TV_WHY_ORDER  "longest context seen: order 2, followed by this token 3x" */
enum { TV_WHY_TITLE, TV_WHY_COST, TV_WHY_FINAL, TV_WHY_RIVAL, TV_WHY_SSM, TV_WHY_STEPS, TV_WHY_ORDER,
       TV_WHY_LINES };
void tv_why_line(const tv_why *w, tv_doc *d, int which, char *out, size_t outlen);

/* Formats a probability as a percentage with the precision it needs:
 * "71%", "3.1%", "0.42%", "0.013%", "1.7e-04%". */
char *tv_pct(double p, char *out, size_t outlen);

#endif /* TV_WHY_H */
