/*
 * cli_progress.c - one status line on stderr while a file is coded:
 * percentage, bytes done/total, bytes/s and tokens/s, bits per byte so far
 * and ETA.
 * On a terminal it is redrawn in place at most 10 times a second; when
 * stderr is not a terminal (forced with -v) a plain line is printed every
 * few seconds instead, so logs stay readable.
 */
#include "cli_progress.h"
#include "cli_sig.h"
#include "cli_util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TTY_INTERVAL 0.1
#define LOG_INTERVAL 5.0

void cli_progress_init(cli_progress *p, int show, const char *verb, const char *name)
{
    char esc[1024];
    memset(p, 0, sizeof *p);
    p->show = show;
    p->is_tty = isatty(STDERR_FILENO);
    p->verb = verb;
    cli_escape(name, esc, sizeof esc);
    size_t n = strlen(esc);
    if (n >= sizeof p->label) {  /* keep the end of long names: it differs */
        const char *tail = esc + n - (sizeof p->label - 4);
        while ((*tail & 0xC0) == 0x80)   /* do not start inside a UTF-8 character */
            tail++;
        snprintf(p->label, sizeof p->label, "...%s", tail);
    } else {
        memcpy(p->label, esc, n + 1);
    }
    p->t_start = p->t_last = cli_now();
}

void cli_progress_hooks(cli_progress *p, smix_hooks *hooks)
{
    memset(hooks, 0, sizeof *hooks);
    hooks->version = SMIX_HOOKS_VERSION;
    hooks->user = p;
    hooks->progress = cli_progress_cb;
}

static void format_eta(double s, char *out, size_t outlen)
{
    if (!(s >= 0) || s > 359999) {
        snprintf(out, outlen, "--:--");
        return;
    }
    unsigned t = (unsigned)(s + 0.5);
    if (t >= 3600)
        snprintf(out, outlen, "%u:%02u:%02u", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(out, outlen, "%u:%02u", t / 60, t % 60);
}

static void draw(cli_progress *p, uint64_t done, uint64_t total, uint64_t tokens,
                 double bits, double now)
{
    char d[32], t[32], eta[32], rate[32], line[256];
    double el = now - p->t_start;
    double pct = total ? 100.0 * (double)done / (double)total : 0.0;
    double tps = el > 0 ? (double)tokens / el : 0.0;
    cli_human_size(el > 0 ? (uint64_t)((double)done / el) : 0, rate, sizeof rate);
    double bpb = done ? bits / (double)done : 0.0;
    format_eta(done && total > done ? el * (double)(total - done) / (double)done : 0,
               eta, sizeof eta);
    int w = snprintf(line, sizeof line, "%s %s %5.1f%% %s / %s  %s/s  %.0f tok/s  %.3f bpb  ETA %s",
                     p->verb, p->label, pct, cli_human_size(done, d, sizeof d),
                     cli_human_size(total, t, sizeof t), rate, tps, bpb, eta);
    if (w < 0)
        return;
    if (p->is_tty) {
        int pad = p->last_width > w ? p->last_width - w : 0;
        fprintf(stderr, "\r%s%*s", line, pad, "");
        p->last_width = w;
        p->drawn = 1;
    } else {
        fprintf(stderr, "%s\n", line);
    }
    fflush(stderr);
}

int cli_progress_cb(void *user, uint64_t bytes_done, uint64_t bytes_total,
                    uint64_t tokens_done, double bits_so_far)
{
    cli_progress *p = user;
    if (cli_sig_pending())
        return 1;
    if (!p || !p->show)
        return 0;
    double now = cli_now();
    if (now - p->t_last < (p->is_tty ? TTY_INTERVAL : LOG_INTERVAL))
        return 0;
    p->t_last = now;
    draw(p, bytes_done, bytes_total, tokens_done, bits_so_far, now);
    return 0;
}

void cli_progress_end(cli_progress *p)
{
    if (!p || !p->drawn)
        return;
    fprintf(stderr, "\r%*s\r", p->last_width, "");
    fflush(stderr);
    p->drawn = 0;
    p->last_width = 0;
}
