/*
 * explain.h - one plain sentence about why a token cost what it cost.
 *
 * Built only from the trace record: which component raised or lowered the
 * actual token the most, what the SSM alone gave it, and what mixing made of
 * it. Meant for students (`--teach`), so it names models in words ("the
 * 4-gram context", "an earlier repeat of this text") and compares bits.
 */
#ifndef TUI_EXPLAIN_H
#define TUI_EXPLAIN_H

#include <stddef.h>
#include "smix_trace.h"

/* Writes the sentence for token tk (with its top-k, may be NULL) to out.
 * Token text is escaped; out is safe to draw. utf8: terminal locale. */
void explain_token(const smix_trace_token *tk, const smix_trace_topk *top,
                   const smix_trace *t, int utf8, char *out, size_t outlen);

/* Formats a probability as a short percentage ("71%", "3.1%", "0.042%"). */
char *explain_pct(double p, char *out, size_t outlen);

#endif /* TUI_EXPLAIN_H */
