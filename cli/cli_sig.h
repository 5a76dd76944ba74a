/*
 * cli_sig.h - SIGINT/SIGTERM handling for the smix CLI.
 *
 * The first signal only sets a flag: the progress hook sees it, the engine
 * returns SMIX_ERR_ABORTED and the normal error path removes the temporary
 * output. A second signal (the user insisting) removes the registered
 * temporary file from the handler itself and exits at once.
 */
#ifndef CLI_SIG_H
#define CLI_SIG_H

/* Installs the handlers and ignores SIGPIPE (a closed pipe then shows up as
 * an EPIPE write error that is reported like any other). */
void cli_sig_install(void);

/* The signal number received, or 0. */
int cli_sig_pending(void);

/* Registers the temporary file that a second signal must remove (NULL to
 * clear). The path is copied; names longer than 4095 bytes are not registered. */
void cli_sig_set_tempfile(const char *path);

#endif /* CLI_SIG_H */
