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

#endif /* TV_SUMMARY_H */
