/*
 * smix.h - the one public header of the smix compression library.
 *
 * smix is a lossless compressor whose predictor is a small selective state
 * space model (Mamba-style) trained on the input while it is coded, refined by
 * sparse n-gram context models, a match model and recency/frequency priors.
 * The mixed distribution over BPE tokens drives a 64-bit range coder.
 *
 * Every number that reaches the coder is computed with IEEE single/double
 * arithmetic in a fixed order, with the library's own exp/log, so a file made
 * by any build (any -O level, SIMD or scalar, any thread count) decodes with
 * any other.
 *
 * Thread safety: contexts are independent; one context must not be used by
 * two threads at once. The library has no global mutable state.
 * The library never prints and never exits: every failure is an smix_result.
 */
#ifndef SMIX_H
#define SMIX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SMIX_VERSION_MAJOR 0
#define SMIX_VERSION_MINOR 1
#define SMIX_VERSION_PATCH 0
#define SMIX_VERSION_STRING "0.1.0"

/* Container format version written by this library (see docs/format.md). */
#define SMIX_FORMAT_VERSION 11
#define SMIX_FORMAT_OLDEST 6   /* the oldest major version this build still reads */

typedef enum smix_result {
    SMIX_OK = 0,
    SMIX_ERR_NOMEM,          /* an allocation failed */
    SMIX_ERR_MEMLIMIT,       /* the work would exceed params.memlimit */
    SMIX_ERR_PARAM,          /* an argument is out of range */
    SMIX_ERR_BAD_MAGIC,      /* not an smix file */
    SMIX_ERR_VERSION_NEWER,  /* made by a newer format version than this build reads */
    SMIX_ERR_VERSION_OLDER,  /* made by an older format version that is no longer read */
    SMIX_ERR_TRUNCATED,      /* the compressed data ends too early */
    SMIX_ERR_CORRUPT,        /* the compressed data is damaged (header or payload) */
    SMIX_ERR_CHECKSUM,       /* decoded data does not match the stored checksum */
    SMIX_ERR_WRITE,          /* the write callback reported a failure */
    SMIX_ERR_ABORTED,        /* a hook asked to stop (e.g. on a signal) */
    SMIX_ERR_TOO_LARGE,      /* input larger than the format or this build supports */
    SMIX_ERR__COUNT
} smix_result;

/* A static, human-readable message for a result code. Never NULL. */
const char *smix_strerror(smix_result r);

/* Levels: 1 (fastest) .. 9 (best ratio). 0 selects the default. */
#define SMIX_LEVEL_MIN 1
#define SMIX_LEVEL_MAX 9
#define SMIX_LEVEL_DEFAULT 3
#define SMIX_MAX_BLOCKS 32       /* blocks in one frame; a longer input takes more frames */
#define SMIX_BLOCK_MIN ((uint64_t)16 << 10)
#define SMIX_BLOCK_MAX ((uint64_t)64 << 20)   /* so a frame stays within 2 GiB */
/* At most this many model components and coding steps (smix_component). */
#define SMIX_MAX_COMPONENTS 48
#define SMIX_MAX_STEPS 16

typedef struct smix_params {
    int level;          /* 0 = default, else 1..9 */
    int threads;        /* 0 = automatic: one per CPU, at most 4; N: up to N blocks at once
                           (at most 4), or N threads for the SSM of a one-block frame
                           (only for a head of 4,096 rows or more, which no level has).
                           Results never depend on it */
    uint64_t memlimit;  /* bytes; 0 = no limit. Exceeding it -> SMIX_ERR_MEMLIMIT */
    uint64_t block_size;/* bytes of input per block (SMIX_BLOCK_MIN..SMIX_BLOCK_MAX); 0 = the
                           level's (smix_block_size). Each block is coded by a model of its
                           own: smaller blocks run in parallel and bound the time and memory
                           per byte, larger ones compress better */
} smix_params;

/* Model configuration recorded in every file header. All fields are part of
 * the format: a decoder rebuilds the exact model from them. */
typedef struct smix_config {
    uint8_t level;
    uint8_t n_layers;     /* NL */
    uint8_t d_model;      /* DM */
    uint8_t d_state;      /* DS */
    uint8_t d_inner;      /* DI */
    uint8_t d_conv;       /* DC */
    uint8_t chunk;        /* tokens per training chunk */
    uint8_t iters_early;  /* Adam steps per chunk for chunks 0..9 */
    uint8_t iters_mid;    /* for chunks 10..29 */
    uint8_t iters_late;   /* afterwards */
    uint8_t ssm_enabled;  /* 0: n-gram/match/prior only */
    uint8_t skip_context; /* skip contexts (followers of a token further back): 0 none,
                             1 the tokens 2 and 3 back, 2 also the token 4 back */
    uint8_t max_order;    /* highest n-gram order in use (3..4) */
    uint16_t lr_milli;    /* Adam learning rate * 1e5 (e.g. 200 = 0.002) */
    uint16_t smooth_milli;/* label smoothing * 1000 */
    uint32_t vocab_size;  /* tokens of the static vocabulary in use (ids < vocab_size) */
    uint16_t ssm_rows;    /* SSM head rows: the first ssm_rows-1 distinct tokens get their own
                             row, later ones share row 0 with NEW (0 = no cap) */
    uint16_t ngram_budget_mb; /* n-gram memory budget in MiB (0 = unlimited) of each
                                 block's model; set from --memlimit, recorded so the
                                 decoder matches */
    uint8_t byte_mix;     /* 0: tokens coded as symbols of the token model; else tokens coded
                             bit by bit, mixed with byte contexts in a table of 2^byte_mix
                             counters (16..26) */
    uint8_t escape_walk;  /* with byte_mix: an escaped token is coded bit by bit among every
                             token it can be, else by its class and rank */
    uint8_t escape_keys;  /* with escape_walk: the escapes' sums by first byte, and by second
                             byte after a space, are taken over the classes' members counted
                             by those bytes, not over every seen token (levels 3-9; format
                             11, 0 before) */
    uint8_t spell_new;    /* with byte_mix: a new token is coded bit by bit among the unused
                             tokens, else by its id through the id tree (levels 3-9;
                             format 9, 0 before) */
    uint8_t byte_records; /* with byte_mix: the byte model detects fixed-length records and
                             adds contexts of the bytes above (levels 3-9; format 9, 0
                             before) */
    uint8_t byte_history; /* with byte_mix: the byte model's counters keep their last bits,
                             mapped to probabilities, and a match model predicts the byte
                             after the last earlier occurrence of the last 7 bytes (levels
                             3-9; format 10, 0 before) */
    uint8_t adam_no_momentum; /* with ssm_enabled: the SSM's Adam keeps no first moment (beta1
                             = 0; beta2 stays 0.999) (levels 4-9; format 10, 0 before) */
    uint8_t follow16;     /* each n-gram context keeps at most 16 x follow16 followers,
                             the least used giving way; 0 = no limit */
    uint8_t follow_words; /* 1: a context that ends in a word keeps at most 4 x follow16
                             followers, and at levels 1-2 a long order-1 list is thinned
                             past 8 x follow16 (format 7; 0 in format 6) */
    uint8_t skip_share_wide; /* with skip_share: the rule applies in contexts seen 1,024 times
                             or more instead of 4,096 (levels 3-9; format 9, 0 before) */
    uint8_t skip_share;   /* 1: from a block's token 2^18 on, a skip context's list of more
                             than 64 followers, in a context seen 4,096 times or more, keeps
                             only the followers with 1/64 of its count or seen in the last
                             2,048 positions (levels 3-9; format 8, 0 before) */
    uint8_t coarse_classes; /* 1: the seen tokens' classes bucket counts as 1, 2, 3, then
                             pairs of octaves, and the last positions' tokens are no
                             candidates (levels 1-2; format 8, 0 before) */
    uint8_t blocks;       /* the frame is cut into this many blocks (1..SMIX_MAX_BLOCKS), each
                             coded by a model of its own, so they can run in parallel.
                             smix_level_config gives 1; a header, how many its frame has */
} smix_config;

/* Fixed per-file information, available before the first token. */
typedef struct smix_file_info {
    uint32_t format_version;
    uint64_t input_bytes;
    uint64_t tokens;          /* 0 if not known yet */
    uint64_t header_bytes;    /* container bytes that are not range-coder payload */
    uint64_t payload_bytes;   /* range-coder payload (known after coding) */
    uint64_t compressed_bytes;
    uint32_t checksum;        /* CRC-32C of the original */
    smix_config config;
} smix_file_info;

/* The parts of the model and of the coder, as a trace shows them
 * (engine/components.h is the one place where they are declared).
 *
 * A component adds a term to a token's logit, in natural-log units: a term
 * c multiplies the token's unnormalised probability by e^c. */
typedef struct smix_component {
    const char *name;         /* short and stable: "ssm", "prior", "ng2", "skip3", "apm_fav", ... */
    const char *group;        /* "ssm", "frequency", "recency", "bias", "context", "match", "new",
                                 "apm", "escape" */
    const char *description;  /* a noun phrase: "the order-2 n-gram context" */
} smix_component;
int smix_component_count(void);
/* Component i (0 .. smix_component_count() - 1), NULL out of range. */
const smix_component *smix_component_get(int i);
/* Whether files coded with configuration c use component i (their traces
 * record only those). */
int smix_component_used(const smix_config *c, int i);

/* A coding step: one of the decisions a token is coded with. */
typedef struct smix_step {
    const char *name;         /* "sym", "is_cand", "cand_walk", "is_new", "class", "rank",
                                 "esc_walk", "id", "new_walk", "coder" */
    const char *description;
    int mixed;                /* a binary decision refined by the byte model (levels 3-9) */
} smix_step;
int smix_step_count(void);
const smix_step *smix_step_get(int i);
int smix_step_used(const smix_config *c, int i);

#define SMIX_TOPK 8
/* Token id standing for "a token not seen before in this file"; the real id
 * then follows, coded separately. Appears only among top candidates. */
#define SMIX_TOKEN_NEW 0xFFFFFFFFu
/* No token (a favourite when the token was the only candidate). */
#define SMIX_TOKEN_NONE 0xFFFFFFFEu

/* smix_token_info.flags */
#define SMIX_TI_SSM 1u   /* p_ssm and rank_ssm hold the SSM's view of the token (a level with
                            the SSM, a token seen before) */
#define SMIX_TI_FAV 2u   /* the token was the model's favourite: fav_* describe the runner-up */

/* Per-token record passed to the token hook, identical on encode and decode.
 * Pointers are valid only during the call. Logits and terms are in
 * natural-log units; costs in bits. */
typedef struct smix_token_info {
    uint64_t index;           /* token number, from 0 */
    uint64_t offset;          /* byte offset in the original */
    uint32_t length;          /* bytes of the token */
    uint32_t token_id;        /* id in the static vocabulary */
    const uint8_t *bytes;     /* the token's bytes (length of them) */
    uint8_t is_new;           /* first occurrence: coded as NEW + id */
    int8_t longest_order;     /* longest n-gram order whose context was seen, 0 none */
    uint8_t flags;            /* SMIX_TI_* */
    uint8_t reserved;
    uint32_t longest_count;   /* times the actual token followed that context */
    float p_ssm;              /* the SSM's probability of the token (with SMIX_TI_SSM) */
    uint32_t rank_ssm;        /* its 1-based rank under the SSM (with SMIX_TI_SSM) */
    float p_ssm_new;          /* the SSM's probability that the token is new (0 without the SSM) */
    float entropy;            /* SSM entropy, bits (0 without the SSM) */
    float scale;              /* entropy-adaptive scale of the features (1 without the SSM) */
    float p_final;            /* 2^-bits */
    double bits;              /* the token's cost in the compressed file: the sum of step_bits */
    uint32_t rank_final;      /* 1 + the tokens (NEW counted as one) the model found more probable */
    double logit;             /* the final logit of the token's symbol (of NEW for a new token) */
    double log_norm;          /* log of the normaliser: (log_norm - logit) / ln 2 is the symbol's
                                 information before quantisation */
    float comp[SMIX_MAX_COMPONENTS];      /* each component's term in logit, by component index;
                                             they sum to logit */
    uint32_t fav_id;          /* the most probable other candidate: the favourite, or the runner-up
                                 with SMIX_TI_FAV (SMIX_TOKEN_NEW possible, SMIX_TOKEN_NONE) */
    double fav_logit;
    float fav_comp[SMIX_MAX_COMPONENTS];
    float saved[SMIX_MAX_COMPONENTS];     /* with SMIX_HOOK_SAVED: the bits saved by each component,
                                             how many more bits the token model would have given
                                             the token without it (its term taken from every
                                             symbol, renormalised) */
    double step_bits[SMIX_MAX_STEPS];     /* the cost of each coding step, by step index */
    double step_tm[SMIX_MAX_STEPS];       /* the token model's own cost of the same decisions,
                                             before the byte model (= step_bits if not mixed) */
    uint32_t top_id[SMIX_TOPK];   /* after mixing; SMIX_TOKEN_NEW possible */
    float top_p[SMIX_TOPK];
    uint32_t ssm_top_id[SMIX_TOPK];
    float ssm_top_p[SMIX_TOPK];
} smix_token_info;

/* Per training chunk. */
typedef struct smix_chunk_info {
    uint64_t chunk_index;
    uint64_t first_token;
    uint32_t n_tokens;
    uint32_t iterations;
    float loss;               /* mean cross-entropy (nats) of the last iteration */
    float lr;
} smix_chunk_info;

#define SMIX_HOOKS_VERSION 3
/* smix_hooks.flags: what the token hook wants beyond the rest */
#define SMIX_HOOK_SAVED 1u   /* smix_token_info.saved: exact, but more costly than the rest of
                                the record (docs/BENCHMARKS.md) */
/* Observation hooks. Any pointer may be NULL. Hooks must not call back into
 * the same context. progress returns nonzero to abort (SMIX_ERR_ABORTED). */
typedef struct smix_hooks {
    unsigned version;   /* SMIX_HOOKS_VERSION */
    void *user;
    void (*begin)(void *user, const smix_file_info *info);
    void (*token)(void *user, const smix_token_info *t);
    void (*chunk)(void *user, const smix_chunk_info *c);
    void (*end)(void *user, const smix_file_info *info);
    int (*progress)(void *user, uint64_t bytes_done, uint64_t bytes_total,
                    uint64_t tokens_done, double bits_so_far);
    unsigned flags;     /* SMIX_HOOK_* */
} smix_hooks;

/* Output sink: returns 0 on success, nonzero on failure (-> SMIX_ERR_WRITE). */
typedef int (*smix_write_fn)(void *wctx, const void *data, size_t n);

/* ---- compression ---- */
typedef struct smix_cctx smix_cctx;

/* Creates a compression context; NULL on allocation failure. params may be
 * NULL for defaults. Values are validated by smix_compress. */
smix_cctx *smix_cctx_create(const smix_params *params);
void smix_cctx_free(smix_cctx *cctx);   /* accepts NULL */

/* Compresses src[0..n) into smix frames written through write(): one frame
 * per SMIX_MAX_BLOCKS blocks of the block size (smix_block_size), so every
 * frame but the last starts SMIX_MAX_BLOCKS * block size bytes after the
 * previous one, and compressing the input in pieces of that size, one call
 * each, writes the same bytes. hooks may be NULL; with a token or chunk hook
 * the input must fit in one frame (else SMIX_ERR_PARAM). The output does not
 * depend on hooks or thread count. */
smix_result smix_compress(smix_cctx *cctx, const void *src, size_t n,
                          smix_write_fn write, void *wctx,
                          const smix_hooks *hooks);

/* ---- decompression ---- */
typedef struct smix_dctx smix_dctx;

smix_dctx *smix_dctx_create(const smix_params *params);  /* level ignored */
void smix_dctx_free(smix_dctx *dctx);

/* Decompresses src[0..n): one or more complete frames, one after another
 * (concatenated smix files decode to the concatenation of their originals).
 * Every frame's header and payload checksum are verified before anything is
 * decoded. Each block's output goes to write() once its checksum has been
 * verified, in order, so nothing after a damaged block is written; on an
 * error the caller should still discard what was written (a damaged block
 * is SMIX_ERR_CHECKSUM or SMIX_ERR_CORRUPT). smix_dctx_frame() then tells
 * which frame failed. With a token or chunk hook, src must be one frame. */
smix_result smix_decompress(smix_dctx *dctx, const void *src, size_t n,
                            smix_write_fn write, void *wctx,
                            const smix_hooks *hooks);

/* The index (from 0) of the frame the last smix_decompress call failed in, or
 * decoded last. */
uint64_t smix_dctx_frame(const smix_dctx *dctx);

/* Parses and validates the header of the frame at the start of src[0..n),
 * and its payload's checksum (for `smix -l`); info->compressed_bytes is the
 * frame's size: the next frame, if any, starts there. */
smix_result smix_frame_info(const void *src, size_t n, smix_file_info *info);

/* The block size (bytes) that params select: params->block_size, or the
 * level's. 0 if params->block_size is out of range. */
uint64_t smix_block_size(const smix_params *params);

/* Parses and validates only the header at the start of a frame, src[0..n)
 * being the first n bytes of it (SMIX_FRAME_HEADER_MAX are always enough),
 * so that a program can refuse a foreign, damaged or too demanding file
 * before reading all of it. Fills info with what the header declares
 * (compressed_bytes is the size the whole frame must have). Returns
 * SMIX_ERR_TRUNCATED if n is too short for the header. */
smix_result smix_frame_header(const void *src, size_t n, smix_file_info *info);
#define SMIX_FRAME_HEADER_MAX 65536

/* The configuration a level selects (level 0 = default). */
smix_result smix_level_config(int level, smix_config *out);

/* ---- static vocabulary (for printing token text without the engine) ---- */
uint32_t smix_vocab_size(void);
/* Bytes of token id; NULL if id is out of range. *len receives the length. */
const uint8_t *smix_vocab_token(uint32_t id, uint32_t *len);

/* Decodes one strict UTF-8 sequence at p[0..n): returns its length (1-4) and
 * the code point in *cp, or 0 if the bytes there are not valid UTF-8
 * (overlong forms, surrogates and code points above U+10FFFF are invalid).
 * For programs that show token text and must escape everything else. */
size_t smix_utf8_decode(const uint8_t *p, size_t n, uint32_t *cp);

/* Showing untrusted text (file names, token text, messages quoting them) on
 * a terminal: printable UTF-8 as it is, everything else as a visible escape
 * (engine/textesc.c): \n \r \t; \xNN for other C0 controls, DEL and bytes
 * that are not valid UTF-8; \uXXXX (\UXXXXXXXX above U+FFFF) for C1
 * controls and invisible format characters (bidi controls, zero-width
 * characters, line separators, BOM, tags). The CLI, the TUI and the viewer
 * all decide through these two. */
#define SMIX_TEXT_ESC_MAX 12   /* the longest escape and its NUL: "\U000E007F" */

/* The first unit of p[0..n) (a UTF-8 character, or one byte that is not
 * valid UTF-8): returns its length (0 only if n is 0) and its code point in
 * *cp (the byte's value for an invalid byte); esc receives its escape, or
 * "" if the unit may be shown as it is. (A backslash is shown as it is
 * here; smix_text_escape doubles it.) */
size_t smix_text_unit(const uint8_t *p, size_t n, uint32_t *cp, char esc[SMIX_TEXT_ESC_MAX]);

/* Writes src[0..n) escaped into out (NUL-terminated, at most outlen - 1
 * bytes; an escape or a character is never cut), with every backslash
 * doubled so that each one there starts an escape. Returns the bytes of src
 * written (n if all of it fitted). */
size_t smix_text_escape(const void *src, size_t n, char *out, size_t outlen);

/* For programs built on the library: opens /dev/null on any of the
 * descriptors 0, 1 and 2 that is closed, so that no file opened later takes
 * their place (a closed stderr would otherwise receive the messages meant
 * for it inside the output file). They are opened in the other direction,
 * so that reading a closed stdin or writing a closed stdout fails (EBADF)
 * and is reported. Call it first in main(). Returns 0, or -1 if a
 * descriptor could not be filled (the program should then exit). */
int smix_guard_stdio(void);

/* Estimated peak memory (bytes) to code n input bytes with configuration c
 * (as recorded in a header, or from smix_level_config). */
uint64_t smix_memory_estimate(const smix_config *c, uint64_t n);

#ifdef __cplusplus
}
#endif
#endif /* SMIX_H */
