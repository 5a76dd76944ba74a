/*
 * test_container.c - the frame header and its block table: a written header
 * reads back field for field (one block, several, a stored one); every
 * inconsistency in the table is refused as corrupt, as are a table that
 * does not fit the header, a block count out of range and a damaged CRC;
 * every level's configuration reads back whole and a byte-model field out
 * of range is refused; the block size, block count and memory estimate
 * follow the level's rules; two blocks compressed with one thread and with
 * four give the same frame; an input longer than a frame takes several,
 * concatenated files decode to the concatenation, and a damaged block stops
 * the output at the end of the block before it.
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
        b->crc_input = 0x1000u + i;
        h.input_bytes += b->input_bytes;
        h.tokens += b->tokens;
        h.payload_bytes += b->payload_bytes;
    }
    h.crc_input = 0x12345678u;
    h.crc_payload = 0x9abcdef0u;
    if (nb == 1) h.block[0].crc_input = h.crc_input;   /* one block: the frame's */
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
    for (uint32_t i = 0; i < a->cfg.blocks; i++) {
        const ctr_block *x = &a->block[i], *y = &b->block[i];
        if (x->input_bytes != y->input_bytes || x->tokens != y->tokens ||
            x->payload_bytes != y->payload_bytes || x->crc_input != y->crc_input)
            return 0;
    }
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
        check(size == (nb == 1 ? 68u : 68u + 20u * nb), name);
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
    int all_same = 1, some_walk = 0, some_bytes = 0, keys_walk = 1;
    for (int level = SMIX_LEVEL_MIN; level <= SMIX_LEVEL_MAX; level++) {
        smix_level_config(level, &in.cfg);
        in.cfg.blocks = 1;
        uint32_t size = ctr_write_header(&in, hdr);
        all_same &= ctr_read_header(hdr, size, &out) == SMIX_OK && !memcmp(&in.cfg, &out.cfg, sizeof in.cfg);
        some_walk |= in.cfg.escape_walk;
        some_bytes |= in.cfg.byte_mix && !in.cfg.escape_walk;
        keys_walk &= in.cfg.escape_keys == in.cfg.escape_walk;
    }
    check(all_same, "every level's configuration reads back field for field");
    check(some_walk && some_bytes, "the levels include the byte model with and without the escape walk");
    check(keys_walk, "every level that walks escapes sums them by key (format 11)");
    smix_level_config(3, &in.cfg);
    in.cfg.blocks = 1;
    uint32_t size = ctr_write_header(&in, hdr);
    check((hdr[8 + 19] & 0x1F) == in.cfg.byte_mix && in.cfg.vocab_size == 32768 && hdr[8 + 16] == 0 && hdr[8 + 17] == 0x80,
          "byte_mix is config byte 19's bits 0-4, after a 2-byte vocab_size");
    check(!in.cfg.escape_keys && !(hdr[8 + 19] & 0x20) && !in.cfg.escape_walk && !(hdr[8 + 19] & 0x80),
          "level 3: no escape walk (config byte 19's bit 7) nor keys (bit 5)");
    check(in.cfg.byte_records == 1 && (hdr[8 + 19] & 0x40), "byte_records is config byte 19's bit 6");
    check(in.cfg.spell_new == 1 && (hdr[8 + 11] & 0x40) && (hdr[8 + 11] & 0x07) == in.cfg.max_order,
          "spell_new is config byte 11's bit 6, beside max_order");
    check(in.cfg.byte_history == 1 && (hdr[8 + 11] & 0x10) && !in.cfg.adam_no_momentum && !(hdr[8 + 11] & 0x08),
          "byte_history is config byte 11's bit 4; without the SSM, adam_no_momentum (bit 3) is 0");
    memcpy(bad, hdr, size);
    bad[8 + 11] |= 0x08;
    reseal(bad, size);
    check(ctr_read_header(bad, size, &out) == SMIX_ERR_CORRUPT, "Adam without momentum without the SSM is refused");
    memcpy(bad, hdr, size);
    bad[8 + 11] = (uint8_t)((bad[8 + 11] & ~0x40) | 0x10);
    bad[8 + 19] = 0;
    reseal(bad, size);
    check(ctr_read_header(bad, size, &out) == SMIX_ERR_CORRUPT, "byte histories without the byte model are refused");
    ctr_header ssm_h = make_header(1, 99);
    smix_level_config(5, &ssm_h.cfg);
    ssm_h.cfg.blocks = 1;
    uint32_t ssm_size = ctr_write_header(&ssm_h, bad);
    check(ssm_h.cfg.adam_no_momentum == 1 && (bad[8 + 11] & 0x08) && ctr_read_header(bad, ssm_size, &out) == SMIX_OK &&
          out.cfg.adam_no_momentum == 1, "adam_no_momentum is config byte 11's bit 3 (level 5)");
    check(ssm_h.cfg.escape_keys == 1 && (bad[8 + 19] & 0x20) && ssm_h.cfg.escape_walk == 1 && (bad[8 + 19] & 0x80) &&
          out.cfg.escape_keys == 1, "escape_keys is config byte 19's bit 5, escape_walk its bit 7 (level 5)");
    memcpy(bad, hdr, size);
    bad[8 + 11] |= 0x40;
    bad[8 + 19] = 0;
    reseal(bad, size);
    check(ctr_read_header(bad, size, &out) == SMIX_ERR_CORRUPT, "spelled new tokens without the byte model are refused");
    const struct { uint8_t value; const char *name; } wrong[] = {
        { 15, "a byte table of 2^15 counters is refused" },
        { 27, "a byte table of 2^27 counters is refused" },
        { 0x80, "an escape walk without the byte model is refused" },
        { 0x80 | 40, "an escape walk with a table out of range is refused" },
        { 0x40, "record contexts without the byte model are refused" },
        { 0x20 | 24, "escapes summed by key without the escape walk are refused" },
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
    memcpy(bad, hdr, size);
    bad[8 + 19] = 0x40 | 26;
    reseal(bad, size);
    check(ctr_read_header(bad, size, &out) == SMIX_OK && out.cfg.byte_records && out.cfg.byte_mix == 26 &&
          !out.cfg.escape_walk, "the largest table with record contexts is accepted");
}

/* The decoder accepts what the encoder writes, at every level and size,
 * and nothing more expensive: each field one step beyond the levels'
 * range (offsets in the header: 8 + the config byte) is refused. */
static void test_config_ranges(void)
{
    uint8_t hdr[CTR_HEADER_MAX], bad[CTR_HEADER_MAX];
    ctr_header in = make_header(1, 99), out;
    int all_ok = 1;
    for (int level = SMIX_LEVEL_MIN; level <= SMIX_LEVEL_MAX; level++) {
        smix_level_config(level, &in.cfg);
        in.cfg.blocks = 1;
        for (int bits = 16; bits <= (in.cfg.byte_mix ? in.cfg.byte_mix : 16); bits++) {
            if (in.cfg.byte_mix) in.cfg.byte_mix = (uint8_t)bits;   /* small inputs: small tables */
            uint32_t size = ctr_write_header(&in, hdr);
            all_ok &= ctr_read_header(hdr, size, &out) == SMIX_OK;
        }
    }
    check(all_ok, "every level's configuration, with every byte table it uses, is accepted");
    smix_level_config(9, &in.cfg);
    in.cfg.blocks = 1;
    uint32_t size = ctr_write_header(&in, hdr);
    const struct { int at; uint8_t value; const char *name; } wrong[] = {
        { 1, 2, "two SSM layers are refused" },
        { 2, 64, "d_model 64 is refused" },
        { 3, 64, "d_state 64 is refused" },
        { 4, 252, "d_inner 252 is refused" },
        { 5, 8, "a convolution of 8 is refused" },
        { 6, 1, "training chunks of one token are refused" },
        { 7, 5, "5 early training steps are refused" },
        { 8, 3, "3 middle training steps are refused" },
        { 9, 2, "2 late training steps are refused" },
        { 11, 5, "n-gram order 5 is refused" },
        { 11, 32, "n-gram order 32 is refused" },
        { 11, 2, "n-gram order 2 is refused" },
        { 20, 0, "an SSM head without a cap on its rows is refused" },
        { 18, 0, "n-gram contexts without a cap on their followers are refused" },
        { 18, 33, "more than 512 followers per n-gram context are refused" },
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        memcpy(bad, hdr, size);
        bad[8 + wrong[i].at] = wrong[i].value;
        if (wrong[i].at == 20) bad[8 + 21] = 0;
        reseal(bad, size);
        check(ctr_read_header(bad, size, &out) == SMIX_ERR_CORRUPT, wrong[i].name);
    }
    memcpy(bad, hdr, size);
    bad[8 + 20] = 513 & 255;
    bad[8 + 21] = 513 >> 8;
    reseal(bad, size);
    check(ctr_read_header(bad, size, &out) == SMIX_ERR_CORRUPT, "an SSM head of 513 rows is refused");
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
    smix_params p1 = { .level = 1 }, p3 = { .level = 3 }, p9 = { .level = 9 }, pd = { 0 };
    check(smix_block_size(&p1) == 1536u << 10 && smix_block_size(&p3) == 16u << 20 &&
          smix_block_size(&p9) == 16u << 20, "each level has its block size (1.5, 16, 16 MiB)");
    check(smix_block_size(&pd) == smix_block_size(&p3), "level 0 is the default level's");
    smix_params own = { .level = 9, .block_size = 100000 };
    check(smix_block_size(&own) == 100000, "an explicit block size is used as it is");
    own.block_size = SMIX_BLOCK_MIN - 1;
    check(smix_block_size(&own) == 0, "a block size under SMIX_BLOCK_MIN is refused");
    own.block_size = SMIX_BLOCK_MAX + 1;
    check(smix_block_size(&own) == 0, "a block size over SMIX_BLOCK_MAX is refused");
    check(smix__block_count(1u << 20, 0) == 1 && smix__block_count(1u << 20, 1u << 20) == 1 &&
          smix__block_count(1u << 20, (1u << 20) + 1) == 2, "blocks: the input over the block size, rounded up");
    uint32_t many = smix__block_count(65536, 4000000000u);
    check(many == SMIX_MAX_BLOCKS, "at most SMIX_MAX_BLOCKS blocks in a frame");
    check(smix__live_blocks(many) <= 4 && smix__live_blocks(2) == 2, "at most 4 blocks at once");
    smix_config c1, c3, c9;
    smix_level_config(1, &c1);
    smix_level_config(3, &c3);
    smix_level_config(9, &c9);
    smix_config one = c1, two = c1;
    one.blocks = 1;
    two.blocks = 2;
    check(smix_memory_estimate(&two, 3000000) > smix_memory_estimate(&one, 3000000),
          "two blocks at once are estimated to need more memory than one");
    check(smix__byte_table_bits(&c1, 1u << 20) == 0, "level 1: no byte model");
    check(smix__byte_table_bits(&c9, 1000) == 18 && smix__byte_table_bits(&c9, 0) == 16,
          "level 9: a small input gets a small byte table (2^18 counters for 1,000 bytes)");
    check(smix__byte_table_bits(&c9, 1u << 20) == c9.byte_mix && smix__byte_table_bits(&c3, 1u << 20) == c3.byte_mix,
          "a 1 MiB input gets the level's byte table");
    smix_config small9 = c9;
    small9.byte_mix = smix__byte_table_bits(&c9, 1000);
    check(smix_memory_estimate(&small9, 1000) + (200u << 20) < smix_memory_estimate(&c9, 1000),
          "the memory estimate follows the byte table");
    /* a block longer than any encoder writes: damage, or a bomb */
    uint8_t hdr[CTR_HEADER_MAX];
    ctr_header h = make_header(2, 99), out;
    h.block[1].input_bytes = CTR_BLOCK_MAX + 1;
    h.input_bytes = h.block[0].input_bytes + h.block[1].input_bytes;
    uint32_t size = ctr_write_header(&h, hdr);
    check(ctr_read_header(hdr, size, &out) == SMIX_ERR_CORRUPT, "a block longer than CTR_BLOCK_MAX is refused");
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
        smix_params p = { .level = 1, .threads = threads[k], .block_size = 300000 };
        smix_cctx *c = smix_cctx_create(&p);
        ok &= c && smix_compress(c, src, n, put, &out[k], NULL) == SMIX_OK;
        smix_cctx_free(c);
    }
    ctr_header h;
    check(ok && ctr_read_header(out[0].p, out[0].n, &h) == SMIX_OK && h.cfg.blocks == 2 &&
          h.block[0].tokens && h.block[1].tokens, "600 KB at level 1: two coded blocks");
    check(ok && out[0].n == out[1].n && !memcmp(out[0].p, out[1].p, out[0].n), "1 and 4 threads: the same frame");
    buf back = { 0 };
    smix_params p = { .threads = 2 };
    smix_dctx *d = smix_dctx_create(&p);
    check(d && smix_decompress(d, out[1].p, out[1].n, put, &back, NULL) == SMIX_OK && back.n == n &&
          !memcmp(back.p, src, n), "two blocks decode with 2 threads");
    smix_dctx_free(d);
    free(back.p);
    free(out[0].p);
    free(out[1].p);
    free(src);
}

/* Compresses src[0..n) at level 1 in blocks of bs bytes into *out. */
static int pack(const uint8_t *src, size_t n, uint64_t bs, buf *out)
{
    smix_params p = { .level = 1, .threads = 1, .block_size = bs };
    smix_cctx *c = smix_cctx_create(&p);
    int ok = c && smix_compress(c, src, n, put, out, NULL) == SMIX_OK;
    smix_cctx_free(c);
    return ok;
}

static smix_result unpack(const buf *in, buf *out, uint64_t *frame)
{
    smix_params p = { .threads = 1 };
    smix_dctx *d = smix_dctx_create(&p);
    smix_result r = d ? smix_decompress(d, in->p, in->n, put, out, NULL) : SMIX_ERR_NOMEM;
    *frame = smix_dctx_frame(d);
    smix_dctx_free(d);
    return r;
}

/* Text of words drawn at random: tokens of a few bytes, quick to code. */
static uint8_t *words(size_t n, uint64_t seed)
{
    static const char *const w[] = { "the ", "frame ", "block ", "of ", "smix ", "codes ", "each\n" };
    uint8_t *p = malloc(n);
    for (size_t i = 0; p && i < n;) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        const char *s = w[(seed >> 33) % 7];
        while (*s && i < n) p[i++] = (uint8_t)*s++;
    }
    return p;
}

static void test_frames(void)
{
    size_t bs = SMIX_BLOCK_MIN, n = SMIX_MAX_BLOCKS * bs + 5000;   /* one frame and a bit */
    uint8_t *src = words(n, 3);
    buf whole = { 0 }, first = { 0 }, rest = { 0 }, back = { 0 };
    uint64_t frame;
    int ok = src && pack(src, n, bs, &whole);
    smix_file_info info;
    check(ok && smix_frame_info(whole.p, whole.n, &info) == SMIX_OK && info.input_bytes == SMIX_MAX_BLOCKS * bs &&
          info.config.blocks == SMIX_MAX_BLOCKS && info.compressed_bytes < whole.n,
          "an input longer than a frame: the first frame holds SMIX_MAX_BLOCKS full blocks");
    check(ok && smix_frame_info(whole.p + info.compressed_bytes, whole.n - info.compressed_bytes, &info) == SMIX_OK &&
          info.input_bytes == 5000 && info.config.blocks == 1, "the second frame holds the rest");
    ok = ok && pack(src, SMIX_MAX_BLOCKS * bs, bs, &first) && pack(src + SMIX_MAX_BLOCKS * bs, 5000, bs, &rest);
    check(ok && first.n + rest.n == whole.n && !memcmp(first.p, whole.p, first.n) &&
          !memcmp(rest.p, whole.p + first.n, rest.n), "compressing frame by frame writes the same bytes");
    check(ok && unpack(&whole, &back, &frame) == SMIX_OK && back.n == n && !memcmp(back.p, src, n) && frame == 1,
          "two frames decode to the input");
    /* damage block 3 of the first frame where only its decoding can see it:
     * its payload, with the payload CRC made right again */
    ctr_header h;
    ok = ok && ctr_read_header(whole.p, whole.n, &h) == SMIX_OK;
    size_t at = h.header_bytes, good = 0;
    for (int i = 0; i < 3; i++) {
        at += h.block[i].payload_bytes;
        good += h.block[i].input_bytes;
    }
    whole.p[at + h.block[3].payload_bytes / 2] ^= 0x55;
    h.crc_payload = crc32c(0, whole.p + h.header_bytes, h.payload_bytes);
    ctr_write_header(&h, whole.p);
    back.n = 0;
    smix_result r = ok ? unpack(&whole, &back, &frame) : SMIX_OK;
    check(r == SMIX_ERR_CHECKSUM || r == SMIX_ERR_CORRUPT, "a damaged block is refused");
    check(ok && frame == 0 && good >= 3 * bs && back.n == good && !memcmp(back.p, src, back.n),
          "the output stops where the damaged block starts");
    free(src);
    free(whole.p);
    free(first.p);
    free(rest.p);
    free(back.p);
}

/* The CRC: the known value, and the fast path equal to the table on every
 * length and alignment. */
static void test_crc(void)
{
    check(crc32c(0, "123456789", 9) == 0xE3069283u && crc32c_table(0, "123456789", 9) == 0xE3069283u,
          "crc32c(\"123456789\") = 0xE3069283");
    uint8_t data[600];
    uint64_t s = 12345;
    for (size_t i = 0; i < sizeof data; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        data[i] = (uint8_t)(s >> 56);
    }
    int same = 1;
    for (size_t at = 0; at < 16; at++)
        for (size_t n = 0; at + n <= sizeof data; n += n < 40 ? 1 : 37)
            same &= crc32c(0x1234567u, data + at, n) == crc32c_table(0x1234567u, data + at, n);
    check(same, "crc32c equals the table version on every length and alignment");
}

int main(void)
{
    test_crc();
    test_round_trips();
    test_config_fields();
    test_config_ranges();
    test_refusals();
    test_block_rules();
    test_threads();
    test_frames();
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
