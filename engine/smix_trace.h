/*
 * smix_trace.h - per-token traces of smix compression: writer and reader.
 *
 * A trace (.smt, docs/trace-format.md) records, for every token the coder
 * saw, what each part of the model predicted and what the token cost. The
 * writer plugs into smix_hooks; the reader gives random access to token i of
 * a trace of any length without reading it all (the file is mmapped and has
 * fixed-size records), and is the only part of the engine that the viewers
 * (tui/, viewer/) use.
 *
 * Readers validate everything: a truncated, corrupted or foreign file gives
 * an error with a message, never a crash.
 */
#ifndef SMIX_TRACE_H
#define SMIX_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include "smix.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------- writer ---------------- */
typedef struct smix_trace_writer smix_trace_writer;

/* Opens a trace for writing at path (written to a temporary file beside it
 * and renamed by smix_trace_writer_finish). NULL on failure, with a message
 * in err. */
smix_trace_writer *smix_trace_writer_open(const char *path, char *err, size_t errlen);

/* Writes the trace into fd instead: an open, empty (it is truncated) file
 * that the caller owns and keeps. Nothing is created or renamed: with the
 * file from smix_trace_temp_fd, a program that traces a plain file only to
 * show it (the viewers) leaves nothing on disk, whatever stops it.
 * smix_trace_writer_finish completes the file; read it back with
 * smix_trace_open_fd. NULL on failure, with a message in err. */
smix_trace_writer *smix_trace_writer_open_fd(int fd, char *err, size_t errlen);

/* An unlinked temporary file in $TMPDIR (default /tmp), open for reading
 * and writing (close-on-exec): no name of it exists at any moment that a
 * signal could leave behind. Returns the descriptor, or -1 and a message. */
int smix_trace_temp_fd(char *err, size_t errlen);

/* The temporary file a writer opened by path fills until finish renames it
 * into place; NULL for a descriptor writer. For a program that must remove
 * it from a signal handler (copy the name: it is freed with the writer). */
const char *smix_trace_writer_temp_path(const smix_trace_writer *w);

/* Also record, for every token, the bits each component saved it (exact
 * counterfactuals, docs/trace-format.md; the records grow by 4 bytes a
 * component, and tracing at the default level costs about 25% more CPU
 * than coding alone instead of 10%). Call before smix_trace_writer_hooks
 * and coding. */
void smix_trace_writer_set_saved(smix_trace_writer *w, int on);

/* Fills hooks so that coding with them records into the writer. If chain is
 * not NULL, its callbacks are called too (e.g. a progress display). */
void smix_trace_writer_hooks(smix_trace_writer *w, smix_hooks *hooks,
                             const smix_hooks *chain);

/* Writes the index, summary and checksum, and renames into place.
 * Returns 0 on success; on failure removes the partial file. */
int smix_trace_writer_finish(smix_trace_writer *w, char *err, size_t errlen);

/* Discards the trace (removes the temporary file) and frees w. Accepts NULL. */
void smix_trace_writer_abort(smix_trace_writer *w);

/* Where the writer finds the bytes of a token id that appears only among the
 * top candidates (never as an actual token). Returns NULL if unknown (the id
 * then has no string in the trace). The default is smix_vocab_token; tools
 * that write traces without the engine's vocabulary set their own.
 * Call before coding starts. */
typedef const uint8_t *(*smix_trace_vocab_fn)(void *ctx, uint32_t id, uint32_t *len);
void smix_trace_writer_set_vocab(smix_trace_writer *w, smix_trace_vocab_fn fn, void *ctx);

/* ---------------- reader ---------------- */
typedef struct smix_trace smix_trace;

/* Most components and steps a trace may hold (a reader refuses more). */
#define SMIX_TRACE_MAX_COMP 64
#define SMIX_TRACE_MAX_STEPS 16

/* One token as stored. Strings point into the mapped trace and stay valid
 * until smix_trace_close. Every float is finite (a record that holds
 * anything else is damaged). comp[i] and fav_comp[i] belong to the trace's
 * component i (smix_trace_component), step_bits[i] and step_tm[i] to its
 * step i (smix_trace_step); docs/trace-format.md defines every field. */
typedef struct smix_trace_token {
    uint64_t index;
    uint64_t offset;
    uint32_t length;
    uint32_t token_id;
    const uint8_t *bytes;     /* length bytes (the token's text) */
    uint8_t is_new;
    int8_t longest_order;
    uint8_t flags;            /* SMIX_TI_SSM (p_ssm, rank_ssm hold), SMIX_TI_FAV */
    uint32_t longest_count;
    float p_ssm;              /* with SMIX_TI_SSM, else 0 (n/a) */
    uint32_t rank_ssm;
    float p_ssm_new;          /* the SSM's probability of NEW (0 without the SSM) */
    float entropy;            /* bits */
    float scale;
    float p_final;
    double bits;              /* the sum of step_bits */
    uint32_t rank_final;
    double logit, log_norm;   /* nats; (log_norm - logit) / ln 2 = information before quantisation */
    uint32_t fav_id;          /* SMIX_TOKEN_NEW, SMIX_TOKEN_NONE possible */
    double fav_logit;
    uint32_t n_comp, n_steps;
    float comp[SMIX_TRACE_MAX_COMP], fav_comp[SMIX_TRACE_MAX_COMP];
    float saved[SMIX_TRACE_MAX_COMP];   /* bits saved by each component (with SMIX_TRACE_SAVED, else 0) */
    double step_bits[SMIX_TRACE_MAX_STEPS], step_tm[SMIX_TRACE_MAX_STEPS];
} smix_trace_token;

typedef struct smix_trace_topk {
    uint32_t id[SMIX_TOPK];       /* SMIX_TOKEN_NEW possible, SMIX_TOKEN_NONE for no entry */
    float p[SMIX_TOPK];
    uint32_t ssm_id[SMIX_TOPK];   /* all SMIX_TOKEN_NONE without the SSM */
    float ssm_p[SMIX_TOPK];
} smix_trace_topk;

/* smix_trace_summary.flags */
#define SMIX_TRACE_SSM 1u    /* the level has the SSM */
#define SMIX_TRACE_BITS 2u   /* tokens coded bit by bit with the byte model */
#define SMIX_TRACE_SAVED 4u  /* the records hold each component's bits saved (format 2.1 and later) */

typedef struct smix_trace_summary {
    uint64_t input_bytes;
    uint64_t tokens;
    uint64_t header_bytes;
    uint64_t payload_bytes;
    uint64_t compressed_bytes;
    double total_bits;        /* sum of bits over all tokens */
    uint64_t chunks;
    uint32_t vocab_size;
    uint32_t checksum;        /* CRC-32C of the original input */
    uint32_t flags;           /* SMIX_TRACE_* */
    smix_config config;
} smix_trace_summary;

/* A component or a coding step as the trace declares it. The strings point
 * into the trace (printable ASCII) and stay valid until smix_trace_close. */
typedef struct smix_trace_part {
    const char *name;
    const char *group;        /* components only ("" for a step) */
    const char *description;
    int mixed;                /* steps only: refined by the byte model */
} smix_trace_part;

/* Opens and validates a trace. Returns NULL and a message in err on failure.
 * Validation is complete: header and every section bounds-checked, CRC-32C
 * of every section verified, every record checked (string references, byte
 * offsets in order, every float finite, total bits). Cost: one pass over the file (about 0.6 s
 * of CPU per million tokens when cached; use SMIX_TRACE_OPEN_LAZY for traces
 * of many millions of tokens in an interactive viewer). */
smix_trace *smix_trace_open(const char *path, char *err, size_t errlen);

/* Flags for smix_trace_open_ex. */
#define SMIX_TRACE_OPEN_LAZY 1u  /* skip the pass over the token records: the
    header, chunks and string table are still fully verified, and every
    accessor still bounds-checks what it reads, so a damaged record can give
    wrong numbers or -1 from get_token, never a crash, a NaN or an infinity
    (a record holding one reads as -1). For huge traces in a
    viewer; call smix_trace_verify later (e.g. in the background) if wanted. */
smix_trace *smix_trace_open_ex(const char *path, unsigned flags, char *err, size_t errlen);

/* The same for the trace in fd (a regular file is mapped; fd stays the
 * caller's and may be closed once this returns). name is used in messages. */
smix_trace *smix_trace_open_fd(int fd, const char *name, unsigned flags, char *err, size_t errlen);

/* The full check of the token records that SMIX_TRACE_OPEN_LAZY skipped
 * (checksum and record contents). Returns 0 if the trace is intact, else -1
 * and a message. Read-only: safe to call from another thread. */
int smix_trace_verify(const smix_trace *t, char *err, size_t errlen);

/* Format version of the opened file (major is always the one this reader
 * knows; minor may be higher) and its size in bytes. */
void smix_trace_version(const smix_trace *t, unsigned *major, unsigned *minor);
uint64_t smix_trace_file_bytes(const smix_trace *t);
void smix_trace_close(smix_trace *t);   /* accepts NULL */

uint64_t smix_trace_count(const smix_trace *t);
void smix_trace_get_summary(const smix_trace *t, smix_trace_summary *out);

/* Token i (0-based). Returns 0, or -1 if i is out of range. */
int smix_trace_get_token(const smix_trace *t, uint64_t i, smix_trace_token *out);
int smix_trace_get_topk(const smix_trace *t, uint64_t i, smix_trace_topk *out);

/* Index of the token covering byte offset off (the last one if past the end). */
uint64_t smix_trace_token_at_offset(const smix_trace *t, uint64_t off);

/* Training chunks: count and chunk c. */
uint64_t smix_trace_chunk_count(const smix_trace *t);
int smix_trace_get_chunk(const smix_trace *t, uint64_t c, smix_chunk_info *out);

/* Vocabulary stored in the trace: bytes of token id, NULL if out of range
 * (id >= vocab size) or if the trace holds no bytes for it (the trace keeps
 * only ids it refers to). SMIX_TOKEN_NEW gives the display text "<NEW>". */
uint32_t smix_trace_vocab_size(const smix_trace *t);
const uint8_t *smix_trace_vocab_token(const smix_trace *t, uint32_t id, uint32_t *len);

/* The components and steps the trace's records hold, in record order. The
 * index functions return -1 for a name the trace does not have. */
uint32_t smix_trace_component_count(const smix_trace *t);
int smix_trace_component(const smix_trace *t, uint32_t i, smix_trace_part *out);
int smix_trace_component_index(const smix_trace *t, const char *name);
uint32_t smix_trace_step_count(const smix_trace *t);
int smix_trace_step(const smix_trace *t, uint32_t i, smix_trace_part *out);
int smix_trace_step_index(const smix_trace *t, const char *name);

/* ---------------- report: where the bits went ---------------- */

/* Token types, by the token's bytes (rules in docs/trace-format.md):
 * whitespace only; markup (contains < or >, or an &entity); number (digits,
 * optionally . , and a leading space); word (letters, bytes >= 0x80, digits
 * after a letter, ' _ -, optionally a leading space); punctuation (ASCII
 * punctuation and whitespace, at least one punctuation byte); other. */
enum {
    SMIX_TTYPE_WORD, SMIX_TTYPE_NUMBER, SMIX_TTYPE_MARKUP,
    SMIX_TTYPE_WHITESPACE, SMIX_TTYPE_PUNCT, SMIX_TTYPE_OTHER, SMIX_TTYPE_COUNT
};
int smix_trace_token_type(const uint8_t *bytes, uint32_t len);
/* "word", "number", "markup", "whitespace", "punctuation", "other". */
const char *smix_trace_token_type_name(int type);

#define SMIX_REPORT_STRETCHES 16   /* equal byte ranges of the input */
#define SMIX_REPORT_TOP 20         /* costliest tokens kept */
#define SMIX_REPORT_HIST_BINS 10   /* bits per token: [0,1/8) [1/8,1/4) ... [16,32) [32,inf) */
#define SMIX_REPORT_ORDERS 10      /* n-gram orders 1..8, 16, 32 */

/* Everything the report says, computed in one pass over the trace (or a
 * range of its tokens). All bit counts are sums over tokens of the trace's
 * exact coded cost. */
typedef struct smix_trace_report {
    uint64_t input_bytes, tokens, header_bytes, payload_bytes, compressed_bytes, chunks;
    uint64_t first_token;     /* the range reported: tokens [first_token, first_token + tokens) */
    uint64_t first_byte, end_byte;   /* and their input bytes [first_byte, end_byte) */
    int whole;                /* the range is the whole trace */
    uint32_t blocks;          /* coded blocks (each ends with its coder's flush) */
    double total_bits;        /* sum of bits */
    double bpb;               /* total_bits / the range's bytes */
    double file_bpb;          /* compressed_bytes * 8 / input_bytes */
    double flush_bits;        /* whole trace: payload_bytes * 8 - total_bits, the coders' final
                                 flushes (48 to 64 bits per block) */
    double info_bits;         /* sum of (log_norm - logit) / ln 2: the token model's information
                                 before quantisation (of NEW for a new token, without its id) */
    /* against the SSM alone (levels with the SSM), over the tokens seen
     * before, where it has an opinion of the token itself:
     * saved_vs_ssm = ssm_bits - ssm_final_bits, ssm_bits = sum -log2 p_ssm */
    int ssm;
    uint64_t ssm_tokens;
    double ssm_bits, ssm_final_bits, saved_vs_ssm;
    /* first occurrences, apart: their coded bits, of which the id step
     * (or new_walk, where the id is spelled bit by bit),
     * and what the SSM gave the NEW symbol (sum of -log2 p_ssm_new) */
    uint64_t new_tokens;
    double new_bits, new_id_bits, new_ssm_bits;
    /* against an adaptive order-0 frequency model computed from the token
     * stream: p(x) = c(x)/(n+d) for seen x, escape d/(n+d) (1 at the start)
     * times 1/(V-d) for a first occurrence (n tokens so far, d distinct,
     * V = max(vocab_size, d+1)); saved_vs_prior = prior_bits - total_bits */
    double prior_bits, saved_vs_prior;
    uint64_t distinct;
    /* per component of the trace (smix_trace_component): pull = log2(e) x
     * the sum of its term in the coded token's logit (how far it raised the
     * token's log-probability before normalisation); margin = log2(e) x the
     * sum of its term in the token's logit minus its term in the rival's
     * (fav_comp): the components' margins add up to log2(p_token/p_rival)
     * summed over the tokens, an exact split of how the token was told from
     * its strongest rival; active = tokens where its term was non-zero;
     * saved = the sum of the bits it saved the tokens (with saved_known:
     * the trace has them, SMIX_TRACE_SAVED) */
    uint32_t n_comp;
    int saved_known;
    struct { double pull, margin, saved; uint64_t active; } comp[SMIX_TRACE_MAX_COMP];
    /* per coding step of the trace: bits, the token model's own bits for
     * the same decisions (smaller bits than tm: the byte model helped), and
     * the tokens that took the step */
    uint32_t n_steps;
    struct { double bits, tm; uint64_t tokens; } step[SMIX_TRACE_MAX_STEPS];
    uint32_t n_stretches;
    struct {
        uint64_t first_byte, bytes;   /* byte range [first_byte, first_byte+span) */
        uint64_t first_token, tokens; /* tokens starting in it; bytes = their lengths */
        double bits, bpb;
    } stretch[SMIX_REPORT_STRETCHES];
    uint32_t n_costly;        /* costliest tokens, most expensive first */
    struct { uint64_t index; double bits; } costly[SMIX_REPORT_TOP];
    struct { uint64_t count, bytes; double bits, share; } type[SMIX_TTYPE_COUNT];  /* share of total bits */
    /* n-gram order k "fired": longest_order >= k; share = count / tokens;
     * the orders the level uses (up to config.max_order) */
    uint32_t n_orders;
    struct { int order; uint64_t count; double share; } order[SMIX_REPORT_ORDERS];
    struct { double lo, hi; uint64_t count; double bits; } hist[SMIX_REPORT_HIST_BINS];
    double first_loss, last_loss;  /* training loss (nats) of first / last chunk */
} smix_trace_report;

/* Computes the report over the whole trace (one pass over the tokens;
 * O(distinct ids) memory). Returns 0, or -1 if memory ran out, t is NULL
 * or a record is damaged. */
int smix_trace_report_compute(const smix_trace *t, smix_trace_report *out);
/* The same over tokens [first, first + n) (clipped to the trace); the
 * order-0 baseline still learns from the tokens before first. */
int smix_trace_report_range(const smix_trace *t, uint64_t first, uint64_t n, smix_trace_report *out);

#ifdef __cplusplus
}
#endif
#endif /* SMIX_TRACE_H */
