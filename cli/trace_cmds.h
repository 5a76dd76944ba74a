/*
 * trace_cmds.h - `smix --trace-dump csv|jsonl FILE.smt` and
 * `smix --trace-report [--json] FILE.smt`: turn a trace into rows that
 * pandas, DuckDB or jq read directly, or into a "where the bits went"
 * report (docs/trace-format.md describes both).
 */
#ifndef TRACE_CMDS_H
#define TRACE_CMDS_H

#include <stddef.h>
#include <stdio.h>

/* Returned when the reader of out went away (EPIPE, e.g. `| head`): the
 * caller stops quietly, as after success. */
#define TRACE_CMD_CLOSED 1

/* Writes every token of the trace at trace_path to out, as CSV with a header
 * line (format "csv") or one JSON object per line ("jsonl"). Returns 0,
 * TRACE_CMD_CLOSED, or -1 with a message in err (unreadable/damaged trace,
 * unknown format, write error on out). */
int trace_cmd_dump(const char *trace_path, const char *format, FILE *out,
                   char *err, size_t errlen);

/* Writes the report for humans (json = 0; token text escaped for the
 * terminal) or as one JSON object (json = 1). Returns as above. */
int trace_cmd_report(const char *trace_path, int json, FILE *out,
                     char *err, size_t errlen);

#endif /* TRACE_CMDS_H */
