/*
 * check_types.c - the checker's types: the shared scalar types, lists,
 * maps, enums and entities, units, how types print, resolving a written
 * TYPE, and reading a constant of a type (cells, parameter values).
 *
 * Part of the checker (check_int.h); types are not interned: two equal
 * types may be two objects, so compare them with ty_equal.
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

/* ---- types ------------------------------------------------------------ */

static const ty TY_SCALARS[] = {
    [TY_ERROR] = {TY_ERROR, TP_NONE, NULL, NULL, NULL, NULL},
    [TY_BOOL] = {TY_BOOL, TP_NONE, NULL, NULL, NULL, NULL},
    [TY_INT] = {TY_INT, TP_NONE, NULL, NULL, NULL, NULL},
    [TY_DECIMAL] = {TY_DECIMAL, TP_NONE, NULL, NULL, NULL, NULL},
    [TY_MONEY] = {TY_MONEY, TP_NONE, NULL, NULL, NULL, NULL},
    [TY_DATE] = {TY_DATE, TP_NONE, NULL, NULL, NULL, NULL},
    [TY_TEXT] = {TY_TEXT, TP_NONE, NULL, NULL, NULL, NULL},
    [TY_ENUM] = {TY_ERROR, TP_NONE, NULL, NULL, NULL, NULL},
    [TY_ENTITY] = {TY_ERROR, TP_NONE, NULL, NULL, NULL, NULL},
    [TY_LIST] = {TY_ERROR, TP_NONE, NULL, NULL, NULL, NULL},
    [TY_MAP] = {TY_ERROR, TP_NONE, NULL, NULL, NULL, NULL},
    [TY_DURATION] = {TY_DURATION, TP_NONE, NULL, NULL, NULL, NULL},
    [TY_NUMBER] = {TY_NUMBER, TP_NONE, NULL, NULL, NULL, NULL},
};
static const ty TY_MONEYS[] = {
    {TY_MONEY, TP_NONE, NULL, NULL, NULL, NULL}, {TY_MONEY, TP_MONTH, NULL, NULL, NULL, NULL},
    {TY_MONEY, TP_YEAR, NULL, NULL, NULL, NULL}, {TY_MONEY, TP_ONCE, NULL, NULL, NULL, NULL},
};

const ty *ty_scalar(ty_kind k) { return &TY_SCALARS[k]; }
const ty *ty_money(ty_period p) { return &TY_MONEYS[p]; }

static const ty *ty_new(arena *pool, ty_kind k, const ty *elem, const enum_def *en,
                        const entity_def *ent)
{
    ty *t = arena_alloc(pool, sizeof *t);
    if (!t)
        return ty_scalar(TY_ERROR);
    t->kind = k;
    t->elem = elem;
    t->en = en;
    t->ent = ent;
    return t;
}

/* t (an int or decimal) measured in unit; t itself when unit is NULL. */
const ty *ty_with_unit(arena *pool, const ty *t, const char *unit)
{
    if (!unit || (t->unit && strcmp(t->unit, unit) == 0) || (t->kind != TY_INT && t->kind != TY_DECIMAL))
        return t;
    ty *u = arena_alloc(pool, sizeof *u);
    if (!u)
        return ty_scalar(TY_ERROR);
    *u = *t;
    u->unit = unit;
    return u;
}

static int same_unit(const ty *a, const ty *b)
{
    return a->unit == b->unit || (a->unit && b->unit && strcmp(a->unit, b->unit) == 0);
}

const ty *ty_list_of(arena *pool, const ty *e) { return ty_new(pool, TY_LIST, e, NULL, NULL); }
const ty *ty_map_of(arena *pool, const ty *e) { return ty_new(pool, TY_MAP, e, NULL, NULL); }
const ty *ty_enum(arena *pool, const enum_def *e) { return ty_new(pool, TY_ENUM, NULL, e, NULL); }
const ty *ty_entity(arena *pool, const entity_def *e) { return ty_new(pool, TY_ENTITY, NULL, NULL, e); }

int ty_equal(const ty *a, const ty *b)
{
    if (a == b)
        return 1;
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case TY_INT: case TY_DECIMAL: return same_unit(a, b);
    case TY_MONEY: return a->period == b->period;
    case TY_ENUM: return a->en == b->en;
    case TY_ENTITY: return a->ent == b->ent;
    case TY_LIST: case TY_MAP: return ty_equal(a->elem, b->elem);
    default: return 1;
    }
}

const char *ty_str(const ty *t, char *out, size_t n)
{
    static const char *period[] = {"money", "money per month", "money per year", "money once"};
    char inner[64];
    switch (t->kind) {
    case TY_ERROR: snprintf(out, n, "<error>"); break;
    case TY_BOOL: snprintf(out, n, "bool"); break;
    case TY_INT: snprintf(out, n, "int%s%.40s", t->unit ? " unit " : "", t->unit ? t->unit : ""); break;
    case TY_DECIMAL: snprintf(out, n, "decimal%s%.40s", t->unit ? " unit " : "", t->unit ? t->unit : ""); break;
    /* an untyped literal such as 1.00: the language calls it a decimal (docs/language.md 4.4) */
    case TY_NUMBER: snprintf(out, n, "decimal"); break;
    case TY_MONEY: snprintf(out, n, "%s", period[t->period]); break;
    case TY_DATE: snprintf(out, n, "date"); break;
    case TY_TEXT: snprintf(out, n, "text"); break;
    case TY_DURATION: snprintf(out, n, "duration"); break;
    case TY_ENUM: snprintf(out, n, "%s", t->en->name); break;
    case TY_ENTITY: snprintf(out, n, "%s", t->ent->name); break;
    case TY_LIST: snprintf(out, n, "list of %s", ty_str(t->elem, inner, sizeof inner)); break;
    case TY_MAP: snprintf(out, n, "map of %s", ty_str(t->elem, inner, sizeof inner)); break;
    }
    return out;
}
/* ---- type resolution -------------------------------------------------- */

/* "did you mean `int`?" for an unknown type.  The built-in names are
 * short, so a slip of the longer word an officer has in mind (`integr`
 * for integer, `boolen`, `strng`) is too far from `int`, `bool` or
 * `text` to suggest: those longer words are candidates too, each
 * suggesting the built-in type it means. */
static void suggest_type(checked *ck, const char *name)
{
    static const char *const builtin[][2] = {
        {"bool", "bool"}, {"boolean", "bool"}, {"int", "int"}, {"integer", "int"},
        {"decimal", "decimal"}, {"money", "money"}, {"date", "date"}, {"text", "text"}, {"string", "text"},
    };
    suggestion sg;
    size_t n = strlen(name), nb = sizeof builtin / sizeof *builtin;

    suggest_init(&sg);
    for (size_t i = 0; i < nb; i++)
        suggest_consider(&sg, name, n, builtin[i][0]);
    for (uint32_t i = 0; i < ck->nenums; i++)
        suggest_consider(&sg, name, n, ck->enums[i]->name);
    for (uint32_t i = 0; ck->model && i < ck->model->nentities; i++)
        suggest_consider(&sg, name, n, ck->model->entities[i]->name);
    for (size_t i = 0; sg.best && i < nb; i++)
        if (sg.best == builtin[i][0])
            sg.best = builtin[i][1];
    if (sg.best)
        diag_hint(ck->dl, "did you mean `%s`?", sg.best);
}

const ty *check_type(checked *ck, ast_node *t)
{
    switch ((ast_base)t->op) {
    case BASE_BOOL: return ty_scalar(TY_BOOL);
    case BASE_INT: return ty_with_unit(ck->pool, ty_scalar(TY_INT), t->text);
    case BASE_DECIMAL: return ty_with_unit(ck->pool, ty_scalar(TY_DECIMAL), t->text);
    case BASE_MONEY: return ty_money((ty_period)t->op2);
    case BASE_DATE: return ty_scalar(TY_DATE);
    case BASE_TEXT: return ty_scalar(TY_TEXT);
    case BASE_LIST: return ty_list_of(ck->pool, check_type(ck, t->a));
    case BASE_MAP: return ty_map_of(ck->pool, check_type(ck, t->a));
    case BASE_NAMED: {
        /* a declaration's type is resolved again by each pass over the
         * bodies (check.c): an unknown name is reported the first time only */
        if (t->ty && ck_is_err(t->ty))
            return t->ty;
        const enum_def *e = ck_enum_find(ck, t->text);
        if (e)
            return ty_enum(ck->pool, e);
        const entity_def *ent = ck_entity_find(ck->model, t->text);
        if (ent)
            return ty_entity(ck->pool, ent);
        ck_err(ck, t, "unknown type `%s`", t->text);
        suggest_type(ck, t->text);
        return t->ty = ty_scalar(TY_ERROR);
    }
    }
    return ty_scalar(TY_ERROR);
}

void ck_percent_not_money(checked *ck, ast_node *n, const ty *money)
{
    char tn[64];
    ck_err(ck, n, "a percentage (%s) is a rate, not an amount of %s", n->text, ty_str(money, tn, sizeof tn));
    diag_hint(ck->dl, "a rate scales an amount: multiply the amount by it");
}

int check_literal_value(checked *ck, ast_node *n, const ty *t, int64_t *out)
{
    char tn[64];
    switch (n->kind) {
    case AST_INT:
    case AST_DEC: {
        if (t->kind == TY_INT && n->kind == AST_INT) {
            int64_t v;
            if (dec_parse(n->text, strlen(n->text), &v) != DEC_OK) {
                ck_err(ck, n, "integer %s is out of range", n->text);
                return -1;
            }
            *out = v / DEC_SCALE;
            return 0;
        }
        if (!ty_is_decimal_like(t))
            break;
        if (n->op == LIT_PERCENT && t->kind == TY_MONEY) {
            ck_percent_not_money(ck, n, t);
            return -1;
        }
        dec_status st = dec_parse(n->text, strlen(n->text), out);
        if (st == DEC_E_PRECISION) {
            ck_err(ck, n, "`%s` has more than %d decimal places", n->text, DEC_PLACES);
            return -1;
        }
        if (st != DEC_OK) {
            ck_err(ck, n, "number %s is out of range", n->text);
            return -1;
        }
        return 0;
    }
    case AST_UNARY:
        if (n->op == OP_NEG && (n->a->kind == AST_INT || n->a->kind == AST_DEC)) {
            if (check_literal_value(ck, n->a, t, out))
                return -1;
            *out = -*out;
            return 0;
        }
        break;
    case AST_DATE:
        if (t->kind != TY_DATE)
            break;
        if (date_parse(n->text, strlen(n->text), out)) {
            ck_err(ck, n, "invalid date %s", n->text);
            diag_hint(ck->dl, "dates are YYYY-MM-DD between %d-01-01 and %d-12-31",
                      DATE_MIN_YEAR, DATE_MAX_YEAR);
            return -1;
        }
        return 0;
    case AST_BOOL:
        if (t->kind != TY_BOOL)
            break;
        *out = n->op;
        return 0;
    case AST_NAME:
        if (t->kind == TY_ENUM) {
            int k = enum_value(t->en, n->text, strlen(n->text));
            if (k >= 0) {
                *out = k;
                return 0;
            }
            ck_err(ck, n, "`%s` is not a value of enum %s", n->text, t->en->name);
            ck_suggest(ck, n->text, t->en->values, t->en->nvalues);
            return -1;
        }
        break;
    default:
        break;
    }
    ck_err(ck, n, "expected a constant %s here", ty_str(t, tn, sizeof tn));
    return -1;
}
