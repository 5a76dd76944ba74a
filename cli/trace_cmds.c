/*
 * trace_cmds.c - the CLI's trace commands: dump (CSV / JSON lines) and the
 * "where the bits went" report (text / JSON).
 *
 * Token text is arbitrary bytes, so each output escapes it for its reader:
 *  - JSON: valid UTF-8 passes through, ", \ and every character the
 *    terminal escaper (smix_text_unit) escapes - controls, DEL, C1, bidi and
 *    other invisible characters - are JSON escapes (\n, \u001b, \u202e), and
 *    every byte that is not part of valid UTF-8 becomes \u00XX (the code
 *    point with the byte's value; documented in trace-format.md). So a line
 *    is safe on a terminal and a parser reads the same string.
 *  - CSV: the field is always quoted (RFC 4180, " doubled); bytes that are
 *    not valid UTF-8 are written as the UTF-8 encoding of U+00XX, so the file
 *    is valid UTF-8 and a CSV parser yields the same string as the JSON
 *    parser. The extra column text_hex has the exact bytes. On a terminal
 *    the field holds the escaped text instead (smix_text_escape), so no
 *    token sends the terminal a sequence.
 *  - Terminal (text report): smix_text_escape, printable UTF-8 only.
 * The numbers: float fields with 9 significant digits and bits with 17,
 * enough to read back the exact stored value.
 */
#include "trace_cmds.h"
#include "smix_trace.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* ---------------- UTF-8 and escaping ---------------- */

/* Length (1-4) of the valid UTF-8 sequence at p[0..n), 0 if invalid. */
static size_t utf8_len(const uint8_t *p, size_t n, uint32_t *cp)
{
    return smix_utf8_decode(p, n, cp);
}

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
        else if (cp > 0xFFFF)   /* a UTF-16 surrogate pair, as JSON spells it */
            fprintf(f, "\\u%04x\\u%04x", 0xD800 + ((cp - 0x10000) >> 10), 0xDC00 + ((cp - 0x10000) & 0x3FF));
        else fprintf(f, "\\u%04x", cp);   /* an invalid byte: its value */
        i += k;
    }
    fputc('"', f);
}

static void csv_string(FILE *f, const uint8_t *p, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_len(p + i, n - i, &cp);
        if (k == 0) {   /* the byte as U+00XX, in UTF-8 */
            fputc(0xC0 | (p[i] >> 6), f);
            fputc(0x80 | (p[i] & 0x3F), f);
            i++;
            continue;
        }
        if (cp == '"') fputc('"', f);
        fwrite(p + i, 1, k, f);
        i += k;
    }
    fputc('"', f);
}

/* Terminal-safe text, at most max bytes of input shown (then "..."). */
static void term_string(FILE *f, const uint8_t *p, size_t n, size_t max)
{
    char out[1024];
    size_t used = smix_text_escape(p, n < max ? n : max, out, sizeof out);
    fputs(out, f);
    if (used < n) fputs("...", f);
}

/* The CSV field on a terminal: escaped, " doubled. */
static void csv_term_string(FILE *f, const uint8_t *p, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n;) {
        char out[256];
        i += smix_text_escape(p + i, n - i, out, sizeof out);
        for (const char *c = out; *c; c++) {
            if (*c == '"') fputc('"', f);
            fputc(*c, f);
        }
    }
    fputc('"', f);
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

static int finish_out(FILE *out, char *err, size_t errlen)
{
    if (fflush(out) != 0 || ferror(out))
        return fail(err, errlen, "write error: %s", errno ? strerror(errno) : "output failed");
    return 0;
}

/* ---------------- dump ---------------- */

static void csv_header(FILE *f)
{
    fputs("index,offset,length,token_id,text,p_ssm,rank_ssm,entropy,scale,p_final,bits", f);
    for (int c = 0; c < SMIX_NCOMP; c++) fprintf(f, ",bias_%s", smix_trace_component_name(c));
    fputs(",longest_order,longest_count,is_new,type,text_hex\n", f);
}

static void csv_row(FILE *f, const smix_trace_token *t, int tty)
{
    fprintf(f, "%llu,%llu,%u,%u,", (unsigned long long)t->index, (unsigned long long)t->offset,
            t->length, t->token_id);
    if (tty) csv_term_string(f, t->bytes, t->length);
    else csv_string(f, t->bytes, t->length);
    fprintf(f, ",%.9g,%u,%.9g,%.9g,%.9g,%.17g", t->p_ssm, t->rank_ssm, t->entropy, t->scale,
            t->p_final, t->bits);
    for (int c = 0; c < SMIX_NCOMP; c++) fprintf(f, ",%.9g", t->bias[c]);
    fprintf(f, ",%d,%u,%u,%s,", t->longest_order, t->longest_count, t->is_new,
            smix_trace_token_type_name(smix_trace_token_type(t->bytes, t->length)));
    hex_string(f, t->bytes, t->length);
    fputc('\n', f);
}

static void json_row(FILE *f, const smix_trace_token *t)
{
    fprintf(f, "{\"index\":%llu,\"offset\":%llu,\"length\":%u,\"token_id\":%u,\"text\":",
            (unsigned long long)t->index, (unsigned long long)t->offset, t->length, t->token_id);
    json_string(f, t->bytes, t->length);
    const char *names[] = { "p_ssm", "rank_ssm", "entropy", "scale", "p_final", "bits" };
    double vals[] = { t->p_ssm, t->rank_ssm, t->entropy, t->scale, t->p_final, t->bits };
    for (int i = 0; i < 6; i++) {
        fprintf(f, ",\"%s\":", names[i]);
        jnum(f, vals[i], i == 5 ? 17 : 9);
    }
    for (int c = 0; c < SMIX_NCOMP; c++) {
        fprintf(f, ",\"bias_%s\":", smix_trace_component_name(c));
        jnum(f, t->bias[c], 9);
    }
    fprintf(f, ",\"longest_order\":%d,\"longest_count\":%u,\"is_new\":%u,\"type\":\"%s\",\"text_hex\":\"",
            t->longest_order, t->longest_count, t->is_new,
            smix_trace_token_type_name(smix_trace_token_type(t->bytes, t->length)));
    hex_string(f, t->bytes, t->length);
    fputs("\"}\n", f);
}

int trace_cmd_dump(const char *trace_path, const char *format, FILE *out, char *err, size_t errlen)
{
    int csv = format && strcmp(format, "csv") == 0, tty = isatty(fileno(out));
    if (!csv && !(format && strcmp(format, "jsonl") == 0))
        return fail(err, errlen, "unknown dump format (use csv or jsonl)");
    smix_trace *t = smix_trace_open(trace_path, err, errlen);
    if (!t) return -1;
    if (csv) csv_header(out);
    uint64_t n = smix_trace_count(t);
    int rc = 0;
    for (uint64_t i = 0; i < n && rc == 0; i++) {
        smix_trace_token tk;
        if (smix_trace_get_token(t, i, &tk)) rc = fail(err, errlen, "damaged trace (token %llu)", (unsigned long long)i);
        else if (csv) csv_row(out, &tk, tty);
        else json_row(out, &tk);
        if (ferror(out)) break;
    }
    smix_trace_close(t);
    if (rc) return rc;
    return finish_out(out, err, errlen);
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
    fprintf(f, "trace format %u.%u, level %u, %u layers, d_model %u, vocab %u, %llu chunks\n",
            ma, mi, s.config.level, s.config.n_layers, s.config.d_model, s.vocab_size,
            (unsigned long long)r->chunks);
    fprintf(f, "input       %14llu bytes   %llu tokens (%.2f bytes/token)\n",
            (unsigned long long)r->input_bytes, (unsigned long long)r->tokens,
            r->tokens ? (double)r->input_bytes / (double)r->tokens : 0.0);
    fprintf(f, "compressed  %14llu bytes = header %llu + payload %llu   (%.4f bpb)\n",
            (unsigned long long)r->compressed_bytes, (unsigned long long)r->header_bytes,
            (unsigned long long)r->payload_bytes, r->file_bpb);
    fprintf(f, "coded bits  %14.1f bits  = %.1f bytes   %.4f bpb   %.3f bits/token\n\n",
            r->total_bits, r->total_bits / 8, r->bpb, r->tokens ? r->total_bits / (double)r->tokens : 0.0);
    fprintf(f, "Against baselines\n");
    fprintf(f, "  SSM alone      %12.1f bits on %llu tokens it had an opinion on; the mix paid %.1f: saved %.1f bits (%.1f%%)\n",
            r->ssm_bits, (unsigned long long)r->ssm_tokens, r->ssm_final_bits, r->saved_vs_ssm,
            pct(r->saved_vs_ssm, r->ssm_bits));
    fprintf(f, "    tokens seen before  %9.1f bits on %llu tokens; the mix paid %.1f: saved %.1f bits (%.1f%%)\n",
            r->ssm_seen_bits, (unsigned long long)r->ssm_seen_tokens, r->ssm_seen_final_bits,
            r->saved_vs_ssm_seen, pct(r->saved_vs_ssm_seen, r->ssm_seen_bits));
    fprintf(f, "  order-0 prior  %12.1f bits (adaptive token frequencies); saved %.1f bits (%.1f%%)\n",
            r->prior_bits, r->saved_vs_prior, pct(r->saved_vs_prior, r->prior_bits));
    fprintf(f, "  first occurrences: %llu tokens (%llu distinct ids), %.1f bits = %.1f%% of all bits\n\n",
            (unsigned long long)r->new_tokens, (unsigned long long)r->distinct, r->new_bits,
            pct(r->new_bits, r->total_bits));
}

static void text_components(FILE *f, const smix_trace_report *r)
{
    fprintf(f, "Component pull on the actual token (log2(e) x sum of its logit bias; before normalisation)\n");
    for (int c = 0; c < SMIX_NCOMP; c++)
        fprintf(f, "  %-8s %14.1f bits   active on %5.1f%% of tokens\n", smix_trace_component_name(c),
                r->comp[c].bits, pct((double)r->comp[c].active, (double)r->tokens));
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
    for (int i = 0; i < SMIX_REPORT_ORDERS; i++)
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
        term_string(f, tk.bytes, tk.length, 40);
        fputs("\"\n", f);
    }
    if (r->chunks)
        fprintf(f, "\nTraining loss: %.3f nats (first chunk) -> %.3f nats (last chunk)\n",
                r->first_loss, r->last_loss);
}

/* ---------------- report: JSON ---------------- */

static void json_u(FILE *f, const char *k, uint64_t v) { fprintf(f, "\"%s\":%llu,", k, (unsigned long long)v); }
static void json_d(FILE *f, const char *k, double v) { fprintf(f, "\"%s\":", k); jnum(f, v, 12); fputc(',', f); }

static void json_totals(FILE *f, const smix_trace *t, const smix_trace_report *r)
{
    unsigned ma, mi;
    smix_trace_version(t, &ma, &mi);
    fprintf(f, "{\"trace_format\":\"%u.%u\",", ma, mi);
    json_u(f, "input_bytes", r->input_bytes);
    json_u(f, "tokens", r->tokens);
    json_u(f, "header_bytes", r->header_bytes);
    json_u(f, "payload_bytes", r->payload_bytes);
    json_u(f, "compressed_bytes", r->compressed_bytes);
    json_u(f, "chunks", r->chunks);
    json_u(f, "vocab_size", smix_trace_vocab_size(t));
    fprintf(f, "\"total_bits\":");
    jnum(f, r->total_bits, 17);
    fputc(',', f);
    json_d(f, "bpb", r->bpb);
    json_d(f, "file_bpb", r->file_bpb);
    fprintf(f, "\"ssm\":{\"tokens\":%llu,", (unsigned long long)r->ssm_tokens);
    json_d(f, "ssm_bits", r->ssm_bits);
    json_d(f, "final_bits", r->ssm_final_bits);
    fprintf(f, "\"saved_bits\":");
    jnum(f, r->saved_vs_ssm, 12);
    fprintf(f, ",\"seen\":{\"tokens\":%llu,", (unsigned long long)r->ssm_seen_tokens);
    json_d(f, "ssm_bits", r->ssm_seen_bits);
    json_d(f, "final_bits", r->ssm_seen_final_bits);
    fprintf(f, "\"saved_bits\":");
    jnum(f, r->saved_vs_ssm_seen, 12);
    fprintf(f, "}},\"order0_prior\":{");
    json_d(f, "bits", r->prior_bits);
    fprintf(f, "\"saved_bits\":");
    jnum(f, r->saved_vs_prior, 12);
    fputs("},", f);
    json_u(f, "distinct_ids", r->distinct);
    json_u(f, "new_tokens", r->new_tokens);
    json_d(f, "new_bits", r->new_bits);
    fputs("\"components\":{", f);
    for (int c = 0; c < SMIX_NCOMP; c++) {
        fprintf(f, "%s\"%s\":{\"bits\":", c ? "," : "", smix_trace_component_name(c));
        jnum(f, r->comp[c].bits, 12);
        fprintf(f, ",\"active\":%llu}", (unsigned long long)r->comp[c].active);
    }
    fputs("},", f);
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
    for (int i = 0; i < SMIX_REPORT_ORDERS; i++) {
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

int trace_cmd_report(const char *trace_path, int json, FILE *out, char *err, size_t errlen)
{
    smix_trace *t = smix_trace_open(trace_path, err, errlen);
    if (!t) return -1;
    smix_trace_report r;
    if (smix_trace_report_compute(t, &r)) {
        smix_trace_close(t);
        return fail(err, errlen, "out of memory computing the report");
    }
    if (json) {
        json_totals(out, t, &r);
        json_tables(out, &r);
        json_costly(out, t, &r);
    } else {
        text_totals(out, t, &r);
        text_components(out, &r);
        text_types(out, &r);
        text_costly(out, t, &r);
    }
    smix_trace_close(t);
    return finish_out(out, err, errlen);
}
