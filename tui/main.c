/*
 * main.c - smix-tui: command line, opening the trace (or tracing a plain
 * file first), and handing over to the event loop.
 *
 *   smix-tui [options] TRACE.smt | FILE
 *
 * A file is taken for a trace when the trace reader accepts it; if the
 * reader says it is "not a smix trace" (wrong magic), it is a plain file and
 * gets compressed to a temporary trace. Any other reader error (a damaged
 * or truncated trace) is reported and the exit status is 1.
 */
#define _GNU_SOURCE
#include "app.h"
#include "compress.h"

#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Traces up to this many tokens are verified in full when opened (about
 * 0.1 s per million, more on a busy machine); larger ones open lazily and every record read is
 * still bounds-checked by the reader. */
#define MAIN_VERIFY_MAX_TOKENS 200000u

typedef struct main_opts {
    app_opts app;
    crt_opts crt;
    int level;
    const char *path;
    char *keys_text;
} main_opts;

/* An error line on stderr: every name and message in it is escaped
 * (smix_text_escape), so no file name or argument reaches the terminal raw. */
static void main__say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void main__say(const char *fmt, ...)
{
    char raw[1024], out[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    size_t n = strlen(raw);
    if (n && raw[n - 1] == '\n') raw[--n] = 0;
    smix_text_escape(raw, n, out, sizeof out);
    fprintf(stderr, "smix-tui: %s\n", out);
}

static void main__usage(FILE *f)
{
    fprintf(f,
        "Usage: smix-tui [OPTION]... TRACE.smt|FILE\n"
        "Step through smix compression token by token. A FILE that is not a trace\n"
        "is compressed to a temporary trace first.\n\n"
        "  -e, --teach            show the explain line (toggle with e)\n"
        "  -b, --separators       draw a separator between tokens (toggle with b)\n"
        "      --mono             no colour (also when NO_COLOR is set)\n"
        "      --color=MODE       auto, truecolor, 256, 8 or mono\n"
        "  -1 .. -9, --level=N    level used when FILE must be compressed first\n"
        "                         (default 4: the lowest level with the SSM)\n"
        "      --keys=KEYS        run these keys first, e.g. 'll/word<Enter>G'\n"
        "      --keys-file=FILE   the same, read from FILE\n"
        "      --dump-screen=OUT  no terminal: run the keys, write the screen as\n"
        "                         text to OUT (- for stdout) and exit\n"
        "      --size=WxH         screen size for --dump-screen (default 80x24)\n"
        "  -h, --help             this help;  -V, --version  the version\n\n"
        "Keys: press ? in the viewer. Exit status 0, or 1 on an error.\n");
}

static int main__color(const char *s)
{
    static const char *const names[] = { "mono", "8", "256", "truecolor" };
    if (strcmp(s, "auto") == 0) return -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -2;
}

static char *main__slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap + 1);
    for (size_t k; b && (k = fread(b + n, 1, cap - n, f)) > 0;) {
        n += k;
        if (n == cap) {
            char *nb = cap < (1u << 24) ? realloc(b, (cap *= 2) + 1) : NULL;
            if (!nb) { free(b); b = NULL; }
            else b = nb;
        }
    }
    fclose(f);
    if (b) b[n] = 0;
    return b;
}

static int main__parse(int argc, char **argv, main_opts *o)
{
    enum { O_MONO = 256, O_COLOR, O_KEYS, O_KEYSFILE, O_DUMP, O_SIZE, O_LEVEL };
    static const struct option lo[] = {
        { "teach", no_argument, 0, 'e' }, { "separators", no_argument, 0, 'b' },
        { "mono", no_argument, 0, O_MONO }, { "color", required_argument, 0, O_COLOR },
        { "colour", required_argument, 0, O_COLOR }, { "keys", required_argument, 0, O_KEYS },
        { "keys-file", required_argument, 0, O_KEYSFILE },
        { "dump-screen", required_argument, 0, O_DUMP }, { "size", required_argument, 0, O_SIZE },
        { "level", required_argument, 0, O_LEVEL }, { "help", no_argument, 0, 'h' },
        { "version", no_argument, 0, 'V' }, { 0, 0, 0, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "ebhV123456789", lo, NULL)) != -1) {
        switch (c) {
        case 'e': o->app.explain = 1; break;
        case 'b': o->app.sep = 1; break;
        case O_MONO: o->crt.force_mode = CRT_MONO; break;
        case O_COLOR:
            o->crt.force_mode = main__color(optarg);
            if (o->crt.force_mode == -2) { main__say("bad --color '%s'\n", optarg); return 1; }
            break;
        case O_KEYS: free(o->keys_text); o->keys_text = strdup(optarg); break;
        case O_KEYSFILE:
            free(o->keys_text);
            o->keys_text = main__slurp(optarg);
            if (!o->keys_text) { main__say("cannot read %s\n", optarg); return 1; }
            break;
        case O_DUMP: o->app.dump = optarg; o->crt.headless = 1; break;
        case O_SIZE:
            if (sscanf(optarg, "%dx%d", &o->crt.width, &o->crt.height) != 2 || o->crt.width < 10
                || o->crt.height < 3 || o->crt.width > 4000 || o->crt.height > 4000) {
                main__say("bad --size '%s' (want WxH, e.g. 100x30)\n", optarg);
                return 1;
            }
            break;
        case O_LEVEL: o->level = atoi(optarg); break;
        case 'h': main__usage(stdout); exit(0);
        case 'V': printf("smix-tui %s\n", SMIX_VERSION_STRING); exit(0);
        default:
            if (c >= '1' && c <= '9') { o->level = c - '0'; break; }
            main__usage(stderr);
            return 1;
        }
    }
    if (optind != argc - 1) { main__usage(stderr); return 1; }
    o->path = argv[optind];
    return 0;
}

/* Opens path as a trace, or traces it first if it is not one. */
static smix_trace *main__open(const main_opts *o, char *err, size_t errlen)
{
    smix_trace *t = smix_trace_open_ex(o->path, SMIX_TRACE_OPEN_LAZY, err, errlen);
    if (!t && (strstr(err, "not a smix trace") || strstr(err, "not a trace")))
        return compress_to_trace(o->path, o->level, err, errlen);
    return t;
}

/* The check of every record: at once for an ordinary trace (a damaged one
 * is refused), in the background for a long one (the screen says so, and
 * says DAMAGED TRACE if it fails). */
static tv_doc *main__doc(const main_opts *o, smix_trace *t, char *err, size_t errlen)
{
    tv_doc *d = tv_doc_create(t, o->path);
    if (!d) {
        smix_trace_close(t);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (tv_doc_verify(d, o->app.dump ? UINT64_MAX : tv_doc_verify_max(MAIN_VERIFY_MAX_TOKENS), err, errlen) != 0) {
        tv_doc_free(d);
        return NULL;
    }
    return d;
}

int main(int argc, char **argv)
{
    main_opts o;
    char err[512] = "";
    memset(&o, 0, sizeof o);
    o.level = TV_PLAIN_LEVEL;
    o.crt.force_mode = -1;
    if (smix_guard_stdio() != 0) return 1;
    setlocale(LC_ALL, "");
    if (main__parse(argc, argv, &o) != 0) return 1;
    tv_key *keys = NULL;
    if (o.keys_text && tv_keys_parse(o.keys_text, &keys, &o.app.nkeys, err, sizeof err) != 0) {
        main__say("%s\n", err);
        return 1;
    }
    o.app.keys = keys;
    smix_trace *t = main__open(&o, err, sizeof err);
    if (!t) {
        main__say("%s\n", err);
        return 1;
    }
    tv_doc *d = main__doc(&o, t, err, sizeof err);
    crt *c = d ? crt_open(&o.crt, err, sizeof err) : NULL;
    int rc = 1;
    if (!d || !c) main__say("%s\n", err);
    else rc = app_run(c, d, &o.app);
    crt_close(c);
    tv_doc_free(d);
    free(keys);
    free(o.keys_text);
    return rc;
}
