/*
 * fuzz_view.c - the viewers' data layer on arbitrary traces: what smix-tui
 * (tui/doc.c, explain.c, esc.c) and smix-view (viewer/load.c, pyr.c, esc.c)
 * compute from a trace before anything is drawn.
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

#include "../../tui/doc.h"
#include "../../tui/esc.h"
#include "../../tui/explain.h"
#include "../../viewer/view.h"

/* Tokens read one by one at each end (the scans cover the rest). */
#define EDGE 48

static void tui_token(const doc *d, uint64_t i)
{
    smix_trace_token tk;
    smix_trace_topk top;
    char out[1024];
    if (doc_token(d, i, &tk) != 0)
        return;
    (void)doc_level(tk.bits);
    int have = smix_trace_get_topk(doc_trace(d), i, &top) == 0;
    explain_token(&tk, have ? &top : NULL, doc_trace(d), 1, out, sizeof out);
    explain_token(&tk, have ? &top : NULL, doc_trace(d), 0, out, sizeof out);
    (void)esc_width(tk.bytes, tk.length, 1);
    esc_string(tk.bytes, tk.length, 1, out, sizeof out);
}

static void tui_layer(const char *path)
{
    char err[256];
    smix_trace *t = smix_trace_open_ex(path, SMIX_TRACE_OPEN_LAZY, err, sizeof err);
    if (!t)
        return;
    doc *d = doc_create(t, path);
    if (!d) {
        smix_trace_close(t);
        return;
    }
    uint64_t n = doc_count(d);
    int wrapped;
    (void)doc_bits_before(d, n / 2);
    (void)doc_bits_before(d, n);
    (void)doc_get_stats(d);
    (void)doc_report(d);
    (void)doc_next_costly(d, 0, 1);
    (void)doc_next_costly(d, 0, -1);
    (void)doc_search(d, 0, "e", 1, &wrapped);
    (void)doc_search(d, n ? n - 1 : 0, "The", -1, &wrapped);
    for (uint64_t i = 0; i < n && i < EDGE; i++) {
        tui_token(d, i);
        tui_token(d, n - 1 - i);
    }
    doc_free(d);
}

static void view_token(const vw_state *st, uint64_t i)
{
    smix_trace_token tk;
    char out[256];
    (void)vw_bits_a(st, i);
    (void)vw_bits_b_on_a(st, i);
    (void)vw_bytes_upto(st, i);
    if (smix_trace_get_token(st->a.t, i, &tk) == 0) {
        vw_esc_str(tk.bytes, tk.length, VW_ESC_MAP, 40, out, sizeof out);
        vw_esc_str(tk.bytes, tk.length, VW_ESC_LABEL, 12, out, sizeof out);
    }
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
        (void)vw_load_costly(st, 0, 1);
        (void)vw_load_costly(st, 0, -1);
        (void)vw_load_search(st, 0, "e", 1);
        (void)vw_load_search(st, 0, "The", -1);
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
