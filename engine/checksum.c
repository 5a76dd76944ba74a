/*
 * checksum.c - CRC-32C (reflected polynomial 0x82F63B78).
 *
 * The 256-entry table is computed at compile time from the polynomial by the
 * macros below, so there is no lazily initialised global state.
 */
#include "checksum.h"

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

uint32_t crc32c(uint32_t crc, const void *data, size_t n)
{
    const uint8_t *p = data;
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ p[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}
