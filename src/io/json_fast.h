/*
 * json_fast.h - the request reader's single pass, for input with no
 * problem at all, and the checks it shares with the two-pass reader.
 *
 * json_input_parse() (json_in.c) first tries json_input_fast(): one walk
 * over the text against the entity model that checks the JSON grammar,
 * strings and limits as it fills the record, with no token array and no
 * second read of any byte.  It gives up at the first thing that is not
 * plainly right (a syntax error, a limit, an unknown or duplicate key, a
 * wrong type, a missing field, a key with escapes, a map larger than a
 * pairwise check covers), and json_in.c then reads the text the old way,
 * tokens first, which words every problem with its place and offset.  So
 * an answer for valid input comes from one pass, and every error is
 * exactly what the two-pass reader has always said.
 *
 * The inlines below are the value checks both readers apply, kept here
 * so that the two cannot drift apart on what they accept.
 *
 * Ownership: as json_input_parse(): cells and decoded strings live in
 * pool; text cells point into text.  On a give-up, what the pass took
 * from pool is left there unused (at most about the record's size).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_JSON_FAST_H
#define ELIGO_JSON_FAST_H

#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"
#include "eval/model.h"

/* 1 with *out set when text[0..len) is the input object of `root`,
 * valid JSON within the request limits, with every field right; 0 when
 * anything is off or out of memory (the caller reads it again to say
 * what). */
int json_input_fast(const char *text, size_t len, const entity_def *root, arena *pool,
                    ev_cell **out);

/* True when v is within f's bounds (no f: no bounds). */
static inline int json_in_bounds(const field_def *f, int64_t v)
{
    return !f || ((!f->has_min || v >= f->min) && (!f->has_max || v <= f->max));
}

/* The value of a JSON integer text; 0 when it does not fit in int64. */
static inline int json_parse_i64(const char *s, size_t n, int64_t *out)
{
    int neg = s[0] == '-';
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (size_t i = (size_t)neg; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (lim - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = !neg ? (int64_t)v : v > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)v;
    return 1;
}

/* Code points of the UTF-8 text s[0..n): a text field's length. */
static inline size_t json_code_points(const char *s, size_t n)
{
    size_t cp = 0;
    for (size_t i = 0; i < n; i++)
        cp += ((unsigned char)s[i] & 0xC0) != 0x80;
    return cp;
}

#endif
