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
 * running to a delimiter), counts tokens and depth against the request
 * limits, and writes the cells.
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
 * the key's string scan and its lookup.
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

typedef struct fast {
    /* the place in the text and its end: pointers, which a store to a
     * cell's int64_t or to the seen bits cannot alias (an offset of
     * size_t could, so every peek reloaded it) */
    const char *p, *end;
    arena *pool;
    uint32_t depth, ntok;     /* as json_lex.c counts them */
} fast;

FAST_INLINE int is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

FAST_INLINE int is_delim(char ch)
{
    return is_ws(ch) || ch == ',' || ch == ']' || ch == '}';
}

/* The next non-blank byte (F->p left on it), or -1 at the end.  Most
 * calls stand on a byte above ' ' (compact JSON), which one compare
 * tells; some 800 instructions a household fewer than testing the four
 * blanks first. */
FAST_INLINE int peek(fast *F)
{
    const char *p = F->p, *end = F->end;
    if (p < end && (unsigned char)*p > ' ')
        return (unsigned char)*p;
    while (p < end && is_ws(*p))
        p++;
    F->p = p;
    return p < end ? (unsigned char)*p : -1;
}

/* Moves past the byte ch when it is next; 0 when it is not. */
FAST_INLINE int take(fast *F, int ch)
{
    if (peek(F) != ch)
        return 0;
    F->p++;
    return 1;
}

FAST_INLINE int count_token(fast *F)
{
    return ++F->ntok <= JSON_MAX_TOKENS;
}

/* The container opening ch ('{' or '['), within the limits. */
FAST_INLINE int open_container(fast *F, int ch)
{
    if (!take(F, ch))
        return 0;
    return ++F->depth <= JSON_MAX_DEPTH && count_token(F);
}

/* The string whose quote is next, as json_lex.c's lex_string reads it:
 * *s and *n its text between the quotes, *esc whether it has escapes.
 * 0 when it is not a well-formed string. */
FAST_INLINE int scan_string(fast *F, const char **s, size_t *n, int *esc)
{
    const char *t = F->p;
    size_t a = 1, i = a, end = (size_t)(F->end - t);
    if (!count_token(F))
        return 0;
    *esc = 0;
    for (;;) {
        i += buf_json_ascii(t + i, end - i);
        if (i >= end)
            return 0;
        unsigned char b = (unsigned char)t[i];
        size_t k = 1;
        unsigned cp;
        if (b == '"')
            break;
        if (b == '\\') {
            *esc = 1;
            k = json_escape_len(t, i, end);
        } else if (b < 0x20) {
            return 0;
        } else if (b >= 0x80) {
            k = utf8_decode((const unsigned char *)t + i, end - i, &cp);
        }
        if (!k)
            return 0;
        i += k;
    }
    *s = t + a;
    *n = i - a;
    F->p = t + i + 1;
    return 1;
}

/* A string value: in place, or decoded into the arena when it has
 * escapes (as json_in.c's tok_string). */
FAST_INLINE int read_string(fast *F, const char **s, size_t *n)
{
    int esc;
    if (*F->p != '"' || !scan_string(F, s, n, &esc))
        return 0;
    if (!esc)
        return 1;
    char *dec = arena_alloc(F->pool, *n + 1);
    if (!dec)
        return 0;
    *n = json_unescape(*s, *n, dec);
    *s = dec;
    return 1;
}

/* The bare word at F->p (a number or a literal) to its delimiter, as
 * json_lex.c's lex_word reads it; 0 when a byte in it is not printable
 * ASCII or it runs to the end (the input object is open there). */
FAST_INLINE int scan_word(fast *F, const char **s, size_t *n)
{
    const char *t = F->p;
    size_t b = 0, len = (size_t)(F->end - t);
    if (!count_token(F))
        return 0;
    for (; b < len && !is_delim(t[b]); b++)
        if ((unsigned char)t[b] < 0x20 || (unsigned char)t[b] >= 0x7f)
            return 0;
    if (b == len)
        return 0;
    *s = t;
    *n = b;
    F->p = t + b;
    return 1;
}

/* ---- scalars: json_in.c's read_* for the accepted case --------------- */

static int read_bool(fast *F, ev_cell *out)
{
    const char *s;
    size_t n;
    if (!scan_word(F, &s, &n))
        return 0;
    if (n == 4 && !memcmp(s, "true", 4))
        out->i = 1;
    else if (n == 5 && !memcmp(s, "false", 5))
        out->i = 0;
    else
        return 0;
    return 1;
}

/* The integer part of a plain number at s[*i..n): no leading zero but
 * "0" itself, at most 12 digits (so nothing can overflow); 0 when it is
 * not of that shape. */
FAST_INLINE int plain_digits(const char *s, size_t n, size_t *i, uint64_t *v)
{
    size_t a = *i, k = a;
    uint64_t x = 0;
    for (; k < n && k - a <= 12 && s[k] >= '0' && s[k] <= '9'; k++)
        x = x * 10 + (uint64_t)(s[k] - '0');
    if (k == a || k - a > 12 || (s[a] == '0' && k - a > 1))
        return 0;
    *i = k;
    *v = x;
    return 1;
}

/* s[0..n) as millionths (decimal.h) when it is a plain number: '-'?,
 * plain_digits, then nothing or '.' and 1 to DEC_PLACES digits.  Such a
 * text is a JSON number without an exponent and dec_parse() gives it
 * this value, so the general way (json_number_scan(), dec_parse()) is
 * only for the rest; 0 then. */
static int plain_decimal(const char *s, size_t n, int64_t *out)
{
    static const uint32_t scale[DEC_PLACES + 1] = { 1000000, 100000, 10000, 1000, 100, 10, 1 };
    size_t i = n > 0 && s[0] == '-', f;
    uint64_t ip, fp = 0;
    if (!plain_digits(s, n, &i, &ip))
        return 0;
    if (i < n) {
        if (s[i] != '.' || n - i - 1 < 1 || n - i - 1 > DEC_PLACES)
            return 0;
        for (f = i + 1; f < n; f++) {
            if (s[f] < '0' || s[f] > '9')
                return 0;
            fp = fp * 10 + (uint64_t)(s[f] - '0');
        }
        fp *= scale[n - i - 1];
    }
    int64_t v = (int64_t)(ip * 1000000 + fp);
    *out = s[0] == '-' ? -v : v;
    return 1;
}

/* An integer the general way: json_in.c's read_int. */
static int general_int(const char *s, size_t n, int64_t *v)
{
    int flags;
    return json_number_scan(s, n, &flags) && !flags && json_parse_i64(s, n, v);
}

static int read_int(fast *F, const field_def *f, ev_cell *out)
{
    const char *s;
    const char *t = F->p;
    size_t n, len = (size_t)(F->end - t), i = t[0] == '-';
    uint64_t u;
    int64_t v;
    /* digits read in place when a delimiter ends them (what scan_word
     * would find, every byte a digit): an age costs no word scan */
    if (plain_digits(t, len, &i, &u) && i < len && is_delim(t[i])) {
        if (!count_token(F))
            return 0;
        v = t[0] == '-' ? -(int64_t)u : (int64_t)u;
        F->p = t + i;
    } else if (!scan_word(F, &s, &n) || !general_int(s, n, &v)) {
        return 0;
    }
    if (!json_in_bounds(f, v))
        return 0;
    out->i = v;
    return 1;
}

/* A decimal or money amount, from a JSON number or string. */
static int read_decimal(fast *F, int ch, const ty *t, const field_def *f, ev_cell *out)
{
    const char *s;
    size_t n;
    int flags, places = t->kind == TY_MONEY ? 2 : DEC_PLACES;
    int64_t v;
    if (!(ch == '"' ? read_string(F, &s, &n) : scan_word(F, &s, &n)))
        return 0;
    if (!plain_decimal(s, n, &v) &&
        (!json_number_scan(s, n, &flags) || (flags & JSON_NUM_EXP) || dec_parse(s, n, &v) != DEC_OK))
        return 0;
    if (!dec_fits_places(v, places) || !json_in_bounds(f, v))
        return 0;
    out->i = v;
    return 1;
}

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

/* Text, an enum's name or a date: a string. */
static int read_text_like(fast *F, const ty *t, const field_def *f, ev_cell *out)
{
    const char *s;
    size_t n;
    int64_t v;
    if (!read_string(F, &s, &n))
        return 0;
    switch (t->kind) {
    case TY_TEXT:
        if (!json_in_bounds(f, (int64_t)json_code_points(s, n)))
            return 0;
        out->s.ptr = s;
        out->s.len = (uint32_t)n;
        return 1;
    case TY_ENUM:
        return (out->i = enum_index(t->en, s, n)) >= 0;
    case TY_DATE:
        if (date_parse(s, n, &v) != 0 || !json_in_bounds(f, v))
            return 0;
        out->i = v;
        return 1;
    default:
        return 0;
    }
}

FAST_INLINE int read_scalar(fast *F, const ty *t, const field_def *f, ev_cell *out)
{
    int ch = peek(F);
    switch (t->kind) {
    case TY_BOOL: return ch == 't' || ch == 'f' ? read_bool(F, out) : 0;
    case TY_INT: return ch == '-' || (ch >= '0' && ch <= '9') ? read_int(F, f, out) : 0;
    case TY_DECIMAL: case TY_MONEY: case TY_NUMBER:
        return ch == '"' || ch == '-' || (ch >= '0' && ch <= '9') ? read_decimal(F, ch, t, f, out)
                                                                  : 0;
    default: return ch == '"' ? read_text_like(F, t, f, out) : 0;
    }
}

/* ---- containers ------------------------------------------------------- */

static int read_value(fast *F, const ty *t, const field_def *f, ev_cell *out);

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
 * at key[k]: its text in the request (between the quotes) and field.
 * The records of a list are mostly written by the same code, with their
 * keys in the same order, so the next record's k-th key is first
 * compared with key[k]'s bytes.  Equal bytes and then a quote are the
 * same plain key, which scan_string() and field_of() took to that field
 * (only such keys are kept), so a match skips both: the string scan and
 * the hash, some 60 instructions a key.  Every key[k] below n is such a
 * key of this list's entity, whichever record it came from. */
typedef struct key_order {
    uint32_t n;
    struct {
        const char *s;
        uint32_t len, field;
    } key[KEY_ORDER];
} key_order;

/* The field of the key next (its quote at F->p), moving past it: the
 * guess from ko first, else the string scan and the lookup, whose
 * finding ko then keeps; -1 when it is not a plain key of e. */
FAST_INLINE long read_key(fast *F, const entity_def *e, key_order *ko, uint32_t k)
{
    const char *p = F->p, *s;
    size_t n;
    int esc;
    if (k < ko->n) {
        n = ko->key[k].len;
        if ((size_t)(F->end - p) > n + 1 && p[n + 1] == '"' &&
            field_name_is(ko->key[k].s, p + 1, n)) {
            F->p = p + n + 2;
            return count_token(F) ? (long)ko->key[k].field : -1;
        }
    }
    if (!scan_string(F, &s, &n, &esc) || esc)
        return -1;
    long fi = field_of(e, s, n);
    if (fi >= 0 && k < KEY_ORDER) {
        ko->key[k].s = s;
        ko->key[k].len = (uint32_t)n;
        ko->key[k].field = (uint32_t)fi;
        ko->n = k >= ko->n ? k + 1 : ko->n;
    }
    return fi;
}

/* One "key": value of a record, its k-th; sets the field's bit in seen. */
FAST_INLINE int read_member(fast *F, const entity_def *e, ev_cell *rec, uint64_t *seen,
                            key_order *ko, uint32_t k)
{
    if (peek(F) != '"')
        return 0;
    long fi = read_key(F, e, ko, k);
    if (fi < 0 || (seen[fi / 64] >> (fi % 64) & 1) || !take(F, ':'))
        return 0;
    seen[fi / 64] |= (uint64_t)1 << (fi % 64);
    const field_def *fd = &e->fields[fi];
    if (fd->index >= e->nfields)
        return 0;
    ty_kind kind = fd->type->kind;    /* a scalar, most fields, read here */
    return kind == TY_ENTITY || kind == TY_LIST || kind == TY_MAP
               ? read_value(F, fd->type, fd, &rec[fd->index])
               : read_scalar(F, fd->type, fd, &rec[fd->index]);
}

/* After a member or element: 1 past ',' (another follows), 0 past the
 * container's close `close`, -1 at anything else. */
FAST_INLINE int next_or_close(fast *F, int close)
{
    int ch = peek(F);
    if (ch != ',' && ch != close)
        return -1;
    F->p++;
    F->depth -= ch == close;
    return ch == ',';
}

/* The start of a container's items: 0 past an immediate close (empty),
 * 1 when an item comes. */
FAST_INLINE int items_start(fast *F, int close)
{
    if (!take(F, close))
        return 1;
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

/* Fills rec (e->nfields cells) from the object that comes next, each
 * field left out given its default; 0 when a required one is missing.
 * ko: the key order of the list rec is in (key_order), else empty. */
static int read_record(fast *F, const entity_def *e, ev_cell *rec, key_order *ko)
{
    uint64_t small[4] = { 0 }, *seen = small;
    size_t words = (e->nfields + 63) / 64;
    if (!open_container(F, '{') ||
        (words > 4 && !(seen = arena_alloc(F->pool, words * sizeof *seen))))
        return 0;
    int more = items_start(F, '}');
    for (uint32_t k = 0; more > 0; more = next_or_close(F, '}'), k++)
        if (!read_member(F, e, rec, seen, ko, k))
            return 0;
    if (more < 0)
        return 0;
    return fill_defaults(e, rec, seen);
}

/* A list's or map's cells, `stride` a step, room for *cap steps: the
 * first LIST_FIRST, then twice as many with the old ones copied. */
static ev_cell *grow_cells(fast *F, ev_cell *cells, uint32_t n, uint32_t *cap, uint32_t stride)
{
    uint32_t c = *cap ? *cap * 2 : LIST_FIRST;
    if (c > JSON_MAX_TOKENS)
        return NULL;
    ev_cell *more = arena_alloc(F->pool, (size_t)c * stride * sizeof *more);
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

static int read_list(fast *F, const ty *t, const field_def *f, ev_cell *out)
{
    const ty *el = t->elem;
    int ent = el->kind == TY_ENTITY;
    uint32_t stride = ent ? el->ent->nfields : 1, n = 0, cap = 0;
    ev_cell *cells = NULL;
    key_order ko;
    ko.n = 0;
    if (!open_container(F, '['))
        return 0;
    int more = items_start(F, ']');
    for (; more > 0; more = next_or_close(F, ']')) {
        if (n == cap && !(cells = grow_cells(F, cells, n, &cap, stride)))
            return 0;
        ev_cell *cell = cells + (size_t)n++ * stride;
        if (!(ent ? read_record(F, el->ent, cell, &ko) : read_value(F, el, NULL, cell)))
            return 0;
    }
    return more == 0 && set_cells(out, cells, n, stride, f);
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

static int read_map(fast *F, const ty *t, const field_def *f, ev_cell *out)
{
    uint32_t n = 0, cap = 0;
    ev_cell *cells = NULL;
    if (!open_container(F, '{'))
        return 0;
    int more = items_start(F, '}');
    for (; more > 0; more = next_or_close(F, '}')) {
        const char *k;
        size_t kn;
        if (n == cap && !(cells = grow_cells(F, cells, n, &cap, 2)))
            return 0;
        if (peek(F) != '"' || !read_string(F, &k, &kn) || !take(F, ':'))
            return 0;
        cells[2 * n].s.ptr = k;
        cells[2 * n].s.len = (uint32_t)kn;
        if (!read_value(F, t->elem, NULL, &cells[2 * n + 1]))
            return 0;
        n++;
    }
    return more == 0 && n <= MAP_PAIRWISE && !map_has_dup(cells, n) &&
           set_cells(out, cells, n, 2, f);
}

/* n cells from the arena (none for n == 0, as json_in.c). */
static int alloc_cells(fast *F, size_t n, ev_cell **cells)
{
    *cells = n ? arena_alloc(F->pool, n * sizeof **cells) : NULL;
    return !n || *cells;
}

static int read_value(fast *F, const ty *t, const field_def *f, ev_cell *out)
{
    ev_cell *rec;
    key_order none;           /* a record alone guesses no key */
    none.n = 0;
    switch (t->kind) {
    case TY_ENTITY:
        if (!alloc_cells(F, t->ent->nfields, &rec))
            return 0;
        out->rec = rec;
        return read_record(F, t->ent, rec, &none);
    case TY_LIST: return read_list(F, t, f, out);
    case TY_MAP: return read_map(F, t, f, out);
    default: return read_scalar(F, t, f, out);
    }
}

/* The input object: {"<root's name>": {...}} and nothing after it. */
int json_input_fast(const char *text, size_t len, const entity_def *root, arena *pool,
                    ev_cell **out)
{
    fast F = { .p = text, .end = text + len, .pool = pool };
    const char *k;
    size_t kn;
    int esc;
    ev_cell *rec;
    key_order none;
    none.n = 0;
    if (len > UINT32_MAX / 2 || !open_container(&F, '{') || peek(&F) != '"' ||
        !scan_string(&F, &k, &kn, &esc) || esc || kn != strlen(root->name) ||
        memcmp(k, root->name, kn) || !take(&F, ':') ||
        !alloc_cells(&F, root->nfields, &rec) || !read_record(&F, root, rec, &none) ||
        !take(&F, '}') || peek(&F) != -1 || pool->failed)
        return 0;
    *out = rec;
    return 1;
}
