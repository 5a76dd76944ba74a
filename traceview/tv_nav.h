/*
 * tv_nav.h - the cursor of a viewer and the commands that move it: search,
 * costly tokens, marks, jumps, and the status line that reports it.
 *
 * Both viewers keep one tv_nav and call these for the same keys, so a jump,
 * a search or a mark lands on the same token and says the same thing in
 * both. Each command returns 1 if the cursor moved, 0 if not, and leaves a
 * one-line message (escaped, safe to draw; "" for none) in nav->msg, with
 * nav->msg_error set for a failure.
 */
#ifndef TV_NAV_H
#define TV_NAV_H

#include <stddef.h>
#include <stdint.h>
#include "tv_doc.h"

typedef struct tv_nav {
    uint64_t cur;          /* the selected token */
    uint64_t mark;
    int has_mark;
    char search[256];      /* the last search pattern (raw bytes) */
    char msg[256];
    int msg_error;
} tv_nav;

/* Moves to token t, clipped to the trace. Returns 1 if it moved. */
int tv_nav_goto(tv_nav *v, tv_doc *d, uint64_t t);
/* Next (dir > 0) / previous match of v->search (pat, if not NULL, becomes
 * the search first). */
int tv_nav_find(tv_nav *v, tv_doc *d, const char *pat, int dir);
/* Next / previous token of the top 1% by bits. */
int tv_nav_costly(tv_nav *v, tv_doc *d, int dir);
int tv_nav_set_mark(tv_nav *v);
/* To the mark, leaving the mark where the cursor was (so it toggles). */
int tv_nav_to_mark(tv_nav *v, tv_doc *d);
/* Runs a ':' jump (tv_doc_parse_jump's syntax). */
int tv_nav_jump(tv_nav *v, tv_doc *d, const char *text);

/* The left part of both status lines: "#12 of 2521  off 40  3.21 bits
 * bpb 2.480" (token number, byte offset, the token's bits, bits per byte
 * so far). */
void tv_nav_status(tv_nav *v, tv_doc *d, char *out, size_t outlen);

#endif /* TV_NAV_H */
