/*
 * tv_colour.h - what the colour of a token in the text means: the
 * colourings both viewers cycle with `c`.
 *
 *   bits           the coded cost, on the fixed scale of tv_scale.h
 *   SSM rank       GLTR-style: the SSM's rank of the token, 1, <=10, <=100,
 *                  <=1000, worse (n/a: a new token, or no SSM at the level)
 *   final rank     the same buckets for the rank after mixing (rank_final)
 *   NEW / seen     a token's first occurrence against the others
 *   top component  the component that saved the token most bits (traces
 *                  with bits saved), else the one that favoured it most
 *                  over its rival; the seven that do so most often in the
 *                  file get their own colour, the rest share the eighth
 *   vs SSM alone   what mixing changed against the SSM alone:
 *                  -log2 p_ssm - bits, from "saved 4+ bits" to "lost 4+"
 *                  (n/a: a new token, or no SSM)
 *
 * Each colouring gives a token a level 0..TV_LEVELS-1 of the bits scale's
 * colours (tv_scale_level_rgb; the terminal's eight levels), or -1 for
 * n/a, drawn without a colour; a legend row per level says what it
 * means. Both viewers draw the same level for the same token, so a colour
 * means the same in both (the window draws bits on the continuous ramp).
 */
#ifndef TV_COLOUR_H
#define TV_COLOUR_H

#include <stddef.h>
#include "tv_doc.h"
#include "tv_scale.h"

enum { TV_COL_BITS, TV_COL_SSM_RANK, TV_COL_RANK, TV_COL_NEW, TV_COL_COMP, TV_COL_VS_SSM, TV_COL_COUNT };

typedef struct tv_colour {
    int mode;                  /* TV_COL_* */
    int saved;                 /* the trace has bits saved (top component by them) */
    int n_top;                 /* TV_COL_COMP: components with their own level */
    int top[TV_LEVELS];        /* their indices, level k = top[k]; the rest: level n_top */
    int top_ready;
} tv_colour;

/* Starts at bits. */
void tv_colour_init(tv_colour *c, tv_doc *d);
/* The next colouring (wraps); its top components are found on first use
 * (one pass over the trace). */
void tv_colour_next(tv_colour *c, tv_doc *d);
/* "bits", "SSM rank", "final rank", "NEW / seen", "top component", "vs SSM alone". */
const char *tv_colour_name(int mode);

/* The level of token i, or -1 for n/a (and for an unreadable record). */
int tv_colour_level(const tv_colour *c, tv_doc *d, uint64_t i);

/* Legend row k: its label ("<=10", "ppm", "saved 2-4") in out, and its
 * level; -1 past the last row. */
int tv_colour_legend(const tv_colour *c, tv_doc *d, int k, char *out, size_t len);

/* The same for a narrow legend: shorter labels where they exist (vs SSM
 * alone: each level's lower bound in bits saved, "+4" "+2" "+.5" "+0"
 * "-.5" "-2" "-4" "<-4"), and the colouring's short name ("top",
 * "saved vs SSM >="). */
int tv_colour_legend_short(const tv_colour *c, tv_doc *d, int k, char *out, size_t len);
const char *tv_colour_short_name(int mode);

/* The legend's label for token i ("<=10", "n/a"): what its colour says,
 * which both legends show after the colouring's name ("here: <=10"). */
void tv_colour_here(const tv_colour *c, tv_doc *d, uint64_t i, char *out, size_t len);

#endif /* TV_COLOUR_H */
