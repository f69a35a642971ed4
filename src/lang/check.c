/*
 * check.c - names, types, units, periods, cycles, tables and dated
 * parameters: everything that can be known about a policy before it runs.
 * This file holds the symbols, the declarations and their order, the
 * dated parameters and the walk over the whole policy; types are in
 * check_types.c, expressions in check_expr.c, decision tables in
 * check_tables.c (check_int.h is what they share).
 *
 * Fits between parse.c (which built the AST) and lower.c (which reads the
 * symbols and the types recorded here into ast_node.ty / .decl).  Every
 * problem becomes a diagnostic with a location; checking goes on after an
 * error (a bad expression gets TY_ERROR, which silences follow-on errors)
 * so one run reports everything.
 *
 * What it does not do: build evaluation nodes or fold constants (lower.c),
 * or evaluate assertions (compile.c runs them on the lowered tree).
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
#include "eval/tree.h"

/* ---- symbols ---------------------------------------------------------- */

void ck_err(checked *ck, ast_node *n, const char *fmt, ...)
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
sym *ck_sym_find(checked *ck, const char *name)
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

sym *ck_sym_add(checked *ck, sym_kind kind, ast_node *decl)
{
    sym *prev = ck_sym_find(ck, decl->text);
    if (prev) {
        uint32_t line, col;
        source_linecol(ck->src, prev->decl->loc.start, &line, &col);
        ck_err(ck, decl, "`%s` is already defined on line %u", decl->text, line);
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

void ck_add_dep(checked *ck, int from, uint32_t to)
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

const enum_def *ck_enum_find(checked *ck, const char *name)
{
    for (uint32_t i = 0; i < ck->nenums; i++)
        if (strcmp(ck->enums[i]->name, name) == 0)
            return ck->enums[i];
    return NULL;
}

const entity_def *ck_entity_find(const cmodel *m, const char *name)
{
    if (!m)
        return NULL;
    for (uint32_t i = 0; i < m->nentities; i++)
        if (strcmp(m->entities[i]->name, name) == 0)
            return m->entities[i];
    return NULL;
}

/* Appends "did you mean `x`?" as a hint when a close name exists. */
void ck_suggest(checked *ck, const char *name, const char *const *cands, size_t n)
{
    suggestion s;
    suggest_init(&s);
    for (size_t i = 0; i < n; i++)
        suggest_consider(&s, name, strlen(name), cands[i]);
    if (s.best)
        diag_hint(ck->dl, "did you mean `%s`?", s.best);
}

void ck_suggest_name(walk *w, const char *name, const ty *expect)
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
    ck_suggest(ck, name, cands, n);
}
/* ---- declarations ----------------------------------------------------- */

void ck_walk_init(walk *w, checked *ck, int current)
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
    ck_walk_init(&w, ck, (int)i);
    const ty *declared = d->a ? check_type(ck, d->a) : NULL;
    const ty *t = ck_expr(&w, d->b, declared);
    if (declared && !ck_is_err(t) && !ck_unify(t, declared)) {
        char x[64], y[64];
        ck_err(ck, d->b, "`%s` is declared %s but its value is %s", d->text,
            ty_str(declared, x, sizeof x), ty_str(t, y, sizeof y));
        if (declared->kind == TY_MONEY && declared->period == TP_ONCE && t->kind == TY_MONEY)
            diag_hint(ck->dl, "a one-off amount made from a periodic one says so: once(...)");
    } else if (declared && !ck_is_err(t) && declared->kind == TY_INT && t->kind != TY_INT) {
        char y[64];
        ck_err(ck, d->b, "`%s` is declared int but its value is %s", d->text, ty_str(t, y, sizeof y));
        diag_hint(ck->dl, "round it to an integer with round(x, 1)");
    }
    const ty *final = declared ? declared : (t->kind == TY_NUMBER ? ty_scalar(TY_DECIMAL) : t);
    for (ast_node *u = d->c; u; u = u->next) {
        ck_want(&w, u->a, ty_scalar(TY_BOOL), "the condition of `unless`");
        char what[160];
        snprintf(what, sizeof what, "the value of `%s` under `unless`", d->text);
        if (!ck_is_err(final))
            ck_want(&w, u->b, final, what);
        else
            ck_expr(&w, u->b, NULL);
    }
    s->type = final;
}

/* Types of let/output declarations are needed before bodies are checked
 * (a reference to a later let): take the declared type, else infer on
 * demand in dependency order (see order_defs). */
static void declare(checked *ck, ast_node *d)
{
    switch (d->kind) {
    case AST_PARAM: {
        sym *s = ck_sym_add(ck, SYM_PARAM, d);
        if (s) s->type = check_type(ck, d->a);
        break;
    }
    case AST_LET: case AST_OUTPUT: {
        sym *s = ck_sym_add(ck, d->kind == AST_LET ? SYM_LET : SYM_OUTPUT, d);
        if (s && d->a) s->type = check_type(ck, d->a);
        if (s && d->kind == AST_OUTPUT) s->used = 1;
        break;
    }
    case AST_TABLE:
        if (d->b && d->b->kind == AST_TPARAM) ck_declare_columns(ck, d);
        else ck_declare_table(ck, d);
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
        /* Names have no length limit: a name is added only when it fits
         * with room to spare (snprintf's return is the untruncated length,
         * and len past the buffer would make the next write land outside
         * it), and the path says where it was cut.  400 bytes keep the
         * whole message within ck_err's 512. */
        char path[400] = "";
        size_t len = 0;
        uint32_t k = depth_;
        while (k > 0 && stack[k - 1] != i) k--;
        for (uint32_t j = k ? k - 1 : 0; j < depth_; j++) {
            const char *name = ck->syms[stack[j]].name;
            if (len + strlen(name) + 4 + 80 > sizeof path) {
                len += (size_t)snprintf(path + len, sizeof path - len, "... -> ");
                break;
            }
            len += (size_t)snprintf(path + len, sizeof path - len, "%s -> ", name);
        }
        snprintf(path + len, sizeof path - len, "%s", s->name);
        ck_err(ck, s->decl, "definitions form a cycle: %s", path);
        return -1;
    }
    if (depth_ >= 4096) {
        ck_err(ck, s->decl, "definitions depend on each other more than 4096 deep");
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
            sym *s = ck_sym_find(ck, n->text);
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
    if (ck_is_err(s->type))
        return;
    if (!ty_is_scalar(s->type)) {
        char x[64];
        ck_err(ck, d, "parameters must be scalars, not %s", ty_str(s->type, x, sizeof x));
        return;
    }
    if (!d->b) {
        ck_err(ck, d, "parameter `%s` has no value", s->name);
        return;
    }
    for (ast_node *v = d->b; v; v = v->next) {
        int64_t from, until = INT64_MAX, val;
        if (check_literal_value(ck, v->a, ty_scalar(TY_DATE), &from)) continue;
        if (v->b && check_literal_value(ck, v->b, ty_scalar(TY_DATE), &until)) continue;
        if (until < from) { ck_err(ck, v->b, "the value ends before it starts"); continue; }
        walk w;
        ck_walk_init(&w, ck, -1);
        const ty *t = ck_expr(&w, v->c, s->type);
        if (ck_is_err(t)) {
            /* ck_expr said why (an invalid date, an unknown name): once is enough */
        } else if (!ck_unify(t, s->type)) {
            char x[64], y[64];
            ck_err(ck, v->c, "parameter `%s` is %s, but this value is %s", s->name,
                ty_str(s->type, x, sizeof x), ty_str(t, y, sizeof y));
        } else if (v->c->kind != AST_INT && v->c->kind != AST_DEC && v->c->kind != AST_BOOL &&
                   v->c->kind != AST_DATE && v->c->kind != AST_NAME && v->c->kind != AST_UNARY) {
            ck_err(ck, v->c, "a parameter value must be a constant");
        } else {
            check_literal_value(ck, v->c, s->type, &val);
        }
        if (have_prev && prev_until != INT64_MAX && from <= prev_until) {
            ck_err(ck, v->a, "values of `%s` overlap: this one starts before the previous one ends", s->name);
            diag_hint(ck->dl, "give the previous value an `until` date, and list values oldest first");
        } else if (have_prev && prev_until != INT64_MAX && from > prev_until + 1 && ck->have_covers && s->read_now &&
                   prev_until + 1 <= ck->covers_until && from > ck->covers_from) {
            char a[16], b[16];
            date_format(prev_until + 1, a);
            date_format(from - 1, b);
            ck_err(ck, v->a, "no value of `%s` is in force from %s to %s, inside the covered period", s->name, a, b);
        }
        if (have_prev && prev_until == INT64_MAX) {
            ck_err(ck, v->a, "values of `%s` overlap: the previous value has no `until` date", s->name);
            diag_hint(ck->dl, "give the previous value an `until` date, and list values oldest first");
        }
        if (!have_prev && ck->have_covers && s->read_now && from > ck->covers_from) {
            char a[16], b[16];
            date_format(ck->covers_from, a);
            date_format(from - 1, b);
            ck_err(ck, v->a, "no value of `%s` is in force from %s to %s, inside the covered period", s->name, a, b);
            diag_hint(ck->dl, "start the policy's `covers` period later, or add the earlier value");
        }
        prev_until = until;
        have_prev = 1;
    }
    if (have_prev && ck->have_covers && s->read_now && prev_until < ck->covers_until) {
        char a[16], b[16];
        date_format(prev_until + 1, a);
        date_format(ck->covers_until, b);
        ck_err(ck, d, "no value of `%s` is in force from %s to %s, inside the covered period", s->name, a, b);
    }
}

/* ---- the whole policy ------------------------------------------------- */

static void label_uses(checked *ck, ast_node *label);

/* `refuse when COND: "reason"` (op 0) and `warn when COND: "text"` (op
 * 1): a condition with a text officers can read; what it may read is
 * checked when it is lowered (lower.c).  A warning's text may show
 * `{name}` placeholders, as labels do. */
static void check_refusal(checked *ck, ast_node *d)
{
    int warn = d->op == 1;
    const char *kw = warn ? "warn when" : "refuse when", *what = warn ? "warnings" : "refusals";
    ast_node **seen = warn ? ck->warnings : ck->refusals;
    uint32_t *n = warn ? &ck->nwarnings : &ck->nrefusals;
    walk w;
    ck_walk_init(&w, ck, -1);
    const ty *t = ck_expr(&w, d->a, ty_scalar(TY_BOOL));
    if (!ck_is_err(t) && t->kind != TY_BOOL) {
        char x[64];
        ck_err(ck, d->a, "the condition of `%s` must be a bool, and this is %s", kw, ty_str(t, x, sizeof x));
    }
    for (uint32_t i = 0; i < *n; i++)
        if (strcmp(seen[i]->label->text, d->label->text) == 0) {
            ck_err(ck, d->label, "two %s give the same %s \"%s\"", what, warn ? "text" : "reason", d->label->text);
            diag_hint(ck->dl, warn ? "a warning's text is what tells it from the others: make each say what is unusual"
                                   : "a refusal's reason is what tells it from the others: make each say what is wrong");
        }
    if (!d->label->text[0])
        ck_err(ck, d->label, warn ? "a warning needs a text: the officer reads it"
                                  : "a refusal needs a reason: the applicant reads it");
    if (warn && *n == EV_MAX_WARNINGS) {
        ck_err(ck, d, "a policy has at most %d warnings", EV_MAX_WARNINGS);
        return;
    }
    if (warn) label_uses(ck, d->label);
    seen[(*n)++] = d;
}

static void header(checked *ck, ast_node *file)
{
    for (ast_node *d = file->a; d; d = d->next) {
        if (d->kind == AST_COVERS) {
            if (ck->have_covers) { ck_err(ck, d, "`covers` is given twice"); continue; }
            if (check_literal_value(ck, d->a, ty_scalar(TY_DATE), &ck->covers_from) ||
                check_literal_value(ck, d->b, ty_scalar(TY_DATE), &ck->covers_until))
                continue;
            if (ck->covers_until < ck->covers_from) { ck_err(ck, d, "the covered period ends before it starts"); continue; }
            ck->have_covers = 1;
        } else if (d->kind == AST_USE) {
            if (ck->root) { ck_err(ck, d, "a policy uses one root entity"); continue; }
            const char *dot = strrchr(d->text, '.');
            if (!dot || !ck->model || strncmp(d->text, ck->model->name, (size_t)(dot - d->text)) != 0 ||
                strlen(ck->model->name) != (size_t)(dot - d->text)) {
                ck_err(ck, d, "unknown model in `use %s`", d->text);
                /* models are found by the tree, not by a search of every folder */
                diag_hint(ck->dl, "write `use MODEL.ENTITY`, e.g. `use civil.household`; MODEL's .model file is "
                          "loaded from the policy's folder or a folder above it in its tree, or from the policy "
                          "folder (--policies DIR, or $ELIGO_POLICIES)");
                continue;
            }
            const entity_def *e = ck_entity_find(ck->model, dot + 1);
            if (!e) {
                ck_err(ck, d, "model %s has no entity `%s`", ck->model->name, dot + 1);
                const char *cands[64];
                size_t n = 0;
                for (uint32_t i = 0; i < ck->model->nentities && n < 64; i++) cands[n++] = ck->model->entities[i]->name;
                ck_suggest(ck, dot + 1, cands, n);
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

/* Where `{...}` (from p to the closing brace e in the label's text) is
 * in the source: exact when the string is written without escapes, so
 * that its bytes stand one after the quote; else the whole label. */
static src_loc placeholder_loc(const checked *ck, const ast_node *label, const char *p, const char *e)
{
    size_t at = (size_t)label->loc.start + 1 + (size_t)(p - label->text), n = (size_t)(e - p) + 1;
    if (at + n <= ck->src->len && at + n < label->loc.end && memcmp(ck->src->text + at, p, n) == 0)
        return (src_loc){(uint32_t)at, (uint32_t)(at + n)};
    return label->loc;
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
        if (n >= sizeof name) {     /* no name is that long: not text either */
            diag_add(ck->dl, DIAG_ERROR, ck->src, placeholder_loc(ck, label, p, e), NULL,
                     "a placeholder of %zu bytes is too long: a name in a label's `{}` has at most %zu bytes",
                     n, sizeof name - 1);
            continue;
        }
        if (n == 0)
            continue;
        memcpy(name, p + 1, n);
        name[n] = 0;
        sym *s = ck_sym_find(ck, name);
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
            ck_suggest(ck, name, cands, k);
        }
    }
}

int check_policy(checked *ck, ast_node *file)
{
    size_t errors0 = ck->dl->nerrors;
    header(ck, file);
    int saw_covers = 0;     /* a wrong `covers` has its own error already */
    for (ast_node *d = file->a; d; d = d->next)
        saw_covers |= d->kind == AST_COVERS;
    if (!ck->have_covers && !saw_covers) {
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
        sym *s = ck_sym_add(ck, SYM_ROOT, rn);
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
        if (d->kind == AST_REFUSE && d->op == 0) ck->nrefusals++;
        if (d->kind == AST_REFUSE && d->op == 1) ck->nwarnings++;
    }
    ck->asserts = arena_alloc(ck->pool, sizeof(ast_node *) * (ck->nasserts + 1));
    ck->refusals = arena_alloc(ck->pool, sizeof(ast_node *) * (ck->nrefusals + 1));
    ck->warnings = arena_alloc(ck->pool, sizeof(ast_node *) * (ck->nwarnings + 1));
    ck->order = arena_alloc(ck->pool, sizeof(uint32_t) * (ck->nsyms + 1));
    if (!ck->asserts || !ck->refusals || !ck->warnings || !ck->order) return -1;
    ck->nasserts = 0;
    ck->nrefusals = 0;
    ck->nwarnings = 0;
    mark_read_now(ck, file->a);
    for (uint32_t i = 0; i < ck->nsyms; i++)
        if (ck->syms[i].kind == SYM_PARAM) check_param(ck, &ck->syms[i]);
    for (uint32_t i = 0; i < ck->nsyms; i++)
        if (ck->syms[i].kind == SYM_TABLE) ck_check_table(ck, i);
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
        ck_walk_init(&w, ck, -1);
        const ty *t = ck_expr(&w, d->a, ty_scalar(TY_BOOL));
        if (!ck_is_err(t) && t->kind != TY_BOOL) ck_err(ck, d->a, "an assertion must be a condition");
        ck->asserts[ck->nasserts++] = d;
    }
    for (ast_node *d = file->a; d; d = d->next)
        if (d->kind == AST_REFUSE) check_refusal(ck, d);
    ck_check_ranges(ck);
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
