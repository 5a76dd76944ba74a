/*
 * png.c - a small PNG writer: 8-bit RGB, our own deflate, CRC-32, Adler-32.
 *
 * SDL2 only writes BMP and we do not want libpng or zlib for one function.
 * PNG needs a zlib stream; the simplest valid one uses stored blocks, but a
 * 1280x800 screenshot would then be 3 MB. Screens are mostly flat colour, so
 * a greedy LZ77 (hash chains over a 32 KiB window) with the fixed Huffman
 * code of RFC 1951 section 3.2.6 shrinks them 10-30x at a few dozen lines
 * more, and any PNG decoder reads the result. No filtering: identical rows
 * become long matches one row back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "view.h"

#define WBITS 15
#define WSIZE (1 << WBITS)
#define HBITS 16
#define MAX_CHAIN 48
#define MIN_MATCH 3
#define MAX_MATCH 258

/* Growable output with a sticky error flag (checked once at the end). */
typedef struct obuf {
    uint8_t *p;
    size_t len, cap;
    uint64_t acc;
    int nbits, err;
} obuf;

static void ob_byte(obuf *o, uint8_t b)
{
    if (o->err)
        return;
    if (o->len == o->cap) {
        size_t nc = o->cap ? o->cap * 2 : 1 << 16;
        uint8_t *np = realloc(o->p, nc);
        if (!np) {
            o->err = 1;
            return;
        }
        o->p = np;
        o->cap = nc;
    }
    o->p[o->len++] = b;
}

/* Deflate packs bits from the least significant end. */
static void ob_bits(obuf *o, uint32_t v, int n)
{
    o->acc |= (uint64_t)v << o->nbits;
    o->nbits += n;
    while (o->nbits >= 8) {
        ob_byte(o, (uint8_t)o->acc);
        o->acc >>= 8;
        o->nbits -= 8;
    }
}

/* Huffman codes go most significant bit first: reverse them. */
static void ob_code(obuf *o, uint32_t code, int len)
{
    uint32_t r = 0;
    for (int i = 0; i < len; i++)
        r |= ((code >> i) & 1u) << (len - 1 - i);
    ob_bits(o, r, len);
}

/* Fixed literal/length code (RFC 1951 3.2.6). */
static void put_sym(obuf *o, int s)
{
    if (s < 144) ob_code(o, 0x30 + s, 8);
    else if (s < 256) ob_code(o, 0x190 + (s - 144), 9);
    else if (s < 280) ob_code(o, s - 256, 7);
    else ob_code(o, 0xC0 + (s - 280), 8);
}

static void put_match(obuf *o, int len, int dist)
{
    /* length codes 257..284: 8 with no extra bits, then 4 per extra bit */
    if (len == MAX_MATCH) {
        put_sym(o, 285);
    } else {
        int base = 3, i = 0;
        for (;; i++) {
            int ex = i < 8 ? 0 : (i - 4) / 4;
            if (len < base + (1 << ex)) {
                put_sym(o, 257 + i);
                ob_bits(o, (uint32_t)(len - base), ex);
                break;
            }
            base += 1 << ex;
        }
    }
    /* distance codes 0..29: 4 with no extra bits, then 2 per extra bit */
    int base = 1;
    for (int d = 0;; d++) {
        int ex = d < 4 ? 0 : d / 2 - 1;
        if (dist < base + (1 << ex)) {
            ob_code(o, (uint32_t)d, 5);
            ob_bits(o, (uint32_t)(dist - base), ex);
            return;
        }
        base += 1 << ex;
    }
}

static uint32_t hash3(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16);
    return (v * 2654435761u) >> (32 - HBITS);
}

/* One final fixed-Huffman block over src[0..n), greedy LZ77. */
static int deflate_fixed(obuf *o, const uint8_t *src, size_t n)
{
    int32_t *head = malloc(sizeof(int32_t) << HBITS);
    int32_t *prev = malloc(sizeof(int32_t) * WSIZE);
    if (!head || !prev) {
        free(head);
        free(prev);
        return -1;
    }
    memset(head, 0xFF, sizeof(int32_t) << HBITS);
    ob_bits(o, 1, 1);          /* BFINAL */
    ob_bits(o, 1, 2);          /* BTYPE = fixed Huffman */
    size_t i = 0;
    while (i < n) {
        int best = 0, bdist = 0;
        if (i + MIN_MATCH <= n) {
            uint32_t h = hash3(src + i);
            int32_t c = head[h];
            size_t maxl = n - i < MAX_MATCH ? n - i : MAX_MATCH;
            for (int chain = 0; c >= 0 && i - (size_t)c <= WSIZE && chain < MAX_CHAIN; chain++) {
                size_t l = 0;
                while (l < maxl && src[c + l] == src[i + l])
                    l++;
                if ((int)l > best) {
                    best = (int)l;
                    bdist = (int)(i - (size_t)c);
                    if (l == maxl)
                        break;
                }
                int32_t nx = prev[c & (WSIZE - 1)];
                if (nx >= c)
                    break;
                c = nx;
            }
        }
        size_t adv = best >= MIN_MATCH ? (size_t)best : 1;
        if (best >= MIN_MATCH)
            put_match(o, best, bdist);
        else
            put_sym(o, src[i]);
        for (size_t k = 0; k < adv; k++, i++) {
            if (i + MIN_MATCH <= n) {
                uint32_t h = hash3(src + i);
                prev[i & (WSIZE - 1)] = head[h];
                head[h] = (int32_t)i;
            }
        }
    }
    put_sym(o, 256);           /* end of block */
    if (o->nbits)
        ob_bits(o, 0, 8 - o->nbits);
    free(head);
    free(prev);
    return 0;
}

static uint32_t adler32(const uint8_t *p, size_t n)
{
    uint32_t a = 1, b = 0;
    while (n) {
        size_t k = n < 5552 ? n : 5552;   /* largest run without overflow */
        n -= k;
        while (k--) {
            a += *p++;
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    return (b << 16) | a;
}

static uint32_t crc32_png(uint32_t crc, const uint8_t *p, size_t n)
{
    uint32_t tab[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        tab[i] = c;
    }
    crc = ~crc;
    while (n--)
        crc = tab[(crc ^ *p++) & 255] ^ (crc >> 8);
    return ~crc;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int write_chunk(FILE *f, const char *type, const uint8_t *data, size_t n)
{
    uint8_t hdr[8], tail[4];
    be32(hdr, (uint32_t)n);
    memcpy(hdr + 4, type, 4);
    uint32_t crc = crc32_png(crc32_png(0, hdr + 4, 4), data, n);
    be32(tail, crc);
    return fwrite(hdr, 1, 8, f) == 8 && (n == 0 || fwrite(data, 1, n, f) == n) &&
           fwrite(tail, 1, 4, f) == 4 ? 0 : -1;
}

/* zlib stream of the filtered image rows. */
static int zlib_image(obuf *z, const uint8_t *rgb, int w, int h)
{
    size_t stride = (size_t)w * 3, n = (size_t)h * (stride + 1);
    uint8_t *raw = malloc(n);
    if (!raw)
        return -1;
    for (int y = 0; y < h; y++) {
        raw[(size_t)y * (stride + 1)] = 0;   /* filter: none */
        memcpy(raw + (size_t)y * (stride + 1) + 1, rgb + (size_t)y * stride, stride);
    }
    ob_byte(z, 0x78);          /* deflate, 32 KiB window */
    ob_byte(z, 0x01);          /* (0x7801 % 31 == 0), fastest */
    int rc = deflate_fixed(z, raw, n);
    uint32_t ad = adler32(raw, n);
    for (int s = 24; s >= 0; s -= 8)
        ob_byte(z, (uint8_t)(ad >> s));
    free(raw);
    return rc != 0 || z->err ? -1 : 0;
}

int vw_png_write(const char *path, const uint8_t *rgb, int w, int h)
{
    static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
    uint8_t ihdr[13];
    obuf z = { 0 };
    if (w <= 0 || h <= 0 || zlib_image(&z, rgb, w, h) != 0) {
        free(z.p);
        return -1;
    }
    be32(ihdr, (uint32_t)w);
    be32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;               /* bits per sample */
    ihdr[9] = 2;               /* colour type: RGB */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;
    FILE *f = fopen(path, "wb");
    int rc = -1;
    if (f && fwrite(sig, 1, 8, f) == 8 && write_chunk(f, "IHDR", ihdr, 13) == 0 &&
        write_chunk(f, "IDAT", z.p, z.len) == 0 && write_chunk(f, "IEND", NULL, 0) == 0)
        rc = 0;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc != 0 && f)
        remove(path);
    free(z.p);
    return rc;
}
