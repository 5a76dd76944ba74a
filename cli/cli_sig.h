/*
 * cli_sig.h - SIGINT/SIGTERM/SIGHUP handling for the smix CLI.
 *
 * The first signal only sets a flag: the progress hook sees it, the engine
 * returns SMIX_ERR_ABORTED and the normal error path removes the temporary
 * output and trace. A second signal (the user insisting) removes the
 * registered temporary files from the handler itself and exits at once.
 * Creating, renaming or removing a temporary file happens between
 * cli_sig_hold() and cli_sig_release() together with its registration, so
 * that no signal, at any moment, can leave a file behind.
 */
#ifndef CLI_SIG_H
#define CLI_SIG_H

/* Installs the handlers (call on the main thread) and ignores SIGPIPE (a
 * closed pipe then shows up as an EPIPE write error that is reported like
 * any other). */
void cli_sig_install(void);

/* The signal number received, or 0. */
int cli_sig_pending(void);

/* Hold the signals (on the main thread) while a temporary file and its
 * registration change together; release delivers what came meanwhile.
 * Pairs nest. */
void cli_sig_hold(void);
void cli_sig_release(void);

/* The temporary files a second signal must remove: one per slot (NULL to
 * clear). The path is copied; names longer than 4095 bytes are not
 * registered. */
enum { CLI_TEMP_OUTPUT, CLI_TEMP_TRACE, CLI_TEMP_SLOTS };
void cli_sig_set_tempfile(int slot, const char *path);

#endif /* CLI_SIG_H */
