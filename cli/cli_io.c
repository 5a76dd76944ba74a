/*
 * cli_io.c - how the smix CLI reads inputs and writes outputs without ever
 * leaving a partial or clobbered file behind.
 *
 * Output to a path: mkstemp() beside the final name (same file system, so
 * the final step is an atomic rename), write, copy the source's mode, owner
 * and times, fsync, close, then rename. Without -f the rename must not
 * replace anything: renameat2(RENAME_NOREPLACE), else link()+unlink(), else
 * (file systems without either) a last existence check. Then the directory
 * is fsynced, so that --rm of the source can never leave neither file.
 */
#define _GNU_SOURCE
#include "cli_io.h"
#include "cli_sig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CLI_OUT_BUFSZ (256u * 1024u)
#define CLI_READ_CHUNK (1u << 20)

int cli_in_open(cli_in *in, const char *path, cli_err *e)
{
    memset(in, 0, sizeof *in);
    in->name = path ? path : "stdin";
    in->fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY) : STDIN_FILENO;
    in->owned = path != NULL;
    if (in->fd < 0 || fstat(in->fd, &in->st) != 0) {
        cli_err_set(e, in->name, "%s", strerror(errno));
        cli_in_close(in);
        return -1;
    }
    if (S_ISDIR(in->st.st_mode)) {
        cli_err_set(e, in->name, "is a directory");
        cli_in_close(in);
        return -1;
    }
    return 0;
}

int cli_in_size(const cli_in *in, uint64_t *size)
{
    if (!S_ISREG(in->st.st_mode))
        return 0;
    *size = (uint64_t)in->st.st_size;
    return 1;
}

/* How much to read next: what is wanted (a regular file's size, read into
 * one allocation) or else a chunk, never past limit + 1, so that an endless
 * input stops at the limit instead of at the end of the address space. */
static size_t next_room(const cli_buf *buf, uint64_t want, uint64_t limit)
{
    uint64_t room = want == UINT64_MAX ? CLI_READ_CHUNK : want - buf->len;
    if (limit < UINT64_MAX && room > limit + 1 - buf->len)
        room = limit + 1 - buf->len;
    return room > SIZE_MAX - buf->len ? SIZE_MAX - buf->len : (size_t)room;
}

int cli_in_read(cli_in *in, cli_buf *buf, uint64_t want, uint64_t limit, cli_err *e)
{
    while (!in->eof && buf->len < want && (uint64_t)buf->len <= limit) {
        size_t room = next_room(buf, want, limit);
        if (cli_buf_reserve(buf, room) != 0) {
            cli_err_set(e, in->name, "read error: %s", strerror(ENOMEM));
            return -1;
        }
        ssize_t r = read(in->fd, buf->data + buf->len, room);
        if (r > 0)
            buf->len += (size_t)r;
        else if (r == 0)
            in->eof = 1;
        else if (errno != EINTR || cli_sig_pending()) {
            cli_err_set(e, in->name, "read error: %s",
                        errno == EINTR ? "interrupted" : strerror(errno));
            return -1;
        }
    }
    return (uint64_t)buf->len > limit ? 1 : 0;
}

void cli_in_close(cli_in *in)
{
    if (in->owned && in->fd >= 0)
        close(in->fd);
    in->fd = -1;
    in->owned = 0;
}

int cli_out_check(const char *path, int force, cli_err *e)
{
    struct stat ls, s;
    if (lstat(path, &ls) != 0) {
        if (errno == ENOENT)
            return 0;
        cli_err_set(e, path, "%s", strerror(errno));
        return -1;
    }
    if (stat(path, &s) == 0 && !S_ISREG(s.st_mode)) {
        if (!S_ISDIR(s.st_mode))
            return 0;   /* device or FIFO: written in place */
        cli_err_set(e, path, "is a directory");
        return -1;
    }
    if (!force) {
        cli_err_set(e, path, "already exists; use -f to overwrite");
        return -1;
    }
    return 0;
}

/* "dir/.base.smix-XXXXXX" for path "dir/base"; base shortened so that the
 * name stays under NAME_MAX. */
static char *temp_template(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dirlen;
    size_t blen = strlen(base);
    if (blen > 200)
        blen = 200;
    char *t = malloc(dirlen + blen + 16);
    if (!t)
        return NULL;
    sprintf(t, "%.*s.%.*s.smix-XXXXXX", (int)dirlen, path, (int)blen, base);
    return t;
}

static int open_temp(cli_out *o, const char *path, cli_err *e)
{
    o->tmp = temp_template(path);
    if (!o->tmp) {
        cli_err_set(e, path, "out of memory");
        return -1;
    }
    cli_sig_hold();   /* no moment when the file exists unregistered */
    o->fd = mkostemp(o->tmp, O_CLOEXEC);
    int err = errno;
    if (o->fd >= 0)
        cli_sig_set_tempfile(CLI_TEMP_OUTPUT, o->tmp);
    cli_sig_release();
    if (o->fd < 0) {
        cli_err_set(e, path, "cannot create a temporary file: %s", strerror(err));
        free(o->tmp);
        o->tmp = NULL;
        return -1;
    }
    o->kind = CLI_OUT_TEMP;
    return 0;
}

static int open_path(cli_out *o, const char *path, cli_err *e)
{
    struct stat s;
    o->path = strdup(path);
    if (!o->path) {
        cli_err_set(e, path, "out of memory");
        return -1;
    }
    if (stat(path, &s) == 0 && !S_ISREG(s.st_mode) && !S_ISDIR(s.st_mode)) {
        o->fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (o->fd < 0) {
            cli_err_set(e, path, "%s", strerror(errno));
            return -1;
        }
        o->kind = CLI_OUT_DIRECT;
        return 0;
    }
    return open_temp(o, path, e);
}

int cli_out_open(cli_out *o, const char *path, cli_err *e)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->buf = malloc(CLI_OUT_BUFSZ);
    if (!o->buf) {
        cli_err_set(e, path ? path : "stdout", "out of memory");
        return -1;
    }
    if (!path) {
        o->kind = CLI_OUT_STDOUT;
        o->fd = STDOUT_FILENO;
        return 0;
    }
    if (open_path(o, path, e) != 0) {
        cli_out_abort(o);
        return -1;
    }
    return 0;
}

/* Writes all of p. Returns 0 or an errno value. */
static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR && !cli_sig_pending())
            continue;
        return w < 0 ? errno : EIO;
    }
    return 0;
}

static int out_drain(cli_out *o)
{
    if (o->err_no == 0 && o->blen > 0)
        o->err_no = write_all(o->fd, o->buf, o->blen);
    o->blen = 0;
    return o->err_no;
}

int cli_out_write_fn(void *wctx, const void *data, size_t n)
{
    cli_out *o = wctx;
    const uint8_t *p = data;
    if (o->err_no)
        return 1;
    o->written += n;
    while (n > 0) {
        size_t k = CLI_OUT_BUFSZ - o->blen;
        if (k > n)
            k = n;
        memcpy(o->buf + o->blen, p, k);
        o->blen += k;
        p += k;
        n -= k;
        if (o->blen == CLI_OUT_BUFSZ && out_drain(o))
            return 1;
    }
    return 0;
}

static const char *out_name(const cli_out *o)
{
    return o->path ? o->path : "stdout";
}

int cli_out_flush(cli_out *o, cli_err *e)
{
    if (out_drain(o) == 0)
        return 0;
    cli_err_set(e, out_name(o), "write error: %s",
                o->err_no == EINTR ? "interrupted" : strerror(o->err_no));
    return -1;
}

/* Gives the new file the source's permissions, owner and times, as gzip and
 * zstd do. Failures are harmless (the data is what matters) and ignored. */
static void apply_meta(int fd, const struct stat *meta)
{
    if (meta && S_ISREG(meta->st_mode)) {
        struct timespec ts[2] = {meta->st_atim, meta->st_mtim};
        if (fchown(fd, meta->st_uid, meta->st_gid) != 0) {
            /* not permitted for ordinary users: keep our own owner */
        }
        fchmod(fd, meta->st_mode & 0777);
        futimens(fd, ts);
        return;
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
}

/* Renames tmp to path; without force, never replaces an existing path
 * (errno EEXIST then). Returns 0 or -1. */
static int install_file(const char *tmp, const char *path, int force)
{
    struct stat st;
    if (force)
        return rename(tmp, path);
#ifdef RENAME_NOREPLACE
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
        return -1;
#endif
    if (link(tmp, path) == 0) {
        unlink(tmp);
        return 0;
    }
    if (errno == EEXIST)
        return -1;
    if (lstat(path, &st) == 0) {   /* no hard links here: best effort */
        errno = EEXIST;
        return -1;
    }
    return rename(tmp, path);
}

static int commit_temp(cli_out *o, const struct stat *meta, int force, cli_err *e)
{
    apply_meta(o->fd, meta);
    if (fsync(o->fd) != 0) {
        cli_err_set(e, o->path, "fsync failed: %s", strerror(errno));
        return -1;
    }
    int rc = close(o->fd);
    o->fd = -1;
    if (rc != 0) {
        cli_err_set(e, o->path, "close failed: %s", strerror(errno));
        return -1;
    }
    cli_sig_hold();   /* renamed and unregistered together */
    if (cli_sig_pending()) {
        cli_sig_release();
        cli_err_set(e, o->path, "interrupted");
        return -1;
    }
    if (install_file(o->tmp, o->path, force) != 0) {
        int err = errno;
        cli_sig_release();
        if (err == EEXIST)
            cli_err_set(e, o->path, "already exists; use -f to overwrite");
        else
            cli_err_set(e, o->path, "cannot rename the temporary file: %s", strerror(err));
        return -1;
    }
    cli_sig_set_tempfile(CLI_TEMP_OUTPUT, NULL);
    cli_sig_release();
    free(o->tmp);
    o->tmp = NULL;
    cli_sync_dir_of(o->path);
    return 0;
}

static void out_release(cli_out *o)
{
    free(o->buf);
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    o->fd = -1;
}

int cli_out_commit(cli_out *o, const struct stat *meta, int force, cli_err *e)
{
    int rc = cli_out_flush(o, e);
    if (rc == 0 && o->kind == CLI_OUT_TEMP)
        rc = commit_temp(o, meta, force, e);
    if (rc == 0 && o->kind == CLI_OUT_DIRECT) {
        rc = close(o->fd);
        o->fd = -1;
        if (rc != 0)
            cli_err_set(e, o->path, "close failed: %s", strerror(errno));
    }
    if (rc != 0) {
        cli_out_abort(o);
        return -1;
    }
    out_release(o);
    return 0;
}

void cli_out_abort(cli_out *o)
{
    if (!o)
        return;
    if (o->fd >= 0 && o->kind != CLI_OUT_STDOUT && o->kind != CLI_OUT_NONE)
        close(o->fd);
    if (o->tmp) {
        cli_sig_hold();
        unlink(o->tmp);
        cli_sig_set_tempfile(CLI_TEMP_OUTPUT, NULL);
        cli_sig_release();
    }
    out_release(o);
}

int cli_out_read_back(cli_out *o, cli_buf *buf, cli_err *e)
{
    if (cli_out_flush(o, e) != 0)
        return -1;
    if (o->kind != CLI_OUT_TEMP || o->written > SIZE_MAX ||
        cli_buf_reserve(buf, (size_t)o->written) != 0) {
        cli_err_set(e, out_name(o), "cannot read the output back");
        return -1;
    }
    size_t want = (size_t)o->written;
    while (buf->len < want) {
        ssize_t r = pread(o->fd, buf->data + buf->len, want - buf->len, (off_t)buf->len);
        if (r < 0 && errno == EINTR && !cli_sig_pending())
            continue;
        if (r <= 0) {
            cli_err_set(e, out_name(o), "cannot read the output back: %s",
                        r < 0 ? strerror(errno) : "file is short");
            return -1;
        }
        buf->len += (size_t)r;
    }
    return 0;
}

void cli_sync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);   /* some file systems refuse; the rename is still done */
        close(fd);
    }
    free(dir);
}

int cli_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The directory part of path ("." if none) and its last component. */
static int split_path(const char *path, char **dir, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    *dir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup(".");
    return *dir ? 0 : -1;
}

int cli_same_path(const char *a, const char *b)
{
    struct stat sa, sb;
    char *da = NULL, *db = NULL;
    const char *ba, *bb;
    if (strcmp(a, b) == 0 || cli_same_file(a, b))
        return 1;
    int same = 0;
    if (split_path(a, &da, &ba) == 0 && split_path(b, &db, &bb) == 0 &&
        strcmp(ba, bb) == 0 && stat(da, &sa) == 0 && stat(db, &sb) == 0)
        same = sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    free(da);
    free(db);
    return same;
}
