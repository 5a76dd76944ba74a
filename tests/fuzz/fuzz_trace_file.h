/*
 * fuzz_trace_file.h - what the two trace targets (fuzz_trace: the reader,
 * fuzz_view: the viewers' data layer) share: rewriting a mutated trace's
 * checksums so that mutations get past them, and handing the bytes to code
 * that opens a path.
 */
#ifndef SMIX_FUZZ_TRACE_FILE_H
#define SMIX_FUZZ_TRACE_FILE_H

#include "fuzz_common.h"
#include "trace_format.h"

#include <stdlib.h>

#include <unistd.h>

/* Rewrites the section CRCs that lie inside the buffer and the header CRC
 * (layout in engine/trace_format.h). Returns 0 if buf is not trace-like. */
static inline int fuzz_trace_reseal(uint8_t *buf, size_t size)
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

/* Writes data to a new temporary file named *.smt (so that a viewer takes
 * it for a trace and does not compress it), calls use(path), removes it. */
static inline void fuzz_trace_as_file(const uint8_t *data, size_t size, void (*use)(const char *))
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/smix-fuzz-trace-XXXXXX.smt", dir && *dir ? dir : "/tmp");
    int fd = mkstemps(path, 4);
    FUZZ_ASSERT(fd >= 0);
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        FUZZ_ASSERT(w > 0);
        done += (size_t)w;
    }
    close(fd);
    use(path);
    unlink(path);
}

#endif
