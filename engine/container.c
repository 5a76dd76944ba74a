/*
 * container.c - reading and writing the smix frame header.
 *
 * Layout (little-endian), CTR_HEADER_SIZE = 68 bytes for one block:
 *   0  4  magic "SMX\x1a"
 *   4  1  format major version (SMIX_FORMAT_VERSION)
 *   5  1  format minor version
 *   6  2  header size in bytes (68 for 1.0; larger minors may append fields)
 *   8 24  model config (see put_config)
 *  32  8  original size      40 8 token count     48 8 payload size
 *  56  4  CRC-32C of the original                 60 4 CRC-32C of the payload
 *  64 20B block table when B = blocks >= 2: input size (4), tokens (4),
 *         payload size (8), CRC-32C of the original (4) of each block. A
 *         block of 0 tokens is stored: its payload is its input, as it is
 *  64+20B 4  CRC-32C of the bytes before it
 * A frame ends where its payload ends; another frame may follow.
 * A reader accepts majors SMIX_FORMAT_OLDEST..SMIX_FORMAT_VERSION (6 to 11
 * differ only in byte 18's follow_words bit, 0 in format 6, its
 * coarse_classes bit and byte 11's skip_share bit, 0 before format 8,
 * byte 19's byte_records bit and byte 11's skip_share_wide and spell_new
 * bits, 0 before format 9, byte 11's byte_history and
 * adam_no_momentum bits, 0 before format 10, and byte 19's escape_keys
 * bit, 0 before format 11) and any minor
 * of them with a header of at least 68 bytes (later fields are ignored);
 * another major is refused with "newer" or "older" in the message.
 */
#include "container.h"

#include <string.h>

#include "checksum.h"
#include "tok.h"

#define SAFETY_CHECK(cond, err) do { if (!(cond)) return (err); } while (0)

static const uint8_t ctr_magic[4] = { 'S', 'M', 'X', 0x1A };
#define CTR_MINOR 0

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

static void put_config(uint8_t *p, const smix_config *c)
{
    memset(p, 0, 24);
    p[0] = c->level; p[1] = c->n_layers; p[2] = c->d_model; p[3] = c->d_state;
    p[4] = c->d_inner; p[5] = c->d_conv; p[6] = c->chunk; p[7] = c->iters_early;
    p[8] = c->iters_mid; p[9] = c->iters_late; p[10] = ctr_config_flags(c);
    p[11] = (uint8_t)(c->max_order | (c->adam_no_momentum ? 0x08 : 0) | (c->byte_history ? 0x10 : 0) |
                      (c->skip_share_wide ? 0x20 : 0) | (c->spell_new ? 0x40 : 0) | (c->skip_share ? 0x80 : 0));
    put16(p + 12, c->lr_milli);
    put16(p + 14, c->smooth_milli);
    put16(p + 16, c->vocab_size);
    p[18] = (uint8_t)(c->follow16 | (c->follow_words ? 0x40 : 0) | (c->coarse_classes ? 0x80 : 0));
    p[19] = (uint8_t)(c->byte_mix | (c->escape_keys ? 0x20 : 0) | (c->byte_records ? 0x40 : 0) |
                      (c->escape_walk ? 0x80 : 0));
    put16(p + 20, c->ssm_rows);
    put16(p + 22, c->ngram_budget_mb);
}

static void get_config(const uint8_t *p, smix_config *c)
{
    memset(c, 0, sizeof *c);
    c->level = p[0]; c->n_layers = p[1]; c->d_model = p[2]; c->d_state = p[3];
    c->d_inner = p[4]; c->d_conv = p[5]; c->chunk = p[6]; c->iters_early = p[7];
    c->iters_mid = p[8]; c->iters_late = p[9]; ctr_set_config_flags(c, p[10]); c->max_order = p[11] & 0x07;
    c->adam_no_momentum = (p[11] >> 3) & 1;
    c->byte_history = (p[11] >> 4) & 1;
    c->skip_share_wide = (p[11] >> 5) & 1;
    c->spell_new = (p[11] >> 6) & 1;
    c->skip_share = p[11] >> 7;
    c->lr_milli = (uint16_t)get16(p + 12);
    c->smooth_milli = (uint16_t)get16(p + 14);
    c->vocab_size = get16(p + 16);
    c->follow16 = p[18] & 0x3F;
    c->follow_words = (p[18] >> 6) & 1;
    c->coarse_classes = p[18] >> 7;
    c->byte_mix = p[19] & 0x1F;
    c->escape_keys = (p[19] >> 5) & 1;
    c->byte_records = (p[19] >> 6) & 1;
    c->escape_walk = p[19] >> 7;
    c->ssm_rows = (uint16_t)get16(p + 20);
    c->ngram_budget_mb = (uint16_t)get16(p + 22);
}

uint32_t ctr_header_size(uint32_t blocks)
{
    return CTR_HEADER_SIZE + (blocks > 1 ? blocks * CTR_BLOCK_ENTRY : 0);
}

uint32_t ctr_write_header(const ctr_header *h, uint8_t out[CTR_HEADER_MAX])
{
    uint32_t size = ctr_header_size(h->cfg.blocks);
    memcpy(out, ctr_magic, 4);
    out[4] = SMIX_FORMAT_VERSION;
    out[5] = CTR_MINOR;
    put16(out + 6, size);
    put_config(out + 8, &h->cfg);
    put64(out + 32, h->input_bytes);
    put64(out + 40, h->tokens);
    put64(out + 48, h->payload_bytes);
    put32(out + 56, h->crc_input);
    put32(out + 60, h->crc_payload);
    for (uint32_t i = 0; h->cfg.blocks > 1 && i < h->cfg.blocks; i++) {
        uint8_t *e = out + 64 + i * CTR_BLOCK_ENTRY;
        put32(e, (uint32_t)h->block[i].input_bytes);
        put32(e + 4, (uint32_t)h->block[i].tokens);
        put64(e + 8, h->block[i].payload_bytes);
        put32(e + 16, h->block[i].crc_input);
    }
    put32(out + size - 4, crc32c(0, out, size - 4));
    return size;
}

/* What this format's encoder writes (engine/levels.c), and nothing beyond:
 * a header outside these ranges was not made by smix, and each range bounds
 * the work a crafted header can ask of a decoder. The model's shape is the
 * one shape the levels use; the training steps, the SSM's rows, the n-gram
 * orders, the followers kept per context and the byte table are at most
 * what the most expensive level uses (tests/unit/test_container.c checks that every level fits). A
 * change of the levels beyond these is a new format version. */
#define CTR_ORDER_MIN 3
#define CTR_ORDER_MAX 4
#define CTR_FOLLOW16_MIN 4     /* followers kept per n-gram context / 16 */
#define CTR_FOLLOW16_MAX 32
#define CTR_SSM_LAYERS 1
#define CTR_SSM_D_MODEL 32
#define CTR_SSM_D_STATE 16
#define CTR_SSM_D_INNER 64
#define CTR_SSM_D_CONV 4
#define CTR_SSM_CHUNK 32
#define CTR_SSM_ITERS_EARLY 4
#define CTR_SSM_ITERS_MID 2
#define CTR_SSM_ITERS_LATE 1
#define CTR_SSM_ROWS_MAX 512

smix_result ctr_check_config(const smix_config *c)
{
    SAFETY_CHECK(c->level >= SMIX_LEVEL_MIN && c->level <= SMIX_LEVEL_MAX, SMIX_ERR_CORRUPT);
    SAFETY_CHECK(c->ssm_enabled <= 1 && c->skip_context <= 2, SMIX_ERR_CORRUPT);
    SAFETY_CHECK(c->byte_mix == 0 ? !c->escape_walk && !c->byte_records : c->byte_mix >= 16 && c->byte_mix <= 26,
                 SMIX_ERR_CORRUPT);
    SAFETY_CHECK(c->byte_records <= 1, SMIX_ERR_CORRUPT);
    SAFETY_CHECK(c->escape_walk || !c->escape_keys, SMIX_ERR_CORRUPT);
    SAFETY_CHECK(c->byte_mix != 0 || (!c->spell_new && !c->byte_history), SMIX_ERR_CORRUPT);
    SAFETY_CHECK(c->ssm_enabled || !c->adam_no_momentum, SMIX_ERR_CORRUPT);
    SAFETY_CHECK(c->blocks >= 1 && c->blocks <= SMIX_MAX_BLOCKS, SMIX_ERR_CORRUPT);
    SAFETY_CHECK(c->max_order >= CTR_ORDER_MIN && c->max_order <= CTR_ORDER_MAX, SMIX_ERR_CORRUPT);
    SAFETY_CHECK(c->follow16 >= CTR_FOLLOW16_MIN && c->follow16 <= CTR_FOLLOW16_MAX && c->follow_words <= 1 &&
                 c->coarse_classes <= 1,
                 SMIX_ERR_CORRUPT);
    SAFETY_CHECK(c->vocab_size >= 256 && c->vocab_size <= tok_vocab_size(tok_builtin()) &&
                 c->vocab_size < 65535, SMIX_ERR_CORRUPT);
    if (!c->ssm_enabled) return SMIX_OK;
    SAFETY_CHECK(c->n_layers == CTR_SSM_LAYERS && c->d_model == CTR_SSM_D_MODEL &&
                 c->d_state == CTR_SSM_D_STATE && c->d_inner == CTR_SSM_D_INNER &&
                 c->d_conv == CTR_SSM_D_CONV && c->chunk == CTR_SSM_CHUNK, SMIX_ERR_CORRUPT);
    SAFETY_CHECK(c->iters_early <= CTR_SSM_ITERS_EARLY && c->iters_mid <= CTR_SSM_ITERS_MID &&
                 c->iters_late <= CTR_SSM_ITERS_LATE, SMIX_ERR_CORRUPT);
    SAFETY_CHECK(c->lr_milli >= 1 && c->lr_milli <= 10000, SMIX_ERR_CORRUPT);
    SAFETY_CHECK(c->smooth_milli < 1000, SMIX_ERR_CORRUPT);
    SAFETY_CHECK(c->ssm_rows >= 16 && c->ssm_rows <= CTR_SSM_ROWS_MAX, SMIX_ERR_CORRUPT);
    return SMIX_OK;
}

/* The block table (one implicit block for a header without one): every
 * block's sizes in range, and their sums the totals. */
static smix_result read_blocks(const uint8_t *src, ctr_header *h)
{
    uint32_t nb = h->cfg.blocks;
    SAFETY_CHECK(h->header_bytes >= ctr_header_size(nb), SMIX_ERR_CORRUPT);
    uint64_t in = 0, tokens = 0, payload = 0;
    for (uint32_t i = 0; i < nb; i++) {
        const uint8_t *e = src + 64 + i * CTR_BLOCK_ENTRY;
        ctr_block *b = &h->block[i];
        b->input_bytes = nb == 1 ? h->input_bytes : get32(e);
        b->tokens = nb == 1 ? h->tokens : get32(e + 4);
        b->payload_bytes = nb == 1 ? h->payload_bytes : get64(e + 8);
        b->crc_input = nb == 1 ? h->crc_input : get32(e + 16);
        /* no tokens: the block's bytes are stored as they are (none for an empty block) */
        SAFETY_CHECK(b->tokens ? b->tokens <= b->input_bytes && b->payload_bytes > 0
                               : b->payload_bytes == b->input_bytes, SMIX_ERR_CORRUPT);
        /* no encoder makes a longer block: a larger claim is damage, or a
         * decompression bomb */
        SAFETY_CHECK(b->input_bytes <= CTR_BLOCK_MAX, SMIX_ERR_CORRUPT);
        in += b->input_bytes;
        tokens += b->tokens;
        payload += b->payload_bytes;
    }
    SAFETY_CHECK(in == h->input_bytes && tokens == h->tokens && payload == h->payload_bytes, SMIX_ERR_CORRUPT);
    return SMIX_OK;
}

smix_result ctr_read_header(const uint8_t *src, size_t n, ctr_header *h)
{
    SAFETY_CHECK(n > 0 && memcmp(src, ctr_magic, n < 4 ? n : 4) == 0, SMIX_ERR_BAD_MAGIC);
    SAFETY_CHECK(n >= 8, SMIX_ERR_TRUNCATED);
    SAFETY_CHECK(src[4] <= SMIX_FORMAT_VERSION, SMIX_ERR_VERSION_NEWER);
    SAFETY_CHECK(src[4] >= SMIX_FORMAT_OLDEST, SMIX_ERR_VERSION_OLDER);
    size_t hsize = get16(src + 6);
    SAFETY_CHECK(hsize >= CTR_HEADER_SIZE, SMIX_ERR_CORRUPT);
    SAFETY_CHECK(n >= hsize, SMIX_ERR_TRUNCATED);
    SAFETY_CHECK(crc32c(0, src, hsize - 4) == get32(src + hsize - 4), SMIX_ERR_CORRUPT);
    get_config(src + 8, &h->cfg);
    h->input_bytes = get64(src + 32);
    h->tokens = get64(src + 40);
    h->payload_bytes = get64(src + 48);
    h->crc_input = get32(src + 56);
    h->crc_payload = get32(src + 60);
    h->header_bytes = (uint32_t)hsize;
    h->version = src[4];
    smix_result r = ctr_check_config(&h->cfg);
    if (r != SMIX_OK) return r;
    /* format 6 had no follow_words (byte 18 was follow16 alone) */
    SAFETY_CHECK(h->version >= 7 || !h->cfg.follow_words, SMIX_ERR_CORRUPT);
    /* nor before format 8 coarse_classes (bit 7 of byte 18) and skip_share (bit 7 of byte 11) */
    SAFETY_CHECK(h->version >= 8 || (!h->cfg.coarse_classes && !h->cfg.skip_share), SMIX_ERR_CORRUPT);
    /* nor before format 9 byte_records (bit 6 of byte 19), skip_share_wide (bit 5 of byte 11) and
     * spell_new (bit 6 of byte 11) */
    SAFETY_CHECK(h->version >= 9 || (!h->cfg.byte_records && !h->cfg.skip_share_wide && !h->cfg.spell_new),
                 SMIX_ERR_CORRUPT);
    /* nor before format 10 byte_history (bit 4 of byte 11) and adam_no_momentum (bit 3) */
    SAFETY_CHECK(h->version >= 10 || (!h->cfg.byte_history && !h->cfg.adam_no_momentum), SMIX_ERR_CORRUPT);
    /* nor before format 11 escape_keys (bit 5 of byte 19) */
    SAFETY_CHECK(h->version >= 11 || !h->cfg.escape_keys, SMIX_ERR_CORRUPT);
    SAFETY_CHECK(h->input_bytes <= CTR_MAX_INPUT, SMIX_ERR_TOO_LARGE);
    SAFETY_CHECK(h->tokens <= h->input_bytes, SMIX_ERR_CORRUPT);
    SAFETY_CHECK(h->payload_bytes <= (uint64_t)1 << 40, SMIX_ERR_CORRUPT);
    return read_blocks(src, h);
}

smix_result ctr_check_payload(const uint8_t *src, size_t n, const ctr_header *h)
{
    size_t hsize = h->header_bytes;
    SAFETY_CHECK(n - hsize >= h->payload_bytes, SMIX_ERR_TRUNCATED);
    SAFETY_CHECK(crc32c(0, src + hsize, h->payload_bytes) == h->crc_payload, SMIX_ERR_CORRUPT);
    return SMIX_OK;
}
