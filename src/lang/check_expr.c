/*
 * check_expr.c - typing expressions: names, fields, arithmetic with units
 * and money periods, comparisons, aggregations, built-in functions and
 * table calls (`t(...)`, and `t(...).min` for a table of several
 * results), recording each node's type in ast_node.ty for lower.c.
 *
 * Part of the checker (check_int.h).  A bad expression gets TY_ERROR,
 * which silences follow-on errors.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/check_int.h"
#include "base/suggest.h"
#include "eval/decimal.h"
#include "eval/date.h"

/* ---- expressions ------------------------------------------------------ */


static const ty *set(ast_node *n, const ty *t)
{
    n->ty = t;
    return t;
}

int ck_is_err(const ty *t) { return t->kind == TY_ERROR; }
int ck_is_num(const ty *t)
{
    return t->kind == TY_INT || t->kind == TY_DECIMAL || t->kind == TY_NUMBER || t->kind == TY_MONEY;
}

/* Unifies two types for comparison, if/else branches and min/max:
 * an untyped number adopts the other side; int widens to decimal. */
static const ty *unify_base(const ty *a, const ty *b);

/* Quantities in two different units never meet; a quantity with a unit
 * and one without (a count, a literal) give the one with the unit. */
const ty *ck_unify(const ty *a, const ty *b)
{
    const char *ua = ty_dimension(a), *ub = ty_dimension(b);
    if (ua && ub && strcmp(ua, ub) != 0)
        return NULL;
    const ty *u = unify_base(a, b);
    if (!u || (!ua && !ub))
        return u;
    if (ua && u->kind == a->kind) return a;
    if (ub && u->kind == b->kind) return b;
    return u;
}

static const ty *unify_base(const ty *a, const ty *b)
{
    if (ck_is_err(a) || ck_is_err(b))
        return ty_scalar(TY_ERROR);
    if (ty_equal(a, b) || (a->kind == b->kind && (a->kind == TY_INT || a->kind == TY_DECIMAL)))
        return a->unit ? a : b;
    if (a->kind == TY_NUMBER && (b->kind == TY_MONEY || b->kind == TY_DECIMAL)) return b;
    if (b->kind == TY_NUMBER && (a->kind == TY_MONEY || a->kind == TY_DECIMAL)) return a;
    if ((a->kind == TY_INT && (b->kind == TY_DECIMAL || b->kind == TY_NUMBER)) ||
        (b->kind == TY_INT && (a->kind == TY_DECIMAL || a->kind == TY_NUMBER)))
        return ty_scalar(TY_DECIMAL);
    if (a->kind == TY_NUMBER && b->kind == TY_INT) return ty_scalar(TY_DECIMAL);
    return NULL;
}

static const ty *mismatch(walk *w, ast_node *n, const char *what, const ty *a, const ty *b)
{
    char x[64], y[64];
    ty_str(a, x, sizeof x);
    ty_str(b, y, sizeof y);
    ck_err(w->ck, n, "cannot %s %s and %s", what, x, y);
    if (a->kind == TY_MONEY && b->kind == TY_MONEY) {
        if ((a->period == TP_MONTH && b->period == TP_YEAR) || (a->period == TP_YEAR && b->period == TP_MONTH))
            diag_hint(w->ck->dl, "convert one side with per_month(...) or per_year(...)");
        else
            diag_hint(w->ck->dl, "amounts of different periods cannot be mixed");
    } else if ((a->kind == TY_MONEY) != (b->kind == TY_MONEY)) {
        diag_hint(w->ck->dl, "money only combines with money of the same period, or is scaled by a number");
    } else if (ty_dimension(a) && ty_dimension(b)) {
        diag_hint(w->ck->dl, "quantities in different units do not combine; dividing one by the other gives a ratio "
                  "(`%s/%s`)", ty_dimension(a), ty_dimension(b));
    }
    return ty_scalar(TY_ERROR);
}

static const ty *arith_base(walk *w, ast_node *n);

/* The unit of a / b: "平方米" / "户" is "平方米/户", a unit over itself
 * is a plain ratio. */
static const char *unit_ratio(walk *w, const char *ua, const char *ub)
{
    if (!ua || !ub) return ua;
    if (strcmp(ua, ub) == 0) return NULL;
    return arena_printf(w->ck->pool, "%s/%s", ua, ub);
}

/* "平方米/户" times "户" is "平方米"; NULL when rate is not per unit. */
static const char *cancel_unit(walk *w, const char *rate, const char *unit)
{
    const char *slash = strrchr(rate, '/');
    if (!slash || strcmp(slash + 1, unit) != 0) return NULL;
    return arena_strndup(w->ck->pool, rate, (size_t)(slash - rate));
}

/* The unit of a * b into *out; -1 for two units that do not multiply
 * (only a per-unit rate times that unit does). */
static int unit_product(walk *w, const char *ua, const char *ub, const char **out)
{
    *out = ua ? ua : ub;
    if (!ua || !ub) return 0;
    *out = cancel_unit(w, ua, ub);
    if (!*out) *out = cancel_unit(w, ub, ua);
    return *out ? 0 : -1;
}

/* Units are checked like money periods: + - and comparisons need one
 * unit on both sides (or none on one), * and / make ratios.  A
 * percentage is a plain number that is only shown as a percentage. */
static const ty *arith(walk *w, ast_node *n)
{
    const ty *t = arith_base(w, n);
    if (ck_is_err(t) || (t->kind != TY_INT && t->kind != TY_DECIMAL))
        return t;
    const ty *a = n->a->ty, *b = n->b->ty;
    const char *ua = ty_dimension(a), *ub = ty_dimension(b), *unit = NULL;
    if (n->op == OP_ADD || n->op == OP_SUB) {
        if (ua && ub && strcmp(ua, ub) != 0)
            return mismatch(w, n, n->op == OP_ADD ? "add" : "subtract", a, b);
        unit = ua ? ua : ub;
        if (!unit && (ty_is_percent(a) || ty_is_percent(b))) unit = "%";
    } else if (n->op == OP_MUL) {
        if (unit_product(w, ua, ub, &unit))
            return mismatch(w, n, "multiply", a, b);
    } else {
        unit = unit_ratio(w, ua, ub);
    }
    return ty_with_unit(w->ck->pool, t, unit);
}

static const ty *arith_base(walk *w, ast_node *n)
{
    /* a literal adopts the money type of the other side of + and -, never
     * of * and / (860.00 * 3 scales an amount; it is not an amount).  On
     * the left it is typed before the money it meets, so it is typed again:
     * `1 + m` as `m + 1`.  An int that is not a literal stays int, and
     * int + money stays an error, in either order. */
    int additive = n->op == OP_ADD || n->op == OP_SUB;
    const ty *a = ck_expr(w, n->a, NULL);
    const ty *b = ck_expr(w, n->b, additive && a->kind == TY_MONEY ? a : NULL);
    if (additive && (a->kind == TY_NUMBER || a->kind == TY_INT) && b->kind == TY_MONEY)
        a = ck_expr(w, n->a, b);
    if (ck_is_err(a) || ck_is_err(b))
        return ty_scalar(TY_ERROR);
    static const char *verb[] = {"add", "subtract", "multiply", "divide"};
    const char *v = verb[n->op];
    if (n->op == OP_ADD || n->op == OP_SUB) {
        if (a->kind == TY_DATE && b->kind == TY_DURATION)
            return ty_scalar(TY_DATE);
        if (a->kind == TY_INT && b->kind == TY_INT)
            return ty_scalar(TY_INT);
        if (a->kind == TY_MONEY || b->kind == TY_MONEY) {
            const ty *u = ck_unify(a, b);
            if (u && u->kind == TY_MONEY)
                return u;
            return mismatch(w, n, v, a, b);
        }
        if (ck_is_num(a) && ck_is_num(b))
            return (a->kind == TY_NUMBER && b->kind == TY_NUMBER) ? ty_scalar(TY_NUMBER)
                                                                   : ty_scalar(TY_DECIMAL);
        return mismatch(w, n, v, a, b);
    }
    if (n->op == OP_MUL) {
        if (a->kind == TY_INT && b->kind == TY_INT)
            return ty_scalar(TY_INT);
        if (a->kind == TY_MONEY && b->kind == TY_MONEY)
            return mismatch(w, n, v, a, b);
        if (a->kind == TY_MONEY && ck_is_num(b)) return a;
        if (b->kind == TY_MONEY && ck_is_num(a)) return b;
        if (ck_is_num(a) && ck_is_num(b))
            return (a->kind == TY_NUMBER && b->kind == TY_NUMBER) ? ty_scalar(TY_NUMBER)
                                                                   : ty_scalar(TY_DECIMAL);
        return mismatch(w, n, v, a, b);
    }
    /* division */
    if (a->kind == TY_MONEY && b->kind == TY_MONEY) {
        if (a->period != b->period)
            return mismatch(w, n, v, a, b);
        return ty_scalar(TY_DECIMAL);
    }
    if (a->kind == TY_MONEY && ck_is_num(b)) return a;
    if (ck_is_num(a) && ck_is_num(b) && a->kind != TY_MONEY && b->kind != TY_MONEY)
        return ty_scalar(TY_DECIMAL);
    return mismatch(w, n, v, a, b);
}

static const ty *compare(walk *w, ast_node *n)
{
    const ty *a = ck_expr(w, n->a, NULL);
    const ty *b = ck_expr(w, n->b, a);
    if ((a->kind == TY_NUMBER || a->kind == TY_INT) && b->kind == TY_MONEY)
        a = ck_expr(w, n->a, b);
    if (ck_is_err(a) || ck_is_err(b))
        return ty_scalar(TY_BOOL);
    const ty *u = ck_unify(a, b);
    if (!u && a->kind == TY_INT && b->kind == TY_MONEY)
        u = NULL;
    if (!u) {
        mismatch(w, n, "compare", a, b);
        return ty_scalar(TY_BOOL);
    }
    int ordered = n->op != OP_EQ && n->op != OP_NE;
    if (ordered && (u->kind == TY_BOOL || u->kind == TY_ENUM || u->kind == TY_TEXT || !ty_is_scalar(u))) {
        char x[64];
        ck_err(w->ck, n, "values of type %s have no order; use == or !=", ty_str(u, x, sizeof x));
    }
    if (!ordered && !ty_is_scalar(u) && u->kind != TY_TEXT) {
        char x[64];
        ck_err(w->ck, n, "values of type %s cannot be compared", ty_str(u, x, sizeof x));
    }
    return ty_scalar(TY_BOOL);
}

const ty *ck_want(walk *w, ast_node *n, const ty *expect, const char *what)
{
    const ty *t = ck_expr(w, n, expect);
    if (ck_is_err(t) || ck_unify(t, expect))
        return t;
    char x[64], y[64];
    ck_err(w->ck, n, "%s must be %s, not %s", what, ty_str(expect, x, sizeof x), ty_str(t, y, sizeof y));
    return ty_scalar(TY_ERROR);
}

static const ty *name_ref(walk *w, ast_node *n, const ty *expect)
{
    checked *ck = w->ck;
    for (int i = w->nvars - 1; i >= 0; i--)
        if (strcmp(w->vars[i].name, n->text) == 0) {
            n->decl = w->vars[i].decl;
            n->slot = -2 - i;               /* loop variable i (lower.c) */
            return w->vars[i].type;
        }
    if (w->table) {
        uint32_t k = 0;
        for (ast_node *p = w->table->decl->a; p; p = p->next, k++)
            if (strcmp(p->text, n->text) == 0) {
                n->decl = p;
                n->op2 = (int)k + 1;        /* table parameter k (lower.c) */
                return w->table->col_types[k];
            }
    }
    sym *s = ck_sym_find(ck, n->text);
    if (s && s->kind != SYM_VAR && s->kind != SYM_TPARAM) {
        if (s->kind == SYM_TABLE) {
            ck_err(ck, n, "`%s` is a table: call it with its arguments", n->text);
            return ty_scalar(TY_ERROR);
        }
        s->used = 1;
        ck_add_dep(ck, w->current, (uint32_t)(s - ck->syms));
        n->decl = s;
        return s->type;
    }
    if (ck_range_whole(w, n))
        return ty_scalar(TY_ERROR);
    if (expect && expect->kind == TY_ENUM) {
        int k = enum_value(expect->en, n->text, strlen(n->text));
        if (k >= 0) {
            n->decl = NULL;
            n->op2 = -1;
            n->slot = k;                    /* enum constant (lower.c) */
            return expect;
        }
        ck_err(ck, n, "`%s` is not a value of enum %s", n->text, expect->en->name);
        ck_suggest(ck, n->text, expect->en->values, expect->en->nvalues);
        return ty_scalar(TY_ERROR);
    }
    if (expect && ck_is_err(expect))
        return expect;       /* `x == rural` where x already failed: rural may be an enum value */
    ck_err(ck, n, "unknown name `%s`", n->text);
    ck_suggest_name(w, n->text, expect);
    return ty_scalar(TY_ERROR);
}

static const ty *call(walk *w, ast_node *n, const ty *expect);

/* "a let", "a table"...: what a declared name is, for the messages
 * that say why it cannot be used the way it was.  Loop variables and
 * table parameters are never in the symbol table (name_ref finds them
 * in the walk), so the last case is only a fallback. */
static const char *sym_what(const sym *s)
{
    switch (s->kind) {
    case SYM_PARAM: return "a parameter";
    case SYM_LET: return "a let";
    case SYM_OUTPUT: return "an output";
    case SYM_ROOT: return "an input";
    case SYM_TABLE: return "a table";
    default: return "a name";
    }
}

/* `x at d` where x is no parameter: a name declared as something else
 * is named for what it is; a name declared nowhere is unknown, with the
 * closest parameter suggested (only parameters have other dates). */
static void at_not_param(checked *ck, ast_node *name, const sym *s)
{
    const char *cands[512];
    size_t k = 0;

    if (s) {
        ck_err(ck, name, "`%s` is %s, not a parameter: only parameters can be read at another date",
               name->text, sym_what(s));
        return;
    }
    ck_err(ck, name, "unknown name `%s`", name->text);
    for (uint32_t i = 0; i < ck->nsyms && k < 512; i++)
        if (ck->syms[i].kind == SYM_PARAM) cands[k++] = ck->syms[i].name;
    ck_suggest(ck, name->text, cands, k);
}

/* The result columns of table `base` of several results, in order. */
static size_t result_columns(checked *ck, const char *base, const char **cols, size_t cap)
{
    size_t k = 0;
    for (uint32_t i = 0; i < ck->nsyms && k < cap; i++)
        if (ck->syms[i].base && strcmp(ck->syms[i].base, base) == 0)
            cols[k++] = ck->syms[i].name + strlen(base) + 1;
    return k;
}

/* `t(...).min` on a table of several results: the call of column table
 * `t.min`, rewritten in place so that lower.c sees an ordinary call. */
static const ty *result_column(walk *w, ast_node *n)
{
    checked *ck = w->ck;
    const char *base = n->a->text, *cols[64];
    size_t ncols = result_columns(ck, base, cols, 64);
    for (size_t i = 0; i < ncols; i++)
        if (strcmp(cols[i], n->text) == 0) {
            size_t len = strlen(base) + strlen(n->text) + 2;
            char *name = arena_alloc(ck->pool, len);
            if (!name) return ty_scalar(TY_ERROR);
            snprintf(name, len, "%s.%s", base, n->text);
            n->kind = AST_CALL;
            n->text = name;
            n->op2 = n->a->op2;
            n->a = n->a->a;
            return call(w, n, NULL);
        }
    ck_err(ck, n, "table `%s` has no result `%s`", base, n->text);
    ck_suggest(ck, n->text, cols, ncols);
    for (ast_node *a = n->a->a; a; a = a->next) ck_expr(w, a, NULL);
    return ty_scalar(TY_ERROR);
}

static const ty *member(walk *w, ast_node *n)
{
    const char *one[1];
    if (ck_range_member(w, n))
        return name_ref(w, n, NULL);
    if (n->a->kind == AST_CALL && !ck_sym_find(w->ck, n->a->text) && result_columns(w->ck, n->a->text, one, 1))
        return result_column(w, n);
    const ty *o = ck_expr(w, n->a, NULL);
    if (ck_is_err(o))
        return o;
    if (o->kind != TY_ENTITY) {
        char x[64];
        ck_err(w->ck, n, "`%s` is not a field: %s has no fields", n->text, ty_str(o, x, sizeof x));
        return ty_scalar(TY_ERROR);
    }
    const field_def *f = entity_field(o->ent, n->text, strlen(n->text));
    if (!f) {
        ck_err(w->ck, n, "entity %s has no field `%s`", o->ent->name, n->text);
        const char *cands[128];
        size_t k = 0;
        for (uint32_t i = 0; i < o->ent->nfields && k < 128; i++)
            cands[k++] = o->ent->fields[i].name;
        ck_suggest(w->ck, n->text, cands, k);
        return ty_scalar(TY_ERROR);
    }
    n->slot = (int32_t)f->index;
    return f->type;
}

static const ty *agg(walk *w, ast_node *n)
{
    const ty *lt = ck_expr(w, n->b, NULL);
    if (ck_is_err(lt))
        return lt;
    if (lt->kind != TY_LIST) {
        char x[64];
        ck_err(w->ck, n->b, "expected a list to aggregate over, got %s", ty_str(lt, x, sizeof x));
        return ty_scalar(TY_ERROR);
    }
    int pushed = 0;
    if (n->text) {
        if (w->nvars == MAX_SCOPE) {
            ck_err(w->ck, n, "aggregations nested too deeply");
            return ty_scalar(TY_ERROR);
        }
        w->vars[w->nvars].name = n->text;
        w->vars[w->nvars].type = lt->elem;
        w->vars[w->nvars].decl = n;
        w->nvars++;
        pushed = 1;
    }
    if (n->c)
        ck_want(w, n->c, ty_scalar(TY_BOOL), "a `where` filter");
    const ty *v = n->a ? ck_expr(w, n->a, NULL) : NULL;
    const ty *key = n->d ? ck_expr(w, n->d, NULL) : NULL;
    if (pushed)
        w->nvars--;
    const ty *r = ty_scalar(TY_ERROR);
    char x[64];
    switch ((ast_agg)n->op) {
    case AGG_COUNT:
        r = ty_scalar(TY_INT);
        break;
    case AGG_SUM:
        if (!v) v = lt->elem;
        if (ck_is_err(v)) break;
        if (!ck_is_num(v)) { ck_err(w->ck, n, "cannot sum values of type %s", ty_str(v, x, sizeof x)); break; }
        r = v->kind == TY_NUMBER ? ty_scalar(TY_DECIMAL) : v;
        break;
    case AGG_MIN: case AGG_MAX:
        if (!v) v = lt->elem;
        if (ck_is_err(v)) break;
        if (!ck_is_num(v) && v->kind != TY_DATE) { ck_err(w->ck, n, "values of type %s have no order", ty_str(v, x, sizeof x)); break; }
        r = v->kind == TY_NUMBER ? ty_scalar(TY_DECIMAL) : v;
        break;
    case AGG_ANY: case AGG_ALL:
        if (!v) v = lt->elem;
        if (ck_is_err(v)) break;
        if (v->kind != TY_BOOL) { ck_err(w->ck, n, "any/all need a condition, got %s", ty_str(v, x, sizeof x)); break; }
        r = ty_scalar(TY_BOOL);
        break;
    case AGG_MAP:
        if (!v || !key || ck_is_err(v) || ck_is_err(key)) break;
        if (key->kind != TY_TEXT) { ck_err(w->ck, n->d, "map keys must be text, got %s", ty_str(key, x, sizeof x)); break; }
        if (!ty_is_scalar(v)) { ck_err(w->ck, n->a, "map values must be scalars, got %s", ty_str(v, x, sizeof x)); break; }
        r = ty_map_of(w->ck->pool, v->kind == TY_NUMBER ? ty_scalar(TY_DECIMAL) : v);
        break;
    }
    return r;
}

static int arg_count(ast_node *args) { return (int)ast_list_len(args); }

/* age_on(birth, date), years_between(from, to), months_between(from,
 * to): two dates in, a whole number of years or months (int) out. */
static const ty *date_span(walk *w, ast_node *n, const char *f)
{
    checked *ck = w->ck;
    char x[64];
    int age = strcmp(f, "age_on") == 0;
    if (arg_count(n->a) != 2) {
        if (age) {
            ck_err(ck, n, "age_on takes two dates: age_on(birth_date, date)");
            diag_hint(ck->dl, "the age in full years (周岁) on the decision date is `age_on(m.birth_date, as_of)`");
        } else {
            ck_err(ck, n, "%s takes two dates: %s(from, to)", f, f);
        }
        for (ast_node *a = n->a; a; a = a->next) ck_expr(w, a, NULL);
        return ty_scalar(TY_ERROR);
    }
    int bad = 0;
    for (ast_node *a = n->a; a; a = a->next) {
        const ty *t = ck_expr(w, a, NULL);
        if (ck_is_err(t) || t->kind == TY_DATE) { bad |= ck_is_err(t); continue; }
        ck_err(ck, a, "the arguments of %s are dates, not %s", f, ty_str(t, x, sizeof x));
        if (t->kind == TY_INT && age)
            diag_hint(ck->dl, "an age already in years is compared directly, e.g. `m.age >= 80`");
        bad = 1;
    }
    return bad ? ty_scalar(TY_ERROR) : ty_scalar(TY_INT);
}

static const ty *call(walk *w, ast_node *n, const ty *expect)
{
    checked *ck = w->ck;
    const char *f = n->text;
    int argc = arg_count(n->a);
    char x[64];
    if (strcmp(f, "round") == 0) {
        if (argc < 1 || argc > 3) { ck_err(ck, n, "round takes 1 to 3 arguments: round(x, quantum, mode)"); return ty_scalar(TY_ERROR); }
        const ty *t = ck_expr(w, n->a, expect && ty_is_decimal_like(expect) ? expect : NULL);
        if (ck_is_err(t)) return t;
        if (!ck_is_num(t)) { ck_err(ck, n->a, "cannot round a value of type %s", ty_str(t, x, sizeof x)); return ty_scalar(TY_ERROR); }
        ast_node *q = n->a->next;
        if (q && q->kind != AST_INT && q->kind != AST_DEC) {
            ck_err(ck, q, "the rounding quantum must be a number literal such as 0.01 or 1");
            return ty_scalar(TY_ERROR);
        }
        if (q) {
            int64_t qv;
            if (check_literal_value(ck, q, ty_scalar(TY_DECIMAL), &qv)) return ty_scalar(TY_ERROR);
            if (qv <= 0) { ck_err(ck, q, "the rounding quantum must be positive"); return ty_scalar(TY_ERROR); }
            q->ty = ty_scalar(TY_DECIMAL);
        } else if (t->kind != TY_MONEY) {
            ck_err(ck, n, "round of a %s needs a quantum, e.g. round(x, 0.01) or round(x, 1)", ty_str(t, x, sizeof x));
            return ty_scalar(TY_ERROR);
        }
        if (q && q->next) {
            ast_node *m = q->next;
            if (m->kind != AST_NAME || dec_round_mode_from_name(m->text) < 0) {
                ck_err(ck, m, "unknown rounding mode");
                static const char *modes[] = {"half_up", "half_down", "half_even", "up", "down", "ceiling", "floor"};
                if (m->kind == AST_NAME) ck_suggest(ck, m->text, modes, 7);
                else diag_hint(ck->dl, "modes: half_up half_down half_even up down ceiling floor");
                return ty_scalar(TY_ERROR);
            }
        }
        if (t->kind == TY_MONEY) return t;
        if (t->kind == TY_INT) return t;
        if (q && q->kind == AST_INT) return ty_scalar(TY_INT);
        return t->kind == TY_NUMBER ? t : ty_scalar(TY_DECIMAL);   /* a rounded literal still adopts */
    }
    if (strcmp(f, "per_month") == 0 || strcmp(f, "per_year") == 0) {
        int to_month = f[4] == 'm';
        if (argc != 1) { ck_err(ck, n, "%s takes one argument", f); return ty_scalar(TY_ERROR); }
        const ty *t = ck_expr(w, n->a, NULL);
        if (ck_is_err(t)) return t;
        ty_period from = to_month ? TP_YEAR : TP_MONTH;
        if (t->kind != TY_MONEY || t->period != from) {
            ck_err(ck, n->a, "%s converts money per %s, not %s", f, to_month ? "year" : "month", ty_str(t, x, sizeof x));
            return ty_scalar(TY_ERROR);
        }
        return ty_money(to_month ? TP_MONTH : TP_YEAR);
    }
    if (strcmp(f, "value_or") == 0) {  /* a partial table's value, or the default */
        sym *ts = argc == 2 && n->a->kind == AST_CALL ? ck_sym_find(ck, n->a->text) : NULL;
        if (!ts || ts->kind != SYM_TABLE || !ts->decl->d) {
            ck_err(ck, n, "value_or takes a call of a partial table and the value when no row matches");
            for (ast_node *a = n->a; a; a = a->next) ck_expr(w, a, NULL);
            return ty_scalar(TY_ERROR);
        }
        n->a->op2 = 1;
        const ty *t = ck_expr(w, n->a, expect);
        const ty *dt = ck_expr(w, n->a->next, t);
        if (ck_is_err(t) || ck_is_err(dt)) return ty_scalar(TY_ERROR);
        const ty *u = ck_unify(t, dt);
        return u ? u : mismatch(w, n, "choose between", t, dt);
    }
    if (strcmp(f, "once") == 0) {     /* a one-off amount made from a periodic one */
        if (argc != 1) { ck_err(ck, n, "once takes one argument"); return ty_scalar(TY_ERROR); }
        const ty *t = ck_expr(w, n->a, NULL);
        if (ck_is_err(t)) return t;
        if (t->kind != TY_MONEY || t->period == TP_ONCE) {
            ck_err(ck, n->a, "once makes a one-off amount from money per month, per year or plain money, not %s",
                ty_str(t, x, sizeof x));
            return ty_scalar(TY_ERROR);
        }
        return ty_money(TP_ONCE);
    }
    if (strcmp(f, "min") == 0 || strcmp(f, "max") == 0) {
        if (argc != 2) { ck_err(ck, n, "%s of two values takes two arguments (or use %s(x for m in list))", f, f); return ty_scalar(TY_ERROR); }
        const ty *a = ck_expr(w, n->a, expect);
        const ty *b = ck_expr(w, n->a->next, a);
        if (a->kind == TY_NUMBER && b->kind == TY_MONEY) a = ck_expr(w, n->a, b);
        if (ck_is_err(a) || ck_is_err(b)) return ty_scalar(TY_ERROR);
        const ty *u = ck_unify(a, b);
        if (!u || !(ck_is_num(u) || u->kind == TY_DATE)) return mismatch(w, n, f[1] == 'i' ? "take the min of" : "take the max of", a, b);
        return u;
    }
    if (strcmp(f, "age_on") == 0 || strcmp(f, "years_between") == 0 || strcmp(f, "months_between") == 0)
        return date_span(w, n, f);
    sym *s = ck_sym_find(ck, f);
    const char *cols[64];
    size_t ncols = s ? 0 : result_columns(ck, f, cols, 64);
    if (ncols) {
        ck_err(ck, n, "table `%s` gives %zu results: name the one wanted, e.g. `%s(...).%s`", f, ncols, f, cols[0]);
        for (ast_node *a = n->a; a; a = a->next) ck_expr(w, a, NULL);
        return ty_scalar(TY_ERROR);
    }
    if (s && s->kind != SYM_TABLE) {
        ck_err(ck, n, "`%s` is %s, not a function or table", f, sym_what(s));
        diag_hint(ck->dl, "read it by its name alone: `%s`", f);
        for (ast_node *a = n->a; a; a = a->next) ck_expr(w, a, NULL);
        return ty_scalar(TY_ERROR);
    }
    if (!s || s->kind != SYM_TABLE) {
        ck_err(ck, n, "unknown function or table `%s`", f);
        const char *cands[256];
        size_t k = 0;
        static const char *builtins[] = {"round", "per_month", "per_year", "once", "value_or", "min", "max", "count",
                                         "sum", "any", "all", "map", "age_on", "years_between", "months_between"};
        for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++) cands[k++] = builtins[i];
        for (uint32_t i = 0; i < ck->nsyms && k < 256; i++)
            if (ck->syms[i].kind == SYM_TABLE) cands[k++] = ck->syms[i].name;
        ck_suggest(ck, f, cands, k);
        for (ast_node *a = n->a; a; a = a->next) ck_expr(w, a, NULL);
        return ty_scalar(TY_ERROR);
    }
    s->used = 1;
    ck_add_dep(ck, w->current, (uint32_t)(s - ck->syms));
    n->decl = s;
    if (s->decl->d && n->op2 != 1) {
        ck_err(ck, n, "table `%s` is partial: where no row matches it has no value", f);
        diag_hint(ck->dl, "say what applies then: value_or(%s(...), DEFAULT)", f);
    }
    if ((uint32_t)argc != s->ncols) {
        ck_err(ck, n, "table `%s` takes %u argument%s, got %d", f, s->ncols, s->ncols == 1 ? "" : "s", argc);
        return ty_scalar(TY_ERROR);
    }
    uint32_t k = 0;
    ast_node *p = s->decl->a;
    for (ast_node *a = n->a; a; a = a->next, p = p->next, k++) {
        char what[160];
        snprintf(what, sizeof what, "argument `%s` of table `%s`", p->text, f);
        ck_want(w, a, s->col_types[k], what);
    }
    return s->type;
}

/* `[a, b, ...]`: every element must meet the type of those before it
 * (int widens to decimal, a bare number adopts money), or `[1, "a"]`
 * would pass as a list of int; the caret goes to the first element that
 * does not fit. */
static const ty *list_literal(walk *w, ast_node *n, const ty *expect)
{
    const ty *e = expect && expect->kind == TY_LIST ? expect->elem : NULL;
    int bad = 0;
    for (ast_node *i = n->a; i; i = i->next) {
        const ty *t = ck_expr(w, i, e);
        const ty *u = e ? ck_unify(e, t) : t;
        if (ck_is_err(t) || (u && ck_is_err(u))) { bad = 1; continue; }
        if (!u) {
            char x[64], y[64];
            ck_err(w->ck, i, "the elements of a list have one type: this one is %s, not %s",
                   ty_str(t, x, sizeof x), ty_str(e, y, sizeof y));
            return ty_scalar(TY_ERROR);
        }
        e = u;
    }
    if (bad) return ty_scalar(TY_ERROR);
    if (!e) { ck_err(w->ck, n, "cannot tell the type of an empty list here"); return ty_scalar(TY_ERROR); }
    return ty_list_of(w->ck->pool, e);
}

static const ty *expr_inner(walk *w, ast_node *n, const ty *expect)
{
    checked *ck = w->ck;
    char x[64];
    switch (n->kind) {
    case AST_INT:
        if (expect && (expect->kind == TY_MONEY || expect->kind == TY_DECIMAL)) return expect;
        return ty_scalar(TY_INT);
    case AST_DEC:
        if (n->op == LIT_PERCENT && expect && expect->kind == TY_MONEY) {
            ck_percent_not_money(ck, n, expect);   /* a rate: never an amount of money */
            return ty_scalar(TY_ERROR);
        }
        if (n->op == LIT_PERCENT)
            return expect && expect->kind == TY_DECIMAL ? expect : ty_scalar(TY_DECIMAL);
        if (expect && (expect->kind == TY_MONEY || expect->kind == TY_DECIMAL)) return expect;
        return ty_scalar(TY_NUMBER);
    case AST_STRING: return ty_scalar(TY_TEXT);
    case AST_DATE: {
        int64_t d;
        if (date_parse(n->text, strlen(n->text), &d)) {
            ck_err(ck, n, "invalid date %s", n->text);      /* as check_literal_value says it */
            diag_hint(ck->dl, "dates are YYYY-MM-DD between %d-01-01 and %d-12-31", DATE_MIN_YEAR, DATE_MAX_YEAR);
            return ty_scalar(TY_ERROR);
        }
        return ty_scalar(TY_DATE);
    }
    case AST_BOOL: return ty_scalar(TY_BOOL);
    case AST_DURATION: {    /* `2 years`, `advanced_age years`: a whole count */
        const ty *t = ck_expr(w, n->a, ty_scalar(TY_INT));
        if (!ck_is_err(t) && t->kind != TY_INT) {
            ck_err(ck, n->a, "a duration count must be int, not %s", ty_str(t, x, sizeof x));
            if (t->kind == TY_DECIMAL)
                diag_hint(ck->dl, "declare it int, counting a smaller unit if need be (18 months, not 1.5 years)");
        }
        return ty_scalar(TY_DURATION);
    }
    case AST_AS_OF: return ty_scalar(TY_DATE);
    case AST_NAME: return name_ref(w, n, expect);
    case AST_MEMBER: return member(w, n);
    case AST_UNARY:
        if (n->op == OP_NOT) {
            ck_want(w, n->a, ty_scalar(TY_BOOL), "the operand of `not`");
            return ty_scalar(TY_BOOL);
        } else {
            const ty *t = ck_expr(w, n->a, expect);
            if (!ck_is_err(t) && !ck_is_num(t) && t->kind != TY_DURATION) {
                ck_err(ck, n, "cannot negate a value of type %s", ty_str(t, x, sizeof x));
                return ty_scalar(TY_ERROR);
            }
            return t;
        }
    case AST_BINARY:
        switch ((ast_binop)n->op) {
        case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: return arith(w, n);
        case OP_AND: case OP_OR:
            ck_want(w, n->a, ty_scalar(TY_BOOL), n->op == OP_AND ? "an operand of `and`" : "an operand of `or`");
            ck_want(w, n->b, ty_scalar(TY_BOOL), n->op == OP_AND ? "an operand of `and`" : "an operand of `or`");
            return ty_scalar(TY_BOOL);
        default: return compare(w, n);
        }
    case AST_IF: {
        ck_want(w, n->a, ty_scalar(TY_BOOL), "the condition of `if`");
        const ty *a = ck_expr(w, n->b, expect);
        const ty *b = ck_expr(w, n->c, a->kind == TY_NUMBER ? expect : a);
        if (a->kind == TY_NUMBER && !ck_is_err(b)) a = ck_expr(w, n->b, b);
        if (ck_is_err(a) || ck_is_err(b)) return ty_scalar(TY_ERROR);
        const ty *u = ck_unify(a, b);
        if (!u) return mismatch(w, n, "choose between", a, b);
        return u;
    }
    case AST_CALL: return call(w, n, expect);
    case AST_AGG: return agg(w, n);
    case AST_AT: {
        if (n->a->kind != AST_NAME) { ck_err(ck, n, "`at` reads a parameter at another date"); return ty_scalar(TY_ERROR); }
        sym *s = ck_sym_find(ck, n->a->text);
        if (!s || s->kind != SYM_PARAM) {
            at_not_param(ck, n->a, s);
            return ty_scalar(TY_ERROR);
        }
        s->used = 1;
        ck_add_dep(ck, w->current, (uint32_t)(s - ck->syms));
        n->a->decl = s;
        n->a->ty = s->type;
        ck_want(w, n->b, ty_scalar(TY_DATE), "the date after `at`");
        return s->type;
    }
    case AST_LIST: return list_literal(w, n, expect);
    default:
        ck_err(ck, n, "this is not an expression");
        return ty_scalar(TY_ERROR);
    }
}

const ty *ck_expr(walk *w, ast_node *n, const ty *expect)
{
    if (++w->depth > 512) {
        w->depth--;
        ck_err(w->ck, n, "expression nested too deeply");
        return ty_scalar(TY_ERROR);
    }
    const ty *t = set(n, expr_inner(w, n, expect));
    w->depth--;
    return t;
}
