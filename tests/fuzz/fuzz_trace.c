/*
 * fuzz_trace.c - the trace reader (smix_trace_open and friends) on
 * arbitrary bytes.
 *
 * Each input is tried twice: as it is (almost every mutation then stops at a
 * CRC), and, if it starts like a trace, with every section CRC and the
 * header CRC rewritten to match, so the structural checks behind the CRCs
 * (offsets, counts, string table, index order, token records) are fuzzed.
 * The bytes are written to a temporary file (the reader maps a path). If the
 * reader accepts the file, every token, top-k list, chunk and vocabulary
 * entry is read and every returned byte touched, so a sanitizer sees any
 * out-of-bounds pointer the reader hands out. Property: no crash, no hang;
 * a rejected file comes with a message; an accepted one hands out only
 * finite numbers.
 */
#include "fuzz_trace_file.h"
#include "smix_trace.h"

#include <math.h>

static unsigned touch(const uint8_t *p, uint32_t n)
{
    unsigned s = 0;
    for (uint32_t i = 0; i < n; i++)
        s += p[i];
    return s;
}

/* The reader never hands out a number that is not finite. */
static int token_finite(const smix_trace_token *tk)
{
    int ok = isfinite(tk->bits) && isfinite(tk->p_final) && isfinite(tk->p_ssm) && isfinite(tk->p_ssm_new) &&
             isfinite(tk->entropy) && isfinite(tk->scale) && isfinite(tk->logit) && isfinite(tk->log_norm) &&
             isfinite(tk->fav_logit) && tk->n_comp <= SMIX_TRACE_MAX_COMP && tk->n_steps <= SMIX_TRACE_MAX_STEPS;
    for (uint32_t c = 0; ok && c < tk->n_comp; c++)
        ok &= isfinite(tk->comp[c]) && isfinite(tk->fav_comp[c]);
    for (uint32_t k = 0; ok && k < tk->n_steps; k++)
        ok &= isfinite(tk->step_bits[k]) && isfinite(tk->step_tm[k]);
    return ok;
}

static void read_everything(const smix_trace *t)
{
    volatile unsigned sink = 0;
    smix_trace_summary sum;
    smix_trace_get_summary(t, &sum);
    FUZZ_ASSERT(isfinite(sum.total_bits));
    uint64_t n = smix_trace_count(t);
    for (uint64_t i = 0; i < n; i++) {
        smix_trace_token tk;
        smix_trace_topk top;
        FUZZ_ASSERT(smix_trace_get_token(t, i, &tk) == 0);
        if (tk.length)
            FUZZ_ASSERT(tk.bytes != NULL);
        sink += touch(tk.bytes, tk.length);
        FUZZ_ASSERT(token_finite(&tk));
        FUZZ_ASSERT(smix_trace_get_topk(t, i, &top) == 0);
        for (int k = 0; k < SMIX_TOPK; k++)
            FUZZ_ASSERT(isfinite(top.p[k]) && isfinite(top.ssm_p[k]));
        FUZZ_ASSERT(smix_trace_token_at_offset(t, tk.offset) < n);
    }
    smix_trace_token tk;
    FUZZ_ASSERT(smix_trace_get_token(t, n, &tk) == -1);
    (void)smix_trace_token_at_offset(t, UINT64_MAX);
    uint64_t nc = smix_trace_chunk_count(t);
    for (uint64_t c = 0; c < nc; c++) {
        smix_chunk_info ci;
        FUZZ_ASSERT(smix_trace_get_chunk(t, c, &ci) == 0);
        FUZZ_ASSERT(isfinite(ci.loss) && isfinite(ci.lr));
    }
    /* A damaged header may claim billions of ids: look at the first 2^17
     * (more than any real vocabulary) and the last one. */
    uint32_t nv = smix_trace_vocab_size(t);
    for (uint32_t id = 0; id < nv && id < (1u << 17); id++) {
        uint32_t len = 0;
        const uint8_t *b = smix_trace_vocab_token(t, id, &len);
        if (b)
            sink += touch(b, len);
    }
    if (nv > 0) {
        uint32_t len = 0;
        const uint8_t *b = smix_trace_vocab_token(t, nv - 1, &len);
        if (b)
            sink += touch(b, len);
    }
    if (nv < UINT32_MAX)
        FUZZ_ASSERT(smix_trace_vocab_token(t, nv, &(uint32_t){0}) == NULL);
    smix_trace_part p;
    for (uint32_t c = 0; c < smix_trace_component_count(t); c++) {
        FUZZ_ASSERT(smix_trace_component(t, c, &p) == 0);
        sink += (unsigned)(strlen(p.name) + strlen(p.group) + strlen(p.description));
    }
    for (uint32_t k = 0; k < smix_trace_step_count(t); k++) {
        FUZZ_ASSERT(smix_trace_step(t, k, &p) == 0);
        sink += (unsigned)(strlen(p.name) + strlen(p.description));
    }
    smix_trace_report r;
    FUZZ_ASSERT(smix_trace_report_compute(t, &r) == 0);
    (void)sink;
}

static void try_path(const char *path)
{
    char err[256] = "";
    smix_trace *t = smix_trace_open(path, err, sizeof err);
    if (t) {
        read_everything(t);
        smix_trace_close(t);
    } else {
        FUZZ_ASSERT(err[0] != '\0');
    }
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
