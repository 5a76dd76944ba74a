/*
 * trace_read.c - opens .smt traces for random access (the viewers' only
 * window into the engine).
 *
 * The file is mmapped read-only (or read into memory when it is not a
 * regular file, e.g. a pipe) and never trusted: every count, size, offset
 * and string reference is checked against the file before it is used, with
 * overflow-safe arithmetic, through the CHECK macro below. After a
 * successful open, accessors index only into ranges proven in bounds, so no
 * input can make them read outside the mapping.
 *
 * Integrity: the header has its own CRC-32C and every section has one.
 * smix_trace_open verifies all of them and every token record (one pass,
 * ~0.6 s of CPU per million tokens, mostly CRC); SMIX_TRACE_OPEN_LAZY skips the token-record
 * pass for huge traces, and accessors then re-check the little they need per
 * record (string reference and length) so damage shows as -1, not a crash.
 *
 * Caveat of mmap: if another process truncates the file while it is open,
 * touching the lost pages raises SIGBUS; that is not guarded against.
 */
#include "smix_trace.h"
#include "container.h"
#include "trace_format.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct section {
    const uint8_t *p;
    uint64_t count;
    uint32_t elem;
    uint32_t crc;
    uint64_t bytes;
} section;

struct smix_trace {
    const uint8_t *base;
    size_t size;
    int mapped;               /* 1: munmap, 0: free */
    unsigned major, minor;
    smix_trace_summary sum;
    uint64_t declared_tokens; /* smix_file_info.tokens as the engine reported */
    uint32_t ncomp, nsteps;
    uint32_t layout[TRC_NLAYOUT];   /* offsets in a record, proven in bounds */
    section sec[TRC_NSECTIONS];
};

static const char *const sec_names[TRC_NSECTIONS] = {
    "tokens", "chunks", "strings", "id index", "string bytes", "components", "steps"
};
static const uint32_t sec_min_elem[TRC_NSECTIONS] = {
    TRC_TOKEN_FIXED, TRC_CHUNK_SIZE, TRC_STRING_SIZE, 4, 1, TRC_COMP_SIZE, TRC_STEP_SIZE
};

static int errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* One style for every check on untrusted input. */
#define CHECK(cond, ...) do { if (!(cond)) return errf(err, errlen, __VA_ARGS__); } while (0)

/* ---------------- loading ---------------- */

static int read_all(int fd, uint8_t **out, size_t *n)
{
    size_t cap = 1 << 16, len = 0;
    uint8_t *b = malloc(cap);
    while (b) {
        if (len == cap) {
            uint8_t *nb = cap < SIZE_MAX / 2 ? realloc(b, cap * 2) : NULL;
            if (!nb) break;
            b = nb;
            cap *= 2;
        }
        ssize_t k = read(fd, b + len, cap - len);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) break;
        if (k == 0) { *out = b; *n = len; return 0; }
        len += (size_t)k;
    }
    free(b);
    return -1;
}

/* Maps a regular file (or reads anything else whole) through fd, which
 * stays the caller's. */
static int load_fd(smix_trace *t, int fd, const char *path, char *err, size_t errlen)
{
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) != 0) {
        errf(err, errlen, "%s: %s", path, strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
        errf(err, errlen, "%s: is a directory", path);
    } else if (!S_ISREG(st.st_mode)) {
        uint8_t *b = NULL;
        if (read_all(fd, &b, &t->size)) errf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        else { t->base = b; rc = 0; }
    } else if ((uint64_t)st.st_size > SIZE_MAX || st.st_size < (off_t)TRC_MAGIC_LEN) {
        errf(err, errlen, "%s: not a smix trace (%s)", path,
             st.st_size < (off_t)TRC_MAGIC_LEN ? "file too short" : "too large for this system");
    } else {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) errf(err, errlen, "%s: cannot map: %s", path, strerror(errno));
        else { t->base = m; t->size = (size_t)st.st_size; t->mapped = 1; rc = 0; }
    }
    return rc;
}

static int load(smix_trace *t, const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0, "%s: %s", path, strerror(errno));
    int rc = load_fd(t, fd, path, err, errlen);
    close(fd);
    return rc;
}

/* ---------------- validation ---------------- */

static int check_header(smix_trace *t, const char *path, char *err, size_t errlen)
{
    const uint8_t *h = t->base;
    CHECK(t->size >= TRC_MAGIC_LEN && memcmp(h, TRC_MAGIC, TRC_MAGIC_LEN) == 0,
          "%s: not a smix trace (bad magic)", path);
    CHECK(t->size >= 16, "%s: truncated trace (%zu bytes)", path, t->size);
    t->major = trc_get16(h + TRC_H_MAJOR);
    t->minor = trc_get16(h + TRC_H_MINOR);
    CHECK(t->major <= TRC_MAJOR, "%s: trace format %u.%u is newer than this smix reads (%d.x); "
          "use a newer smix", path, t->major, t->minor, TRC_MAJOR);
    CHECK(t->major == TRC_MAJOR, "%s: trace format %u.%u is older than this smix reads (%d.x); "
          "write the trace again (smix --trace NEW.smt FILE, or smix -d --trace NEW.smt FILE.smx)",
          path, t->major, t->minor, TRC_MAJOR);
    uint32_t hs = trc_get32(h + TRC_H_HEADER_SIZE);
    CHECK(hs >= TRC_HEADER_SIZE && hs <= (1u << 20) && hs % 4 == 0,
          "%s: damaged trace (header size %u)", path, hs);
    CHECK(t->size >= hs, "%s: truncated trace (%zu bytes, header needs %u)", path, t->size, hs);
    CHECK(crc32c(0, h, hs - 4) == trc_get32(h + hs - 4),
          "%s: damaged trace (header checksum mismatch)", path);
    t->ncomp = trc_get32(h + TRC_H_NCOMP);
    t->nsteps = trc_get32(h + TRC_H_NSTEPS);
    CHECK(t->ncomp <= TRC_MAX_COMP && t->nsteps <= TRC_MAX_STEPS && trc_get32(h + TRC_H_TOPK) == TRC_TOPK,
          "%s: damaged trace (%u components, %u steps, top-k %u)", path, t->ncomp, t->nsteps,
          trc_get32(h + TRC_H_TOPK));
    CHECK(isfinite(trc_getd(h + TRC_H_TOTALBITS)), "%s: damaged trace (total bits not a finite number)", path);
    uint32_t ns = trc_get32(h + TRC_H_NSECTIONS);
    CHECK(ns >= TRC_NSECTIONS && ns <= (hs - 4 - TRC_H_SECTIONS) / TRC_SECTION_SIZE,
          "%s: damaged trace (%u sections)", path, ns);
    return 0;
}

/* The record layout: each array after the fixed part and within a record. */
static int check_layout(smix_trace *t, const char *path, char *err, size_t errlen)
{
    const uint8_t *h = t->base;
    uint32_t elem = t->sec[TRC_SEC_TOKENS].elem, flags = trc_get32(h + TRC_H_FLAGS);
    const uint32_t len[TRC_NLAYOUT] = { 4 * t->ncomp, 4 * t->ncomp, 8 * t->nsteps, 8 * t->nsteps,
                                        TRC_TOPK_SIZE, TRC_TOPK_SIZE, 4 * t->ncomp };
    for (int i = 0; i < TRC_NLAYOUT; i++) {
        uint32_t off = trc_get32(h + TRC_H_LAYOUT + 4 * i);
        /* absent: the SSM's top list without the SSM; the bits saved in 2.0 */
        int absent = i == TRC_L_SSMTOPK ? !(flags & TRC_F_SSM) : i == TRC_L_SAVED && off == 0;
        CHECK(absent ? off == 0 : off >= TRC_TOKEN_FIXED && off <= elem && len[i] <= elem - off,
              "%s: damaged trace (record layout)", path);
        t->layout[i] = off;
    }
    return 0;
}

/* A NUL-padded text field of n bytes: printable ASCII (a name: a-z, 0-9
 * and _, at least one, so that it can head a CSV column), then only NULs. */
static int text_ok(const uint8_t *p, size_t n, int name)
{
    size_t len = 0;
    while (len < n && p[len]) {
        uint8_t c = p[len];
        if (c < 0x20 || c > 0x7E) return 0;
        if (name && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return 0;
        len++;
    }
    if (len == n || len < (size_t)name) return 0;
    for (size_t i = len; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

static int check_tables(const smix_trace *t, const char *path, char *err, size_t errlen)
{
    const section *c = &t->sec[TRC_SEC_COMPS], *s = &t->sec[TRC_SEC_STEPS];
    CHECK(c->count == t->ncomp && s->count == t->nsteps, "%s: damaged trace (component table size)", path);
    for (uint64_t i = 0; i < c->count; i++) {
        const uint8_t *r = c->p + i * c->elem;
        CHECK(text_ok(r, TRC_NAME_LEN, 1) && text_ok(r + TRC_NAME_LEN, TRC_NAME_LEN, 1) &&
              text_ok(r + 2 * TRC_NAME_LEN, TRC_DESC_LEN, 0), "%s: damaged trace (component %llu)", path,
              (unsigned long long)i);
    }
    for (uint64_t i = 0; i < s->count; i++) {
        const uint8_t *r = s->p + i * s->elem;
        CHECK(text_ok(r, TRC_NAME_LEN, 1) && trc_get32(r + TRC_NAME_LEN) <= 1 &&
              text_ok(r + 2 * TRC_NAME_LEN, TRC_DESC_LEN, 0), "%s: damaged trace (step %llu)", path,
              (unsigned long long)i);
    }
    return 0;
}

static void parse_summary(smix_trace *t)
{
    const uint8_t *h = t->base, *c = h + TRC_H_CONFIG;
    smix_trace_summary *s = &t->sum;
    s->input_bytes = trc_get64(h + TRC_H_INPUT);
    t->declared_tokens = trc_get64(h + TRC_H_TOKENS);
    s->header_bytes = trc_get64(h + TRC_H_HDRBYTES);
    s->payload_bytes = trc_get64(h + TRC_H_PAYLOAD);
    s->compressed_bytes = trc_get64(h + TRC_H_COMPRESSED);
    s->checksum = trc_get32(h + TRC_H_CHECKSUM);
    s->total_bits = trc_getd(h + TRC_H_TOTALBITS);
    smix_config *g = &s->config;
    g->level = c[0]; g->n_layers = c[1]; g->d_model = c[2]; g->d_state = c[3];
    g->d_inner = c[4]; g->d_conv = c[5]; g->chunk = c[6]; g->iters_early = c[7];
    g->iters_mid = c[8]; g->iters_late = c[9]; ctr_set_config_flags(g, c[10]); g->max_order = c[11];
    g->lr_milli = trc_get16(c + 12);
    g->smooth_milli = trc_get16(c + 14);
    g->vocab_size = trc_get32(c + 16);
    const uint8_t *c2 = h + TRC_H_CONFIG2;
    g->blocks = c2[0];
    g->byte_mix = c2[1];
    g->escape_walk = c2[2];
    g->skip_context = c2[3];
    g->ssm_rows = trc_get16(c2 + 4);
    g->ngram_budget_mb = trc_get16(c2 + 6);
    s->vocab_size = g->vocab_size;
    s->flags = trc_get32(h + TRC_H_FLAGS) & (SMIX_TRACE_SSM | SMIX_TRACE_BITS);
    if (trc_get32(h + TRC_H_LAYOUT + 4 * TRC_L_SAVED)) s->flags |= SMIX_TRACE_SAVED;
    s->tokens = t->sec[TRC_SEC_TOKENS].count;
    s->chunks = t->sec[TRC_SEC_CHUNKS].count;
}

static int check_sections(smix_trace *t, const char *path, char *err, size_t errlen)
{
    uint32_t hs = trc_get32(t->base + TRC_H_HEADER_SIZE);
    for (int i = 0; i < TRC_NSECTIONS; i++) {
        const uint8_t *d = t->base + TRC_H_SECTIONS + i * TRC_SECTION_SIZE;
        uint64_t off = trc_get64(d), count = trc_get64(d + 8);
        uint32_t elem = trc_get32(d + 16);
        section *s = &t->sec[i];
        CHECK(elem >= sec_min_elem[i] && (i != TRC_SEC_BLOB || elem == 1),
              "%s: damaged trace (%s record size %u)", path, sec_names[i], elem);
        CHECK(count <= UINT64_MAX / elem, "%s: damaged trace (%s count)", path, sec_names[i]);
        uint64_t bytes = count * elem;
        CHECK(off >= hs && off <= t->size, "%s: damaged trace (%s offset %llu)", path,
              sec_names[i], (unsigned long long)off);
        CHECK(bytes <= t->size - off, "%s: truncated trace (%zu bytes; %s section needs %llu "
              "bytes at offset %llu)", path, t->size, sec_names[i],
              (unsigned long long)bytes, (unsigned long long)off);
        s->p = t->base + off;
        s->count = count;
        s->elem = elem;
        s->bytes = bytes;
        s->crc = trc_get32(d + 20);
        if (i != TRC_SEC_TOKENS)
            CHECK(crc32c(0, s->p, s->bytes) == s->crc,
                  "%s: damaged trace (%s checksum mismatch)", path, sec_names[i]);
    }
    CHECK(t->sec[TRC_SEC_IDINDEX].count == t->sec[TRC_SEC_STRINGS].count,
          "%s: damaged trace (string index size)", path);
    CHECK(t->sec[TRC_SEC_STRINGS].count < 0xFFFFFFFFu, "%s: damaged trace (string count)", path);
    return 0;
}

static const uint8_t *str_ent(const smix_trace *t, uint64_t e)
{
    return t->sec[TRC_SEC_STRINGS].p + e * t->sec[TRC_SEC_STRINGS].elem;
}

static const uint8_t *idx_ent(const smix_trace *t, uint64_t i)
{
    return t->sec[TRC_SEC_IDINDEX].p + i * t->sec[TRC_SEC_IDINDEX].elem;
}

static int check_strings(const smix_trace *t, const char *path, char *err, size_t errlen)
{
    uint64_t n = t->sec[TRC_SEC_STRINGS].count, blob = t->sec[TRC_SEC_BLOB].bytes;
    for (uint64_t e = 0; e < n; e++) {
        const uint8_t *s = str_ent(t, e);
        uint64_t len = trc_get32(s + 4), off = trc_get64(s + 8);
        CHECK(off <= blob && len <= blob - off,
              "%s: damaged trace (string %llu out of bounds)", path, (unsigned long long)e);
    }
    /* the index must be a permutation sorted by (id, entry) */
    uint64_t prev_key = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t e = trc_get32(idx_ent(t, i));
        CHECK(e < n, "%s: damaged trace (string index entry %llu)", path, (unsigned long long)i);
        uint64_t key = (uint64_t)trc_get32(str_ent(t, e)) << 32 | e;
        CHECK(i == 0 || key > prev_key, "%s: damaged trace (string index not sorted)", path);
        prev_key = key;
    }
    return 0;
}

static const uint8_t *rec(const smix_trace *t, uint64_t i)
{
    return t->sec[TRC_SEC_TOKENS].p + i * t->sec[TRC_SEC_TOKENS].elem;
}

static int finite_f(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!isfinite(trc_getf(p + 4 * i))) return 0;
    return 1;
}

static int finite_d(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!isfinite(trc_getd(p + 8 * i))) return 0;
    return 1;
}

/* Token i's record, parsed: 0, or -1 if it is damaged (-1: a string
 * reference that does not match, -2: a float that is not finite). */
static int read_record(const smix_trace *t, uint64_t i, smix_trace_token *out)
{
    const uint8_t *r = rec(t, i);
    uint32_t len = trc_get32(r + TRC_T_LENGTH), str = trc_get32(r + TRC_T_STR);
    if (str >= t->sec[TRC_SEC_STRINGS].count || trc_get32(str_ent(t, str) + 4) != len ||
        trc_get32(str_ent(t, str)) != trc_get32(r + TRC_T_ID))
        return -1;
    if (!finite_f(r + TRC_T_PSSM, 1) || !finite_f(r + TRC_T_PSSMNEW, 3) || !finite_f(r + TRC_T_PFINAL, 1) ||
        !finite_d(r + TRC_T_BITS, 1) || !finite_d(r + TRC_T_LOGIT, 3) ||
        !finite_f(r + t->layout[TRC_L_COMP], t->ncomp) || !finite_f(r + t->layout[TRC_L_FAV], t->ncomp) ||
        !finite_d(r + t->layout[TRC_L_STEPS], t->nsteps) || !finite_d(r + t->layout[TRC_L_TM], t->nsteps) ||
        (t->layout[TRC_L_SAVED] && !finite_f(r + t->layout[TRC_L_SAVED], t->ncomp)))
        return -2;
    memset(out, 0, sizeof *out);
    out->index = i;
    out->offset = trc_get64(r + TRC_T_OFFSET);
    out->length = len;
    out->token_id = trc_get32(r + TRC_T_ID);
    out->bytes = t->sec[TRC_SEC_BLOB].p + trc_get64(str_ent(t, str) + 8);
    out->is_new = r[TRC_T_ISNEW];
    out->longest_order = (int8_t)r[TRC_T_ORDER];
    out->flags = r[TRC_T_FLAGS];
    out->longest_count = trc_get32(r + TRC_T_COUNT);
    out->p_ssm = trc_getf(r + TRC_T_PSSM);
    out->rank_ssm = trc_get32(r + TRC_T_RANK);
    out->p_ssm_new = trc_getf(r + TRC_T_PSSMNEW);
    out->entropy = trc_getf(r + TRC_T_ENTROPY);
    out->scale = trc_getf(r + TRC_T_SCALE);
    out->p_final = trc_getf(r + TRC_T_PFINAL);
    out->bits = trc_getd(r + TRC_T_BITS);
    out->rank_final = trc_get32(r + TRC_T_RANKFINAL);
    out->logit = trc_getd(r + TRC_T_LOGIT);
    out->log_norm = trc_getd(r + TRC_T_LOGNORM);
    out->fav_logit = trc_getd(r + TRC_T_FAVLOGIT);
    out->fav_id = trc_get32(r + TRC_T_FAVID);
    out->n_comp = t->ncomp;
    out->n_steps = t->nsteps;
    for (uint32_t c = 0; c < t->ncomp; c++) {
        out->comp[c] = trc_getf(r + t->layout[TRC_L_COMP] + 4 * c);
        out->fav_comp[c] = trc_getf(r + t->layout[TRC_L_FAV] + 4 * c);
        out->saved[c] = t->layout[TRC_L_SAVED] ? trc_getf(r + t->layout[TRC_L_SAVED] + 4 * c) : 0.0f;
    }
    for (uint32_t k = 0; k < t->nsteps; k++) {
        out->step_bits[k] = trc_getd(r + t->layout[TRC_L_STEPS] + 8 * k);
        out->step_tm[k] = trc_getd(r + t->layout[TRC_L_TM] + 8 * k);
    }
    return 0;
}

/* The pass over every token record that LAZY skips. */
static int check_tokens(const smix_trace *t, char *err, size_t errlen)
{
    const section *s = &t->sec[TRC_SEC_TOKENS];
    CHECK(crc32c(0, s->p, s->bytes) == s->crc, "damaged trace (token records checksum mismatch)");
    uint64_t prev_end = 0;
    double bits = 0;
    smix_trace_token tk;
    for (uint64_t i = 0; i < s->count; i++) {
        smix_trace_topk top;
        int rr = read_record(t, i, &tk);
        CHECK(rr != -1, "damaged trace (token %llu: bad string reference)", (unsigned long long)i);
        CHECK(rr == 0 && smix_trace_get_topk(t, i, &top) == 0,
              "damaged trace (token %llu: a value that is not a finite number)", (unsigned long long)i);
        CHECK(tk.offset >= prev_end && tk.length <= t->sum.input_bytes && tk.offset <= t->sum.input_bytes - tk.length,
              "damaged trace (token %llu: byte offset %llu out of order or range)",
              (unsigned long long)i, (unsigned long long)tk.offset);
        prev_end = tk.offset + tk.length;
        bits += tk.bits;
    }
    double d = fabs(bits - t->sum.total_bits);
    CHECK(d <= 1e-9 * (fabs(bits) + 1.0), "damaged trace (sum of token bits %.6f != recorded total %.6f)", bits,
          t->sum.total_bits);
    return 0;
}

/* Chunks: finite loss and learning rate. */
static int check_chunks(const smix_trace *t, const char *path, char *err, size_t errlen)
{
    const section *c = &t->sec[TRC_SEC_CHUNKS];
    for (uint64_t i = 0; i < c->count; i++)
        CHECK(finite_f(c->p + i * c->elem + 24, 2),
              "%s: damaged trace (chunk %llu: loss or learning rate not a finite number)", path, (unsigned long long)i);
    return 0;
}

int smix_trace_verify(const smix_trace *t, char *err, size_t errlen)
{
    CHECK(t, "no trace");
    return check_tokens(t, err, errlen);
}

/* Validates what load or load_fd put in t. */
static smix_trace *open_loaded(smix_trace *t, int bad, const char *path, unsigned flags,
                               char *err, size_t errlen)
{
    bad = bad || check_header(t, path, err, errlen) || check_sections(t, path, err, errlen);
    if (!bad) {
        parse_summary(t);
        bad = check_layout(t, path, err, errlen) || check_tables(t, path, err, errlen) ||
              check_strings(t, path, err, errlen) || check_chunks(t, path, err, errlen);
    }
    if (!bad && !(flags & SMIX_TRACE_OPEN_LAZY)) {
        char msg[200];
        bad = check_tokens(t, msg, sizeof msg);
        if (bad) errf(err, errlen, "%s: %s", path, msg);
    }
    if (bad) {
        smix_trace_close(t);
        return NULL;
    }
    return t;
}

smix_trace *smix_trace_open_ex(const char *path, unsigned flags, char *err, size_t errlen)
{
    if (!path) { errf(err, errlen, "trace: no path"); return NULL; }
    smix_trace *t = calloc(1, sizeof *t);
    if (!t) { errf(err, errlen, "out of memory"); return NULL; }
    return open_loaded(t, load(t, path, err, errlen), path, flags, err, errlen);
}

smix_trace *smix_trace_open_fd(int fd, const char *name, unsigned flags, char *err, size_t errlen)
{
    if (!name) name = "trace";
    smix_trace *t = calloc(1, sizeof *t);
    if (!t) { errf(err, errlen, "out of memory"); return NULL; }
    return open_loaded(t, load_fd(t, fd, name, err, errlen), name, flags, err, errlen);
}

smix_trace *smix_trace_open(const char *path, char *err, size_t errlen)
{
    return smix_trace_open_ex(path, 0, err, errlen);
}

void smix_trace_close(smix_trace *t)
{
    if (!t) return;
    if (t->mapped) munmap((void *)t->base, t->size);
    else free((void *)t->base);
    free(t);
}

/* ---------------- accessors ---------------- */

uint64_t smix_trace_count(const smix_trace *t) { return t ? t->sec[TRC_SEC_TOKENS].count : 0; }

void smix_trace_get_summary(const smix_trace *t, smix_trace_summary *out)
{
    if (t) *out = t->sum;
    else memset(out, 0, sizeof *out);
}

void smix_trace_version(const smix_trace *t, unsigned *major, unsigned *minor)
{
    if (major) *major = t ? t->major : 0;
    if (minor) *minor = t ? t->minor : 0;
}

uint64_t smix_trace_file_bytes(const smix_trace *t) { return t ? t->size : 0; }

int smix_trace_get_token(const smix_trace *t, uint64_t i, smix_trace_token *out)
{
    /* read_record re-checks the record, so lazily opened traces stay safe */
    if (!t || i >= t->sec[TRC_SEC_TOKENS].count) return -1;
    return read_record(t, i, out) == 0 ? 0 : -1;
}

/* A top-k list; -1 if a probability is not finite (never handed out). */
static int get_topk(const uint8_t *p, uint32_t *id, float *pr)
{
    for (int k = 0; k < SMIX_TOPK; k++) {
        id[k] = trc_get32(p + 8 * k);
        pr[k] = trc_getf(p + 8 * k + 4);
        if (!isfinite(pr[k])) return -1;
    }
    return 0;
}

int smix_trace_get_topk(const smix_trace *t, uint64_t i, smix_trace_topk *out)
{
    if (!t || i >= t->sec[TRC_SEC_TOKENS].count) return -1;
    const uint8_t *r = rec(t, i);
    if (get_topk(r + t->layout[TRC_L_TOPK], out->id, out->p)) return -1;
    if (t->layout[TRC_L_SSMTOPK]) {
        if (get_topk(r + t->layout[TRC_L_SSMTOPK], out->ssm_id, out->ssm_p)) return -1;
    } else {
        for (int k = 0; k < SMIX_TOPK; k++) {
            out->ssm_id[k] = SMIX_TOKEN_NONE;
            out->ssm_p[k] = 0.0f;
        }
    }
    return 0;
}

uint64_t smix_trace_token_at_offset(const smix_trace *t, uint64_t off)
{
    uint64_t n = smix_trace_count(t);
    if (n == 0) return 0;
    /* last record whose offset <= off (offsets are non-decreasing) */
    uint64_t lo = 0, hi = n;   /* answer in [lo, hi) */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (trc_get64(rec(t, mid) + TRC_T_OFFSET) <= off) lo = mid;
        else hi = mid;
    }
    return lo;
}

uint64_t smix_trace_chunk_count(const smix_trace *t) { return t ? t->sec[TRC_SEC_CHUNKS].count : 0; }

int smix_trace_get_chunk(const smix_trace *t, uint64_t c, smix_chunk_info *out)
{
    if (!t || c >= t->sec[TRC_SEC_CHUNKS].count) return -1;
    const uint8_t *r = t->sec[TRC_SEC_CHUNKS].p + c * t->sec[TRC_SEC_CHUNKS].elem;
    out->chunk_index = trc_get64(r);
    out->first_token = trc_get64(r + 8);
    out->n_tokens = trc_get32(r + 16);
    out->iterations = trc_get32(r + 20);
    out->loss = trc_getf(r + 24);
    out->lr = trc_getf(r + 28);
    return isfinite(out->loss) && isfinite(out->lr) ? 0 : -1;
}

uint32_t smix_trace_vocab_size(const smix_trace *t) { return t ? t->sum.vocab_size : 0; }

const uint8_t *smix_trace_vocab_token(const smix_trace *t, uint32_t id, uint32_t *len)
{
    if (!t || (id >= t->sum.vocab_size && id != SMIX_TOKEN_NEW)) return NULL;
    uint64_t lo = 0, hi = t->sec[TRC_SEC_IDINDEX].count;   /* first index with id >= id */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (trc_get32(str_ent(t, trc_get32(idx_ent(t, mid)))) < id) lo = mid + 1;
        else hi = mid;
    }
    if (lo == t->sec[TRC_SEC_IDINDEX].count) return NULL;
    const uint8_t *s = str_ent(t, trc_get32(idx_ent(t, lo)));
    if (trc_get32(s) != id) return NULL;
    if (len) *len = trc_get32(s + 4);
    return t->sec[TRC_SEC_BLOB].p + trc_get64(s + 8);
}

/* ---------------- components and steps ---------------- */

uint32_t smix_trace_component_count(const smix_trace *t) { return t ? t->ncomp : 0; }
uint32_t smix_trace_step_count(const smix_trace *t) { return t ? t->nsteps : 0; }

int smix_trace_component(const smix_trace *t, uint32_t i, smix_trace_part *out)
{
    if (!t || i >= t->ncomp) return -1;
    const uint8_t *r = t->sec[TRC_SEC_COMPS].p + (uint64_t)i * t->sec[TRC_SEC_COMPS].elem;
    out->name = (const char *)r;   /* NUL-terminated within their fields (check_tables) */
    out->group = (const char *)r + TRC_NAME_LEN;
    out->description = (const char *)r + 2 * TRC_NAME_LEN;
    out->mixed = 0;
    return 0;
}

int smix_trace_step(const smix_trace *t, uint32_t i, smix_trace_part *out)
{
    if (!t || i >= t->nsteps) return -1;
    const uint8_t *r = t->sec[TRC_SEC_STEPS].p + (uint64_t)i * t->sec[TRC_SEC_STEPS].elem;
    out->name = (const char *)r;
    out->group = "";
    out->description = (const char *)r + 2 * TRC_NAME_LEN;
    out->mixed = trc_get32(r + TRC_NAME_LEN) == 1;
    return 0;
}

int smix_trace_component_index(const smix_trace *t, const char *name)
{
    smix_trace_part p;
    for (uint32_t i = 0; name && smix_trace_component(t, i, &p) == 0; i++)
        if (strcmp(p.name, name) == 0) return (int)i;
    return -1;
}

int smix_trace_step_index(const smix_trace *t, const char *name)
{
    smix_trace_part p;
    for (uint32_t i = 0; name && smix_trace_step(t, i, &p) == 0; i++)
        if (strcmp(p.name, name) == 0) return (int)i;
    return -1;
}
