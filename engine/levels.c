/*
 * levels.c - level presets, error messages, the public view
 * of the static vocabulary, and memory estimates.
 */
#include "smix.h"

#include "bytemix.h"
#include "levels.h"
#include "tok.h"
/* The SSM's Adam rate x 1e5 and label smoothing x 1000. With Adam
 * without momentum (format 10) a rate of 0.006 and no smoothing measured
 * best (level 9, enwik8_1M: 0.01 and 0.12 cost 0.05%; docs/model.md,
 * session 10). */
#define SSM_LR 600
#define SSM_SMOOTH 0

typedef struct level_preset {
    uint8_t ssm, nl, dm, ds, di, it_early, it_mid, it_late, max_order, skip, byte_mix;
    uint32_t vocab;
    uint16_t ssm_rows;
    uint32_t block_kb;     /* input per block, KiB */
    uint8_t follow16;      /* followers per context / 16 (0: no limit) */
    uint8_t follow_words;  /* contexts ending in a word keep a quarter of them */
    uint8_t coarse;        /* coarse_classes: fewer count buckets, no recent positions */
} level_preset;

/* Index = level - 1. Chosen by measurement (docs/BENCHMARKS.md, docs/model.md).
 * Orders above 4 measured no better on enwik8 (the match model and the
 * recency features cover long repeats), so every level stops at 3 or 4.
 * Every level cuts its input into blocks of a fixed size (block_kb), coded
 * by models of their own and in parallel (docs/format.md). The
 * skip contexts pay about 0.9% for 1.8x the time of level 2. Levels 2-9
 * learn the context followers' cell biases (model_feat.c; level 3: 0.30%
 * smaller for 5% more time; level 1 leaves them out, 8% of its time for
 * 0.2%), and levels 4-9 add a third skip context, the token 4 back (0.16%
 * at level 3 for 20% more time, so the default does without).
 * Levels 3-9 code the token model's choice bit by bit, mixed with a byte
 * model of 2^byte_mix counters (tokbits.c, bytemix.c: level 3 on enwik8_1M
 * 2.1% smaller than in format 4 for 1.5x the time; level 2 stays the fast
 * step between 1 and 3), and levels 4-9 walk escapes the same way (1.4% at
 * level 3 when measured, but 1.9x its time: too slow for the default).
 * With the byte model the SSM head's size no longer pays (level 9 with
 * 2,048 rows: 0.06% smaller in 1.3x the time of 512 rows), so levels 4-9
 * grow the byte table instead (2^24 to 2^26 counters) and keep a head of
 * 256-512 rows; level 9 stays well within 70x the time of xz -9e on
 * enwik8_1M with two threads. The measurements: docs/model.md, session 5.
 * Every level limits the followers kept per context (follow16 x 16): the
 * lists of frequent contexts otherwise grow with the input and the time per
 * byte with them (level 3 on a 10 MB text: 21.8 s per MB uncapped, 9.7 with
 * 256 followers, for 0.6% more output; 0.2% on enwik8_1M). Fewer than 256
 * cost binary data dearly (kennedy.xls: 2.3x the output with 128). Session
 * 6 in docs/model.md. Levels 1-2 keep 64 after a word (follow_words: the
 * longest lists, of many rare followers) and thin an order-1 list past
 * 128: level 1 6% fewer instructions, enwik8_1M 0.28% larger, kennedy.xls
 * 0.7% smaller (session 7). They also bucket counts coarsely (1, 2, 3,
 * then pairs of octaves: 35% fewer classes in use) and make no candidates
 * of the last positions, which at these levels cost more than they saved
 * (coarse_classes, format 8: level 1 on enwik8_1M 15% less time and 0.25%
 * smaller; session 8 in docs/model.md). Levels with skip contexts thin
 * their long lists in frequent contexts to the followers with a share of
 * the count, past a block's first 2^18 tokens (skip_share, format 8:
 * level 3 on a 10 MB text 7-11% faster for 0.17% more output;
 * model_cand.c), and in contexts seen 1,024 times instead of 4,096
 * (skip_share_wide, format 9: 5-6% faster again for 0.12%). The byte
 * model of levels 3-9 detects fixed-length records and adds contexts of
 * the bytes above (byte_records, format 9: level 3 kennedy.xls 24%
 * smaller, ptt5 34%, geo 3%, text the same within 0.01% for about 1%
 * more time), and spells new tokens bit by bit among the unused ones, the
 * byte model refining the id tree (spell_new, format 9: enwik8_1M 0.7%
 * smaller, book1 0.6%; session 9 in docs/model.md). Their counters keep
 * their last bits and a byte-level match model joins (byte_history,
 * format 10: level 3 enwik8_1M 0.44% smaller, kennedy.xls 11%, for a few
 * percent more time), and the SSM levels train it with Adam without momentum
 * (adam_no_momentum, format 10; session 10 in docs/model.md). Levels 4-9
 * walk escapes bit by bit, from format 11 with the sums taken by key
 * (escape_keys): no pass over every seen token at each escape (level 9
 * on enwik8_3M 20% less time, two interleaved pairs, within 10 bytes;
 * session 12 in docs/model.md). */
static const level_preset presets[SMIX_LEVEL_MAX] = {
    /* ssm nl  dm  ds  di  iters    order skip byte_mix vocab rows  block_kb follow16 follow_words coarse   (skip: 0 off, 1 two skip contexts, 2 three) */
    { 0, 0,  0,  0,  0, 0, 0, 0,  3, 0, 0, 32768, 0, 1536, 16, 1, 1 }, /* 1: mixer of n-grams, match, priors */
    { 0, 0,  0,  0,  0, 0, 0, 0,  3, 0, 0, 32768, 0, 8192, 16, 1, 1 }, /* 2: level 1 + follower cell biases */
    { 0, 0,  0,  0,  0, 0, 0, 0,  4, 1, 24, 32768, 0, 16384, 16, 0, 0 }, /* 3: default: + order 4, skip contexts, byte model */
    { 1, 1, 32, 16, 64, 4, 2, 1,  4, 2, 24, 32768, 512, 16384, 32, 0, 0 }, /* 4: + SSM, one layer, a third skip context, escape walk */
    { 1, 1, 32, 16, 64, 4, 2, 1,  4, 2, 25, 32768, 512, 16384, 32, 0, 0 }, /* 5-9: larger byte tables, then more SSM rows */
    { 1, 1, 32, 16, 64, 4, 2, 1,  4, 2, 26, 32768, 256, 16384, 32, 0, 0 },
    { 1, 1, 32, 16, 64, 4, 2, 1,  4, 2, 26, 32768, 384, 16384, 32, 0, 0 },
    { 1, 1, 32, 16, 64, 4, 2, 1,  4, 2, 26, 32768, 448, 16384, 32, 0, 0 },
    { 1, 1, 32, 16, 64, 4, 2, 1,  4, 2, 26, 32768, 512, 16384, 32, 0, 0 },
};

smix_result smix_level_config(int level, smix_config *out)
{
    if (level == 0) level = SMIX_LEVEL_DEFAULT;
    if (level < SMIX_LEVEL_MIN || level > SMIX_LEVEL_MAX) return SMIX_ERR_PARAM;
    const level_preset *p = &presets[level - 1];
    smix_config c = { 0 };
    c.level = (uint8_t)level;
    c.ssm_enabled = p->ssm;
    c.skip_context = p->skip;
    c.blocks = 1;
    c.byte_mix = p->byte_mix;
    c.follow16 = p->follow16;
    c.follow_words = p->follow_words;
    c.coarse_classes = p->coarse;
    c.skip_share = p->skip != 0;
    c.skip_share_wide = p->skip != 0;
    c.escape_walk = p->ssm && p->byte_mix;
    c.escape_keys = c.escape_walk;
    c.byte_records = p->byte_mix != 0;
    c.spell_new = p->byte_mix != 0;
    c.byte_history = p->byte_mix != 0;
    c.adam_no_momentum = p->ssm;
    c.n_layers = p->nl;
    c.d_model = p->dm;
    c.d_state = p->ds;
    c.d_inner = p->di;
    c.d_conv = p->ssm ? 4 : 0;
    c.chunk = p->ssm ? 32 : 0;
    c.iters_early = p->it_early;
    c.iters_mid = p->it_mid;
    c.iters_late = p->it_late;
    c.max_order = p->max_order;
    c.lr_milli = p->ssm ? SSM_LR : 0;
    c.smooth_milli = p->ssm ? SSM_SMOOTH : 0;
    uint32_t vs = tok_vocab_size(tok_builtin());
    c.vocab_size = p->vocab < vs ? p->vocab : vs;
    c.ssm_rows = p->ssm ? p->ssm_rows : 0;
    *out = c;
    return SMIX_OK;
}

const char *smix_strerror(smix_result r)
{
    switch (r) {
    case SMIX_OK: return "success";
    case SMIX_ERR_NOMEM: return "out of memory";
    case SMIX_ERR_MEMLIMIT: return "memory limit exceeded";
    case SMIX_ERR_PARAM: return "invalid argument";
    case SMIX_ERR_BAD_MAGIC: return "not in smix format";
    case SMIX_ERR_VERSION_NEWER: return "made by a newer smix format version; upgrade smix to read it";
    case SMIX_ERR_VERSION_OLDER: return "made by an older smix format version that this build no longer reads";
    case SMIX_ERR_TRUNCATED: return "unexpected end of compressed data (truncated file)";
    case SMIX_ERR_CORRUPT: return "compressed data is corrupt";
    case SMIX_ERR_CHECKSUM: return "checksum mismatch: decoded data is damaged";
    case SMIX_ERR_WRITE: return "write error";
    case SMIX_ERR_ABORTED: return "interrupted";
    case SMIX_ERR_TOO_LARGE: return "input too large (this version handles up to 4 GiB - 1 per file)";
    case SMIX_ERR__COUNT: break;
    }
    return "unknown error";
}

uint32_t smix_vocab_size(void) { return tok_vocab_size(tok_builtin()); }

const uint8_t *smix_vocab_token(uint32_t id, uint32_t *len)
{
    return tok_bytes(tok_builtin(), id, len);
}

/* Measured on text: the n-gram contexts and follower lists take about 50-60
 * bytes per input byte; the history, dense per-slot arrays and the SSM are
 * small next to them (a few bytes per input byte plus a fixed part: about
 * 12 MB of a model's tables, and the process's own). */
#define MEM_PROCESS ((uint64_t)32 << 20)
#define MEM_MODEL ((uint64_t)16 << 20)
#define MEM_PER_BYTE_FIXED 4
#define MEM_PER_BYTE_NGRAM 60
#define MIN_NGRAM_BUDGET ((uint64_t)16 << 20)
/* Blocks running at once, at most: the memory estimate counts this many
 * models (codec.c never runs more threads over blocks). */
#define LIVE_BLOCKS 4

/* Everything but the n-gram models: blocks run at the same time, each with
 * its model; an encoder holds every block's coded stream until the frame is
 * written, a decoder each block's output until it is verified and every
 * earlier block written (all of a frame, at worst). */
static uint64_t live_blocks(uint64_t nb) { return nb < LIVE_BLOCKS ? nb : LIVE_BLOCKS; }

/* The byte model of levels with byte_mix: its table and APMs, whatever
 * the input's size. */
static uint64_t memory_byte_mix(const smix_config *c)
{
    return c->byte_mix ? bytemix_memory(c->byte_mix) : 0;
}

static uint64_t memory_fixed(const smix_config *c, uint64_t nb, uint64_t n)
{
    uint64_t per = n / nb + 1;
    return MEM_PROCESS + live_blocks(nb) * (MEM_MODEL + memory_byte_mix(c) + per * MEM_PER_BYTE_FIXED) + n;
}

uint64_t smix_memory_estimate(const smix_config *c, uint64_t n)
{
    uint64_t nb = c->blocks > 1 ? c->blocks : 1;
    uint64_t ng = (n / nb + 1) * MEM_PER_BYTE_NGRAM;
    if (c->ngram_budget_mb && ng > ((uint64_t)c->ngram_budget_mb << 20))
        ng = (uint64_t)c->ngram_budget_mb << 20;
    return memory_fixed(c, nb, n) + live_blocks(nb) * ng;
}

uint64_t smix_block_size(const smix_params *p)
{
    if (p->block_size)
        return p->block_size >= SMIX_BLOCK_MIN && p->block_size <= SMIX_BLOCK_MAX ? p->block_size : 0;
    int level = p->level ? p->level : SMIX_LEVEL_DEFAULT;
    if (level < SMIX_LEVEL_MIN || level > SMIX_LEVEL_MAX) return 0;
    return (uint64_t)presets[level - 1].block_kb << 10;
}

uint32_t smix__block_count(uint64_t block_size, uint64_t n)
{
    uint64_t nb = n ? (n + block_size - 1) / block_size : 1;
    return (uint32_t)(nb < SMIX_MAX_BLOCKS ? nb : SMIX_MAX_BLOCKS);
}

uint32_t smix__live_blocks(uint32_t blocks) { return (uint32_t)live_blocks(blocks); }

/* A byte touches at most 8 contexts x 2 nibbles x 16 counters of the byte
 * model: a table of 256 counters per input byte has room for all of them,
 * so a small input gets a small table (the level's size is the most), and
 * `smix -9` on a short file does not clear 256 MB. */
#define BYTE_TABLE_MIN 16
uint8_t smix__byte_table_bits(const smix_config *c, uint64_t n)
{
    if (!c->byte_mix) return 0;
    uint8_t bits = BYTE_TABLE_MIN;
    while (bits < c->byte_mix && ((uint64_t)1 << bits) < 256 * n) bits++;
    return bits;
}

int smix__ngram_budget(const smix_config *c, uint64_t memlimit, uint64_t n)
{
    if (!memlimit) return 0;
    uint64_t nb = c->blocks > 1 ? c->blocks : 1, live = live_blocks(nb), fixed = memory_fixed(c, nb, n);
    if (live * (n / nb + 1) * MEM_PER_BYTE_NGRAM + fixed <= memlimit) return 0;
    if (memlimit < fixed + live * MIN_NGRAM_BUDGET) return -1;
    uint64_t mb = (memlimit - fixed) / live >> 20;
    return mb > 65535 ? 65535 : (int)mb;
}
