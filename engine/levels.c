/*
 * levels.c - level presets, error messages, component names, the public view
 * of the static vocabulary, and memory estimates.
 */
#include "smix.h"

#include "levels.h"
#include "tok.h"
#define SSM_LR 1000

typedef struct level_preset {
    uint8_t ssm, nl, dm, ds, di, it_early, it_mid, it_late, max_order, skip;
    uint32_t vocab;
    uint16_t ssm_rows;
} level_preset;

/* Index = level - 1. Chosen by measurement (docs/BENCHMARKS.md, docs/model.md).
 * Orders above 4 measured no better on enwik8 (the match model and the
 * recency features cover long repeats), so most levels stop there. The skip
 * contexts pay about 1% for 1.5-2x the time of level 1. The SSM adds 0.2-0.5%
 * at four times the time of level 3, so the default (3) is the best mixer
 * without it, and levels 4-9 add it with a growing head (enwik8_1M, make
 * bench: 3,072 rows 228,324 bytes in 20 s, 16,384 rows 227,536 in 83 s;
 * before the binary-input fix, two layers of the reference's size gave
 * 228,358 in 64 s and DM 48, two layers, order 32 227,936 in 105 s, against
 * 228,035 for one layer of 3,072 rows). */
static const level_preset presets[SMIX_LEVEL_MAX] = {
    /* ssm nl  dm  ds  di  iters    order skip vocab  rows   (skip: minimum count, 0 = off) */
    { 0, 0,  0,  0,  0, 0, 0, 0,  3, 0, 32768, 0 },     /* 1: mixer of n-grams, match, priors */
    { 0, 0,  0,  0,  0, 0, 0, 0,  4, 2, 32768, 0 },     /* 2: + skip contexts (followers seen twice) */
    { 0, 0,  0,  0,  0, 0, 0, 0,  4, 1, 32768, 0 },     /* 3: default: + every skip follower */
    { 1, 1, 32, 16, 64, 4, 2, 1,  4, 1, 32768, 3072 },  /* 4: + SSM, one layer */
    { 1, 1, 32, 16, 64, 4, 2, 1,  4, 1, 32768, 4096 },  /* 5: more SSM rows (the head's */
    { 1, 1, 32, 16, 64, 4, 2, 1,  4, 1, 32768, 8192 },  /* 6:   size is what pays; a second */
    { 1, 1, 32, 16, 64, 8, 4, 2,  4, 1, 32768, 8192 },  /* 7:   layer, a wider model and */
    { 1, 1, 32, 16, 64, 8, 4, 2,  4, 1, 32768, 12288 }, /* 8:   orders above 4 measured */
    { 1, 1, 32, 16, 64, 8, 4, 2,  4, 1, 32768, 16384 }, /* 9:   no better) */
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
    c.smooth_milli = p->ssm ? 120 : 0;
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
    case SMIX_ERR_MEMLIMIT: return "memory limit exceeded (raise --memlimit or use a lower level)";
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

const char *smix_component_name(int comp)
{
    static const char *const names[SMIX_NCOMP] = {
        "prior", "ng1", "ng2", "ng3", "ng4", "ng5", "ng6", "ng7", "ng8", "ng16", "ng32",
        "match", "recency",
    };
    return comp >= 0 && comp < SMIX_NCOMP ? names[comp] : "unknown";
}

uint32_t smix_vocab_size(void) { return tok_vocab_size(tok_builtin()); }

const uint8_t *smix_vocab_token(uint32_t id, uint32_t *len)
{
    return tok_bytes(tok_builtin(), id, len);
}

/* Measured on text: the n-gram contexts and follower lists take about 50-60
 * bytes per input byte; the history, dense per-slot arrays and the SSM are
 * small next to them (a few bytes per input byte plus a fixed part). */
#define MEM_FIXED ((uint64_t)48 << 20)
#define MEM_PER_BYTE_FIXED 4
#define MEM_PER_BYTE_NGRAM 60

uint64_t smix_memory_estimate(const smix_config *c, uint64_t n)
{
    uint64_t ng = n * MEM_PER_BYTE_NGRAM;
    if (c->ngram_budget_mb && ng > ((uint64_t)c->ngram_budget_mb << 20))
        ng = (uint64_t)c->ngram_budget_mb << 20;
    return MEM_FIXED + n * MEM_PER_BYTE_FIXED + ng;
}

int smix__ngram_budget(uint64_t memlimit, uint64_t n)
{
    if (!memlimit) return 0;
    uint64_t fixed = MEM_FIXED + n * MEM_PER_BYTE_FIXED;
    if (n * MEM_PER_BYTE_NGRAM + fixed <= memlimit) return 0;
    if (memlimit < fixed + ((uint64_t)16 << 20)) return -1;
    uint64_t mb = (memlimit - fixed) >> 20;
    return mb > 65535 ? 65535 : (int)mb;
}
