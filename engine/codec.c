/*
 * codec.c - the public API: compress and decompress one frame.
 *
 * The encoder tokenises the input piece by piece (pieces end on the
 * tokenizer's chunk boundaries, so the result equals tokenising it whole),
 * and for every token asks the model for a distribution, range-codes the
 * token's slot (slot 0 = NEW, then the token id through a bit tree) and lets
 * the model learn. The decoder makes exactly the same model calls, so it
 * sees the same frequencies. Hooks observe without influencing the output.
 */
#include "smix.h"

#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "container.h"
#include "fmath.h"
#include "levels.h"
#include "model.h"
#include "newid.h"
#include "rc.h"
#include "tok.h"

#define PIECE_BYTES (1u << 16)
#define OUT_BUF (1u << 16)
#define PROGRESS_EVERY 1024
#define MEMCHECK_EVERY 4096

struct smix_cctx { smix_params p; };
struct smix_dctx { smix_params p; };

static smix_params params_or_default(const smix_params *p)
{
    smix_params d = { 0, 1, 0 };
    return p ? *p : d;
}

smix_cctx *smix_cctx_create(const smix_params *params)
{
    smix_cctx *c = malloc(sizeof *c);
    if (c) c->p = params_or_default(params);
    return c;
}
void smix_cctx_free(smix_cctx *c) { free(c); }

smix_dctx *smix_dctx_create(const smix_params *params)
{
    smix_dctx *d = malloc(sizeof *d);
    if (d) d->p = params_or_default(params);
    return d;
}
void smix_dctx_free(smix_dctx *d) { free(d); }

/* ---- shared per-frame state ---- */

typedef struct coder {
    model *m;
    const tok_vocab *vocab;
    const smix_hooks *hooks;
    smix_file_info info;
    uint64_t memlimit;
    uint64_t tokens, bytes_done;
    double bits;
    smix_token_info ti;
} coder;

static int want_trace(const coder *c) { return c->hooks && c->hooks->token; }

static smix_result coder_init(coder *c, const smix_config *cfg, const smix_params *p,
                              const smix_hooks *hooks)
{
    memset(c, 0, sizeof *c);
    c->vocab = tok_builtin();
    c->hooks = (hooks && hooks->version == SMIX_HOOKS_VERSION) ? hooks : NULL;
    c->memlimit = p->memlimit;
    c->m = model_create(cfg, p->threads > 0 ? p->threads : 1);
    if (!c->m) return SMIX_ERR_NOMEM;
    c->info.format_version = SMIX_FORMAT_VERSION;
    c->info.config = *cfg;
    return SMIX_OK;
}

static smix_result coder_step_done(coder *c, uint32_t slot, uint32_t id, double bits)
{
    uint32_t len;
    const uint8_t *bytes = tok_bytes(c->vocab, id, &len);
    if (want_trace(c)) {
        smix_token_info *t = &c->ti;
        model_trace(c->m, slot, t);
        t->index = c->tokens;
        t->offset = c->bytes_done;
        t->length = len;
        t->token_id = id;
        t->bytes = bytes;
        t->is_new = slot == 0;
        t->bits = bits;
        t->p_final = (float)fm_exp((float)(-bits * 0.69314718055994531));
        c->hooks->token(c->hooks->user, t);
    }
    smix_chunk_info ci;
    int r = model_update(c->m, slot, id, &ci);
    if (r < 0) return SMIX_ERR_NOMEM;
    if (r == 1 && c->hooks && c->hooks->chunk) c->hooks->chunk(c->hooks->user, &ci);
    c->tokens++;
    c->bytes_done += len;
    c->bits += bits;
    if (c->tokens % PROGRESS_EVERY == 0 && c->hooks && c->hooks->progress &&
        c->hooks->progress(c->hooks->user, c->bytes_done, c->info.input_bytes, c->tokens, c->bits))
        return SMIX_ERR_ABORTED;
    if (c->memlimit && c->tokens % MEMCHECK_EVERY == 0 && model_memory(c->m) > c->memlimit)
        return SMIX_ERR_MEMLIMIT;
    return SMIX_OK;
}

static double cost_bits(uint32_t freq, uint32_t total)
{
    return -(double)fm_log2((float)freq / (float)total);
}

/* ---- encoder ---- */

static double encode_new_id(coder *c, rc_encoder *rc, uint32_t id)
{
    newid *n = model_newid(c->m);
    uint32_t code = newid_code(n, id), node = 1;
    double bits = 0.0;
    for (int b = n->bits - 1; b >= 0; b--) {
        int bit = (code >> b) & 1;
        uint32_t p0 = newid_p(n, node);
        if (bit) rc_encode(rc, p0, NEWID_SCALE - p0, NEWID_SCALE);
        else rc_encode(rc, 0, p0, NEWID_SCALE);
        bits += cost_bits(bit ? NEWID_SCALE - p0 : p0, NEWID_SCALE);
        newid_learn(n, node, bit);
        node = 2 * node + (uint32_t)bit;
    }
    return bits;
}

/* Codes symbol sym of the distribution f[0..) (total); returns its cost. */
static double encode_symbol(rc_encoder *rc, const uint32_t *f, uint32_t sym, uint32_t total)
{
    uint32_t cum = 0;
    for (uint32_t j = 0; j < sym; j++) cum += f[j];
    rc_encode(rc, cum, f[sym], total);
    return cost_bits(f[sym], total);
}

static smix_result encode_token(coder *c, rc_encoder *rc, uint32_t id)
{
    model *m = c->m;
    if (model_predict(m) < 0) return SMIX_ERR_NOMEM;
    uint32_t slot = model_slot_of(m, id), sym = model_symbol_of(m, id);
    double bits = encode_symbol(rc, model_freqs(m), sym, model_total(m));
    if (model_is_escape(m, sym)) {
        model_escape_prepare(m);
        uint32_t k = model_class_of(m, slot), n = model_class_size(m, k);
        bits += encode_symbol(rc, model_class_freqs(m), k, model_class_total(m));
        rc_encode(rc, model_class_rank(m, slot), 1, n);
        bits += cost_bits(1, n);
    }
    if (slot == 0) bits += encode_new_id(c, rc, id);
    return coder_step_done(c, slot, id, bits);
}

/* End of the piece starting at a: the first chunk boundary at or after a+PIECE_BYTES. */
static size_t piece_end(const uint8_t *src, size_t a, size_t n)
{
    size_t b = a;
    while (b < n && b - a < PIECE_BYTES) b += tok_chunk_len(src + b, n - b);
    return b;
}

static smix_result encode_all(coder *c, rc_encoder *rc, const uint8_t *src, size_t n,
                              uint32_t limit)
{
    uint32_t *ids = malloc(sizeof *ids * (PIECE_BYTES + TOK_CHUNK_MAX));
    if (!ids) return SMIX_ERR_NOMEM;
    smix_result r = SMIX_OK;
    for (size_t a = 0; a < n && r == SMIX_OK;) {
        size_t b = piece_end(src, a, n);
        size_t k = tok_encode(c->vocab, limit, src + a, b - a, ids);
        for (size_t i = 0; i < k && r == SMIX_OK; i++) r = encode_token(c, rc, ids[i]);
        a = b;
    }
    free(ids);
    if (r == SMIX_OK && rc->failed) r = SMIX_ERR_NOMEM;
    return r;
}

static smix_result emit_frame(const ctr_header *h, const uint8_t *payload,
                              smix_write_fn write, void *wctx)
{
    uint8_t hdr[CTR_HEADER_SIZE];
    ctr_write_header(h, hdr);
    if (write(wctx, hdr, sizeof hdr)) return SMIX_ERR_WRITE;
    if (h->payload_bytes && write(wctx, payload, h->payload_bytes)) return SMIX_ERR_WRITE;
    return SMIX_OK;
}

smix_result smix_compress(smix_cctx *cctx, const void *src, size_t n,
                          smix_write_fn write, void *wctx, const smix_hooks *hooks)
{
    if (!cctx || !write || (!src && n)) return SMIX_ERR_PARAM;
    if ((uint64_t)n > CTR_MAX_INPUT) return SMIX_ERR_TOO_LARGE;
    ctr_header h;
    memset(&h, 0, sizeof h);
    smix_result r = smix_level_config(cctx->p.level, &h.cfg);
    if (r != SMIX_OK) return r;
    int budget = smix__ngram_budget(cctx->p.memlimit, n);
    if (budget < 0) return SMIX_ERR_MEMLIMIT;
    h.cfg.ngram_budget_mb = (uint16_t)budget;
    coder c;
    r = coder_init(&c, &h.cfg, &cctx->p, hooks);
    if (r != SMIX_OK) return r;
    c.info.input_bytes = n;
    if (c.hooks && c.hooks->begin) c.hooks->begin(c.hooks->user, &c.info);
    rc_encoder rc;
    rc_enc_init(&rc);
    r = encode_all(&c, &rc, src, n, h.cfg.vocab_size);
    if (r == SMIX_OK) {
        if (n) rc_enc_finish(&rc);
        if (rc.failed) r = SMIX_ERR_NOMEM;
    }
    if (r == SMIX_OK) {
        h.input_bytes = n;
        h.tokens = c.tokens;
        h.payload_bytes = rc.len;
        h.crc_input = crc32c(0, src, n);
        h.crc_payload = crc32c(0, rc.buf, rc.len);
        r = emit_frame(&h, rc.buf, write, wctx);
    }
    if (r == SMIX_OK && c.hooks && c.hooks->end) {
        c.info.tokens = c.tokens;
        c.info.header_bytes = CTR_HEADER_SIZE;
        c.info.payload_bytes = rc.len;
        c.info.compressed_bytes = CTR_HEADER_SIZE + rc.len;
        c.info.checksum = h.crc_input;
        c.hooks->end(c.hooks->user, &c.info);
    }
    rc_enc_free(&rc);
    model_free(c.m);
    return r;
}

/* ---- decoder ---- */

typedef struct out_buf {
    uint8_t buf[OUT_BUF];
    size_t len;
    uint64_t written;
    uint32_t crc;
    smix_write_fn write;
    void *wctx;
} out_buf;

static int out_flush(out_buf *o)
{
    if (!o->len) return 0;
    o->crc = crc32c(o->crc, o->buf, o->len);
    int e = o->write(o->wctx, o->buf, o->len);
    o->written += o->len;
    o->len = 0;
    return e;
}

static int out_put(out_buf *o, const uint8_t *p, uint32_t n)
{
    if (o->len + n > OUT_BUF && out_flush(o)) return -1;
    memcpy(o->buf + o->len, p, n);
    o->len += n;
    return 0;
}

static smix_result decode_new_id(coder *c, rc_decoder *rc, uint32_t *id, double *bits)
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
        *bits += cost_bits(bit ? NEWID_SCALE - p0 : p0, NEWID_SCALE);
        newid_learn(n, node, bit);
        node = 2 * node + (uint32_t)bit;
    }
    *id = newid_id(n, node - (1u << n->bits));
    if (*id >= c->info.config.vocab_size || model_slot_of(c->m, *id)) return SMIX_ERR_CORRUPT;
    return SMIX_OK;
}

/* Decodes one symbol of f[0..n) (total): 0, or -1 for a damaged stream. */
static int decode_symbol(rc_decoder *rc, const uint32_t *f, uint32_t n, uint32_t total,
                         uint32_t *sym, double *bits)
{
    uint32_t target = rc_decode_target(rc, total);
    if (target >= total) return -1;
    uint32_t s = 0, cum = 0;
    while (s + 1 < n && cum + f[s] <= target) cum += f[s++];
    if (!f[s] || cum + f[s] <= target) return -1;
    rc_decode_update(rc, cum, f[s]);
    *bits += cost_bits(f[s], total);
    *sym = s;
    return 0;
}

static smix_result decode_token(coder *c, rc_decoder *rc, out_buf *o)
{
    model *m = c->m;
    if (model_predict(m) < 0) return SMIX_ERR_NOMEM;
    uint32_t sym;
    double bits = 0.0;
    if (decode_symbol(rc, model_freqs(m), model_nsyms(m), model_total(m), &sym, &bits))
        return SMIX_ERR_CORRUPT;
    uint32_t slot = model_symbol_slot(m, sym);
    if (model_is_escape(m, sym)) {
        model_escape_prepare(m);
        uint32_t k;
        if (decode_symbol(rc, model_class_freqs(m), model_nclasses(m), model_class_total(m), &k, &bits))
            return SMIX_ERR_CORRUPT;
        uint32_t n = model_class_size(m, k), r = rc_decode_target(rc, n);
        if (r >= n) return SMIX_ERR_CORRUPT;
        rc_decode_update(rc, r, 1);
        bits += cost_bits(1, n);
        slot = model_class_member(m, k, r);
        if (!slot) return SMIX_ERR_CORRUPT;
    }
    uint32_t id;
    if (slot == 0) {
        smix_result r = decode_new_id(c, rc, &id, &bits);
        if (r != SMIX_OK) return r;
    } else {
        id = model_token_of(c->m, slot);
    }
    uint32_t len;
    const uint8_t *bytes = tok_bytes(c->vocab, id, &len);
    if (c->bytes_done + len > c->info.input_bytes) return SMIX_ERR_CORRUPT;
    if (out_put(o, bytes, len)) return SMIX_ERR_WRITE;
    return coder_step_done(c, slot, id, bits);
}

static smix_result decode_all(coder *c, const ctr_header *h, const uint8_t *payload, out_buf *o)
{
    if (h->tokens == 0)   /* an empty input has no payload at all */
        return h->payload_bytes || h->input_bytes ? SMIX_ERR_CORRUPT :
               h->crc_input != 0 ? SMIX_ERR_CHECKSUM : SMIX_OK;
    rc_decoder rc;
    rc_dec_init(&rc, payload, h->payload_bytes);
    smix_result r = SMIX_OK;
    while (r == SMIX_OK && c->tokens < h->tokens) {
        r = decode_token(c, &rc, o);
        if (r == SMIX_OK && rc.overrun > 8) r = SMIX_ERR_CORRUPT;
    }
    if (r == SMIX_OK && out_flush(o)) r = SMIX_ERR_WRITE;
    if (r == SMIX_OK && (c->bytes_done != h->input_bytes || rc.overrun)) r = SMIX_ERR_CORRUPT;
    if (r == SMIX_OK && o->crc != h->crc_input) r = SMIX_ERR_CHECKSUM;
    return r;
}

smix_result smix_decompress(smix_dctx *dctx, const void *src, size_t n,
                            smix_write_fn write, void *wctx, const smix_hooks *hooks)
{
    if (!dctx || !write || (!src && n)) return SMIX_ERR_PARAM;
    ctr_header h;
    smix_result r = ctr_read_header(src, n, &h);
    if (r == SMIX_OK) r = ctr_check_payload(src, n, &h);
    if (r != SMIX_OK) return r;
    if (dctx->p.memlimit && smix_memory_estimate(&h.cfg, h.input_bytes) > dctx->p.memlimit)
        return SMIX_ERR_MEMLIMIT;
    coder c;
    r = coder_init(&c, &h.cfg, &dctx->p, hooks);
    if (r != SMIX_OK) return r;
    c.info.input_bytes = h.input_bytes;
    if (c.hooks && c.hooks->begin) c.hooks->begin(c.hooks->user, &c.info);
    out_buf *o = malloc(sizeof *o);
    if (!o) r = SMIX_ERR_NOMEM;
    if (r == SMIX_OK) {
        o->len = 0;
        o->written = 0;
        o->crc = 0;
        o->write = write;
        o->wctx = wctx;
        r = decode_all(&c, &h, (const uint8_t *)src + h.header_bytes, o);
    }
    if (r == SMIX_OK && c.hooks && c.hooks->end) {
        c.info.tokens = c.tokens;
        c.info.header_bytes = h.header_bytes;
        c.info.payload_bytes = h.payload_bytes;
        c.info.compressed_bytes = n;
        c.info.checksum = h.crc_input;
        c.hooks->end(c.hooks->user, &c.info);
    }
    free(o);
    model_free(c.m);
    return r;
}

smix_result smix_frame_info(const void *src, size_t n, smix_file_info *info)
{
    if (!src && n) return SMIX_ERR_PARAM;
    ctr_header h;
    smix_result r = ctr_read_header(src, n, &h);
    if (r != SMIX_OK) return r;
    memset(info, 0, sizeof *info);
    info->format_version = SMIX_FORMAT_VERSION;
    info->input_bytes = h.input_bytes;
    info->tokens = h.tokens;
    info->header_bytes = h.header_bytes;
    info->payload_bytes = h.payload_bytes;
    info->compressed_bytes = h.header_bytes + h.payload_bytes;
    info->checksum = h.crc_input;
    info->config = h.cfg;
    return ctr_check_payload(src, n, &h);
}
