/*
 * buf.c - growable byte buffer for diagnostics, explanations and JSON.
 *
 * Every text eligo produces (the CLI's output, a decision's JSON body, a
 * rendered diagnostic) is appended to a buf and written out once.  The
 * buffer doubles its capacity as needed and keeps a NUL after the last
 * byte, so buf_cstr() never copies.
 *
 * An allocation failure sets `failed` and turns every later append into a
 * no-op: writers append unconditionally and check once at the end, the
 * same way an arena reports failure.  buf_reset() keeps the memory, since
 * a worker formats every response into the same buffer.
 *
 * Not here: encoding checks.  buf_json_string() escapes what JSON requires
 * (quote, backslash, control characters) and passes every other byte,
 * UTF-8 included, through unchanged; the text it is given was validated
 * as UTF-8 when it was read.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_MIN_CAP 64

void buf_init(buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = 0;
}

void buf_free(buf *b)
{
    free(b->data);
    buf_init(b);
}

void buf_reset(buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

/* Makes room for n more bytes plus the NUL; 0 on success. */
static int buf_reserve(buf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (n >= SIZE_MAX - b->len) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : BUF_MIN_CAP;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (p == NULL) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void buf_add(buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) != 0)
        return;
    if (n != 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_add_slow(buf *b, const void *p, size_t n)
{
    buf_add(b, p, n);
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    /* one pass when it fits in the room left (the usual case), else a
     * second into a buffer grown to the length the first one reported */
    size_t room = b->failed || !b->data ? 0 : b->cap - b->len;
    int len = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (len < 0) {
        b->failed = 1;
    } else if ((size_t)len < room) {
        b->len += (size_t)len;
    } else if (buf_reserve(b, (size_t)len) == 0) {
        vsnprintf(b->data + b->len, (size_t)len + 1, fmt, ap2);
        b->len += (size_t)len;
    }
    va_end(ap2);
}

#define ONES 0x0101010101010101ULL

/* The prefix of s[0..n) without a control character, quote or
 * backslash, nor (when stop_high) a byte >= 0x80.  Each test is exact
 * per byte (no carry between bytes), so on a little-endian machine the
 * lowest marked byte is the first; elsewhere the word is looked at
 * again byte by byte. */
static inline size_t json_plain(const char *s, size_t n, int stop_high)
{
    size_t i = 0;
#ifdef __SSE2__
    /* 16 bytes a step where x86-64 always has them: labels and rules run
     * to a hundred bytes and more of UTF-8 */
    for (; i + 16 <= n; i += 16) {
        int m = buf_json_mask16(s + i, stop_high);
        if (m)
            return i + (size_t)__builtin_ctz((unsigned)m);
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t w, low7 = ONES * 0x7F, high = ONES * 0x80, q, bs;
        memcpy(&w, s + i, 8);
        q = w ^ ONES * '"';
        bs = w ^ ONES * '\\';
        uint64_t ctl = ~(((w & ONES * 0x60) + low7) | w);      /* high bit: byte < 0x20 */
        uint64_t eq = ~((((q & low7) + low7) | q) & (((bs & low7) + low7) | bs));
        uint64_t m = ((ctl | eq) & high) | (stop_high ? w & high : 0);
        if (m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return i + (size_t)(__builtin_ctzll(m) >> 3);
#else
            break;
#endif
        }
    }
    for (; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == '"' || ch == '\\' || (stop_high && ch >= 0x80))
            return i;
    }
    return n;
}

size_t buf_json_plain(const char *s, size_t n)
{
    return json_plain(s, n, 0);
}

size_t buf_json_ascii_call(const char *s, size_t n)
{
    return json_plain(s, n, 1);
}

/* Runs of bytes that need no escape are copied in one buf_add; the
 * first run (all of a name or a label, as a rule) is found a word at a
 * time. */
void buf_json_string(buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t start = 0;
    buf_addc(b, '"');
    for (size_t i = buf_json_plain(s, n); i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_add(b, s + start, i - start);
        start = i + 1;
        switch (c) {
        case '"':  buf_add(b, "\\\"", 2); break;
        case '\\': buf_add(b, "\\\\", 2); break;
        case '\b': buf_add(b, "\\b", 2); break;
        case '\f': buf_add(b, "\\f", 2); break;
        case '\n': buf_add(b, "\\n", 2); break;
        case '\r': buf_add(b, "\\r", 2); break;
        case '\t': buf_add(b, "\\t", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_add(b, u, sizeof u);
        }
        }
    }
    if (start < n)
        buf_add(b, s + start, n - start);
    buf_addc(b, '"');
}

/* Optional texts (a label, a citation's quote) are null in JSON when absent. */
void buf_json_cstr(buf *b, const char *s)
{
    if (s) buf_json_string(b, s, strlen(s));
    else buf_adds(b, "null");
}

const char *buf_cstr(buf *b)
{
    return b->data != NULL ? b->data : "";
}
