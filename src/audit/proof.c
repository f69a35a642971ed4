/*
 * proof.c - re-deriving an explanation's steps from its JSON (proof.h).
 *
 * The text is tokenised once (io/json_lex.h); the checker then walks the
 * tokens: each step's `calc` tree bottom-up, each node's operands first,
 * then the node's own operation recomputed from the operands' stated
 * values and compared with its stated value.  Values are read back as
 * they are written: money and decimals as exact decimal strings, dates
 * as YYYY-MM-DD, ints and bools bare, enums and texts as strings.
 *
 * What this file does not do: load a policy, evaluate anything, or trust
 * a stated result it can recompute.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/proof.h"
#include "io/json_lex.h"
#include "eval/date.h"
#include "eval/decimal.h"

typedef enum pv_kind { PV_NUM, PV_DATE, PV_BOOL, PV_TEXT, PV_NULL, PV_OTHER } pv_kind;

/* A value read back: numbers in millionths, dates in days, bools 0/1;
 * texts and anything else by their bytes. */
typedef struct pv {
    pv_kind k;
    int64_t v;
    const char *s;
    int n;
} pv;

typedef struct pf {
    const char *js;
    json_tok *t;
    int nt;
    char *why;
    size_t whylen;
    int step;          /* the step being checked (its object token) */
    int depth;         /* of the calculation being checked (bounded) */
    int steps;         /* the steps array */
    int params;        /* the step's parameters array */
    int *name, *value; /* the steps checked so far: their name and value tokens */
    int ndone;
} pf;

/* ---- tokens ----------------------------------------------------------- */

/* The token after i and everything inside it. */
static int skip(const pf *p, int i)
{
    return (int)p->t[i].next;
}

static int tok_is(const pf *p, int i, const char *s)
{
    if (i < 0) return 0;
    int n = p->t[i].end - p->t[i].start;
    return (int)strlen(s) == n && memcmp(p->js + p->t[i].start, s, (size_t)n) == 0;
}

static int tok_same(const pf *p, int i, int j)
{
    if (i < 0 || j < 0) return 0;
    int n = p->t[i].end - p->t[i].start;
    return n == (int)(p->t[j].end - p->t[j].start) && memcmp(p->js + p->t[i].start, p->js + p->t[j].start, (size_t)n) == 0;
}

/* The value of member k of object obj, or -1. */
static int member(const pf *p, int obj, const char *k)
{
    if (obj < 0 || p->t[obj].type != JT_OBJECT) return -1;
    int i = obj + 1;
    for (int m = 0; m < (int)p->t[obj].size; m++) {
        if (tok_is(p, i, k)) return i + 1;
        i = skip(p, i + 1);
    }
    return -1;
}

/* Element k of array a, or -1. */
static int element(const pf *p, int a, int k)
{
    if (a < 0 || p->t[a].type != JT_ARRAY || k >= (int)p->t[a].size) return -1;
    int i = a + 1;
    while (k-- > 0) i = skip(p, i);
    return i;
}

static int count(const pf *p, int a)
{
    return a >= 0 && p->t[a].type == JT_ARRAY ? (int)p->t[a].size : 0;
}

static pv value_of(const pf *p, int i)
{
    pv r = {PV_OTHER, 0, "", 0};
    if (i < 0) { r.k = PV_NULL; return r; }
    const json_tok *t = &p->t[i];
    r.s = p->js + t->start;
    r.n = (int)(t->end - t->start);
    if (t->type == JT_TRUE || t->type == JT_FALSE) {
        r.k = PV_BOOL;
        r.v = t->type == JT_TRUE;
    } else if (t->type == JT_NULL) {
        r.k = PV_NULL;
    } else if (t->type == JT_NUMBER) {
        if (dec_parse(r.s, (size_t)r.n, &r.v) == DEC_OK) r.k = PV_NUM;
    } else if (t->type == JT_STRING) {
        if (r.n == 10 && r.s[4] == '-' && date_parse(r.s, 10, &r.v) == 0) r.k = PV_DATE;
        else if (dec_parse(r.s, (size_t)r.n, &r.v) == DEC_OK) r.k = PV_NUM;
        else r.k = PV_TEXT;
    }
    return r;
}

static int same(pv a, pv b)
{
    if (a.k != b.k) return 0;
    if (a.k == PV_TEXT || a.k == PV_OTHER) return a.n == b.n && memcmp(a.s, b.s, (size_t)a.n) == 0;
    return a.k == PV_NULL || a.v == b.v;
}

/* ---- messages --------------------------------------------------------- */

static int fail(pf *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(pf *p, const char *fmt, ...)
{
    int at = 0;
    int name = member(p, p->step, "name");
    if (name >= 0)
        at = snprintf(p->why, p->whylen, "step %.*s: ", p->t[name].end - p->t[name].start, p->js + p->t[name].start);
    if (at < 0 || (size_t)at >= p->whylen) at = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->why + at, p->whylen - (size_t)at, fmt, ap);
    va_end(ap);
    return -1;
}

/* Token i's text as "%.*s" arguments, for messages ("?" when absent). */
static int shown_len(const pf *p, int i) { return i < 0 ? 1 : p->t[i].end - p->t[i].start; }
static const char *shown(const pf *p, int i) { return i < 0 ? "?" : p->js + p->t[i].start; }
#define SHOWN(p, i) shown_len(p, i), shown(p, i)

/* ---- nodes ------------------------------------------------------------ */

static int node(pf *p, int i, pv *out);

/* The stated values of node i's operands (its args), each checked. */
static int operands(pf *p, int i, pv *v, int want)
{
    int args = member(p, i, "args");
    int op = member(p, i, "op");
    if (count(p, args) != want)
        return fail(p, "%.*s has %d operands, not %d", SHOWN(p, op), count(p, args), want);
    for (int k = 0, e = args + 1; k < want; k++, e = skip(p, e))
        if (node(p, e, &v[k])) return -1;
    return 0;
}

static int need(pf *p, int i, pv v, pv_kind k, const char *what)
{
    if (v.k == k) return 0;
    int op = member(p, i, "op");
    return fail(p, "%.*s: operand %.*s is not %s", SHOWN(p, op), v.n, v.s ? v.s : "", what);
}

/* The result of arithmetic op on a and b, or -1 with a message. */
static int arith(pf *p, int i, pv a, pv b, pv *r)
{
    int op = member(p, i, "op");
    if (need(p, i, a, PV_NUM, "a number") || need(p, i, b, PV_NUM, "a number")) return -1;
    dec_status st = DEC_OK;
    r->k = PV_NUM;
    if (tok_is(p, op, "add")) st = dec_add(a.v, b.v, &r->v);
    else if (tok_is(p, op, "sub")) st = dec_sub(a.v, b.v, &r->v);
    else if (tok_is(p, op, "mul")) st = dec_mul(a.v, b.v, &r->v);
    else if (tok_is(p, op, "div")) st = dec_div(a.v, b.v, &r->v);
    if (st != DEC_OK) return fail(p, "%.*s of %.*s and %.*s fails", SHOWN(p, op), a.n, a.s, b.n, b.s);
    return 0;
}

/* min or max of two numbers, or of two dates (the earliest, the latest:
 * `max(as_of, 2020-01-01)`), into *r; -1 with a message. */
static int min_max(pf *p, int i, pv a, pv b, pv *r)
{
    int op = member(p, i, "op");
    pv_kind k = a.k == PV_DATE && b.k == PV_DATE ? PV_DATE : PV_NUM;
    const char *what = "a number or a date";
    if (need(p, i, a, k, what) || need(p, i, b, k, what)) return -1;
    r->k = k;
    r->v = tok_is(p, op, "min") ? (a.v < b.v ? a.v : b.v) : (a.v > b.v ? a.v : b.v);
    return 0;
}

static int compare(pf *p, int i, pv a, pv b, pv *r)
{
    int op = member(p, i, "op");
    r->k = PV_BOOL;
    int eq = tok_is(p, op, "eq"), ne = tok_is(p, op, "ne");
    if (eq || ne) {
        if (a.k != b.k) return fail(p, "%.*s compares %.*s with %.*s", SHOWN(p, op), a.n, a.s, b.n, b.s);
        r->v = same(a, b) == eq;
        return 0;
    }
    if (a.k != b.k || (a.k != PV_NUM && a.k != PV_DATE))
        return fail(p, "%.*s compares %.*s with %.*s", SHOWN(p, op), a.n, a.s, b.n, b.s);
    r->v = tok_is(p, op, "lt") ? a.v < b.v : tok_is(p, op, "le") ? a.v <= b.v
         : tok_is(p, op, "gt") ? a.v > b.v : a.v >= b.v;
    return 0;
}

/* A parameter leaf against the step's parameters: the same value, read
 * on a day inside the validity of the version listed. */
static int param(pf *p, int i, pv stated)
{
    int name = member(p, i, "name"), on = member(p, i, "read_on");
    if (name < 0 || on < 0) return fail(p, "a parameter without name or read_on");
    for (int k = 0, e = p->params + 1; k < count(p, p->params); k++, e = skip(p, e)) {
        int n = member(p, e, "name"), r = member(p, e, "read_on");
        if (n < 0 || r < 0 || !tok_same(p, n, name) || !tok_same(p, r, on)) continue;
        pv listed = value_of(p, member(p, e, "value")), day = value_of(p, on);
        if (!same(listed, stated))
            return fail(p, "parameter %.*s read on %.*s is %.*s in the parameters but %.*s in the calculation",
                        SHOWN(p, name), SHOWN(p, on), listed.n, listed.s, stated.n, stated.s);
        pv from = value_of(p, member(p, e, "in_force_from")), until = value_of(p, member(p, e, "in_force_until"));
        if (day.k != PV_DATE || from.k != PV_DATE || day.v < from.v || (until.k == PV_DATE && day.v > until.v))
            return fail(p, "parameter %.*s read on %.*s, outside the validity of the version listed",
                        SHOWN(p, name), SHOWN(p, on));
        int args = member(p, i, "args");
        if (count(p, args) == 1) {
            pv at;
            if (node(p, args + 1, &at)) return -1;
            if (!same(at, day))
                return fail(p, "parameter %.*s is said read on %.*s, but the date computed is %.*s",
                            SHOWN(p, name), SHOWN(p, on), at.n, at.s);
        }
        return 0;
    }
    return fail(p, "parameter %.*s read on %.*s is not in the step's parameters", SHOWN(p, name), SHOWN(p, on));
}

/* A let or output leaf: the value of that earlier step. */
static int earlier_step(pf *p, int i, pv stated)
{
    int name = member(p, i, "name");
    for (int k = 0; k < p->ndone; k++) {
        if (!tok_same(p, p->name[k], name)) continue;
        pv v = value_of(p, p->value[k]);
        if (!same(v, stated))
            return fail(p, "operand %.*s is %.*s, but that step's value is %.*s", SHOWN(p, name), stated.n,
                        stated.s, v.n, v.s);
        return 0;
    }
    return fail(p, "operand %.*s is no earlier step", SHOWN(p, name));
}

/* Element e of an aggregation: a bare value, or {where, value} whose
 * calculations are checked.  *kept says whether the filter kept it. */
static int elem(pf *p, int i, int e, int is_count, pv *v, int *kept)
{
    *kept = 1;
    if (p->t[e].type != JT_OBJECT) { *v = value_of(p, e); return 0; }
    int w = member(p, e, "where"), x = member(p, e, "value");
    if (w >= 0) {
        pv f;
        if (node(p, w, &f) || need(p, i, f, PV_BOOL, "yes or no")) return -1;
        *kept = (int)f.v;
    }
    if (!*kept && x >= 0) return fail(p, "an element the filter left out gives a value");
    if (!*kept || is_count) return 0;
    return node(p, x, v);
}

/* An aggregation recomputed from its elements. */
static int fold(pf *p, int i, pv *r)
{
    int op = member(p, i, "op"), el = member(p, i, "elements");
    int any = tok_is(p, op, "any"), all = tok_is(p, op, "all"), is_count = tok_is(p, op, "count");
    int is_min = tok_is(p, op, "min_of"), is_sum = tok_is(p, op, "sum");
    r->k = any || all ? PV_BOOL : PV_NUM;
    r->v = all ? 1 : 0;
    int n = count(p, el), have = 0;
    for (int k = 0, e = el + 1; k < n; k++, e = skip(p, e)) {
        pv v;
        int kept;
        if (elem(p, i, e, is_count, &v, &kept)) return -1;
        if (!kept) continue;
        if (is_count) {
            if (dec_add(r->v, DEC_SCALE, &r->v) != DEC_OK) return fail(p, "count overflows");
        } else if (any || all) {
            if (need(p, i, v, PV_BOOL, "yes or no")) return -1;
            r->v = any ? r->v || v.v : r->v && v.v;
        } else if (need(p, i, v, PV_NUM, "a number")) {
            return -1;
        } else if (is_sum) {
            if (dec_add(r->v, v.v, &r->v) != DEC_OK) return fail(p, "sum overflows");
        } else if (!have || (is_min ? v.v < r->v : v.v > r->v)) {
            r->v = v.v;
        }
        have = 1;
    }
    if ((is_min || tok_is(p, op, "max_of")) && !have) return fail(p, "%.*s of no element", SHOWN(p, op));
    return 0;
}

static int in_condition(pf *p, int cond, pv a)
{
    int one_of = member(p, cond, "one_of"), in = member(p, cond, "in");
    for (int k = 0; k < count(p, one_of); k++)
        if (same(value_of(p, element(p, one_of, k)), a)) return 1;
    for (int k = 0; k < count(p, in); k++) {
        int iv = element(p, in, k);
        pv lo = value_of(p, element(p, iv, 0)), hi = value_of(p, element(p, iv, 1));
        if ((lo.k == PV_NULL || (lo.k == a.k && lo.v <= a.v)) && (hi.k == PV_NULL || (hi.k == a.k && a.v <= hi.v)))
            return 1;
    }
    return 0;
}

/* Whether argument values args meet every column condition of row. */
static int row_meets(pf *p, int row, const pv *args, int na, int *col_failed)
{
    int conds = member(p, row, "conditions");
    for (int col = 0; col < count(p, conds); col++)
        if (col < na && !in_condition(p, element(p, conds, col), args[col])) {
            *col_failed = col;
            return 0;
        }
    return 1;
}

/* Marks row token r's number in seen[1..n]; 0, or -1 when it is no row
 * of the table or is listed twice. */
static int account(pf *p, int i, int r, char *seen, int n)
{
    pv num = value_of(p, member(p, r, "row"));
    int64_t k = num.k == PV_NUM ? num.v / DEC_SCALE : 0;
    /* the else row, or a partial table's default (value_or's): no row of
     * the table's own */
    if (num.k == PV_TEXT && (tok_is(p, member(p, r, "row"), "else") || tok_is(p, member(p, r, "row"), "default")))
        return 0;
    if (k < 1 || k > n || seen[k])
        return fail(p, "table %.*s: row %.*s is no row of the table, or is listed twice",
                    SHOWN(p, member(p, i, "table")), num.n, num.s);
    seen[k] = 1;
    return 0;
}

/* The rows the table lists: every row is matched or passed over (under
 * hit first, up to the row taken), each matched row meets its conditions
 * and each passed-over row fails one. */
static int table_rows(pf *p, int i, const pv *args, int na)
{
    int rows = member(p, i, "rows"), over = member(p, i, "passed_over");
    pv nr = value_of(p, member(p, i, "nrows"));
    int n = nr.k == PV_NUM && nr.v >= 0 && nr.v / DEC_SCALE < 100000 ? (int)(nr.v / DEC_SCALE) : -1;
    if (n < 0) return fail(p, "table %.*s: no row count", SHOWN(p, member(p, i, "table")));
    char *seen = calloc((size_t)n + 1, 1);
    if (!seen) return fail(p, "out of memory");
    int rc = 0, col = 0, last = n;
    for (int k = 0, r = rows + 1; rc == 0 && k < count(p, rows); k++, r = skip(p, r)) {
        if ((rc = account(p, i, r, seen, n))) break;
        if (!row_meets(p, r, args, na, &col))
            rc = fail(p, "table %.*s row %.*s: argument %d (%.*s) does not meet its condition",
                      SHOWN(p, member(p, i, "table")), SHOWN(p, member(p, r, "row")), col + 1, args[col].n, args[col].s);
        pv num = value_of(p, member(p, r, "row"));
        if (tok_is(p, member(p, i, "first"), "true") && num.k == PV_NUM) last = (int)(num.v / DEC_SCALE);
    }
    for (int k = 0, r = over + 1; rc == 0 && k < count(p, over); k++, r = skip(p, r)) {
        if ((rc = account(p, i, r, seen, n))) break;
        if (row_meets(p, r, args, na, &col))
            rc = fail(p, "table %.*s row %.*s: the arguments meet its conditions, but it was passed over",
                      SHOWN(p, member(p, i, "table")), SHOWN(p, member(p, r, "row")));
    }
    for (int k = 1; rc == 0 && k <= last; k++)
        if (!seen[k])
            rc = fail(p, "table %.*s: row %d is neither matched nor passed over", SHOWN(p, member(p, i, "table")), k);
    free(seen);
    return rc;
}

/* A table lookup: its rows accounted for (table_rows), and the rows'
 * results combined into the value (*r holds the stated value on entry:
 * a list result is stated, a priority one must be among the rows'
 * results). */
static int table(pf *p, int i, pv *r)
{
    pv args[32];
    int a = member(p, i, "args"), rows = member(p, i, "rows"), fl = member(p, i, "fold");
    int na = count(p, a), nr = count(p, rows);
    if (na > 32) return fail(p, "table with more than 32 columns");
    for (int k = 0, e = a + 1; k < na; k++, e = skip(p, e))
        if (node(p, e, &args[k])) return -1;
    if (table_rows(p, i, args, na)) return -1;
    int one = fl >= 0 && tok_is(p, fl, "one"), any = fl >= 0 && tok_is(p, fl, "any");
    int stated = fl < 0 || tok_is(p, fl, "priority") || tok_is(p, fl, "list"), among = 0;
    if (any && nr < 1) return fail(p, "table %.*s: no row given", SHOWN(p, member(p, i, "table")));
    if (one && nr != 1) return fail(p, "table %.*s: %d rows given, one wanted", SHOWN(p, member(p, i, "table")), nr);
    pv acc = {PV_NUM, 0, "", 0};
    for (int k = 0, row = rows + 1; k < nr; k++, row = skip(p, row)) {
        pv res;
        if (node(p, member(p, row, "result"), &res)) return -1;
        if (any && !same(res, *r))
            return fail(p, "table %.*s: a matching row gives %.*s, not the stated value", SHOWN(p, member(p, i, "table")),
                        res.n, res.s);
        if (one || stated || any) {
            if (one) *r = res;
            among |= same(res, *r);
            continue;
        }
        if (tok_is(p, fl, "count") && !tok_is(p, member(p, row, "row"), "else")) {
            res.k = PV_NUM;             /* a matching row counts one, whatever its output's type */
            res.v = DEC_SCALE;
        }
        int adds = tok_is(p, fl, "sum") || tok_is(p, fl, "count");
        /* min and max also take dates (the earliest, the latest) */
        if (res.k != PV_NUM && (adds || res.k != PV_DATE || (k > 0 && acc.k != PV_DATE)))
            return fail(p, "table row result %.*s is not a number", res.n, res.s);
        if (adds) {
            if (dec_add(acc.v, res.v, &acc.v) != DEC_OK) return fail(p, "table sum overflows");
        } else if (k == 0 || (tok_is(p, fl, "min") ? res.v < acc.v : res.v > acc.v)) {
            acc = res;
        }
    }
    if (fl >= 0 && tok_is(p, fl, "priority") && !among)
        return fail(p, "table %.*s: the value is none of the matching rows' results", SHOWN(p, member(p, i, "table")));
    if (!one && !stated && !any) *r = acc;
    return 0;
}

static int rule(pf *p, int i, pv *r)
{
    int conds = member(p, i, "conditions"), ap = member(p, i, "applied");
    pv applied = value_of(p, ap);
    int n = count(p, conds), k_applied = applied.k == PV_NUM ? (int)(applied.v / DEC_SCALE) : -2;
    if (k_applied < -1 || k_applied >= n || (k_applied >= 0 && k_applied != n - 1))
        return fail(p, "unless: applied %.*s does not name the last condition tested", applied.n, applied.s);
    for (int k = 0, e = conds + 1; k < n; k++, e = skip(p, e)) {
        pv c;
        if (node(p, e, &c)) return -1;
        if (c.k != PV_BOOL || c.v != (k == k_applied))
            return fail(p, "unless: condition %d is %.*s, so the rule applied is not %.*s", k + 1, c.n, c.s,
                        applied.n, applied.s);
    }
    return operands(p, i, r, 1);
}

/* Node i: its operands checked, its operation redone; *out its value. */
static int node_inner(pf *p, int i, pv *out);

#define MAX_DEPTH 1000

static int node(pf *p, int i, pv *out)
{
    if (i < 0) return fail(p, "a calculation node is missing");
    if (p->depth >= MAX_DEPTH) return fail(p, "calculation nested deeper than %d", MAX_DEPTH);
    p->depth++;
    int rc = node_inner(p, i, out);
    p->depth--;
    return rc;
}

static int node_inner(pf *p, int i, pv *out)
{
    int op = member(p, i, "op");
    if (op < 0) return fail(p, "a calculation node without op");
    *out = value_of(p, member(p, i, "value"));
    pv v[2], r = *out;
    if (tok_is(p, op, "const") || tok_is(p, op, "input") || tok_is(p, op, "as_of") ||
        tok_is(p, op, "value") || tok_is(p, op, "length"))
        return 0;
    if (tok_is(p, op, "let")) return earlier_step(p, i, *out);
    if (tok_is(p, op, "param")) return param(p, i, *out);
    if (tok_is(p, op, "add") || tok_is(p, op, "sub") || tok_is(p, op, "mul") || tok_is(p, op, "div")) {
        if (operands(p, i, v, 2) || arith(p, i, v[0], v[1], &r)) return -1;
    } else if (tok_is(p, op, "min") || tok_is(p, op, "max")) {
        if (operands(p, i, v, 2) || min_max(p, i, v[0], v[1], &r)) return -1;
    } else if (tok_is(p, op, "lt") || tok_is(p, op, "le") || tok_is(p, op, "gt") || tok_is(p, op, "ge") ||
               tok_is(p, op, "eq") || tok_is(p, op, "ne")) {
        if (operands(p, i, v, 2) || compare(p, i, v[0], v[1], &r)) return -1;
    } else if (tok_is(p, op, "neg")) {
        if (operands(p, i, v, 1) || need(p, i, v[0], PV_NUM, "a number")) return -1;
        r.k = PV_NUM; r.v = -v[0].v;
    } else if (tok_is(p, op, "not")) {
        if (operands(p, i, v, 1) || need(p, i, v[0], PV_BOOL, "yes or no")) return -1;
        r.k = PV_BOOL; r.v = !v[0].v;
    } else if (tok_is(p, op, "and") || tok_is(p, op, "or")) {
        int both = count(p, member(p, i, "args")) == 2, is_and = tok_is(p, op, "and");
        if (operands(p, i, v, both ? 2 : 1) || need(p, i, v[0], PV_BOOL, "yes or no")) return -1;
        if (!both && v[0].v == is_and) return fail(p, "%s: the first operand does not decide", is_and ? "and" : "or");
        r = both ? v[1] : v[0];
    } else if (tok_is(p, op, "if")) {
        if (operands(p, i, v, 2) || need(p, i, v[0], PV_BOOL, "yes or no")) return -1;
        if (v[0].v != tok_is(p, member(p, i, "branch"), "then"))
            return fail(p, "if: the condition is %.*s, so that branch was not taken", v[0].n, v[0].s);
        r = v[1];
    } else if (tok_is(p, op, "rule")) {
        if (rule(p, i, &r)) return -1;
    } else if (tok_is(p, op, "round") || tok_is(p, op, "div_round")) {
        int two = tok_is(p, op, "div_round");
        pv q = value_of(p, member(p, i, "quantum"));
        int m = member(p, i, "mode");
        char name[32] = "";
        if (m >= 0) snprintf(name, sizeof name, "%.*s", SHOWN(p, m));
        int mode = dec_round_mode_from_name(name);
        if (operands(p, i, v, two ? 2 : 1)) return -1;
        if (q.k != PV_NUM || mode < 0) return fail(p, "round: no quantum or mode");
        r.k = PV_NUM;
        dec_status st = two ? dec_div_round(v[0].v, v[1].v, q.v, (dec_round_mode)mode, &r.v)
                            : dec_round(v[0].v, q.v, (dec_round_mode)mode, &r.v);
        if (st != DEC_OK) return fail(p, "round fails");
    } else if (tok_is(p, op, "add_days") || tok_is(p, op, "add_months") || tok_is(p, op, "add_years")) {
        if (operands(p, i, v, 2) || need(p, i, v[0], PV_DATE, "a date") || need(p, i, v[1], PV_NUM, "a number"))
            return -1;
        int64_t n = v[1].v / DEC_SCALE;
        r.k = PV_DATE;
        int bad = p->js[p->t[op].start + 4] == 'd' ? date_add_days(v[0].v, n, &r.v)
                : p->js[p->t[op].start + 4] == 'm' ? date_add_months(v[0].v, n, &r.v) : date_add_years(v[0].v, n, &r.v);
        if (bad) return fail(p, "date out of range");
    } else if (tok_is(p, op, "table")) {
        if (table(p, i, &r)) return -1;
    } else if (member(p, i, "elements") >= 0) {
        if (fold(p, i, &r)) return -1;
    } else {
        return fail(p, "unknown operation %.*s", SHOWN(p, op));
    }
    if (!same(r, *out)) {
        char got[64] = "?";
        if (r.k == PV_NUM) dec_format(r.v, 0, got);
        else if (r.k == PV_DATE) date_format(r.v, got);
        else if (r.k == PV_BOOL) strcpy(got, r.v ? "true" : "false");
        else if (r.s) snprintf(got, sizeof got, "%.*s", r.n, r.s);
        return fail(p, "%.*s gives %s, not the stated %.*s", SHOWN(p, op), got, out->n, out->s ? out->s : "");
    }
    return 0;
}

/* ---- steps ------------------------------------------------------------ */

static int check_steps(pf *p, unsigned *nsteps)
{
    int root = 0, ex = member(p, 0, "explanation");
    if (ex >= 0) root = ex;
    p->steps = member(p, root, "steps");
    if (p->steps < 0) { p->step = -1; return fail(p, "no explanation steps"); }
    for (int k = 0, s = p->steps + 1; k < count(p, p->steps); k++, s = skip(p, s)) {
        p->step = s;
        p->params = member(p, p->step, "parameters");
        int c = member(p, p->step, "calc");
        if (c < 0) return fail(p, "no calculation");
        pv got;
        if (node(p, c, &got)) return -1;
        pv want = value_of(p, member(p, p->step, "value"));
        if (!same(got, want))
            return fail(p, "the calculation gives %.*s, but the step's value is %.*s", got.n, got.s, want.n, want.s);
        if (nsteps) (*nsteps)++;
        p->name[p->ndone] = member(p, p->step, "name");
        p->value[p->ndone++] = member(p, p->step, "value");
    }
    return 0;
}

int proof_check(const char *json, size_t len, char *why, size_t whylen, unsigned *nsteps)
{
    pf p;
    memset(&p, 0, sizeof p);
    p.js = json;
    p.why = why;
    p.whylen = whylen;
    p.step = -1;
    if (nsteps) *nsteps = 0;
    /* an explanation nests two containers per calculation level, and a
     * document of eligo's is as long as it is */
    static const json_limits lim = { 2 * MAX_DEPTH + 16, UINT32_MAX };
    arena pool;
    json_lexed lx;
    arena_init(&pool, 0);
    json_status st = json_lex(json, len, &lim, &pool, &lx);
    p.t = lx.tok;
    p.nt = st == JSON_OK ? (int)lx.ntok : -1;
    size_t cap = lx.ntok + 1;
    p.name = malloc(sizeof(int) * cap);
    p.value = malloc(sizeof(int) * cap);
    int rc;
    if (st == JSON_E_NOMEM || !p.name || !p.value)
        rc = (snprintf(why, whylen, "out of memory"), -1);
    else if (p.nt <= 0 || p.t[0].type != JT_OBJECT)
        rc = (snprintf(why, whylen, "not a JSON object"), -1);
    else
        rc = check_steps(&p, nsteps);
    arena_free(&pool);
    free(p.name);
    free(p.value);
    return rc;
}
