/*
 * cli_ops.c - one file through the engine: compress, decompress, test, list.
 *
 * Every operation is a job: prepare (decide and check the output name before
 * any work, so an existing file is refused at once), read the whole input,
 * run the engine with the output streamed into a temporary file, then
 * commit (fsync + rename) and only after that remove the source for --rm.
 * Any failure on the way aborts the job: the temporary output and the
 * temporary trace are removed and one error line names the file.
 */
#define _GNU_SOURCE
#include "cli_ops.h"
#include "cli_io.h"
#include "cli_progress.h"
#include "cli_sig.h"
#include "cli_util.h"
#include "smix.h"
#include "smix_trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SMX_SUFFIX ".smx"
/* --rm after compression decodes the new file again and compares when the
 * input is at most this big; above it, decoding costs as much as coding did
 * and the source goes once the output is fsynced and renamed. */
#define VERIFY_MAX ((size_t)256 * 1024)

typedef struct job {
    const cli_opts *o;
    const char *in;          /* input path, NULL = stdin */
    const char *in_name;     /* for messages */
    char *out_path;          /* NULL = stdout (or nothing for -t) */
    int have_out;            /* an output is produced at all */
    cli_buf src;
    struct stat st;
    cli_out out;
    uint64_t produced;       /* bytes of output (also for -t) */
    smix_trace_writer *tw;
    cli_progress prog;
    smix_hooks hooks;
    cli_err err;
    smix_file_info info;     /* a compressed input's header, once read */
    double t0;
} job;

void cli_report(const char *where, const char *fmt, ...)
{
    char esc[1024], msg[1024], emsg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fflush(stdout);
    fprintf(stderr, "smix: %s: %s\n", cli_escape(where, esc, sizeof esc),
            cli_escape(msg, emsg, sizeof emsg));
}

static int show_progress(const cli_opts *o)
{
    return o->verbosity >= 2 || (o->verbosity == 1 && isatty(STDERR_FILENO));
}

static int ends_with_suffix(const char *path)
{
    size_t n = strlen(path), k = strlen(SMX_SUFFIX);
    return n >= k && strcmp(path + n - k, SMX_SUFFIX) == 0;
}

static void job_init(job *j, const cli_opts *o, const char *path)
{
    memset(j, 0, sizeof *j);
    j->o = o;
    j->in = path;
    j->in_name = path ? path : "stdin";
    j->out.fd = -1;
    j->t0 = cli_now();
}

/* Drops everything not committed: temporary output, temporary trace. */
static void job_abort(job *j)
{
    cli_progress_end(&j->prog);
    cli_out_abort(&j->out);
    cli_sig_hold();
    smix_trace_writer_abort(j->tw);
    cli_sig_set_tempfile(CLI_TEMP_TRACE, NULL);
    cli_sig_release();
    j->tw = NULL;
}

static void job_free(job *j)
{
    job_abort(j);
    cli_buf_free(&j->src);
    free(j->out_path);
}

static int job_fail(job *j)
{
    job_abort(j);
    if (!j->err.msg[0])
        cli_err_set(&j->err, j->in_name, "failed");
    fflush(stdout);
    fprintf(stderr, "smix: %s: %s\n", j->err.where, j->err.msg);
    return 1;
}

/* The memory decoding a frame like info needs, with held bytes of
 * compressed input in memory. */
static uint64_t decode_need(const smix_file_info *info, uint64_t held)
{
    return smix_memory_estimate(&info->config, info->input_bytes) + held;
}

/* What to do about a memory limit depends on the direction: a compressor
 * can choose a lower level, a decoder must do what the file asks. */
static void memlimit_error(job *j)
{
    char need[32], lim[32];
    cli_human_size(j->o->memlimit, lim, sizeof lim);
    if (j->o->mode == CLI_COMPRESS)
        cli_err_set(&j->err, j->in_name, "memory limit exceeded: --memlimit %s is too small "
                    "for this input at this level (raise it or use a lower level)", lim);
    else
        cli_err_set(&j->err, j->in_name, "memory limit exceeded: decoding this file needs about "
                    "%s, more than --memlimit %s (raise --memlimit)",
                    cli_human_size(decode_need(&j->info, S_ISREG(j->st.st_mode) ? (uint64_t)j->st.st_size
                                               : j->src.len), need, sizeof need), lim);
}

/* Turns an engine result into the message the user needs. */
static int engine_error(job *j, smix_result r)
{
    if (r == SMIX_ERR_WRITE && j->out.err_no && j->out.kind != CLI_OUT_NONE) {
        cli_out_flush(&j->out, &j->err);   /* reports the write error itself */
        return -1;
    }
    if (r == SMIX_ERR_ABORTED && cli_sig_pending())
        cli_err_set(&j->err, j->in_name, "interrupted");
    else if (r == SMIX_ERR_MEMLIMIT)
        memlimit_error(j);
    else
        cli_err_set(&j->err, j->in_name, "%s", smix_strerror(r));
    return -1;
}

static int set_out_path(job *j, const char *p)
{
    j->out_path = strdup(p);
    if (!j->out_path) {
        cli_err_set(&j->err, j->in_name, "out of memory");
        return -1;
    }
    return 0;
}

/* Checks a file output and, for a named input, that it is not the input. */
static int check_out_path(job *j)
{
    if (cli_out_check(j->out_path, j->o->force, &j->err) != 0)
        return -1;
    if (j->in && cli_same_file(j->in, j->out_path)) {
        cli_err_set(&j->err, j->in_name, "input and output are the same file");
        return -1;
    }
    return 0;
}

static int check_trace_path(job *j)
{
    if (!j->o->trace_path)
        return 0;
    if (cli_out_check(j->o->trace_path, j->o->force, &j->err) != 0)
        return -1;
    if (j->in && cli_same_file(j->in, j->o->trace_path)) {
        cli_err_set(&j->err, j->in_name, "input and trace are the same file");
        return -1;
    }
    if (j->out_path && cli_same_path(j->out_path, j->o->trace_path)) {
        cli_err_set(&j->err, j->o->trace_path, "the trace and the output are the same file");
        return -1;
    }
    return 0;
}

/* A named input must exist and not be a directory; a device or FIFO has no
 * name to derive an output name from, so it needs -c or -o. */
static int check_input(job *j)
{
    struct stat s;
    if (!j->in)
        return 0;
    if (stat(j->in, &s) != 0) {
        cli_err_set(&j->err, j->in_name, "%s", strerror(errno));
        return -1;
    }
    if (S_ISDIR(s.st_mode)) {
        cli_err_set(&j->err, j->in_name, "is a directory");
        return -1;
    }
    if (!S_ISREG(s.st_mode) && j->o->mode != CLI_TEST && !j->o->to_stdout && !j->o->out_path) {
        cli_err_set(&j->err, j->in_name, "not a regular file; use -c or -o");
        return -1;
    }
    return 0;
}

/* ---------------- reading the input ----------------
 *
 * The whole input is held in memory (the engine codes one buffer), so it
 * counts against --memlimit, and what is too large is refused from its size
 * before it is read, or, for a pipe or a device, as soon as it has become
 * too large. A compressed input is recognised from its first frame's header
 * before the rest of it is read. */

/* The most this version holds in memory for one file. */
#define CLI_MAX_INPUT ((uint64_t)5 << 30)

static uint64_t input_limit(const job *j)
{
    uint64_t ml = j->o->memlimit;
    return ml && ml < CLI_MAX_INPUT ? ml : CLI_MAX_INPUT;
}

/* The input has size bytes (known) or more than the limit (not known). */
static int too_large(job *j, uint64_t size, int known)
{
    char a[32], b[32];
    uint64_t ml = j->o->memlimit;
    if (!ml || ml >= CLI_MAX_INPUT)
        cli_err_set(&j->err, j->in_name, "input too large: this version holds a file in memory, "
                    "at most %s", cli_human_size(CLI_MAX_INPUT, b, sizeof b));
    else if (known)
        cli_err_set(&j->err, j->in_name, "memory limit exceeded: the input (%s) is held in "
                    "memory and is larger than --memlimit %s", cli_human_size(size, a, sizeof a),
                    cli_human_size(ml, b, sizeof b));
    else
        cli_err_set(&j->err, j->in_name, "memory limit exceeded: the input is held in memory "
                    "and is larger than --memlimit %s (stopped reading it there)",
                    cli_human_size(ml, b, sizeof b));
    return -1;
}

/* The first frame's header (in the first bytes read): valid, no longer
 * than the file, and within --memlimit. */
static smix_result check_head(job *j, int known, uint64_t size)
{
    smix_result r = smix_frame_header(j->src.data, j->src.len, &j->info);
    if (r == SMIX_OK && known && size < j->info.compressed_bytes)
        r = SMIX_ERR_TRUNCATED;
    if (r == SMIX_OK && j->o->mode != CLI_LIST && j->o->memlimit &&
        decode_need(&j->info, known ? size : j->info.compressed_bytes) > j->o->memlimit)
        r = SMIX_ERR_MEMLIMIT;
    return r;
}

/* Reads the input into j->src; a compressed one (-d, -t, -l) is checked
 * from its first bytes before the rest is read. */
static int read_input(job *j, int compressed)
{
    cli_in in;
    uint64_t size = 0, limit = input_limit(j);
    if (cli_in_open(&in, j->in, &j->err) != 0)
        return -1;
    j->st = in.st;
    int known = cli_in_size(&in, &size), rc = 0;
    if (known && size > limit)
        rc = too_large(j, size, 1);
    if (!rc && compressed && (rc = cli_in_read(&in, &j->src, SMIX_FRAME_HEADER_MAX, limit, &j->err)) == 0) {
        smix_result r = check_head(j, known, size);
        if (r != SMIX_OK)
            rc = engine_error(j, r);
    }
    if (!rc)
        rc = cli_in_read(&in, &j->src, known ? size + 1 : UINT64_MAX, limit, &j->err);
    cli_in_close(&in);
    return rc > 0 ? too_large(j, j->src.len, 0) : rc;
}

static int read_src(job *j)
{
    return read_input(j, 0);
}

static int read_frames(job *j)
{
    return read_input(j, 1);
}

/* Sets up j->hooks: progress (which also carries the stop request of a
 * signal), chained behind the trace writer when --trace is given. */
static int start_hooks(job *j, const char *verb)
{
    smix_hooks prog;
    cli_progress_init(&j->prog, show_progress(j->o), verb, j->in_name);
    cli_progress_hooks(&j->prog, &prog);
    if (!j->o->trace_path) {
        j->hooks = prog;
        return 0;
    }
    char msg[512] = "";
    cli_sig_hold();   /* no moment when the trace's file exists unregistered */
    j->tw = smix_trace_writer_open(j->o->trace_path, msg, sizeof msg);
    cli_sig_set_tempfile(CLI_TEMP_TRACE, smix_trace_writer_temp_path(j->tw));
    cli_sig_release();
    if (!j->tw) {
        cli_err_set(&j->err, j->o->trace_path, "%s", msg[0] ? msg : "cannot write the trace");
        return -1;
    }
    smix_trace_writer_set_saved(j->tw, j->o->trace_saved);
    smix_trace_writer_hooks(j->tw, &j->hooks, &prog);
    return 0;
}

static int finish_trace(job *j)
{
    char msg[512] = "";
    if (!j->tw)
        return 0;
    smix_trace_writer *tw = j->tw;
    j->tw = NULL;   /* finish frees it whatever happens */
    cli_sig_hold();   /* renamed (or removed) and unregistered together */
    int rc = smix_trace_writer_finish(tw, msg, sizeof msg);
    cli_sig_set_tempfile(CLI_TEMP_TRACE, NULL);
    cli_sig_release();
    if (rc != 0) {
        cli_err_set(&j->err, j->o->trace_path, "%s", msg[0] ? msg : "cannot write the trace");
        return -1;
    }
    return 0;
}

/* The engine gets what --memlimit leaves once the input is in memory. */
static smix_params job_params(const job *j)
{
    smix_params p;
    memset(&p, 0, sizeof p);
    p.level = j->o->level;
    p.threads = j->o->threads;
    if (j->o->memlimit)
        p.memlimit = j->o->memlimit > j->src.len ? j->o->memlimit - j->src.len : 1;
    p.block_size = j->o->block_size;
    return p;
}

/* The source goes only when the output is a new regular file, already
 * fsynced and renamed into place (and, for small inputs, decoded again). */
static int remove_source(job *j, int out_was_file)
{
    if (!j->o->rm_source || !j->in || !j->have_out)
        return 0;
    if (!out_was_file) {
        char esc[1024];
        if (j->o->verbosity >= 1)
            fprintf(stderr, "smix: %s: kept: the output is not a regular file\n",
                    cli_escape(j->in, esc, sizeof esc));
        return 0;
    }
    if (unlink(j->in) != 0) {
        cli_err_set(&j->err, j->in_name, "cannot remove: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* The trace, the output and (--rm) the source's removal, with the signals
 * held: a signal either stops the job before anything is in place, or is
 * seen once all of it is done (the run then stops before the next file). */
static int commit_all(job *j)
{
    int is_file = j->out.kind == CLI_OUT_TEMP, rc = -1;
    cli_sig_hold();
    if (cli_sig_pending())
        cli_err_set(&j->err, j->in_name, "interrupted");
    else if (finish_trace(j) == 0 &&
             (!j->have_out || cli_out_commit(&j->out, S_ISREG(j->st.st_mode) ? &j->st : NULL,
                                             j->o->force, &j->err) == 0))
        rc = remove_source(j, is_file);
    cli_sig_release();
    return rc;
}

static int want_summary(const cli_opts *o)
{
    return o->verbosity >= 2 || (o->verbosity == 1 && isatty(STDERR_FILENO));
}

static void summary(const job *j, uint64_t from, uint64_t to, uint64_t orig)
{
    char a[32], b[32], esc[1024], oesc[1024];
    if (!want_summary(j->o))
        return;
    cli_group_digits(from, a, sizeof a);
    cli_group_digits(to, b, sizeof b);
    cli_escape(j->in_name, esc, sizeof esc);
    cli_escape(j->out_path ? j->out_path : "stdout", oesc, sizeof oesc);
    double el = cli_now() - j->t0;
    double cbytes = j->o->mode == CLI_COMPRESS ? (double)to : (double)from;
    double bpb = orig ? cbytes * 8.0 / (double)orig : 0.0;
    if (j->o->mode == CLI_TEST)
        fprintf(stderr, "%s: OK (%s bytes, %.3f bpb, %.1f s)\n", esc, b, bpb, el);
    else
        fprintf(stderr, "%s: %s -> %s bytes (%.3f bpb, %.1f s) -> %s\n",
                esc, a, b, bpb, el, oesc);
}

/* ---------------- compression ---------------- */

static int compress_prepare(job *j)
{
    const cli_opts *o = j->o;
    j->have_out = 1;
    if (check_input(j) != 0)
        return -1;
    if (j->in && ends_with_suffix(j->in) && !o->force && !o->to_stdout && !o->out_path) {
        cli_err_set(&j->err, j->in_name, "already has the %s suffix; ignored (use -f to force)",
                    SMX_SUFFIX);
        return -1;
    }
    if (!o->to_stdout && o->out_path) {
        if (set_out_path(j, o->out_path) != 0)
            return -1;
    } else if (!o->to_stdout && j->in) {
        char *p = malloc(strlen(j->in) + sizeof SMX_SUFFIX);
        if (!p) {
            cli_err_set(&j->err, j->in_name, "out of memory");
            return -1;
        }
        sprintf(p, "%s%s", j->in, SMX_SUFFIX);
        j->out_path = p;
    }
    if (!j->out_path && isatty(STDOUT_FILENO) && !o->force) {
        cli_err_set(&j->err, "stdout",
                    "is a terminal; refusing to write compressed data (use -f to force)");
        return -1;
    }
    if (j->out_path && check_out_path(j) != 0)
        return -1;
    return check_trace_path(j);
}

typedef struct cmp_sink {
    const uint8_t *ref;
    size_t len;
    size_t pos;
    int mismatch;
} cmp_sink;

static int cmp_write(void *w, const void *data, size_t n)
{
    cmp_sink *c = w;
    if (n > c->len - c->pos || memcmp(c->ref + c->pos, data, n) != 0) {
        c->mismatch = 1;
        return 1;
    }
    c->pos += n;
    return 0;
}

/* Decodes what reached the temporary file and compares it to the source. */
static int verify_output(job *j)
{
    cli_buf back = {0};
    int rc = -1;
    if (j->out.kind != CLI_OUT_TEMP || j->src.len > VERIFY_MAX)
        return 0;
    if (cli_out_read_back(&j->out, &back, &j->err) != 0)
        return -1;
    smix_params p = job_params(j);
    smix_dctx *d = smix_dctx_create(&p);
    cmp_sink c = {j->src.data, j->src.len, 0, 0};
    smix_hooks h;
    cli_progress_init(&j->prog, show_progress(j->o), "verifying", j->in_name);
    cli_progress_hooks(&j->prog, &h);
    smix_result r = d ? smix_decompress(d, back.data, back.len, cmp_write, &c, &h) : SMIX_ERR_NOMEM;
    if (r == SMIX_OK && !c.mismatch && c.pos == c.len)
        rc = 0;
    else if (c.mismatch || r == SMIX_OK)
        cli_err_set(&j->err, j->in_name, "verification failed: the output does not decode "
                    "to the input; source kept");
    else
        engine_error(j, r);
    smix_dctx_free(d);
    cli_buf_free(&back);
    return rc;
}

static int compress_run(job *j)
{
    smix_params p = job_params(j);
    uint64_t frame = smix_block_size(&p) * SMIX_MAX_BLOCKS;
    if (j->o->trace_path && j->src.len > frame) {
        char a[32];
        cli_err_set(&j->err, j->in_name, "--trace records one frame, at most %s at this block "
                    "size (--block-size=SIZE sets it)", cli_human_size(frame, a, sizeof a));
        return -1;
    }
    if (start_hooks(j, "compressing") != 0 || cli_out_open(&j->out, j->out_path, &j->err) != 0)
        return -1;
    smix_cctx *c = smix_cctx_create(&p);
    if (!c) {
        cli_err_set(&j->err, j->in_name, "%s", smix_strerror(SMIX_ERR_NOMEM));
        return -1;
    }
    smix_result r = smix_compress(c, j->src.data, j->src.len, cli_out_write_fn, &j->out, &j->hooks);
    smix_cctx_free(c);
    cli_progress_end(&j->prog);
    return r == SMIX_OK ? 0 : engine_error(j, r);
}

static int compress_finish(job *j)
{
    uint64_t written = j->out.written;
    if (j->o->rm_source && verify_output(j) != 0)
        return -1;
    cli_progress_end(&j->prog);
    if (commit_all(j) != 0)
        return -1;
    summary(j, j->src.len, written, j->src.len);
    return 0;
}

int cli_compress_one(const cli_opts *o, const char *path)
{
    job j;
    job_init(&j, o, path);
    int rc = compress_prepare(&j) || read_src(&j) || compress_run(&j) || compress_finish(&j);
    if (rc)
        job_fail(&j);
    job_free(&j);
    return rc ? 1 : 0;
}

/* ---------------- decompression and test ---------------- */

static int decompress_prepare(job *j)
{
    const cli_opts *o = j->o;
    if (check_input(j) != 0)
        return -1;
    if (o->mode == CLI_TEST)
        return check_trace_path(j);
    j->have_out = 1;
    if (!o->to_stdout && o->out_path) {
        if (set_out_path(j, o->out_path) != 0)
            return -1;
    } else if (!o->to_stdout && j->in) {
        const char *base = strrchr(j->in, '/');
        base = base ? base + 1 : j->in;
        if (!ends_with_suffix(j->in) || strlen(base) <= strlen(SMX_SUFFIX)) {
            cli_err_set(&j->err, j->in_name, "unknown suffix (expected %s); use -o or -c",
                        SMX_SUFFIX);
            return -1;
        }
        j->out_path = strndup(j->in, strlen(j->in) - strlen(SMX_SUFFIX));
        if (!j->out_path) {
            cli_err_set(&j->err, j->in_name, "out of memory");
            return -1;
        }
    }
    if (j->out_path && check_out_path(j) != 0)
        return -1;
    return check_trace_path(j);
}

static int count_write(void *w, const void *data, size_t n)
{
    (void)data;
    *(uint64_t *)w += n;
    return 0;
}

/* Walks the frames of src[0..n): their number in *frames, the sums of
 * their originals and tokens, the first frame's info in *first. On a
 * damaged frame, *frames is its index. */
static smix_result walk_frames(const uint8_t *src, size_t n, uint64_t *frames, smix_file_info *first,
                               uint64_t *orig, uint64_t *tokens)
{
    smix_file_info info;
    *frames = *orig = *tokens = 0;
    for (size_t at = 0; *frames == 0 || at < n; ++*frames) {
        smix_result r = smix_frame_info(src + at, n - at, &info);
        if (r != SMIX_OK)
            return r;
        if (*frames == 0)
            *first = info;
        *orig += info.input_bytes;
        *tokens += info.tokens;
        at += info.compressed_bytes;
    }
    return SMIX_OK;
}

/* An engine error in frame k (from 0) of a file of `frames` frames (0 if
 * the count is not known): the frame is named when there is more than one. */
static int frame_error(job *j, smix_result r, uint64_t k, uint64_t frames)
{
    if (k == 0 && frames == 1)
        return engine_error(j, r);
    if (r == SMIX_ERR_WRITE || r == SMIX_ERR_ABORTED)
        return engine_error(j, r);
    cli_err_set(&j->err, j->in_name, "frame %llu%s: %s", (unsigned long long)k + 1,
                r == SMIX_ERR_BAD_MAGIC ? " (data after the last frame?)" : "", smix_strerror(r));
    return -1;
}

static int decompress_run(job *j)
{
    smix_file_info info;
    uint64_t frames, orig, tokens;
    smix_result r = walk_frames(j->src.data, j->src.len, &frames, &info, &orig, &tokens);
    if (r != SMIX_OK)   /* refuse before any output file exists */
        return frame_error(j, r, frames, frames + 1);
    if (frames > 1 && j->o->trace_path) {
        cli_err_set(&j->err, j->in_name, "holds %llu frames; --trace records one frame "
                    "(a file made by one smix run of at most 32 blocks)", (unsigned long long)frames);
        return -1;
    }
    if (start_hooks(j, j->o->mode == CLI_TEST ? "testing" : "decompressing") != 0)
        return -1;
    if (j->have_out && cli_out_open(&j->out, j->out_path, &j->err) != 0)
        return -1;
    smix_params p = job_params(j);
    smix_dctx *d = smix_dctx_create(&p);
    if (!d) {
        cli_err_set(&j->err, j->in_name, "%s", smix_strerror(SMIX_ERR_NOMEM));
        return -1;
    }
    if (j->have_out)
        r = smix_decompress(d, j->src.data, j->src.len, cli_out_write_fn, &j->out, &j->hooks);
    else
        r = smix_decompress(d, j->src.data, j->src.len, count_write, &j->produced, &j->hooks);
    uint64_t failed = smix_dctx_frame(d);
    smix_dctx_free(d);
    cli_progress_end(&j->prog);
    if (j->have_out)
        j->produced = j->out.written;
    return r == SMIX_OK ? 0 : frame_error(j, r, failed, frames);
}

static int decompress_finish(job *j)
{
    if (commit_all(j) != 0)
        return -1;
    summary(j, j->src.len, j->produced, j->produced);
    return 0;
}

int cli_decompress_one(const cli_opts *o, const char *path)
{
    job j;
    job_init(&j, o, path);
    int rc = decompress_prepare(&j) || read_frames(&j) || decompress_run(&j) ||
             decompress_finish(&j);
    if (rc)
        job_fail(&j);
    job_free(&j);
    return rc ? 1 : 0;
}

/* ---------------- list ---------------- */

static void config_summary(const smix_config *c, char *out, size_t outlen)
{
    /* "+s3": three skip contexts; "+b": tokens coded bit by bit with the byte model */
    char blocks[16] = "", skip[8] = "";
    const char *bytes = c->byte_mix ? "+b" : "";
    if (c->blocks > 1) snprintf(blocks, sizeof blocks, " %ub", c->blocks);
    if (c->skip_context) snprintf(skip, sizeof skip, "+s%u", c->skip_context + 1u);
    if (c->ssm_enabled)
        snprintf(out, outlen, "ssm%ux%u o%u%s%s%s", c->n_layers, c->d_model, c->max_order, skip, bytes, blocks);
    else
        snprintf(out, outlen, "ngram o%u%s%s%s", c->max_order, skip, bytes, blocks);
}

static void list_heading(void)
{
    printf("%11s %13s %7s %7s %11s %4s %-16s %-8s  %s\n", "Compressed", "Uncompressed",
           "Ratio", "bpb", "Tokens", "Lvl", "Model", "CRC-32C", "Filename");
}

static void list_row(const char *name, uint64_t comp, uint64_t orig, uint64_t tokens,
                     const smix_file_info *in, uint64_t frames)
{
    char a[32], b[32], t[32], cfg[64], ratio[16], bpb[16], lvl[8], crc[16];
    snprintf(ratio, sizeof ratio, comp ? "%.3f" : "-", comp ? (double)orig / (double)comp : 0.0);
    snprintf(bpb, sizeof bpb, orig ? "%.3f" : "-", orig ? (double)comp * 8.0 / (double)orig : 0.0);
    cfg[0] = lvl[0] = crc[0] = '\0';
    if (in) {
        config_summary(&in->config, cfg, sizeof cfg);
        snprintf(lvl, sizeof lvl, "%u", in->config.level);
        if (frames == 1)
            snprintf(crc, sizeof crc, "%08x", (unsigned)in->checksum);
        else   /* one checksum per frame: -lv lists them */
            snprintf(crc, sizeof crc, "%llu fr", (unsigned long long)frames);
    }
    printf("%11s %13s %7s %7s %11s %4s %-16s %-8s  %s\n", cli_group_digits(comp, a, sizeof a),
           cli_group_digits(orig, b, sizeof b), ratio, bpb, cli_group_digits(tokens, t, sizeof t),
           lvl, cfg, crc, name);
}

static void list_details(const char *name, uint64_t comp, const smix_file_info *in, uint64_t frames)
{
    const smix_config *c = &in->config;
    char a[32], b[32], t[32];
    printf("%s\n", name);
    printf("  format version:  %u\n", (unsigned)in->format_version);
    printf("  compressed:      %s bytes (header %llu)\n", cli_group_digits(comp, a, sizeof a),
           (unsigned long long)in->header_bytes);
    printf("  original:        %s bytes\n", cli_group_digits(in->input_bytes, b, sizeof b));
    if (in->input_bytes && comp)
        printf("  ratio:           %.3f (%.3f bits per byte)\n",
               (double)in->input_bytes / (double)comp, (double)comp * 8.0 / (double)in->input_bytes);
    printf("  tokens:          %s\n", cli_group_digits(in->tokens, t, sizeof t));
    if (in->input_bytes && !in->tokens)
        printf("  stored:          as it is (the model did not make it smaller)\n");
    if (frames == 1)
        printf("  checksum:        CRC-32C %08x\n", (unsigned)in->checksum);
    printf("  level:           %u\n", c->level);
    if (c->ssm_enabled) {
        printf("  model:           SSM, %u layers, d_model %u, d_inner %u, d_state %u, conv %u\n",
               c->n_layers, c->d_model, c->d_inner, c->d_state, c->d_conv);
        if (c->ssm_rows)
            printf("  SSM head:        %u rows (later distinct tokens share one)\n", c->ssm_rows);
        printf("  training:        chunk %u tokens, Adam steps %u/%u/%u%s, lr %.5f, smoothing %.3f\n",
               c->chunk, c->iters_early, c->iters_mid, c->iters_late,
               c->adam_no_momentum ? " (no momentum)" : "", c->lr_milli / 1e5, c->smooth_milli / 1000.0);
    } else {
        printf("  model:           no SSM (n-gram, match and priors only)\n");
    }
    printf("  n-gram orders:   up to %u\n", c->max_order);
    if (c->byte_mix)
        printf("  byte model:      tokens coded bit by bit, 2^%u byte-context counters%s%s\n", c->byte_mix,
               c->byte_records ? ", record contexts" : "",
               c->byte_history ? ", bit histories, a match model" : "");
    if (c->blocks > 1)
        printf("  blocks:          %u%s, each coded by a model of its own\n", c->blocks,
               frames > 1 ? " in the first frame" : "");
    if (c->ngram_budget_mb)
        printf("  n-gram memory:   at most %u MiB (set by --memlimit)\n", c->ngram_budget_mb);
    printf("  vocabulary:      %u tokens\n", (unsigned)c->vocab_size);
}

/* -lv: one paragraph per frame after the first. */
static void list_frames(const uint8_t *src, size_t n, uint64_t frames)
{
    smix_file_info info;
    char a[32], b[32], cfg[64];
    size_t at = 0;
    printf("  frames:          %llu\n", (unsigned long long)frames);
    for (uint64_t k = 0; k < frames && smix_frame_info(src + at, n - at, &info) == SMIX_OK; k++) {
        config_summary(&info.config, cfg, sizeof cfg);
        printf("    frame %-4llu %13s -> %11s bytes  level %u  %-16s CRC-32C %08x\n",
               (unsigned long long)k + 1, cli_group_digits(info.input_bytes, a, sizeof a),
               cli_group_digits(info.compressed_bytes, b, sizeof b), info.config.level, cfg,
               (unsigned)info.checksum);
        at += info.compressed_bytes;
    }
}

int cli_list_one(const cli_opts *o, const char *path, cli_list_totals *tot)
{
    job j;
    char esc[1024];
    smix_file_info info;
    uint64_t frames = 0, orig = 0, tokens = 0;
    job_init(&j, o, path);
    int rc = read_frames(&j);
    smix_result r = SMIX_OK;
    if (rc == 0 && (r = walk_frames(j.src.data, j.src.len, &frames, &info, &orig, &tokens)) != SMIX_OK)
        rc = frame_error(&j, r, frames, frames + 1);
    if (rc) {
        job_fail(&j);
        job_free(&j);
        return 1;
    }
    cli_escape(j.in_name, esc, sizeof esc);
    /* a file of several frames: the totals, with the first frame's model */
    info.input_bytes = orig;
    info.tokens = tokens;
    if (frames > 1)
        info.checksum = 0;
    if (o->verbosity >= 2) {
        if (tot->files > 0)
            putchar('\n');
        list_details(esc, j.src.len, &info, frames);
        if (frames > 1)
            list_frames(j.src.data, j.src.len, frames);
    } else {
        if (tot->files == 0)   /* only once a row follows, like xz -l */
            list_heading();
        list_row(esc, j.src.len, orig, tokens, &info, frames);
    }
    tot->files++;
    tot->compressed += j.src.len;
    tot->original += orig;
    tot->tokens += tokens;
    job_free(&j);
    return 0;
}

void cli_list_footer(const cli_opts *o, const cli_list_totals *tot)
{
    char name[48];
    if (o->verbosity >= 2 || tot->files < 2)
        return;
    snprintf(name, sizeof name, "%llu files", (unsigned long long)tot->files);
    list_row(name, tot->compressed, tot->original, tot->tokens, NULL, 0);
}
