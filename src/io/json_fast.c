/*
 * json_fast.c - request JSON to an input record in one pass, for input
 * with no problem (json_fast.h says how it fits beside json_in.c).
 *
 * Why: the two-pass reader writes a token per key and value and then
 * reads every token again against the model; for a household of a few
 * members that was some 14,000 instructions, half of them the tokens.
 * Here the model leads: at each point the walk knows what it wants (a
 * record's '{', a key, an int's digits), checks the bytes against the
 * JSON grammar exactly as json_lex.c does (strings through the same
 * 16-byte plain scan, escapes, UTF-8 and control characters; bare words
 * running to a delimiter), counts depth against the request limits,
 * and writes the cells.  Tokens are counted a container at a time (a
 * record's keys and values when it closes, a list's elements, a map's
 * pairs), and held to the limit once at the end: a text that breaks it
 * is given up whole, as anything else.
 *
 * The place in the text is passed to each reader and returned by it
 * (NULL when it gives up), so it stays in a register across the calls
 * of a record's members instead of being stored and loaded again.
 *
 * Accepting is the whole contract: a text read here must be one the
 * two-pass reader accepts with the same cells, and nothing more.  So
 * every byte of the text is read (a valid input has no value the walk
 * skips), every value passes the same checks as json_in.c's read_*
 * (the shared ones in json_fast.h), and anything else returns 0 at once
 * rather than being judged: the caller's second reading finds and words
 * the problem, with the limits' rule that too deep or too long wins over
 * an earlier syntax error.
 *
 * A list's records guess each key from the bytes of the same key of
 * the record before (key_order): a household's members are written by
 * the same code, keys in the same order, and a guess that holds skips
 * the key's string scan and its lookup, and the ',' and ':' around it.
 *
 * What a compiled model carries for this reader (model.h) shortens the
 * common case: a record starts as a copy of its entity's defaults, so
 * the fields left out cost nothing; an enum's names are 8-byte words,
 * so a short plain name is one masked compare a value.  Entities and
 * enums built by hand, without them, take the longer ways.
 *
 * Lists and maps do not announce their length, so their cells grow in
 * the arena (doubling from LIST_FIRST elements, the old array left
 * there); their bounds are checked at the close.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "io/json_fast.h"
#include "io/json_in.h"
#include "io/json_lex.h"
#include "base/buf.h"
#include "base/utf8.h"
#include "eval/date.h"
#include "eval/decimal.h"

#define KEY_CAP 256        /* json_in.c: a longer key matches no field */
#define MAP_PAIRWISE 32    /* larger maps are left to json_in.c's sort */
#define LIST_FIRST 8       /* elements a list's cells start with */
#define KEY_ORDER 16       /* keys of a list's record kept as guesses */

/* The steps of every key and value: inlined, they cost no call. */
#define FAST_INLINE static inline __attribute__((always_inline))
/* The general ways, for what the inlined steps do not take: out of line,
 * so that they do not crowd the registers of the member loop. */
#define FAST_RARE static __attribute__((noinline))

typedef struct fast {
    const char *start, *end;  /* the text's first byte, one past its last */
    arena *pool;
    uint32_t depth;           /* as json_lex.c counts it */
    size_t ntok;              /* tokens json_lex.c would write so far */
} fast;

FAST_INLINE int is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

FAST_INLINE int is_delim(char ch)
{
    return is_ws(ch) || ch == ',' || ch == ']' || ch == '}';
}

FAST_INLINE int is_digit(char ch)
{
    return (unsigned char)(ch - '0') <= 9;
}

/* The next non-blank byte (*pp left on it), or -1 at the end.  Most
 * calls stand on a byte above ' ' (compact JSON), which one compare
 * tells. */
FAST_INLINE int peek(const char **pp, const char *end)
{
    const char *p = *pp;
    if (p < end && (unsigned char)*p > ' ')
        return (unsigned char)*p;
    while (p < end && is_ws(*p))
        p++;
    *pp = p;
    return p < end ? (unsigned char)*p : -1;
}

/* Past the byte ch when it is next; NULL when it is not. */
FAST_INLINE const char *take(const char *p, const char *end, int ch)
{
    return peek(&p, end) == ch ? p + 1 : NULL;
}

/* Past the container opening ch ('{' or '['), within the depth limit. */
FAST_INLINE const char *open_container(fast *F, const char *p, int ch)
{
    p = take(p, F->end, ch);
    return p && ++F->depth <= JSON_MAX_DEPTH ? p : NULL;
}

/* The string whose quote is at p, as json_lex.c's lex_string reads it:
 * *s and *n its text between the quotes, *esc whether it has escapes;
 * returns the place past its closing quote, NULL when it is not a
 * well-formed string. */
FAST_INLINE const char *scan_string(const char *p, const char *end, const char **s, size_t *n,
                                  int *esc)
{
    size_t i = 1, len = (size_t)(end - p);
    *esc = 0;
    for (;;) {
        i += buf_json_ascii(p + i, len - i);
        if (i >= len)
            return NULL;
        unsigned char b = (unsigned char)p[i];
        size_t k = 1;
        unsigned cp;
        if (b == '"')
            break;
        if (b == '\\') {
            *esc = 1;
            k = json_escape_len(p, i, len);
        } else if (b < 0x20) {
            return NULL;
        } else if (b >= 0x80) {
            k = utf8_decode((const unsigned char *)p + i, len - i, &cp);
        }
        if (!k)
            return NULL;
        i += k;
    }
    *s = p + 1;
    *n = i - 1;
    return p + i + 1;
}

/* A string of at most 15 bytes of printable ASCII, no quote or
 * backslash (an id, an enum's name, most keys), whose quote is at p:
 * one look at the 16 bytes after it.  Within 16 bytes of the text's end
 * (a request's last value) the look is at the text's last 16 bytes,
 * with the bits of the bytes up to the quote shifted out: the end then
 * stops the string as an unflagged byte would not, so a string the end
 * cuts is no such string.  Its length to *n and the place past its
 * close; NULL when it is not such a string or the text is shorter than
 * 16 bytes (scan_string() then reads it). */
FAST_INLINE const char *plain_string(const char *p, const char *start, const char *end,
                                     size_t *n)
{
#ifdef __SSE2__
    unsigned m;
    if (end - p > 16)
        m = (unsigned)buf_json_mask16(p + 1, 1);
    else if (end - start >= 16)
        m = (unsigned)buf_json_mask16(end - 16, 1) >> (17 - (end - p));
    else
        return NULL;
    if (m) {
        size_t k = (size_t)__builtin_ctz(m);
        if (p[1 + k] == '"') {
            *n = k;
            return p + k + 2;
        }
    }
#else
    (void)p; (void)start; (void)end; (void)n;
#endif
    return NULL;
}

/* A string value whose quote is at p: in place, or decoded into the
 * arena when it has escapes (as json_in.c's tok_string). */
FAST_RARE const char *read_string(fast *F, const char *p, const char **s, size_t *n)
{
    int esc;
    if (!(p = scan_string(p, F->end, s, n, &esc)) || !esc)
        return p;
    char *dec = arena_alloc(F->pool, *n + 1);
    if (!dec)
        return NULL;
    *n = json_unescape(*s, *n, dec);
    *s = dec;
    return p;
}

/* The bare word at p (a number or a literal) to its delimiter, as
 * json_lex.c's lex_word reads it; NULL when a byte in it is not
 * printable ASCII or it runs to the end (the input object is open
 * there). */
FAST_RARE const char *scan_word(const char *p, const char *end, const char **s, size_t *n)
{
    size_t b = 0, len = (size_t)(end - p);
    for (; b < len && !is_delim(p[b]); b++)
        if ((unsigned char)p[b] < 0x20 || (unsigned char)p[b] >= 0x7f)
            return NULL;
    if (b == len)
        return NULL;
    *s = p;
    *n = b;
    return p + b;
}

/* ---- scalars: json_in.c's read_* for the accepted case --------------- */

FAST_RARE const char *read_bool(const char *p, const char *end, ev_cell *out)
{
    const char *s;
    size_t n;
    if (!(p = scan_word(p, end, &s, &n)))
        return NULL;
    if (n == 4 && !memcmp(s, "true", 4))
        out->i = 1;
    else if (n == 5 && !memcmp(s, "false", 5))
        out->i = 0;
    else
        return NULL;
    return p;
}

/* The digits that start the 8 bytes at s: their count, and when it is
 * below 8 their value to *v, all in one word (most numbers of a
 * request, ages and amounts, have fewer than 8 digits each side of the
 * point).  Each byte less '0' is a digit when it is at most 9: adding
 * 0x76 sets its top bit otherwise (a carry out of a byte changes only
 * the bytes after the first that is not a digit, which do not count).
 * The digits are moved to the top of the word, under zeros that count
 * as leading zeros, and joined two, four and (over four digits) eight
 * at a time.  8 (and *v not set) when all 8 are digits or the machine
 * is big-endian. */
FAST_INLINE unsigned lead_digits(const char *s, uint64_t *v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t d;
    memcpy(&d, s, 8);
    d ^= 0x3030303030303030u;
    uint64_t other = ((d + 0x7676767676767676u) | d) & 0x8080808080808080u;
    if (!other)
        return 8;
    unsigned c = (unsigned)__builtin_ctzll(other) / 8;
    if (c && c <= 4) {
        uint32_t e = (uint32_t)d << (32 - 8 * c);
        e = (e * 10 + (e >> 8)) & 0x00FF00FFu;
        *v = (e * 100 + (e >> 16)) & 0xFFFFu;
    } else if (c) {
        d <<= 64 - 8 * c;
        d = (d * 10 + (d >> 8)) & 0x00FF00FF00FF00FFu;
        d = (d * 100 + (d >> 16)) & 0x0000FFFF0000FFFFu;
        *v = (d * 10000 + (d >> 32)) & 0xFFFFFFFFu;
    }
    return c;
#else
    (void)s; (void)v;
    return 8;
#endif
}

/* The integer part of a plain number at s[*i..n): no leading zero but
 * "0" itself, at most 12 digits (so nothing can overflow); 0 when it is
 * not of that shape.  With 8 bytes to look at, lead_digits() reads
 * fewer than 8 digits at once. */
FAST_INLINE int plain_digits(const char *s, size_t n, size_t *i, uint64_t *v)
{
    size_t a = *i, k = a, stop = n - a > 13 ? a + 13 : n; /* a 13th digit tells too many */
    uint64_t x = 0;
    unsigned c = n - a >= 8 ? lead_digits(s + a, &x) : 8;
    if (c < 8)
        k = a + c;
    else
        for (; k < stop && is_digit(s[k]); k++)
            x = x * 10 + (uint64_t)(s[k] - '0');
    if (k == a || k - a > 12 || (s[a] == '0' && k - a > 1))
        return 0;
    *i = k;
    *v = x;
    return 1;
}

/* The 1 to DEC_PLACES digits of a fraction at s[*i..n) as millionths;
 * 0 when there is no digit.  At most DEC_PLACES are read (a next digit
 * is then the caller's to refuse); with 8 bytes to look at, more than
 * DEC_PLACES are refused here, which comes to the same. */
FAST_INLINE int plain_fraction(const char *s, size_t n, size_t *i, uint64_t *v)
{
    static const uint32_t scale[DEC_PLACES + 1] = { 1000000, 100000, 10000, 1000, 100, 10, 1 };
    size_t a = *i, f = a;
    uint64_t x = 0;
    unsigned c = n - a >= 8 ? lead_digits(s + a, &x) : 8;
    if (c < 8) {
        f = a + c;
    } else {
        size_t fstop = n - a > DEC_PLACES ? a + DEC_PLACES : n;
        for (; f < fstop && is_digit(s[f]); f++)
            x = x * 10 + (uint64_t)(s[f] - '0');
    }
    if (f == a || f - a > DEC_PLACES)
        return 0;
    *v = x * scale[f - a];
    *i = f;
    return 1;
}

/* s[0..n) from *i as millionths (decimal.h) when it is a plain number:
 * '-'?, plain_digits, then '.' and 1 to DEC_PLACES digits or nothing
 * more before `stop` (a byte that ends it, or n).  Such a text is a
 * JSON number without an exponent and dec_parse() gives it this value,
 * so the general way (json_number_scan(), dec_parse()) is only for the
 * rest; 0 then.  *i ends past the number. */
FAST_INLINE int plain_decimal(const char *s, size_t n, size_t *i, int64_t *out)
{
    size_t a = *i, k = a + (a < n && s[a] == '-');
    uint64_t ip, fp = 0;
    if (!plain_digits(s, n, &k, &ip))
        return 0;
    if (k < n && s[k] == '.' && (++k, !plain_fraction(s, n, &k, &fp)))
        return 0;
    int64_t v = (int64_t)(ip * 1000000 + fp);
    *out = s[a] == '-' ? -v : v;
    *i = k;
    return 1;
}

/* An integer the general way: json_in.c's read_int. */
FAST_RARE const char *general_int(const char *p, const char *end, int64_t *v)
{
    const char *s;
    size_t n;
    int flags;
    p = scan_word(p, end, &s, &n);
    return p && json_number_scan(s, n, &flags) && !flags && json_parse_i64(s, n, v) ? p : NULL;
}

/* An int at p: its digits read in place when a delimiter ends them
 * (what scan_word would find, every byte a digit). */
FAST_INLINE const char *read_int(const char *p, const char *end, const field_def *f, ev_cell *out)
{
    size_t len = (size_t)(end - p), i = p[0] == '-';
    uint64_t u;
    int64_t v;
    if (plain_digits(p, len, &i, &u) && i < len && is_delim(p[i])) {
        v = p[0] == '-' ? -(int64_t)u : (int64_t)u;
        p += i;
    } else if (!(p = general_int(p, end, &v))) {
        return NULL;
    }
    if (!json_in_bounds(f, v))
        return NULL;
    out->i = v;
    return p;
}

/* A decimal or money amount the general way, from a JSON number or
 * string at p. */
FAST_RARE const char *general_decimal(fast *F, const char *p, int64_t *v)
{
    const char *s;
    size_t n, i = 0;
    int flags;
    if (!(p = *p == '"' ? read_string(F, p, &s, &n) : scan_word(p, F->end, &s, &n)))
        return NULL;
    if (!(plain_decimal(s, n, &i, v) && i == n) &&
        (!json_number_scan(s, n, &flags) || (flags & JSON_NUM_EXP) || dec_parse(s, n, v) != DEC_OK))
        return NULL;
    return p;
}

/* A decimal or money amount at p.  An amount in a string of nothing
 * but a plain number ("1234.56") is read in one pass, digits and the
 * closing quote together: such a string has no escape and is what
 * read_string() and plain_decimal() would take. */
FAST_INLINE const char *read_decimal(fast *F, const char *p, const ty *t, const field_def *f,
                                     ev_cell *out)
{
    size_t len = (size_t)(F->end - p), i = 1;
    int64_t v;
    if (p[0] == '"' && plain_decimal(p, len, &i, &v) && i < len && p[i] == '"')
        p += i + 1;
    else if (!(p = general_decimal(F, p, &v)))
        return NULL;
    if (!dec_fits_places(v, t->kind == TY_MONEY ? 2 : DEC_PLACES) || !json_in_bounds(f, v))
        return NULL;
    out->i = v;
    return p;
}

/* ones + 8 - n: an 8-byte mask of n bytes of 0xFF first in memory
 * order, then zeros (n <= 8), for comparing the first n bytes of two
 * words loaded whole. */
static const unsigned char ones[16] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };

/* enum_value() of model.c, with a value whose first byte differs (most
 * of them) passed over without a call: the civil model's enums have
 * three to five values, and a request names one in every person. */
FAST_INLINE int enum_index(const enum_def *en, const char *s, size_t n)
{
    if (n == 0)
        return enum_value(en, s, n);
    for (uint32_t k = 0; k < en->nvalues; k++) {
        const char *v = en->values[k];
        if (v[0] != s[0])
            continue;
        size_t i = 1;
        while (i < n && v[i] && v[i] == s[i])
            i++;
        if (i == n && !v[n])
            return (int)k;
    }
    return -1;
}

/* The value of en named by the plain string s[0..n) (plain_string():
 * at least 16 bytes of text from s), -1 when none: a name of at most 8
 * bytes is one load, masked to n bytes, against each value's word
 * (model.h), where enum_index() compares byte by byte. */
FAST_INLINE int enum_plain(const enum_def *en, const char *s, size_t n)
{
    uint64_t w, mask;
    if (!en->words || n > 8)
        return enum_index(en, s, n);
    memcpy(&w, s, 8);
    memcpy(&mask, ones + 8 - n, 8);   /* n bytes of 0xFF first, in memory order */
    w &= mask;
    for (uint32_t k = 0; k < en->nvalues; k++)
        if (en->words[k] == w)
            return (int)k;
    return -1;
}

/* Text, an enum's name or a date, the general way: a string. */
FAST_RARE const char *general_text_like(fast *F, const char *p, const ty *t, const field_def *f,
                                        ev_cell *out)
{
    const char *s;
    size_t n;
    int64_t v;
    if (!(p = read_string(F, p, &s, &n)))
        return NULL;
    switch (t->kind) {
    case TY_TEXT:
        if (!json_in_bounds(f, (int64_t)json_code_points(s, n)))
            return NULL;
        out->s.ptr = s;
        out->s.len = (uint32_t)n;
        return p;
    case TY_ENUM:
        return (out->i = enum_index(t->en, s, n)) >= 0 ? p : NULL;
    case TY_DATE:
        if (date_parse(s, n, &v) != 0 || !json_in_bounds(f, v))
            return NULL;
        out->i = v;
        return p;
    default:
        return NULL;
    }
}

/* Text or an enum's name in a plain string (plain_string(): its bytes
 * are its code points), else the general way. */
FAST_INLINE const char *read_text_like(fast *F, const char *p, const ty *t, const field_def *f,
                                       ev_cell *out)
{
    size_t n;
    const char *q = t->kind == TY_TEXT || t->kind == TY_ENUM ? plain_string(p, F->start, F->end, &n) : NULL;
    if (!q)
        return general_text_like(F, p, t, f, out);
    if (t->kind == TY_ENUM)
        return (out->i = enum_plain(t->en, p + 1, n)) >= 0 ? q : NULL;
    if (!json_in_bounds(f, (int64_t)n))
        return NULL;
    out->s.ptr = p + 1;
    out->s.len = (uint32_t)n;
    return q;
}

/* The scalar of type t at p (its first byte, not a blank). */
FAST_INLINE const char *read_scalar(fast *F, const char *p, const ty *t, const field_def *f,
                                    ev_cell *out)
{
    int ch = (unsigned char)*p;
    switch (t->kind) {
    case TY_BOOL: return ch == 't' || ch == 'f' ? read_bool(p, F->end, out) : NULL;
    case TY_INT: return ch == '-' || is_digit((char)ch) ? read_int(p, F->end, f, out) : NULL;
    case TY_DECIMAL: case TY_MONEY: case TY_NUMBER:
        return ch == '"' || ch == '-' || is_digit((char)ch) ? read_decimal(F, p, t, f, out) : NULL;
    default: return ch == '"' ? read_text_like(F, p, t, f, out) : NULL;
    }
}

/* ---- containers ------------------------------------------------------- */

static const char *read_value(fast *F, const char *p, const ty *t, const field_def *f,
                              ev_cell *out);

/* Field position of the key s[0..n) in e, as json_in.c's field_find
 * finds it; -1 when none. */
static long field_of(const entity_def *e, const char *s, size_t n)
{
    if (n > KEY_CAP)
        return -1;
    if (e->keys)
        return entity_key_find(e, s, n);
    for (uint32_t i = 0; i < e->nfields; i++)
        if (strlen(e->fields[i].name) == n && !memcmp(e->fields[i].name, s, n))
            return (long)i;
    return -1;
}

/* The keys the records of one list were last seen to send, k-th key
 * at key[k]: its bytes in the request from the opening quote (from the
 * ',' before it when that came right before), through the ':' when that
 * came right after the closing quote, and its field.  The records of a
 * list are mostly written by the same code, with their keys in the same
 * order, so the next record's k-th key is first compared with key[k]'s
 * bytes.  Equal bytes are the same plain key, which scan_string() and
 * field_of() took to that field (only such keys are kept), so a match
 * skips both: the string scan and the hash, some 60 instructions a key,
 * and the ',' and ':' around it with them.  Every key[k] below n is
 * such a key of this list's entity, whichever record it came from; its
 * bytes are earlier in the same text. */
typedef struct key_order {
    uint32_t n;
    struct {
        const char *s;
        uint32_t len, field;
    } key[KEY_ORDER];
} key_order;

/* True when the n bytes at a and at b are equal, n > 0, with at least
 * 8 bytes from each readable: a short key in one masked word. */
FAST_INLINE int same_bytes(const char *a, const char *b, size_t n)
{
    uint64_t x, y, mask;
    if (n >= 8)
        return field_name_is(a, b, n);
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    memcpy(&mask, ones + 8 - n, 8);
    return !((x ^ y) & mask);
}

/* The place past key k's guess at p, and its field to *fi; NULL when
 * the guess's n bytes at s are not those at p.  The guess's bytes are
 * earlier in the text, so 8 bytes there are readable when they are at p;
 * a guess without its ':' takes it after blanks. */
FAST_INLINE const char *guessed(const char *p, const char *end, const char *s, size_t n,
                                uint32_t field, long *fi)
{
    if ((size_t)(end - p) < n + 8 || !same_bytes(s, p, n))
        return NULL;
    *fi = (long)field;
    return s[n - 1] == ':' ? p + n : take(p + n, end, ':');
}

/* The key whose quote is at p, moving past its ':': the guess from ko
 * first (without its ',' when it has one), else the string scan and the
 * lookup, whose finding ko then keeps.  Its field to *fi; NULL when it
 * is not a plain key of e or no ':' follows. */
FAST_INLINE const char *read_key(const fast *F, const char *p, const entity_def *e,
                                 key_order *ko, uint32_t k, long *fi)
{
    const char *s, *end = F->end, *q;
    size_t n;
    int esc;
    if (k < ko->n) {
        int comma = ko->key[k].s[0] == ',';
        if ((q = guessed(p, end, ko->key[k].s + comma, ko->key[k].len - comma, ko->key[k].field, fi)))
            return q;
    }
    q = plain_string(p, F->start, end, &n);
    s = p + 1;
    if (!q && (!(q = scan_string(p, end, &s, &n, &esc)) || esc))
        return NULL;
    if ((*fi = field_of(e, s, n)) < 0)
        return NULL;
    if (k < KEY_ORDER) {
        int comma = k && p[-1] == ',';   /* a member before: p - 1 is in the text */
        ko->key[k].s = p - comma;
        ko->key[k].len = (uint32_t)(q - p) + (q < end && *q == ':') + comma;
        ko->key[k].field = (uint32_t)*fi;
        ko->n = k >= ko->n ? k + 1 : ko->n;
    }
    return take(q, end, ':');
}

/* Right after a record's member, at p: key k taken with the ',' before
 * it when its guess has one and matches, the place past its ':'; NULL
 * otherwise (next_or_close() and read_key() then go the usual way). */
FAST_INLINE const char *next_key_guessed(const char *p, const char *end, const key_order *ko,
                                         uint32_t k, long *fi)
{
    if (k >= ko->n || p == end || *p != ',')
        return NULL;
    return guessed(p, end, ko->key[k].s, ko->key[k].len, ko->key[k].field, fi);
}

/* The value of field fi of a record, at p past its key's ':'; sets
 * the field's bit in *seen, one word when `whole`: an entity with a
 * record of defaults (model.h: at most 64 fields, every cell index in
 * range), whose bits then stay in a register. */
FAST_INLINE const char *read_field(fast *F, const char *p, const entity_def *e, ev_cell *rec,
                                   uint64_t *seen, long fi, int whole)
{
    uint64_t *word = whole ? seen : &seen[fi / 64], bit = (uint64_t)1 << (fi % 64);
    if (*word & bit)
        return NULL;
    *word |= bit;
    const field_def *fd = &e->fields[fi];
    if ((!whole && fd->index >= e->nfields) || peek(&p, F->end) < 0)
        return NULL;
    ty_kind kind = fd->type->kind;    /* a scalar, most fields, read here */
    return kind == TY_ENTITY || kind == TY_LIST || kind == TY_MAP
               ? read_value(F, p, fd->type, fd, &rec[fd->index])
               : read_scalar(F, p, fd->type, fd, &rec[fd->index]);
}

/* After a member or element, at the ',' or the container's close
 * `close`: 1 with *pp past ',' and on the next item's first byte, 0
 * with *pp past the close, -1 at anything else. */
FAST_INLINE int next_or_close(fast *F, const char **pp, int close)
{
    int ch = peek(pp, F->end);
    if (ch == ',') {
        ++*pp;
        return peek(pp, F->end) >= 0 ? 1 : -1;
    }
    if (ch != close)
        return -1;
    ++*pp;
    F->depth--;
    return 0;
}

/* After a container's opening: 0 with *pp past an immediate close
 * (empty), 1 with *pp on the first item's first byte, -1 at the end. */
FAST_INLINE int items_start(fast *F, const char **pp, int close)
{
    int ch = peek(pp, F->end);
    if (ch != close)
        return ch < 0 ? -1 : 1;
    ++*pp;
    F->depth--;
    return 0;
}

/* Gives each field of e that seen does not hold its default; 0 when
 * one of them is required.  The missing ones are found 64 at a time
 * (the lowest bit first, as json_in.c's fill_missing goes): a person
 * sends five of its ten fields, and testing every field's bit was some
 * 500 instructions a household. */
static int fill_defaults(const entity_def *e, ev_cell *rec, const uint64_t *seen)
{
    for (uint32_t w = 0; w * 64 < e->nfields; w++) {
        uint32_t left = e->nfields - w * 64;
        uint64_t miss = ~seen[w] & (left >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << left) - 1);
        for (; miss; miss &= miss - 1) {
            const field_def *f = &e->fields[w * 64 + (uint32_t)__builtin_ctzll(miss)];
            if (f->required)
                return 0;
            if (f->index < e->nfields)
                rec[f->index] = f->def;
        }
    }
    return 1;
}

/* The members of a record, from its first item's byte or its close
 * (items_start()) to past the close; their count to *count, their
 * fields' bits to seen (read_field(): one word when `whole`).  The
 * members after one whose key was read go by their guesses while these
 * hold, the ',' with the key. */
FAST_INLINE const char *read_members(fast *F, const char *p, const entity_def *e, ev_cell *rec,
                                     uint64_t *seen, key_order *ko, uint32_t *count, int whole)
{
    uint64_t bits = 0;
    uint32_t k = 0;
    long fi;
    int more = items_start(F, &p, '}');
    for (; more > 0; more = next_or_close(F, &p, '}')) {
        if (*p != '"' || !(p = read_key(F, p, e, ko, k, &fi)))
            return NULL;
        for (const char *q = p; q; q = next_key_guessed(p, F->end, ko, ++k, &fi))
            if (!(p = read_field(F, q, e, rec, whole ? &bits : seen, fi, whole)))
                return NULL;
    }
    if (whole)
        seen[0] = bits;
    *count = k;
    return more == 0 ? p : NULL;
}

/* Fills rec (e->nfields cells) from the object at p, each field left
 * out given its default; NULL when a required one is missing.  ko: the
 * key order of the list rec is in (key_order), else empty.  With the
 * entity's record of defaults (model.h) the cells start as a copy of
 * it and the fields sent overwrite theirs; without, fill_defaults(). */
static const char *read_record(fast *F, const char *p, const entity_def *e, ev_cell *rec,
                               key_order *ko)
{
    uint64_t small[4] = { 0 }, *seen = small;
    size_t words = (e->nfields + 63) / 64;
    uint32_t k;
    if (!(p = open_container(F, p, '{')) ||
        (words > 4 && !(seen = arena_alloc(F->pool, words * sizeof *seen))))
        return NULL;
    if (e->defaults) {
        memcpy(rec, e->defaults, e->nfields * sizeof *rec);
        if (!(p = read_members(F, p, e, rec, seen, ko, &k, 1)))
            return NULL;
    } else if (!(p = read_members(F, p, e, rec, seen, ko, &k, 0))) {
        return NULL;
    }
    F->ntok += 2 * (size_t)k;  /* each member's key and value */
    if (e->defaults)
        return (seen[0] & e->required) == e->required ? p : NULL;
    return fill_defaults(e, rec, seen) ? p : NULL;
}

/* A list's or map's cells, `stride` a step, room for *cap steps: the
 * first LIST_FIRST, then twice as many with the old ones copied.  Not
 * zeroed when `dirty` (records that read_record() copies whole from
 * their entity's defaults). */
static ev_cell *grow_cells(fast *F, ev_cell *cells, uint32_t n, uint32_t *cap, uint32_t stride,
                           int dirty)
{
    uint32_t c = *cap ? *cap * 2 : LIST_FIRST;
    if (c > JSON_MAX_TOKENS)
        return NULL;
    size_t size = (size_t)c * stride * sizeof(ev_cell);
    ev_cell *more = dirty ? arena_alloc_dirty(F->pool, size) : arena_alloc(F->pool, size);
    if (more && n)
        memcpy(more, cells, (size_t)n * stride * sizeof *more);
    *cap = c;
    return more;
}

/* The cells read into out, when their count is within f's bounds. */
static int set_cells(ev_cell *out, ev_cell *cells, uint32_t n, uint32_t stride,
                     const field_def *f)
{
    out->l.base = n && stride ? cells : NULL;
    out->l.n = n;
    out->l.stride = stride;
    return json_in_bounds(f, n);
}

static const char *read_list(fast *F, const char *p, const ty *t, const field_def *f,
                             ev_cell *out)
{
    const ty *el = t->elem;
    int ent = el->kind == TY_ENTITY, dirty = ent && el->ent->defaults;
    uint32_t stride = ent ? el->ent->nfields : 1, n = 0, cap = 0;
    ev_cell *cells = NULL;
    key_order ko;
    ko.n = 0;
    if (!(p = open_container(F, p, '[')))
        return NULL;
    int more = items_start(F, &p, ']');
    for (; more > 0; more = next_or_close(F, &p, ']')) {
        if (n == cap && !(cells = grow_cells(F, cells, n, &cap, stride, dirty)))
            return NULL;
        ev_cell *cell = cells + (size_t)n++ * stride;
        if (!(p = ent ? read_record(F, p, el->ent, cell, &ko) : read_value(F, p, el, NULL, cell)))
            return NULL;
    }
    F->ntok += n;
    return more == 0 && set_cells(out, cells, n, stride, f) ? p : NULL;
}

/* True when two of the n keys (pairs at cells, stride 2) are equal. */
static int map_has_dup(const ev_cell *cells, uint32_t n)
{
    for (uint32_t a = 1; a < n; a++)
        for (uint32_t b = 0; b < a; b++)
            if (cells[2 * a].s.len == cells[2 * b].s.len &&
                !memcmp(cells[2 * a].s.ptr, cells[2 * b].s.ptr, cells[2 * a].s.len))
                return 1;
    return 0;
}

static const char *read_map(fast *F, const char *p, const ty *t, const field_def *f,
                            ev_cell *out)
{
    uint32_t n = 0, cap = 0;
    ev_cell *cells = NULL;
    if (!(p = open_container(F, p, '{')))
        return NULL;
    int more = items_start(F, &p, '}');
    for (; more > 0; more = next_or_close(F, &p, '}')) {
        const char *k;
        size_t kn;
        if (n == cap && !(cells = grow_cells(F, cells, n, &cap, 2, 0)))
            return NULL;
        if (*p != '"' || !(p = read_string(F, p, &k, &kn)) || !(p = take(p, F->end, ':')) ||
            peek(&p, F->end) < 0)
            return NULL;
        cells[2 * n].s.ptr = k;
        cells[2 * n].s.len = (uint32_t)kn;
        if (!(p = read_value(F, p, t->elem, NULL, &cells[2 * n + 1])))
            return NULL;
        n++;
    }
    F->ntok += 2 * (size_t)n;
    return more == 0 && n <= MAP_PAIRWISE && !map_has_dup(cells, n) &&
                   set_cells(out, cells, n, 2, f)
               ? p
               : NULL;
}

/* The cells of a record of e from the arena (none for no fields, as
 * json_in.c); not zeroed when read_record() copies e's defaults whole. */
static int record_cells(fast *F, const entity_def *e, ev_cell **cells)
{
    size_t size = e->nfields * sizeof **cells;
    *cells = !e->nfields   ? NULL
             : e->defaults ? arena_alloc_dirty(F->pool, size)
                           : arena_alloc(F->pool, size);
    return !e->nfields || *cells;
}

/* The value of type t at p (its first byte, not a blank). */
static const char *read_value(fast *F, const char *p, const ty *t, const field_def *f,
                              ev_cell *out)
{
    ev_cell *rec;
    key_order none;           /* a record alone guesses no key */
    none.n = 0;
    switch (t->kind) {
    case TY_ENTITY:
        if (!record_cells(F, t->ent, &rec))
            return NULL;
        out->rec = rec;
        return read_record(F, p, t->ent, rec, &none);
    case TY_LIST: return read_list(F, p, t, f, out);
    case TY_MAP: return read_map(F, p, t, f, out);
    default: return read_scalar(F, p, t, f, out);
    }
}

/* The input object: {"<root's name>": {...}} and nothing after it. */
int json_input_fast(const char *text, size_t len, const entity_def *root, arena *pool,
                    ev_cell **out)
{
    /* the outer object, the root's name and its record */
    fast F = { .start = text, .end = text + len, .pool = pool, .ntok = 3 };
    const char *p = text, *k;
    size_t kn;
    int esc;
    ev_cell *rec;
    key_order none;
    none.n = 0;
    if (len > UINT32_MAX / 2 || !(p = open_container(&F, p, '{')) || peek(&p, F.end) != '"' ||
        !(p = scan_string(p, F.end, &k, &kn, &esc)) || esc || kn != strlen(root->name) ||
        memcmp(k, root->name, kn) || !(p = take(p, F.end, ':')) || peek(&p, F.end) < 0 ||
        !record_cells(&F, root, &rec) || !(p = read_record(&F, p, root, rec, &none)) ||
        !(p = take(p, F.end, '}')) || peek(&p, F.end) != -1 || F.ntok > JSON_MAX_TOKENS ||
        pool->failed)
        return 0;
    *out = rec;
    return 1;
}
