/*
 * tv_doc.h - the viewers' model of an open trace (smix-tui and smix-view).
 *
 * traceview/ is the view model both viewers share: what they show is
 * computed here once and drawn twice, so the two cannot disagree on a token
 * number, a search hit, a cost or a sentence. It is front-end code built
 * only on the engine's public headers (smix.h, smix_trace.h), like the
 * viewers themselves; it is not part of libsmix, whose API stays about
 * compressing and reading traces.
 *
 * tv_doc wraps the trace reader and adds what views need, lazily, so that
 * opening a trace of any length costs nothing: running bit totals in blocks
 * (filled only up to the furthest token asked about), the top-1% threshold
 * and the reader's report (one scan each, on first use), text search over
 * the original bytes, and the check of the token records in a background
 * thread (for traces too long to check before the window opens).
 *
 * Token numbers: a token is named by its record number in the trace,
 * counted from 0 (the `index` column of `smix --trace-dump`, the index of
 * `smix --trace-report`, `--at N` and `:N` in both viewers, `#N` on
 * screen). Not thread-safe: one thread uses a doc (the verifier only reads
 * the trace, which the reader allows).
 */
#ifndef TV_DOC_H
#define TV_DOC_H

#include <stddef.h>
#include <stdint.h>
#include "smix_trace.h"
#include "tv_text.h"

/* A count or an index from a number that came from a trace: NaN gives lo,
 * and nothing outside [lo, hi] reaches the int conversion (converting an
 * out-of-range float to int is undefined behaviour). */
static inline int tv_clampi(double v, int lo, int hi)
{
    if (!(v >= lo)) return lo;
    if (v >= hi) return hi;
    return (int)v;
}

typedef struct tv_doc tv_doc;

/* The level both viewers compress a plain file at (-1..-9 override it):
 * the lowest level with the SSM, so that a first look at smix shows every
 * part of the model (the default level, 3, has no SSM). */
#define TV_PLAIN_LEVEL 4

/* What `w`/`W` need: the cost above which a token is in the top 1%. */
typedef struct tv_stats {
    double top1_threshold;     /* tokens with bits >= this are the top 1% */
    uint64_t top1_count;
} tv_stats;

/* Takes ownership of t (closed by tv_doc_free). name is shown on screen
 * (escaped there). NULL if out of memory (t is then still the caller's). */
tv_doc *tv_doc_create(smix_trace *t, const char *name);
/* Frees d and closes its trace; accepts NULL. A verifier still running is
 * left to finish with the process. */
void tv_doc_free(tv_doc *d);

uint64_t tv_doc_count(const tv_doc *d);
const char *tv_doc_name(const tv_doc *d);
/* The name's last path component. */
const char *tv_doc_basename(const tv_doc *d);
const smix_trace_summary *tv_doc_summary(const tv_doc *d);
const smix_trace *tv_doc_trace(const tv_doc *d);
int tv_doc_has_ssm(const tv_doc *d);

/* Token i; on an out-of-range i or a damaged record (a lazily opened trace
 * checks each record it reads) returns -1 and zeroes out; a damaged record
 * is counted (tv_doc_bad_reads) so that views can say so. */
int tv_doc_token(tv_doc *d, uint64_t i, smix_trace_token *out);
double tv_doc_bits(tv_doc *d, uint64_t i);   /* 0 if out of range or damaged */
uint64_t tv_doc_bad_reads(const tv_doc *d);

/* A float copy of every token's bits (n of them, kept by the caller for
 * d's lifetime): search for costly tokens and the top-1% scan then read it
 * instead of the records. Optional (smix-view has one). */
void tv_doc_set_bits_cache(tv_doc *d, const float *bits);

/* Sum of bits of tokens [0, i). Fills block sums lazily up to i. */
double tv_doc_bits_before(tv_doc *d, uint64_t i);
/* Bits of tokens [0, i] over the bytes up to the end of token i: the
 * bits per byte "so far" that both status lines show. */
double tv_doc_bpb_upto(tv_doc *d, uint64_t i);

/* Top-1% threshold, computed on first call (one scan). */
const tv_stats *tv_doc_stats(tv_doc *d);
/* The reader's "where the bits went" report (what smix --trace-report
 * prints), computed on first call; NULL if out of memory or damaged. */
const smix_trace_report *tv_doc_report(tv_doc *d);

/* Text of vocabulary id as raw bytes: "<NEW>" for SMIX_TOKEN_NEW, "?" if
 * the trace has none. */
const uint8_t *tv_doc_vocab(const tv_doc *d, uint32_t id, uint32_t *len);

/* tv_text's byte source over the doc's tokens (ctx is the doc). */
int tv_doc_bytes(void *ctx, uint64_t tok, const uint8_t **b, uint32_t *n);

/* Searches the original text for pat (smart case: case-insensitive unless
 * pat has an upper-case letter; ASCII letters only). dir > 0 looks for the
 * first match starting in a token after `from`, dir < 0 before it,
 * wrapping around the file. Returns the token where the match starts, or
 * -1 if there is none. *wrapped is set if the search went past an end. */
int64_t tv_doc_search(tv_doc *d, uint64_t from, const char *pat, int dir, int *wrapped);

/* Next/previous token (after/before from) with bits >= the top-1%
 * threshold, wrapping; -1 if none. */
int64_t tv_doc_next_costly(tv_doc *d, uint64_t from, int dir);

/* Parses a jump target: "123" token number (0-based, as everywhere),
 * "@4567" or "4567b" byte offset (the token covering it), "50%" a share of
 * the file. Returns 0 and the token (clipped to the trace), or -1. */
int tv_doc_parse_jump(tv_doc *d, const char *s, uint64_t *tok);

/* ---- the check of the token records ---- */

enum { TV_VERIFY_PENDING = 0, TV_VERIFY_OK = 1, TV_VERIFY_DAMAGED = 2 };

/* Checks every record of the trace (smix_trace_verify): at once if it has
 * at most sync_max tokens (then returns -1 with the message in err if it is
 * damaged: open nothing damaged), else in a background thread that the
 * views poll with tv_doc_verify_state. Returns 0, or -1. */
int tv_doc_verify(tv_doc *d, uint64_t sync_max, char *err, size_t errlen);
/* The sync_max to use: dflt, or the value of $SMIX_VIEW_VERIFY_MAX (a
 * number of tokens; for tests, which need the background check on small
 * traces). */
uint64_t tv_doc_verify_max(uint64_t dflt);
/* TV_VERIFY_*; safe to call while the verifier runs. */
int tv_doc_verify_state(const tv_doc *d);
/* The reader's message when the state is TV_VERIFY_DAMAGED, else "". */
const char *tv_doc_verify_msg(const tv_doc *d);
/* The notice both viewers show while figures cannot be trusted: "" when
 * the trace is intact, else "DAMAGED TRACE: ..." or "checking the trace
 * ..." (the verifier is still running). */
const char *tv_doc_notice(const tv_doc *d, char *buf, size_t len);

#endif /* TV_DOC_H */
