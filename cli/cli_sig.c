/*
 * cli_sig.c - the only process-wide mutable state of the smix CLI.
 *
 * A signal handler cannot be handed a context, so the flag and the name of
 * the temporary file in progress live in statics here, touched only through
 * the functions below and by async-signal-safe code in the handler.
 */
#define _GNU_SOURCE
#include "cli_sig.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t sig_received;
static volatile sig_atomic_t temp_valid;
static char temp_path[4096];

static void on_signal(int sig)
{
    if (sig_received == 0) {
        sig_received = sig;
        return;
    }
    /* second signal: do not wait for the engine to notice */
    if (temp_valid)
        unlink(temp_path);
    _exit(128 + sig);
}

void cli_sig_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;   /* no SA_RESTART: a blocked read() returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int cli_sig_pending(void)
{
    return (int)sig_received;
}

void cli_sig_set_tempfile(const char *path)
{
    temp_valid = 0;
    if (!path || strlen(path) >= sizeof temp_path)
        return;
    memcpy(temp_path, path, strlen(path) + 1);
    temp_valid = 1;
}
