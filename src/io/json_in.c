/*
 * json_in.c - request JSON to input records, with every problem listed.
 *
 * Fits at the edge of a decision: the CLI and the daemon hand it the
 * request's input text and the policy's root entity; the record it
 * returns is the evaluator's input frame.  Input with no problem is read
 * in one pass by json_fast.c; when that pass gives up, the text is read
 * again here in two passes, neither of them recursive before the depth
 * is known, which find and word every problem:
 *
 *   1. tokens: json_lex.c checks the text against the JSON grammar, its
 *      strings for escapes, surrogate pairs, control characters and
 *      UTF-8, and the limits (JSON_MAX_DEPTH, JSON_MAX_TOKENS), while it
 *      writes a token array into the arena: each token with its exact
 *      text, a container's member count and where its subtree ends, a
 *      string's note of whether it has escapes (else it is used in
 *      place), a number's note of fraction and exponent.
 *   2. model: the token tree is walked against the entity model, filling
 *      cells and collecting every problem (up to JSON_MAX_ERRORS) with a
 *      JSON Pointer and a dotted path.  Recursion here follows the JSON
 *      nesting, which pass 1 has already bounded.
 *
 * Nesting depth is the number of containers (objects and arrays) open at
 * a point, the outermost one counting as 1: {"household":{"members":
 * [{...}]}} reaches 4.  JSON_MAX_DEPTH containers are accepted, one more
 * is JSON_E_LIMIT.
 *
 * The walk keeps only a stack of the keys and indexes it is under; the
 * pointer and the path are written out, to the arena, only when a
 * problem is recorded, so valid input pays nothing for them.  Key
 * segments longer than KEY_SHOWN bytes are cut (with "...") so a hostile
 * key cannot make a problem list unbounded; the detail's excerpt of the
 * offending JSON is cut at GOT_SHOWN bytes the same way.  The `prefix`
 * argument may be a JSON Pointer ("/input") or a dotted name ("input" or
 * "input."); the other form is derived from it.  A list or map whose
 * length is out of its field's bounds is reported and not read, so its
 * cells are never allocated.
 *
 * Duplicate keys are found with a bitset of seen field positions in
 * model objects; map objects (TY_MAP) compare keys pairwise up to
 * MAP_PAIRWISE entries and sort beyond that.  Objects that are not read
 * (the value of an unknown field, a value of the wrong type) are reported
 * as a whole and not searched for duplicates.
 *
 * What this file does not do: use floating point (numbers are read from
 * their text), accept null for an optional field (null is a wrong type;
 * leave the field out to get its default), or allocate anything beyond
 * the token array, the records and lists, decoded strings that contain
 * escapes, a sort buffer for large maps, and the problem list.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/json_in.h"
#include "io/json_fast.h"
#include "io/json_lex.h"
#include "io/json_want.h"
#include "base/suggest.h"
#include "eval/date.h"
#include "eval/decimal.h"

#define PATH_CAP 2048      /* pointer and path of one problem */
#define SEG_CAP (JSON_MAX_DEPTH + 2)
#define KEY_CAP 256        /* decoded key buffer; longer keys match no field */
#define KEY_SHOWN 128      /* key bytes written into a pointer or path */
#define GOT_SHOWN 40       /* bytes of offending JSON quoted in a detail */
#define DETAIL_CAP 768
#define DESC_CAP 320
#define MAP_PAIRWISE 32    /* maps up to this size check duplicates pairwise */
#define STR_(x) #x
#define STR(x) STR_(x)

/* One step of the current place: a key, or an array index (key NULL). */
typedef struct seg {
    const char *key;
    uint32_t n;               /* key length, or the index */
    int cut;                  /* the key was shortened by key_read */
} seg;

typedef struct jin {
    const char *text;
    size_t len;
    json_tok *tok;
    int ntok;
    arena *pool;
    json_errors *errs;
    int stop;                 /* JSON_MAX_ERRORS reached or out of memory */
    const char *prefix;
    int nseg;                 /* the current place: prefix + seg[0..nseg) */
    seg seg[SEG_CAP];
    size_t plen, hlen;        /* used bytes of ptr and path */
    char ptr[PATH_CAP];       /* scratch: JSON Pointer of a problem */
    char path[PATH_CAP];      /* scratch: the same for people */
} jin;

typedef int mark;

typedef struct jkey {
    const char *s;            /* decoded key */
    size_t n;
    int cut;                  /* longer than KEY_CAP: matches nothing */
    char buf[KEY_CAP];
} jkey;

/* ------------------------------------------------------------------ */
/* Paths and problems                                                  */
/* ------------------------------------------------------------------ */

static void put(char *buf, size_t *len, const char *s, size_t n)
{
    if (n > PATH_CAP - *len)
        n = PATH_CAP - *len;
    memcpy(buf + *len, s, n);
    *len += n;
}

static void put_ptr_byte(jin *c, char ch)
{
    if (ch == '~')
        put(c->ptr, &c->plen, "~0", 2);
    else if (ch == '/')
        put(c->ptr, &c->plen, "~1", 2);
    else
        put(c->ptr, &c->plen, &ch, 1);
}

static void put_path_byte(jin *c, char ch)
{
    if ((unsigned char)ch < 0x20 || ch == 0x7f)
        ch = '?';
    put(c->path, &c->hlen, &ch, 1);
}

/* Length of s[0..n) cut to at most max bytes without splitting a UTF-8
 * sequence. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* Appends a key to ptr and path; `cut` says k is already shortened. */
static void put_key(jin *c, const char *k, size_t n, int cut)
{
    size_t shown = utf8_cut(k, n, KEY_SHOWN);
    put(c->ptr, &c->plen, "/", 1);
    if (c->hlen > 0)
        put(c->path, &c->hlen, ".", 1);
    for (size_t i = 0; i < shown; i++) {
        put_ptr_byte(c, k[i]);
        put_path_byte(c, k[i]);
    }
    if (shown < n || cut) {
        put(c->ptr, &c->plen, "...", 3);
        put(c->path, &c->hlen, "...", 3);
    }
}

static void put_index(jin *c, uint32_t i)
{
    char b[16];
    int n = snprintf(b, sizeof b, "/%u", i);
    put(c->ptr, &c->plen, b, (size_t)n);
    n = snprintf(b, sizeof b, "[%u]", i);
    put(c->path, &c->hlen, b, (size_t)n);
}

/* The walk only notes where it is; ptr and path are written out when a
 * problem is recorded (render), which keeps the valid case cheap.  The
 * stack cannot overflow (the walk follows the nesting bounded by the
 * tokenizer); if it could, extra steps would be left out, not overrun. */
static mark push_key(jin *c, const char *k, size_t n, int cut)
{
    mark m = c->nseg;
    if (m < SEG_CAP)
        c->seg[c->nseg++] = (seg){ k, (uint32_t)n, cut };
    return m;
}

static mark push_index(jin *c, uint32_t i)
{
    mark m = c->nseg;
    if (m < SEG_CAP)
        c->seg[c->nseg++] = (seg){ NULL, i, 0 };
    return m;
}

static void pop(jin *c, mark m)
{
    c->nseg = m;
}

/* "/input/a~1b/0" -> "input.a/b[0]"; "input." -> "/input", "input". */
static void set_prefix(jin *c, const char *prefix)
{
    if (!prefix || !*prefix)
        return;
    if (prefix[0] != '/') {
        size_t n = strlen(prefix);
        if (prefix[n - 1] == '.')
            n--;
        put_key(c, prefix, n, 0);
        return;
    }
    put(c->ptr, &c->plen, prefix, strlen(prefix));
    for (const char *s = prefix; *s == '/'; ) {
        const char *e = strchr(s + 1, '/');
        size_t n = e ? (size_t)(e - s - 1) : strlen(s + 1);
        int numeric = n > 0 && strspn(s + 1, "0123456789") >= n;
        if (numeric && c->hlen > 0) {
            put(c->path, &c->hlen, "[", 1);
            put(c->path, &c->hlen, s + 1, n);
            put(c->path, &c->hlen, "]", 1);
        } else {
            if (c->hlen > 0)
                put(c->path, &c->hlen, ".", 1);
            for (size_t i = 1; i <= n; i++) {
                char ch = s[i];
                if (ch == '~' && i < n && (s[i + 1] == '0' || s[i + 1] == '1'))
                    ch = s[++i] == '0' ? '~' : '/';
                put_path_byte(c, ch);
            }
        }
        s += n + 1;
    }
}

static void render(jin *c)
{
    c->plen = c->hlen = 0;
    set_prefix(c, c->prefix);
    for (int i = 0; i < c->nseg; i++) {
        const seg *g = &c->seg[i];
        if (g->key)
            put_key(c, g->key, g->n, g->cut);
        else
            put_index(c, g->n);
    }
}

/* Records a problem at the current place.  Past JSON_MAX_ERRORS it only
 * sets `truncated` and stops the walk. */
static void problem(jin *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void problem(jin *c, const char *fmt, ...)
{
    json_errors *e = c->errs;
    if (e->n == JSON_MAX_ERRORS) {
        e->truncated = 1;
        c->stop = 1;
        return;
    }
    char detail[DETAIL_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    json_problem *p = &e->items[e->n];
    render(c);
    p->pointer = arena_strndup(c->pool, c->ptr, c->plen);
    p->path = arena_strndup(c->pool, c->path, c->hlen);
    p->detail = arena_strndup(c->pool, detail, strlen(detail));
    if (!p->pointer || !p->path || !p->detail) {
        c->stop = 1;
        return;
    }
    e->n++;
}

static json_status fail_at(jin *c, json_status st, size_t off, const char *what)
{
    c->errs->offset = off;
    problem(c, "%s at byte %zu", what, off);
    return c->pool->failed ? JSON_E_NOMEM : st;
}

/* ------------------------------------------------------------------ */
/* Tokens (json_lex.c)                                                 */
/* ------------------------------------------------------------------ */

static int is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Where token t's JSON text starts: a string's at its opening quote. */
static size_t tok_lex_start(const json_tok *t)
{
    return (size_t)t->start - (t->type == JT_STRING);
}

/* Index of the first token after the subtree at i. */
static int tok_skip(const jin *c, int i)
{
    return (int)c->tok[i].next;
}

/* ------------------------------------------------------------------ */
/* The model walk                                                      */
/* ------------------------------------------------------------------ */

/* The string at token i: a pointer into the text unless it has escapes
 * (the tokenizer noted them in `size`), then a decoded copy in the arena.
 * Returns 0 when out of memory. */
static int tok_string(jin *c, int i, const char **s, size_t *n)
{
    const json_tok *t = &c->tok[i];
    const char *raw = c->text + t->start;
    size_t rn = (size_t)(t->end - t->start);
    if (!t->size) {
        *s = raw;
        *n = rn;
        return 1;
    }
    char *buf = arena_alloc(c->pool, rn + 1);
    if (!buf) {
        c->stop = 1;
        return 0;
    }
    *n = json_unescape(raw, rn, buf);
    *s = buf;
    return 1;
}

static void key_read(const jin *c, int i, jkey *k)
{
    const json_tok *t = &c->tok[i];
    const char *raw = c->text + t->start;
    size_t rn = (size_t)(t->end - t->start);
    k->cut = 0;
    if (!t->size) {
        k->s = raw;
        k->n = rn;
        return;
    }
    if (rn > KEY_CAP) {            /* decoded may still fit, but cut is safe */
        rn = KEY_CAP;
        k->cut = 1;
        while (rn > 0 && raw[rn - 1] == '\\')
            rn--;
    }
    k->n = json_unescape(raw, rn, k->buf);
    k->s = k->buf;
}

/* Up to GOT_SHOWN bytes of the JSON text of token i, for "got ...". */
static void got_text(const jin *c, int i, char *out, size_t cap)
{
    const json_tok *t = &c->tok[i];
    size_t a = tok_lex_start(t);
    size_t b = (size_t)t->end + (t->type == JT_STRING);
    size_t n = utf8_cut(c->text + a, b - a, GOT_SHOWN);
    if (n + 4 > cap)
        n = 0;
    for (size_t k = 0; k < n; k++) {
        char ch = c->text[a + k];
        out[k] = is_ws(ch) ? ' ' : ch;
    }
    strcpy(out + n, n < b - a ? "..." : "");
}

/* "expected <what t wants>, got <the JSON at i>" */
static void type_problem(jin *c, int i, const ty *t, const field_def *f)
{
    char want[DESC_CAP], got[GOT_SHOWN + 8];
    json_describe(t, f, want, sizeof want);
    got_text(c, i, got, sizeof got);
    problem(c, "expected %s, got %s", want, got);
}

static void read_bool(jin *c, int i, const ty *t, const field_def *f, ev_cell *out)
{
    const json_tok *k = &c->tok[i];
    if (k->type != JT_TRUE && k->type != JT_FALSE)
        type_problem(c, i, t, f);
    else
        out->i = k->type == JT_TRUE;
}

static void read_int(jin *c, int i, const ty *t, const field_def *f, ev_cell *out)
{
    const json_tok *k = &c->tok[i];
    const char *s = c->text + k->start;
    size_t n = (size_t)(k->end - k->start);
    int64_t v;
    if (k->type != JT_NUMBER || k->size || !json_parse_i64(s, n, &v) || !json_in_bounds(f, v))
        type_problem(c, i, t, f);
    else
        out->i = v;
}

/* "expected <what t wants> <how>, got <the JSON at i>": a number whose
 * writing, not its value, is wrong. */
static void number_problem(jin *c, int i, const ty *t, const field_def *f, const char *how)
{
    char want[DESC_CAP], got[GOT_SHOWN + 8];
    json_describe(t, f, want, sizeof want);
    got_text(c, i, got, sizeof got);
    problem(c, "expected %s %s, got %s", want, how, got);
}

/* True when s[0..n) would be a number without its ',' separators. */
static int num_scan_separated(const char *s, size_t n)
{
    char plain[64];
    size_t o = 0;
    for (size_t k = 0; k < n; k++) {
        if (s[k] == ',') continue;
        if (o + 1 >= sizeof plain) return 0;
        plain[o++] = s[k];
    }
    int flags;
    return o > 0 && json_number_scan(plain, o, &flags);
}

static void read_decimal(jin *c, int i, const ty *t, const field_def *f, ev_cell *out)
{
    const json_tok *k = &c->tok[i];
    const char *s = c->text + k->start;
    size_t n = (size_t)(k->end - k->start);
    int flags = 0, places = t->kind == TY_MONEY ? 2 : DEC_PLACES;
    int64_t v = 0;
    if (k->type == JT_STRING && !tok_string(c, i, &s, &n))
        return;
    if (k->type == JT_NUMBER)
        flags = (int)k->size;          /* the tokenizer has scanned it */
    else if (k->type != JT_STRING || !json_number_scan(s, n, &flags)) {
        if (k->type == JT_STRING && memchr(s, ',', n) && num_scan_separated(s, n))
            number_problem(c, i, t, f, "written without thousands separators (such as 1000.00)");
        else
            type_problem(c, i, t, f);
        return;
    }
    dec_status r = flags & JSON_NUM_EXP ? DEC_E_SYNTAX : dec_parse(s, n, &v);
    if (flags & JSON_NUM_EXP) {
        number_problem(c, i, t, f, "written without an exponent (such as 1000.00)");
    } else if (r == DEC_E_PRECISION || (r == DEC_OK && !dec_fits_places(v, places))) {
        char got[GOT_SHOWN + 8];
        got_text(c, i, got, sizeof got);
        problem(c, "expected %s with at most %d decimals, got %s", json_kind_name(t), places, got);
    } else if (r == DEC_E_RANGE && s[0] != '-') {
        /* the largest amount with `places` decimals that an int64 holds */
        int64_t unit = 1;
        for (int d = places; d < DEC_PLACES; d++) unit *= 10;
        char most[40], what[64];
        dec_format(INT64_MAX - INT64_MAX % unit, places, most);
        snprintf(what, sizeof what, "up to %s", most);
        number_problem(c, i, t, f, what);
    } else if (r != DEC_OK || !json_in_bounds(f, v)) {
        type_problem(c, i, t, f);
    } else {
        out->i = v;
    }
}

static void read_text(jin *c, int i, const ty *t, const field_def *f, ev_cell *out)
{
    const char *s;
    size_t n;
    if (c->tok[i].type != JT_STRING) {
        type_problem(c, i, t, f);
        return;
    }
    if (!tok_string(c, i, &s, &n))
        return;
    if (!json_in_bounds(f, (int64_t)json_code_points(s, n))) {
        type_problem(c, i, t, f);
        return;
    }
    out->s.ptr = s;
    out->s.len = (uint32_t)n;
}

static void read_enum(jin *c, int i, const ty *t, const field_def *f, ev_cell *out)
{
    const char *s;
    size_t n;
    int v = -1;
    if (c->tok[i].type == JT_STRING) {
        if (!tok_string(c, i, &s, &n))
            return;
        v = enum_value(t->en, s, n);
    }
    if (v < 0)
        type_problem(c, i, t, f);
    else
        out->i = v;
}

#define DATE_RANGE_TEXT "from " STR(DATE_MIN_YEAR) "-01-01 to " STR(DATE_MAX_YEAR) "-12-31"

/* True when s[0..n) is shaped YYYY-MM-DD with a year eligo does not
 * count days in (date.h). */
static int year_outside(const char *s, size_t n)
{
    if (n != 10 || s[4] != '-' || s[7] != '-') return 0;
    int y = 0;
    for (int k = 0; k < 4; k++) {
        if (s[k] < '0' || s[k] > '9') return 0;
        y = y * 10 + (s[k] - '0');
    }
    return y < DATE_MIN_YEAR || y > DATE_MAX_YEAR;
}

static void read_date(jin *c, int i, const ty *t, const field_def *f, ev_cell *out)
{
    const char *s;
    size_t n;
    int64_t v;
    int ok = 0;
    if (c->tok[i].type == JT_STRING) {
        if (!tok_string(c, i, &s, &n))
            return;
        ok = date_parse(s, n, &v) == 0 && json_in_bounds(f, v);
    }
    if (!ok && c->tok[i].type == JT_STRING && year_outside(s, n))
        number_problem(c, i, t, f, DATE_RANGE_TEXT);
    else if (!ok)
        type_problem(c, i, t, f);
    else
        out->i = v;
}

static int walk_value(jin *c, int i, const ty *t, const field_def *f, ev_cell *out);

static void read_scalar(jin *c, int i, const ty *t, const field_def *f, ev_cell *out)
{
    switch (t->kind) {
    case TY_BOOL: read_bool(c, i, t, f, out); break;
    case TY_INT: read_int(c, i, t, f, out); break;
    case TY_DECIMAL: case TY_MONEY: case TY_NUMBER: read_decimal(c, i, t, f, out); break;
    case TY_TEXT: read_text(c, i, t, f, out); break;
    case TY_ENUM: read_enum(c, i, t, f, out); break;
    case TY_DATE: read_date(c, i, t, f, out); break;
    default: problem(c, "field of type %s cannot be read from JSON", json_kind_name(t));
    }
}

static void unknown_field(jin *c, int i, const jkey *k, const entity_def *e, const char *only)
{
    char got[GOT_SHOWN + 8];
    suggestion near;
    suggest_init(&near);
    if (only)
        suggest_consider(&near, k->s, k->n, only);
    for (uint32_t f = 0; e && f < e->nfields; f++)
        suggest_consider(&near, k->s, k->n, e->fields[f].name);
    got_text(c, i, got, sizeof got);
    if (near.best)
        problem(c, "unknown field %s (did you mean \"%s\"?)", got, near.best);
    else
        problem(c, "unknown field %s", got);
}

static int key_is(const jkey *k, const char *name)
{
    size_t i = 0;
    if (k->cut)
        return 0;
    while (i < k->n && name[i] && name[i] == k->s[i])
        i++;
    return i == k->n && name[i] == '\0';
}

/* Field position by key: through the entity's perfect hash of its field
 * names (model.h), built when the model compiled; in an entity without
 * one, a search starting after the last match since portals usually send
 * fields in declaration order.  -1 when unknown. */
static long field_find(const entity_def *e, const jkey *k, uint32_t *hint)
{
    if (e->keys)
        return k->cut ? -1 : entity_key_find(e, k->s, k->n);
    uint32_t i = *hint;
    for (uint32_t n = 0; n < e->nfields; n++, i++) {
        if (i >= e->nfields)
            i = 0;
        const char *name = e->fields[i].name;
        if (k->n > 0 && name[0] == k->s[0] && key_is(k, name)) {
            *hint = i + 1;
            return (long)i;
        }
    }
    return -1;
}

static int walk_member(jin *c, int j, const entity_def *e, ev_cell *rec,
                       uint64_t *seen, uint32_t *hint)
{
    jkey k;
    key_read(c, j, &k);
    mark m = push_key(c, k.s, k.n, k.cut);
    long fi = field_find(e, &k, hint);
    int next;
    if (fi < 0) {
        unknown_field(c, j, &k, e, NULL);
        next = tok_skip(c, j + 1);
    } else if (seen[fi / 64] >> (fi % 64) & 1) {
        problem(c, "duplicate key");
        next = tok_skip(c, j + 1);
    } else {
        const field_def *f = &e->fields[fi];
        seen[fi / 64] |= (uint64_t)1 << (fi % 64);
        next = f->index < e->nfields ? walk_value(c, j + 1, f->type, f, &rec[f->index])
                                     : tok_skip(c, j + 1);
    }
    pop(c, m);
    return next;
}

static void fill_missing(jin *c, const entity_def *e, ev_cell *rec, const uint64_t *seen)
{
    for (uint32_t i = 0; i < e->nfields && !c->stop; i++) {
        const field_def *f = &e->fields[i];
        if (seen[i / 64] >> (i % 64) & 1)
            continue;
        if (f->required) {
            mark m = push_key(c, f->name, strlen(f->name), 0);
            problem(c, "missing required field");
            pop(c, m);
        } else if (f->index < e->nfields) {
            rec[f->index] = f->def;
        }
    }
}

/* Fills rec (e->nfields cells) from the object at token i, or reports
 * that it is not an object.  Returns the next token. */
static int walk_record(jin *c, int i, const ty *t, const entity_def *e, ev_cell *rec)
{
    const json_tok *o = &c->tok[i];
    if (o->type != JT_OBJECT) {
        type_problem(c, i, t, NULL);
        return tok_skip(c, i);
    }
    uint64_t small[4] = { 0 }, *seen = small;
    size_t words = (e->nfields + 63) / 64;
    if (words > 4 && !(seen = arena_alloc(c->pool, words * sizeof *seen))) {
        c->stop = 1;
        return tok_skip(c, i);
    }
    uint32_t hint = 0;
    int j = i + 1;
    for (int k = 0; k < (int)o->size && !c->stop; k++)
        j = walk_member(c, j, e, rec, seen, &hint);
    fill_missing(c, e, rec, seen);
    return j;
}

static ev_cell *alloc_cells(jin *c, size_t n)
{
    ev_cell *cells = n ? arena_alloc(c->pool, n * sizeof *cells) : NULL;
    if (n && !cells)
        c->stop = 1;
    return cells;
}

static int walk_entity(jin *c, int i, const ty *t, ev_cell *out)
{
    ev_cell *rec = alloc_cells(c, t->ent->nfields);
    if (c->stop)
        return tok_skip(c, i);
    out->rec = rec;
    return walk_record(c, i, t, t->ent, rec);
}

/* Element count of the container at i, checked against the field's
 * bounds; -1 (after reporting) when it is not of type `want` or out of
 * bounds. */
static long walk_count(jin *c, int i, json_type want, const ty *t, const field_def *f)
{
    const json_tok *a = &c->tok[i];
    if (a->type != want) {
        type_problem(c, i, t, f);
        return -1;
    }
    if (!json_in_bounds(f, a->size)) {
        char d[DESC_CAP];
        json_describe(t, f, d, sizeof d);
        problem(c, "expected %s, got %u %s", d, a->size,
                want == JT_ARRAY ? "elements" : "entries");
        return -1;
    }
    return a->size;
}

static int walk_list(jin *c, int i, const ty *t, const field_def *f, ev_cell *out)
{
    long n = walk_count(c, i, JT_ARRAY, t, f);
    if (n < 0)
        return tok_skip(c, i);
    const ty *el = t->elem;
    uint32_t stride = el->kind == TY_ENTITY ? el->ent->nfields : 1;
    ev_cell *cells = alloc_cells(c, (size_t)n * stride);
    int j = i + 1;
    for (long k = 0; k < n && !c->stop; k++) {
        mark m = push_index(c, (uint32_t)k);
        ev_cell *cell = cells + (size_t)k * stride;
        j = el->kind == TY_ENTITY ? walk_record(c, j, el, el->ent, cell)
                                  : walk_value(c, j, el, NULL, cell);
        pop(c, m);
    }
    out->l.base = cells;
    out->l.n = (uint32_t)n;
    out->l.stride = stride;
    return j;
}

typedef struct map_key { const char *s; size_t n; uint32_t at; } map_key;

static int map_key_cmp(const void *pa, const void *pb)
{
    const map_key *a = pa, *b = pb;
    size_t n = a->n < b->n ? a->n : b->n;
    int r = memcmp(a->s, b->s, n);
    if (r || a->n != b->n)
        return r ? r : a->n < b->n ? -1 : 1;
    return a->at < b->at ? -1 : 1;
}

static void map_dup_problem(jin *c, const ev_cell *key)
{
    mark m = push_key(c, key->s.ptr, key->s.len, 0);
    problem(c, "duplicate key");
    pop(c, m);
}

/* Duplicate keys of a map (pairs at cells, stride 2). */
static void map_dups(jin *c, const ev_cell *cells, uint32_t n)
{
    if (n <= MAP_PAIRWISE) {
        for (uint32_t a = 1; a < n; a++)
            for (uint32_t b = 0; b < a; b++)
                if (cells[2 * a].s.len == cells[2 * b].s.len &&
                    !memcmp(cells[2 * a].s.ptr, cells[2 * b].s.ptr, cells[2 * a].s.len)) {
                    map_dup_problem(c, &cells[2 * a]);
                    break;
                }
        return;
    }
    map_key *keys = arena_alloc(c->pool, n * sizeof *keys);
    if (!keys) {
        c->stop = 1;
        return;
    }
    for (uint32_t k = 0; k < n; k++)
        keys[k] = (map_key){ cells[2 * k].s.ptr, cells[2 * k].s.len, k };
    qsort(keys, n, sizeof *keys, map_key_cmp);
    for (uint32_t k = 1; k < n; k++)
        if (keys[k].n == keys[k - 1].n && !memcmp(keys[k].s, keys[k - 1].s, keys[k].n))
            map_dup_problem(c, &cells[2 * keys[k].at]);
}

static int walk_map(jin *c, int i, const ty *t, const field_def *f, ev_cell *out)
{
    long n = walk_count(c, i, JT_OBJECT, t, f);
    if (n < 0)
        return tok_skip(c, i);
    ev_cell *cells = alloc_cells(c, (size_t)n * 2);
    int j = i + 1;
    for (long k = 0; k < n && !c->stop; k++) {
        const char *s;
        size_t sn;
        if (!tok_string(c, j, &s, &sn))
            break;
        cells[2 * k].s.ptr = s;
        cells[2 * k].s.len = (uint32_t)sn;
        mark m = push_key(c, s, sn, 0);
        j = walk_value(c, j + 1, t->elem, NULL, &cells[2 * k + 1]);
        pop(c, m);
    }
    if (!c->stop)
        map_dups(c, cells, (uint32_t)n);
    out->l.base = cells;
    out->l.n = (uint32_t)n;
    out->l.stride = 2;
    return j;
}

/* Reads the value at token i as type t into *out (f gives the bounds,
 * NULL inside lists and maps).  Returns the next token. */
static int walk_value(jin *c, int i, const ty *t, const field_def *f, ev_cell *out)
{
    switch (t->kind) {
    case TY_ENTITY: return walk_entity(c, i, t, out);
    case TY_LIST: return walk_list(c, i, t, f, out);
    case TY_MAP: return walk_map(c, i, t, f, out);
    default:
        read_scalar(c, i, t, f, out);
        return tok_skip(c, i);
    }
}

/* The input object: exactly one key, the root entity's name. */
static ev_cell *walk_root(jin *c, const entity_def *root)
{
    const json_tok *o = &c->tok[0];
    ty rt = { .kind = TY_ENTITY, .ent = root };
    ev_cell *rec = NULL;
    int seen = 0, j = 1;
    if (o->type != JT_OBJECT) {
        char got[GOT_SHOWN + 8];
        got_text(c, 0, got, sizeof got);
        problem(c, "expected object {\"%s\": {...}}, got %s", root->name, got);
        return NULL;
    }
    for (int k = 0; k < (int)o->size && !c->stop; k++) {
        jkey key;
        key_read(c, j, &key);
        mark m = push_key(c, key.s, key.n, key.cut);
        if (key_is(&key, root->name) && !seen) {
            seen = 1;
            rec = alloc_cells(c, root->nfields);
            j = c->stop ? j + 1 : walk_record(c, j + 1, &rt, root, rec);
        } else {
            if (seen && key_is(&key, root->name))
                problem(c, "duplicate key");
            else
                unknown_field(c, j, &key, NULL, root->name);
            j = tok_skip(c, j + 1);
        }
        pop(c, m);
    }
    if (!seen && !c->stop) {
        mark m = push_key(c, root->name, strlen(root->name), 0);
        problem(c, "missing required field");
        pop(c, m);
    }
    return rec;
}

/* The tokens of text (strict syntax, limits) into a fresh context; a
 * problem found there is recorded with its byte offset. */
static json_status lex_and_check(jin *c, const char *text, size_t len, const char *prefix,
                                 arena *pool, json_errors *errs)
{
    json_lexed lx;
    /* Field by field, not memset: the scratch ptr, path and seg arrays
     * (some 5 KB) are written before they are read. */
    c->stop = 0;
    c->nseg = 0;
    c->plen = c->hlen = 0;
    c->text = text;
    c->len = len;
    c->pool = pool;
    c->errs = errs;
    c->prefix = prefix;
    errs->n = 0;
    errs->offset = 0;
    errs->truncated = 0;
    json_status st = json_lex(text, len, &json_request_limits, pool, &lx);
    c->tok = lx.tok;
    c->ntok = (int)lx.ntok;
    if (st == JSON_E_NOMEM || st == JSON_OK)
        return st;
    return fail_at(c, st, lx.at, lx.what);
}

json_status json_input_parse(const char *text, size_t len, const entity_def *root,
                             const char *prefix, arena *pool, ev_cell **out,
                             json_errors *errs)
{
    *out = NULL;
    if (json_input_fast(text, len, root, pool, out)) {
        errs->n = 0;
        errs->offset = 0;
        errs->truncated = 0;
        return JSON_OK;
    }
    return json_input_parse_tokens(text, len, root, prefix, pool, out, errs);
}

json_status json_input_parse_tokens(const char *text, size_t len, const entity_def *root,
                                    const char *prefix, arena *pool, ev_cell **out,
                                    json_errors *errs)
{
    jin c;
    *out = NULL;
    json_status st = lex_and_check(&c, text, len, prefix, pool, errs);
    if (st != JSON_OK)
        return st;
    ev_cell *rec = walk_root(&c, root);
    if (pool->failed)
        return JSON_E_NOMEM;
    if (errs->n > 0 || errs->truncated)
        return JSON_E_INVALID;
    *out = rec;
    return JSON_OK;
}

json_status json_syntax_check(const char *text, size_t len, arena *pool, json_errors *errs)
{
    jin c;
    return lex_and_check(&c, text, len, "", pool, errs);
}

json_status json_lex_request(const char *text, size_t len, arena *pool, json_errors *errs,
                             json_tok **tok, uint32_t *ntok)
{
    jin c;
    json_status st = lex_and_check(&c, text, len, "", pool, errs);
    *tok = c.tok;
    *ntok = st == JSON_OK ? (uint32_t)c.ntok : 0;
    return st;
}

int json_members(const char *text, size_t len, arena *pool, json_member **out, size_t *n)
{
    jin c;
    json_errors errs;
    *out = NULL;
    *n = 0;
    if (lex_and_check(&c, text, len, "", pool, &errs) != JSON_OK || c.ntok < 1 ||
        c.tok[0].type != JT_OBJECT)
        return -1;
    json_member *m = arena_alloc(pool, sizeof *m * (size_t)(c.tok[0].size + 1));
    if (!m) return -1;
    for (int i = 1; i + 1 < c.ntok; i = tok_skip(&c, i + 1)) {
        const json_tok *k = &c.tok[i], *v = &c.tok[i + 1];
        m[*n].key = text + k->start;
        m[*n].key_len = (size_t)(k->end - k->start);
        m[*n].value = text + tok_lex_start(v);
        m[*n].value_len = (size_t)v->end + (v->type == JT_STRING) - tok_lex_start(v);
        (*n)++;
    }
    *out = m;
    return 0;
}

int json_member_string(const json_member *m, arena *pool, const char **s, size_t *n)
{
    if (m->value_len < 2 || m->value[0] != '"') return -1;
    const char *raw = m->value + 1;
    size_t rn = m->value_len - 2;
    char *out = arena_alloc(pool, rn + 1);
    if (!out) return -1;
    *n = json_unescape(raw, rn, out);
    out[*n] = 0;
    if (memchr(out, 0, *n)) return -1;
    *s = out;
    return 0;
}

void json_errors_print(const json_errors *errs, FILE *out)
{
    for (size_t i = 0; i < errs->n; i++) {
        const json_problem *p = &errs->items[i];
        fprintf(out, "%s: %s\n", p->path && *p->path ? p->path : "(input)", p->detail);
    }
    if (errs->truncated)
        fprintf(out, "(more problems not listed)\n");
}
