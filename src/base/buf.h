/*
 * buf.h - growable byte buffer for text and JSON output.
 *
 * Ownership: a buf owns its bytes (malloc); buf_free releases them.
 * After a failed growth buf->failed is set and further appends are ignored,
 * so writers check once at the end.  buf_reset keeps the capacity: the
 * daemon reuses one buffer per worker for every response.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_BUF_H
#define ELIGO_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef struct buf {
    char *data;     /* NUL-terminated when len < cap */
    size_t len;
    size_t cap;
    int failed;
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_reset(buf *b);
void buf_add(buf *b, const void *p, size_t n);
void buf_add_slow(buf *b, const void *p, size_t n);

/* Inline so that a literal's length is known when compiling, and bytes
 * that fit are stored without a call: these write most of every JSON
 * answer (buf_addn its pre-escaped fixed parts, io/json_fixed.h). */
static inline void buf_addn(buf *b, const char *s, size_t n)
{
    if (!b->failed && n < b->cap - b->len) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
    } else {
        buf_add_slow(b, s, n);
    }
}

static inline void buf_adds(buf *b, const char *s)
{
    buf_addn(b, s, strlen(s));
}

static inline void buf_addc(buf *b, char c)
{
    if (!b->failed && b->len + 2 <= b->cap) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
    } else {
        buf_add_slow(b, &c, 1);
    }
}
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal, quotes included; control characters escaped. */
void buf_json_string(buf *b, const char *s, size_t n);
/* Length of the longest prefix of s[0..n) that a JSON string holds as it
 * stands (no control character, quote or backslash), 8 bytes a step. */
size_t buf_json_plain(const char *s, size_t n);
/* The same prefix ending also at the first byte >= 0x80: what the JSON
 * tokenizer crosses without looking closer (UTF-8 it checks itself).
 * Its first 16 bytes are looked at inline: most keys and values of a
 * request end there, and the call cost as much as the look. */
size_t buf_json_ascii_call(const char *s, size_t n);
#ifdef __SSE2__
/* Bit k set when s[k] (of 16) is a control character, quote or
 * backslash, or (when high) a byte >= 0x80. */
static inline int buf_json_mask16(const char *s, int high)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i bad = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
        _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v));          /* v <= 0x1F */
    return _mm_movemask_epi8(bad) | (high ? _mm_movemask_epi8(v) : 0);
}
#endif
static inline size_t buf_json_ascii(const char *s, size_t n)
{
#ifdef __SSE2__
    if (n >= 16) {
        int m = buf_json_mask16(s, 1);
        return m ? (size_t)__builtin_ctz((unsigned)m) : 16 + buf_json_ascii_call(s + 16, n - 16);
    }
#endif
    return buf_json_ascii_call(s, n);
}
/* A NUL-terminated string as a JSON string literal, or null when s is NULL. */
void buf_json_cstr(buf *b, const char *s);
/* Returns data NUL-terminated ("" when empty). */
const char *buf_cstr(buf *b);

#endif
