/*
 * checksum.h - CRC-32C (Castagnoli), the checksum of the original data in
 * every smix frame and of every trace file.
 *
 * Table-driven byte at a time, or with the processor's crc32 instruction
 * where there is one (the same numbers; checksum.c).
 */
#ifndef SMIX_CHECKSUM_H
#define SMIX_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC-32C: start with crc = 0; crc32c(crc32c(0,a),b) == crc32c(0,a||b). */
uint32_t crc32c(uint32_t crc, const void *data, size_t n);
/* The same, always by the table (the reference the fast path is tested against). */
uint32_t crc32c_table(uint32_t crc, const void *data, size_t n);

#endif
