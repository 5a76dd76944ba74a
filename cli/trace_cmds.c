/*
 * trace_cmds.c - the CLI's trace commands: dump (CSV / JSON lines) and the
 * "where the bits went" report (text / JSON).
 *
 * The columns are the trace's own: one per component and coding step the
 * trace declares (smix_trace_component, smix_trace_step), and the SSM's
 * only when the level has it. A row is written once by emit_row through a
 * small column writer, so the CSV header, the CSV rows and the JSON keys
 * cannot disagree.
 *
 * Token text is arbitrary bytes, and every output keeps a record on one
 * physical line with no raw control character (C0, DEL, C1, bidirectional
 * and other invisible controls: what the engine's terminal escaper,
 * smix_text_unit, escapes), so nothing from the input reaches a terminal:
 *  - JSON: valid UTF-8 passes through, ", \ and those controls are escaped
 *    (\n, \r, \t, \uNNNN), and every byte that is not part of valid UTF-8
 *    becomes \u00XX (the code point with the byte's value).
 *  - CSV: quoted (RFC 4180, " doubled) and escaped by smix_text_escape: \\,
 *    \n, \r, \t, \xNN for the other C0 controls, DEL and bytes that are not
 *    valid UTF-8, \uNNNN for C1, bidirectional and invisible characters.
 *    text_hex has the exact bytes.
 *  - Terminal (text report): the same escapes, cut to 40 bytes.
 * The numbers: floats with 9 significant digits and doubles with 17, enough
 * to read back the exact stored value; a value that does not apply is empty
 * in CSV and null in JSON.
 */
#include "trace_cmds.h"
#include "smix_trace.h"

#include <errno.h>
#include <poll.h>
#include <sys/stat.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

/* ---------------- UTF-8 and escaping ---------------- */

/* JSON: what the terminal escaper (smix_text_unit) escapes, as JSON
 * escapes (a surrogate pair above U+FFFF); an invalid byte as \u00XX. */
static void json_string(FILE *f, const uint8_t *p, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        char esc[SMIX_TEXT_ESC_MAX];
        size_t k = smix_text_unit(p + i, n - i, &cp, esc);
        if (cp == '"' || cp == '\\') { fputc('\\', f); fputc((int)cp, f); }
        else if (!esc[0]) fwrite(p + i, 1, k, f);
        else if (cp == '\n') fputs("\\n", f);
        else if (cp == '\r') fputs("\\r", f);
        else if (cp == '\t') fputs("\\t", f);
        else if (cp > 0xFFFF)
            fprintf(f, "\\u%04x\\u%04x", 0xD800 + ((cp - 0x10000) >> 10), 0xDC00 + ((cp - 0x10000) & 0x3FF));
        else fprintf(f, "\\u%04x", cp);
        i += k;
    }
    fputc('"', f);
}

/* The terminal escaper's text (smix_text_escape) of p[0..n), at most max
 * bytes of input (then "..."); quote: double every '"' (for CSV). */
static void c_escaped(FILE *f, const uint8_t *p, size_t n, size_t max, int quote)
{
    size_t lim = n < max ? n : max;
    for (size_t i = 0; i < lim;) {
        char out[256];
        i += smix_text_escape(p + i, lim - i, out, sizeof out);
        for (const char *c = out; *c; c++) {
            if (*c == '"' && quote) fputc('"', f);
            fputc(*c, f);
        }
    }
    if (n > max) fputs("...", f);
}

static void hex_string(FILE *f, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        fputc(hx[p[i] >> 4], f);
        fputc(hx[p[i] & 15], f);
    }
}

/* A JSON number, or null when not finite. */
static void jnum(FILE *f, double v, int digits)
{
    if (isfinite(v)) fprintf(f, "%.*g", digits, v);
    else fputs("null", f);
}

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* After the output failed: TRACE_CMD_CLOSED when the reader went away (a
 * pipe into head), else -1 with a message. */
static int reader_gone(FILE *out)
{
    if (errno == EPIPE) return 1;
    /* errno may be stale by now: ask the pipe itself */
    struct stat st;
    int fd = fileno(out);
    if (fd < 0 || fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) return 0;
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)) != 0;
}

static int finish_out(FILE *out, char *err, size_t errlen)
{
    int failed = ferror(out), e = errno;
    errno = 0;
    if (fflush(out) == 0 && !failed && !ferror(out)) return 0;
    if (errno == 0) errno = e;
    if (reader_gone(out)) return TRACE_CMD_CLOSED;
    return fail(err, errlen, "write error: %s", errno ? strerror(errno) : "output failed");
}

/* ---------------- dump: one column writer for header, CSV and JSON ---------------- */

typedef struct cols {
    FILE *f;
    int json, header;         /* header: write the CSV column names */
    int n;                    /* columns written in this row */
} cols;

/* Starts column prefix+name; returns 0 when only its name was wanted. */
static int col(cols *o, const char *prefix, const char *name)
{
    if (o->json) fprintf(o->f, "%s\"%s%s\":", o->n ? "," : "{", prefix, name);
    else if (o->n) fputc(',', o->f);
    if (o->header) fprintf(o->f, "%s%s", prefix, name);
    o->n++;
    return !o->header;
}

static void col_u(cols *o, const char *name, uint64_t v)
{
    if (col(o, "", name)) fprintf(o->f, "%llu", (unsigned long long)v);
}

static void col_i(cols *o, const char *name, int v)
{
    if (col(o, "", name)) fprintf(o->f, "%d", v);
}

/* A float (9 digits) or double (17); valid = 0 writes n/a. */
static void col_num(cols *o, const char *prefix, const char *name, double v, int digits, int valid)
{
    if (!col(o, prefix, name)) return;
    if (valid && isfinite(v)) fprintf(o->f, "%.*g", digits, v);
    else if (o->json) fputs("null", o->f);
}

static void col_text(cols *o, const char *name, const uint8_t *p, size_t n)
{
    if (!col(o, "", name)) return;
    if (o->json) {
        json_string(o->f, p, n);
        return;
    }
    fputc('"', o->f);
    c_escaped(o->f, p, n, SIZE_MAX, 1);
    fputc('"', o->f);
}

static void col_word(cols *o, const char *name, const char *word)
{
    if (!col(o, "", name)) return;
    fprintf(o->f, o->json ? "\"%s\"" : "%s", word);
}

static void col_hex(cols *o, const char *name, const uint8_t *p, size_t n)
{
    if (!col(o, "", name)) return;
    if (o->json) fputc('"', o->f);
    hex_string(o->f, p, n);
    if (o->json) fputc('"', o->f);
}

static void end_row(cols *o)
{
    fputs(o->json ? "}\n" : "\n", o->f);
    o->n = 0;
}

/* The bytes of a candidate id for fav_text ("<NEW>" for NEW, none for none). */
static const uint8_t *cand_text(const smix_trace *t, uint32_t id, uint32_t *len)
{
    const uint8_t *b = id == SMIX_TOKEN_NONE ? NULL : smix_trace_vocab_token(t, id, len);
    if (!b) *len = 0;
    return b ? b : (const uint8_t *)"";
}

/* The coding steps: bits_<step> each, then tm_<step> for the mixed ones. */
static void step_cols(cols *o, const smix_trace *t, const smix_trace_token *tk)
{
    smix_trace_part p;
    for (uint32_t k = 0; smix_trace_step(t, k, &p) == 0; k++) col_num(o, "bits_", p.name, tk->step_bits[k], 17, 1);
    for (uint32_t k = 0; smix_trace_step(t, k, &p) == 0; k++)
        if (p.mixed) col_num(o, "tm_", p.name, tk->step_tm[k], 17, 1);
}

/* The token's logit and its terms, then its rival's. */
static void logit_cols(cols *o, const smix_trace *t, const smix_trace_token *tk)
{
    smix_trace_part p;
    int rival = tk->fav_id != SMIX_TOKEN_NONE;
    uint32_t len;
    col_num(o, "", "logit", tk->logit, 17, 1);
    col_num(o, "", "log_norm", tk->log_norm, 17, 1);
    for (uint32_t c = 0; smix_trace_component(t, c, &p) == 0; c++) col_num(o, "c_", p.name, tk->comp[c], 9, 1);
    col_u(o, "fav_id", tk->fav_id);
    const uint8_t *fb = cand_text(t, tk->fav_id, &len);
    col_text(o, "fav_text", fb, len);
    col_i(o, "is_fav", (tk->flags & SMIX_TI_FAV) != 0);
    col_num(o, "", "fav_logit", tk->fav_logit, 17, rival);
    for (uint32_t c = 0; smix_trace_component(t, c, &p) == 0; c++)
        col_num(o, "fav_c_", p.name, tk->fav_comp[c], 9, rival);
}

/* The bits each component saved the token (traces of format 2.1 on). */
static void saved_cols(cols *o, const smix_trace *t, const smix_trace_token *tk)
{
    smix_trace_part p;
    for (uint32_t c = 0; smix_trace_component(t, c, &p) == 0; c++) col_num(o, "saved_", p.name, tk->saved[c], 9, 1);
}

static void emit_row(cols *o, const smix_trace *t, const smix_trace_token *tk, unsigned flags)
{
    col_u(o, "index", tk->index);
    col_u(o, "offset", tk->offset);
    col_u(o, "length", tk->length);
    col_u(o, "token_id", tk->token_id);
    col_text(o, "text", tk->bytes, tk->length);
    col_i(o, "is_new", tk->is_new);
    col_word(o, "type", smix_trace_token_type_name(smix_trace_token_type(tk->bytes, tk->length)));
    col_num(o, "", "bits", tk->bits, 17, 1);
    col_num(o, "", "p_final", tk->p_final, 9, 1);
    col_u(o, "rank_final", tk->rank_final);
    step_cols(o, t, tk);
    logit_cols(o, t, tk);
    if (flags & SMIX_TRACE_SAVED) saved_cols(o, t, tk);
    if (flags & SMIX_TRACE_SSM) {
        int valid = (tk->flags & SMIX_TI_SSM) != 0;
        col_num(o, "", "p_ssm", tk->p_ssm, 9, valid);
        col_num(o, "", "rank_ssm", tk->rank_ssm, 9, valid);
        col_num(o, "", "p_ssm_new", tk->p_ssm_new, 9, 1);
        col_num(o, "", "entropy", tk->entropy, 9, 1);
        col_num(o, "", "scale", tk->scale, 9, 1);
    }
    col_i(o, "longest_order", tk->longest_order);
    col_u(o, "longest_count", tk->longest_count);
    col_hex(o, "text_hex", tk->bytes, tk->length);
    end_row(o);
}

/* The range's tokens [*first, *end) in trace t: 0, or -1 and a message
 * when it starts past the last token. */
static int clip_range(const smix_trace *t, const trace_range *range, uint64_t *first, uint64_t *end, char *err,
                      size_t errlen)
{
    uint64_t n = smix_trace_count(t);
    *first = range ? range->first : 0;
    *end = range && range->end < n ? range->end : n;
    if (range && (*first >= n || *first >= *end) && !(n == 0 && *first == 0))
        return fail(err, errlen, "the range %llu:%llu has no token of the trace's %llu (numbered from 0)",
                    (unsigned long long)range->first, (unsigned long long)range->end, (unsigned long long)n);
    return 0;
}

int trace_cmd_dump(const char *trace_path, const char *format, const trace_range *range, FILE *out, char *err,
                   size_t errlen)
{
    int csv = format && strcmp(format, "csv") == 0;
    if (!csv && !(format && strcmp(format, "jsonl") == 0))
        return fail(err, errlen, "unknown dump format (use csv or jsonl)");
    smix_trace *t = smix_trace_open(trace_path, err, errlen);
    if (!t) return -1;
    smix_trace_summary s;
    smix_trace_get_summary(t, &s);
    uint64_t first, end;
    int rc = clip_range(t, range, &first, &end, err, errlen);
    cols o = { out, !csv, 1, 0 };
    smix_trace_token tk;
    memset(&tk, 0, sizeof tk);
    if (csv && rc == 0) emit_row(&o, t, &tk, s.flags);
    o.header = 0;
    for (uint64_t i = first; i < end && rc == 0 && !ferror(out); i++) {
        if (smix_trace_get_token(t, i, &tk)) rc = fail(err, errlen, "damaged trace (token %llu)", (unsigned long long)i);
        else emit_row(&o, t, &tk, s.flags);
    }
    smix_trace_close(t);
    return rc ? rc : finish_out(out, err, errlen);
}

/* ---------------- report: text ---------------- */

static double pct(double a, double b) { return b > 0 ? 100.0 * a / b : 0.0; }

static void bar(FILE *f, double frac, int width)
{
    int n = (int)(frac * width + 0.5);
    for (int i = 0; i < n && i < width; i++) fputc('#', f);
}

static void text_totals(FILE *f, const smix_trace *t, const smix_trace_report *r)
{
    smix_trace_summary s;
    smix_trace_get_summary(t, &s);
    unsigned ma, mi;
    smix_trace_version(t, &ma, &mi);
    fprintf(f, "trace format %u.%u, level %u, ", ma, mi, s.config.level);
    if (r->ssm) fprintf(f, "SSM %u layer%s, d_model %u", s.config.n_layers, s.config.n_layers == 1 ? "" : "s", s.config.d_model);
    else fputs("SSM off", f);
    fprintf(f, ", %s, vocab %u, %u block%s, %llu chunks\n",
            s.flags & SMIX_TRACE_BITS ? "tokens coded bit by bit with the byte model" : "tokens coded as symbols",
            s.vocab_size, r->blocks, r->blocks == 1 ? "" : "s", (unsigned long long)r->chunks);
    fprintf(f, "input       %14llu bytes   %llu tokens (%.2f bytes/token)\n",
            (unsigned long long)r->input_bytes, (unsigned long long)s.tokens,
            s.tokens ? (double)r->input_bytes / (double)s.tokens : 0.0);
    fprintf(f, "compressed  %14llu bytes = header %llu + payload %llu   (%.4f bpb)\n",
            (unsigned long long)r->compressed_bytes, (unsigned long long)r->header_bytes,
            (unsigned long long)r->payload_bytes, r->file_bpb);
    if (!r->whole)
        fprintf(f, "range       tokens %llu to %llu (%llu tokens), input bytes %llu to %llu; everything below is "
                   "about them\n", (unsigned long long)r->first_token,
                (unsigned long long)(r->first_token + r->tokens - (r->tokens > 0)), (unsigned long long)r->tokens,
                (unsigned long long)r->first_byte, (unsigned long long)(r->end_byte - (r->end_byte > r->first_byte)));
    fprintf(f, "coded bits  %14.1f bits  = %.1f bytes   %.4f bpb   %.3f bits/token\n",
            r->total_bits, r->total_bits / 8, r->bpb, r->tokens ? r->total_bits / (double)r->tokens : 0.0);
    if (r->whole)
        fprintf(f, "coder flush %14.1f bits   (payload - coded bits: the end of each block's coder)\n", r->flush_bits);
    fputc('\n', f);
}

static void text_baselines(FILE *f, const smix_trace_report *r)
{
    fprintf(f, "Against baselines\n");
    if (r->ssm)
        fprintf(f, "  SSM alone      %12.1f bits on the %llu tokens seen before; the mix paid %.1f: saved %.1f bits (%.1f%%)\n",
                r->ssm_bits, (unsigned long long)r->ssm_tokens, r->ssm_final_bits, r->saved_vs_ssm,
                pct(r->saved_vs_ssm, r->ssm_bits));
    else
        fprintf(f, "  SSM alone      (this level has no SSM)\n");
    fprintf(f, "  order-0 prior  %12.1f bits (adaptive token frequencies); saved %.1f bits (%.1f%%)\n",
            r->prior_bits, r->saved_vs_prior, pct(r->saved_vs_prior, r->prior_bits));
    fprintf(f, "  first occurrences: %llu tokens (%llu distinct ids), %.1f bits = %.1f%% of all bits, of which %.1f "
            "for their ids", (unsigned long long)r->new_tokens, (unsigned long long)r->distinct, r->new_bits,
            pct(r->new_bits, r->total_bits), r->new_id_bits);
    if (r->ssm) fprintf(f, "; the SSM gave NEW %.1f bits", r->new_ssm_bits);
    fputs("\n\n", f);
}

/* What the components are ranked by: the bits they saved where the trace
 * has them, else their margin over the rival. */
static double comp_rank(const smix_trace_report *r, uint32_t c)
{
    return r->saved_known ? r->comp[c].saved : r->comp[c].margin;
}

/* Components by comp_rank, largest first. */
static void sort_components(const smix_trace_report *r, uint32_t *order)
{
    for (uint32_t i = 0; i < r->n_comp; i++) {
        uint32_t j = i;
        while (j > 0 && comp_rank(r, order[j - 1]) < comp_rank(r, i)) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

static void text_components(FILE *f, const smix_trace *t, const smix_trace_report *r)
{
    uint32_t order[SMIX_TRACE_MAX_COMP];
    sort_components(r, order);
    if (r->saved_known)
        fprintf(f, "Components, by the bits each saved: how many more bits the tokens would have cost\n"
                   "without it (its term taken out of every token's logit and the distribution\n"
                   "renormalised; each alone, so they do not add up).\n");
    else
        fprintf(f, "Components, by margin (the bits each saved are not in this trace: smix --trace-saved\n"
                   "records them).\n");
    fprintf(f, "margin = bits by which it told the coded token from its strongest rival (the margins\n"
               "add up to sum log2(p_token / p_rival)); pull = log2(e) x its term in the token's logit\n");
    fprintf(f, "  %-10s %12s %12s %12s  %7s  %s\n", "component", r->saved_known ? "saved bits" : "",
            "margin bits", "pull bits", "active", "what");
    for (uint32_t i = 0; i < r->n_comp; i++) {
        smix_trace_part p;
        uint32_t c = order[i];
        if (smix_trace_component(t, c, &p)) continue;
        char saved[32] = "";
        if (r->saved_known) snprintf(saved, sizeof saved, "%.1f", r->comp[c].saved);
        fprintf(f, "  %-10s %12s %12.1f %12.1f  %6.1f%%  %s\n", p.name, saved, r->comp[c].margin, r->comp[c].pull,
                pct((double)r->comp[c].active, (double)r->tokens), p.description);
    }
    fprintf(f, "\nCoding steps              bits   share  tokens%s\n",
            r->n_steps && smix_trace_step_index(t, "is_cand") >= 0 ? "   token model alone" : "");
    for (uint32_t k = 0; k < r->n_steps; k++) {
        smix_trace_part p;
        if (smix_trace_step(t, k, &p)) continue;
        fprintf(f, "  %-12s %14.1f  %5.1f%% %7llu", p.name, r->step[k].bits, pct(r->step[k].bits, r->total_bits),
                (unsigned long long)r->step[k].tokens);
        if (p.mixed) fprintf(f, "   %14.1f (the byte model saved %.1f)", r->step[k].tm, r->step[k].tm - r->step[k].bits);
        fputc('\n', f);
    }
    fprintf(f, "  the token model's information before quantisation: %.1f bits\n", r->info_bits);
}

static void text_stretches(FILE *f, const smix_trace_report *r)
{
    fprintf(f, "\nBits per byte by stretch of the input\n");
    double maxb = 0;
    for (uint32_t s = 0; s < r->n_stretches; s++) if (r->stretch[s].bpb > maxb) maxb = r->stretch[s].bpb;
    for (uint32_t s = 0; s < r->n_stretches; s++) {
        fprintf(f, "  from byte %12llu  %9llu tokens  %7.4f bpb  ", (unsigned long long)r->stretch[s].first_byte,
                (unsigned long long)r->stretch[s].tokens, r->stretch[s].bpb);
        bar(f, maxb > 0 ? r->stretch[s].bpb / maxb : 0, 30);
        fputc('\n', f);
    }
}

static void text_types(FILE *f, const smix_trace_report *r)
{
    fprintf(f, "\nToken types        tokens   share         bits   share  bits/token  bpb\n");
    for (int k = 0; k < SMIX_TTYPE_COUNT; k++)
        fprintf(f, "  %-12s %12llu  %5.1f%% %12.1f  %5.1f%%  %9.3f  %6.3f\n", smix_trace_token_type_name(k),
                (unsigned long long)r->type[k].count, pct((double)r->type[k].count, (double)r->tokens),
                r->type[k].bits, 100.0 * r->type[k].share,
                r->type[k].count ? r->type[k].bits / (double)r->type[k].count : 0.0,
                r->type[k].bytes ? r->type[k].bits / (double)r->type[k].bytes : 0.0);
    fprintf(f, "\nN-gram orders fired (longest seen context >= k)\n ");
    for (uint32_t i = 0; i < r->n_orders; i++)
        fprintf(f, " %d:%.1f%%", r->order[i].order, 100.0 * r->order[i].share);
    fprintf(f, "\n\nBits per token          tokens   share    bits share\n");
    for (int h = 0; h < SMIX_REPORT_HIST_BINS; h++) {
        char lab[32];
        if (isinf(r->hist[h].hi)) snprintf(lab, sizeof lab, "[%g, inf)", r->hist[h].lo);
        else snprintf(lab, sizeof lab, "[%g, %g)", r->hist[h].lo, r->hist[h].hi);
        fprintf(f, "  %-14s %12llu  %5.1f%%  %5.1f%%  ", lab, (unsigned long long)r->hist[h].count,
                pct((double)r->hist[h].count, (double)r->tokens), pct(r->hist[h].bits, r->total_bits));
        bar(f, r->tokens ? (double)r->hist[h].count / (double)r->tokens : 0, 30);
        fputc('\n', f);
    }
}

static void text_costly(FILE *f, const smix_trace *t, const smix_trace_report *r)
{
    fprintf(f, "\nCostliest tokens\n      index        offset     bits  new  text\n");
    for (uint32_t i = 0; i < r->n_costly; i++) {
        smix_trace_token tk;
        if (smix_trace_get_token(t, r->costly[i].index, &tk)) continue;
        fprintf(f, "  %9llu  %12llu  %7.2f  %s  \"", (unsigned long long)tk.index,
                (unsigned long long)tk.offset, tk.bits, tk.is_new ? "yes" : " no");
        c_escaped(f, tk.bytes, tk.length, 40, 0);
        fputs("\"\n", f);
    }
    if (r->chunks)
        fprintf(f, "\nTraining loss: %.3f nats (first chunk) -> %.3f nats (last chunk)\n",
                r->first_loss, r->last_loss);
}

/* ---------------- report: JSON ---------------- */

static void json_u(FILE *f, const char *k, uint64_t v) { fprintf(f, "\"%s\":%llu,", k, (unsigned long long)v); }
static void json_d(FILE *f, const char *k, double v) { fprintf(f, "\"%s\":", k); jnum(f, v, 12); fputc(',', f); }
static void json_s(FILE *f, const char *k, const char *v)
{
    fprintf(f, "\"%s\":", k);
    json_string(f, (const uint8_t *)v, strlen(v));
    fputc(',', f);
}

static void json_totals(FILE *f, const smix_trace *t, const smix_trace_report *r)
{
    unsigned ma, mi;
    smix_trace_summary s;
    smix_trace_get_summary(t, &s);
    smix_trace_version(t, &ma, &mi);
    fprintf(f, "{\"trace_format\":\"%u.%u\",", ma, mi);
    json_u(f, "level", s.config.level);
    fprintf(f, "\"ssm\":%s,\"byte_model\":%s,", r->ssm ? "true" : "false", s.flags & SMIX_TRACE_BITS ? "true" : "false");
    json_u(f, "input_bytes", r->input_bytes);
    json_u(f, "tokens", r->tokens);
    fprintf(f, "\"range\":{\"first\":%llu,\"end\":%llu,\"whole\":%s},", (unsigned long long)r->first_token,
            (unsigned long long)(r->first_token + r->tokens), r->whole ? "true" : "false");
    json_u(f, "header_bytes", r->header_bytes);
    json_u(f, "payload_bytes", r->payload_bytes);
    json_u(f, "compressed_bytes", r->compressed_bytes);
    json_u(f, "blocks", r->blocks);
    json_u(f, "chunks", r->chunks);
    json_u(f, "vocab_size", smix_trace_vocab_size(t));
    fprintf(f, "\"total_bits\":");
    jnum(f, r->total_bits, 17);
    fputc(',', f);
    json_d(f, "flush_bits", r->flush_bits);
    json_d(f, "info_bits", r->info_bits);
    json_d(f, "bpb", r->bpb);
    json_d(f, "file_bpb", r->file_bpb);
    if (r->ssm) {
        fprintf(f, "\"ssm_alone\":{\"tokens\":%llu,", (unsigned long long)r->ssm_tokens);
        json_d(f, "ssm_bits", r->ssm_bits);
        json_d(f, "final_bits", r->ssm_final_bits);
        fprintf(f, "\"saved_bits\":");
        jnum(f, r->saved_vs_ssm, 12);
        fputs("},", f);
    }
    fprintf(f, "\"order0_prior\":{");
    json_d(f, "bits", r->prior_bits);
    fprintf(f, "\"saved_bits\":");
    jnum(f, r->saved_vs_prior, 12);
    fputs("},", f);
    json_u(f, "distinct_ids", r->distinct);
    fprintf(f, "\"new\":{\"tokens\":%llu,", (unsigned long long)r->new_tokens);
    if (r->ssm) json_d(f, "ssm_bits", r->new_ssm_bits);
    json_d(f, "id_bits", r->new_id_bits);
    fprintf(f, "\"bits\":");
    jnum(f, r->new_bits, 12);
    fputs("},", f);
}

static void json_parts(FILE *f, const smix_trace *t, const smix_trace_report *r)
{
    smix_trace_part p;
    fputs("\"components\":[", f);
    for (uint32_t c = 0; smix_trace_component(t, c, &p) == 0 && c < r->n_comp; c++) {
        fputs(c ? ",{" : "{", f);
        json_s(f, "name", p.name);
        json_s(f, "group", p.group);
        json_s(f, "description", p.description);
        fprintf(f, "\"saved_bits\":");
        if (r->saved_known) jnum(f, r->comp[c].saved, 12);
        else fputs("null", f);
        fputc(',', f);
        json_d(f, "margin_bits", r->comp[c].margin);
        json_d(f, "pull_bits", r->comp[c].pull);
        fprintf(f, "\"active\":%llu}", (unsigned long long)r->comp[c].active);
    }
    fputs("],\"steps\":[", f);
    for (uint32_t k = 0; smix_trace_step(t, k, &p) == 0 && k < r->n_steps; k++) {
        fputs(k ? ",{" : "{", f);
        json_s(f, "name", p.name);
        json_s(f, "description", p.description);
        fprintf(f, "\"mixed\":%s,", p.mixed ? "true" : "false");
        json_d(f, "bits", r->step[k].bits);
        json_d(f, "tm_bits", r->step[k].tm);
        fprintf(f, "\"tokens\":%llu}", (unsigned long long)r->step[k].tokens);
    }
    fputs("],", f);
}

static void json_tables(FILE *f, const smix_trace_report *r)
{
    fputs("\"stretches\":[", f);
    for (uint32_t s = 0; s < r->n_stretches; s++) {
        fprintf(f, "%s{\"first_byte\":%llu,\"bytes\":%llu,\"first_token\":%llu,\"tokens\":%llu,", s ? "," : "",
                (unsigned long long)r->stretch[s].first_byte, (unsigned long long)r->stretch[s].bytes,
                (unsigned long long)r->stretch[s].first_token, (unsigned long long)r->stretch[s].tokens);
        json_d(f, "bits", r->stretch[s].bits);
        fprintf(f, "\"bpb\":");
        jnum(f, r->stretch[s].bpb, 12);
        fputc('}', f);
    }
    fputs("],\"types\":{", f);
    for (int k = 0; k < SMIX_TTYPE_COUNT; k++) {
        fprintf(f, "%s\"%s\":{\"count\":%llu,\"bytes\":%llu,", k ? "," : "", smix_trace_token_type_name(k),
                (unsigned long long)r->type[k].count, (unsigned long long)r->type[k].bytes);
        json_d(f, "bits", r->type[k].bits);
        fprintf(f, "\"share\":");
        jnum(f, r->type[k].share, 12);
        fputc('}', f);
    }
    fputs("},\"orders_fired\":[", f);
    for (uint32_t i = 0; i < r->n_orders; i++) {
        fprintf(f, "%s{\"order\":%d,\"count\":%llu,\"share\":", i ? "," : "", r->order[i].order,
                (unsigned long long)r->order[i].count);
        jnum(f, r->order[i].share, 12);
        fputc('}', f);
    }
    fputs("],\"bits_histogram\":[", f);
    for (int h = 0; h < SMIX_REPORT_HIST_BINS; h++) {
        fprintf(f, "%s{\"lo\":", h ? "," : "");
        jnum(f, r->hist[h].lo, 12);
        fputs(",\"hi\":", f);
        jnum(f, r->hist[h].hi, 12);   /* null for the open last bin */
        fprintf(f, ",\"count\":%llu,\"bits\":", (unsigned long long)r->hist[h].count);
        jnum(f, r->hist[h].bits, 12);
        fputc('}', f);
    }
    fputs("],", f);
}

static void json_costly(FILE *f, const smix_trace *t, const smix_trace_report *r)
{
    fputs("\"costliest\":[", f);
    for (uint32_t i = 0, first = 1; i < r->n_costly; i++) {
        smix_trace_token tk;
        if (smix_trace_get_token(t, r->costly[i].index, &tk)) continue;
        fprintf(f, "%s{\"index\":%llu,\"offset\":%llu,\"token_id\":%u,\"is_new\":%u,\"text\":", first ? "" : ",",
                (unsigned long long)tk.index, (unsigned long long)tk.offset, tk.token_id, tk.is_new);
        json_string(f, tk.bytes, tk.length);
        fputs(",\"bits\":", f);
        jnum(f, tk.bits, 17);
        fputc('}', f);
        first = 0;
    }
    fputs("],\"loss\":{\"first\":", f);
    jnum(f, r->first_loss, 9);
    fputs(",\"last\":", f);
    jnum(f, r->last_loss, 9);
    fputs("}}\n", f);
}

int trace_cmd_report(const char *trace_path, int json, const trace_range *range, FILE *out, char *err,
                     size_t errlen)
{
    smix_trace *t = smix_trace_open(trace_path, err, errlen);
    if (!t) return -1;
    uint64_t first, end;
    if (clip_range(t, range, &first, &end, err, errlen)) {
        smix_trace_close(t);
        return -1;
    }
    smix_trace_report r;
    if (smix_trace_report_range(t, first, end - first, &r)) {
        smix_trace_close(t);
        return fail(err, errlen, "out of memory computing the report");
    }
    if (json) {
        json_totals(out, t, &r);
        json_parts(out, t, &r);
        json_tables(out, &r);
        json_costly(out, t, &r);
    } else {
        text_totals(out, t, &r);
        text_baselines(out, &r);
        text_components(out, t, &r);
        text_stretches(out, &r);
        text_types(out, &r);
        text_costly(out, t, &r);
    }
    smix_trace_close(t);
    return finish_out(out, err, errlen);
}
