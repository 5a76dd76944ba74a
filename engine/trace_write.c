/*
 * trace_write.c - records a per-token trace (.smt) through smix_hooks.
 *
 * Design: the token hook serialises one fixed-size little-endian record
 * (trace_format.h) straight into a 1 MiB buffer that is written out when
 * full, so tracing costs a few hundred nanoseconds per token and no memory
 * that grows with the input. Everything whose size is only known at the end
 * (training chunks, the string table, the header with section positions and
 * checksums) is kept in memory - it is small: one entry per distinct token
 * id - and written by smix_trace_writer_finish, which then fills in the
 * header at offset 0 and renames the temporary file into place.
 *
 * Determinism: the output depends only on the sequence of hook calls (string
 * entries are numbered in order of first reference, no time stamps, no
 * pointers), so the trace written while compressing and the one written while
 * decompressing the same file are byte-identical.
 *
 * Hooks cannot fail, so errors (allocation, write) are sticky and reported
 * by finish.
 */
#define _GNU_SOURCE   /* O_TMPFILE, mkostemp */
#include "smix_trace.h"
#include "container.h"
#include "trace_format.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WBUF_SIZE (1u << 20)
#define NO_BYTES 0xFFFFFFFFu   /* id map value: the id has no known bytes */

/* One string-table entry. next chains further entries of the same id (only
 * if an actual token's bytes differ from what the vocabulary said). */
typedef struct str_entry {
    uint32_t id, len;
    uint64_t off;
    uint32_t next;   /* entry number + 1, 0 = none */
} str_entry;

/* Open-addressing map id -> entry number + 1 (or NO_BYTES); val 0 = empty. */
typedef struct id_map {
    uint32_t *keys, *vals;
    size_t cap, used;
} id_map;

struct smix_trace_writer {
    int fd;
    /* what a record holds, fixed by the configuration of the first begin */
    int have_layout;
    int saved;                       /* record the bits each component saved (SMIX_HOOK_SAVED) */
    uint32_t ncomp, nsteps;          /* components and steps the level uses */
    int comp[SMIX_MAX_COMPONENTS];   /* their engine indices */
    int step[SMIX_MAX_STEPS];
    uint32_t layout[TRC_NLAYOUT];    /* offsets in a record (0: absent) */
    uint32_t rec_size;
    char *path, *tmp;
    uint8_t *buf;
    size_t buf_len;
    uint64_t file_pos;        /* bytes written so far (header placeholder incl.) */
    uint32_t sec_crc;         /* CRC of the current section so far */
    uint64_t n_tokens;
    double total_bits;
    smix_file_info info;
    int have_info;
    uint8_t *chunks;          /* serialised chunk records */
    size_t n_chunks, cap_chunks;
    str_entry *ents;
    size_t n_ents, cap_ents;
    uint8_t *blob;
    size_t blob_len, blob_cap;
    id_map map;
    smix_hooks chain;
    int has_chain;
    smix_trace_vocab_fn vocab;
    void *vocab_ctx;
    int failed;
    char msg[256];
};

static void fail(smix_trace_writer *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fail(smix_trace_writer *w, const char *fmt, ...)
{
    if (w->failed) return;   /* keep the first cause */
    w->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->msg, sizeof w->msg, fmt, ap);
    va_end(ap);
}

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen) snprintf(err, errlen, "%s", msg);
}

static const uint8_t *default_vocab(void *ctx, uint32_t id, uint32_t *len)
{
    (void)ctx;
    return smix_vocab_token(id, len);
}

/* ---------------- buffered output ---------------- */

static void write_all(smix_trace_writer *w, const uint8_t *p, size_t n)
{
    while (n && !w->failed) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            fail(w, "cannot write trace %s: %s", w->tmp, k < 0 ? strerror(errno) : "short write");
            return;
        }
        p += k;
        n -= (size_t)k;
    }
}

static void flush(smix_trace_writer *w)
{
    if (!w->buf_len) return;
    w->sec_crc = crc32c(w->sec_crc, w->buf, w->buf_len);
    write_all(w, w->buf, w->buf_len);
    w->file_pos += w->buf_len;
    w->buf_len = 0;
}

/* Room for n bytes at the end of the buffer (n <= WBUF_SIZE). */
static uint8_t *reserve(smix_trace_writer *w, size_t n)
{
    if (w->buf_len + n > WBUF_SIZE) flush(w);
    uint8_t *p = w->buf + w->buf_len;
    w->buf_len += n;
    return p;
}

static void put_bytes(smix_trace_writer *w, const uint8_t *p, size_t n)
{
    while (n) {
        size_t k = n < WBUF_SIZE ? n : WBUF_SIZE;
        memcpy(reserve(w, k), p, k);
        p += k;
        n -= k;
    }
}

/* ---------------- string table ---------------- */

static int map_grow(id_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    uint32_t *k = calloc(cap, sizeof *k), *v = calloc(cap, sizeof *v);
    if (!k || !v) { free(k); free(v); return -1; }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->vals[i]) continue;
        size_t j = (m->keys[i] * 0x9E3779B1u) & (cap - 1);
        while (v[j]) j = (j + 1) & (cap - 1);
        k[j] = m->keys[i];
        v[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = k;
    m->vals = v;
    m->cap = cap;
    return 0;
}

/* Slot of id (occupied, or the empty slot where it would go). */
static size_t map_slot(const id_map *m, uint32_t id)
{
    size_t j = (id * 0x9E3779B1u) & (m->cap - 1);
    while (m->vals[j] && m->keys[j] != id) j = (j + 1) & (m->cap - 1);
    return j;
}

static int map_put(id_map *m, uint32_t id, uint32_t val)
{
    if ((m->used + 1) * 2 > m->cap && map_grow(m)) return -1;
    size_t j = map_slot(m, id);
    if (!m->vals[j]) m->used++;
    m->keys[j] = id;
    m->vals[j] = val;
    return 0;
}

static uint32_t map_get(const id_map *m, uint32_t id)
{
    return m->cap ? m->vals[map_slot(m, id)] : 0;
}

/* Appends an entry with bytes p[0..n); returns its number or -1. */
static long add_entry(smix_trace_writer *w, uint32_t id, const uint8_t *p, uint32_t n)
{
    if (w->n_ents >= 0xFFFFFFF0u) { fail(w, "trace string table too large"); return -1; }
    if (w->n_ents == w->cap_ents) {
        size_t cap = w->cap_ents ? w->cap_ents * 2 : 1024;
        str_entry *e = realloc(w->ents, cap * sizeof *e);
        if (!e) { fail(w, "out of memory (trace strings)"); return -1; }
        w->ents = e;
        w->cap_ents = cap;
    }
    if (w->blob_len + n > w->blob_cap) {
        size_t cap = w->blob_cap ? w->blob_cap : 1u << 16;
        while (cap < w->blob_len + n) cap *= 2;
        uint8_t *b = realloc(w->blob, cap);
        if (!b) { fail(w, "out of memory (trace strings)"); return -1; }
        w->blob = b;
        w->blob_cap = cap;
    }
    if (n) memcpy(w->blob + w->blob_len, p, n);
    str_entry *e = &w->ents[w->n_ents];
    e->id = id;
    e->len = n;
    e->off = w->blob_len;
    e->next = 0;
    w->blob_len += n;
    return (long)w->n_ents++;
}

/* Entry holding the actual token's bytes: the id's entry if its bytes agree,
 * else a further entry chained to it. Returns the entry number, or
 * 0xFFFFFFFF after a failure. */
static uint32_t intern_actual(smix_trace_writer *w, uint32_t id, const uint8_t *p, uint32_t n)
{
    uint32_t v = map_get(&w->map, id), last = 0;
    if (v && v != NO_BYTES) {
        for (uint32_t e = v; e; e = w->ents[e - 1].next) {
            const str_entry *s = &w->ents[e - 1];
            if (s->len == n && (n == 0 || memcmp(w->blob + s->off, p, n) == 0)) return e - 1;
            last = e;
        }
    }
    long k = add_entry(w, id, p, n);
    if (k < 0) return 0xFFFFFFFFu;
    if (last) w->ents[last - 1].next = (uint32_t)k + 1;
    else if (map_put(&w->map, id, (uint32_t)k + 1)) {
        fail(w, "out of memory (trace strings)");
        return 0xFFFFFFFFu;
    }
    return (uint32_t)k;
}

/* Makes sure a candidate id has an entry if its bytes can be known. */
static void intern_candidate(smix_trace_writer *w, uint32_t id)
{
    if (id == SMIX_TOKEN_NONE || map_get(&w->map, id)) return;
    const uint8_t *p;
    uint32_t n = 0;
    if (id == SMIX_TOKEN_NEW) {
        p = (const uint8_t *)TRC_NEW_TEXT;
        n = (uint32_t)strlen(TRC_NEW_TEXT);
    } else {
        p = w->vocab(w->vocab_ctx, id, &n);
    }
    uint32_t val = NO_BYTES;
    if (p) {
        long k = add_entry(w, id, p, n);
        if (k < 0) return;
        val = (uint32_t)k + 1;
    }
    if (map_put(&w->map, id, val)) fail(w, "out of memory (trace strings)");
}

/* ---------------- record layout ---------------- */

static int has_ssm(const smix_trace_writer *w) { return w->info.config.ssm_enabled != 0; }

/* The components and steps configuration c uses, and where each array
 * sits in a record: after the fixed part, f64 arrays 8-aligned. */
static void set_layout(smix_trace_writer *w, const smix_config *c)
{
    w->ncomp = w->nsteps = 0;
    for (int i = 0; i < smix_component_count() && w->ncomp < SMIX_MAX_COMPONENTS; i++)
        if (smix_component_used(c, i)) w->comp[w->ncomp++] = i;
    for (int i = 0; i < smix_step_count() && w->nsteps < SMIX_MAX_STEPS; i++)
        if (smix_step_used(c, i)) w->step[w->nsteps++] = i;
    uint32_t at = TRC_TOKEN_FIXED;
    w->layout[TRC_L_COMP] = at;
    at += 4 * w->ncomp;
    w->layout[TRC_L_FAV] = at;
    at = (at + 4 * w->ncomp + 7) & ~7u;
    w->layout[TRC_L_STEPS] = at;
    at += 8 * w->nsteps;
    w->layout[TRC_L_TM] = at;
    at += 8 * w->nsteps;
    w->layout[TRC_L_TOPK] = at;
    at += TRC_TOPK_SIZE;
    w->layout[TRC_L_SSMTOPK] = c->ssm_enabled ? at : 0;
    at += c->ssm_enabled ? TRC_TOPK_SIZE : 0;
    w->layout[TRC_L_SAVED] = w->saved ? at : 0;
    at += w->saved ? 4 * w->ncomp : 0;
    w->rec_size = at;
    w->have_layout = 1;
}

/* Whether configuration c gives the records the layout they have. */
static int same_layout(const smix_trace_writer *w, const smix_config *c)
{
    uint32_t nc = 0, ns = 0;
    for (int i = 0; i < smix_component_count(); i++)
        if (smix_component_used(c, i) && (nc >= w->ncomp || w->comp[nc++] != i)) return 0;
    for (int i = 0; i < smix_step_count(); i++)
        if (smix_step_used(c, i) && (ns >= w->nsteps || w->step[ns++] != i)) return 0;
    return nc == w->ncomp && ns == w->nsteps && (c->ssm_enabled != 0) == (w->layout[TRC_L_SSMTOPK] != 0);
}

static void put_topk(uint8_t *p, const uint32_t *id, const float *pr)
{
    for (int k = 0; k < TRC_TOPK; k++) {
        trc_put32(p + 8 * k, id[k]);
        trc_putf(p + 8 * k + 4, pr[k]);
    }
}

/* The arrays: the level's components and steps, the top lists, and if
 * asked for, the bits each component saved. */
static void put_arrays(const smix_trace_writer *w, uint8_t *r, const smix_token_info *t)
{
    for (uint32_t i = 0; i < w->ncomp; i++) {
        trc_putf(r + w->layout[TRC_L_COMP] + 4 * i, t->comp[w->comp[i]]);
        trc_putf(r + w->layout[TRC_L_FAV] + 4 * i, t->fav_comp[w->comp[i]]);
        if (w->saved) trc_putf(r + w->layout[TRC_L_SAVED] + 4 * i, t->saved[w->comp[i]]);
    }
    for (uint32_t i = 0; i < w->nsteps; i++) {
        trc_putd(r + w->layout[TRC_L_STEPS] + 8 * i, t->step_bits[w->step[i]]);
        trc_putd(r + w->layout[TRC_L_TM] + 8 * i, t->step_tm[w->step[i]]);
    }
    put_topk(r + w->layout[TRC_L_TOPK], t->top_id, t->top_p);
    if (w->layout[TRC_L_SSMTOPK]) put_topk(r + w->layout[TRC_L_SSMTOPK], t->ssm_top_id, t->ssm_top_p);
}

/* ---------------- hooks ---------------- */

static void put_record(const smix_trace_writer *w, uint8_t *r, const smix_token_info *t, uint32_t str)
{
    int ssm = has_ssm(w);
    memset(r, 0, w->rec_size);
    trc_put64(r + TRC_T_OFFSET, t->offset);
    trc_put32(r + TRC_T_LENGTH, t->length);
    trc_put32(r + TRC_T_ID, t->token_id);
    trc_put32(r + TRC_T_STR, str);
    r[TRC_T_ISNEW] = t->is_new;
    r[TRC_T_ORDER] = (uint8_t)t->longest_order;
    r[TRC_T_FLAGS] = t->flags & (ssm ? SMIX_TI_SSM | SMIX_TI_FAV : SMIX_TI_FAV);
    trc_put32(r + TRC_T_COUNT, t->longest_count);
    if (ssm) {
        if (t->flags & SMIX_TI_SSM) {
            trc_putf(r + TRC_T_PSSM, t->p_ssm);
            trc_put32(r + TRC_T_RANK, t->rank_ssm);
        }
        trc_putf(r + TRC_T_PSSMNEW, t->p_ssm_new);
        trc_putf(r + TRC_T_ENTROPY, t->entropy);
        trc_putf(r + TRC_T_SCALE, t->scale);
    }
    trc_putd(r + TRC_T_BITS, t->bits);
    trc_putf(r + TRC_T_PFINAL, t->p_final);
    trc_put32(r + TRC_T_RANKFINAL, t->rank_final);
    trc_putd(r + TRC_T_LOGIT, t->logit);
    trc_putd(r + TRC_T_LOGNORM, t->log_norm);
    trc_putd(r + TRC_T_FAVLOGIT, t->fav_logit);
    trc_put32(r + TRC_T_FAVID, t->fav_id);
    put_arrays(w, r, t);
}

static void on_token(void *user, const smix_token_info *t)
{
    smix_trace_writer *w = user;
    if (!w->failed && t->index != w->n_tokens)
        fail(w, "trace: token %llu arrived where %llu was expected",
             (unsigned long long)t->index, (unsigned long long)w->n_tokens);
    if (!w->failed && !t->bytes && t->length)
        fail(w, "trace: token %llu has no bytes", (unsigned long long)t->index);
    if (!w->failed) {
        if (!w->have_layout) set_layout(w, &w->info.config);
        uint32_t str = intern_actual(w, t->token_id, t->bytes, t->length);
        intern_candidate(w, t->fav_id);
        for (int k = 0; k < TRC_TOPK && !w->failed; k++) {
            intern_candidate(w, t->top_id[k]);
            if (has_ssm(w)) intern_candidate(w, t->ssm_top_id[k]);
        }
        if (!w->failed) {
            put_record(w, reserve(w, w->rec_size), t, str);
            w->n_tokens++;
            w->total_bits += t->bits;
        }
    }
    if (w->has_chain && w->chain.token) w->chain.token(w->chain.user, t);
}

static void on_chunk(void *user, const smix_chunk_info *c)
{
    smix_trace_writer *w = user;
    if (!w->failed && w->n_chunks == w->cap_chunks) {
        size_t cap = w->cap_chunks ? w->cap_chunks * 2 : 256;
        uint8_t *p = realloc(w->chunks, cap * TRC_CHUNK_SIZE);
        if (!p) fail(w, "out of memory (trace chunks)");
        else { w->chunks = p; w->cap_chunks = cap; }
    }
    if (!w->failed) {
        uint8_t *r = w->chunks + w->n_chunks++ * TRC_CHUNK_SIZE;
        trc_put64(r, c->chunk_index);
        trc_put64(r + 8, c->first_token);
        trc_put32(r + 16, c->n_tokens);
        trc_put32(r + 20, c->iterations);
        trc_putf(r + 24, c->loss);
        trc_putf(r + 28, c->lr);
    }
    if (w->has_chain && w->chain.chunk) w->chain.chunk(w->chain.user, c);
}

static void on_begin(void *user, const smix_file_info *info)
{
    smix_trace_writer *w = user;
    if (!w->have_info && !w->have_layout) {   /* end's info wins if it comes */
        w->info = *info;
        set_layout(w, &info->config);
    }
    if (w->has_chain && w->chain.begin) w->chain.begin(w->chain.user, info);
}

static void on_end(void *user, const smix_file_info *info)
{
    smix_trace_writer *w = user;
    if (w->have_layout && !same_layout(w, &info->config))
        fail(w, "trace: the configuration changed while coding");
    w->info = *info;
    w->have_info = 1;
    if (w->has_chain && w->chain.end) w->chain.end(w->chain.user, info);
}

static int on_progress(void *user, uint64_t done, uint64_t total, uint64_t toks, double bits)
{
    smix_trace_writer *w = user;
    if (w->has_chain && w->chain.progress)
        return w->chain.progress(w->chain.user, done, total, toks, bits);
    return 0;
}

void smix_trace_writer_hooks(smix_trace_writer *w, smix_hooks *hooks, const smix_hooks *chain)
{
    memset(hooks, 0, sizeof *hooks);
    hooks->version = SMIX_HOOKS_VERSION;
    hooks->user = w;
    hooks->begin = on_begin;
    hooks->token = on_token;
    hooks->chunk = on_chunk;
    hooks->end = on_end;
    hooks->progress = on_progress;
    hooks->flags = (w->saved ? SMIX_HOOK_SAVED : 0u) | (chain ? chain->flags : 0u);
    w->has_chain = chain != NULL;
    if (chain) w->chain = *chain;
}

void smix_trace_writer_set_saved(smix_trace_writer *w, int on)
{
    if (!w->have_layout) w->saved = on != 0;
}

void smix_trace_writer_set_vocab(smix_trace_writer *w, smix_trace_vocab_fn fn, void *ctx)
{
    w->vocab = fn ? fn : default_vocab;
    w->vocab_ctx = fn ? ctx : NULL;
}

/* ---------------- open / finish / abort ---------------- */

static void writer_free(smix_trace_writer *w)
{
    if (w->fd >= 0) close(w->fd);
    free(w->path);
    free(w->tmp);
    free(w->buf);
    free(w->chunks);
    free(w->ents);
    free(w->blob);
    free(w->map.keys);
    free(w->map.vals);
    free(w);
}

/* Creates path.tmp.PID.N exclusively (mode 0666 less umask, like any file). */
static int open_tmp(smix_trace_writer *w, char *err, size_t errlen)
{
    size_t n = strlen(w->path) + 48;
    w->tmp = malloc(n);
    if (!w->tmp) { set_err(err, errlen, "out of memory"); return -1; }
    for (int i = 0; i < 1000; i++) {
        snprintf(w->tmp, n, "%s.tmp.%ld.%d", w->path, (long)getpid(), i);
        w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (w->fd >= 0) return 0;
        if (errno != EEXIST) break;
    }
    if (err && errlen)
        snprintf(err, errlen, "cannot create trace %s: %s", w->tmp, strerror(errno));
    return -1;
}

/* A writer with no file yet; path NULL: it writes into a descriptor. */
static smix_trace_writer *writer_new(const char *path, char *err, size_t errlen)
{
    smix_trace_writer *w = calloc(1, sizeof *w);
    if (!w) { set_err(err, errlen, "out of memory"); return NULL; }
    w->fd = -1;
    w->vocab = default_vocab;
    w->path = path ? strdup(path) : NULL;
    w->tmp = path ? NULL : strdup("the temporary trace");   /* what messages call it */
    w->buf = malloc(WBUF_SIZE);
    if ((path && !w->path) || (!path && !w->tmp) || !w->buf) {
        set_err(err, errlen, "out of memory");
        writer_free(w);
        return NULL;
    }
    return w;
}

/* The header's place, filled in by finish. */
static smix_trace_writer *writer_start(smix_trace_writer *w)
{
    memset(reserve(w, TRC_HEADER_SIZE), 0, TRC_HEADER_SIZE);
    flush(w);
    w->sec_crc = 0;
    return w;
}

smix_trace_writer *smix_trace_writer_open(const char *path, char *err, size_t errlen)
{
    if (!path || !*path) { set_err(err, errlen, "trace: empty path"); return NULL; }
    smix_trace_writer *w = writer_new(path, err, errlen);
    if (!w) return NULL;
    if (open_tmp(w, err, errlen)) { writer_free(w); return NULL; }
    return writer_start(w);
}

smix_trace_writer *smix_trace_writer_open_fd(int fd, char *err, size_t errlen)
{
    smix_trace_writer *w = writer_new(NULL, err, errlen);
    if (!w) return NULL;
    w->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (w->fd < 0 || lseek(w->fd, 0, SEEK_SET) != 0 || ftruncate(w->fd, 0) != 0) {
        if (err && errlen) snprintf(err, errlen, "cannot write the trace: %s", strerror(errno));
        writer_free(w);
        return NULL;
    }
    return writer_start(w);
}

/* An unlinked file: O_TMPFILE where the file system has it, else a named
 * one removed at once, with the signals that could stop the program in
 * between blocked, so that no name is ever left behind. */
int smix_trace_temp_fd(char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
#endif
    size_t n = strlen(dir) + 32;
    char *name = malloc(n);
    if (!name) { set_err(err, errlen, "out of memory"); return -1; }
    snprintf(name, n, "%s/smix-trace-XXXXXX", dir);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int tfd = mkostemp(name, O_CLOEXEC);
    int e = errno;
    if (tfd >= 0) unlink(name);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (tfd < 0 && err && errlen)
        snprintf(err, errlen, "cannot create a temporary file in %s: %s", dir, strerror(e));
    free(name);
    return tfd;
}

typedef struct sec_desc {
    uint64_t offset, count;
    uint32_t elem, crc;
} sec_desc;

/* Flushes the current section and starts the next one at the current end. */
static void sec_close(smix_trace_writer *w, sec_desc *d, uint64_t count, uint32_t elem)
{
    flush(w);
    d->count = count;
    d->elem = elem;
    d->crc = w->sec_crc;
    w->sec_crc = 0;
    (d + 1)->offset = w->file_pos;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void write_strings(smix_trace_writer *w, sec_desc *d)
{
    for (size_t i = 0; i < w->n_ents; i++) {
        uint8_t *r = reserve(w, TRC_STRING_SIZE);
        trc_put32(r, w->ents[i].id);
        trc_put32(r + 4, w->ents[i].len);
        trc_put64(r + 8, w->ents[i].off);
    }
    sec_close(w, &d[TRC_SEC_STRINGS], w->n_ents, TRC_STRING_SIZE);
    /* id index: entry numbers ordered by (id, entry) for binary search */
    uint64_t *keys = malloc((w->n_ents ? w->n_ents : 1) * sizeof *keys);
    if (!keys) { fail(w, "out of memory (trace index)"); return; }
    for (size_t i = 0; i < w->n_ents; i++) keys[i] = (uint64_t)w->ents[i].id << 32 | i;
    qsort(keys, w->n_ents, sizeof *keys, cmp_u64);
    for (size_t i = 0; i < w->n_ents; i++) trc_put32(reserve(w, 4), (uint32_t)keys[i]);
    free(keys);
    sec_close(w, &d[TRC_SEC_IDINDEX], w->n_ents, 4);
    put_bytes(w, w->blob, w->blob_len);
    sec_close(w, &d[TRC_SEC_BLOB], w->blob_len, 1);
}

/* A NUL-padded text field of n bytes (the text is cut to n - 1). */
static void put_text(uint8_t *p, const char *text, size_t n)
{
    size_t len = text ? strlen(text) : 0;
    if (len > n - 1) len = n - 1;
    memset(p, 0, n);
    memcpy(p, text, len);
}

/* The tables of the components and the steps the records hold. */
static void write_tables(smix_trace_writer *w, sec_desc *d)
{
    for (uint32_t i = 0; i < w->ncomp; i++) {
        const smix_component *c = smix_component_get(w->comp[i]);
        uint8_t *r = reserve(w, TRC_COMP_SIZE);
        put_text(r, c->name, TRC_NAME_LEN);
        put_text(r + TRC_NAME_LEN, c->group, TRC_NAME_LEN);
        put_text(r + 2 * TRC_NAME_LEN, c->description, TRC_DESC_LEN);
    }
    sec_close(w, &d[TRC_SEC_COMPS], w->ncomp, TRC_COMP_SIZE);
    for (uint32_t i = 0; i < w->nsteps; i++) {
        const smix_step *st = smix_step_get(w->step[i]);
        uint8_t *r = reserve(w, TRC_STEP_SIZE);
        memset(r, 0, TRC_STEP_SIZE);
        put_text(r, st->name, TRC_NAME_LEN);
        trc_put32(r + TRC_NAME_LEN, st->mixed ? 1u : 0u);
        put_text(r + 2 * TRC_NAME_LEN, st->description, TRC_DESC_LEN);
    }
    sec_close(w, &d[TRC_SEC_STEPS], w->nsteps, TRC_STEP_SIZE);
}

static void build_header(const smix_trace_writer *w, const sec_desc *d, uint8_t *h)
{
    const smix_file_info *f = &w->info;
    const smix_config *c = &f->config;
    memset(h, 0, TRC_HEADER_SIZE);
    memcpy(h, TRC_MAGIC, TRC_MAGIC_LEN);
    trc_put16(h + TRC_H_MAJOR, TRC_MAJOR);
    trc_put16(h + TRC_H_MINOR, TRC_MINOR);
    trc_put32(h + TRC_H_HEADER_SIZE, TRC_HEADER_SIZE);
    trc_put32(h + TRC_H_NSECTIONS, TRC_NSECTIONS);
    trc_put32(h + TRC_H_NCOMP, w->ncomp);
    trc_put32(h + TRC_H_TOPK, TRC_TOPK);
    trc_put32(h + TRC_H_FLAGS, (c->ssm_enabled ? TRC_F_SSM : 0) | (c->byte_mix ? TRC_F_BITS : 0));
    trc_put32(h + TRC_H_NSTEPS, w->nsteps);
    trc_put64(h + TRC_H_INPUT, f->input_bytes);
    trc_put64(h + TRC_H_TOKENS, f->tokens);
    trc_put64(h + TRC_H_HDRBYTES, f->header_bytes);
    trc_put64(h + TRC_H_PAYLOAD, f->payload_bytes);
    trc_put64(h + TRC_H_COMPRESSED, f->compressed_bytes);
    trc_put32(h + TRC_H_FORMATVER, f->format_version);
    trc_put32(h + TRC_H_CHECKSUM, f->checksum);
    uint8_t *p = h + TRC_H_CONFIG;
    const uint8_t u8s[12] = { c->level, c->n_layers, c->d_model, c->d_state, c->d_inner,
                              c->d_conv, c->chunk, c->iters_early, c->iters_mid,
                              c->iters_late, ctr_config_flags(c),
                              c->max_order };
    memcpy(p, u8s, 12);
    trc_put16(p + 12, c->lr_milli);
    trc_put16(p + 14, c->smooth_milli);
    trc_put32(p + 16, c->vocab_size);
    trc_putd(h + TRC_H_TOTALBITS, w->total_bits);
    uint8_t *q2 = h + TRC_H_CONFIG2;
    q2[0] = c->blocks;
    q2[1] = c->byte_mix;
    q2[2] = c->escape_walk;
    q2[3] = c->skip_context;
    trc_put16(q2 + 4, c->ssm_rows);
    trc_put16(q2 + 6, c->ngram_budget_mb);
    for (int i = 0; i < TRC_NLAYOUT; i++) trc_put32(h + TRC_H_LAYOUT + 4 * i, w->layout[i]);
    for (int s = 0; s < TRC_NSECTIONS; s++) {
        uint8_t *q = h + TRC_H_SECTIONS + s * TRC_SECTION_SIZE;
        trc_put64(q, d[s].offset);
        trc_put64(q + 8, d[s].count);
        trc_put32(q + 16, d[s].elem);
        trc_put32(q + 20, d[s].crc);
    }
    trc_put32(h + TRC_HEADER_SIZE - 4, crc32c(0, h, TRC_HEADER_SIZE - 4));
}

static void write_header(smix_trace_writer *w, const sec_desc *d)
{
    uint8_t h[TRC_HEADER_SIZE];
    build_header(w, d, h);
    for (size_t done = 0; done < sizeof h && !w->failed;) {
        ssize_t k = pwrite(w->fd, h + done, sizeof h - done, (off_t)done);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) fail(w, "cannot write trace %s: %s", w->tmp, strerror(errno));
        else done += (size_t)k;
    }
}

int smix_trace_writer_finish(smix_trace_writer *w, char *err, size_t errlen)
{
    if (!w) { set_err(err, errlen, "trace: no writer"); return -1; }
    sec_desc d[TRC_NSECTIONS + 1];
    memset(d, 0, sizeof d);
    d[0].offset = TRC_HEADER_SIZE;
    if (!w->have_layout) set_layout(w, &w->info.config);
    sec_close(w, &d[TRC_SEC_TOKENS], w->n_tokens, w->rec_size);
    put_bytes(w, w->chunks, w->n_chunks * TRC_CHUNK_SIZE);
    sec_close(w, &d[TRC_SEC_CHUNKS], w->n_chunks, TRC_CHUNK_SIZE);
    write_strings(w, d);
    write_tables(w, d);
    write_header(w, d);
    if (!w->failed && close(w->fd) != 0)
        fail(w, "cannot write trace %s: %s", w->tmp, strerror(errno));
    w->fd = -1;
    if (!w->failed && w->path && rename(w->tmp, w->path) != 0)
        fail(w, "cannot rename %s to %s: %s", w->tmp, w->path, strerror(errno));
    int rc = w->failed ? -1 : 0;
    if (rc) {
        set_err(err, errlen, w->msg);
        if (w->path) unlink(w->tmp);
    }
    writer_free(w);
    return rc;
}

const char *smix_trace_writer_temp_path(const smix_trace_writer *w)
{
    return w && w->path && w->fd >= 0 ? w->tmp : NULL;
}

void smix_trace_writer_abort(smix_trace_writer *w)
{
    if (!w) return;
    if (w->fd >= 0) {
        close(w->fd);
        w->fd = -1;
        if (w->path) unlink(w->tmp);
    }
    writer_free(w);
}
