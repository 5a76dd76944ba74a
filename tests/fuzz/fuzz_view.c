/*
 * fuzz_view.c - the viewers' data layer on arbitrary traces: what the
 * shared view model (traceview/: tv_doc, tv_why, tv_text, tv_nav,
 * tv_summary, tv_table, tv_colour, tv_learn) and smix-view (viewer/load.c, pyr.c) compute from a trace before
 * anything is drawn.
 *
 * Inputs are traces (run.sh gives this target the trace target's corpus),
 * tried as they are and with their checksums rewritten (fuzz_trace_file.h).
 * A trace the reader accepts, lazily as both viewers open it, goes through
 * everything the views ask of their models: running sums, the top-1% scan,
 * the report, costly-token and text search both ways, the explain sentence
 * and escaped text of tokens, and the viewer's load pass (pyramids,
 * histograms, colour scales), alone and comparing the trace with itself.
 * Built with UBSan, whose float-cast-overflow check catches a NaN or a huge
 * value turned into an index. Property: no crash, no undefined behaviour.
 */
#include "fuzz_trace_file.h"
#include "smix_trace.h"

#include "../../traceview/tv_doc.h"
#include "../../traceview/tv_nav.h"
#include "../../traceview/tv_text.h"
#include "../../traceview/tv_why.h"
#include "../../traceview/tv_scale.h"
#include "../../traceview/tv_summary.h"
#include "../../traceview/tv_table.h"
#include "../../traceview/tv_colour.h"
#include "../../traceview/tv_learn.h"
#include "../../viewer/view.h"

/* Tokens read one by one at each end (the scans cover the rest). */
#define EDGE 48

static void tv_token(tv_doc *d, uint64_t i)
{
    tv_why w;
    char out[1536];
    tv_glyph g;
    tv_pos next;
    uint64_t last;
    if (tv_why_token(d, i, 1, &w) != 0)
        return;
    (void)tv_scale_level(w.bits);
    tv_why_sentence(&w, d, out, sizeof out);
    for (int k = 0; k < TV_WHY_LINES; k++)
        tv_why_line(&w, d, k, out, sizeof out);
    (void)tv_why_token(d, i, 0, &w);
    tv_text_label(w.tk.bytes, w.tk.length, 1, 40, out, sizeof out);
    tv_text_label(w.tk.bytes, w.tk.length, 0, 12, out, sizeof out);
    (void)tv_text_start(tv_doc_bytes, d, i, 1);
    for (tv_pos p = { i, tv_text_start(tv_doc_bytes, d, i, 1) }; p.tok == i;) {
        if (tv_text_at(tv_doc_bytes, d, p, 1, &g, &next, &last) != 0)
            break;
        p = next;
    }
}

/* The token table under every view: keys that sort, filter, group by id
 * and move, and every line it draws. */
static void table_layer(tv_doc *d)
{
    static const int keys[] = { 'o', 'a', 'o', 'O', 'r', 'n', 'y', 'd', 'd', 'a', 'G', 'k', 'n', 'n', 'y' };
    char line[512];
    tv_table *tb = tv_table_create(d);
    if (!tb)
        return;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        (void)tv_table_key(tb, keys[k], 10);
        tv_table_title(tb, line, sizeof line);
        tv_table_filters(tb, line, sizeof line);
        tv_table_header(tb, line, sizeof line);
        for (size_t i = tb->top; i < tb->n_rows && i < tb->top + 10; i++)
            tv_table_line(tb, i, 1, line, sizeof line);
        (void)tv_table_target(tb);
    }
    tv_table_free(tb);
}

/* Every colouring of the first and last tokens, and its legend. */
static void colour_layer(tv_doc *d)
{
    char lab[64];
    tv_colour c;
    uint64_t n = tv_doc_count(d);
    tv_colour_init(&c, d);
    for (int m = 0; m < TV_COL_COUNT; m++, tv_colour_next(&c, d)) {
        for (uint64_t i = 0; i < n && i < EDGE; i++) {
            (void)tv_colour_level(&c, d, i);
            tv_colour_here(&c, d, n - 1 - i, lab, sizeof lab);
        }
        for (int k = 0; tv_colour_legend(&c, d, k, lab, sizeof lab) >= 0 && k < 16; k++) {}
        for (int k = 0; tv_colour_legend_short(&c, d, k, lab, sizeof lab) >= 0 && k < 16; k++) {}
        (void)tv_colour_short_name(c.mode);
    }
}

static void tui_layer(const char *path)
{
    char err[256];
    smix_trace *t = smix_trace_open_ex(path, SMIX_TRACE_OPEN_LAZY, err, sizeof err);
    if (!t)
        return;
    tv_doc *d = tv_doc_create(t, path);
    if (!d) {
        smix_trace_close(t);
        return;
    }
    uint64_t n = tv_doc_count(d);
    int wrapped;
    tv_nav nav = { 0 };
    (void)tv_doc_bits_before(d, n / 2);
    (void)tv_doc_bits_before(d, n);
    (void)tv_doc_stats(d);
    (void)tv_doc_report(d);
    (void)tv_doc_next_costly(d, 0, 1);
    (void)tv_doc_next_costly(d, 0, -1);
    (void)tv_doc_search(d, 0, "e", 1, &wrapped);
    (void)tv_doc_search(d, n ? n - 1 : 0, "The", -1, &wrapped);
    (void)tv_nav_jump(&nav, d, "@3");
    (void)tv_nav_jump(&nav, d, "50%");
    tv_nav_status(&nav, d, err, sizeof err);
    tv_srow *rows;
    size_t nrows;
    if (tv_summary_rows(d, 1, &rows, &nrows) == 0)
        free(rows);
    table_layer(d);
    colour_layer(d);
    tv_learn learn;
    tv_learn_init(&learn, d);
    for (uint64_t i = 0; i < n && i < EDGE; i++) {
        tv_learn_line(d, i, err, sizeof err);
        tv_learn_line(d, n - 1 - i, err, sizeof err);
    }
    if (n && tv_summary_range_rows(d, n - 1, n / 3, 1, &rows, &nrows) == 0)
        free(rows);
    for (uint64_t i = 0; i < n && i < EDGE; i++) {
        tv_token(d, i);
        tv_token(d, n - 1 - i);
    }
    tv_doc_free(d);
}

static void view_token(const vw_state *st, uint64_t i)
{
    (void)vw_bits_a(st, i);
    (void)vw_bits_b_on_a(st, i);
    (void)vw_bytes_upto(st, i);
}

static void view_layer(const char *path, int compare)
{
    char err[256];
    vw_state *st = calloc(1, sizeof *st);
    FUZZ_ASSERT(st != NULL);
    st->sync_verify = 1;   /* as for screenshots: the whole check first */
    st->compare = compare;
    if (vw_load_open(st, &st->a, path, err, sizeof err) == 0 &&
        (!compare || vw_load_open(st, &st->b, path, err, sizeof err) == 0) &&
        vw_load_prepare(st, err, sizeof err) == 0) {
        uint64_t n = st->a.n;
        (void)tv_doc_next_costly(st->a.d, 0, 1);
        (void)tv_doc_next_costly(st->a.d, 0, -1);
        (void)vw_pyr_query(&st->pa, 0, n);
        for (uint64_t i = 0; i < n && i < EDGE; i++) {
            view_token(st, i);
            view_token(st, n - 1 - i);
        }
    }
    vw_load_free(st);
    free(st);
}

static void try_path(const char *path)
{
    tui_layer(path);
    view_layer(path, 0);
    view_layer(path, 1);
}

static void try_file(const uint8_t *data, size_t size)
{
    fuzz_trace_as_file(data, size, try_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_as_is_and_resealed(data, size, try_file, fuzz_trace_reseal);
    return 0;
}
