/*
 * json_lex.h - strict JSON text to a token array, in one pass.
 *
 * The readers of request JSON (json_in.c for the input object, json_req.c
 * for the envelope) and the proof checker (audit/proof.c) all start
 * here: json_lex() checks the whole text against RFC 8259's grammar,
 * its strings as well-formed UTF-8 (no lone surrogate, escaped or not,
 * no control character), and the caller's depth and token limits while it
 * writes one token per value and per key, in document order, into an
 * array taken from an arena.  Tokens point into the text; nothing is
 * copied or decoded, so a number's exact text is what the reader parses.
 *
 * Ownership: the token array lives in the arena; the caller keeps the
 * text alive while tokens are used.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_JSON_LEX_H
#define ELIGO_JSON_LEX_H

#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"
#include "io/json_in.h"

typedef enum json_type {
    JT_OBJECT, JT_ARRAY, JT_STRING, JT_NUMBER, JT_TRUE, JT_FALSE, JT_NULL
} json_type;

/* A number's `size`: what its text holds beyond an integer. */
enum { JSON_NUM_FRAC = 1, JSON_NUM_EXP = 2 };

typedef struct json_tok {
    uint32_t start;   /* first byte: a string's after its opening quote */
    uint32_t end;     /* one past the last: a string's closing quote, a
                         container's closing bracket included */
    uint32_t size;    /* object: members; array: elements; string: 1 when
                         it has escapes (else usable in place); number:
                         JSON_NUM_* flags; literals: 0 */
    uint32_t next;    /* index of the first token after this one and
                         everything inside it */
    uint8_t type;     /* json_type */
} json_tok;

typedef struct json_limits {
    uint32_t depth;   /* containers open at once; the outermost is 1 */
    uint32_t tokens;
} json_limits;

/* The request limits of json_in.h. */
extern const json_limits json_request_limits;

typedef struct json_lexed {
    json_tok *tok;
    uint32_t ntok;
    size_t at;        /* on failure: the byte offset of the problem */
    const char *what; /* on failure: "malformed JSON", "invalid number"...
                         (a limit is worded with json_in.h's numbers) */
} json_lexed;

/* Tokenizes text[0..len).  JSON_OK, or JSON_E_SYNTAX, JSON_E_LIMIT or
 * JSON_E_NOMEM with out->at and out->what set.  When the text breaks a
 * limit anywhere, the answer is JSON_E_LIMIT even if a syntax error comes
 * first, so that too deep or too long does not depend on the rest. */
json_status json_lex(const char *text, size_t len, const json_limits *lim, arena *pool,
                     json_lexed *out);

/* Checks the value at text[i] (a non-blank byte) as json_lex() would
 * read it inside `depth` open containers, adding its tokens to *ntok,
 * and returns the index just past it; 0 when json_lex() would refuse
 * anything in it (syntax, strings, a limit) or the text ends first.
 * Nothing is written but *ntok: for a reader that only needs to know
 * a value is right and where it ends (io/json_req.c's input). */
size_t json_check_value(const char *text, size_t len, size_t i, const json_limits *lim,
                        uint32_t depth, uint32_t *ntok);

/* json_lex() with the request limits, its problem recorded in errs as
 * json_input_parse() records it (with the byte offset); for readers of
 * other request documents (io/json_req.c).  Defined in json_in.c. */
json_status json_lex_request(const char *text, size_t len, arena *pool, json_errors *errs,
                             json_tok **tok, uint32_t *ntok);

/* True when s[0..n) is a JSON number; *flags gets its JSON_NUM_* bits. */
int json_number_scan(const char *s, size_t n, int *flags);

/* Length of the escape at s[i] == '\\' in a string ending before n
 * (2, 6 or 12 bytes, a surrogate pair whole), or 0 when it is not valid
 * or is half a surrogate pair: what the tokenizer accepts. */
size_t json_escape_len(const char *s, size_t i, size_t n);

/* Decodes the escapes of a string's text s[0..n) into out (room for n
 * bytes) and returns the decoded length.  An escape that is not valid
 * (only in text cut short by the caller) is copied as it stands. */
size_t json_unescape(const char *s, size_t n, char *out);

#endif
