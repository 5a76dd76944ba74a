/*
 * fuzz_trace.c - the trace reader (smix_trace_open and friends) on
 * arbitrary bytes.
 *
 * The bytes are written to a temporary file (the reader maps a path). If the
 * reader accepts the file, every token, top-k list, chunk and vocabulary
 * entry is read and every returned byte touched, so a sanitizer sees any
 * out-of-bounds pointer the reader hands out. Property: no crash, no hang;
 * a rejected file comes with a message.
 */
#include "fuzz_common.h"
#include "smix_trace.h"

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
    uint32_t nv = smix_trace_vocab_size(t);
    for (uint32_t id = 0; id < nv; id++) {
        uint32_t len = 0;
        const uint8_t *b = smix_trace_vocab_token(t, id, &len);
        if (b)
            sink += touch(b, len);
    }
    FUZZ_ASSERT(smix_trace_vocab_token(t, nv, &(uint32_t){0}) == NULL);
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
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
    return 0;
}
