/*
 * test_container.c - the frame header and its block table: a written header
 * reads back field for field (one block, several, a stored one); every
 * inconsistency in the table is refused as corrupt, as are a table that
 * does not fit the header, a block count out of range and a damaged CRC;
 * every level's configuration reads back whole and a byte-model field out
 * of range is refused; the block count and memory estimate follow the
 * level's rules; and two
 * blocks compressed with one thread and with four give the same frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "container.h"
#include "levels.h"
#include "smix.h"

static int pass, fail;
static void check(int cond, const char *name)
{
    printf("%s %s\n", cond ? "PASS" : "FAIL", name);
    if (cond) pass++; else fail++;
}

/* A consistent header of nb blocks: block i has 1000 + i bytes, 300 + i
 * tokens and 200 + i payload bytes; block `stored` (if < nb) is stored. */
static ctr_header make_header(uint32_t nb, uint32_t stored)
{
    ctr_header h;
    memset(&h, 0, sizeof h);
    smix_level_config(1, &h.cfg);
    h.cfg.blocks = (uint8_t)nb;
    for (uint32_t i = 0; i < nb; i++) {
        ctr_block *b = &h.block[i];
        b->input_bytes = 1000 + i;
        b->tokens = i == stored ? 0 : 300 + i;
        b->payload_bytes = i == stored ? b->input_bytes : 200 + i;
        h.input_bytes += b->input_bytes;
        h.tokens += b->tokens;
        h.payload_bytes += b->payload_bytes;
    }
    h.crc_input = 0x12345678u;
    h.crc_payload = 0x9abcdef0u;
    return h;
}

/* Rewrites the header CRC after a field was changed on purpose. */
static void reseal(uint8_t *hdr, uint32_t size)
{
    uint32_t c = crc32c(0, hdr, size - 4);
    for (int i = 0; i < 4; i++) hdr[size - 4 + i] = (uint8_t)(c >> (8 * i));
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static int same_header(const ctr_header *a, const ctr_header *b)
{
    if (a->input_bytes != b->input_bytes || a->tokens != b->tokens ||
        a->payload_bytes != b->payload_bytes || a->crc_input != b->crc_input ||
        a->crc_payload != b->crc_payload || a->cfg.blocks != b->cfg.blocks ||
        a->cfg.level != b->cfg.level || a->cfg.max_order != b->cfg.max_order)
        return 0;
    for (uint32_t i = 0; i < a->cfg.blocks; i++)
        if (memcmp(&a->block[i], &b->block[i], sizeof a->block[i])) return 0;
    return 1;
}

static void test_round_trips(void)
{
    uint8_t hdr[CTR_HEADER_MAX];
    ctr_header in, out;
    const uint32_t counts[] = { 1, 2, 5, SMIX_MAX_BLOCKS };
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        uint32_t nb = counts[k];
        in = make_header(nb, nb > 1 ? 1 : 99);
        uint32_t size = ctr_write_header(&in, hdr);
        char name[96];
        snprintf(name, sizeof name, "%u block(s): header of %u bytes", nb, size);
        check(size == (nb == 1 ? 68u : 68u + 16u * nb), name);
        snprintf(name, sizeof name, "%u block(s): reads back field for field", nb);
        check(ctr_read_header(hdr, size, &out) == SMIX_OK && same_header(&in, &out) && out.header_bytes == size, name);
    }
    in = make_header(1, 0);   /* one stored block: no tokens, payload = input */
    uint32_t size = ctr_write_header(&in, hdr);
    check(ctr_read_header(hdr, size, &out) == SMIX_OK && out.block[0].tokens == 0 &&
          out.block[0].payload_bytes == out.block[0].input_bytes, "one stored block reads back");
}

/* Every level's configuration reads back whole, and a byte-model field
 * out of range (config byte 11 = header byte 19) is refused. */
static void test_config_fields(void)
{
    uint8_t hdr[CTR_HEADER_MAX], bad[CTR_HEADER_MAX];
    ctr_header in = make_header(1, 99), out;
    int all_same = 1, some_walk = 0, some_bytes = 0;
    for (int level = SMIX_LEVEL_MIN; level <= SMIX_LEVEL_MAX; level++) {
        smix_level_config(level, &in.cfg);
        in.cfg.blocks = 1;
        uint32_t size = ctr_write_header(&in, hdr);
        all_same &= ctr_read_header(hdr, size, &out) == SMIX_OK && !memcmp(&in.cfg, &out.cfg, sizeof in.cfg);
        some_walk |= in.cfg.escape_walk;
        some_bytes |= in.cfg.byte_mix && !in.cfg.escape_walk;
    }
    check(all_same, "every level's configuration reads back field for field");
    check(some_walk && some_bytes, "the levels include the byte model with and without the escape walk");
    smix_level_config(3, &in.cfg);
    in.cfg.blocks = 1;
    uint32_t size = ctr_write_header(&in, hdr);
    check(hdr[8 + 19] == in.cfg.byte_mix && in.cfg.vocab_size == 32768 && hdr[8 + 16] == 0 && hdr[8 + 17] == 0x80,
          "byte_mix is config byte 19, after a 3-byte vocab_size");
    const struct { uint8_t value; const char *name; } wrong[] = {
        { 15, "a byte table of 2^15 counters is refused" },
        { 27, "a byte table of 2^27 counters is refused" },
        { 0x80, "an escape walk without the byte model is refused" },
        { 0x80 | 40, "an escape walk with a table out of range is refused" },
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        memcpy(bad, hdr, size);
        bad[8 + 19] = wrong[i].value;
        reseal(bad, size);
        check(ctr_read_header(bad, size, &out) == SMIX_ERR_CORRUPT, wrong[i].name);
    }
    memcpy(bad, hdr, size);
    bad[8 + 19] = 0x80 | 16;
    reseal(bad, size);
    check(ctr_read_header(bad, size, &out) == SMIX_OK && out.cfg.escape_walk && out.cfg.byte_mix == 16,
          "the smallest table with the escape walk is accepted");
}

/* Each damage to a three-block header, resealed so only that field is wrong. */
static void test_refusals(void)
{
    uint8_t hdr[CTR_HEADER_MAX], bad[CTR_HEADER_MAX];
    ctr_header h = make_header(3, 99), out;
    uint32_t size = ctr_write_header(&h, hdr);
    /* totals: 3,003 bytes (offset 32), 903 tokens (40), 603 payload bytes (48);
     * the last three keep the sums right, so only the block is wrong */
    struct { const char *name; uint32_t at, value, total_at, total; } damage[] = {
        { "block input sizes that do not add up", 64, 1001, 0, 0 },
        { "block tokens that do not add up", 64 + 4, 299, 0, 0 },
        { "block payload sizes that do not add up", 64 + 8, 201, 0, 0 },
        { "more tokens than bytes in a block", 64 + 4, 5000, 40, 5603 },
        { "a stored block whose payload is not its input", 64 + 16 + 4, 0, 40, 602 },
        { "a coded block with no payload", 64 + 8, 0, 48, 403 },
    };
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        memcpy(bad, hdr, size);
        put32(bad + damage[i].at, damage[i].value);
        if (damage[i].total_at) put32(bad + damage[i].total_at, damage[i].total);
        reseal(bad, size);
        check(ctr_read_header(bad, size, &out) == SMIX_ERR_CORRUPT, damage[i].name);
    }
    /* a block count that needs a bigger table than the header holds */
    memcpy(bad, hdr, size);
    bad[8 + 10] = (uint8_t)((bad[8 + 10] & 7) | (7 << 3));   /* 8 blocks in a 3-block header */
    reseal(bad, size);
    check(ctr_read_header(bad, size, &out) == SMIX_ERR_CORRUPT, "a block table larger than the header");
    memcpy(bad, hdr, size);
    bad[64 + 5] ^= 1;   /* not resealed */
    check(ctr_read_header(bad, size, &out) == SMIX_ERR_CORRUPT, "a damaged block table fails the header CRC");
    check(ctr_read_header(hdr, size - 1, &out) == SMIX_ERR_TRUNCATED, "a header cut inside the table is truncated");
}

static void test_block_rules(void)
{
    smix_config c1, c3;
    smix_level_config(1, &c1);
    smix_level_config(3, &c3);
    check(smix__block_count(&c3, 100u << 20) == 1, "level 3: one block at any size");
    check(smix__block_count(&c1, 511u << 10) == 1, "level 1: one block under 512 KiB");
    check(smix__block_count(&c1, 512u << 10) == 2, "level 1: two blocks from 512 KiB");
    check(smix__block_count(&c1, 3000000) == 2, "level 1: enwik8_3M in two blocks");
    uint32_t many = smix__block_count(&c1, 4000000000u);
    check(many == SMIX_MAX_BLOCKS, "level 1: at most SMIX_MAX_BLOCKS blocks");
    check(smix__live_blocks(many) <= 4 && smix__live_blocks(2) == 2, "at most 4 blocks at once");
    smix_config one = c1, two = c1;
    one.blocks = 1;
    two.blocks = 2;
    check(smix_memory_estimate(&two, 3000000) > smix_memory_estimate(&one, 3000000),
          "two blocks at once are estimated to need more memory than one");
    smix_config c9;
    smix_level_config(9, &c9);
    check(smix__byte_table_bits(&c1, 1u << 20) == 0, "level 1: no byte model");
    check(smix__byte_table_bits(&c9, 1000) == 18 && smix__byte_table_bits(&c9, 0) == 16,
          "level 9: a small input gets a small byte table (2^18 counters for 1,000 bytes)");
    check(smix__byte_table_bits(&c9, 1u << 20) == c9.byte_mix && smix__byte_table_bits(&c3, 1u << 20) == c3.byte_mix,
          "a 1 MiB input gets the level's byte table");
    smix_config small9 = c9;
    small9.byte_mix = smix__byte_table_bits(&c9, 1000);
    check(smix_memory_estimate(&small9, 1000) + (200u << 20) < smix_memory_estimate(&c9, 1000),
          "the memory estimate follows the byte table");
}

typedef struct buf { uint8_t *p; size_t n, cap; } buf;

static int put(void *ctx, const void *d, size_t n)
{
    buf *b = ctx;
    if (b->n + n > b->cap) {
        size_t cap = (b->n + n) * 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) return 1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
    return 0;
}

/* Two blocks of text-like bytes (each block's second half repeats its first,
 * so they are coded, not stored), with 1 and 4 threads. */
static void test_threads(void)
{
    size_t n = 600000;
    uint8_t *src = malloc(n);
    uint64_t s = 7;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        src[i] = i % 300000 >= 150000 ? src[i - 150000] : (uint8_t)("etaoin shrdlu\n"[(s >> 33) % 14]);
    }
    buf out[2] = { { 0 } };
    const int threads[2] = { 1, 4 };
    int ok = 1;
    for (int k = 0; k < 2; k++) {
        smix_params p = { 1, threads[k], 0 };
        smix_cctx *c = smix_cctx_create(&p);
        ok &= c && smix_compress(c, src, n, put, &out[k], NULL) == SMIX_OK;
        smix_cctx_free(c);
    }
    ctr_header h;
    check(ok && ctr_read_header(out[0].p, out[0].n, &h) == SMIX_OK && h.cfg.blocks == 2 &&
          h.block[0].tokens && h.block[1].tokens, "600 KB at level 1: two coded blocks");
    check(ok && out[0].n == out[1].n && !memcmp(out[0].p, out[1].p, out[0].n), "1 and 4 threads: the same frame");
    buf back = { 0 };
    smix_params p = { 0, 2, 0 };
    smix_dctx *d = smix_dctx_create(&p);
    check(d && smix_decompress(d, out[1].p, out[1].n, put, &back, NULL) == SMIX_OK && back.n == n &&
          !memcmp(back.p, src, n), "two blocks decode with 2 threads");
    smix_dctx_free(d);
    free(back.p);
    free(out[0].p);
    free(out[1].p);
    free(src);
}

int main(void)
{
    test_round_trips();
    test_config_fields();
    test_refusals();
    test_block_rules();
    test_threads();
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
