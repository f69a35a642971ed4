/*
 * json_lex.c - the strict, iterative JSON tokenizer of json_lex.h.
 *
 * Why not a library: the readers need each number's exact text (money is
 * parsed from it, never through a double), tokens taken from the request
 * arena (no malloc per decision), the depth and token limits enforced
 * before the memory they would cost, and a few hundred nanoseconds per
 * request.  DOM parsers (jansson, json-c) allocate per value and jansson
 * keeps only doubles; the tokenizer eligo used before, jsmn, accepted
 * much that is not JSON ("[1 2]", "[1,]", "01", "tru", several top-level
 * values) and left escapes and UTF-8 to a second pass.  One pass here
 * does all of it, and the decimal and date parsers do the rest.
 *
 * How: a loop over the bytes with a state (`want`: what may come next)
 * and an explicit stack of the open containers' tokens, so hostile
 * nesting costs no C stack and at most lim->depth entries.  The token
 * array starts at a guess from the text's length and doubles in the
 * arena when it is full, up to lim->tokens: no pass over the text
 * before the real one (counting the bytes that open tokens, with
 * clearing the array, was some 6% of a request's instructions).
 *
 * Errors name the first offending byte, with the wording the API has
 * always used: "malformed JSON" for a byte that cannot be there (or a
 * string with an invalid escape, at its opening quote), "invalid number"
 * and "invalid literal" for a bare word (running to whitespace, ',', ']'
 * or '}') that is neither, "unexpected end of JSON" at the end of the
 * text, "trailing characters after JSON" for a second value.  On a
 * syntax error limits_scan() reads the whole text loosely to see whether
 * it is too deep or too long anyway, which then is the answer.
 *
 * json_check_value() runs the same string and word steps over one value
 * without writing tokens, only to say whether json_lex() would take it
 * and where it ends (the envelope reader's single pass, json_req.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "io/json_lex.h"
#include "base/buf.h"
#include "base/utf8.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define TOO_DEEP "nesting deeper than " STR(JSON_MAX_DEPTH) " levels"
#define TOO_MANY "more than " STR(JSON_MAX_TOKENS) " JSON tokens"
#define MALFORMED "malformed JSON"
#define THE_END "unexpected end of JSON"

const json_limits json_request_limits = { JSON_MAX_DEPTH, JSON_MAX_TOKENS };

/* For the steps every string token takes: inlined into the grammar's
 * loop they keep the lexer's state in registers (some 900 instructions
 * fewer per household request, callgrind). */
#define LEX_INLINE static inline __attribute__((always_inline))

/* What may come next. */
enum want {
    W_VALUE,            /* a value: at the top, after ':' or after ',' in an array */
    W_VALUE_OR_CLOSE,   /* after '[' */
    W_KEY,              /* after ',' in an object */
    W_KEY_OR_CLOSE,     /* after '{' */
    W_COLON,            /* after a key */
    W_NEXT              /* after a value: ',' or the close, or the end at the top */
};

typedef struct lexer {
    const char *s;
    size_t n, i;
    json_tok *tok;
    uint32_t ntok, cap;
    arena *pool;              /* where tok grows */
    uint32_t *open;           /* tokens of the open containers */
    uint32_t depth;
    const json_limits *lim;
    size_t at;
    const char *what;
} lexer;

static json_status fail(lexer *L, json_status st, size_t at, const char *what)
{
    L->at = at;
    L->what = what;
    return st;
}

static int is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Where a bare word (number or literal) ends. */
static int is_delim(char ch)
{
    return is_ws(ch) || ch == ',' || ch == ']' || ch == '}';
}

static int starts_word(char ch)
{
    return ch == '-' || (ch >= '0' && ch <= '9') || ch == 't' || ch == 'f' || ch == 'n';
}

/* Index of the first byte of s[i..n) that a string cannot hold without
 * a closer look (control characters, '\\', '"', and bytes >= 0x80), or
 * n: a short key or value is crossed in one step of 16 or 8 bytes, not
 * one byte at a time (buf.c). */
static size_t plain_run(const char *s, size_t i, size_t n)
{
    return i + buf_json_ascii(s + i, n - i);
}

/* ---- strings ---------------------------------------------------------- */

static int hex4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char ch = s[i];
        int d = ch >= '0' && ch <= '9' ? ch - '0'
              : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
              : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
        if (d < 0)
            return 0;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 1;
}

/* Reads the escape at s[i] == '\\' (s ends at n); returns its length and
 * the code point, or 0 when the escape is invalid or a lone surrogate. */
static size_t escape_read(const char *s, size_t i, size_t n, uint32_t *cp)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    if (i + 1 >= n)
        return 0;
    const char *k = strchr(from, s[i + 1]);
    if (k && s[i + 1]) {
        *cp = (unsigned char)to[k - from];
        return 2;
    }
    uint32_t hi, lo;
    if (s[i + 1] != 'u' || i + 6 > n || !hex4(s + i + 2, &hi))
        return 0;
    if (hi < 0xD800 || hi > 0xDFFF) {
        *cp = hi;
        return 6;
    }
    if (hi > 0xDBFF || i + 12 > n || s[i + 6] != '\\' || s[i + 7] != 'u' ||
        !hex4(s + i + 8, &lo) || lo < 0xDC00 || lo > 0xDFFF)
        return 0;
    *cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
    return 12;
}

/* Checks the escape at s[i] == '\\' of the string opened at q and
 * returns its length, or 0 after fail(): an escape cut by the end of the
 * text is the end, a wrong letter or hex digit is malformed (at the
 * quote), a well-formed \u that is half a surrogate pair is named. */
static size_t lex_escape(lexer *L, size_t q, size_t i)
{
    const char *s = L->s;
    uint32_t cp;
    size_t k = escape_read(s, i, L->n, &cp);
    if (k)
        return k;
    if (i + 1 >= L->n || (s[i + 1] == 'u' && i + 6 > L->n))
        fail(L, JSON_E_SYNTAX, L->n, THE_END);
    else if (s[i + 1] != 'u' || !hex4(s + i + 2, &cp))
        fail(L, JSON_E_SYNTAX, q, MALFORMED);
    else
        fail(L, JSON_E_SYNTAX, i, "invalid escape or lone surrogate in string");
    return 0;
}

/* Scans the string whose quote is at L->i; L->i ends past the closing
 * quote.  *escaped says whether it has escapes. */
LEX_INLINE json_status lex_string(lexer *L, uint32_t *escaped)
{
    const char *s = L->s;
    size_t q = L->i, i = q + 1, n = L->n;
    *escaped = 0;
    for (;;) {
        i = plain_run(s, i, n);
        if (i >= n)
            return fail(L, JSON_E_SYNTAX, n, THE_END);
        unsigned char b = (unsigned char)s[i];
        size_t k = 1;
        unsigned cp;
        if (b == '"') {
            L->i = i + 1;
            return JSON_OK;
        }
        if (b == '\\') {
            *escaped = 1;
            if (!(k = lex_escape(L, q, i)))
                return JSON_E_SYNTAX;
        } else if (b < 0x20) {
            return fail(L, JSON_E_SYNTAX, i, "control character in string");
        } else if (b >= 0x80 && !(k = utf8_decode((const unsigned char *)s + i, n - i, &cp))) {
            return fail(L, JSON_E_SYNTAX, i, "invalid UTF-8 in string");
        }
        i += k;
    }
}

/* ---- numbers and literals --------------------------------------------- */

static size_t digits(const char *s, size_t i, size_t n)
{
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

int json_number_scan(const char *s, size_t n, int *flags)
{
    size_t i = 0, j;
    *flags = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if ((j = digits(s, i, n)) > i)
        i = j;
    else
        return 0;
    if (i < n && s[i] == '.') {
        if ((j = digits(s, i + 1, n)) == i + 1)
            return 0;
        i = j;
        *flags |= JSON_NUM_FRAC;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if ((j = digits(s, i, n)) == i)
            return 0;
        i = j;
        *flags |= JSON_NUM_EXP;
    }
    return i == n;
}

static int is_literal(const char *s, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* JT_TRUE, JT_FALSE or JT_NULL for s[0..n), else -1. */
static int literal_type(const char *s, size_t n)
{
    return is_literal(s, n, "true") ? JT_TRUE : is_literal(s, n, "false") ? JT_FALSE
         : is_literal(s, n, "null") ? JT_NULL : -1;
}

/* Reads the bare word at L->i into t (type and size): a number or true,
 * false, null.  A word runs to a delimiter, so "1:2" and "truex" are one
 * wrong word; a byte outside printable ASCII in it is malformed. */
static json_status lex_word(lexer *L, json_tok *t)
{
    const char *s = L->s;
    size_t a = L->i, b = a;
    int flags;
    for (; b < L->n && !is_delim(s[b]); b++)
        if ((unsigned char)s[b] < 0x20 || (unsigned char)s[b] >= 0x7f)
            return fail(L, JSON_E_SYNTAX, a, MALFORMED);
    if (b == L->n && L->depth > 0)
        return fail(L, JSON_E_SYNTAX, L->n, THE_END);
    t->end = (uint32_t)b;
    L->i = b;
    if (s[a] == 't' || s[a] == 'f' || s[a] == 'n') {
        int type = literal_type(s + a, b - a);
        if (type < 0)
            return fail(L, JSON_E_SYNTAX, a, "invalid literal");
        t->type = (uint8_t)type;
        return JSON_OK;
    }
    if (!json_number_scan(s + a, b - a, &flags))
        return fail(L, JSON_E_SYNTAX, a, "invalid number");
    t->type = JT_NUMBER;
    t->size = (uint32_t)flags;
    return JSON_OK;
}

/* ---- the grammar ------------------------------------------------------ */

/* Doubles the token array (up to the limit) in the arena: the old array
 * is left there unused, at most as many bytes as the new one. */
static int grow(lexer *L)
{
    uint32_t cap = L->cap > L->lim->tokens / 2 ? L->lim->tokens : L->cap * 2;
    json_tok *t = arena_alloc_dirty(L->pool, cap * sizeof *t);
    if (!t)
        return 0;
    memcpy(t, L->tok, L->ntok * sizeof *t);
    L->tok = t;
    L->cap = cap;
    return 1;
}

/* A new token at L->i, counted in its container, or NULL after fail(). */
LEX_INLINE json_tok *emit(lexer *L)
{
    if (L->ntok == L->cap && (L->cap >= L->lim->tokens || !grow(L))) {
        if (L->cap >= L->lim->tokens)
            fail(L, JSON_E_LIMIT, L->i, TOO_MANY);
        else
            fail(L, JSON_E_NOMEM, 0, "out of memory");
        return NULL;
    }
    json_tok *t = &L->tok[L->ntok++];
    *t = (json_tok){ .start = (uint32_t)L->i, .next = L->ntok };
    return t;
}

/* Why emit() gave no token. */
static json_status no_token(const lexer *L)
{
    return L->cap >= L->lim->tokens ? JSON_E_LIMIT : JSON_E_NOMEM;
}

static json_status lex_open(lexer *L, json_type type, int *want)
{
    if (L->depth == L->lim->depth)
        return fail(L, JSON_E_LIMIT, L->i, TOO_DEEP);
    json_tok *t = emit(L);
    if (!t)
        return no_token(L);
    t->type = (uint8_t)type;
    L->open[L->depth++] = L->ntok - 1;
    L->i++;
    *want = type == JT_OBJECT ? W_KEY_OR_CLOSE : W_VALUE_OR_CLOSE;
    return JSON_OK;
}

/* The close of the innermost container at L->i. */
static void lex_close(lexer *L)
{
    json_tok *t = &L->tok[L->open[--L->depth]];
    t->end = (uint32_t)L->i + 1;
    t->next = L->ntok;
    L->i++;
}

/* A string token (a key or a value) at L->i. */
LEX_INLINE json_status lex_string_tok(lexer *L)
{
    json_tok *t = emit(L);
    if (!t)
        return no_token(L);
    t->type = JT_STRING;
    t->start++;
    json_status st = lex_string(L, &t->size);
    t->end = (uint32_t)L->i - 1;
    return st;
}

static json_status lex_value(lexer *L, char ch, int *want)
{
    if (L->depth > 0)
        L->tok[L->open[L->depth - 1]].size++;
    *want = W_NEXT;
    if (ch == '{')
        return lex_open(L, JT_OBJECT, want);
    if (ch == '[')
        return lex_open(L, JT_ARRAY, want);
    if (ch == '"')
        return lex_string_tok(L);
    if (!starts_word(ch))
        return fail(L, JSON_E_SYNTAX, L->i, MALFORMED);
    json_tok *t = emit(L);
    return t ? lex_word(L, t) : no_token(L);
}

/* After the top-level value: a byte that could start JSON is a second
 * value; anything else cannot be JSON at all. */
static json_status lex_after(lexer *L, char ch)
{
    if (starts_word(ch) || strchr("{[\",:", ch))
        return fail(L, JSON_E_SYNTAX, L->i, "trailing characters after JSON");
    return fail(L, JSON_E_SYNTAX, L->i, MALFORMED);
}

/* ',' or the close after a value inside a container. */
static json_status lex_next(lexer *L, char ch, int *want)
{
    int in_obj = L->tok[L->open[L->depth - 1]].type == JT_OBJECT;
    if (ch == ',') {
        L->i++;
        *want = in_obj ? W_KEY : W_VALUE;
        return JSON_OK;
    }
    if (ch != (in_obj ? '}' : ']'))
        return fail(L, JSON_E_SYNTAX, L->i, MALFORMED);
    lex_close(L);
    return JSON_OK;
}

/* One step of the grammar at the non-blank byte ch == s[L->i]. */
static json_status lex_step(lexer *L, char ch, int *want)
{
    switch (*want) {
    case W_VALUE_OR_CLOSE:
        if (ch == ']') {
            lex_close(L);
            *want = W_NEXT;
            return JSON_OK;
        }
        /* fall through */
    case W_VALUE:
        return lex_value(L, ch, want);
    case W_KEY_OR_CLOSE:
        if (ch == '}') {
            lex_close(L);
            *want = W_NEXT;
            return JSON_OK;
        }
        /* fall through */
    case W_KEY:
        *want = W_COLON;
        return ch == '"' ? lex_string_tok(L) : fail(L, JSON_E_SYNTAX, L->i, MALFORMED);
    case W_COLON:
        if (ch != ':')
            return fail(L, JSON_E_SYNTAX, L->i, MALFORMED);
        L->i++;
        *want = W_VALUE;
        return JSON_OK;
    default:
        return L->depth == 0 ? lex_after(L, ch) : lex_next(L, ch, want);
    }
}

static json_status lex_run(lexer *L)
{
    int want = W_VALUE;
    json_status st = JSON_OK;
    while (st == JSON_OK) {
        while (L->i < L->n && is_ws(L->s[L->i]))
            L->i++;
        if (L->i == L->n)
            return want == W_NEXT && L->depth == 0 ? JSON_OK
                                                   : fail(L, JSON_E_SYNTAX, L->n, THE_END);
        st = lex_step(L, L->s[L->i], &want);
    }
    return st;
}

/* ---- checking without tokens ----------------------------------------- */

/* ',' or the close after a value inside a container, when the container
 * at the top is an object (obj) or not; 0 on anything else. */
LEX_INLINE int check_next(lexer *L, int obj, int *want)
{
    char ch = L->s[L->i];
    if (ch == ',') {
        L->i++;
        *want = obj ? W_KEY : W_VALUE;
        return 1;
    }
    if (ch != (obj ? '}' : ']'))
        return 0;
    L->depth--;
    L->i++;
    *want = W_NEXT;
    return 1;
}

/* One step of json_check_value's grammar at the non-blank byte L->s[L->i];
 * *obj holds a bit per open container (1: an object), the innermost at
 * bit L->depth - 1.  0 on anything json_lex() would refuse. */
static int check_step(lexer *L, uint64_t *obj, uint32_t *ntok, int *want)
{
    char ch = L->s[L->i];
    json_tok t;
    uint32_t escaped;
    switch (*want) {
    case W_VALUE_OR_CLOSE:
    case W_KEY_OR_CLOSE:
        if (ch == (*want == W_KEY_OR_CLOSE ? '}' : ']')) {
            L->depth--;
            L->i++;
            *want = W_NEXT;
            return 1;
        }
        if (*want == W_KEY_OR_CLOSE)
            goto key;
        /* fall through */
    case W_VALUE:
        if (++*ntok > L->lim->tokens)
            return 0;
        if (ch == '{' || ch == '[') {
            if (L->depth == L->lim->depth)
                return 0;
            *obj = (*obj & ~(1ull << L->depth)) | (uint64_t)(ch == '{') << L->depth;
            L->depth++;
            L->i++;
            *want = ch == '{' ? W_KEY_OR_CLOSE : W_VALUE_OR_CLOSE;
            return 1;
        }
        *want = W_NEXT;
        if (ch == '"')
            return lex_string(L, &escaped) == JSON_OK;
        return starts_word(ch) && lex_word(L, &t) == JSON_OK;
    case W_KEY:
    key:
        /* the key and its ':' in one step */
        *want = W_VALUE;
        if (ch != '"' || ++*ntok > L->lim->tokens || lex_string(L, &escaped) != JSON_OK)
            return 0;
        while (L->i < L->n && is_ws(L->s[L->i]))
            L->i++;
        return L->i < L->n && L->s[L->i] == ':' && ++L->i;
    default:
        return L->depth > 0 && check_next(L, *obj >> (L->depth - 1) & 1, want);
    }
}

size_t json_check_value(const char *text, size_t len, size_t i, const json_limits *lim,
                        uint32_t depth, uint32_t *ntok)
{
    lexer L = { .s = text, .n = len, .i = i, .depth = depth, .lim = lim };
    uint64_t obj = 0;
    int want = W_VALUE;
    if (lim->depth > 64 || depth > lim->depth)
        return 0;
    do {
        while (L.i < L.n && is_ws(L.s[L.i]))
            L.i++;
        if (L.i == L.n || !check_step(&L, &obj, ntok, &want))
            return 0;
        if (want != W_NEXT || L.depth == depth)
            continue;
        /* a value inside: its ',' or close in the same turn */
        while (L.i < L.n && is_ws(L.s[L.i]))
            L.i++;
        if (L.i == L.n || !check_next(&L, obj >> (L.depth - 1) & 1, &want))
            return 0;
    } while (L.depth > depth || want != W_NEXT);
    return L.i;
}

/* ---- limits ----------------------------------------------------------- */

/* Index just past the string opening at s[i] == '"', skipping escaped
 * bytes. */
static size_t skip_string(const char *s, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (s[i] == '"')
            return i + 1;
        if (s[i] == '\\')
            i++;
    }
    return n;
}

/* Reads the text loosely, as the tokenizer would if it checked nothing
 * (strings skipped by their escapes, words running to a delimiter, other
 * bytes ignored), and fails with JSON_E_LIMIT at the first container
 * opened past lim->depth or the token past lim->tokens.  Up to the
 * first syntax error both read alike, so the offset is the one the
 * tokenizer would have given. */
static json_status limits_scan(lexer *L)
{
    const char *s = L->s;
    size_t n = L->n, i = 0, count = 0, depth = 0;
    while (i < n) {
        char ch = s[i];
        size_t at = i;
        if (ch == '{' || ch == '[') {
            if (++depth > L->lim->depth)
                return fail(L, JSON_E_LIMIT, at, TOO_DEEP);
            count++;
            i++;
        } else if (ch == '}' || ch == ']') {
            depth -= depth > 0;
            i++;
        } else if (ch == '"') {
            count++;
            i = skip_string(s, n, i);
        } else if (starts_word(ch)) {
            count++;
            while (i < n && !is_delim(s[i]))
                i++;
        } else {
            i++;
        }
        if (count > L->lim->tokens)
            return fail(L, JSON_E_LIMIT, at, TOO_MANY);
    }
    return JSON_OK;
}

json_status json_lex(const char *text, size_t len, const json_limits *lim, arena *pool,
                     json_lexed *out)
{
    lexer L = { .s = text, .n = len, .lim = lim, .pool = pool };
    json_status st;
    const char *nul;
    if (len > UINT32_MAX / 2)
        st = fail(&L, JSON_E_LIMIT, 0, "input larger than 2 GiB");
    else if ((nul = memchr(text, '\0', len)))
        st = fail(&L, JSON_E_SYNTAX, (size_t)(nul - text), "NUL byte");
    else {
        size_t guess = len / 4 + 16;      /* a request's tokens take 4-5 bytes each */
        L.cap = guess < lim->tokens ? (uint32_t)guess : lim->tokens;
        L.tok = arena_alloc_dirty(pool, L.cap * sizeof *L.tok);   /* emit() writes each whole */
        L.open = arena_alloc(pool, (lim->depth ? lim->depth : 1) * sizeof *L.open);
        st = L.tok && L.open ? lex_run(&L) : fail(&L, JSON_E_NOMEM, 0, "out of memory");
    }
    if (st == JSON_E_SYNTAX) {
        lexer keep = L;
        if (limits_scan(&L) == JSON_OK)
            L = keep;
        else
            st = JSON_E_LIMIT;
    }
    *out = (json_lexed){ L.tok, L.ntok, L.at, L.what };
    return st;
}

size_t json_escape_len(const char *s, size_t i, size_t n)
{
    uint32_t cp;
    return escape_read(s, i, n, &cp);
}

size_t json_unescape(const char *s, size_t n, char *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        uint32_t cp;
        size_t k;
        if (s[i] != '\\') {
            out[o++] = s[i++];
            continue;
        }
        k = escape_read(s, i, n, &cp);
        if (!k) {
            out[o++] = s[i++];
            continue;
        }
        i += k;
        o += utf8_encode(cp, out + o);
    }
    return o;
}
