/*
 * trace_cmds.h - `smix --trace-dump csv|jsonl FILE.smt` and
 * `smix --trace-report [--json] FILE.smt`: turn a trace into rows that
 * pandas, DuckDB or jq read directly, or into a "where the bits went"
 * report (docs/trace-format.md describes both).
 */
#ifndef TRACE_CMDS_H
#define TRACE_CMDS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Returned when the reader of out went away (EPIPE, e.g. `| head`): the
 * caller stops quietly, as after success. */
#define TRACE_CMD_CLOSED 1

/* The tokens a command covers: numbers first to end - 1 (the numbers the
 * dump's index column and the report show, from 0); end is clipped to the
 * trace's tokens. NULL: every token. */
typedef struct trace_range {
    uint64_t first, end;
} trace_range;

/* Writes the tokens of the trace at trace_path to out, as CSV with a header
 * line (format "csv") or one JSON object per line ("jsonl"). Returns 0,
 * TRACE_CMD_CLOSED, or -1 with a message in err (unreadable/damaged trace,
 * unknown format, a range that starts past the last token, write error on
 * out). */
int trace_cmd_dump(const char *trace_path, const char *format, const trace_range *range, FILE *out,
                   char *err, size_t errlen);

/* Writes the report for humans (json = 0; token text escaped for the
 * terminal) or as one JSON object (json = 1), over the range's tokens.
 * Returns as above. */
int trace_cmd_report(const char *trace_path, int json, const trace_range *range, FILE *out,
                     char *err, size_t errlen);

#endif /* TRACE_CMDS_H */
