/*
 * codec.c - the public API: compress and decompress frames.
 *
 * The input is cut into frames of SMIX_MAX_BLOCKS blocks of the block size
 * (the level's, or smix_params.block_size: never the thread count), and
 * a frame into as many blocks as it has block sizes, rounded up, of equal
 * length, each starting on the tokenizer's chunk boundary nearest after
 * its share of the frame; each block has a model and a
 * range-coder stream of its own, so blocks can be coded in parallel and the
 * bits never depend on how many threads did it. Within a block the encoder tokenises
 * piece by piece (pieces end on chunk boundaries, so the result equals
 * tokenising the block whole), and for every token asks the model for a
 * distribution, range-codes the token's slot (slot 0 = NEW, then the token id
 * through a bit tree) and lets the model learn. The decoder makes exactly the
 * same model calls, so it sees the same frequencies. Hooks observe without
 * influencing the output; with a token or chunk hook the blocks run one after
 * another, so the hook sees the tokens in order.
 */
#include "smix.h"

#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "bytemix.h"
#include "checksum.h"
#include "codec.h"
#include "container.h"
#include "fmath.h"
#include "levels.h"
#include "model.h"
#include "newid.h"
#include "rc.h"
#include "tok.h"
#include "tokbits.h"

#define PIECE_BYTES (1u << 16)
#define OUT_BUF (1u << 16)
#define PROGRESS_EVERY 1024
#define MEMCHECK_EVERY 4096

struct smix_cctx { smix_params p; smix_config cfg; int own_cfg; };
struct smix_dctx { smix_params p; uint64_t frame; };

static smix_params params_or_default(const smix_params *p)
{
    smix_params d = { 0, 0, 0, 0 };   /* default level, automatic threads, no limit, level's blocks */
    return p ? *p : d;
}

smix_cctx *smix_cctx_create(const smix_params *params)
{
    smix_cctx *c = calloc(1, sizeof *c);
    if (c) c->p = params_or_default(params);
    return c;
}

smix_result smix__cctx_set_config(smix_cctx *cctx, const smix_config *cfg)
{
    if (!cctx || !cfg) return SMIX_ERR_PARAM;
    smix_config c = *cfg;
    c.blocks = 1;   /* set per frame */
    smix_result r = ctr_check_config(&c);
    if (r != SMIX_OK) return r;
    cctx->cfg = c;
    cctx->own_cfg = 1;
    return SMIX_OK;
}
void smix_cctx_free(smix_cctx *c) { free(c); }

smix_dctx *smix_dctx_create(const smix_params *params)
{
    smix_dctx *d = malloc(sizeof *d);
    if (d) {
        d->p = params_or_default(params);
        d->frame = 0;
    }
    return d;
}
void smix_dctx_free(smix_dctx *d) { free(d); }
uint64_t smix_dctx_frame(const smix_dctx *d) { return d ? d->frame : 0; }

/* ---- shared per-frame state ---- */

/* What the blocks of one frame share: their progress, summed for the
 * progress hook, and a flag that stops them all (a hook asked to stop, or a
 * block failed). Written under a critical section or atomically. */
typedef struct frame_share {
    const smix_hooks *hooks;
    uint64_t input_bytes;                     /* of every frame */
    uint64_t done_bytes, done_tokens;         /* in the frames before this one */
    double done_bits;
    uint32_t blocks;                          /* of this frame */
    uint64_t bytes[SMIX_MAX_BLOCKS], tokens[SMIX_MAX_BLOCKS];
    double bits[SMIX_MAX_BLOCKS];
    int stop;
} frame_share;

/* Starts the next frame of nb blocks: the last one's progress moves to the
 * done totals. */
static void share_next_frame(frame_share *s, uint32_t nb)
{
    for (uint32_t i = 0; i < s->blocks; i++) {
        s->done_bytes += s->bytes[i];
        s->done_tokens += s->tokens[i];
        s->done_bits += s->bits[i];
        s->bytes[i] = s->tokens[i] = 0;
        s->bits[i] = 0.0;
    }
    s->blocks = nb;
}

static int share_stopped(frame_share *s) { return __atomic_load_n(&s->stop, __ATOMIC_RELAXED); }
static void share_stop(frame_share *s) { __atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED); }

typedef struct coder {
    model *m;
    tokbits *tb;               /* tokens coded bit by bit (config.byte_mix), else NULL */
    const tok_vocab *vocab;
    const smix_hooks *hooks;   /* token and chunk hooks: NULL unless the blocks run in order */
    frame_share *share;
    smix_config cfg;
    uint32_t block;
    uint64_t block_bytes;      /* input bytes of this block */
    uint64_t first_token, first_byte;   /* where the block starts in the file */
    uint64_t memlimit;
    uint64_t tokens, bytes_done;        /* in this block */
    double bits;
    step_costs k;              /* the current token's steps */
    double spent;              /* bits of the coder's output used before the current token */
    smix_token_info ti;
} coder;

/* Threads for the blocks: one unless there are several blocks and no hook
 * needs the tokens in order. */
static int block_threads(const smix_params *p, uint32_t nb, const smix_hooks *hooks)
{
    if (nb < 2 || (hooks && (hooks->token || hooks->chunk))) return 1;
    int t = p->threads;
#ifdef _OPENMP
    if (t <= 0) t = omp_get_num_procs();
#endif
    int most = (int)smix__live_blocks(nb);
    return t < 1 ? 1 : t > most ? most : t;
}

/* Threads for the SSM of a one-block frame: as asked, or one per CPU up to
 * SSM_AUTO_THREADS (its head is split by rows; on a head of a few thousand
 * rows more threads than that would mostly wait on each other). */
#define SSM_AUTO_THREADS 4
static int ssm_threads(const smix_params *p)
{
    if (p->threads > 0) return p->threads;
    int t = 1;
#ifdef _OPENMP
    t = omp_get_num_procs();
#endif
    return t < 1 ? 1 : t > SSM_AUTO_THREADS ? SSM_AUTO_THREADS : t;
}

static int want_trace(const coder *c) { return c->hooks && c->hooks->token; }

static smix_result coder_init(coder *c, const smix_config *cfg, const smix_params *p,
                              const smix_hooks *hooks, frame_share *share, uint32_t block)
{
    memset(c, 0, sizeof *c);
    c->vocab = tok_builtin();
    c->hooks = hooks;
    c->share = share;
    c->cfg = *cfg;
    c->block = block;
    c->memlimit = p->memlimit / smix__live_blocks(cfg->blocks);
    /* several blocks keep the threads busy; one block may give them to the SSM */
    c->m = model_create(cfg, cfg->blocks == 1 ? ssm_threads(p) : 1);
    if (!c->m || (want_trace(c) && model_trace_init(c->m, (hooks->flags & SMIX_HOOK_SAVED) != 0) != 0))
        return SMIX_ERR_NOMEM;
    if (cfg->byte_mix) {
        unsigned features = (cfg->byte_records ? BYTEMIX_RECORDS : 0) | (cfg->byte_history ? BYTEMIX_HISTORY : 0);
        c->tb = tokbits_create(cfg->vocab_size, cfg->byte_mix, features, cfg->escape_walk, cfg->escape_keys, cfg->spell_new);
        if (!c->tb) return SMIX_ERR_NOMEM;
    }
    return SMIX_OK;
}

static void coder_free(coder *c)
{
    tokbits_free(c->tb);
    model_free(c->m);
}

/* Publishes this block's progress, calls the progress hook with the sums
 * over all blocks; nonzero when the frame must stop. */
static int report_progress(coder *c)
{
    frame_share *s = c->share;
    int stop;
    #pragma omp critical(smix_progress)
    {
        s->bytes[c->block] = c->bytes_done;
        s->tokens[c->block] = c->tokens;
        s->bits[c->block] = c->bits;
        if (!share_stopped(s) && s->hooks && s->hooks->progress) {
            uint64_t bytes = s->done_bytes, tokens = s->done_tokens;
            double bits = s->done_bits;
            for (uint32_t i = 0; i < s->blocks; i++) {
                bytes += s->bytes[i];
                tokens += s->tokens[i];
                bits += s->bits[i];
            }
            if (s->hooks->progress(s->hooks->user, bytes, s->input_bytes, tokens, bits)) share_stop(s);
        }
        stop = share_stopped(s);
    }
    return stop;
}

/* The costs of a new token's steps start at zero. They are kept for the
 * trace only (costs_end). */
static void costs_begin(coder *c)
{
    if (want_trace(c)) memset(&c->k, 0, sizeof c->k);
}

/* A step the byte model does not refine: the token model's cost is the coded one. */
static void add_cost(coder *c, int step, double bits)
{
    if (!want_trace(c)) return;
    c->k.bits[step] += bits;
    c->k.tm[step] += bits;
}

/* After the token's last step, given the coder's output used so far: the
 * coder's own loss is what the token really cost beyond its steps' costs.
 * Returns the token's cost, the sum of its steps (in step order). Without
 * a trace no step keeps a cost (add_cost, and tokbits gets no step_costs):
 * the cost is then the coder's output alone. */
static double costs_end(coder *c, double spent)
{
    if (!want_trace(c)) {
        double bits = spent - c->spent;
        c->spent = spent;
        return bits;
    }
    double steps = 0.0, bits = 0.0;
    for (int s = 0; s < STEP_N; s++) steps += c->k.bits[s];
    c->k.bits[STEP_CODER] = c->k.tm[STEP_CODER] = (spent - c->spent) - steps;
    c->spent = spent;
    for (int s = 0; s < STEP_N; s++) bits += c->k.bits[s];
    return bits;
}

static smix_result coder_step_done(coder *c, uint32_t slot, uint32_t id, double bits)
{
    uint32_t len;
    const uint8_t *bytes = tok_bytes(c->vocab, id, &len);
    if (want_trace(c)) {
        smix_token_info *t = &c->ti;
        model_trace(c->m, slot, t);
        t->index = c->first_token + c->tokens;
        t->offset = c->first_byte + c->bytes_done;
        t->length = len;
        t->token_id = id;
        t->bytes = bytes;
        t->is_new = slot == 0;
        t->bits = bits;
        t->p_final = (float)fm_exp((float)(-bits * 0.69314718055994531));
        memcpy(t->step_bits, c->k.bits, sizeof c->k.bits);
        memcpy(t->step_tm, c->k.tm, sizeof c->k.tm);
        c->hooks->token(c->hooks->user, t);
    }
    smix_chunk_info ci;
    int r = model_update(c->m, slot, id, &ci);
    if (r < 0) return SMIX_ERR_NOMEM;
    if (r == 1 && c->hooks && c->hooks->chunk) {
        ci.first_token += c->first_token;
        c->hooks->chunk(c->hooks->user, &ci);
    }
    c->tokens++;
    c->bytes_done += len;
    c->bits += bits;
    if (c->tokens % PROGRESS_EVERY == 0 && report_progress(c)) return SMIX_ERR_ABORTED;
    if (c->memlimit && c->tokens % MEMCHECK_EVERY == 0 && model_memory(c->m) > c->memlimit)
        return SMIX_ERR_MEMLIMIT;
    return SMIX_OK;
}

/* The result of a frame from its blocks': the first real failure (a block
 * stopped because another failed reports ABORTED), else ABORTED, else OK. */
static smix_result frame_result(const smix_result *r, uint32_t nb)
{
    smix_result out = SMIX_OK;
    for (uint32_t i = 0; i < nb; i++) {
        if (r[i] != SMIX_OK && r[i] != SMIX_ERR_ABORTED) return r[i];
        if (r[i] == SMIX_ERR_ABORTED) out = r[i];
    }
    return out;
}

/* ---- encoder ---- */

static void encode_new_id(coder *c, rc_encoder *rc, uint32_t id)
{
    newid *n = model_newid(c->m);
    uint32_t code = newid_code(n, id), node = 1;
    for (int b = n->bits - 1; b >= 0; b--) {
        int bit = (code >> b) & 1;
        uint32_t p0 = newid_p(n, node);
        if (bit) rc_encode(rc, p0, NEWID_SCALE - p0, NEWID_SCALE);
        else rc_encode(rc, 0, p0, NEWID_SCALE);
        add_cost(c, STEP_ID, rc_cost(bit ? NEWID_SCALE - p0 : p0, NEWID_SCALE));
        newid_learn(n, node, bit);
        node = 2 * node + (uint32_t)bit;
    }
}

/* Codes symbol sym of the distribution f[0..) (total); returns its cost. */
static double encode_symbol(rc_encoder *rc, const uint32_t *f, uint32_t sym, uint32_t total)
{
    uint32_t cum = 0;
    for (uint32_t j = 0; j < sym; j++) cum += f[j];
    rc_encode(rc, cum, f[sym], total);
    return rc_cost(f[sym], total);
}

static smix_result encode_token(coder *c, rc_encoder *rc, uint32_t id)
{
    model *m = c->m;
    if (model_predict(m) < 0) return SMIX_ERR_NOMEM;
    uint32_t slot = model_slot_of(m, id), sym = model_symbol_of(m, id), left = 1;
    costs_begin(c);
    if (c->tb) tokbits_encode(c->tb, m, rc, id, &left, want_trace(c) ? &c->k : NULL);
    else add_cost(c, STEP_SYM, encode_symbol(rc, model_freqs(m), sym, model_total(m)));
    if (left && model_is_escape(m, sym)) {
        model_escape_prepare(m);
        uint32_t k = model_class_of(m, slot), n = model_class_size(m, k);
        add_cost(c, STEP_CLASS, encode_symbol(rc, model_class_freqs(m), k, model_class_total(m)));
        rc_encode(rc, model_class_rank(m, slot), 1, n);
        add_cost(c, STEP_RANK, rc_cost(1, n));
    }
    if (left && slot == 0) encode_new_id(c, rc, id);
    if (left && c->tb) tokbits_pass(c->tb, id);
    return coder_step_done(c, slot, id, costs_end(c, rc_enc_spent(rc)));
}

/* End of the piece starting at a: the first chunk boundary at or after a+PIECE_BYTES. */
static size_t piece_end(const uint8_t *src, size_t a, size_t n)
{
    size_t b = a;
    while (b < n && b - a < PIECE_BYTES) b += tok_chunk_len(src + b, n - b);
    return b;
}

/* Block i of nb starts at at[i]: the first chunk boundary at or after
 * i n / nb (so tokenising the blocks one by one gives the tokens of the
 * whole, and the blocks are as long as each other: nb = the frame over
 * the block size, rounded up, so none is longer than the block size, and
 * -T2 on two blocks is not kept waiting by the longer one). Returns the
 * number of blocks that are not empty (a chunk longer than what is left can
 * swallow the last ones). */
static uint32_t block_bounds(const uint8_t *src, size_t n, uint32_t nb, size_t *at)
{
    size_t b = 0;
    uint32_t used = 1;
    at[0] = 0;
    for (uint32_t i = 1; i < nb; i++) {
        uint64_t want = (uint64_t)n * i / nb;
        while (b < n && b < want) b += tok_chunk_len(src + b, n - b);
        if (b >= n) break;
        at[used++] = b;
    }
    at[used] = n;
    return used;
}

static smix_result encode_all(coder *c, rc_encoder *rc, const uint8_t *src, size_t n)
{
    uint32_t *ids = malloc(sizeof *ids * (PIECE_BYTES + TOK_CHUNK_MAX));
    if (!ids) return SMIX_ERR_NOMEM;
    smix_result r = SMIX_OK;
    for (size_t a = 0; a < n && r == SMIX_OK;) {
        size_t b = piece_end(src, a, n);
        size_t k = tok_encode(c->vocab, c->cfg.vocab_size, src + a, b - a, ids);
        for (size_t i = 0; i < k && r == SMIX_OK; i++) r = encode_token(c, rc, ids[i]);
        a = b;
        if (r == SMIX_OK && share_stopped(c->share)) r = SMIX_ERR_ABORTED;
    }
    free(ids);
    if (r == SMIX_OK && rc->failed) r = SMIX_ERR_NOMEM;
    return r;
}

typedef struct enc_block {
    const uint8_t *src;
    size_t n;
    uint64_t first_token, first_byte, tokens;
    rc_encoder rc;
    int stored;                /* the model did not make it smaller: kept as it is */
} enc_block;

static smix_result encode_block(const smix_config *cfg, const smix_params *p, const smix_hooks *hooks,
                                frame_share *share, uint32_t i, enc_block *b)
{
    coder c;
    smix_result r = coder_init(&c, cfg, p, hooks, share, i);
    if (r == SMIX_OK) {
        c.block_bytes = b->n;
        c.first_token = b->first_token;
        c.first_byte = b->first_byte;
        r = encode_all(&c, &b->rc, b->src, b->n);
    }
    if (r == SMIX_OK && b->n) rc_enc_finish(&b->rc);
    if (r == SMIX_OK && b->rc.failed) r = SMIX_ERR_NOMEM;
    b->tokens = c.tokens;
    b->stored = b->n && b->rc.len >= b->n;
    coder_free(&c);
    if (r != SMIX_OK) share_stop(share);
    return r;
}

/* What a block puts in the frame: its range-coder stream, or its input
 * when stored. Returns the length and sets *p. */
static size_t block_payload(const enc_block *b, const uint8_t **p)
{
    *p = b->stored ? b->src : b->rc.buf;
    return b->stored ? b->n : b->rc.len;
}

static smix_result emit_frame(const ctr_header *h, const enc_block *b,
                              smix_write_fn write, void *wctx)
{
    uint8_t hdr[CTR_HEADER_MAX];
    uint32_t size = ctr_write_header(h, hdr);
    if (write(wctx, hdr, size)) return SMIX_ERR_WRITE;
    for (uint32_t i = 0; i < h->cfg.blocks; i++) {
        const uint8_t *p;
        size_t len = block_payload(&b[i], &p);
        if (len && write(wctx, p, len)) return SMIX_ERR_WRITE;
    }
    return SMIX_OK;
}

static void fill_header(ctr_header *h, const uint8_t *src, size_t n, const enc_block *b)
{
    h->input_bytes = n;
    h->crc_input = crc32c(0, src, n);
    for (uint32_t i = 0; i < h->cfg.blocks; i++) {
        const uint8_t *p;
        size_t len = block_payload(&b[i], &p);
        h->block[i].input_bytes = b[i].n;
        h->block[i].crc_input = crc32c(0, b[i].src, b[i].n);
        h->block[i].tokens = b[i].stored ? 0 : b[i].tokens;
        h->block[i].payload_bytes = len;
        h->tokens += h->block[i].tokens;
        h->payload_bytes += len;
        h->crc_payload = crc32c(h->crc_payload, p, len);
    }
    h->header_bytes = ctr_header_size(h->cfg.blocks);
}

static const smix_hooks *valid_hooks(const smix_hooks *hooks)
{
    return hooks && hooks->version == SMIX_HOOKS_VERSION ? hooks : NULL;
}

static void report_end(const smix_hooks *hooks, smix_file_info *info, const ctr_header *h, uint64_t compressed)
{
    if (!hooks || !hooks->end) return;
    info->tokens = h->tokens;
    info->header_bytes = h->header_bytes;
    info->payload_bytes = h->payload_bytes;
    info->compressed_bytes = compressed;
    info->checksum = h->crc_input;
    hooks->end(hooks->user, info);
}

/* Codes one frame: src[0..n) in equal blocks of at most block_size bytes (at most
 * SMIX_MAX_BLOCKS of them); share->blocks is set here. */
static smix_result compress_frame(const smix_params *p, const smix_config *cfg, uint64_t block_size,
                                  const uint8_t *src, size_t n, smix_write_fn write, void *wctx,
                                  const smix_hooks *hooks, frame_share *share)
{
    ctr_header h;
    memset(&h, 0, sizeof h);
    h.cfg = *cfg;
    smix_result r;
    size_t at[SMIX_MAX_BLOCKS + 1];
    uint32_t nb = block_bounds(src, n, smix__block_count(block_size, n), at);
    uint64_t largest = 0;
    for (uint32_t i = 0; i < nb; i++) largest = at[i + 1] - at[i] > largest ? at[i + 1] - at[i] : largest;
    h.cfg.blocks = (uint8_t)nb;
    h.cfg.byte_mix = smix__byte_table_bits(&h.cfg, largest);
    int budget = smix__ngram_budget(&h.cfg, p->memlimit, n);
    if (budget < 0) return SMIX_ERR_MEMLIMIT;
    h.cfg.ngram_budget_mb = (uint16_t)budget;
    smix_file_info info = { SMIX_FORMAT_VERSION, n, 0, 0, 0, 0, 0, h.cfg };
    if (hooks && hooks->begin) hooks->begin(hooks->user, &info);
    enc_block *b = calloc(nb, sizeof *b);
    if (!b) return SMIX_ERR_NOMEM;
    share_next_frame(share, nb);
    smix_result res[SMIX_MAX_BLOCKS];
    for (uint32_t i = 0; i < nb; i++) {
        b[i].src = src + at[i];
        b[i].n = at[i + 1] - at[i];
        b[i].first_byte = share->done_bytes + at[i];
        rc_enc_init(&b[i].rc);
    }
    int nt = block_threads(p, nb, hooks);
    if (nt == 1) {
        for (uint32_t i = 0; i < nb; i++) {
            b[i].first_token = i ? b[i - 1].first_token + b[i - 1].tokens : share->done_tokens;
            res[i] = encode_block(&h.cfg, p, hooks, share, i, &b[i]);
        }
    } else {
        #pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
        for (int i = 0; i < (int)nb; i++) res[i] = encode_block(&h.cfg, p, NULL, share, (uint32_t)i, &b[i]);
    }
    r = frame_result(res, nb);
    if (r == SMIX_OK) {
        fill_header(&h, src, n, b);
        r = emit_frame(&h, b, write, wctx);
    }
    if (r == SMIX_OK) report_end(hooks, &info, &h, h.header_bytes + h.payload_bytes);
    for (uint32_t i = 0; i < nb; i++) rc_enc_free(&b[i].rc);
    free(b);
    return r;
}

smix_result smix_compress(smix_cctx *cctx, const void *src, size_t n,
                          smix_write_fn write, void *wctx, const smix_hooks *hooks)
{
    if (!cctx || !write || (!src && n)) return SMIX_ERR_PARAM;
    smix_config cfg = cctx->cfg;
    smix_result r = cctx->own_cfg ? SMIX_OK : smix_level_config(cctx->p.level, &cfg);
    if (r != SMIX_OK) return r;
    uint64_t block_size = smix_block_size(&cctx->p), frame = block_size * SMIX_MAX_BLOCKS;
    if (!block_size) return SMIX_ERR_PARAM;
    hooks = valid_hooks(hooks);
    if (hooks && (hooks->token || hooks->chunk) && (uint64_t)n > frame) return SMIX_ERR_PARAM;
    frame_share *share = calloc(1, sizeof *share);
    if (!share) return SMIX_ERR_NOMEM;
    share->hooks = hooks;
    share->input_bytes = n;
    const uint8_t *s = src;
    size_t at = 0;
    do {
        size_t len = n - at < frame ? n - at : (size_t)frame;
        r = compress_frame(&cctx->p, &cfg, block_size, s + at, len, write, wctx, hooks, share);
        at += len;
    } while (r == SMIX_OK && at < n);
    free(share);
    return r;
}

/* ---- decoder ---- */

/* Where a block's output goes: kept whole until the block is decoded and
 * its checksum verified, and the earlier blocks are written; then through
 * write(). crc runs over what has been written. */
typedef struct out_sink {
    uint8_t *buf;
    size_t len, cap;
    uint64_t most;             /* a kept block's size: its buffer grows no larger */
    int keep;
    uint32_t crc;
    smix_write_fn write;
    void *wctx;
} out_sink;

static int sink_init(out_sink *o, int keep, uint64_t most, smix_write_fn write, void *wctx)
{
    memset(o, 0, sizeof *o);
    o->keep = keep;
    o->most = most;
    o->write = write;
    o->wctx = wctx;
    o->cap = keep ? 0 : OUT_BUF;
    o->buf = keep ? NULL : malloc(OUT_BUF);
    return keep || o->buf ? 0 : -1;
}

static int sink_flush(out_sink *o)
{
    if (!o->len) return 0;
    o->crc = crc32c(o->crc, o->buf, o->len);
    int e = o->write(o->wctx, o->buf, o->len);
    o->len = 0;
    return e;
}

/* -1 on a write error, -2 out of memory */
static int sink_put(out_sink *o, const uint8_t *p, uint32_t n)
{
    if (!o->keep && o->len + n > OUT_BUF && sink_flush(o)) return -1;
    if (o->keep && o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap * 2 : OUT_BUF;
        while (cap < o->len + n) cap *= 2;
        if (cap > o->most && o->most >= o->len + n) cap = (size_t)o->most;   /* never past the block */
        uint8_t *nb = realloc(o->buf, cap);
        if (!nb) return -2;
        o->buf = nb;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
    return 0;
}

static void sink_free(out_sink *o) { free(o->buf); o->buf = NULL; }

static smix_result decode_new_id(coder *c, rc_decoder *rc, uint32_t *id)
{
    newid *n = model_newid(c->m);
    uint32_t node = 1;
    for (int b = n->bits - 1; b >= 0; b--) {
        uint32_t p0 = newid_p(n, node);
        uint32_t v = rc_decode_target(rc, NEWID_SCALE);
        if (v >= NEWID_SCALE) return SMIX_ERR_CORRUPT;
        int bit = v >= p0;
        if (bit) rc_decode_update(rc, p0, NEWID_SCALE - p0);
        else rc_decode_update(rc, 0, p0);
        add_cost(c, STEP_ID, rc_cost(bit ? NEWID_SCALE - p0 : p0, NEWID_SCALE));
        newid_learn(n, node, bit);
        node = 2 * node + (uint32_t)bit;
    }
    *id = newid_id(n, node - (1u << n->bits));
    if (*id >= c->cfg.vocab_size || model_slot_of(c->m, *id)) return SMIX_ERR_CORRUPT;
    return SMIX_OK;
}

/* Decodes one symbol of f[0..n) (total) and sets *bits to its cost: 0, or
 * -1 for a damaged stream. */
static int decode_symbol(rc_decoder *rc, const uint32_t *f, uint32_t n, uint32_t total,
                         uint32_t *sym, double *bits)
{
    uint32_t target = rc_decode_target(rc, total);
    if (target >= total) return -1;
    uint32_t s = 0, cum = 0;
    while (s + 1 < n && cum + f[s] <= target) cum += f[s++];
    if (!f[s] || cum + f[s] <= target) return -1;
    rc_decode_update(rc, cum, f[s]);
    *bits = rc_cost(f[s], total);
    *sym = s;
    return 0;
}

static smix_result emit_token(coder *c, rc_decoder *rc, out_sink *o, uint32_t slot, uint32_t id);

/* After ESCAPE: the class, then the rank in it; the slot, or 0 for a
 * damaged stream. */
static uint32_t decode_escape(coder *c, rc_decoder *rc)
{
    model *m = c->m;
    uint32_t k;
    double bits;
    model_escape_prepare(m);
    if (decode_symbol(rc, model_class_freqs(m), model_nclasses(m), model_class_total(m), &k, &bits)) return 0;
    add_cost(c, STEP_CLASS, bits);
    uint32_t n = model_class_size(m, k), r = rc_decode_target(rc, n);
    if (r >= n) return 0;
    rc_decode_update(rc, r, 1);
    add_cost(c, STEP_RANK, rc_cost(1, n));
    return model_class_member(m, k, r);
}

static smix_result decode_token(coder *c, rc_decoder *rc, out_sink *o)
{
    model *m = c->m;
    if (model_predict(m) < 0) return SMIX_ERR_NOMEM;
    uint32_t sym, id, slot;
    costs_begin(c);
    if (c->tb) {
        if (tokbits_decode(c->tb, m, rc, &id, want_trace(c) ? &c->k : NULL)) return SMIX_ERR_CORRUPT;
        if (id < TOKBITS_NEW) return emit_token(c, rc, o, model_slot_of(m, id), id);
        sym = id == TOKBITS_ESCAPE ? model_nsyms(m) - 1 : 0;
        if (id == TOKBITS_ESCAPE && !model_is_escape(m, sym)) return SMIX_ERR_CORRUPT;
    } else {
        double bits;
        if (decode_symbol(rc, model_freqs(m), model_nsyms(m), model_total(m), &sym, &bits)) return SMIX_ERR_CORRUPT;
        add_cost(c, STEP_SYM, bits);
    }
    slot = model_symbol_slot(m, sym);
    if (model_is_escape(m, sym) && !(slot = decode_escape(c, rc))) return SMIX_ERR_CORRUPT;
    if (slot == 0) {
        smix_result r = decode_new_id(c, rc, &id);
        if (r != SMIX_OK) return r;
    } else {
        id = model_token_of(c->m, slot);
    }
    if (c->tb) tokbits_pass(c->tb, id);
    return emit_token(c, rc, o, slot, id);
}

/* Writes a decoded token's bytes and lets the model learn from it. */
static smix_result emit_token(coder *c, rc_decoder *rc, out_sink *o, uint32_t slot, uint32_t id)
{
    uint32_t len;
    const uint8_t *bytes = tok_bytes(c->vocab, id, &len);
    if (c->bytes_done + len > c->block_bytes) return SMIX_ERR_CORRUPT;
    int e = sink_put(o, bytes, len);
    if (e) return e == -2 ? SMIX_ERR_NOMEM : SMIX_ERR_WRITE;
    return coder_step_done(c, slot, id, costs_end(c, rc_dec_spent(rc)));
}

typedef struct dec_block {
    const uint8_t *payload;
    const ctr_block *size;
    uint64_t first_token, first_byte;
    out_sink *sink;
} dec_block;

/* A stored block (none for an empty one): its payload is its input. */
static smix_result copy_stored(const dec_block *b)
{
    for (uint64_t at = 0; at < b->size->input_bytes;) {
        uint64_t left = b->size->input_bytes - at;
        uint32_t n = left < OUT_BUF ? (uint32_t)left : OUT_BUF;
        int e = sink_put(b->sink, b->payload + at, n);
        if (e) return e == -2 ? SMIX_ERR_NOMEM : SMIX_ERR_WRITE;
        at += n;
    }
    return SMIX_OK;
}

/* The block's output against its checksum, once it is whole. */
static smix_result check_block(const dec_block *b)
{
    const out_sink *o = b->sink;
    if (o->len != b->size->input_bytes) return SMIX_ERR_CORRUPT;
    return crc32c(0, o->buf, o->len) == b->size->crc_input ? SMIX_OK : SMIX_ERR_CHECKSUM;
}

static smix_result decode_block(const smix_config *cfg, const smix_params *p, const smix_hooks *hooks,
                                frame_share *share, uint32_t i, const dec_block *b)
{
    if (b->size->tokens == 0) {
        smix_result r = copy_stored(b);
        return r == SMIX_OK ? check_block(b) : r;
    }
    coder c;
    smix_result r = coder_init(&c, cfg, p, hooks, share, i);
    if (r == SMIX_OK) {
        c.block_bytes = b->size->input_bytes;
        c.first_token = b->first_token;
        c.first_byte = b->first_byte;
        rc_decoder rc;
        rc_dec_init(&rc, b->payload, b->size->payload_bytes);
        while (r == SMIX_OK && c.tokens < b->size->tokens) {
            r = decode_token(&c, &rc, b->sink);
            if (r == SMIX_OK && rc.overrun > 8) r = SMIX_ERR_CORRUPT;
        }
        if (r == SMIX_OK && (c.bytes_done != b->size->input_bytes || rc.overrun)) r = SMIX_ERR_CORRUPT;
        if (r == SMIX_OK) r = check_block(b);
    }
    coder_free(&c);
    if (r != SMIX_OK) share_stop(share);
    return r;
}

/* Blocks decoded in parallel are written in order: each finished block that
 * no unfinished one precedes is written (and what it kept freed) at once,
 * so a decoder holds only the blocks that finished early. */
typedef struct flush_state {
    uint32_t next, crc;
    smix_result r;
    uint8_t done[SMIX_MAX_BLOCKS];
} flush_state;

static void flush_ready(flush_state *f, out_sink *sinks, uint32_t nb, const smix_result *res,
                        frame_share *share)
{
    while (f->r == SMIX_OK && f->next < nb && f->done[f->next]) {
        uint32_t i = f->next++;
        if (res[i] != SMIX_OK) {   /* frame_result reports it */
            f->r = res[i];
            break;
        }
        sinks[i].crc = f->crc;   /* its crc continues the earlier blocks' */
        if (sink_flush(&sinks[i])) f->r = SMIX_ERR_WRITE;
        f->crc = sinks[i].crc;
        sink_free(&sinks[i]);
    }
    if (f->r != SMIX_OK) share_stop(share);
}

/* Decodes every block, one after another or in parallel, each into a sink
 * of its own that is written out once it and every earlier block are done. */
static smix_result decode_blocks(const ctr_header *h, const uint8_t *payload, const smix_params *p,
                                 const smix_hooks *hooks, frame_share *share, out_sink *sinks, int nt)
{
    uint32_t nb = h->cfg.blocks;
    dec_block b[SMIX_MAX_BLOCKS];
    smix_result res[SMIX_MAX_BLOCKS];
    uint64_t tok = 0, byte = 0;
    for (uint32_t i = 0; i < nb; i++) {
        b[i].payload = payload;
        b[i].size = &h->block[i];
        b[i].first_token = tok;
        b[i].first_byte = byte;
        b[i].sink = &sinks[i];
        res[i] = SMIX_OK;   /* blocks left undone after a stop count as no error */
        payload += h->block[i].payload_bytes;
        tok += h->block[i].tokens;
        byte += h->block[i].input_bytes;
    }
    flush_state fs;
    memset(&fs, 0, sizeof fs);
    if (nt == 1) {
        for (uint32_t i = 0; i < nb && fs.r == SMIX_OK; i++) {
            res[i] = decode_block(&h->cfg, p, hooks, share, i, &b[i]);
            fs.done[i] = 1;
            flush_ready(&fs, sinks, i + 1, res, share);
        }
    } else {
        #pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
        for (int i = 0; i < (int)nb; i++) {
            res[i] = decode_block(&h->cfg, p, NULL, share, (uint32_t)i, &b[i]);
            #pragma omp critical(smix_flush)
            {
                fs.done[i] = 1;
                flush_ready(&fs, sinks, nb, res, share);
            }
        }
    }
    smix_result r = frame_result(res, nb);
    if (r == SMIX_OK) r = fs.r;
    if (r == SMIX_OK && fs.crc != h->crc_input) r = SMIX_ERR_CHECKSUM;
    return r;
}

/* Decodes one frame whose header h was read and checked. */
static smix_result decompress_frame(smix_dctx *dctx, const ctr_header *h, const uint8_t *payload,
                                    smix_write_fn write, void *wctx, const smix_hooks *hooks,
                                    frame_share *share)
{
    if (dctx->p.memlimit && smix_memory_estimate(&h->cfg, h->input_bytes) > dctx->p.memlimit)
        return SMIX_ERR_MEMLIMIT;
    smix_file_info info = { h->version, h->input_bytes, 0, 0, 0, 0, 0, h->cfg };
    if (hooks && hooks->begin) hooks->begin(hooks->user, &info);
    uint32_t nb = h->cfg.blocks;
    int nt = block_threads(&dctx->p, nb, hooks);
    out_sink *sinks = calloc(nb, sizeof *sinks);
    smix_result r = sinks ? SMIX_OK : SMIX_ERR_NOMEM;
    for (uint32_t i = 0; i < nb && r == SMIX_OK; i++)
        if (sink_init(&sinks[i], 1, h->block[i].input_bytes, write, wctx)) r = SMIX_ERR_NOMEM;
    if (r == SMIX_OK) {
        share_next_frame(share, nb);
        r = decode_blocks(h, payload, &dctx->p, hooks, share, sinks, nt);
    }
    if (r == SMIX_OK) report_end(hooks, &info, h, h->header_bytes + h->payload_bytes);
    for (uint32_t i = 0; sinks && i < nb; i++) sink_free(&sinks[i]);
    free(sinks);
    return r;
}

/* Reads and checks the frame at src[0..n): its header and payload CRC. */
static smix_result read_frame(const uint8_t *src, size_t n, ctr_header *h)
{
    smix_result r = ctr_read_header(src, n, h);
    return r == SMIX_OK ? ctr_check_payload(src, n, h) : r;
}

smix_result smix_decompress(smix_dctx *dctx, const void *src, size_t n,
                            smix_write_fn write, void *wctx, const smix_hooks *hooks)
{
    if (!dctx || !write || (!src && n)) return SMIX_ERR_PARAM;
    const uint8_t *s = src;
    ctr_header h;
    uint64_t total = 0;
    smix_result r;
    dctx->frame = 0;
    /* every frame's header and payload checksum first: nothing is written
     * for a file that is damaged where no decoding is needed to see it */
    for (size_t at = 0; dctx->frame == 0 || at < n; dctx->frame++) {
        if ((r = read_frame(s + at, n - at, &h)) != SMIX_OK) return r;
        total += h.input_bytes;
        at += h.header_bytes + h.payload_bytes;
    }
    hooks = valid_hooks(hooks);
    if (hooks && (hooks->token || hooks->chunk) && dctx->frame > 1) return SMIX_ERR_PARAM;
    frame_share *share = calloc(1, sizeof *share);
    if (!share) return SMIX_ERR_NOMEM;
    share->hooks = hooks;
    share->input_bytes = total;
    r = SMIX_OK;
    dctx->frame = 0;
    for (size_t at = 0; r == SMIX_OK && at < n;) {
        ctr_read_header(s + at, n - at, &h);   /* checked above, payload too */
        r = decompress_frame(dctx, &h, s + at + h.header_bytes, write, wctx, hooks, share);
        at += h.header_bytes + h.payload_bytes;
        if (r == SMIX_OK && at < n) dctx->frame++;
    }
    free(share);
    return r;
}

static smix_result frame_header(const void *src, size_t n, ctr_header *h, smix_file_info *info)
{
    if ((!src && n) || !info) return SMIX_ERR_PARAM;
    smix_result r = ctr_read_header(src, n, h);
    if (r != SMIX_OK) return r;
    memset(info, 0, sizeof *info);
    info->format_version = h->version;
    info->input_bytes = h->input_bytes;
    info->tokens = h->tokens;
    info->header_bytes = h->header_bytes;
    info->payload_bytes = h->payload_bytes;
    info->compressed_bytes = h->header_bytes + h->payload_bytes;
    info->checksum = h->crc_input;
    info->config = h->cfg;
    return SMIX_OK;
}

smix_result smix_frame_header(const void *src, size_t n, smix_file_info *info)
{
    ctr_header h;
    return frame_header(src, n, &h, info);
}

smix_result smix_frame_info(const void *src, size_t n, smix_file_info *info)
{
    ctr_header h;
    smix_result r = frame_header(src, n, &h, info);
    return r == SMIX_OK ? ctr_check_payload(src, n, &h) : r;
}
