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
 * a rejected file comes with a message.
 */
#include "fuzz_common.h"
#include "smix_trace.h"
#include "trace_format.h"

#include <unistd.h>

static unsigned touch(const uint8_t *p, uint32_t n)
{
    unsigned s = 0;
    for (uint32_t i = 0; i < n; i++)
        s += p[i];
    return s;
}

static void read_everything(const smix_trace *t)
{
    volatile unsigned sink = 0;
    smix_trace_summary sum;
    smix_trace_get_summary(t, &sum);
    uint64_t n = smix_trace_count(t);
    for (uint64_t i = 0; i < n; i++) {
        smix_trace_token tk;
        smix_trace_topk top;
        FUZZ_ASSERT(smix_trace_get_token(t, i, &tk) == 0);
        if (tk.length)
            FUZZ_ASSERT(tk.bytes != NULL);
        sink += touch(tk.bytes, tk.length);
        FUZZ_ASSERT(smix_trace_get_topk(t, i, &top) == 0);
        FUZZ_ASSERT(smix_trace_token_at_offset(t, tk.offset) < n);
    }
    smix_trace_token tk;
    FUZZ_ASSERT(smix_trace_get_token(t, n, &tk) == -1);
    (void)smix_trace_token_at_offset(t, UINT64_MAX);
    uint64_t nc = smix_trace_chunk_count(t);
    for (uint64_t c = 0; c < nc; c++) {
        smix_chunk_info ci;
        FUZZ_ASSERT(smix_trace_get_chunk(t, c, &ci) == 0);
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

/* Rewrites the section CRCs that lie inside the buffer and the header CRC
 * (layout in engine/trace_format.h). Returns 0 if buf is not trace-like. */
static int reseal(uint8_t *buf, size_t size)
{
    if (size < TRC_HEADER_SIZE || memcmp(buf, TRC_MAGIC, TRC_MAGIC_LEN) != 0)
        return 0;
    uint32_t hs = trc_get32(buf + TRC_H_HEADER_SIZE);
    uint32_t ns = trc_get32(buf + TRC_H_NSECTIONS);
    if (hs < TRC_HEADER_SIZE || hs > size || hs % 4 != 0)
        return 0;
    for (uint32_t i = 0; i < ns && TRC_H_SECTIONS + (i + 1) * TRC_SECTION_SIZE <= hs - 4; i++) {
        uint8_t *d = buf + TRC_H_SECTIONS + i * TRC_SECTION_SIZE;
        uint64_t off = trc_get64(d), count = trc_get64(d + 8), elem = trc_get32(d + 16);
        if (off > size || (elem && count > (size - off) / elem))
            continue;
        trc_put32(d + 20, crc32c(0, buf + off, (size_t)(count * elem)));
    }
    trc_put32(buf + hs - 4, crc32c(0, buf, hs - 4));
    return 1;
}

static void try_file(const uint8_t *data, size_t size)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/smix-fuzz-trace-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    FUZZ_ASSERT(fd >= 0);
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        FUZZ_ASSERT(w > 0);
        done += (size_t)w;
    }
    close(fd);

    char err[256] = "";
    smix_trace *t = smix_trace_open(path, err, sizeof err);
    if (t) {
        read_everything(t);
        smix_trace_close(t);
    } else {
        FUZZ_ASSERT(err[0] != '\0');
    }
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_as_is_and_resealed(data, size, try_file, reseal);
    return 0;
}
