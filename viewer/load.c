/*
 * load.c - opening traces, making one from a plain file, per-token series.
 *
 * The viewer reads traces only through smix_trace.h. At load it makes one
 * pass over the tokens to build the pyramids the timeline needs and the
 * statistics that fix the colour scales (99th percentiles, so one freak
 * token does not wash out the page). Everything else is read on demand from
 * the mapped trace, so memory stays small for very long traces.
 *
 * Compare mode lines up two traces of the same input by bytes, not token
 * numbers: two levels may tokenise differently. The bits B spent are spread
 * evenly over the bytes of each B token, and each A token is charged the B
 * bits that fell on its bytes. With equal tokenisations this is exactly B's
 * cost for the same token.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "view.h"

/* First bytes of every .smt file (docs/trace-format.md). */
#define VW_TRACE_MAGIC "SMIXTRC\x1a"
#define VW_HIST_BINS 1024   /* 1/16 bit per bin, 64 bits */

static int has_trace_magic(const char *path)
{
    char m[8] = { 0 };
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t k = fread(m, 1, sizeof m, f);
    fclose(f);
    return k == 8 && memcmp(m, VW_TRACE_MAGIC, 8) == 0;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static uint8_t *read_file(const char *path, size_t *n, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = NULL;
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (!buf || len == cap) {
            uint8_t *nb = realloc(buf, buf ? cap * 2 : cap);
            if (!nb) {
                snprintf(err, errlen, "%s: out of memory", path);
                free(buf);
                fclose(f);
                return NULL;
            }
            if (buf)
                cap *= 2;
            buf = nb;
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (k == 0)
            break;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *n = len;
    return buf;
}

static int discard_write(void *wctx, const void *data, size_t n)
{
    (void)data;
    *(uint64_t *)wctx += n;
    return 0;
}

static int show_progress(void *user, uint64_t done, uint64_t total,
                         uint64_t tokens, double bits)
{
    (void)tokens;
    (void)bits;
    if (*(int *)user && total)
        fprintf(stderr, "\rsmix-view: compressing %3d%%",
                (int)(100.0 * (double)done / (double)total));
    return 0;
}

/* Compresses path with a trace writer attached, writing the trace into
 * out_fd (an unlinked temporary file: nothing to remove, whatever stops
 * the viewer). */
static int make_trace(const char *path, int out_fd, int level, char *err, size_t errlen)
{
    size_t n = 0;
    uint64_t written = 0;
    int tty = isatty(2);
    uint8_t *buf = read_file(path, &n, err, errlen);
    if (!buf)
        return -1;
    smix_params prm = { .level = level };
    smix_cctx *cc = smix_cctx_create(&prm);
    smix_trace_writer *w = cc ? smix_trace_writer_open_fd(out_fd, err, errlen) : NULL;
    if (!cc || !w) {
        if (!cc)
            snprintf(err, errlen, "out of memory creating the compressor");
        smix_cctx_free(cc);
        free(buf);
        return -1;
    }
    smix_hooks chain = { .version = SMIX_HOOKS_VERSION, .user = &tty,
                         .progress = show_progress };
    smix_hooks hooks;
    smix_trace_writer_set_saved(w, 1);   /* the why pane's "saved" column */
    smix_trace_writer_hooks(w, &hooks, &chain);
    smix_result r = smix_compress(cc, buf, n, discard_write, &written, &hooks);
    if (tty)
        fprintf(stderr, "\r%40s\r", "");
    smix_cctx_free(cc);
    free(buf);
    if (r != SMIX_OK) {
        smix_trace_writer_abort(w);
        snprintf(err, errlen, "compressing %s: %s", path, smix_strerror(r));
        return -1;
    }
    return smix_trace_writer_finish(w, err, errlen);
}

int vw_load_open(vw_state *st, vw_trace *tr, const char *path, char *err, size_t errlen)
{
    char terr[256] = "";
    smix_trace *t;
    memset(tr, 0, sizeof *tr);
    tr->name = path;
    t = smix_trace_open_ex(path, SMIX_TRACE_OPEN_LAZY, terr, sizeof terr);
    if (!t && (ends_with(path, ".smt") || has_trace_magic(path) || access(path, R_OK) != 0)) {
        if (strncmp(terr, path, strlen(path)) == 0)
            snprintf(err, errlen, "%s", terr);      /* the reader named the file */
        else
            snprintf(err, errlen, "%s: %s", path, terr);
        return -1;
    }
    if (!t) {
        /* not a trace: compress it into a temporary one */
        int fd = smix_trace_temp_fd(err, errlen);
        if (fd < 0)
            return -1;
        if (make_trace(path, fd, st->level, err, errlen) == 0)
            t = smix_trace_open_fd(fd, "the temporary trace", SMIX_TRACE_OPEN_LAZY, err, errlen);
        close(fd);
        if (!t)
            return -1;
    }
    tr->d = tv_doc_create(t, path);
    if (!tr->d) {
        smix_trace_close(t);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    tr->t = tv_doc_trace(tr->d);
    smix_trace_get_summary(tr->t, &tr->sum);
    tr->n = smix_trace_count(tr->t);
    /* The full record check costs about a second per million tokens: do it
     * now for ordinary traces (and always for screenshots, which scripts
     * rely on), in the background for huge ones so the window opens fast. */
    if (tv_doc_verify(tr->d, st->sync_verify ? UINT64_MAX : tv_doc_verify_max(VW_SYNC_VERIFY_MAX), terr,
                      sizeof terr) != 0) {
        snprintf(err, errlen, "%s: %s", path, terr);
        return -1;
    }
    return 0;
}

static void close_trace(vw_trace *tr)
{
    tv_doc_free(tr->d);   /* leaves a running verifier to the process */
    tr->d = NULL;
    tr->t = NULL;
}

float vw_bits_a(const vw_state *st, uint64_t i)
{
    smix_trace_token tk;
    if (st->bits_a && i < st->a.n)
        return st->bits_a[i];
    if (smix_trace_get_token(st->a.t, i, &tk) != 0)
        return 0.0f;
    return (float)tk.bits;
}

/* Bits B spent on the bytes [off, off+len), B's bits spread evenly over each
 * B token's bytes. */
static double b_bits_on_span(const vw_state *st, uint64_t off, uint64_t len)
{
    double sum = 0.0;
    uint64_t end = off + len;
    smix_trace_token tb;
    uint64_t j = smix_trace_token_at_offset(st->b.t, off);
    for (; j < st->b.n; j++) {
        if (smix_trace_get_token(st->b.t, j, &tb) != 0)
            break;
        if (tb.offset >= end && len > 0)
            break;
        uint64_t bend = tb.offset + tb.length;
        uint64_t lo = tb.offset > off ? tb.offset : off;
        uint64_t hi = bend < end ? bend : end;
        if (hi > lo && tb.length)
            sum += tb.bits * (double)(hi - lo) / (double)tb.length;
        if (bend >= end)
            break;
    }
    return sum;
}

float vw_bits_b_on_a(const vw_state *st, uint64_t i)
{
    smix_trace_token tk;
    if (st->bits_a && st->bits_d && i < st->a.n)
        return st->bits_a[i] + st->bits_d[i];
    if (!st->b.t || smix_trace_get_token(st->a.t, i, &tk) != 0)
        return 0.0f;
    return (float)b_bits_on_span(st, tk.offset, tk.length);
}

static float diff_raw(const void *ctx, uint64_t i)
{
    const vw_state *st = ctx;
    if (st->bits_d && i < st->a.n)
        return st->bits_d[i];
    return vw_bits_b_on_a(st, i) - vw_bits_a(st, i);
}

static float bits_raw(const void *ctx, uint64_t i)
{
    return vw_bits_a(ctx, i);
}

uint64_t vw_bytes_upto(const vw_state *st, uint64_t i)
{
    smix_trace_token tk;
    if (smix_trace_get_token(st->a.t, i, &tk) != 0)
        return st->a.sum.input_bytes;
    return tk.offset + tk.length;
}

static void hist_add(uint64_t *h, double v)
{
    h[vw_clampi(fabs(v) * 16.0, 0, VW_HIST_BINS - 1)]++;
}

/* Lower edge (bits) of the bin holding quantile q. */
static double hist_quantile(const uint64_t *h, uint64_t n, double q)
{
    uint64_t want = (uint64_t)(q * (double)n), acc = 0;
    for (int b = 0; b < VW_HIST_BINS; b++) {
        acc += h[b];
        if (acc > want)
            return b / 16.0;
    }
    return (VW_HIST_BINS - 1) / 16.0;
}

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* One pass over A (and B by bytes): pyramids and histograms. */
static int scan(vw_state *st, uint64_t *ha, uint64_t *hd, char *err, size_t errlen)
{
    smix_trace_token tk;
    for (uint64_t i = 0; i < st->a.n; i++) {
        if (smix_trace_get_token(st->a.t, i, &tk) != 0) {
            snprintf(err, errlen, "%s: cannot read token %llu", st->a.name,
                     (unsigned long long)i);
            return -1;
        }
        float b = (float)tk.bits;
        if (st->bits_a)
            st->bits_a[i] = b;
        vw_pyr_push(&st->pa, i, b);
        hist_add(ha, b);
        if (st->compare) {
            float d = (float)b_bits_on_span(st, tk.offset, tk.length) - b;
            if (st->bits_d)
                st->bits_d[i] = d;
            vw_pyr_push(&st->pd, i, d);
            hist_add(hd, d);
        }
    }
    vw_pyr_finish(&st->pa);
    if (st->compare)
        vw_pyr_finish(&st->pd);
    return 0;
}

static int check_same_input(const vw_state *st, char *err, size_t errlen)
{
    const smix_trace_summary *a = &st->a.sum, *b = &st->b.sum;
    if (a->input_bytes != b->input_bytes || a->checksum != b->checksum) {
        snprintf(err, errlen, "%s and %s are traces of different inputs "
                 "(%llu bytes, crc %08x vs %llu bytes, crc %08x)", st->a.name, st->b.name,
                 (unsigned long long)a->input_bytes, a->checksum,
                 (unsigned long long)b->input_bytes, b->checksum);
        return -1;
    }
    return 0;
}

int vw_load_prepare(vw_state *st, char *err, size_t errlen)
{
    uint64_t *ha = calloc(2 * VW_HIST_BINS, sizeof *ha);
    if (!ha) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    uint64_t *hd = ha + VW_HIST_BINS;
    int rc = -1;
    if (st->compare && check_same_input(st, err, errlen) != 0)
        goto out;
    if (vw_pyr_init(&st->pa, st->a.n, bits_raw, st) != 0 ||
        (st->compare && vw_pyr_init(&st->pd, st->a.n, diff_raw, st) != 0)) {
        snprintf(err, errlen, "out of memory for %llu tokens", (unsigned long long)st->a.n);
        goto out;
    }
    /* Raw series (4 bytes a token) make the ragged ends of plot columns
     * cheap; without the memory we fall back to reading the trace. */
    st->bits_a = malloc(st->a.n ? st->a.n * sizeof(float) : 1);
    st->bits_d = st->compare ? malloc(st->a.n ? st->a.n * sizeof(float) : 1) : NULL;
    if (scan(st, ha, hd, err, errlen) != 0)
        goto out;
    if (st->bits_a)
        tv_doc_set_bits_cache(st->a.d, st->bits_a);
    st->costly = (float)tv_doc_stats(st->a.d)->top1_threshold;
    st->bits_max = (float)tv_scale_anchor(TV_LEVELS);
    st->diff_max = (float)clampd(ceil(hist_quantile(hd, st->a.n, 0.99)), 1.0, 16.0);
    st->diff_top = (float)hist_quantile(hd, st->a.n, 0.99);
    if (st->compare) {
        double c = 0;
        st->cumd_max = 1;
        for (uint64_t i = 0; i < st->a.n; i++) {
            c += diff_raw(st, i);
            if (fabs(c) > st->cumd_max)
                st->cumd_max = fabs(c);
        }
    }
    rc = 0;
out:
    free(ha);
    return rc;
}

void vw_load_free_series(vw_state *st)
{
    if (st->a.d)
        tv_doc_set_bits_cache(st->a.d, NULL);
    if (st->b.d)
        tv_doc_set_bits_cache(st->b.d, NULL);
    vw_pyr_free(&st->pa);
    vw_pyr_free(&st->pd);
    free(st->bits_a);
    free(st->bits_d);
    st->bits_a = st->bits_d = NULL;
}

void vw_load_free(vw_state *st)
{
    vw_load_free_series(st);
    close_trace(&st->a);
    close_trace(&st->b);
}

