/*
 * doc.h - the viewer's model of an open trace.
 *
 * Wraps the trace reader (engine/smix_trace.h, the only engine API the TUI
 * uses) and adds what the views need, computed lazily so that opening a
 * trace of any length costs nothing: running bit totals in blocks (filled
 * only up to the furthest token asked about), the top-1% threshold and the
 * reader's report (one scan each, on the first `w`/`s`), and text search
 * over the original bytes.
 */
#ifndef TUI_DOC_H
#define TUI_DOC_H

#include <stddef.h>
#include <stdint.h>
#include "smix_trace.h"

#define DOC_LEVELS 8          /* colour levels of the bits scale */

/* A cell count or an index from a number that came from a trace: NaN gives
 * lo, and nothing outside [lo, hi] reaches the int conversion (converting
 * an out-of-range float to int is undefined behaviour). Every such
 * conversion in the TUI goes through here. */
static inline int doc_clampi(double v, int lo, int hi)
{
    if (!(v >= lo)) return lo;
    if (v >= hi) return hi;
    return (int)v;
}

/* What `w`/`W` need: the cost above which a token is in the top 1%. */
typedef struct doc_stats {
    double top1_threshold;     /* tokens with bits >= this are the top 1% */
    uint64_t top1_count;
} doc_stats;

typedef struct doc doc;

/* Takes ownership of t. name is shown in the status line (escaped there). */
doc *doc_create(smix_trace *t, const char *name);
void doc_free(doc *d);   /* accepts NULL; closes the trace */

uint64_t doc_count(const doc *d);
const char *doc_name(const doc *d);
const smix_trace_summary *doc_summary(const doc *d);
const smix_trace *doc_trace(const doc *d);

/* Token i; on an out-of-range i returns -1 and zeroes out. */
int doc_token(const doc *d, uint64_t i, smix_trace_token *out);
double doc_bits(const doc *d, uint64_t i);   /* 0 if out of range */

/* Sum of bits of tokens [0, i). Fills block sums lazily up to i. */
double doc_bits_before(doc *d, uint64_t i);

/* Top-1% threshold, computed on first call (one scan). */
const doc_stats *doc_get_stats(doc *d);

/* The trace reader's "where the bits went" report (what smix
 * --trace-report prints), computed on first call; NULL if out of memory. */
const smix_trace_report *doc_report(doc *d);

/* Colour level 0..DOC_LEVELS-1 of a token costing bits, and the lower edge
 * in bits of each level (for the legend). */
int doc_level(double bits);
double doc_level_floor(int level);

/* Text of vocabulary id (or "<new>"/"?" if unknown) as raw bytes. */
const uint8_t *doc_vocab(const doc *d, uint32_t id, uint32_t *len);

/* Searches the original text for pat (smart case: case-insensitive unless
 * pat has an upper-case letter). dir > 0 looks for the first match starting
 * in a token after `from`, dir < 0 before it, wrapping around the file.
 * Returns the token where the match starts, or -1 if there is none.
 * *wrapped is set if the search went past an end. */
int64_t doc_search(const doc *d, uint64_t from, const char *pat, int dir, int *wrapped);

/* Next/previous token (after/before from) with bits >= the top-1% threshold,
 * wrapping; -1 if none. */
int64_t doc_next_costly(doc *d, uint64_t from, int dir);

#endif /* TUI_DOC_H */
