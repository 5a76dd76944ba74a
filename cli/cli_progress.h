/*
 * cli_progress.h - the progress line of the smix CLI, fed by
 * smix_hooks.progress. It is also where a pending SIGINT/SIGTERM turns into
 * "stop" for the engine, so the hook is installed even when nothing is shown.
 */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include <stdint.h>
#include "smix.h"

typedef struct cli_progress {
    int show;            /* draw anything at all */
    int is_tty;          /* redraw in place; else one line every few seconds */
    char label[64];      /* escaped, shortened file name */
    const char *verb;    /* "compressing", "decompressing", "testing" */
    double t_start;
    double t_last;       /* last redraw */
    int drawn;           /* a line is on screen and must be cleared */
    int last_width;
} cli_progress;

/* Sets p up for one file. name is the file name (escaped here). */
void cli_progress_init(cli_progress *p, int show, const char *verb, const char *name);

/* Fills hooks with only the progress callback pointing at p. */
void cli_progress_hooks(cli_progress *p, smix_hooks *hooks);

/* The smix_hooks.progress callback: draws, and returns nonzero when a
 * signal asks to stop. */
int cli_progress_cb(void *user, uint64_t bytes_done, uint64_t bytes_total,
                    uint64_t tokens_done, double bits_so_far);

/* Clears the line (on a terminal) so the next message starts clean. */
void cli_progress_end(cli_progress *p);

#endif /* CLI_PROGRESS_H */
