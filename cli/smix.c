/*
 * smix.c - the `smix` command: argument parsing and the loop over files.
 *
 * It behaves like zstd and xz: `smix FILE` writes FILE.smx and keeps FILE,
 * -d undoes it, -c/-o choose the output, no FILE (or -) means a filter from
 * stdin to stdout. The work on one file lives in cli_ops.c; file handling
 * in cli_io.c. Exit status: 0 if every file succeeded, 1 if any failed,
 * 128+N when stopped by signal N.
 */
#define _GNU_SOURCE
#include "cli_ops.h"
#include "cli_sig.h"
#include "cli_util.h"
#include "smix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace_cmds.h"

#define MAX_THREADS 256

#ifdef SMIX_PORTABLE
#define SMIX_BUILD_KIND ", portable build"
#else
#define SMIX_BUILD_KIND ""
#endif

typedef struct cli_args {
    cli_opts o;
    char **files;
    int nfiles;
    int help;
    int version;
} cli_args;

enum {
    OPT_RM = 256, OPT_TRACE, OPT_DUMP, OPT_REPORT, OPT_JSON, OPT_FAST, OPT_BEST, OPT_BLOCK, OPT_SAVED, OPT_RANGE
};

typedef struct long_opt {
    const char *name;
    int has_arg;
    int id;
} long_opt;

static const long_opt long_opts[] = {
    {"compress", 0, 'z'},   {"decompress", 0, 'd'},   {"uncompress", 0, 'd'},
    {"test", 0, 't'},       {"list", 0, 'l'},         {"stdout", 0, 'c'},
    {"to-stdout", 0, 'c'},  {"output", 1, 'o'},       {"force", 0, 'f'},
    {"keep", 0, 'k'},       {"rm", 0, OPT_RM},        {"verbose", 0, 'v'},
    {"quiet", 0, 'q'},      {"help", 0, 'h'},         {"version", 0, 'V'},
    {"threads", 1, 'T'},    {"memlimit", 1, 'M'},     {"trace", 1, OPT_TRACE},
    {"trace-dump", 1, OPT_DUMP}, {"trace-report", 0, OPT_REPORT},
    {"json", 0, OPT_JSON},  {"fast", 0, OPT_FAST},    {"best", 0, OPT_BEST},
    {"block-size", 1, OPT_BLOCK}, {"trace-saved", 0, OPT_SAVED}, {"range", 1, OPT_RANGE},
};

static void usage(FILE *f)
{
    fputs(
"Usage: smix [OPTION]... [FILE]...\n"
"Compress or decompress FILEs with smix (an online-trained neural model and a\n"
"range coder). With no FILE, or when FILE is -, read stdin and write stdout.\n"
"\n"
"Operation:\n"
"  -z, --compress         compress (the default)\n"
"  -d, --decompress       decompress FILE.smx to FILE\n"
"  -t, --test             test the integrity of compressed files\n"
"  -l, --list             list sizes, ratio, model and checksum of .smx files\n"
"      --trace-dump FMT TRACE...     print a trace as csv or jsonl\n"
"      --trace-report [--json] TRACE...  summarise a trace\n"
"      --range=A:B        dump or report tokens A to B-1 only (numbered from 0\n"
"                         as in the dump's index; A: to the end, :B from 0)\n"
"\n"
"Output:\n"
"  -c, --stdout           write to standard output\n"
"  -o, --output=FILE      write to FILE (one input only)\n"
"  -f, --force            overwrite outputs; compress to a terminal\n"
"  -k, --keep             keep input files (the default)\n"
"      --rm               remove each input once its output is complete\n"
"      --trace=FILE.smt   record what the model predicted for every token\n"
"      --trace-saved      in the trace, also the bits each model component saved\n"
"                         every token (exact; tracing costs +25% CPU, not +10%)\n"
"\n"
"Tuning (the output never depends on -T):\n"
"  -1 .. -9               level: 1 fastest, 9 largest model (default 3)\n"
"      --fast, --best     same as -1, -9\n"
"  -T, --threads=N        threads to use (default 0: one per CPU, at most 4);\n"
"                         blocks are coded N at a time\n"
"      --block-size=SIZE  input per block, 16K..64M (default: the level's,\n"
"                         1.5M at -1, 8M at -2, 16M from -3); each block has a\n"
"                         model of its own: larger compress better, smaller\n"
"                         run in parallel sooner\n"
"  -M, --memlimit=SIZE    fail rather than use more memory, the input included\n"
"                         (K, M, G suffixes); when compressing, a limit below\n"
"                         the need caps the n-gram model, which changes the output\n"
"\n"
"Messages:\n"
"  -v, --verbose          progress even when stderr is not a terminal; -lv details\n"
"  -q, --quiet            no progress or summaries\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n"
"\n"
"Exit status: 0 on success, 1 if any file failed, 128+N after signal N.\n", f);
}

static int set_threads(cli_args *a, const char *arg)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < 0 || v > MAX_THREADS) {
        cli_report("--threads", "'%s' is not a thread count (0..%d)", arg, MAX_THREADS);
        return -1;
    }
    a->o.threads = (int)v;   /* 0: the library's automatic choice */
    return 0;
}

static int set_dump_format(cli_args *a, const char *arg)
{
    if (strcmp(arg, "csv") != 0 && strcmp(arg, "jsonl") != 0) {
        cli_report("--trace-dump", "format must be csv or jsonl, not '%s'", arg);
        return -1;
    }
    a->o.mode = CLI_TRACE_DUMP;
    a->o.dump_format = arg;
    return 0;
}

/* A decimal token number: all of s, no sign. */
static int parse_token_number(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0 || n > 19) return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* A:B, A: or :B */
static int set_range(cli_args *a, const char *arg)
{
    const char *colon = strchr(arg, ':');
    uint64_t first = 0, end = UINT64_MAX;
    if (!colon || (colon > arg && parse_token_number(arg, (size_t)(colon - arg), &first)) ||
        (colon[1] && parse_token_number(colon + 1, strlen(colon + 1), &end)) || end <= first) {
        cli_report("--range", "'%s' is not a range of tokens A:B (A < B, numbered from 0; A: or :B)", arg);
        return -1;
    }
    a->o.has_range = 1;
    a->o.range_first = first;
    a->o.range_end = end;
    return 0;
}

static int apply_arg_opt(cli_args *a, int id, const char *arg)
{
    switch (id) {
    case 'o': a->o.out_path = arg; return 0;
    case 'T': return set_threads(a, arg);
    case 'M':
        if (cli_parse_size(arg, &a->o.memlimit) != 0) {
            cli_report("--memlimit", "'%s' is not a size (e.g. 512M, 2G)", arg);
            return -1;
        }
        return 0;
    case OPT_BLOCK:
        if (cli_parse_size(arg, &a->o.block_size) != 0 || a->o.block_size < SMIX_BLOCK_MIN ||
            a->o.block_size > SMIX_BLOCK_MAX) {
            cli_report("--block-size", "'%s' is not a block size (16K..64M)", arg);
            return -1;
        }
        return 0;
    case OPT_TRACE: a->o.trace_path = arg; return 0;
    case OPT_DUMP: return set_dump_format(a, arg);
    case OPT_RANGE: return set_range(a, arg);
    default: return -1;
    }
}

/* Applies one option; arg is its value for options that take one. */
static int apply_opt(cli_args *a, int id, const char *arg)
{
    cli_opts *o = &a->o;
    switch (id) {
    case 'z': o->mode = CLI_COMPRESS; break;
    case 'd': o->mode = CLI_DECOMPRESS; break;
    case 't': o->mode = CLI_TEST; break;
    case 'l': o->mode = CLI_LIST; break;
    case OPT_REPORT: o->mode = CLI_TRACE_REPORT; break;
    case 'c': o->to_stdout = 1; break;
    case 'f': o->force = 1; break;
    case 'k': o->rm_source = 0; break;
    case OPT_RM: o->rm_source = 1; break;
    case 'v': o->verbosity = o->verbosity < 1 ? 2 : o->verbosity + 1; break;
    case 'q': o->verbosity = 0; break;
    case 'h': a->help = 1; break;
    case 'V': a->version = 1; break;
    case OPT_JSON: o->json = 1; break;
    case OPT_SAVED: o->trace_saved = 1; break;
    case OPT_FAST: o->level = SMIX_LEVEL_MIN; break;
    case OPT_BEST: o->level = SMIX_LEVEL_MAX; break;
    default: return apply_arg_opt(a, id, arg);
    }
    return 0;
}

static int parse_long(cli_args *a, int argc, char **argv, int *i)
{
    const char *s = argv[*i] + 2;
    const char *eq = strchr(s, '=');
    size_t n = eq ? (size_t)(eq - s) : strlen(s);
    for (size_t k = 0; k < sizeof long_opts / sizeof long_opts[0]; k++) {
        const long_opt *lo = &long_opts[k];
        if (strlen(lo->name) != n || strncmp(lo->name, s, n) != 0)
            continue;
        const char *arg = NULL;
        if (lo->has_arg) {
            arg = eq ? eq + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
            if (!arg) {
                cli_report(argv[*i], "option needs a value (try --help)");
                return -1;
            }
        } else if (eq) {
            cli_report(argv[*i], "option takes no value");
            return -1;
        }
        return apply_opt(a, lo->id, arg);
    }
    cli_report(argv[*i], "unknown option (try --help)");
    return -1;
}

/* -dcf, -9, -T2, -T 2, -oOUT, -o OUT */
static int parse_short(cli_args *a, int argc, char **argv, int *i)
{
    const char *s = argv[*i] + 1;
    while (*s) {
        char c = *s++;
        if (c >= '0' && c <= '9') {
            char *end;
            long lvl = strtol(s - 1, &end, 10);
            s = end;
            if (lvl < SMIX_LEVEL_MIN || lvl > SMIX_LEVEL_MAX) {
                cli_report(argv[*i], "level must be %d..%d", SMIX_LEVEL_MIN, SMIX_LEVEL_MAX);
                return -1;
            }
            a->o.level = (int)lvl;
        } else if (c == 'o' || c == 'T' || c == 'M') {
            const char *arg = *s ? s : (*i + 1 < argc ? argv[++*i] : NULL);
            if (!arg) {
                cli_report(argv[*i], "option -%c needs a value (try --help)", c);
                return -1;
            }
            return apply_opt(a, c, arg);
        } else if (strchr("zdtlcfkvqhV", c)) {
            apply_opt(a, c, NULL);
        } else {
            char opt[3] = {'-', c, '\0'};
            cli_report(opt, "unknown option (try --help)");
            return -1;
        }
    }
    return 0;
}

static int parse_args(int argc, char **argv, cli_args *a)
{
    int only_files = 0;
    memset(a, 0, sizeof *a);
    a->o.verbosity = 1;
    a->files = calloc((size_t)argc + 1, sizeof *a->files);
    if (!a->files) {
        cli_report("smix", "out of memory");
        return -1;
    }
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int rc = 0;
        if (only_files || s[0] != '-' || s[1] == '\0')
            a->files[a->nfiles++] = argv[i];
        else if (strcmp(s, "--") == 0)
            only_files = 1;
        else if (s[1] == '-')
            rc = parse_long(a, argc, argv, &i);
        else
            rc = parse_short(a, argc, argv, &i);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int count_stdin(const cli_args *a)
{
    int n = 0;
    for (int i = 0; i < a->nfiles; i++)
        n += strcmp(a->files[i], "-") == 0;
    return n;
}

/* Combinations that cannot work, refused before touching any file. */
static int check_args(cli_args *a)
{
    const cli_opts *o = &a->o;
    int coding = o->mode == CLI_COMPRESS || o->mode == CLI_DECOMPRESS;
    if ((o->mode == CLI_TRACE_DUMP || o->mode == CLI_TRACE_REPORT) && a->nfiles == 0) {
        cli_report(o->mode == CLI_TRACE_DUMP ? "--trace-dump" : "--trace-report",
                   "needs a trace file");
        return -1;
    }
    if (a->nfiles == 0)
        a->files[a->nfiles++] = "-";
    if (count_stdin(a) > 1) {
        cli_report("-", "standard input given more than once");
        return -1;
    }
    if (o->to_stdout && o->out_path) {
        cli_report("-o", "cannot be combined with -c");
        return -1;
    }
    if (coding && o->out_path && a->nfiles > 1) {
        cli_report("-o", "only one input file can be written to one output");
        return -1;
    }
    if (o->mode == CLI_COMPRESS && o->to_stdout && a->nfiles > 1) {
        cli_report("-c", "several files cannot be compressed into one stream");
        return -1;
    }
    if (o->trace_path && a->nfiles > 1) {
        cli_report("--trace", "only one input file can be traced at a time");
        return -1;
    }
    if (o->trace_saved && (!o->trace_path || !coding)) {
        cli_report("--trace-saved", "goes with --trace, when compressing or decompressing");
        return -1;
    }
    if (o->has_range && o->mode != CLI_TRACE_DUMP && o->mode != CLI_TRACE_REPORT) {
        cli_report("--range", "goes with --trace-dump or --trace-report");
        return -1;
    }
    return 0;
}

/* stdin on a terminal is a person about to type, not data: refuse like zstd. */
static int stdin_refused(const cli_opts *o, const char *path)
{
    if (path || o->force || !isatty(STDIN_FILENO))
        return 0;
    cli_report("stdin", "is a terminal; refusing to read %s from it (use -f to force)",
               o->mode == CLI_COMPRESS ? "data" : "compressed data");
    return 1;
}

static int run_coding(const cli_args *a)
{
    int failed = 0;
    for (int i = 0; i < a->nfiles && !cli_sig_pending(); i++) {
        const char *path = strcmp(a->files[i], "-") == 0 ? NULL : a->files[i];
        if (stdin_refused(&a->o, path))
            failed = 1;
        else if (a->o.mode == CLI_COMPRESS)
            failed |= cli_compress_one(&a->o, path);
        else
            failed |= cli_decompress_one(&a->o, path);
    }
    return failed;
}

static int run_list(const cli_args *a)
{
    int failed = 0;
    cli_list_totals tot = {0, 0, 0, 0};
    for (int i = 0; i < a->nfiles && !cli_sig_pending(); i++) {
        const char *path = strcmp(a->files[i], "-") == 0 ? NULL : a->files[i];
        failed |= stdin_refused(&a->o, path) || cli_list_one(&a->o, path, &tot);
    }
    cli_list_footer(&a->o, &tot);
    return failed;
}

static int run_trace_cmds(const cli_args *a)
{
    int failed = 0;
    for (int i = 0; i < a->nfiles && !cli_sig_pending(); i++) {
        char err[512] = "";
        trace_range range = { a->o.range_first, a->o.range_end };
        const trace_range *r = a->o.has_range ? &range : NULL;
        int rc = a->o.mode == CLI_TRACE_DUMP
                     ? trace_cmd_dump(a->files[i], a->o.dump_format, r, stdout, err, sizeof err)
                     : trace_cmd_report(a->files[i], a->o.json, r, stdout, err, sizeof err);
        if (rc == TRACE_CMD_CLOSED) {
            /* the reader went away (`| head`): stop quietly, as xz and zstd do;
             * stdout is pointed at /dev/null so that what is still buffered
             * goes nowhere instead of failing again at exit */
            if (!freopen("/dev/null", "w", stdout)) failed = 1;
            break;
        }
        if (rc != 0) {
            /* the trace reader's message starts with the path: said once */
            size_t k = strlen(a->files[i]);
            const char *msg = strncmp(err, a->files[i], k) == 0 && !strncmp(err + k, ": ", 2) ? err + k + 2 : err;
            cli_report(a->files[i], "%s", msg[0] ? msg : "failed");
            failed = 1;
        }
    }
    return failed;
}

static int run(const cli_args *a)
{
    switch (a->o.mode) {
    case CLI_LIST: return run_list(a);
    case CLI_TRACE_DUMP:
    case CLI_TRACE_REPORT: return run_trace_cmds(a);
    default: return run_coding(a);
    }
}

int main(int argc, char **argv)
{
    cli_args a;
    int rc;
    if (smix_guard_stdio() != 0)
        return 1;   /* no descriptor to report on */
    if (parse_args(argc, argv, &a) != 0) {
        free(a.files);
        return 1;
    }
    if (a.help || a.version) {
        if (a.help)
            usage(stdout);
        else
            printf("smix %s (container format %d%s)\n", SMIX_VERSION_STRING,
                   SMIX_FORMAT_VERSION, SMIX_BUILD_KIND);
        free(a.files);
        return fflush(stdout) == 0 ? 0 : 1;
    }
    rc = check_args(&a) != 0 ? 1 : (cli_sig_install(), run(&a));
    free(a.files);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_report("stdout", "write error: %s", strerror(errno));
        rc = 1;
    }
    if (cli_sig_pending())
        return 128 + cli_sig_pending();
    return rc;
}
