/*
 * cli_sig.c - the only process-wide mutable state of the smix CLI.
 *
 * A signal handler cannot be handed a context, so the flag and the names of
 * the temporary files in progress live in statics here, touched only through
 * the functions below and by async-signal-safe code in the handler.
 *
 * Nothing may be left behind, however many signals arrive and whenever:
 *  - every temporary file (the output's, the trace's) is registered while it
 *    exists under its temporary name, and the file system and the registry
 *    change together with the signals held (cli_sig_hold): a handler never
 *    sees a file that is not registered or a name half copied;
 *  - the handler runs on the main thread only: a signal that lands on one
 *    of the engine's threads is passed on to the main thread, the one that
 *    holds signals around those changes.
 */
#define _GNU_SOURCE
#include "cli_sig.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t sig_received;
static pid_t main_tid;
static struct {
    char path[4096];
    volatile sig_atomic_t valid;
} temps[CLI_TEMP_SLOTS];
static int hold_depth;        /* main thread only */
static sigset_t hold_saved;

static const int handled[] = { SIGINT, SIGTERM, SIGHUP };

static void on_signal(int sig)
{
    int saved_errno = errno;
    if ((pid_t)syscall(SYS_gettid) != main_tid) {
        syscall(SYS_tgkill, (pid_t)getpid(), main_tid, sig);
        errno = saved_errno;
        return;
    }
    if (sig_received == 0) {
        sig_received = sig;
        errno = saved_errno;
        return;
    }
    /* a second signal: do not wait for the engine to notice */
    for (int i = 0; i < CLI_TEMP_SLOTS; i++)
        if (temps[i].valid)
            unlink(temps[i].path);
    _exit(128 + sig);
}

void cli_sig_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    main_tid = (pid_t)syscall(SYS_gettid);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
        sigaddset(&sa.sa_mask, handled[i]);   /* one handler at a time */
    sa.sa_flags = 0;   /* no SA_RESTART: a blocked read() returns EINTR */
    for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
        sigaction(handled[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int cli_sig_pending(void)
{
    return (int)sig_received;
}

void cli_sig_hold(void)
{
    if (hold_depth++ > 0)
        return;
    sigset_t s;
    sigemptyset(&s);
    for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
        sigaddset(&s, handled[i]);
    pthread_sigmask(SIG_BLOCK, &s, &hold_saved);
}

void cli_sig_release(void)
{
    if (hold_depth > 0 && --hold_depth == 0)
        pthread_sigmask(SIG_SETMASK, &hold_saved, NULL);
}

void cli_sig_set_tempfile(int slot, const char *path)
{
    if (slot < 0 || slot >= CLI_TEMP_SLOTS)
        return;
    cli_sig_hold();
    temps[slot].valid = 0;
    if (path && strlen(path) < sizeof temps[slot].path) {
        memcpy(temps[slot].path, path, strlen(path) + 1);
        temps[slot].valid = 1;
    }
    cli_sig_release();
}
