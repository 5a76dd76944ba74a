/*
 * tv_nav.c - cursor commands shared by both viewers (see tv_nav.h).
 */
#include "tv_nav.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 3, 4)))
static void tv__msg(tv_nav *v, int error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->msg, sizeof v->msg, fmt, ap);
    va_end(ap);
    v->msg_error = error;
}

int tv_nav_goto(tv_nav *v, tv_doc *d, uint64_t t)
{
    uint64_t n = tv_doc_count(d), old = v->cur;
    v->cur = n == 0 ? 0 : (t < n ? t : n - 1);
    return v->cur != old;
}

int tv_nav_find(tv_nav *v, tv_doc *d, const char *pat, int dir)
{
    char shown[128];
    int wrapped = 0;
    if (pat && pat[0]) snprintf(v->search, sizeof v->search, "%s", pat);
    if (!v->search[0]) {
        tv__msg(v, 1, "no search yet: press / first");
        return 0;
    }
    tv_text_label((const uint8_t *)v->search, strlen(v->search), 1, 40, shown, sizeof shown);
    int64_t t = tv_doc_search(d, v->cur, v->search, dir, &wrapped);
    if (t < 0) {
        tv__msg(v, 1, "pattern not found: %s", shown);
        return 0;
    }
    tv_nav_goto(v, d, (uint64_t)t);
    if (wrapped) tv__msg(v, 0, "/%s: search hit %s, continuing at %s", shown,
                         dir > 0 ? "BOTTOM" : "TOP", dir > 0 ? "TOP" : "BOTTOM");
    else tv__msg(v, 0, "/%s", shown);
    return 1;
}

int tv_nav_costly(tv_nav *v, tv_doc *d, int dir)
{
    int64_t t = tv_doc_next_costly(d, v->cur, dir);
    const tv_stats *s = tv_doc_stats(d);
    if (t < 0) {
        tv__msg(v, 1, "no costly token");
        return 0;
    }
    tv_nav_goto(v, d, (uint64_t)t);
    tv__msg(v, 0, "top 1%%: %.2f+ bits (%llu tokens)", s->top1_threshold, (unsigned long long)s->top1_count);
    return 1;
}

int tv_nav_set_mark(tv_nav *v)
{
    v->mark = v->cur;
    v->has_mark = 1;
    tv__msg(v, 0, "mark set at #%llu (' jumps back)", (unsigned long long)v->cur);
    return 0;
}

int tv_nav_to_mark(tv_nav *v, tv_doc *d)
{
    if (!v->has_mark) {
        tv__msg(v, 1, "no mark set: press m first");
        return 0;
    }
    uint64_t t = v->mark;
    v->mark = v->cur;   /* so that ' again returns: like vim's '' */
    tv__msg(v, 0, "at the mark #%llu (' returns to #%llu)", (unsigned long long)t, (unsigned long long)v->mark);
    return tv_nav_goto(v, d, t) || 1;
}

int tv_nav_jump(tv_nav *v, tv_doc *d, const char *text)
{
    uint64_t t;
    if (tv_doc_parse_jump(d, text, &t) != 0) {
        char shown[96];
        tv_text_label((const uint8_t *)text, strlen(text), 1, 32, shown, sizeof shown);
        tv__msg(v, 1, "cannot jump to '%s': use 123 (a token number, from 0), @4567, 4567b or 50%%", shown);
        return 0;
    }
    tv_nav_goto(v, d, t);
    v->msg[0] = 0;
    return 1;
}

void tv_nav_status(tv_nav *v, tv_doc *d, char *out, size_t outlen)
{
    smix_trace_token tk;
    uint64_t n = tv_doc_count(d);
    if (n == 0) { snprintf(out, outlen, "empty trace"); return; }
    tv_doc_token(d, v->cur, &tk);
    snprintf(out, outlen, "#%llu of %llu  off %llu  %.2f bits  bpb %.3f", (unsigned long long)v->cur,
             (unsigned long long)n, (unsigned long long)tk.offset, tk.bits, tv_doc_bpb_upto(d, v->cur));
}
