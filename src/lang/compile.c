/*
 * compile.c - source text to compiled model or policy: parse, check,
 * lower, then the checks that need the lowered tree (assertions between
 * parameters, evaluated on every date interval of the covered period).
 *
 * The one entry point the CLI, the daemon, replay and the fuzzers use.
 * Also computes the policy's content hash (SHA-256 of the exact text),
 * which names the policy version in every stored decision, and a model's
 * (of its text, or for a model that extends another of the text set of
 * every file it is made of: cmodel.stored_text).  Last, a policy's
 * answer parts that no input changes are escaped once (io/json_fixed.h).
 *
 * What it does not do: read directories (policy/load.c) or run tests
 * (cli/cmd_test.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "lang/compile.h"
#include "io/json_fixed.h"
#include "lang/check.h"
#include "lang/cite.h"
#include "lang/lower.h"
#include "lang/parse.h"
#include "eval/date.h"
#include "eval/decimal.h"
#include "eval/eval.h"
#include "base/buf.h"
#include "base/suggest.h"

static ast_node *find_decl(ast_node *file, ast_kind k)
{
    for (ast_node *d = file->a; d; d = d->next)
        if (d->kind == k)
            return d;
    return NULL;
}

static const char *label_text(const ast_node *label)
{
    return label ? label->text : NULL;
}

/* Builds the enum_defs of a file's ENUM declarations into ck->enums,
 * after the ones already there (a policy sees its model's enums too). */
static int build_enums(checked *ck, ast_node *file, enum_def **base, uint32_t nbase)
{
    uint32_t n = nbase;
    for (ast_node *d = file->a; d; d = d->next)
        if (d->kind == AST_ENUM) n++;
    ck->enums = arena_alloc(ck->pool, sizeof(enum_def *) * (n + 1));
    if (!ck->enums) return -1;
    for (uint32_t i = 0; i < nbase; i++)
        ck->enums[ck->nenums++] = base[i];
    for (ast_node *d = file->a; d; d = d->next) {
        if (d->kind != AST_ENUM) continue;
        for (uint32_t i = 0; i < ck->nenums; i++)
            if (strcmp(ck->enums[i]->name, d->text) == 0) {
                diag_error(ck->dl, ck->src, d->loc, "enum `%s` is already defined", d->text);
                break;
            }
        enum_def *e = arena_alloc(ck->pool, sizeof *e);
        uint32_t nv = (uint32_t)ast_list_len(d->a);
        if (!e) return -1;
        e->name = d->text;
        e->label = label_text(d->label);
        e->nvalues = nv;
        e->values = arena_alloc(ck->pool, sizeof(char *) * (nv + 1));
        e->labels = arena_alloc(ck->pool, sizeof(char *) * (nv + 1));
        if (!e->values || !e->labels) return -1;
        uint32_t k = 0;
        for (ast_node *v = d->a; v; v = v->next, k++) {
            for (uint32_t j = 0; j < k; j++)
                if (strcmp(e->values[j], v->text) == 0)
                    diag_error(ck->dl, ck->src, v->loc, "enum `%s` lists `%s` twice", d->text, v->text);
            e->values[k] = v->text;
            e->labels[k] = label_text(v->label);
        }
        if (nv == 0)
            diag_error(ck->dl, ck->src, d->loc, "enum `%s` has no values", d->text);
        if (nv > 64)
            diag_error(ck->dl, ck->src, d->loc, "enum `%s` has more than 64 values", d->text);
        if (enum_index_words(e, ck->pool)) return -1;
        ck->enums[ck->nenums++] = e;
    }
    return 0;
}

/* A field's range: bounds in the cell's units (length for text/lists). */
static void field_range(checked *ck, field_def *f, ast_node *r)
{
    const ty *bt = f->type;
    if (bt->kind == TY_TEXT || bt->kind == TY_LIST) bt = ty_scalar(TY_INT);
    if (!ty_is_scalar(bt) || bt->kind == TY_BOOL || bt->kind == TY_ENUM) {
        diag_error(ck->dl, ck->src, r->loc, "field `%s` cannot have a range", f->name);
        return;
    }
    int64_t v;
    if (r->a && !check_literal_value(ck, r->a, bt, &v)) {
        f->has_min = 1;
        f->min = (r->op & RANGE_LOW_OPEN) ? v + 1 : v;
    }
    if (r->b && !check_literal_value(ck, r->b, bt, &v)) {
        f->has_max = 1;
        f->max = (r->op & RANGE_HIGH_OPEN) ? v - 1 : v;
    }
    if (f->has_min && f->has_max && f->min > f->max)
        diag_error(ck->dl, ck->src, r->loc, "the range of `%s` is empty", f->name);
}

/* One field declaration into f (the index-th cell of its record). */
static void build_field(checked *ck, ast_node *fd, field_def *f, uint32_t index)
{
    f->name = fd->text;
    f->label = label_text(fd->label);
    f->index = index;
    f->src = ck->src;
    f->loc_start = fd->loc.start;
    f->loc_end = fd->loc.end;
    f->type = check_type(ck, fd->a);
    if (f->type->kind == TY_ENTITY || f->type->kind == TY_MAP ||
        (f->type->kind == TY_LIST && f->type->elem->kind != TY_ENTITY))
        diag_error(ck->dl, ck->src, fd->loc, "field `%s`: an entity field is a scalar, text or a list of entities", f->name);
    if (fd->b) field_range(ck, f, fd->b);
    if (fd->c) {
        if (!ty_is_scalar(f->type))
            diag_error(ck->dl, ck->src, fd->c->loc, "only scalar fields can have a default");
        else if (check_literal_value(ck, fd->c, f->type, &f->def.i) == 0 &&
                 ((f->has_min && f->def.i < f->min) || (f->has_max && f->def.i > f->max)))
            diag_error(ck->dl, ck->src, fd->c->loc, "the default of `%s` is outside its range", f->name);
    } else {
        f->required = 1;
    }
}

/* Appends the fields of declaration d to e, after the ones e has (an
 * extension keeps the base's cells first, so their indexes stay).  A
 * name already there is an error, with a note where it was declared. */
static int build_entity(checked *ck, ast_node *d, entity_def *e)
{
    uint32_t first = e->nfields, nf = first + (uint32_t)ast_list_len(d->a);
    field_def *fields = arena_alloc(ck->pool, sizeof(field_def) * (nf + 1));
    if (!fields) return -1;
    if (first) memcpy(fields, e->fields, sizeof(field_def) * first);
    e->fields = fields;
    uint32_t k = first;
    for (ast_node *fd = d->a; fd; fd = fd->next, k++) {
        for (uint32_t j = 0; j < k; j++) {
            if (strcmp(fields[j].name, fd->text) != 0) continue;
            diag_error(ck->dl, ck->src, fd->loc, "entity `%s` has two fields named `%s`", e->name, fd->text);
            if (fields[j].src)
                diag_add(ck->dl, DIAG_NOTE, fields[j].src, (src_loc){fields[j].loc_start, fields[j].loc_end}, NULL,
                         "`%s` is first defined here", fd->text);
            break;
        }
        build_field(ck, fd, &fields[k], k);
    }
    e->nfields = nf;
    return entity_index_keys(e, ck->pool);
}

/* The content hash shown and stored for a model or policy text. */
static void hash_text(const char *text, size_t len, char *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(text, len, md, &n, EVP_sha256(), NULL);
    strcpy(out, "sha256:");
    for (unsigned i = 0; i < n; i++)
        sprintf(out + 7 + 2 * i, "%02x", md[i]);
}

/* The model `extend MODEL.ENTITY` declarations name, found in models;
 * NULL with m->base NULL when the file extends nothing; -1 on an error
 * (reported). */
static int find_base(checked *ck, ast_node *file, const model_set *models, cmodel *m)
{
    for (ast_node *d = file->a; d; d = d->next) {
        if (d->kind != AST_ENTITY || d->op != ENTITY_EXTENDS) continue;
        const char *dot = strchr(d->text, '.');
        size_t n = dot ? (size_t)(dot - d->text) : 0;
        if (!dot || strchr(dot + 1, '.')) {
            diag_error(ck->dl, ck->src, d->loc, "`extend` names a model and one of its entities");
            diag_hint(ck->dl, "write e.g. `extend civil.household { ... }`");
            return -1;
        }
        if (m->base && (strlen(m->base->name) != n || strncmp(m->base->name, d->text, n) != 0)) {
            diag_error(ck->dl, ck->src, d->loc, "model `%s` already extends `%s`: a model extends one model",
                       m->name, m->base->name);
            diag_hint(ck->dl, "put the fields for `%.*s` in a .model file of their own", (int)n, d->text);
            return -1;
        }
        if (m->base) continue;
        suggestion near;
        suggest_init(&near);
        for (uint32_t i = 0; models && i < models->n && !m->base; i++) {
            const cmodel *b = models->items[i];
            if (strlen(b->name) == n && strncmp(b->name, d->text, n) == 0) m->base = b;
            else suggest_consider(&near, d->text, n, b->name);
        }
        if (m->base) continue;
        if (models && models->nfailed) return -1;    /* its own errors say it all */
        diag_error(ck->dl, ck->src, d->loc, "unknown model `%.*s` in `extend %s`", (int)n, d->text, d->text);
        if (near.best) diag_hint(ck->dl, "did you mean `%s`?", near.best);
        else diag_hint(ck->dl, "load it: from a folder at or above this one in the tree, or with --policies");
        return -1;
    }
    return 0;
}

/* The entity of m an extension names, or NULL (reported, did-you-mean). */
static entity_def **extended_slot(checked *ck, cmodel *m, ast_node *d)
{
    const char *name = strchr(d->text, '.') + 1;
    suggestion near;
    suggest_init(&near);
    for (uint32_t i = 0; i < m->base->nentities; i++) {
        if (strcmp(m->entities[i]->name, name) == 0) return &m->entities[i];
        suggest_consider(&near, name, strlen(name), m->entities[i]->name);
    }
    diag_error(ck->dl, ck->src, d->loc, "model %s has no entity `%s` to extend", m->base->name, name);
    if (near.best) diag_hint(ck->dl, "did you mean `%s`?", near.best);
    return NULL;
}

/* A copy of e in m's arena that the extension may change. */
static entity_def *copy_entity(cmodel *m, const entity_def *e)
{
    entity_def *c = arena_alloc(&m->pool, sizeof *c);
    field_def *f = arena_alloc(&m->pool, sizeof(field_def) * (e->nfields + 1));
    if (!c || !f) return NULL;
    *c = *e;
    memcpy(f, e->fields, sizeof(field_def) * e->nfields);
    c->fields = f;
    return c;
}

/* Lists of an extended entity must hold the extended one: an entity whose
 * field lists a base entity that m replaced gets a copy with the list's
 * type pointing at the replacement; repeated until nothing changes. */
static int rewire_lists(cmodel *m)
{
    for (int changed = 1; changed;) {
        changed = 0;
        for (uint32_t i = 0; i < m->nentities; i++)
            for (uint32_t f = 0; f < m->entities[i]->nfields; f++) {
                const ty *t = m->entities[i]->fields[f].type;
                if (t->kind != TY_LIST || t->elem->kind != TY_ENTITY) continue;
                const entity_def *now = NULL;
                for (uint32_t j = 0; j < m->base->nentities && !now; j++)
                    if (t->elem->ent == m->base->entities[j] && m->entities[j] != m->base->entities[j])
                        now = m->entities[j];
                if (!now) continue;
                if (i < m->base->nentities && m->entities[i] == m->base->entities[i] &&
                    !(m->entities[i] = copy_entity(m, m->entities[i])))
                    return -1;
                ty *elem = arena_alloc(&m->pool, sizeof *elem), *list = arena_alloc(&m->pool, sizeof *list);
                if (!elem || !list) return -1;
                *elem = *t->elem;
                elem->ent = now;
                *list = *t;
                list->elem = elem;
                m->entities[i]->fields[f].type = list;
                changed = 1;
            }
    }
    return 0;
}

/* The entities of m: the base's (extended where the file says so), then
 * the file's own. */
static int build_entities(checked *ck, cmodel *m, ast_node *file)
{
    uint32_t nb = m->base ? m->base->nentities : 0, ne = nb;
    for (ast_node *d = file->a; d; d = d->next)
        if (d->kind == AST_ENTITY && d->op != ENTITY_EXTENDS) ne++;
    m->entities = arena_alloc(&m->pool, sizeof(entity_def *) * (ne + 1));
    if (!m->entities) return -1;
    for (uint32_t i = 0; i < nb; i++)
        m->entities[m->nentities++] = m->base->entities[i];
    for (ast_node *d = file->a; d; d = d->next) {
        if (d->kind != AST_ENTITY || d->op == ENTITY_EXTENDS) continue;
        entity_def *e = arena_alloc(&m->pool, sizeof *e);
        if (!e) return -1;
        e->name = d->text;
        e->label = label_text(d->label);
        m->entities[m->nentities++] = e;
    }
    uint32_t k = nb;
    for (ast_node *d = file->a; d; d = d->next) {
        if (d->kind != AST_ENTITY) continue;
        if (d->op != ENTITY_EXTENDS) {
            if (build_entity(ck, d, m->entities[k++])) return -1;
            continue;
        }
        entity_def **slot = extended_slot(ck, m, d);
        if (!slot) continue;
        if (*slot == m->base->entities[slot - m->entities] && !(*slot = copy_entity(m, *slot))) return -1;
        if (d->label) (*slot)->label = label_text(d->label);
        if (build_entity(ck, d, *slot)) return -1;
    }
    return m->base ? rewire_lists(m) : 0;
}

/* Appends m's files to a text set: its base's first. */
static void set_files(buf *b, const cmodel *m)
{
    if (m->base) set_files(b, m->base);
    buf_printf(b, MODEL_SET_FILE "%s %zu\n", m->name, m->src->len);
    buf_add(b, m->src->text, m->src->len);
}

/* m's stored text and hash (cmodel.stored_text): -1 out of memory. */
static int stored_text(cmodel *m)
{
    if (!m->base) {
        m->stored_text = m->src->text;
        m->stored_len = m->src->len;
        return 0;
    }
    buf b;
    buf_init(&b);
    buf_adds(&b, MODEL_SET_HEADER);
    set_files(&b, m);
    char *t = b.failed ? NULL : arena_alloc(&m->pool, b.len + 1);
    if (t) {
        memcpy(t, b.data, b.len);
        t[b.len] = 0;
        m->stored_text = t;
        m->stored_len = b.len;
        hash_text(t, b.len, m->hash);
    }
    buf_free(&b);
    return t ? 0 : -1;
}

int model_set_split(const char *text, size_t len, const char **names, size_t *name_len,
                    const char **texts, size_t *text_len, uint32_t max, uint32_t *n)
{
    size_t hl = strlen(MODEL_SET_HEADER), fl = strlen(MODEL_SET_FILE);
    *n = 0;
    if (len < hl || memcmp(text, MODEL_SET_HEADER, hl) != 0) {
        if (!max) return -1;
        names[0] = NULL, name_len[0] = 0, texts[0] = text, text_len[0] = len, *n = 1;
        return 0;
    }
    for (size_t at = hl; at < len; (*n)++) {
        if (*n == max || len - at < fl || memcmp(text + at, MODEL_SET_FILE, fl) != 0) return -1;
        const char *name = text + at + fl, *end = memchr(name, '\n', len - (size_t)(name - text));
        const char *sp = end ? memchr(name, ' ', (size_t)(end - name)) : NULL;
        if (!sp || sp == name) return -1;
        char *stop;
        unsigned long long bytes = strtoull(sp + 1, &stop, 10);
        if (stop != end || sp[1] < '0' || sp[1] > '9' || bytes > len - (size_t)(end + 1 - text)) return -1;
        names[*n] = name, name_len[*n] = (size_t)(sp - name);
        texts[*n] = end + 1, text_len[*n] = (size_t)bytes;
        at = (size_t)(end + 1 - text) + (size_t)bytes;
    }
    return *n ? 0 : -1;
}

cmodel *compile_model(source *src, diag_list *dl)
{
    return compile_model_in(src, NULL, dl);
}

cmodel *compile_model_in(source *src, const model_set *models, diag_list *dl)
{
    cmodel *m = calloc(1, sizeof *m);
    if (!m) { source_free(src); return NULL; }
    arena_init(&m->pool, 16384);
    m->src = src;
    hash_text(src->text, src->len, m->hash);
    size_t errs = dl->nerrors;
    ast_node *file = parse_source(src, &m->pool, dl);
    ast_node *md = file ? find_decl(file, AST_MODEL) : NULL;
    if (file && !md)
        diag_error(dl, src, file->loc, "a .model file starts with `model NAME \"title\"`");
    if (!md || dl->nerrors > errs) return model_failed(m, dl);
    m->name = md->text;
    m->title = label_text(md->label);
    checked ck;
    memset(&ck, 0, sizeof ck);
    ck.pool = &m->pool;
    ck.src = src;
    ck.dl = dl;
    ck.model = m;
    if (find_base(&ck, file, models, m)) return model_failed(m, dl);
    if (build_enums(&ck, file, m->base ? m->base->enums : NULL, m->base ? m->base->nenums : 0))
        return model_failed(m, dl);
    m->enums = ck.enums;
    m->nenums = ck.nenums;
    if (build_entities(&ck, m, file)) return model_failed(m, dl);
    if (stored_text(m)) diag_add(dl, DIAG_ERROR, NULL, (src_loc){0, 0}, NULL, "%s: out of memory", src->name);
    if (dl->nerrors > errs || m->pool.failed) return model_failed(m, dl);
    return m;
}

const cmodel *model_root(const cmodel *m)
{
    while (m && m->base) m = m->base;
    return m;
}

cmodel *model_failed(cmodel *m, diag_list *dl)
{
    diag_keep_source(dl, m->src);
    m->src = NULL;
    cmodel_free(m);
    return NULL;
}

policy *policy_failed(policy *p, diag_list *dl)
{
    diag_keep_source(dl, p->src);
    p->src = NULL;
    for (uint32_t i = 0; i < p->nextra; i++)
        diag_keep_source(dl, p->extra_srcs[i]);
    p->nextra = 0;
    policy_free(p);
    return NULL;
}

void cmodel_free(cmodel *m)
{
    if (!m) return;
    arena_free(&m->pool);
    source_free(m->src);
    free(m);
}

static const cmodel *model_for(const model_set *ms, ast_node *file)
{
    ast_node *u = find_decl(file, AST_USE);
    if (!u || !ms) return NULL;
    const char *dot = strchr(u->text, '.');
    size_t n = dot ? (size_t)(dot - u->text) : strlen(u->text);
    for (uint32_t i = 0; i < ms->n; i++)
        if (strlen(ms->items[i]->name) == n && strncmp(ms->items[i]->name, u->text, n) == 0)
            return ms->items[i];
    return NULL;
}

/* Whether src lies outside the tree of an extending model m: a city's
 * extension is for the policies in its folder and below.  Sources that
 * are not files (a stored text being replayed) are not checked. */
static int outside_tree(const cmodel *m, const source *src)
{
    char dir[PATH_MAX], file[PATH_MAX];
    if (!m->base || !realpath(m->src->name, dir) || !realpath(src->name, file)) return 0;
    *strrchr(dir, '/') = 0;
    size_t n = strlen(dir);
    return strncmp(dir, file, n) != 0 || file[n] != '/';
}

/* Whether a test's expected literal can be a value of type t (the
 * comparison itself is cmd_test.c's).  Entities are not literals here. */
static int literal_fits(const ast_node *e, const ty *t)
{
    if (e->kind == AST_UNARY && e->op == OP_NEG) e = e->a;
    switch (t->kind) {
    case TY_BOOL: return e->kind == AST_BOOL;
    case TY_INT: return e->kind == AST_INT;
    case TY_MONEY: case TY_DECIMAL: return e->kind == AST_INT || e->kind == AST_DEC;
    case TY_DATE: return e->kind == AST_DATE;
    case TY_TEXT: return e->kind == AST_STRING;
    case TY_ENUM:
        return (e->kind == AST_NAME || e->kind == AST_STRING) && enum_value(t->en, e->text, strlen(e->text)) >= 0;
    case TY_LIST:
        if (e->kind != AST_LIST) return 0;
        for (const ast_node *i = e->a; i; i = i->next)
            if (!literal_fits(i, t->elem)) return 0;
        return 1;
    case TY_MAP:
        if (e->kind != AST_OBJECT) return 0;
        for (const ast_node *pr = e->a; pr; pr = pr->next)
            if (!literal_fits(pr->a, t->elem)) return 0;
        return 1;
    default: return 1;
    }
}

/* The first date in an expected literal (or its elements) that is no
 * day of the calendar, or NULL: literal_fits only looks at the kind of
 * literal, and `expect d = 2021-02-30` would otherwise be compared as
 * some other day. */
static const ast_node *invalid_date(const ast_node *e)
{
    int64_t d;
    if (e->kind == AST_DATE)
        return date_parse(e->text, strlen(e->text), &d) ? e : NULL;
    if (e->kind != AST_LIST && e->kind != AST_OBJECT)
        return NULL;
    for (const ast_node *i = e->a; i; i = i->next) {
        const ast_node *bad = invalid_date(e->kind == AST_OBJECT ? i->a : i);
        if (bad) return bad;
    }
    return NULL;
}

/* A quoted number or date where the output is money, a number or a
 * date: the hint says to drop the quotes. */
static void hint_unquote(diag_list *dl, const ast_node *e, const ty *t)
{
    int64_t x;
    if (e->kind != AST_STRING) return;
    size_t n = strlen(e->text);
    if ((t->kind == TY_MONEY || t->kind == TY_DECIMAL || t->kind == TY_INT) && dec_parse(e->text, n, &x) == DEC_OK)
        diag_hint(dl, "write %s without quotes", e->text);
    else if (t->kind == TY_DATE && date_parse(e->text, n, &x) == 0)
        diag_hint(dl, "write %s without quotes", e->text);
}

/* `expect refused "reason"` names one of the policy's refusals. */
static void check_refused(const policy *p, const source *src, const ast_node *e, diag_list *dl)
{
    const ev_tree *t = &p->tree;
    for (uint32_t i = 0; i < t->nrefusals; i++)
        if (strcmp(t->refusals[i].text, e->a->text) == 0) return;
    if (!t->nrefusals) {
        diag_error(dl, src, e->a->loc, "the test expects a refusal, and `%s` has no `refuse when`", p->name);
        return;
    }
    diag_error(dl, src, e->a->loc, "the test expects a refusal \"%s\", and no refusal of `%s` gives that reason",
               e->a->text, p->name);
    diag_hint(dl, "the first refusal of `%s` says \"%s\"%s", p->name, t->refusals[0].text,
              t->nrefusals > 1 ? "; write the reason exactly as the policy does" : "");
}

/* Whether text could be warning w's text once its placeholders are
 * filled: the parts around the placeholders are there, in order. */
static int warning_fits(const ev_warning *w, const char *text)
{
    size_t at = 0, tl = strlen(text);
    for (uint32_t h = 0; h <= w->nholes; h++) {
        size_t from = h ? w->holes[h - 1].end : 0, to = h < w->nholes ? w->holes[h].start : strlen(w->text);
        const char *part = w->text + from;
        size_t n = to - from;
        if (h == 0) {
            if (tl < n || memcmp(text, part, n) != 0) return 0;
            at = n;
            continue;
        }
        if (h == w->nholes) return tl >= at + n && memcmp(text + tl - n, part, n) == 0;
        const char *hit = NULL;
        for (size_t k = at; k + n <= tl && !hit; k++)
            if (memcmp(text + k, part, n) == 0) hit = text + k;
        if (!hit) return 0;
        at = (size_t)(hit - text) + n;
    }
    return at == tl;
}

/* `expect warning "text"` names one of the policy's warnings. */
static void check_warning(const policy *p, const source *src, const ast_node *e, diag_list *dl)
{
    const ev_tree *t = &p->tree;
    for (uint32_t i = 0; i < t->nwarnings; i++)
        if (warning_fits(&t->warnings[i], e->a->text)) return;
    if (!t->nwarnings) {
        diag_error(dl, src, e->a->loc, "the test expects a warning, and `%s` has no `warn when`", p->name);
        return;
    }
    diag_error(dl, src, e->a->loc, "the test expects a warning \"%s\", and no warning of `%s` gives that text",
               e->a->text, p->name);
    diag_hint(dl, "the first warning of `%s` says \"%s\"; write the text as the decision shows it, "
              "with the values in place of `{name}`", p->name, t->warnings[0].text);
}

/* `expect award = 1500.00` on a range output, or `expect x = LO to HI`
 * (parse.c names it x.min) on an output that is not a range: say so. */
static void hint_range(const policy *p, const ast_node *e, diag_list *dl)
{
    char name[256];
    size_t n = strlen(e->text);
    snprintf(name, sizeof name, "%s.min", e->text);
    if (policy_def(p, name)) {
        diag_hint(dl, "`%s` is a range: write `expect %s = LOW to HIGH`", e->text, e->text);
        return;
    }
    if (n > 4 && strcmp(e->text + n - 4, ".min") == 0 && n - 4 < sizeof name) {
        memcpy(name, e->text, n - 4);
        name[n - 4] = '\0';
        if (policy_def(p, name)) diag_hint(dl, "`%s` is not a range: write `expect %s = VALUE`", name, name);
    }
}

/* Type-checks a test's expectations against the compiled outputs, so a
 * wrong expectation is a compile error, not a failure at test time. */
static void check_expects(const policy *p, const source *src, const ast_node *t, diag_list *dl)
{
    for (const ast_node *e = t->c; e; e = e->next) {
        if (e->op == 1) continue;
        if (e->op == 3) { check_refused(p, src, e, dl); continue; }
        if (e->op == 4) { check_warning(p, src, e, dl); continue; }
        const ev_def *d = policy_def(p, e->text);
        if (!d && e->op2) continue;         /* the max of `expect x = LO to HI`: told at its min */
        if (!d) {
            diag_error(dl, src, e->loc, "the test expects `%s`, which is not an output or let of `%s`",
                       e->text, p->name);
            hint_range(p, e, dl);
            continue;
        }
        if (e->op == 2 || !e->a) continue;
        const ast_node *bad = invalid_date(e->a);
        if (bad) {      /* worded as the checker words it in a policy */
            diag_error(dl, src, bad->loc, "invalid date %s", bad->text);
            diag_hint(dl, "dates are YYYY-MM-DD between %d-01-01 and %d-12-31", DATE_MIN_YEAR, DATE_MAX_YEAR);
            continue;
        }
        if (literal_fits(e->a, d->type)) continue;
        char tn[128];
        diag_error(dl, src, e->a->loc, "`%s` is %s, and this is not a value of it", e->text,
                   ty_str(d->type, tn, sizeof tn));
        hint_unquote(dl, e->a, d->type);
    }
}

/* 0, or -1 with a diagnostic: a test is never dropped silently.  Its
 * expectations are type-checked when `check` is set (model_set). */
static int add_test(policy *p, const source *src, ast_node *t, int check, diag_list *dl)
{
    size_t errs = dl->nerrors;
    if (check) check_expects(p, src, t, dl);
    if (dl->nerrors > errs) return -1;
    if (p->ntests == p->tests_cap) {
        uint32_t cap = p->tests_cap ? p->tests_cap * 2 : 16;
        policy_test *nt = realloc(p->tests, sizeof(policy_test) * cap);
        if (!nt) {
            diag_error(dl, src, t->loc, "out of memory");
            return -1;
        }
        p->tests = nt;
        p->tests_cap = cap;
    }
    p->tests[p->ntests].src = src;
    p->tests[p->ntests].node = t;
    p->ntests++;
    return 0;
}

/* Collects the parameter names an assertion reads, with their values. */
static void assert_values(const ev_tree *t, ast_node *n, const ev_cell *frame, char *out, size_t cap, size_t *len)
{
    if (!n) return;
    if (n->kind == AST_NAME && n->decl && n->slot > -2 && n->op2 == 0) {
        const sym *s = n->decl;
        if (s->kind == SYM_PARAM && !strstr(out, s->name)) {
            char v[64];
            ev_format_scalar(s->type, frame[t->params[s->index].slot].i, v);
            *len += (size_t)snprintf(out + *len, *len < cap ? cap - *len : 0, "%s%s = %s",
                                     *len ? ", " : "", s->name, v);
        }
    }
    if (n->kind == AST_CALL || n->kind == AST_LIST)
        for (ast_node *a = n->a; a; a = a->next) assert_values(t, a, frame, out, cap, len);
    else
        assert_values(t, n->a, frame, out, cap, len);
    assert_values(t, n->b, frame, out, cap, len);
    assert_values(t, n->c, frame, out, cap, len);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- dates read with `at` --------------------------------------------- */

/* The date after `at` as as_of moved by a constant (1: *n of *unit) or
 * a fixed date (2: *n the day); 0 when it depends on anything else. */
static int at_shape(const ast_node *d, int *unit, int64_t *n)
{
    *unit = UNIT_DAYS;
    *n = 0;
    if (d->kind == AST_AS_OF) return 1;
    if (d->kind == AST_DATE) return date_parse(d->text, strlen(d->text), n) ? 0 : 2;
    if (d->kind != AST_BINARY || (d->op != OP_ADD && d->op != OP_SUB) || d->a->kind != AST_AS_OF ||
        d->b->kind != AST_DURATION || d->b->a->kind != AST_INT)
        return 0;
    *unit = d->b->op;
    *n = strtoll(d->b->a->text, NULL, 10) * (d->op == OP_SUB ? -1 : 1);
    return 1;
}

static int64_t shifted(int64_t day, int unit, int64_t n)
{
    int64_t r = day;
    if (unit == UNIT_DAYS) date_add_days(day, n, &r);
    else if (unit == UNIT_MONTHS) date_add_months(day, n, &r);
    else date_add_years(day, n, &r);
    return r;
}

/* The first stretch of [lo, hi] on which p has no value: 0 and *gap_lo,
 * *gap_hi, or -1 when every day has one (values are sorted, disjoint). */
static int first_gap(const ev_param *p, int64_t lo, int64_t hi, int64_t *gap_lo, int64_t *gap_hi)
{
    int64_t cur = lo;
    for (uint32_t k = 0; k < p->nvalues && cur <= hi; k++) {
        if (p->until[k] < cur) continue;
        if (p->from[k] > cur) {
            *gap_lo = cur;
            *gap_hi = p->from[k] - 1 < hi ? p->from[k] - 1 : hi;
            return 0;
        }
        if (p->until[k] == INT64_MAX) return -1;
        cur = p->until[k] + 1;
    }
    if (cur > hi) return -1;
    *gap_lo = cur;
    *gap_hi = hi;
    return 0;
}

/* Every `at` whose date is as_of moved by a constant (or a fixed day)
 * reads, over the covered period, the days from the shift of its first
 * day to the shift of its last (shifting keeps the order): each must
 * have a value in force.  A series (read only with `at`) must be read
 * that way, since nothing else says which days it needs. */
static void check_at_dates(checked *ck, const ev_tree *t, const ast_node *n)
{
    for (; n; n = n->next) {
        if (n->kind == AST_TEST) continue;
        check_at_dates(ck, t, n->a);
        check_at_dates(ck, t, n->b);
        check_at_dates(ck, t, n->c);
        check_at_dates(ck, t, n->d);
        if (n->kind != AST_AT || !n->a->decl) continue;
        const ev_param *p = &t->params[((const sym *)n->a->decl)->index];
        int unit;
        int64_t k, lo, hi, glo, ghi;
        int shape = at_shape(n->b, &unit, &k);
        if (shape == 0) {
            if (p->series)
                diag_add(ck->dl, DIAG_ERROR, ck->src, n->b->loc,
                         "read a series at as_of moved by a duration, e.g. `at (as_of - 1 years)`",
                         "`%s` is read only with `at`, and this date depends on more than as_of, so the "
                         "days it needs a value on are not known", p->name);
            continue;
        }
        lo = shape == 2 ? k : shifted(t->covers_from, unit, k);
        hi = shape == 2 ? k : shifted(t->covers_until, unit, k);
        if (first_gap(p, lo, hi, &glo, &ghi)) continue;
        char a[16], b[16], c[16], d[16];
        date_format(lo, a);
        date_format(hi, b);
        date_format(glo, c);
        date_format(ghi, d);
        if (lo == hi)
            diag_add(ck->dl, DIAG_ERROR, ck->src, n->loc, "add the value in force on that day",
                     "this reads `%s` on %s, and no value of it is in force then", p->name, a);
        else
            diag_add(ck->dl, DIAG_ERROR, ck->src, n->loc, "add the value, or change the policy's `covers` period",
                     "over the covered period this reads `%s` on the days from %s to %s, and no value of it is "
                     "in force from %s to %s", p->name, a, b, c, d);
    }
}

/* Each assertion must hold on every day of the covered period; parameters
 * change only at value boundaries, so checking the first day of each
 * interval between boundaries is exact. */
static void check_assertions(checked *ck, lowered *lo)
{
    const ev_tree *t = &lo->tree;
    if (lo->nasserts == 0) return;
    uint32_t nb = 1;
    for (uint32_t i = 0; i < t->nparams; i++) nb += 2 * t->params[i].nvalues;
    int64_t *b = malloc(sizeof(int64_t) * nb);
    ev_cell *frame = calloc(t->nslots + 1, sizeof(ev_cell));
    if (!b || !frame) {
        /* an error, never a policy whose assertions went unchecked */
        diag_add(ck->dl, DIAG_ERROR, ck->src, ck->asserts[0]->loc, NULL,
                 "checking the assertions: out of memory");
        free(b);
        free(frame);
        return;
    }
    uint32_t n = 0;
    b[n++] = t->covers_from;
    for (uint32_t i = 0; i < t->nparams; i++)
        for (uint32_t k = 0; k < t->params[i].nvalues; k++) {
            int64_t f = t->params[i].from[k], u = t->params[i].until[k];
            if (f > t->covers_from && f <= t->covers_until) b[n++] = f;
            if (u != INT64_MAX && u + 1 > t->covers_from && u + 1 <= t->covers_until) b[n++] = u + 1;
        }
    qsort(b, n, sizeof(int64_t), cmp_i64);
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0 && b[i] == b[i - 1]) continue;
        int64_t until = t->covers_until;
        for (uint32_t j = i + 1; j < n; j++)
            if (b[j] > b[i]) { until = b[j] - 1; break; }
        ev_ctx c;
        ev_ctx_init(&c, t, frame, NULL);
        if (ev_bind(&c, b[i])) continue;       /* gaps were reported by check.c */
        for (uint32_t a = 0; a < lo->nasserts; a++) {
            int64_t ok = ev_scalar(&c, lo->assert_root[a]);
            if (ok && c.err.code == EVE_NONE) continue;
            ast_node *d = ck->asserts[a];
            char from[16], to[16], vals[512] = "";
            size_t len = 0;
            date_format(b[i], from);
            date_format(until, to);
            assert_values(t, d->a, frame, vals, sizeof vals, &len);
            diag_add(ck->dl, DIAG_ERROR, ck->src, d->loc, NULL, "assertion %s%s%sfails from %s to %s: %s",
                     d->label ? "\"" : "", d->label ? d->label->text : "", d->label ? "\" " : "",
                     from, to, c.err.code ? c.err.msg : vals);
        }
    }
    free(b);
    free(frame);
}

/* Citations are checked once the policy is otherwise sound: a broken
 * policy's first errors are what its officer needs to see. */
static int check_citations(policy *p, ast_node *file, diag_list *dl)
{
    char *dir = cite_docs_dir(p);
    if (!dir) {
        diag_add(dl, DIAG_ERROR, p->src, (src_loc){0, 0}, NULL, "checking citations: out of memory");
        return -1;
    }
    int rc = cite_policy(p, file, dir, dl);
    free(dir);
    return rc;
}

policy *compile_policy(source *src, const model_set *models, diag_list *dl)
{
    policy *p = calloc(1, sizeof *p);
    if (!p) { source_free(src); return NULL; }
    arena_init(&p->pool, 65536);
    p->src = src;
    hash_text(src->text, src->len, p->hash);
    size_t errs = dl->nerrors;
    ast_node *file = parse_source(src, &p->pool, dl);
    /* after a syntax error the tree lacks what recovery skipped: checking it
     * would only report follow-on errors */
    if (!file || dl->nerrors > errs) return policy_failed(p, dl);
    ast_node *pd = find_decl(file, AST_POLICY);
    if (!pd) {
        diag_error(dl, src, file->loc, "a .policy file starts with `policy NAME \"title\"`");
        return policy_failed(p, dl);
    }
    p->name = pd->text;
    p->title = label_text(pd->label);
    ast_node *j = find_decl(file, AST_JURISDICTION);
    p->jurisdiction = j ? label_text(j->label) : NULL;
    uint32_t ns = 0;
    for (ast_node *d = file->a; d; d = d->next)
        if (d->kind == AST_SOURCE && d->op == 0) ns++;
    p->sources = arena_alloc(&p->pool, sizeof(policy_source) * (ns + 1));
    for (ast_node *d = file->a; d && p->sources; d = d->next)
        if (d->kind == AST_SOURCE && d->op == 0) {
            p->sources[p->nsources].file = d->a ? d->a->text : NULL;
            p->sources[p->nsources].quote = d->b ? d->b->text : NULL;
            p->nsources++;
        }
    checked ck;
    memset(&ck, 0, sizeof ck);
    ck.pool = &p->pool;
    ck.src = src;
    ck.dl = dl;
    ck.model = model_for(models, file);
    p->model = ck.model;
    if (!ck.model && models && models->nfailed && find_decl(file, AST_USE))
        return policy_failed(p, dl);    /* its model's errors say it all */
    if (ck.model && outside_tree(ck.model, src)) {
        const char *at = ck.model->src->name, *slash = strrchr(at, '/');
        diag_error(dl, src, find_decl(file, AST_USE)->loc, "model `%s` extends `%s` for the policies in %.*s only",
                   ck.model->name, ck.model->base->name, slash ? (int)(slash - at + 1) : 2, slash ? at : "./");
        diag_hint(dl, "move the policy into that folder or below it, or use `%s`", model_root(ck.model)->name);
        return policy_failed(p, dl);
    }
    if (build_enums(&ck, file, ck.model ? ck.model->enums : NULL, ck.model ? ck.model->nenums : 0)) {
        return policy_failed(p, dl);
    }
    if (check_policy(&ck, file) || dl->nerrors > errs) return policy_failed(p, dl);
    lowered lo;
    if (lower_policy(&ck, &lo) || dl->nerrors > errs) return policy_failed(p, dl);
    check_assertions(&ck, &lo);
    check_at_dates(&ck, &lo.tree, file->a);
    if (dl->nerrors > errs || p->pool.failed) return policy_failed(p, dl);
    int load_checks = models && models->load_checks;
    if (load_checks && check_citations(p, file, dl)) return policy_failed(p, dl);
    p->tree = lo.tree;
    p->root = ck.root;
    if (json_fixed_build(p)) return policy_failed(p, dl);  /* out of memory */
    for (ast_node *d = file->a; d; d = d->next)
        if (d->kind == AST_TEST && add_test(p, src, d, load_checks, dl)) return policy_failed(p, dl);
    return p;
}

/* For the peeks below, which read one declaration without compiling:
 * src parsed into a fresh arena a (the caller frees it), its syntax
 * errors dropped (compiling the file reports them).  *file is NULL only
 * out of memory; the result is the first declaration of kind k. */
static ast_node *peek_decl(const source *src, arena *a, ast_kind k, ast_node **file)
{
    diag_list dl;
    arena_init(a, 8192);
    diag_list_init(&dl);
    *file = parse_source(src, a, &dl);
    diag_list_free(&dl);
    return *file ? find_decl(*file, k) : NULL;
}

char *compile_tests_target(const source *src)
{
    arena a;
    ast_node *file;
    ast_node *t = peek_decl(src, &a, AST_TESTS_FOR, &file);
    char *name = t ? strdup(t->text) : NULL;
    arena_free(&a);
    return name;
}

int compile_model_peek(const source *src, char **name, char **base)
{
    arena a;
    ast_node *file;
    ast_node *md = peek_decl(src, &a, AST_MODEL, &file);
    int rc = file ? (md ? 0 : -1) : -2;
    *name = md ? strdup(md->text) : NULL;
    if (md && !*name) rc = -2;
    *base = NULL;
    for (ast_node *d = file ? file->a : NULL; d && !*base; d = d->next)
        if (d->kind == AST_ENTITY && d->op == ENTITY_EXTENDS && strchr(d->text, '.')) {
            *base = strndup(d->text, (size_t)(strchr(d->text, '.') - d->text));
            if (!*base) rc = -2;
            break;
        }
    arena_free(&a);
    return rc;
}

int compile_attach_tests(policy *p, source *src, diag_list *dl)
{
    size_t errs = dl->nerrors;
    source **ex = realloc(p->extra_srcs, sizeof(source *) * (p->nextra + 1));
    if (!ex) {
        diag_add(dl, DIAG_ERROR, NULL, (src_loc){0, 0}, NULL, "%s: out of memory", src->name);
        source_free(src);
        return -1;
    }
    p->extra_srcs = ex;
    p->extra_srcs[p->nextra++] = src;
    ast_node *file = parse_source(src, &p->pool, dl);
    if (!file || dl->nerrors > errs) return -1;
    for (ast_node *d = file->a; d; d = d->next) {
        if (d->kind == AST_TEST) {
            if (add_test(p, src, d, 1, dl)) break;
        } else if (d->kind != AST_TESTS_FOR)
            diag_error(dl, src, d->loc, "a .test file holds only `tests NAME` and test blocks");
    }
    return dl->nerrors > errs ? -1 : 0;
}

void policy_free(policy *p)
{
    if (!p) return;
    arena_free(&p->pool);
    source_free(p->src);
    for (uint32_t i = 0; i < p->nextra; i++)
        source_free(p->extra_srcs[i]);
    free(p->extra_srcs);
    free(p->tests);
    free(p);
}

const ev_def *policy_output(const policy *p, const char *name)
{
    for (uint32_t i = 0; i < p->tree.ndefs; i++)
        if (p->tree.defs[i].is_output && strcmp(p->tree.defs[i].name, name) == 0)
            return &p->tree.defs[i];
    return NULL;
}

const ev_def *policy_def(const policy *p, const char *name)
{
    for (uint32_t i = 0; i < p->tree.ndefs; i++)   /* names are unique */
        if (strcmp(p->tree.defs[i].name, name) == 0) return &p->tree.defs[i];
    return NULL;
}
