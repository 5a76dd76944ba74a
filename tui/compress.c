/*
 * compress.c - on-the-fly tracing of a plain file (see compress.h).
 *
 * The compressed bytes are only counted, never kept: the viewer needs the
 * trace, and the trace records the sizes. The trace is written into an
 * unlinked temporary file (smix_trace_temp_fd) and read back through its
 * descriptor, so it has no name on disk at any moment: a signal at any
 * point, even SIGKILL, leaves nothing behind.
 */
#define _GNU_SOURCE
#include "compress.h"
#include "tv_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct cmp__progress {
    char name[128];
    int tty;
    double last;
    uint64_t out_bytes;
} cmp__progress;

static double cmp__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp__progress_fn(void *user, uint64_t done, uint64_t total, uint64_t tokens,
                            double bits)
{
    cmp__progress *p = user;
    double now = cmp__now();
    if (!p->tty || now - p->last < 0.1) return 0;
    p->last = now;
    fprintf(stderr, "\rsmix-tui: tracing %s  %3.0f%%  %llu tokens  %.3f bpb ", p->name,
            total ? 100.0 * (double)done / (double)total : 100.0, (unsigned long long)tokens,
            done ? bits / (double)done : 0.0);
    return 0;
}

static int cmp__count(void *wctx, const void *data, size_t n)
{
    (void)data;
    ((cmp__progress *)wctx)->out_bytes += n;
    return 0;
}

/* Maps (or, for an empty file, fakes) the input. */
static const uint8_t *cmp__map(const char *path, size_t *n, char *err, size_t errlen)
{
    static const uint8_t empty[1];
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: %s", path, fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0) close(fd);
        return NULL;
    }
    *n = (size_t)st.st_size;
    if (*n == 0) { close(fd); return empty; }
    void *m = mmap(NULL, *n, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); return NULL; }
    return m;
}

static int cmp__run(const uint8_t *src, size_t n, int level, int trace_fd,
                    cmp__progress *pr, char *err, size_t errlen)
{
    smix_params prm = { .level = level };
    smix_hooks chain = { SMIX_HOOKS_VERSION, pr, NULL, NULL, NULL, NULL, cmp__progress_fn, 0 };
    smix_hooks hooks;
    smix_trace_writer *w = smix_trace_writer_open_fd(trace_fd, err, errlen);
    smix_cctx *cc = smix_cctx_create(&prm);
    if (!w || !cc) {
        if (!cc) snprintf(err, errlen, "out of memory");
        smix_trace_writer_abort(w);
        smix_cctx_free(cc);
        return -1;
    }
    smix_trace_writer_set_saved(w, 1);   /* the why pane's "saved" column */
    smix_trace_writer_hooks(w, &hooks, &chain);
    smix_result r = smix_compress(cc, src, n, cmp__count, pr, &hooks);
    smix_cctx_free(cc);
    if (r != SMIX_OK) {
        snprintf(err, errlen, "compression failed: %s", smix_strerror(r));
        smix_trace_writer_abort(w);
        return -1;
    }
    return smix_trace_writer_finish(w, err, errlen);
}

smix_trace *compress_to_trace(const char *path, int level, char *err, size_t errlen)
{
    cmp__progress pr;
    memset(&pr, 0, sizeof pr);
    pr.tty = isatty(STDERR_FILENO);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    tv_text_label((const uint8_t *)base, strlen(base), 0, 60, pr.name, sizeof pr.name);
    size_t n = 0;
    const uint8_t *src = cmp__map(path, &n, err, errlen);
    if (!src) return NULL;
    smix_trace *t = NULL;
    int fd = smix_trace_temp_fd(err, errlen);
    if (fd >= 0) {
        if (cmp__run(src, n, level, fd, &pr, err, errlen) == 0)
            t = smix_trace_open_fd(fd, "the temporary trace", SMIX_TRACE_OPEN_LAZY, err, errlen);
        close(fd);
    }
    if (pr.tty) fprintf(stderr, "\r\033[K");
    if (n) munmap((void *)src, n);
    return t;
}
