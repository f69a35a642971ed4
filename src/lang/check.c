/*
 * check.c - names, types, units, periods, cycles, tables and dated
 * parameters: everything that can be known about a policy before it runs.
 *
 * Fits between parse.c (which built the AST) and lower.c (which reads the
 * symbols and the types recorded here into ast_node.ty / .decl).  Every
 * problem becomes a diagnostic with a location; checking goes on after an
 * error (a bad expression gets TY_ERROR, which silences follow-on errors)
 * so one run reports everything.
 *
 * What it does not do: build evaluation nodes or fold constants (lower.c),
 * or evaluate assertions (compile.c runs them on the lowered tree).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/check.h"
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
    case TY_NUMBER: snprintf(out, n, "number"); break;
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

/* ---- symbols ---------------------------------------------------------- */

#define MAX_SCOPE 64

typedef struct scope_var {
    const char *name;
    const ty *type;
    ast_node *decl;
} scope_var;

typedef struct walk {
    checked *ck;
    int current;                /* sym index whose body is checked, or -1 */
    scope_var vars[MAX_SCOPE];
    int nvars;
    int depth;
    sym *table;                 /* table whose row outputs are checked */
} walk;

static void err(checked *ck, ast_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void err(checked *ck, ast_node *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_add(ck->dl, DIAG_ERROR, ck->src, n->loc, NULL, "%s", msg);
}

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;            /* FNV-1a: compile time only */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Names are looked up in a hash table so that a policy of n definitions
 * checks in O(n), not O(n^2) (a 4 MiB file must not stall a reload). */
static sym *sym_find(checked *ck, const char *name)
{
    if (!ck->hashcap)
        return NULL;
    for (uint32_t h = name_hash(name) & (ck->hashcap - 1);; h = (h + 1) & (ck->hashcap - 1)) {
        uint32_t k = ck->hash[h];
        if (k == 0)
            return NULL;
        if (strcmp(ck->syms[k - 1].name, name) == 0)
            return &ck->syms[k - 1];
    }
}

static void hash_insert(checked *ck, uint32_t index)
{
    uint32_t h = name_hash(ck->syms[index].name) & (ck->hashcap - 1);
    while (ck->hash[h])
        h = (h + 1) & (ck->hashcap - 1);
    ck->hash[h] = index + 1;
}

/* Keeps the table at most half full; returns 1 when it rebuilt it (with
 * every symbol, the newest included), 0 when not, -1 out of memory. */
static int hash_grow(checked *ck)
{
    if (ck->nsyms * 2 < ck->hashcap)
        return 0;
    uint32_t cap = ck->hashcap ? ck->hashcap * 2 : 64;
    uint32_t *h = arena_alloc(ck->pool, sizeof(uint32_t) * cap);
    if (!h)
        return -1;
    ck->hash = h;
    ck->hashcap = cap;
    for (uint32_t i = 0; i < ck->nsyms; i++)
        hash_insert(ck, i);
    return 1;
}

static sym *sym_add(checked *ck, sym_kind kind, ast_node *decl)
{
    sym *prev = sym_find(ck, decl->text);
    if (prev) {
        uint32_t line, col;
        source_linecol(ck->src, prev->decl->loc.start, &line, &col);
        err(ck, decl, "`%s` is already defined on line %u", decl->text, line);
        return NULL;
    }
    if (ck->nsyms == ck->capsyms) {
        uint32_t cap = ck->capsyms ? ck->capsyms * 2 : 32;
        sym *s = arena_alloc(ck->pool, sizeof(sym) * cap);
        if (!s)
            return NULL;
        if (ck->nsyms)
            memcpy(s, ck->syms, sizeof(sym) * ck->nsyms);
        ck->syms = s;
        ck->capsyms = cap;
    }
    sym *s = &ck->syms[ck->nsyms++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->name = decl->text;
    s->decl = decl;
    s->type = ty_scalar(TY_ERROR);
    s->slot = -1;
    int grown = hash_grow(ck);          /* a rehash inserts the new one too */
    if (grown < 0)
        return NULL;
    if (!grown)
        hash_insert(ck, ck->nsyms - 1);
    return s;
}

static void add_dep(checked *ck, int from, uint32_t to)
{
    if (from < 0)
        return;
    sym *s = &ck->syms[from];
    for (uint32_t i = 0; i < s->ndeps; i++)
        if (s->deps[i] == to)
            return;
    if (s->ndeps == s->capdeps) {
        uint32_t cap = s->capdeps ? s->capdeps * 2 : 8;
        uint32_t *d = arena_alloc(ck->pool, sizeof(uint32_t) * cap);
        if (!d)
            return;
        if (s->ndeps)
            memcpy(d, s->deps, sizeof(uint32_t) * s->ndeps);
        s->deps = d;
        s->capdeps = cap;
    }
    s->deps[s->ndeps++] = to;
}

static const enum_def *enum_find(checked *ck, const char *name)
{
    for (uint32_t i = 0; i < ck->nenums; i++)
        if (strcmp(ck->enums[i]->name, name) == 0)
            return ck->enums[i];
    return NULL;
}

static const entity_def *entity_find(const cmodel *m, const char *name)
{
    if (!m)
        return NULL;
    for (uint32_t i = 0; i < m->nentities; i++)
        if (strcmp(m->entities[i]->name, name) == 0)
            return m->entities[i];
    return NULL;
}

/* Appends "did you mean `x`?" as a hint when a close name exists. */
static void suggest(checked *ck, const char *name, const char *const *cands, size_t n)
{
    suggestion s;
    suggest_init(&s);
    for (size_t i = 0; i < n; i++)
        suggest_consider(&s, name, strlen(name), cands[i]);
    if (s.best)
        diag_hint(ck->dl, "did you mean `%s`?", s.best);
}

static void suggest_name(walk *w, const char *name, const ty *expect)
{
    checked *ck = w->ck;
    const char *cands[512];
    size_t n = 0;
    for (int i = w->nvars - 1; i >= 0 && n < 512; i--)
        cands[n++] = w->vars[i].name;
    for (uint32_t i = 0; i < ck->nsyms && n < 512; i++)
        if (ck->syms[i].kind != SYM_TPARAM)
            cands[n++] = ck->syms[i].name;
    if (w->table)
        for (ast_node *p = w->table->decl->a; p && n < 512; p = p->next)
            cands[n++] = p->text;
    if (expect && expect->kind == TY_ENUM)
        for (uint32_t i = 0; i < expect->en->nvalues && n < 512; i++)
            cands[n++] = expect->en->values[i];
    suggest(ck, name, cands, n);
}

/* ---- type resolution -------------------------------------------------- */

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
        const enum_def *e = enum_find(ck, t->text);
        if (e)
            return ty_enum(ck->pool, e);
        const entity_def *ent = entity_find(ck->model, t->text);
        if (ent)
            return ty_entity(ck->pool, ent);
        err(ck, t, "unknown type `%s`", t->text);
        const char *cands[256];
        size_t n = 0;
        static const char *builtin[] = {"bool", "int", "decimal", "money", "date", "text"};
        for (size_t i = 0; i < 6; i++)
            cands[n++] = builtin[i];
        for (uint32_t i = 0; i < ck->nenums && n < 256; i++)
            cands[n++] = ck->enums[i]->name;
        for (uint32_t i = 0; ck->model && i < ck->model->nentities && n < 256; i++)
            cands[n++] = ck->model->entities[i]->name;
        suggest(ck, t->text, cands, n);
        return ty_scalar(TY_ERROR);
    }
    }
    return ty_scalar(TY_ERROR);
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
                err(ck, n, "integer %s is out of range", n->text);
                return -1;
            }
            *out = v / DEC_SCALE;
            return 0;
        }
        if (!ty_is_decimal_like(t))
            break;
        if (n->op == LIT_PERCENT && t->kind == TY_MONEY) {
            err(ck, n, "a percentage (%s) is a rate, not an amount of %s", n->text, ty_str(t, tn, sizeof tn));
            diag_hint(ck->dl, "a rate scales an amount: multiply the amount by it");
            return -1;
        }
        dec_status st = dec_parse(n->text, strlen(n->text), out);
        if (st == DEC_E_PRECISION) {
            err(ck, n, "`%s` has more than %d decimal places", n->text, DEC_PLACES);
            return -1;
        }
        if (st != DEC_OK) {
            err(ck, n, "number %s is out of range", n->text);
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
            err(ck, n, "invalid date %s", n->text);
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
            err(ck, n, "`%s` is not a value of enum %s", n->text, t->en->name);
            suggest(ck, n->text, t->en->values, t->en->nvalues);
            return -1;
        }
        break;
    default:
        break;
    }
    err(ck, n, "expected a constant %s here", ty_str(t, tn, sizeof tn));
    return -1;
}

/* ---- expressions ------------------------------------------------------ */

static const ty *expr(walk *w, ast_node *n, const ty *expect);

static const ty *set(ast_node *n, const ty *t)
{
    n->ty = t;
    return t;
}

static int is_err(const ty *t) { return t->kind == TY_ERROR; }
static int is_num(const ty *t)
{
    return t->kind == TY_INT || t->kind == TY_DECIMAL || t->kind == TY_NUMBER || t->kind == TY_MONEY;
}

/* Unifies two types for comparison, if/else branches and min/max:
 * an untyped number adopts the other side; int widens to decimal. */
static const ty *unify_base(const ty *a, const ty *b);

/* Quantities in two different units never meet; a quantity with a unit
 * and one without (a count, a literal) give the one with the unit. */
static const ty *unify(const ty *a, const ty *b)
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
    if (is_err(a) || is_err(b))
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
    err(w->ck, n, "cannot %s %s and %s", what, x, y);
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
    if (is_err(t) || (t->kind != TY_INT && t->kind != TY_DECIMAL))
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
     * of * and / (860.00 * 3 scales an amount; it is not an amount) */
    int additive = n->op == OP_ADD || n->op == OP_SUB;
    const ty *a = expr(w, n->a, NULL);
    const ty *b = expr(w, n->b, additive && a->kind == TY_MONEY ? a : NULL);
    if (additive && a->kind == TY_NUMBER && b->kind == TY_MONEY)
        a = expr(w, n->a, b);
    if (is_err(a) || is_err(b))
        return ty_scalar(TY_ERROR);
    static const char *verb[] = {"add", "subtract", "multiply", "divide"};
    const char *v = verb[n->op];
    if (n->op == OP_ADD || n->op == OP_SUB) {
        if (a->kind == TY_DATE && b->kind == TY_DURATION)
            return ty_scalar(TY_DATE);
        if (a->kind == TY_INT && b->kind == TY_INT)
            return ty_scalar(TY_INT);
        if (a->kind == TY_MONEY || b->kind == TY_MONEY) {
            const ty *u = unify(a, b);
            if (u && u->kind == TY_MONEY)
                return u;
            return mismatch(w, n, v, a, b);
        }
        if (is_num(a) && is_num(b))
            return (a->kind == TY_NUMBER && b->kind == TY_NUMBER) ? ty_scalar(TY_NUMBER)
                                                                   : ty_scalar(TY_DECIMAL);
        return mismatch(w, n, v, a, b);
    }
    if (n->op == OP_MUL) {
        if (a->kind == TY_INT && b->kind == TY_INT)
            return ty_scalar(TY_INT);
        if (a->kind == TY_MONEY && b->kind == TY_MONEY)
            return mismatch(w, n, v, a, b);
        if (a->kind == TY_MONEY && is_num(b)) return a;
        if (b->kind == TY_MONEY && is_num(a)) return b;
        if (is_num(a) && is_num(b))
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
    if (a->kind == TY_MONEY && is_num(b)) return a;
    if (is_num(a) && is_num(b) && a->kind != TY_MONEY && b->kind != TY_MONEY)
        return ty_scalar(TY_DECIMAL);
    return mismatch(w, n, v, a, b);
}

static const ty *compare(walk *w, ast_node *n)
{
    const ty *a = expr(w, n->a, NULL);
    const ty *b = expr(w, n->b, a);
    if ((a->kind == TY_NUMBER || a->kind == TY_INT) && b->kind == TY_MONEY)
        a = expr(w, n->a, b);
    if (is_err(a) || is_err(b))
        return ty_scalar(TY_BOOL);
    const ty *u = unify(a, b);
    if (!u && a->kind == TY_INT && b->kind == TY_MONEY)
        u = NULL;
    if (!u) {
        mismatch(w, n, "compare", a, b);
        return ty_scalar(TY_BOOL);
    }
    int ordered = n->op != OP_EQ && n->op != OP_NE;
    if (ordered && (u->kind == TY_BOOL || u->kind == TY_ENUM || u->kind == TY_TEXT || !ty_is_scalar(u))) {
        char x[64];
        err(w->ck, n, "values of type %s have no order; use == or !=", ty_str(u, x, sizeof x));
    }
    if (!ordered && !ty_is_scalar(u) && u->kind != TY_TEXT) {
        char x[64];
        err(w->ck, n, "values of type %s cannot be compared", ty_str(u, x, sizeof x));
    }
    return ty_scalar(TY_BOOL);
}

static const ty *want(walk *w, ast_node *n, const ty *expect, const char *what)
{
    const ty *t = expr(w, n, expect);
    if (is_err(t) || unify(t, expect))
        return t;
    char x[64], y[64];
    err(w->ck, n, "%s must be %s, not %s", what, ty_str(expect, x, sizeof x), ty_str(t, y, sizeof y));
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
    sym *s = sym_find(ck, n->text);
    if (s && s->kind != SYM_VAR && s->kind != SYM_TPARAM) {
        if (s->kind == SYM_TABLE) {
            err(ck, n, "`%s` is a table: call it with its arguments", n->text);
            return ty_scalar(TY_ERROR);
        }
        s->used = 1;
        add_dep(ck, w->current, (uint32_t)(s - ck->syms));
        n->decl = s;
        return s->type;
    }
    if (expect && expect->kind == TY_ENUM) {
        int k = enum_value(expect->en, n->text, strlen(n->text));
        if (k >= 0) {
            n->decl = NULL;
            n->op2 = -1;
            n->slot = k;                    /* enum constant (lower.c) */
            return expect;
        }
        err(ck, n, "`%s` is not a value of enum %s", n->text, expect->en->name);
        suggest(ck, n->text, expect->en->values, expect->en->nvalues);
        return ty_scalar(TY_ERROR);
    }
    if (expect && is_err(expect))
        return expect;       /* `x == rural` where x already failed: rural may be an enum value */
    err(ck, n, "unknown name `%s`", n->text);
    suggest_name(w, n->text, expect);
    return ty_scalar(TY_ERROR);
}

static const ty *call(walk *w, ast_node *n, const ty *expect);

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
    err(ck, n, "table `%s` has no result `%s`", base, n->text);
    suggest(ck, n->text, cols, ncols);
    for (ast_node *a = n->a->a; a; a = a->next) expr(w, a, NULL);
    return ty_scalar(TY_ERROR);
}

static const ty *member(walk *w, ast_node *n)
{
    const char *one[1];
    if (n->a->kind == AST_CALL && !sym_find(w->ck, n->a->text) && result_columns(w->ck, n->a->text, one, 1))
        return result_column(w, n);
    const ty *o = expr(w, n->a, NULL);
    if (is_err(o))
        return o;
    if (o->kind != TY_ENTITY) {
        char x[64];
        err(w->ck, n, "`%s` is not a field: %s has no fields", n->text, ty_str(o, x, sizeof x));
        return ty_scalar(TY_ERROR);
    }
    const field_def *f = entity_field(o->ent, n->text, strlen(n->text));
    if (!f) {
        err(w->ck, n, "entity %s has no field `%s`", o->ent->name, n->text);
        const char *cands[128];
        size_t k = 0;
        for (uint32_t i = 0; i < o->ent->nfields && k < 128; i++)
            cands[k++] = o->ent->fields[i].name;
        suggest(w->ck, n->text, cands, k);
        return ty_scalar(TY_ERROR);
    }
    n->slot = (int32_t)f->index;
    return f->type;
}

static const ty *agg(walk *w, ast_node *n)
{
    const ty *lt = expr(w, n->b, NULL);
    if (is_err(lt))
        return lt;
    if (lt->kind != TY_LIST) {
        char x[64];
        err(w->ck, n->b, "expected a list to aggregate over, got %s", ty_str(lt, x, sizeof x));
        return ty_scalar(TY_ERROR);
    }
    int pushed = 0;
    if (n->text) {
        if (w->nvars == MAX_SCOPE) {
            err(w->ck, n, "aggregations nested too deeply");
            return ty_scalar(TY_ERROR);
        }
        w->vars[w->nvars].name = n->text;
        w->vars[w->nvars].type = lt->elem;
        w->vars[w->nvars].decl = n;
        w->nvars++;
        pushed = 1;
    }
    if (n->c)
        want(w, n->c, ty_scalar(TY_BOOL), "a `where` filter");
    const ty *v = n->a ? expr(w, n->a, NULL) : NULL;
    const ty *key = n->d ? expr(w, n->d, NULL) : NULL;
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
        if (is_err(v)) break;
        if (!is_num(v)) { err(w->ck, n, "cannot sum values of type %s", ty_str(v, x, sizeof x)); break; }
        r = v->kind == TY_NUMBER ? ty_scalar(TY_DECIMAL) : v;
        break;
    case AGG_MIN: case AGG_MAX:
        if (!v) v = lt->elem;
        if (is_err(v)) break;
        if (!is_num(v) && v->kind != TY_DATE) { err(w->ck, n, "values of type %s have no order", ty_str(v, x, sizeof x)); break; }
        r = v->kind == TY_NUMBER ? ty_scalar(TY_DECIMAL) : v;
        break;
    case AGG_ANY: case AGG_ALL:
        if (!v) v = lt->elem;
        if (is_err(v)) break;
        if (v->kind != TY_BOOL) { err(w->ck, n, "any/all need a condition, got %s", ty_str(v, x, sizeof x)); break; }
        r = ty_scalar(TY_BOOL);
        break;
    case AGG_MAP:
        if (!v || !key || is_err(v) || is_err(key)) break;
        if (key->kind != TY_TEXT) { err(w->ck, n->d, "map keys must be text, got %s", ty_str(key, x, sizeof x)); break; }
        if (!ty_is_scalar(v)) { err(w->ck, n->a, "map values must be scalars, got %s", ty_str(v, x, sizeof x)); break; }
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
            err(ck, n, "age_on takes two dates: age_on(birth_date, date)");
            diag_hint(ck->dl, "the age in full years (周岁) on the decision date is `age_on(m.birth_date, as_of)`");
        } else {
            err(ck, n, "%s takes two dates: %s(from, to)", f, f);
        }
        for (ast_node *a = n->a; a; a = a->next) expr(w, a, NULL);
        return ty_scalar(TY_ERROR);
    }
    int bad = 0;
    for (ast_node *a = n->a; a; a = a->next) {
        const ty *t = expr(w, a, NULL);
        if (is_err(t) || t->kind == TY_DATE) { bad |= is_err(t); continue; }
        err(ck, a, "the arguments of %s are dates, not %s", f, ty_str(t, x, sizeof x));
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
        if (argc < 1 || argc > 3) { err(ck, n, "round takes 1 to 3 arguments: round(x, quantum, mode)"); return ty_scalar(TY_ERROR); }
        const ty *t = expr(w, n->a, expect && ty_is_decimal_like(expect) ? expect : NULL);
        if (is_err(t)) return t;
        if (!is_num(t)) { err(ck, n->a, "cannot round a value of type %s", ty_str(t, x, sizeof x)); return ty_scalar(TY_ERROR); }
        ast_node *q = n->a->next;
        if (q && q->kind != AST_INT && q->kind != AST_DEC) {
            err(ck, q, "the rounding quantum must be a number literal such as 0.01 or 1");
            return ty_scalar(TY_ERROR);
        }
        if (q) {
            int64_t qv;
            if (check_literal_value(ck, q, ty_scalar(TY_DECIMAL), &qv)) return ty_scalar(TY_ERROR);
            if (qv <= 0) { err(ck, q, "the rounding quantum must be positive"); return ty_scalar(TY_ERROR); }
            q->ty = ty_scalar(TY_DECIMAL);
        } else if (t->kind != TY_MONEY) {
            err(ck, n, "round of a %s needs a quantum, e.g. round(x, 0.01) or round(x, 1)", ty_str(t, x, sizeof x));
            return ty_scalar(TY_ERROR);
        }
        if (q && q->next) {
            ast_node *m = q->next;
            if (m->kind != AST_NAME || dec_round_mode_from_name(m->text) < 0) {
                err(ck, m, "unknown rounding mode");
                static const char *modes[] = {"half_up", "half_down", "half_even", "up", "down", "ceiling", "floor"};
                if (m->kind == AST_NAME) suggest(ck, m->text, modes, 7);
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
        if (argc != 1) { err(ck, n, "%s takes one argument", f); return ty_scalar(TY_ERROR); }
        const ty *t = expr(w, n->a, NULL);
        if (is_err(t)) return t;
        ty_period from = to_month ? TP_YEAR : TP_MONTH;
        if (t->kind != TY_MONEY || t->period != from) {
            err(ck, n->a, "%s converts money per %s, not %s", f, to_month ? "year" : "month", ty_str(t, x, sizeof x));
            return ty_scalar(TY_ERROR);
        }
        return ty_money(to_month ? TP_MONTH : TP_YEAR);
    }
    if (strcmp(f, "value_or") == 0) {  /* a partial table's value, or the default */
        sym *ts = argc == 2 && n->a->kind == AST_CALL ? sym_find(ck, n->a->text) : NULL;
        if (!ts || ts->kind != SYM_TABLE || !ts->decl->d) {
            err(ck, n, "value_or takes a call of a partial table and the value when no row matches");
            for (ast_node *a = n->a; a; a = a->next) expr(w, a, NULL);
            return ty_scalar(TY_ERROR);
        }
        n->a->op2 = 1;
        const ty *t = expr(w, n->a, expect);
        const ty *dt = expr(w, n->a->next, t);
        if (is_err(t) || is_err(dt)) return ty_scalar(TY_ERROR);
        const ty *u = unify(t, dt);
        return u ? u : mismatch(w, n, "choose between", t, dt);
    }
    if (strcmp(f, "once") == 0) {     /* a one-off amount made from a periodic one */
        if (argc != 1) { err(ck, n, "once takes one argument"); return ty_scalar(TY_ERROR); }
        const ty *t = expr(w, n->a, NULL);
        if (is_err(t)) return t;
        if (t->kind != TY_MONEY || t->period == TP_ONCE) {
            err(ck, n->a, "once makes a one-off amount from money per month, per year or plain money, not %s",
                ty_str(t, x, sizeof x));
            return ty_scalar(TY_ERROR);
        }
        return ty_money(TP_ONCE);
    }
    if (strcmp(f, "min") == 0 || strcmp(f, "max") == 0) {
        if (argc != 2) { err(ck, n, "%s of two values takes two arguments (or use %s(x for m in list))", f, f); return ty_scalar(TY_ERROR); }
        const ty *a = expr(w, n->a, expect);
        const ty *b = expr(w, n->a->next, a);
        if (a->kind == TY_NUMBER && b->kind == TY_MONEY) a = expr(w, n->a, b);
        if (is_err(a) || is_err(b)) return ty_scalar(TY_ERROR);
        const ty *u = unify(a, b);
        if (!u || !(is_num(u) || u->kind == TY_DATE)) return mismatch(w, n, f[1] == 'i' ? "take the min of" : "take the max of", a, b);
        return u;
    }
    if (strcmp(f, "age_on") == 0 || strcmp(f, "years_between") == 0 || strcmp(f, "months_between") == 0)
        return date_span(w, n, f);
    sym *s = sym_find(ck, f);
    const char *cols[64];
    size_t ncols = s ? 0 : result_columns(ck, f, cols, 64);
    if (ncols) {
        err(ck, n, "table `%s` gives %zu results: name the one wanted, e.g. `%s(...).%s`", f, ncols, f, cols[0]);
        for (ast_node *a = n->a; a; a = a->next) expr(w, a, NULL);
        return ty_scalar(TY_ERROR);
    }
    if (!s || s->kind != SYM_TABLE) {
        err(ck, n, "unknown function or table `%s`", f);
        const char *cands[256];
        size_t k = 0;
        static const char *builtins[] = {"round", "per_month", "per_year", "once", "value_or", "min", "max", "count",
                                         "sum", "any", "all", "map", "age_on", "years_between", "months_between"};
        for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++) cands[k++] = builtins[i];
        for (uint32_t i = 0; i < ck->nsyms && k < 256; i++)
            if (ck->syms[i].kind == SYM_TABLE) cands[k++] = ck->syms[i].name;
        suggest(ck, f, cands, k);
        for (ast_node *a = n->a; a; a = a->next) expr(w, a, NULL);
        return ty_scalar(TY_ERROR);
    }
    s->used = 1;
    add_dep(ck, w->current, (uint32_t)(s - ck->syms));
    n->decl = s;
    if (s->decl->d && n->op2 != 1) {
        err(ck, n, "table `%s` is partial: where no row matches it has no value", f);
        diag_hint(ck->dl, "say what applies then: value_or(%s(...), DEFAULT)", f);
    }
    if ((uint32_t)argc != s->ncols) {
        err(ck, n, "table `%s` takes %u argument%s, got %d", f, s->ncols, s->ncols == 1 ? "" : "s", argc);
        return ty_scalar(TY_ERROR);
    }
    uint32_t k = 0;
    ast_node *p = s->decl->a;
    for (ast_node *a = n->a; a; a = a->next, p = p->next, k++) {
        char what[160];
        snprintf(what, sizeof what, "argument `%s` of table `%s`", p->text, f);
        want(w, a, s->col_types[k], what);
    }
    return s->type;
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
        if (n->op == LIT_PERCENT)   /* a rate: never an amount of money */
            return expect && expect->kind == TY_DECIMAL ? expect : ty_scalar(TY_DECIMAL);
        if (expect && (expect->kind == TY_MONEY || expect->kind == TY_DECIMAL)) return expect;
        return ty_scalar(TY_NUMBER);
    case AST_STRING: return ty_scalar(TY_TEXT);
    case AST_DATE: {
        int64_t d;
        if (date_parse(n->text, strlen(n->text), &d)) {
            err(ck, n, "invalid date %s", n->text);
            return ty_scalar(TY_ERROR);
        }
        return ty_scalar(TY_DATE);
    }
    case AST_BOOL: return ty_scalar(TY_BOOL);
    case AST_DURATION: {    /* `2 years`, `advanced_age years`: a whole count */
        const ty *t = expr(w, n->a, ty_scalar(TY_INT));
        if (!is_err(t) && t->kind != TY_INT) {
            err(ck, n->a, "a duration count must be int, not %s", ty_str(t, x, sizeof x));
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
            want(w, n->a, ty_scalar(TY_BOOL), "the operand of `not`");
            return ty_scalar(TY_BOOL);
        } else {
            const ty *t = expr(w, n->a, expect);
            if (!is_err(t) && !is_num(t) && t->kind != TY_DURATION) {
                err(ck, n, "cannot negate a value of type %s", ty_str(t, x, sizeof x));
                return ty_scalar(TY_ERROR);
            }
            return t;
        }
    case AST_BINARY:
        switch ((ast_binop)n->op) {
        case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: return arith(w, n);
        case OP_AND: case OP_OR:
            want(w, n->a, ty_scalar(TY_BOOL), n->op == OP_AND ? "an operand of `and`" : "an operand of `or`");
            want(w, n->b, ty_scalar(TY_BOOL), n->op == OP_AND ? "an operand of `and`" : "an operand of `or`");
            return ty_scalar(TY_BOOL);
        default: return compare(w, n);
        }
    case AST_IF: {
        want(w, n->a, ty_scalar(TY_BOOL), "the condition of `if`");
        const ty *a = expr(w, n->b, expect);
        const ty *b = expr(w, n->c, a->kind == TY_NUMBER ? expect : a);
        if (a->kind == TY_NUMBER && !is_err(b)) a = expr(w, n->b, b);
        if (is_err(a) || is_err(b)) return ty_scalar(TY_ERROR);
        const ty *u = unify(a, b);
        if (!u) return mismatch(w, n, "choose between", a, b);
        return u;
    }
    case AST_CALL: return call(w, n, expect);
    case AST_AGG: return agg(w, n);
    case AST_AT: {
        if (n->a->kind != AST_NAME) { err(ck, n, "`at` reads a parameter at another date"); return ty_scalar(TY_ERROR); }
        sym *s = sym_find(ck, n->a->text);
        if (!s || s->kind != SYM_PARAM) {
            err(ck, n->a, "`%s` is not a parameter: only parameters can be read at another date", n->a->text);
            return ty_scalar(TY_ERROR);
        }
        s->used = 1;
        add_dep(ck, w->current, (uint32_t)(s - ck->syms));
        n->a->decl = s;
        n->a->ty = s->type;
        want(w, n->b, ty_scalar(TY_DATE), "the date after `at`");
        return s->type;
    }
    case AST_LIST: {
        const ty *e = expect && expect->kind == TY_LIST ? expect->elem : NULL;
        for (ast_node *i = n->a; i; i = i->next) {
            const ty *t = expr(w, i, e);
            if (!e || e->kind == TY_NUMBER) e = t;
        }
        if (!e) { err(ck, n, "cannot tell the type of an empty list here"); return ty_scalar(TY_ERROR); }
        return ty_list_of(ck->pool, e);
    }
    default:
        err(ck, n, "this is not an expression");
        return ty_scalar(TY_ERROR);
    }
}

static const ty *expr(walk *w, ast_node *n, const ty *expect)
{
    if (++w->depth > 512) {
        w->depth--;
        err(w->ck, n, "expression nested too deeply");
        return ty_scalar(TY_ERROR);
    }
    const ty *t = set(n, expr_inner(w, n, expect));
    w->depth--;
    return t;
}

/* ---- declarations ----------------------------------------------------- */

static void walk_init(walk *w, checked *ck, int current)
{
    memset(w, 0, sizeof *w);
    w->ck = ck;
    w->current = current;
}

/* The body of a let or output: base expression and `unless` rules. */
static void check_def(checked *ck, uint32_t i)
{
    sym *s = &ck->syms[i];
    ast_node *d = s->decl;
    walk w;
    walk_init(&w, ck, (int)i);
    const ty *declared = d->a ? check_type(ck, d->a) : NULL;
    const ty *t = expr(&w, d->b, declared);
    if (declared && !is_err(t) && !unify(t, declared)) {
        char x[64], y[64];
        err(ck, d->b, "`%s` is declared %s but its value is %s", d->text,
            ty_str(declared, x, sizeof x), ty_str(t, y, sizeof y));
        if (declared->kind == TY_MONEY && declared->period == TP_ONCE && t->kind == TY_MONEY)
            diag_hint(ck->dl, "a one-off amount made from a periodic one says so: once(...)");
    } else if (declared && !is_err(t) && declared->kind == TY_INT && t->kind != TY_INT) {
        char y[64];
        err(ck, d->b, "`%s` is declared int but its value is %s", d->text, ty_str(t, y, sizeof y));
        diag_hint(ck->dl, "round it to an integer with round(x, 1)");
    }
    const ty *final = declared ? declared : (t->kind == TY_NUMBER ? ty_scalar(TY_DECIMAL) : t);
    for (ast_node *u = d->c; u; u = u->next) {
        want(&w, u->a, ty_scalar(TY_BOOL), "the condition of `unless`");
        char what[160];
        snprintf(what, sizeof what, "the value of `%s` under `unless`", d->text);
        if (!is_err(final))
            want(&w, u->b, final, what);
        else
            expr(&w, u->b, NULL);
    }
    s->type = final;
}

/* Types of let/output declarations are needed before bodies are checked
 * (a reference to a later let): take the declared type, else infer on
 * demand in dependency order (see order_defs). */
static sym *declare_table(checked *ck, ast_node *d)
{
    sym *s = sym_add(ck, SYM_TABLE, d);
    if (!s) return NULL;
    s->type = check_type(ck, d->b);
    s->ncols = (uint32_t)ast_list_len(d->a);
    s->col_types = arena_alloc(ck->pool, sizeof(ty *) * (s->ncols + 1));
    uint32_t k = 0;
    for (ast_node *p = d->a; p && s->col_types; p = p->next, k++) {
        s->col_types[k] = check_type(ck, p->a);
        p->ty = s->col_types[k];
    }
    if (d->op == HIT_COLLECT && d->op2 == COLLECT_COUNT)
        s->type = ty_scalar(TY_INT);
    else if (d->op == HIT_RULE_ORDER || d->op == HIT_OUTPUT_ORDER ||
             (d->op == HIT_COLLECT && d->op2 == COLLECT_LIST))
        s->type = ty_list_of(ck->pool, s->type);
    return s;
}

/* Output j of a row of several outputs; the first output when the row
 * has fewer (check_table reports its width). */
static ast_node *row_output(ast_node *r, uint32_t j)
{
    ast_node *o = r->d;
    for (uint32_t i = 0; o && i < j; i++) o = o->next;
    return o && o->a ? o->a : r->b;
}

/* The rows of result column j: the same cells, source and label, with
 * output j. */
static ast_node *column_rows(checked *ck, ast_node *rows, uint32_t j)
{
    ast_node *head = NULL, **tail = &head;
    for (ast_node *r = rows; r; r = r->next) {
        ast_node *c = arena_alloc(ck->pool, sizeof *c);
        if (!c) return head;
        *c = *r;
        c->next = NULL;
        c->b = row_output(r, j);
        *tail = c;
        tail = &c->next;
    }
    return head;
}

/* A table of several results `-> (min: int, max: int)` becomes one table
 * per result column, named `t.min`, `t.max` and sharing the cells, so that
 * `t(...).min` is an ordinary table call and the analysis, the lowering,
 * the flat program and the explanations need nothing new.  Only the first
 * column's table reports what the cells and the analysis find
 * (check_table). */
static void declare_columns(checked *ck, ast_node *d)
{
    uint32_t j = 0, n = (uint32_t)ast_list_len(d->b);
    for (ast_node *rc = d->b; rc; rc = rc->next, j++) {
        ast_node *t = arena_alloc(ck->pool, sizeof *t);
        size_t len = strlen(d->text) + strlen(rc->text) + 2;
        char *name = arena_alloc(ck->pool, len);
        if (!t || !name) return;
        *t = *d;
        t->next = NULL;
        snprintf(name, len, "%s.%s", d->text, rc->text);
        t->text = name;
        t->b = rc->a;
        t->c = column_rows(ck, d->c, j);
        sym *s = declare_table(ck, t);
        if (s) {
            s->base = d->text;
            s->result_label = rc->label ? rc->label->text : NULL;
            s->result_col = j;
            s->nresults = n;
        }
    }
}

static void declare(checked *ck, ast_node *d)
{
    switch (d->kind) {
    case AST_PARAM: {
        sym *s = sym_add(ck, SYM_PARAM, d);
        if (s) s->type = check_type(ck, d->a);
        break;
    }
    case AST_LET: case AST_OUTPUT: {
        sym *s = sym_add(ck, d->kind == AST_LET ? SYM_LET : SYM_OUTPUT, d);
        if (s && d->a) s->type = check_type(ck, d->a);
        if (s && d->kind == AST_OUTPUT) s->used = 1;
        break;
    }
    case AST_TABLE:
        if (d->b && d->b->kind == AST_TPARAM) declare_columns(ck, d);
        else declare_table(ck, d);
        break;
    default:
        break;
    }
}

/* Topological order of lets and outputs; reports each cycle once. */
static int visit(checked *ck, uint32_t i, uint32_t *stack, uint32_t depth_)
{
    sym *s = &ck->syms[i];
    if (s->mark == 2)
        return 0;
    if (s->mark == 1) {
        char path[512] = "";
        size_t len = 0;
        uint32_t k = depth_;
        while (k > 0 && stack[k - 1] != i) k--;
        for (uint32_t j = k ? k - 1 : 0; j < depth_ && len < sizeof path - 80; j++)
            len += (size_t)snprintf(path + len, sizeof path - len, "%s -> ", ck->syms[stack[j]].name);
        snprintf(path + len, sizeof path - len, "%s", s->name);
        err(ck, s->decl, "definitions form a cycle: %s", path);
        return -1;
    }
    if (depth_ >= 4096) {
        err(ck, s->decl, "definitions depend on each other more than 4096 deep");
        return -1;
    }
    s->mark = 1;
    stack[depth_] = i;
    int rc = 0;
    if (s->kind == SYM_LET || s->kind == SYM_OUTPUT || s->kind == SYM_TABLE) {
        if (s->kind != SYM_TABLE && s->type->kind == TY_ERROR && !s->decl->a) {
            /* infer: check the dependencies first; done in check_bodies */
        }
        for (uint32_t d = 0; d < s->ndeps && rc == 0; d++)
            rc = visit(ck, s->deps[d], stack, depth_ + 1);
    }
    s->mark = 2;
    if (rc == 0 && (s->kind == SYM_LET || s->kind == SYM_OUTPUT))
        ck->order[ck->norder++] = i;
    return rc;
}

/* ---- tables ----------------------------------------------------------- */

static tab_interval domain_of(const ty *t)
{
    tab_interval d = {INT64_MIN, INT64_MAX};
    if (t->kind == TY_BOOL) { d.lo = 0; d.hi = 1; }
    else if (t->kind == TY_ENUM) { d.lo = 0; d.hi = (int64_t)t->en->nvalues - 1; }
    else if (t->kind == TY_DATE) { d.lo = date_min(); d.hi = date_max(); }
    return d;
}

/* One cell -> sorted disjoint intervals within the column domain. */
static int cell_intervals(checked *ck, ast_node *cell, const ty *t, tab_interval dom,
                          tab_interval *out, uint32_t cap)
{
    int64_t v, w2;
    switch (cell->kind) {
    case AST_CELL_ANY:
        out[0] = dom;
        return 1;
    case AST_CELL_CMP:
        if ((t->kind == TY_BOOL || t->kind == TY_ENUM) && cell->op != OP_EQ && cell->op != OP_NE) {
            err(ck, cell, "comparisons < <= > >= need an ordered column");
            return -1;
        }
        if (check_literal_value(ck, cell->a, t, &v)) return -1;
        cell->a->ty = t;
        switch (cell->op) {
        case OP_LT: if (v == INT64_MIN) return 0; out[0] = (tab_interval){dom.lo, v - 1}; break;
        case OP_LE: out[0] = (tab_interval){dom.lo, v}; break;
        case OP_GT: if (v == INT64_MAX) return 0; out[0] = (tab_interval){v + 1, dom.hi}; break;
        case OP_GE: out[0] = (tab_interval){v, dom.hi}; break;
        case OP_EQ: out[0] = (tab_interval){v, v}; break;
        case OP_NE: {
            uint32_t n = 0;
            if (v > dom.lo) out[n++] = (tab_interval){dom.lo, v - 1};
            if (v < dom.hi) out[n++] = (tab_interval){v + 1, dom.hi};
            return (int)n;
        }
        default: return -1;
        }
        if (out[0].lo < dom.lo) out[0].lo = dom.lo;
        if (out[0].hi > dom.hi) out[0].hi = dom.hi;
        return out[0].lo <= out[0].hi ? 1 : 0;
    case AST_CELL_RANGE:
        if (t->kind == TY_BOOL || t->kind == TY_ENUM) { err(ck, cell, "ranges need an ordered column"); return -1; }
        if (check_literal_value(ck, cell->a, t, &v) || check_literal_value(ck, cell->b, t, &w2)) return -1;
        cell->a->ty = t;
        cell->b->ty = t;
        if (cell->op & RANGE_LOW_OPEN) { if (v == INT64_MAX) return 0; v++; }
        if (cell->op & RANGE_HIGH_OPEN) { if (w2 == INT64_MIN) return 0; w2--; }
        if (v > w2) { err(ck, cell, "this range is empty"); return -1; }
        out[0] = (tab_interval){v, w2};
        return 1;
    case AST_CELL_SET: {
        uint32_t n = 0;
        for (ast_node *e = cell->a; e; e = e->next) {
            if (n == cap) { err(ck, e, "too many values in one cell"); return -1; }
            if (check_literal_value(ck, e, t, &v)) return -1;
            e->ty = t;
            out[n++] = (tab_interval){v, v};
        }
        return (int)tab_normalize(out, n);
    }
    default:
        err(ck, cell, "not a table cell");
        return -1;
    }
}

static void format_witness(checked *ck, sym *s, const int64_t *wv, char *out, size_t n)
{
    size_t len = 0;
    uint32_t k = 0;
    out[0] = 0;
    if (!wv) return;            /* a finding without a witness (e.g. a shadowed row) */
    for (ast_node *p = s->decl->a; p && k < s->ncols; p = p->next, k++) {
        char v[64];
        const ty *t = s->col_types[k];
        if ((t->kind == TY_INT || ty_is_decimal_like(t)) && wv[k] == INT64_MIN)
            snprintf(v, sizeof v, "(any below)");   /* the domain's open end, not a number to print */
        else if (t->kind == TY_BOOL || t->kind == TY_INT || t->kind == TY_ENUM || t->kind == TY_DATE ||
                 ty_is_decimal_like(t)) {
            switch (t->kind) {
            case TY_BOOL: snprintf(v, sizeof v, "%s", wv[k] ? "true" : "false"); break;
            case TY_INT: snprintf(v, sizeof v, "%lld", (long long)wv[k]); break;
            case TY_ENUM: snprintf(v, sizeof v, "%s", t->en->values[wv[k]]); break;
            case TY_DATE: date_format(wv[k], v); break;
            default: dec_format(wv[k], t->kind == TY_MONEY ? 2 : 0, v); break;
            }
        } else snprintf(v, sizeof v, "?");
        len += (size_t)snprintf(out + len, n > len ? n - len : 0, "%s%s = %s", k ? ", " : "", p->text, v);
        if (len >= n) break;
    }
}

/* Two row outputs that are the same literal (any-hit rows may overlap
 * only when they agree). */
static int same_literal(const ast_node *a, const ast_node *b)
{
    if (a->kind != b->kind)
        return 0;
    if (a->kind == AST_BOOL)
        return a->op == b->op;
    if (a->kind == AST_UNARY)
        return a->op == b->op && same_literal(a->a, b->a);
    if (a->kind == AST_INT || a->kind == AST_DEC) {
        int64_t x, y;
        return dec_parse(a->text, strlen(a->text), &x) == DEC_OK &&
               dec_parse(b->text, strlen(b->text), &y) == DEC_OK && x == y;
    }
    return a->text && b->text && strcmp(a->text, b->text) == 0;
}

/* The value of an `order` item or a row output, as a literal of type t:
 * a text by its string, anything else by check_literal_value.  0 when
 * it is not such a literal. */
static int order_key(checked *ck, ast_node *n, const ty *t, const char **str, int64_t *v)
{
    *str = NULL;
    *v = 0;
    if (t->kind == TY_TEXT) {
        *str = n->kind == AST_STRING ? n->text : NULL;
        return *str != NULL;
    }
    if (n->kind != AST_INT && n->kind != AST_DEC && n->kind != AST_DATE && n->kind != AST_BOOL &&
        n->kind != AST_UNARY)
        return 0;
    return check_literal_value(ck, n, t, v) == 0;
}

/* `hit priority order (v1, v2, ...)`: the outputs rank in the list's
 * order, the first highest.  Every row's output must be one of the
 * values; its rank goes in the row's slot (lower.c). */
static void check_order(checked *ck, sym *s, ast_node *ord, const ty *t)
{
    ast_node *d = s->decl;
    char x[64];
    if (d->op != HIT_PRIORITY && d->op != HIT_OUTPUT_ORDER) {
        err(ck, ord, "an `order` list ranks the outputs of hit priority or output_order only");
        return;
    }
    if (t->kind == TY_ENUM) {
        err(ck, ord, "the values of enum %s rank in the order the enum declares them", t->en->name);
        diag_hint(ck->dl, "reorder the enum, or drop the `order` list");
        return;
    }
    uint32_t n = 0;
    for (ast_node *a = ord->a; a; a = a->next, n++) {
        const char *sa; int64_t va;
        if (!order_key(ck, a, t, &sa, &va)) {
            err(ck, a, "an `order` list holds constants of the result type %s", ty_str(t, x, sizeof x));
            return;
        }
        for (ast_node *b = ord->a; b != a; b = b->next) {
            const char *sb; int64_t vb;
            order_key(ck, b, t, &sb, &vb);
            if (sa ? strcmp(sa, sb) == 0 : va == vb) { err(ck, a, "this value is already in the `order` list"); return; }
        }
    }
    for (ast_node *r = d->c; r; r = r->next) {
        if (r->op) continue;            /* the else row is not ranked: it applies alone */
        const char *sr; int64_t vr;
        r->slot = -1;
        if (order_key(ck, r->b, t, &sr, &vr)) {
            int32_t k = 0;
            for (ast_node *a = ord->a; a; a = a->next, k++) {
                const char *sa; int64_t va;
                order_key(ck, a, t, &sa, &va);
                if (sr ? strcmp(sr, sa) == 0 : vr == va) { r->slot = k; break; }
            }
        }
        if (r->slot < 0)
            err(ck, r->b, "this output of table `%s` is not in its `order` list", s->name);
    }
}

/* Any-hit rows may overlap when every output agrees. */
static int same_outputs(const ast_node *r1, const ast_node *r2)
{
    if (!r1->d || !r2->d)
        return same_literal(r1->b, r2->b);
    const ast_node *a = r1->d, *b = r2->d;
    for (; a && b; a = a->next, b = b->next)
        if (!a->a || !b->a || !same_literal(a->a, b->a)) return 0;
    return !a && !b;
}

/* A table of several results: every row has one output per result, and
 * the hit policy picks rows, not values (priority, output order and the
 * collect aggregations rank or add up one result, not a row of them). */
static void check_results(checked *ck, sym *s)
{
    ast_node *d = s->decl;
    uint32_t row = 0;
    if (d->op == HIT_PRIORITY || d->op == HIT_OUTPUT_ORDER || (d->op == HIT_COLLECT && d->op2 != COLLECT_LIST)) {
        err(ck, d, "table `%s` gives %u results: its hit policy must pick rows (unique, any, first, rule_order or collect)",
            s->base, s->nresults);
        diag_hint(ck->dl, "priority, output_order and collect sum/min/max/count rank or add up one result");
    }
    if (d->d)
        err(ck, d->d, "a table of several results cannot be partial");
    for (ast_node *r = d->c; r; r = r->next) {
        uint32_t n = (uint32_t)ast_list_len(r->d ? r->d : r->b);
        if (!r->op) row++;
        if (n != s->nresults) {
            if (r->op) err(ck, r, "the `else` row of table `%s` has %u output%s but the table has %u results",
                           s->base, n, n == 1 ? "" : "s", s->nresults);
            else err(ck, r, "row %u of table `%s` has %u output%s but the table has %u results",
                     row, s->base, n, n == 1 ? "" : "s", s->nresults);
        }
    }
}

static void check_table(checked *ck, uint32_t si)
{
    sym *s = &ck->syms[si];
    ast_node *d = s->decl;
    const char *tn = s->base ? s->base : s->name;
    int quiet = s->base && s->result_col > 0;   /* the first column's table speaks for the cells */
    diag_list *loud = ck->dl, mute;
    char x[64];
    diag_list_init(&mute);
    if (quiet) ck->dl = &mute;
    for (uint32_t k = 0; k < s->ncols; k++) {
        const ty *t = s->col_types[k];
        if (!is_err(t) && !(t->kind == TY_BOOL || t->kind == TY_INT || t->kind == TY_ENUM ||
                            t->kind == TY_DATE || t->kind == TY_MONEY || t->kind == TY_DECIMAL))
            err(ck, d, "table columns must be bool, int, decimal, money, date or an enum, not %s",
                ty_str(t, x, sizeof x));
    }
    if (s->ncols == 0 || s->ncols > 32) {
        err(ck, d, "a table needs 1 to 32 input columns");
        ck->dl = loud;
        diag_list_free(&mute);
        return;
    }
    if (s->base && !quiet) check_results(ck, s);
    ck->dl = loud;
    const ty *elem = s->type->kind == TY_LIST ? s->type->elem : s->type;
    const ty *counted = NULL;           /* collect count: the outputs' declared type */
    if (d->op == HIT_COLLECT && d->op2 == COLLECT_COUNT) {
        counted = check_type(ck, d->b);
        elem = NULL;
    } else if (is_err(elem)) {
        /* the result type's own error is out */
    } else if (d->op == HIT_COLLECT && d->op2 == COLLECT_SUM && !is_num(elem)) {
        err(ck, d, "collect sum needs numeric outputs, not %s", ty_str(elem, x, sizeof x));
    } else if (d->op == HIT_COLLECT && d->op2 != COLLECT_LIST && !is_num(elem) && elem->kind != TY_DATE) {
        err(ck, d, "collect %s needs numbers, money or dates, not %s",
            d->op2 == COLLECT_MIN ? "min" : "max", ty_str(elem, x, sizeof x));
        diag_hint(ck->dl, "to take the highest-ranked output, use `hit priority` (enum order, or an `order` list)");
    }
    uint32_t nrows = 0;
    for (ast_node *r = d->c; r; r = r->next)
        if (!r->op) nrows++;
    tab_cond *cond = arena_alloc(ck->pool, sizeof(tab_cond) * ((size_t)nrows * s->ncols + 1));
    tab_interval *dom = arena_alloc(ck->pool, sizeof(tab_interval) * s->ncols);
    if (!cond || !dom) return;
    for (uint32_t k = 0; k < s->ncols; k++)
        dom[k] = domain_of(s->col_types[k]);
    /* table parameters with a range narrow the domain */
    uint32_t k = 0;
    for (ast_node *p = d->a; p; p = p->next, k++) {
        if (p->b && p->b->kind == AST_RANGE) {
            int64_t v;
            if (p->b->a && !check_literal_value(ck, p->b->a, s->col_types[k], &v))
                dom[k].lo = (p->b->op & RANGE_LOW_OPEN) ? v + 1 : v;
            if (p->b->b && !check_literal_value(ck, p->b->b, s->col_types[k], &v))
                dom[k].hi = (p->b->op & RANGE_HIGH_OPEN) ? v - 1 : v;
        }
    }
    int bad = 0;
    uint32_t row = 0;
    walk w;
    walk_init(&w, ck, (int)si);
    w.table = s;
    for (ast_node *r = d->c; r; r = r->next) {
        if (r->op) {
            if (s->else_row && !quiet) err(ck, r, "a table has at most one `else` row");
            if (r->next && !quiet) err(ck, r, "the `else` row must be the last row");
            s->else_row = r;
        } else {
            uint32_t ncells = (uint32_t)ast_list_len(r->a);
            if (ncells != s->ncols) {
                if (!quiet) err(ck, r, "row %u has %u cell%s but table `%s` has %u input column%s", row + 1, ncells,
                    ncells == 1 ? "" : "s", tn, s->ncols, s->ncols == 1 ? "" : "s");
                bad = 1;
                row++;
                continue;
            }
            uint32_t c = 0;
            for (ast_node *cell = r->a; cell; cell = cell->next, c++) {
                tab_interval tmp[64];
                if (is_err(s->col_types[c])) { bad = 1; continue; }
                if (quiet) ck->dl = &mute;
                int n = cell_intervals(ck, cell, s->col_types[c], dom[c], tmp, 64);
                ck->dl = loud;
                if (n < 0) { bad = 1; continue; }
                tab_interval *iv = arena_alloc(ck->pool, sizeof(tab_interval) * ((size_t)n + 1));
                if (!iv) return;
                memcpy(iv, tmp, sizeof(tab_interval) * (size_t)n);
                cond[(size_t)row * s->ncols + c].n = (uint32_t)n;
                cond[(size_t)row * s->ncols + c].iv = iv;
            }
            row++;
        }
        if (elem) {
            char what[160];
            snprintf(what, sizeof what, "the output of table `%s`", s->name);
            want(&w, r->b, elem, what);
            if (elem->kind == TY_TEXT && r->b->kind != AST_STRING)   /* lower.c numbers the texts */
                err(ck, r->b, "a text output of table `%s` must be a string in double quotes", s->name);
        } else if (r->op) {          /* collect count: the else value is the count when no row matches */
            const ty *t = expr(&w, r->b, NULL);
            if (!is_err(t) && t->kind != TY_INT) {
                err(ck, r->b, "the `else` value of `collect count` table `%s` is a count: it must be int, not %s",
                    s->name, ty_str(t, x, sizeof x));
                diag_hint(ck->dl, "write a whole number such as `1`, without decimal places");
            }
        } else {
            char what[160];
            snprintf(what, sizeof what, "the output of table `%s`", s->name);
            want(&w, r->b, counted, what);
        }
    }
    if (!quiet && d->b && d->b->kind == AST_TYPE && d->b->b && elem && !is_err(elem))
        check_order(ck, s, d->b->b, elem);
    s->rows.ncols = s->ncols;
    s->rows.nrows = nrows;
    s->rows.domain = dom;
    s->rows.cond = cond;
    diag_list_free(&mute);
    if (bad || quiet)
        return;
    int single = d->op == HIT_UNIQUE || d->op == HIT_ANY || d->op == HIT_PRIORITY || d->op == HIT_FIRST;
    if (d->d && !single)
        err(ck, d->d, "only a table of one result (hit unique, any, priority or first) can be partial");
    else if (d->d && s->else_row)
        err(ck, s->else_row, "a partial table has no `else` row: where no row matches it has no value");
    else if (d->d && (s->type->kind == TY_TEXT || !ty_is_scalar(s->type)))
        err(ck, d->d, "a partial table gives a number, an amount, a date, a bool or an enum value");
    /* the else row applies where no row matches, except under the list
     * policies (no match is an empty list): with no gap it never fires */
    int else_applies = s->else_row && (single || d->op2 != COLLECT_LIST);
    int what = TAB_FIND_OVERLAPS | TAB_FIND_SHADOWED;
    if ((single && !s->else_row && !d->d) || else_applies) what |= TAB_FIND_GAPS;
    int gaps = 0;
    tab_findings f;
    if (tab_analyze(&s->rows, what, 5, ck->pool, &f)) {
        err(ck, d, "out of memory analysing table `%s`", tn);
        return;
    }
    int overlaps = 0;
    for (size_t i = 0; i < f.n; i++) {
        tab_finding *fi = &f.items[i];
        char wit[256];
        format_witness(ck, s, fi->witness, wit, sizeof wit);
        ast_node *r1 = d->c;
        for (uint32_t j = 0; r1 && j < fi->row1 && fi->row1 != UINT32_MAX; j++) r1 = r1->next;
        if (fi->kind == TAB_OVERLAP) {
            overlaps++;
            if (d->op == HIT_UNIQUE) {
                ast_node *r2 = d->c;
                for (uint32_t j = 0; r2 && j < fi->row2; j++) r2 = r2->next;
                diag_add(ck->dl, DIAG_ERROR, ck->src, r2 ? r2->loc : d->loc, NULL,
                         "rows %u and %u of table `%s` overlap under hit policy unique, e.g. for %s",
                         fi->row1 + 1, fi->row2 + 1, tn, wit);
                diag_hint(ck->dl, "narrow one of the rows, or declare `hit first` or `hit priority` if the order decides");
            } else if (d->op == HIT_ANY) {
                ast_node *r2 = d->c;
                for (uint32_t j = 0; r2 && j < fi->row2; j++) r2 = r2->next;
                if (r1 && r2 && !same_outputs(r1, r2))
                    diag_add(ck->dl, DIAG_ERROR, ck->src, r2->loc, NULL,
                             "rows %u and %u of table `%s` overlap with different outputs under hit policy any, e.g. for %s",
                             fi->row1 + 1, fi->row2 + 1, tn, wit);
            }
        } else if (fi->kind == TAB_GAP && s->else_row) {
            gaps++;                     /* the else row's inputs */
        } else if (fi->kind == TAB_GAP) {
            diag_add(ck->dl, DIAG_ERROR, ck->src, d->loc, NULL,
                     "no row of table `%s` matches %s", tn, wit);
            diag_hint(ck->dl, "add a row for it, or an `| else | ... |` row");
        } else if (fi->kind == TAB_SHADOWED && (d->op == HIT_FIRST)) {
            diag_add(ck->dl, DIAG_WARNING, ck->src, r1 ? r1->loc : d->loc, NULL,
                     "row %u of table `%s` is never used: earlier rows match everything it matches",
                     fi->row1 + 1, tn);
        }
    }
    if (else_applies && gaps == 0)
        diag_add(ck->dl, DIAG_WARNING, ck->src, s->else_row->loc, NULL,
                 "the `else` row of table `%s` is never used: the rows above match every input", tn);
    else if (s->else_row && !else_applies)
        diag_add(ck->dl, DIAG_WARNING, ck->src, s->else_row->loc, NULL,
                 "the `else` row of table `%s` is never used: where no row matches, a list policy gives an empty list", tn);
    if ((d->op == HIT_FIRST || d->op == HIT_PRIORITY || d->op == HIT_ANY) && overlaps == 0 && nrows > 1)
        diag_add(ck->dl, DIAG_WARNING, ck->src, d->loc, NULL,
                 "no rows of table `%s` overlap: hit policy unique would say so and be checked", tn);
}

/* ---- parameters and the covered period ------------------------------- */

/* Marks the parameters a label's `{placeholders}` show. */
static void mark_placeholders(checked *ck, const ast_node *label)
{
    if (!label || !label->text) return;
    for (const char *p = strchr(label->text, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        if (!e) return;
        for (uint32_t i = 0; i < ck->nsyms; i++)
            if (ck->syms[i].kind == SYM_PARAM && strlen(ck->syms[i].name) == (size_t)(e - p - 1) &&
                memcmp(ck->syms[i].name, p + 1, (size_t)(e - p - 1)) == 0)
                ck->syms[i].read_now = 1;
    }
}

/* Marks the parameters read at as_of: named anywhere (an expression, a
 * table cell, a label's `{placeholder}`) except right after `at`.  The
 * others are series (tree.h ev_param).  A name shadowed by a loop
 * variable counts as a read, which only makes the checks stricter. */
static void mark_read_now(checked *ck, const ast_node *n)
{
    for (; n; n = n->next) {
        if (n->kind == AST_TEST) continue;
        if (n->kind == AST_NAME && n->text) {
            sym *s = sym_find(ck, n->text);
            if (s && s->kind == SYM_PARAM) s->read_now = 1;
        }
        if (n->label) {
            mark_placeholders(ck, n->label);
            mark_placeholders(ck, n->label->a);
        }
        if (n->kind != AST_AT) mark_read_now(ck, n->a);
        mark_read_now(ck, n->b);
        mark_read_now(ck, n->c);
        mark_read_now(ck, n->d);
    }
}

static void check_param(checked *ck, sym *s)
{
    ast_node *d = s->decl;
    int64_t prev_until = 0;
    int have_prev = 0;
    if (is_err(s->type))
        return;
    if (!ty_is_scalar(s->type)) {
        char x[64];
        err(ck, d, "parameters must be scalars, not %s", ty_str(s->type, x, sizeof x));
        return;
    }
    if (!d->b) {
        err(ck, d, "parameter `%s` has no value", s->name);
        return;
    }
    for (ast_node *v = d->b; v; v = v->next) {
        int64_t from, until = INT64_MAX, val;
        if (check_literal_value(ck, v->a, ty_scalar(TY_DATE), &from)) continue;
        if (v->b && check_literal_value(ck, v->b, ty_scalar(TY_DATE), &until)) continue;
        if (until < from) { err(ck, v->b, "the value ends before it starts"); continue; }
        walk w;
        walk_init(&w, ck, -1);
        const ty *t = expr(&w, v->c, s->type);
        if (!is_err(t) && !unify(t, s->type)) {
            char x[64], y[64];
            err(ck, v->c, "parameter `%s` is %s, but this value is %s", s->name,
                ty_str(s->type, x, sizeof x), ty_str(t, y, sizeof y));
        } else if (v->c->kind != AST_INT && v->c->kind != AST_DEC && v->c->kind != AST_BOOL &&
                   v->c->kind != AST_DATE && v->c->kind != AST_NAME && v->c->kind != AST_UNARY) {
            err(ck, v->c, "a parameter value must be a constant");
        } else {
            check_literal_value(ck, v->c, s->type, &val);
        }
        if (have_prev && prev_until != INT64_MAX && from <= prev_until) {
            err(ck, v->a, "values of `%s` overlap: this one starts before the previous one ends", s->name);
            diag_hint(ck->dl, "give the previous value an `until` date, and list values oldest first");
        } else if (have_prev && prev_until != INT64_MAX && from > prev_until + 1 && ck->have_covers && s->read_now &&
                   prev_until + 1 <= ck->covers_until && from > ck->covers_from) {
            char a[16], b[16];
            date_format(prev_until + 1, a);
            date_format(from - 1, b);
            err(ck, v->a, "no value of `%s` is in force from %s to %s, inside the covered period", s->name, a, b);
        }
        if (have_prev && prev_until == INT64_MAX) {
            err(ck, v->a, "values of `%s` overlap: the previous value has no `until` date", s->name);
            diag_hint(ck->dl, "give the previous value an `until` date, and list values oldest first");
        }
        if (!have_prev && ck->have_covers && s->read_now && from > ck->covers_from) {
            char a[16], b[16];
            date_format(ck->covers_from, a);
            date_format(from - 1, b);
            err(ck, v->a, "no value of `%s` is in force from %s to %s, inside the covered period", s->name, a, b);
            diag_hint(ck->dl, "start the policy's `covers` period later, or add the earlier value");
        }
        prev_until = until;
        have_prev = 1;
    }
    if (have_prev && ck->have_covers && s->read_now && prev_until < ck->covers_until) {
        char a[16], b[16];
        date_format(prev_until + 1, a);
        date_format(ck->covers_until, b);
        err(ck, d, "no value of `%s` is in force from %s to %s, inside the covered period", s->name, a, b);
    }
}

/* ---- the whole policy ------------------------------------------------- */

/* `refuse when COND: "reason"`: a condition with a reason officers can
 * read; what it may read is checked when it is lowered (lower.c). */
static void check_refusal(checked *ck, ast_node *d)
{
    walk w;
    walk_init(&w, ck, -1);
    const ty *t = expr(&w, d->a, ty_scalar(TY_BOOL));
    if (!is_err(t) && t->kind != TY_BOOL) {
        char x[64];
        err(ck, d->a, "the condition of `refuse when` must be a bool, and this is %s", ty_str(t, x, sizeof x));
    }
    for (uint32_t i = 0; i < ck->nrefusals; i++)
        if (strcmp(ck->refusals[i]->label->text, d->label->text) == 0) {
            err(ck, d->label, "two refusals give the same reason \"%s\"", d->label->text);
            diag_hint(ck->dl, "a refusal's reason is what tells it from the others: make each say what is wrong");
        }
    if (!d->label->text[0])
        err(ck, d->label, "a refusal needs a reason: the applicant reads it");
    ck->refusals[ck->nrefusals++] = d;
}

static void header(checked *ck, ast_node *file)
{
    for (ast_node *d = file->a; d; d = d->next) {
        if (d->kind == AST_COVERS) {
            if (ck->have_covers) { err(ck, d, "`covers` is given twice"); continue; }
            if (check_literal_value(ck, d->a, ty_scalar(TY_DATE), &ck->covers_from) ||
                check_literal_value(ck, d->b, ty_scalar(TY_DATE), &ck->covers_until))
                continue;
            if (ck->covers_until < ck->covers_from) { err(ck, d, "the covered period ends before it starts"); continue; }
            ck->have_covers = 1;
        } else if (d->kind == AST_USE) {
            if (ck->root) { err(ck, d, "a policy uses one root entity"); continue; }
            const char *dot = strrchr(d->text, '.');
            if (!dot || !ck->model || strncmp(d->text, ck->model->name, (size_t)(dot - d->text)) != 0 ||
                strlen(ck->model->name) != (size_t)(dot - d->text)) {
                err(ck, d, "unknown model in `use %s`", d->text);
                diag_hint(ck->dl, "write `use MODEL.ENTITY`, e.g. `use civil.household`, with MODEL's .model file loaded");
                continue;
            }
            const entity_def *e = entity_find(ck->model, dot + 1);
            if (!e) {
                err(ck, d, "model %s has no entity `%s`", ck->model->name, dot + 1);
                const char *cands[64];
                size_t n = 0;
                for (uint32_t i = 0; i < ck->model->nentities && n < 64; i++) cands[n++] = ck->model->entities[i]->name;
                suggest(ck, dot + 1, cands, n);
                continue;
            }
            ck->root = e;
            ck->root_name = e->name;
        }
    }
}

/* `｛name｝` in full-width braces (an IME's habit) would be shown to the
 * citizen as written: an error, not silently text.  Full-width braces
 * around anything but a name stay text. */
static void fullwidth_placeholders(checked *ck, ast_node *label)
{
    static const char open[] = "\xef\xbd\x9b", close[] = "\xef\xbd\x9d";   /* ｛ ｝ */
    for (const char *p = strstr(label->text, open); p; p = strstr(p + 3, open)) {
        const char *name = p + 3, *e = name;
        while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') || (*e >= '0' && *e <= '9') || *e == '_')
            e++;
        if (e == name || strncmp(e, close, 3) != 0)
            continue;
        diag_error(ck->dl, ck->src, label->loc, "the label writes `｛%.*s｝` in full-width braces",
                   (int)(e - name), name);
        diag_hint(ck->dl, "use ASCII braces {%.*s}", (int)(e - name), name);
    }
}

/* Marks the names a label's `{name}` placeholders refer to as used. */
static void label_uses(checked *ck, ast_node *label)
{
    if (!label || !label->text)
        return;
    fullwidth_placeholders(ck, label);
    for (const char *p = strchr(label->text, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        if (!e)
            break;
        char name[128];
        size_t n = (size_t)(e - p - 1);
        if (n == 0 || n >= sizeof name)
            continue;
        memcpy(name, p + 1, n);
        name[n] = 0;
        sym *s = sym_find(ck, name);
        if (s && (s->kind == SYM_PARAM || s->kind == SYM_LET || s->kind == SYM_OUTPUT))
            s->used = 1;
        else {
            diag_add(ck->dl, DIAG_ERROR, ck->src, label->loc, NULL,
                     "the label refers to `{%s}`, which is not a parameter, let or output", name);
            const char *cands[512];
            size_t k = 0;
            for (uint32_t i = 0; i < ck->nsyms && k < 512; i++)
                if (ck->syms[i].kind == SYM_PARAM || ck->syms[i].kind == SYM_LET || ck->syms[i].kind == SYM_OUTPUT)
                    cands[k++] = ck->syms[i].name;
            suggest(ck, name, cands, k);
        }
    }
}

int check_policy(checked *ck, ast_node *file)
{
    size_t errors0 = ck->dl->nerrors;
    header(ck, file);
    if (!ck->have_covers) {
        diag_add(ck->dl, DIAG_ERROR, ck->src, file->a ? file->a->loc : file->loc, NULL,
                 "the policy does not say which period it covers");
        diag_hint(ck->dl, "add e.g. `covers 2017-04-01 to 2030-12-31`: every parameter needs a value on each day of it");
    }
    int saw_use = 0;
    for (ast_node *d = file->a; d; d = d->next)
        saw_use |= d->kind == AST_USE;
    if (!ck->root && !saw_use) {
        diag_add(ck->dl, DIAG_ERROR, ck->src, file->a ? file->a->loc : file->loc, NULL,
                 "the policy does not say which input it reads");
        diag_hint(ck->dl, "add e.g. `use civil.household`");
    }
    const char *failed_use = NULL;      /* `use` named no model entity: its error is out */
    for (ast_node *d = file->a; d && !ck->root; d = d->next)
        if (d->kind == AST_USE && d->text)
            failed_use = strrchr(d->text, '.') ? strrchr(d->text, '.') + 1 : d->text;
    if (ck->root || failed_use) {
        ast_node fake = {0};
        fake.kind = AST_NAME;
        fake.text = ck->root ? ck->root_name : failed_use;
        fake.loc = file->loc;
        ast_node *rn = arena_alloc(ck->pool, sizeof *rn);
        if (!rn) return -1;
        *rn = fake;
        sym *s = sym_add(ck, SYM_ROOT, rn);
        if (s) {   /* after a failed `use`, reading the input says nothing more */
            s->type = ck->root ? ty_entity(ck->pool, ck->root) : ty_scalar(TY_ERROR);
            s->used = 1;
            s->slot = 0;
        }
    }
    uint32_t nparams = 0, ntables = 0;
    for (ast_node *d = file->a; d; d = d->next) {
        uint32_t n0 = ck->nsyms;
        declare(ck, d);
        if (d->kind == AST_PARAM && ck->nsyms && ck->syms[ck->nsyms - 1].decl == d)
            ck->syms[ck->nsyms - 1].index = nparams++;
        for (uint32_t i = n0; d->kind == AST_TABLE && i < ck->nsyms; i++)
            ck->syms[i].index = ntables++;     /* one, or one per result column */
        if (d->kind == AST_ASSERT) ck->nasserts++;
        if (d->kind == AST_REFUSE) ck->nrefusals++;
    }
    ck->asserts = arena_alloc(ck->pool, sizeof(ast_node *) * (ck->nasserts + 1));
    ck->refusals = arena_alloc(ck->pool, sizeof(ast_node *) * (ck->nrefusals + 1));
    ck->order = arena_alloc(ck->pool, sizeof(uint32_t) * (ck->nsyms + 1));
    if (!ck->asserts || !ck->refusals || !ck->order) return -1;
    ck->nasserts = 0;
    ck->nrefusals = 0;
    mark_read_now(ck, file->a);
    for (uint32_t i = 0; i < ck->nsyms; i++)
        if (ck->syms[i].kind == SYM_PARAM) check_param(ck, &ck->syms[i]);
    for (uint32_t i = 0; i < ck->nsyms; i++)
        if (ck->syms[i].kind == SYM_TABLE) check_table(ck, i);
    /* Lets without a declared type are typed by their body, so bodies are
     * checked in dependency order: a first pass records the dependencies
     * (types of undeclared lets are still unknown and give TY_ERROR, which
     * stays silent), the order is computed, and a second pass types them. */
    size_t before = ck->dl->n;
    size_t errs_before = ck->dl->nerrors, warns_before = ck->dl->nwarnings;
    for (uint32_t i = 0; i < ck->nsyms; i++)
        if (ck->syms[i].kind == SYM_LET || ck->syms[i].kind == SYM_OUTPUT) check_def(ck, i);
    uint32_t stack[4096];
    int cyc = 0;
    for (uint32_t i = 0; i < ck->nsyms; i++)
        if (ck->syms[i].kind == SYM_LET || ck->syms[i].kind == SYM_OUTPUT || ck->syms[i].kind == SYM_TABLE)
            if (visit(ck, i, stack, 0)) cyc = 1;
    if (!cyc) {
        /* drop the first pass's diagnostics and check again in order */
        for (size_t i = before; i < ck->dl->n; i++) {
            free(ck->dl->items[i].message);
            free(ck->dl->items[i].hint);
        }
        ck->dl->n = before;
        ck->dl->nerrors = errs_before;
        ck->dl->nwarnings = warns_before;
        for (uint32_t i = 0; i < ck->nsyms; i++)
            if (ck->syms[i].kind == SYM_LET || ck->syms[i].kind == SYM_OUTPUT) {
                ck->syms[i].type = ck->syms[i].decl->a ? check_type(ck, ck->syms[i].decl->a) : ty_scalar(TY_ERROR);
                ck->syms[i].ndeps = 0;
            }
        for (uint32_t k = 0; k < ck->norder; k++)
            check_def(ck, ck->order[k]);
    }
    for (ast_node *d = file->a; d; d = d->next) {
        if (d->kind != AST_ASSERT) continue;
        walk w;
        walk_init(&w, ck, -1);
        const ty *t = expr(&w, d->a, ty_scalar(TY_BOOL));
        if (!is_err(t) && t->kind != TY_BOOL) err(ck, d->a, "an assertion must be a condition");
        ck->asserts[ck->nasserts++] = d;
    }
    for (ast_node *d = file->a; d; d = d->next)
        if (d->kind == AST_REFUSE) check_refusal(ck, d);
    for (uint32_t i = 0; i < ck->nsyms; i++)
        if (ck->syms[i].kind == SYM_LET || ck->syms[i].kind == SYM_OUTPUT) {
            ast_node *lab = ck->syms[i].decl->label;
            label_uses(ck, lab);
            if (lab && lab->a) {
                label_uses(ck, lab->a);
                if (ck->syms[i].type->kind != TY_BOOL && ck->syms[i].type->kind != TY_ERROR)
                    diag_add(ck->dl, DIAG_ERROR, ck->src, lab->a->loc, NULL,
                             "only a bool has a label for false, and `%s` is not a bool", ck->syms[i].name);
            }
        }
    for (uint32_t i = 0; i < ck->nsyms; i++) {
        sym *s = &ck->syms[i];
        if (!s->used && (s->kind == SYM_LET || s->kind == SYM_PARAM || s->kind == SYM_TABLE)) {
            static const char *what[] = {"parameter", "let", "output", "table"};
            if (s->base)
                diag_add(ck->dl, DIAG_WARNING, ck->src, s->decl->loc, NULL, "result `%s` of table `%s` is never used",
                         s->name + strlen(s->base) + 1, s->base);
            else
                diag_add(ck->dl, DIAG_WARNING, ck->src, s->decl->loc, NULL, "%s `%s` is never used",
                         what[s->kind], s->name);
        }
    }
    return ck->dl->nerrors > errors0 ? -1 : 0;
}
