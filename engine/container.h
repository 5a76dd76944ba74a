/*
 * container.h - the smix frame: header, payload, checksums (docs/format.md).
 *
 * A frame is a fixed header (magic, version, model config, sizes, CRC-32C
 * of the original, CRC-32C of the payload, CRC-32C of the header itself)
 * followed by the range-coder payload. Every field read from untrusted input
 * is validated here, so the codec can trust a parsed header.
 */
#ifndef SMIX_CONTAINER_H
#define SMIX_CONTAINER_H

#include <stddef.h>
#include <stdint.h>
#include "smix.h"

#define CTR_HEADER_SIZE 68
#define CTR_MAX_INPUT 0xFFFFFFFFull     /* token positions are 32-bit */

typedef struct ctr_header {
    smix_config cfg;
    uint64_t input_bytes;
    uint64_t tokens;
    uint64_t payload_bytes;
    uint32_t crc_input;
    uint32_t crc_payload;
    uint32_t header_bytes;     /* as read (>= CTR_HEADER_SIZE) */
} ctr_header;

/* Serialises h into out[CTR_HEADER_SIZE]. */
void ctr_write_header(const ctr_header *h, uint8_t out[CTR_HEADER_SIZE]);

/* Parses and validates a header from src[0..n). Does not check the payload
 * checksum (see ctr_check_payload). */
smix_result ctr_read_header(const uint8_t *src, size_t n, ctr_header *h);

/* Checks that src[0..n) is exactly header + payload and the payload CRC. */
smix_result ctr_check_payload(const uint8_t *src, size_t n, const ctr_header *h);

/* Validates a configuration (ranges the engine supports). */
smix_result ctr_check_config(const smix_config *c);

#endif
