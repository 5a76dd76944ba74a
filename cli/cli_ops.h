/*
 * cli_ops.h - what the smix CLI does to one file: compress, decompress,
 * test, list. smix.c parses arguments into a cli_opts and calls these in
 * turn; every error is reported here, as one "smix: NAME: problem" line.
 */
#ifndef CLI_OPS_H
#define CLI_OPS_H

#include <stdint.h>

enum cli_mode {
    CLI_COMPRESS,
    CLI_DECOMPRESS,
    CLI_TEST,
    CLI_LIST,
    CLI_TRACE_DUMP,
    CLI_TRACE_REPORT
};

typedef struct cli_opts {
    enum cli_mode mode;
    int to_stdout;           /* -c */
    int force;               /* -f */
    int rm_source;           /* --rm */
    int verbosity;           /* 0 -q, 1 default, 2+ -v */
    int level;               /* 0 = library default */
    int threads;             /* 0 = library default (automatic) */
    uint64_t memlimit;       /* 0 = none */
    uint64_t block_size;     /* 0 = the level's */
    const char *out_path;    /* -o */
    const char *trace_path;  /* --trace */
    int trace_saved;         /* --trace-saved */
    const char *dump_format; /* --trace-dump csv|jsonl */
    int json;                /* --trace-report --json */
    int has_range;           /* --range A:B: tokens A to B - 1 */
    uint64_t range_first, range_end;
} cli_opts;

typedef struct cli_list_totals {
    uint64_t files;
    uint64_t compressed;
    uint64_t original;
    uint64_t tokens;
} cli_list_totals;

/* Each returns 0 on success or 1 after reporting the error on stderr.
 * path NULL means stdin (and stdout for the output). */
int cli_compress_one(const cli_opts *o, const char *path);
int cli_decompress_one(const cli_opts *o, const char *path);  /* also -t */
int cli_list_one(const cli_opts *o, const char *path, cli_list_totals *tot);
void cli_list_footer(const cli_opts *o, const cli_list_totals *tot);

/* Reports an error line "smix: WHERE: MSG" (where escaped here). */
void cli_report(const char *where, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* CLI_OPS_H */
