/*
 * checksum.c - CRC-32C (reflected polynomial 0x82F63B78).
 *
 * Two ways to the same numbers: a 256-entry table, byte at a time, computed
 * at compile time from the polynomial by the macros below (so there is no
 * lazily initialised global state); and, on x86-64 processors that have
 * SSE 4.2, its crc32 instruction, which computes exactly this CRC eight
 * bytes at a time (about 15 times faster: a 130 MB trace is checksummed
 * when written and again when opened). tests/unit/test_container.c checks
 * that both give the same CRC on every length and alignment. The portable
 * build has the table only.
 */
#include "checksum.h"

#include <string.h>

#define P 0x82F63B78u
#define S1(c) (((c) & 1u) ? (((c) >> 1) ^ P) : ((c) >> 1))
#define S2(c) S1(S1(c))
#define S4(c) S2(S2(c))
#define S8(c) S4(S4(c))
#define R1(n) S8((uint32_t)(n))
#define R4(n) R1(n), R1((n) + 1), R1((n) + 2), R1((n) + 3)
#define R16(n) R4(n), R4((n) + 4), R4((n) + 8), R4((n) + 12)
#define R64(n) R16(n), R16((n) + 16), R16((n) + 32), R16((n) + 48)

static const uint32_t crc_table[256] = { R64(0), R64(64), R64(128), R64(192) };

uint32_t crc32c_table(uint32_t crc, const void *data, size_t n)
{
    const uint8_t *p = data;
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ p[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(SMIX_PORTABLE)
#include <nmmintrin.h>
#define CRC_HW 1

__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t crc, const uint8_t *p, size_t n)
{
    uint64_t c = ~crc;
    for (; n && ((uintptr_t)p & 7); n--) c = _mm_crc32_u8((uint32_t)c, *p++);
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
    }
    for (; n; n--) c = _mm_crc32_u8((uint32_t)c, *p++);
    return ~(uint32_t)c;
}
#endif

uint32_t crc32c(uint32_t crc, const void *data, size_t n)
{
#ifdef CRC_HW
    if (__builtin_cpu_supports("sse4.2")) return crc_hw(crc, data, n);
#endif
    return crc32c_table(crc, data, n);
}
