/*
 * cli_io.h - file input and crash-safe output for the smix CLI.
 *
 * Inputs are read whole into memory (the engine codes a whole buffer).
 * Outputs to a path go to a temporary file in the same directory that is
 * fsynced, given the source's mode and times, and renamed into place only
 * when complete, without replacing an existing file unless forced; on any
 * failure the temporary file is removed. Devices (/dev/null, /dev/full) and
 * stdout are written directly.
 */
#ifndef CLI_IO_H
#define CLI_IO_H

#include <stdint.h>
#include <sys/stat.h>
#include "cli_util.h"

/* An input: opened and fstat()ed first, so that its size and its first
 * bytes can be checked before the rest is read. */
typedef struct cli_in {
    int fd;
    int owned;           /* opened here (stdin is not closed) */
    int eof;             /* read() returned 0 */
    const char *name;    /* for messages: the path or "stdin" */
    struct stat st;
} cli_in;

/* Opens path (NULL = stdin) and fstat()s it; refuses a directory. Returns 0
 * or -1 (e set). */
int cli_in_open(cli_in *in, const char *path, cli_err *e);

/* 1 and the size in *size for a regular file, else 0 (a pipe, a device:
 * the size is known only once read). */
int cli_in_size(const cli_in *in, uint64_t *size);

/* Appends to buf what in has, until buf holds want bytes (UINT64_MAX: all)
 * or the input ends. Never holds much more than limit bytes: returns 1 as
 * soon as buf->len exceeds limit (the caller says which limit), 0 when
 * done, -1 on a read error (e set; a signal counts as one). */
int cli_in_read(cli_in *in, cli_buf *buf, uint64_t want, uint64_t limit, cli_err *e);

void cli_in_close(cli_in *in);   /* safe to call twice */

enum cli_out_kind { CLI_OUT_NONE, CLI_OUT_STDOUT, CLI_OUT_DIRECT, CLI_OUT_TEMP };

typedef struct cli_out {
    enum cli_out_kind kind;
    int fd;
    char *path;          /* final name (NULL for stdout) */
    char *tmp;           /* temporary name while kind == CLI_OUT_TEMP */
    uint8_t *buf;        /* write buffer */
    size_t blen;
    int err_no;          /* first write error (errno), 0 if none */
    uint64_t written;    /* bytes accepted so far */
} cli_out;

/* Checks before any work that path may be written: an existing regular file
 * needs force; a directory never. Devices and FIFOs are written in place.
 * Returns 0 or -1 (e set). */
int cli_out_check(const char *path, int force, cli_err *e);

/* Opens an output: path NULL means stdout. Returns 0 or -1 (e set). */
int cli_out_open(cli_out *o, const char *path, cli_err *e);

/* smix_write_fn over a cli_out: buffers, returns nonzero on a write error
 * (the errno is kept in o->err_no). */
int cli_out_write_fn(void *wctx, const void *data, size_t n);

/* Flushes the buffer. Returns 0 or -1 (e set). */
int cli_out_flush(cli_out *o, cli_err *e);

/* Finishes the output: flush; for a temporary file copy mode/owner/times
 * from meta (NULL: 0666 & ~umask, current time), fsync, close, rename into
 * place (refusing to replace an existing file unless force) and fsync the
 * directory. On failure the temporary file is removed. Returns 0 or -1. */
int cli_out_commit(cli_out *o, const struct stat *meta, int force, cli_err *e);

/* Discards an output: closes it and removes a temporary file. Safe to call
 * on a committed, never opened or zeroed cli_out. */
void cli_out_abort(cli_out *o);

/* Reads back the completed temporary file (before commit) into buf, to
 * verify what reached the file system. Returns 0 or -1 (e set). */
int cli_out_read_back(cli_out *o, cli_buf *buf, cli_err *e);

/* fsync()s the directory holding path, so a rename in it is durable. */
void cli_sync_dir_of(const char *path);

/* 1 if a and b name the same existing file, else 0. */
int cli_same_file(const char *a, const char *b);

/* 1 if a and b name the same file, existing or not yet (the same name in
 * the same directory, however the paths spell it), else 0. */
int cli_same_path(const char *a, const char *b);

#endif /* CLI_IO_H */
