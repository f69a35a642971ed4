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
 * tokenizer crosses without looking closer (UTF-8 it checks itself). */
size_t buf_json_ascii(const char *s, size_t n);
/* A NUL-terminated string as a JSON string literal, or null when s is NULL. */
void buf_json_cstr(buf *b, const char *s);
/* Returns data NUL-terminated ("" when empty). */
const char *buf_cstr(buf *b);

#endif
