/*
 * container.h - the smix frame: header, payload, checksums (docs/format.md).
 *
 * A file is a sequence of frames (concatenated files decode to the
 * concatenation of their originals). A frame is a header (magic, version,
 * model config, sizes, CRC-32C of the original, CRC-32C of the payload, the
 * block table when there are two blocks or more, CRC-32C of the header
 * itself) followed by the payloads of the blocks, in order. Every field read
 * from untrusted input is validated here, so the codec can trust a parsed
 * header.
 */
#ifndef SMIX_CONTAINER_H
#define SMIX_CONTAINER_H

#include <stddef.h>
#include <stdint.h>
#include "smix.h"
#include "tok.h"

#define CTR_HEADER_SIZE 68            /* with one block */
#define CTR_BLOCK_ENTRY 20            /* each entry of the block table (two blocks or more) */
#define CTR_HEADER_MAX (CTR_HEADER_SIZE + SMIX_MAX_BLOCKS * CTR_BLOCK_ENTRY)
#define CTR_MAX_INPUT 0xFFFFFFFFull     /* token positions are 32-bit */
/* The longest block an encoder writes: a block starts at the first
 * tokenizer chunk boundary at or after its share of the frame, and the
 * shares are at most the block size. */
#define CTR_BLOCK_MAX (SMIX_BLOCK_MAX + TOK_CHUNK_MAX)

typedef struct ctr_block {
    uint64_t input_bytes, tokens, payload_bytes;   /* tokens == 0: stored (payload = input) */
    uint32_t crc_input;        /* CRC-32C of the block's original */
} ctr_block;

typedef struct ctr_header {
    smix_config cfg;           /* cfg.blocks: entries of block[] in use */
    uint64_t input_bytes;
    uint64_t tokens;
    uint64_t payload_bytes;
    uint32_t crc_input;
    uint32_t crc_payload;
    uint32_t header_bytes;     /* as read or written */
    uint32_t version;          /* format major version, as read (SMIX_FORMAT_OLDEST..SMIX_FORMAT_VERSION) */
    ctr_block block[SMIX_MAX_BLOCKS];   /* sizes of each block; their sums are the totals */
} ctr_header;

/* The config's flags byte (offset 10 of the config, also in traces): bit 0
 * ssm_enabled, bits 1-2 skip_context, bits 3-7 blocks - 1. Inline, so the
 * trace writer needs no other part of the container. */
static inline uint8_t ctr_config_flags(const smix_config *c)
{
    return (uint8_t)((c->ssm_enabled & 1) | (c->skip_context & 3) << 1 | ((c->blocks ? c->blocks - 1 : 0) & 31) << 3);
}

static inline void ctr_set_config_flags(smix_config *c, uint8_t flags)
{
    c->ssm_enabled = flags & 1;
    c->skip_context = (flags >> 1) & 3;
    c->blocks = (uint8_t)((flags >> 3) + 1);
}

/* Header size for a number of blocks. */
uint32_t ctr_header_size(uint32_t blocks);

/* Serialises h into out[ctr_header_size(h->cfg.blocks)]; returns that size. */
uint32_t ctr_write_header(const ctr_header *h, uint8_t out[CTR_HEADER_MAX]);

/* Parses and validates a header from src[0..n). Does not check the payload
 * checksum (see ctr_check_payload). */
smix_result ctr_read_header(const uint8_t *src, size_t n, ctr_header *h);

/* Checks that src[0..n) holds the frame's whole payload (it may be followed
 * by more frames) and the payload CRC. */
smix_result ctr_check_payload(const uint8_t *src, size_t n, const ctr_header *h);

/* Validates a configuration (ranges the engine supports). */
smix_result ctr_check_config(const smix_config *c);

#endif
