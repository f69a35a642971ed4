/*
 * json_in.h - request JSON to input records, with every problem listed.
 *
 * The input of a decision is a JSON object with one key, the name of the
 * policy's root entity: {"household": {"members": [...]}}.  json_in reads
 * it in one pass against the model when nothing is wrong (json_fast.h),
 * else through json_lex.h's tokens (which point into the text, so a
 * number's exact text is kept), and writes a record of cells in the
 * request arena, checking as it goes:
 *   - syntax (with the byte offset), duplicate keys, non-UTF-8 strings,
 *     nesting deeper than JSON_MAX_DEPTH, more than JSON_MAX_TOKENS tokens;
 *   - unknown fields, missing required fields, wrong types, values out of
 *     range, invalid dates, lists too short or too long.
 * Every problem is recorded (up to JSON_MAX_ERRORS) with its JSON Pointer
 * ("/household/members/0/age") and the same place written for people
 * ("household.members[0].age"), e.g.
 *   household.members[0].age: expected int 0..150, got "fifty"
 * Money and decimals are accepted as JSON strings or numbers, parsed from
 * their text (never through a double).  Enum values are their names.
 *
 * Ownership: the caller owns `text` and must keep it alive while the
 * record is used (text cells point into it); records, lists and messages
 * live in `pool`.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_JSON_IN_H
#define ELIGO_JSON_IN_H

#include <stddef.h>
#include "base/arena.h"
#include "eval/model.h"

#define JSON_MAX_DEPTH 32    /* containers open at once; the outermost is 1 */
#define JSON_MAX_TOKENS 65536
#define JSON_MAX_ERRORS 50

typedef enum json_status {
    JSON_OK = 0,
    JSON_E_SYNTAX,     /* malformed JSON: 400 with offset */
    JSON_E_LIMIT,      /* too deep, too many tokens: 413/400 */
    JSON_E_INVALID,    /* well-formed but does not fit the model: 422 */
    JSON_E_NOMEM
} json_status;

typedef struct json_problem {
    const char *pointer;   /* RFC 6901 JSON Pointer, e.g. "/household/members/0/age" */
    const char *path;      /* the same for people: "household.members[0].age" */
    const char *detail;    /* "expected int 0..150, got \"fifty\"" */
} json_problem;

typedef struct json_errors {
    json_problem items[JSON_MAX_ERRORS];
    size_t n;
    size_t offset;         /* byte offset of a syntax error */
    int truncated;         /* more problems than JSON_MAX_ERRORS */
} json_errors;

/* Parses the input object in text[0..len) for the root entity `root`
 * (whose name is the single expected key).  On success *out points to a
 * record of root->nfields cells; otherwise *out is NULL and errs holds
 * the problems (none for JSON_E_NOMEM).  `prefix` places them: a JSON
 * Pointer ("/input" from the API) prepended to pointers, and written for
 * people ("input.") before paths; a plain name ("input") works too; ""
 * from the CLI. */
json_status json_input_parse(const char *text, size_t len, const entity_def *root,
                             const char *prefix, arena *pool, ev_cell **out,
                             json_errors *errs);

/* json_input_parse() without its single pass (json_fast.h): tokens,
 * then the walk, which is how every problem is found.  For the tests
 * that hold the single pass to it. */
json_status json_input_parse_tokens(const char *text, size_t len, const entity_def *root,
                                    const char *prefix, arena *pool, ev_cell **out,
                                    json_errors *errs);

/* Only the strict JSON syntax and the limits of the tokenizer (no
 * model), with the problem recorded as json_input_parse() would. */
json_status json_syntax_check(const char *text, size_t len, arena *pool, json_errors *errs);

/* The members of a JSON object text, in order: each key as written
 * (without quotes, escapes not decoded) and its value's exact text.
 * For comparing documents eligo wrote itself (replay).  0, or -1 when
 * text is not a valid object.  The array lives in pool. */
typedef struct json_member {
    const char *key, *value;
    size_t key_len, value_len;
} json_member;
int json_members(const char *text, size_t len, arena *pool, json_member **out, size_t *n);
/* A member's value when it is a string, decoded into pool and
 * NUL-terminated.  0, or -1 when it is not a string or holds U+0000. */
int json_member_string(const json_member *m, arena *pool, const char **s, size_t *n);

/* Prints each problem as "path: detail" on its own line. */
#include <stdio.h>
void json_errors_print(const json_errors *errs, FILE *out);

#endif
