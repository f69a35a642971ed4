/*
 * cite.c - every figure of a policy cites a document that says it
 * (cite.h).
 *
 * Walks the parsed file once: the policy's own `source` lines, each
 * parameter value, each table row and each warning (`warn when`).  A citation is either a quotation
 * of a document (checked against the document's text) or an assumption
 * (recorded, so `eligo check --assumptions` can list them).  Documents
 * are read once per policy and folded to code points with cite_fold, so
 * "85%" matches "85%" and a line break inside a sentence does not matter.
 *
 * Not here: the policy-level checks of names and types (check.c,
 * check_types.c, check_expr.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/cite.h"
#include "base/buf.h"
#include "base/utf8.h"
#include "eval/decimal.h"

#define CITE_HINT "end it with `source \"DOCUMENT\" \"quotation\"` or `assumption \"why\"`"

/* A document folded to code points; off[i] is the byte offset of cp[i]. */
typedef struct cite_doc {
    char *name;
    source *src;              /* NULL when the file could not be read */
    unsigned *cp;
    uint32_t *off;
    size_t n;
} cite_doc;

typedef struct citer {
    policy *p;
    const char *dir;
    diag_list *dl;
    cite_doc *docs;
    size_t ndocs;
    policy_assumption *assumed;   /* malloc'ed while walking, then kept */
    size_t nassumed, assumed_cap;
    int failed;
} citer;

unsigned cite_fold(unsigned cp)
{
    switch (cp) {
    case ' ': case '\t': case '\n': case '\r': case '\f': case '\v':
    case 0x00A0: case 0x3000:
        return 0;
    case 0x201C: case 0x201D: case 0x201E: case 0x201F:
        return '"';
    case 0x2018: case 0x2019:
        return '\'';
    case 0x3002: case 0xFF61:
        return '.';
    case 0xFF64:
        return 0x3001;
    default:
        break;
    }
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return cp - 0xFEE0;
    return cp;
}

/* Folds text[0..len) into malloc'ed arrays; -1 when out of memory. */
static int fold_text(const char *text, size_t len, unsigned **cps, uint32_t **offs, size_t *n)
{
    unsigned *cp = malloc(sizeof(unsigned) * (len + 1));
    uint32_t *off = malloc(sizeof(uint32_t) * (len + 1));
    size_t k = 0, i = 0;
    if (!cp || !off) { free(cp); free(off); return -1; }
    while (i < len) {
        unsigned c;
        size_t w = utf8_decode((const unsigned char *)text + i, len - i, &c);
        if (w == 0) { c = 0xFFFD; w = 1; }
        unsigned f = cite_fold(c);
        if (f) { cp[k] = f; off[k] = (uint32_t)i; k++; }
        i += w;
    }
    off[k] = (uint32_t)len;
    *cps = cp;
    *offs = off;
    *n = k;
    return 0;
}

/* A plain file name: no directory part, not hidden. */
static int plain_name(const char *name)
{
    return name[0] && name[0] != '.' && !strchr(name, '/') && !strchr(name, '\\');
}

static cite_doc *doc_get(citer *c, const char *name)
{
    for (size_t i = 0; i < c->ndocs; i++)
        if (strcmp(c->docs[i].name, name) == 0) return &c->docs[i];
    cite_doc *d = realloc(c->docs, sizeof(cite_doc) * (c->ndocs + 1));
    if (!d) { c->failed = 1; return NULL; }
    c->docs = d;
    d = &c->docs[c->ndocs];
    memset(d, 0, sizeof *d);
    d->name = strdup(name);
    if (!d->name) { c->failed = 1; return NULL; }
    c->ndocs++;
    if (!plain_name(name)) return d;
    size_t n = strlen(c->dir) + strlen(name) + 2;
    char *path = malloc(n);
    if (!path) { c->failed = 1; return d; }
    snprintf(path, n, "%s/%s", c->dir, name);
    d->src = source_read(path);
    free(path);
    if (d->src && fold_text(d->src->text, d->src->len, &d->cp, &d->off, &d->n)) c->failed = 1;
    return d;
}

static void docs_free(citer *c)
{
    for (size_t i = 0; i < c->ndocs; i++) {
        free(c->docs[i].name);
        source_free(c->docs[i].src);
        free(c->docs[i].cp);
        free(c->docs[i].off);
    }
    free(c->docs);
}

static int occurs(const cite_doc *d, const unsigned *q, size_t m)
{
    for (size_t s = 0; s + m <= d->n; s++)
        if (memcmp(d->cp + s, q, sizeof(unsigned) * m) == 0) return 1;
    return 0;
}

/* The window of the document agreeing with the quotation in the most
 * positions, as its start; *same is that count. */
static size_t nearest(const cite_doc *d, const unsigned *q, size_t m, size_t *same)
{
    size_t best = 0, at = 0;
    for (size_t s = 0; s < d->n; s++) {
        size_t k = 0;
        for (size_t i = 0; i < m && s + i < d->n; i++)
            k += d->cp[s + i] == q[i];
        if (k > best) { best = k; at = s; }
    }
    *same = best;
    return at;
}

/* A note quoting the passage of d nearest to the quotation, if at least
 * half of it agrees. */
static void note_nearest(citer *c, const cite_doc *d, const unsigned *q, size_t m)
{
    size_t same, at = nearest(d, q, m, &same);
    if (same * 2 < m || same == 0) {
        diag_hint(c->dl, "nothing in `%s` comes close: copy the sentence from the document", d->name);
        return;
    }
    size_t last = at + m < d->n ? at + m : d->n;
    uint32_t from = d->off[at], to = d->off[last];
    uint32_t line, col;
    source_linecol(d->src, from, &line, &col);
    char *shown = malloc(to - from + 1);
    if (!shown) { c->failed = 1; return; }
    size_t k = 0;
    for (uint32_t i = from; i < to; i++)
        if (d->src->text[i] != '\n' && d->src->text[i] != '\r') shown[k++] = d->src->text[i];
    shown[k] = 0;
    diag_add(c->dl, DIAG_NOTE, NULL, (src_loc){0, 0}, NULL, "%s:%u: the document says: …%s…",
             d->name, line, shown);
    free(shown);
}

/* Whether the folded text q[0..m) contains s, folded the same way. */
static int has_text(const unsigned *q, size_t m, const char *s)
{
    unsigned *t;
    uint32_t *off;
    size_t n;
    int found = 0;
    if (fold_text(s, strlen(s), &t, &off, &n)) return 1;
    for (size_t i = 0; i + n <= m && !found; i++)
        found = memcmp(q + i, t, sizeof(unsigned) * n) == 0;
    free(t);
    free(off);
    return found;
}

/* Whether the quotation states the figure v (millionths, > 0) as a
 * document writes it: 860 for 860.00, 85% or 0.85 for 0.85, 1.5万 for
 * 15000.00. */
static int figure_stated(const unsigned *q, size_t m, int64_t v)
{
    char text[48];
    dec_format(v, 0, text);
    if (has_text(q, m, text)) return 1;
    if (v < DEC_SCALE) {
        strcat(text + dec_format(v * 100, 0, text), "%");
        if (has_text(q, m, text)) return 1;
    }
    if (v >= 10000 * DEC_SCALE) {
        strcat(text + dec_format(v / 10000, 0, text), "万");
        if (has_text(q, m, text)) return 1;
    }
    return 0;
}

/* A value or row output that is a positive number the quotation does
 * not state: a warning, since a figure changed without its quotation
 * is what the citation is there to catch. */
static void check_figure(citer *c, const unsigned *q, size_t m, const ast_node *value)
{
    int64_t v;
    if (!value || (value->kind != AST_INT && value->kind != AST_DEC)) return;
    if (dec_parse(value->text, strlen(value->text), &v) != DEC_OK || v <= 0) return;
    if (figure_stated(q, m, v)) return;
    diag_add(c->dl, DIAG_WARNING, c->p->src, value->loc,
             "quote the sentence that states it, or cite `assumption \"why\"`",
             "the quotation does not state %s", value->text);
}

static void check_quote(citer *c, const cite_doc *d, const ast_node *quote, const ast_node *value)
{
    unsigned *q;
    uint32_t *off;
    size_t m;
    if (fold_text(quote->text, strlen(quote->text), &q, &off, &m)) { c->failed = 1; return; }
    if (m == 0)
        diag_add(c->dl, DIAG_ERROR, c->p->src, quote->loc, "copy the sentence that states the figure",
                 "the quotation is empty");
    else if (!occurs(d, q, m)) {
        diag_error(c->dl, c->p->src, quote->loc, "the quotation is not in `%s`", d->name);
        note_nearest(c, d, q, m);
    } else
        check_figure(c, q, m, value);
    free(q);
    free(off);
}

/* What a citation is attached to, for the list of assumptions. */
typedef struct cite_site {
    const char *what, *name, *from;
    uint32_t row;
} cite_site;

static void record_assumption(citer *c, const ast_node *cite, const cite_site *at)
{
    if (!cite->label || !cite->label->text[0]) {
        diag_add(c->dl, DIAG_ERROR, c->p->src, cite->loc, "say what is assumed and why",
                 "the assumption is empty");
        return;
    }
    if (c->nassumed == c->assumed_cap) {
        size_t cap = c->assumed_cap ? c->assumed_cap * 2 : 16;
        policy_assumption *a = realloc(c->assumed, sizeof *a * cap);
        if (!a) { c->failed = 1; return; }
        c->assumed = a;
        c->assumed_cap = cap;
    }
    c->assumed[c->nassumed++] = (policy_assumption){cite->loc.start, at->row, at->what, at->name,
                                                    at->from, cite->label->text};
}

/* Hands the assumptions found to the policy's arena. */
static void keep_assumptions(citer *c)
{
    policy *p = c->p;
    if (!c->nassumed) return;
    p->assumptions = arena_alloc(&p->pool, sizeof *p->assumptions * c->nassumed);
    if (!p->assumptions) { c->failed = 1; return; }
    memcpy(p->assumptions, c->assumed, sizeof *p->assumptions * c->nassumed);
    p->nassumptions = (uint32_t)c->nassumed;
}

/* A note naming the documents there are, in name order. */
static void note_documents(citer *c)
{
    struct dirent **names;
    int n = scandir(c->dir, &names, NULL, alphasort);
    if (n < 0) {
        diag_add(c->dl, DIAG_NOTE, NULL, (src_loc){0, 0}, NULL, "%s: %s", c->dir, strerror(errno));
        return;
    }
    buf list;
    buf_init(&list);
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') buf_printf(&list, "%s%s", list.len ? ", " : "", names[i]->d_name);
        free(names[i]);
    }
    free(names);
    if (list.len)
        diag_add(c->dl, DIAG_NOTE, NULL, (src_loc){0, 0}, NULL, "the documents are: %s", buf_cstr(&list));
    buf_free(&list);
}

/* One citation: an assumption, or a document and a quotation in it
 * (stating the figure `value`, when it is a number). */
static void check_cite(citer *c, const ast_node *cite, const cite_site *at, const ast_node *value)
{
    if (cite->op == 1) { record_assumption(c, cite, at); return; }
    const char *file = cite->a->text;
    if (!cite->b) {
        const char *colon = strstr(file, ": ");
        diag_error(c->dl, c->p->src, cite->loc,
                   "a citation gives the document and the quotation as two strings");
        if (colon)
            diag_hint(c->dl, "write `source \"%.*s\" \"%s\"`", (int)(colon - file), file, colon + 2);
        else
            diag_hint(c->dl, "write `source \"DOCUMENT\" \"quotation\"`");
        return;
    }
    const cite_doc *d = doc_get(c, file);
    if (!d) return;
    if (!d->src) {
        diag_error(c->dl, c->p->src, cite->a->loc, "no document `%s` in %s", file, c->dir);
        diag_hint(c->dl, "a policy cites the files of %s by name", c->dir);
        note_documents(c);
        return;
    }
    check_quote(c, d, cite->b, value);
}

static void check_params(citer *c, const ast_node *param)
{
    for (const ast_node *v = param->b; v; v = v->next) {
        const char *date = v->a && v->a->text ? v->a->text : "?";
        if (!v->d) {
            diag_add(c->dl, DIAG_ERROR, c->p->src, v->loc, CITE_HINT,
                     "the value of `%s` from %s cites no source", param->text, date);
            continue;
        }
        check_cite(c, v->d, &(cite_site){"parameter", param->text, date, 0}, v->c);
    }
}

static void check_rows(citer *c, const ast_node *table)
{
    uint32_t k = 1;
    for (const ast_node *r = table->c; r; r = r->next, k++) {
        if (!r->c) {
            diag_add(c->dl, DIAG_ERROR, c->p->src, r->loc, CITE_HINT,
                     "row %u of table `%s` cites no source", k, table->text);
            continue;
        }
        check_cite(c, r->c, &(cite_site){"table", table->text, NULL, k}, r->b);
    }
}

/* A warning (`warn when`) states a norm, so it cites where the norm is
 * written, as a table row does. */
static void check_warning(citer *c, const ast_node *w)
{
    if (!w->d) {
        diag_add(c->dl, DIAG_ERROR, c->p->src, w->label->loc, CITE_HINT,
                 "the warning \"%s\" cites no source", w->label->text);
        return;
    }
    check_cite(c, w->d, &(cite_site){"warning", NULL, NULL, 0}, NULL);
}

char *cite_docs_dir(const policy *p)
{
    const char *path = p->model ? model_root(p->model)->src->name : p->src->name;   /* the tree's root */
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    while (n > 1 && path[n - 1] == '/') n--;
    char *dir = malloc(n + sizeof "/sources" + 1);
    if (!dir) return NULL;
    if (slash) snprintf(dir, n + sizeof "/sources" + 1, "%.*s/sources", (int)n, path);
    else strcpy(dir, "sources");
    return dir;
}

int cite_policy(policy *p, ast_node *file, const char *docs_dir, diag_list *dl)
{
    citer c = {p, docs_dir, dl, NULL, 0, NULL, 0, 0, 0};
    size_t errs = dl->nerrors;
    const ast_node *pd = NULL;
    int cited = 0;
    for (ast_node *d = file->a; d; d = d->next) {
        if (d->kind == AST_POLICY) pd = d;
        else if (d->kind == AST_SOURCE) { cited = 1; check_cite(&c, d, &(cite_site){"policy", NULL, NULL, 0}, NULL); }
        else if (d->kind == AST_PARAM) check_params(&c, d);
        else if (d->kind == AST_TABLE) check_rows(&c, d);
        else if (d->kind == AST_REFUSE && d->op == 1) check_warning(&c, d);
    }
    if (!cited && pd)
        diag_add(dl, DIAG_ERROR, p->src, pd->loc,
                 "add `source \"DOCUMENT\" \"quotation\"` below the policy line, or `assumption \"why\"`",
                 "policy `%s` cites no document", p->name);
    keep_assumptions(&c);
    docs_free(&c);
    free(c.assumed);
    if (c.failed)
        diag_add(dl, DIAG_ERROR, p->src, (src_loc){0, 0}, NULL, "checking citations: out of memory");
    return dl->nerrors > errs ? -1 : 0;
}
