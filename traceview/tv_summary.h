/*
 * tv_summary.h - the summary view of both viewers (`s`): what
 * `smix --trace-report` says (sizes, bits, where they went, by coding step,
 * by component, by token type, by stretch of the file, the costliest
 * tokens), a histogram of bits per token and the SSM's training loss as a
 * curve, as a list of rows that each viewer draws its own way.
 *
 * The figures are the trace reader's report (smix_trace_report), computed
 * once per doc; rows say what to draw, not how: a title, a line of text, a
 * bar with its label and figure, or a curve (the loss per chunk).
 */
#ifndef TV_SUMMARY_H
#define TV_SUMMARY_H

#include <stddef.h>
#include "tv_doc.h"

enum { TV_SR_TITLE, TV_SR_TEXT, TV_SR_BAR, TV_SR_CURVE };

#define TV_SR_CURVE_N 96   /* points of a curve */

typedef struct tv_srow {
    int kind;              /* TV_SR_* */
    int column;            /* 0 left, 1 right (beside the left one when the screen is wide) */
    char text[192];        /* the text, or a bar's or curve's label (escaped, safe to draw) */
    char tail[96];         /* a bar's figure, drawn after it */
    double frac;           /* a bar's length in [0, 1]; < 0: drawn as a negative (lowering) bar */
    int n;                 /* a curve's points */
    float v[TV_SR_CURVE_N], lo, hi;   /* a curve's values and their range */
} tv_srow;

/* The summary's rows (a new array in *rows, *n of them; free it). utf8:
 * texts may hold UTF-8 (else ASCII only). Returns 0, or -1 if out of memory
 * or if the report cannot be computed (a damaged trace). */
int tv_summary_rows(tv_doc *d, int utf8, tv_srow **rows, size_t *n);

/* The same over the tokens a..b (inclusive, either order; `v`, the range
 * from the mark to the cursor): its text, tokens, bytes, bits and bpb
 * beside the file's, its share of the file, NEW tokens, then the report's
 * rows over the range (smix_trace_report_range): against the SSM alone
 * and order-0 frequencies, coding steps, each component's bits saved (or
 * margins), token types, histogram and costliest tokens. Returns 0, or -1
 * if out of memory or a record of the range is damaged. */
int tv_summary_range_rows(tv_doc *d, uint64_t a, uint64_t b, int utf8, tv_srow **rows, size_t *n);

/* Writes tokens a..b as CSV in the current directory (one row a token:
 * index, offset, length, token_id, text (escaped, quoted), is_new, type,
 * bits, p_final, rank_final, longest_order, then saved_<component> for
 * each component, or margin_<component> without bits saved), named
 * smix-range-A-B.csv, or -2, -3 ... when that name is taken: an existing
 * file is never touched (the CSV is written to a temporary file, then
 * linked to its name). path gets the name. Returns 0, or -1 with a message
 * in err (nothing is left behind). */
int tv_summary_range_csv(tv_doc *d, uint64_t a, uint64_t b, char *path, size_t pathlen, char *err, size_t errlen);

#endif /* TV_SUMMARY_H */
