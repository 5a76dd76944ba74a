/*
 * cli_util.c - helpers for the smix CLI that have nothing to do with files:
 * the output buffer the engine writes into, terminal-safe escaping of names
 * and messages (file names are untrusted input too; the rule is the
 * engine's smix_text_escape), and number parsing and printing.
 */
#include "cli_util.h"
#include "smix.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void cli_buf_free(cli_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int cli_buf_reserve(cli_buf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (extra <= b->cap - b->len)
        return 0;
    size_t cap = b->cap ? b->cap : 65536;
    while (cap - b->len < extra) {
        if (cap > SIZE_MAX / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    uint8_t *d = realloc(b->data, cap);
    if (!d) {
        b->failed = 1;
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

int cli_buf_append(cli_buf *b, const void *p, size_t n)
{
    if (cli_buf_reserve(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int cli_buf_write_fn(void *wctx, const void *data, size_t n)
{
    return cli_buf_append(wctx, data, n) ? 1 : 0;
}

char *cli_escape(const char *name, char *out, size_t outlen)
{
    smix_text_escape(name, strlen(name), out, outlen);
    return out;
}

/* Binary unit suffix after a number: "", "B", "K", "KB", "KiB" (any case of
 * the first letter), as xz accepts for --memlimit. */
static int unit_shift(const char *u, unsigned *shift)
{
    static const char units[] = "KMGTP";
    *shift = 0;
    if (*u == '\0' || strcmp(u, "B") == 0)
        return 0;
    const char *p = strchr(units, toupper((unsigned char)*u));
    if (!p)
        return -1;
    *shift = 10u * (unsigned)(p - units + 1);
    u++;
    return (*u == '\0' || strcmp(u, "B") == 0 || strcmp(u, "iB") == 0) ? 0 : -1;
}

int cli_parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned shift;
    if (!s || *s < '0' || *s > '9')
        return -1;
    double v = strtod(s, &end);
    if (end == s || unit_shift(end, &shift) != 0)
        return -1;
    v *= (double)((uint64_t)1 << shift);
    if (!(v >= 0) || v >= 18446744073709551616.0)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

char *cli_human_size(uint64_t n, char *out, size_t outlen)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (n < 1024) {
        snprintf(out, outlen, "%u B", (unsigned)n);
        return out;
    }
    double v = (double)n / 1024.0;
    int u = 0;
    while (v >= 1024.0 && u < 5) {
        v /= 1024.0;
        u++;
    }
    snprintf(out, outlen, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
    return out;
}

char *cli_group_digits(uint64_t n, char *out, size_t outlen)
{
    char digits[32];
    int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
    size_t o = 0;
    for (int i = 0; i < nd && o + 2 < outlen; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    if (outlen)
        out[o < outlen ? o : outlen - 1] = '\0';
    return out;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_err_set(cli_err *e, const char *name, const char *fmt, ...)
{
    va_list ap;
    char raw[sizeof e->msg];
    if (e->msg[0])
        return;
    cli_escape(name ? name : "", e->where, sizeof e->where);
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    cli_escape(raw[0] ? raw : "unknown error", e->msg, sizeof e->msg);   /* names inside too */
}
