/*
 * utf8.h - the one UTF-8 decoder, encoder and display-width table.
 *
 * Policies are full of Chinese text, so the lexer (validation and string
 * escapes), the line map (columns in code points), the diagnostic printer
 * and the formatter (carets and table columns aligned by display width)
 * and the JSON reader (strings) all need the same rules: well-formed
 * sequences only (no overlongs, no surrogates, nothing past U+10FFFF),
 * and East Asian wide characters two terminal cells wide.
 *
 * Ownership: plain functions over the caller's bytes.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_UTF8_H
#define ELIGO_UTF8_H

#include <stddef.h>

/* Length of the well-formed sequence at s[0..n) and its code point in
 * *cp, or 0 when the byte does not start one. */
size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp);
/* Writes cp (<= U+10FFFF, not a surrogate) to out; returns 1..4. */
size_t utf8_encode(unsigned cp, char *out);
/* Terminal cells of a code point: 2 for East Asian wide ones, else 1. */
int utf8_cp_width(unsigned cp);
/* Cells of a UTF-8 text; an invalid byte counts one. */
size_t utf8_display_width(const char *s, size_t n);

#endif
