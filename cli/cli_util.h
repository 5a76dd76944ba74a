/*
 * cli_util.h - small helpers shared by the smix command-line tool:
 * a growable byte buffer, escaping of untrusted names for the terminal,
 * size parsing/formatting and a monotonic clock.
 */
#ifndef CLI_UTIL_H
#define CLI_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Growable byte buffer with a sticky error flag (set when an allocation
 * fails; later appends are ignored and the caller checks once). */
typedef struct cli_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    int failed;
} cli_buf;

void cli_buf_free(cli_buf *b);
/* Makes room for extra more bytes. Returns 0 or -1 (and sets failed). */
int cli_buf_reserve(cli_buf *b, size_t extra);
/* Appends n bytes; returns 0, or -1 (and sets failed) on allocation failure. */
int cli_buf_append(cli_buf *b, const void *p, size_t n);
/* smix_write_fn that appends to a cli_buf. */
int cli_buf_write_fn(void *wctx, const void *data, size_t n);

/* An error to report as "smix: WHERE: MSG". Both are stored escaped
 * (smix_text_escape), so a name quoted inside the message is too. */
typedef struct cli_err {
    char where[1024];
    char msg[512];
} cli_err;

/* Sets e (if it is not set yet: the first error is the cause, later ones
 * are consequences). name may be NULL for "stdin"-less messages. */
void cli_err_set(cli_err *e, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes name to out (at most outlen-1 bytes, always terminated) as the
 * engine's smix_text_escape does: controls, C1, DEL, bidi and other
 * invisible characters, invalid UTF-8 and backslashes as escapes, so no file
 * name can send a terminal sequence. Returns out. */
char *cli_escape(const char *name, char *out, size_t outlen);

/* Parses "123", "64K", "1.5M", "2G", "1T", "512MiB" (binary units) into *out.
 * Returns 0, or -1 on a malformed or overflowing value. */
int cli_parse_size(const char *s, uint64_t *out);

/* Formats n bytes as "999 B", "12.3 KiB", "1.00 MiB"... into out. */
char *cli_human_size(uint64_t n, char *out, size_t outlen);
/* Formats n with thousands separators ("1,234,567"). */
char *cli_group_digits(uint64_t n, char *out, size_t outlen);

/* Seconds from an arbitrary fixed point, monotonic. */
double cli_now(void);

#endif /* CLI_UTIL_H */
