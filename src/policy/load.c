/*
 * load.c - files and folders to a registry of compiled policies (load.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "policy/load.h"
#include "base/suggest.h"

typedef struct file_list {
    char **items;
    size_t n, cap;
} file_list;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int push(file_list *fl, const char *path)
{
    if (fl->n == fl->cap) {
        size_t cap = fl->cap ? fl->cap * 2 : 64;
        char **p = realloc(fl->items, sizeof(char *) * cap);
        if (!p) return -1;
        fl->items = p;
        fl->cap = cap;
    }
    char *copy = strdup(path);
    if (!copy) return -1;
    fl->items[fl->n++] = copy;
    return 0;
}

/* An allocation failed: the load must fail with a diagnostic, never
 * succeed without a file. */
static int out_of_memory(diag_list *dl, const char *what)
{
    diag_add(dl, DIAG_ERROR, NULL, (src_loc){0, 0}, NULL, "%s: out of memory", what);
    return -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects policy files under path, recursively, sorted. */
static int collect(file_list *fl, const char *path, diag_list *dl, int depth)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        diag_add(dl, DIAG_ERROR, NULL, (src_loc){0, 0}, NULL, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (depth == 0 || ends_with(path, ".policy") || ends_with(path, ".model") || ends_with(path, ".test"))
            return push(fl, path) ? out_of_memory(dl, path) : 0;
        return 0;
    }
    if (depth > 16) return 0;
    DIR *d = opendir(path);
    if (!d) {
        diag_add(dl, DIAG_ERROR, NULL, (src_loc){0, 0}, NULL, "%s: %s", path, strerror(errno));
        return -1;
    }
    file_list sub = {0};
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        size_t n = strlen(path) + strlen(e->d_name) + 2;
        char *p = malloc(n);
        if (p) snprintf(p, n, "%s%s%s", path, ends_with(path, "/") ? "" : "/", e->d_name);
        if (!p || push(&sub, p)) rc = out_of_memory(dl, path);
        free(p);
    }
    closedir(d);
    if (sub.n) qsort(sub.items, sub.n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < sub.n; i++) {
        if (collect(fl, sub.items[i], dl, depth + 1)) rc = -1;
        free(sub.items[i]);
    }
    free(sub.items);
    return rc;
}

static source *read_source(const char *path, diag_list *dl)
{
    source *s = source_read(path);
    if (!s)
        diag_add(dl, DIAG_ERROR, NULL, (src_loc){0, 0}, NULL, "%s: %s", path, strerror(errno));
    return s;
}

/* A model file waiting to be compiled. */
typedef struct pending {
    const char *path;
    source *src;
    char *name, *base;   /* compile_model_peek's */
    int fallback;        /* from the policy folder option, not the tree */
} pending;

static const cmodel *find_model(const registry *r, const char *name)
{
    for (uint32_t i = 0; i < r->models.n; i++)
        if (strcmp(r->models.items[i]->name, name) == 0) return r->models.items[i];
    return NULL;
}

static void compile_one(registry *r, pending *p, diag_list *dl)
{
    size_t errs = dl->nerrors;
    cmodel *m = compile_model_in(p->src, &r->models, dl);
    p->src = NULL;
    if (!m && dl->nerrors == errs && !r->models.nfailed) out_of_memory(dl, p->path);
    if (!m) { r->models.nfailed++; return; }
    const cmodel *other = find_model(r, m->name);
    if (other) {
        diag_add(dl, DIAG_ERROR, m->src, (src_loc){0, 0}, NULL, "model `%s` is defined twice (also in %s)",
                 m->name, other->src->name);
        model_failed(m, dl);
        return;
    }
    cmodel **items = realloc(r->models.items, sizeof(cmodel *) * (r->models.n + 1));
    if (!items) { out_of_memory(dl, p->path); model_failed(m, dl); return; }
    r->models.items = items;
    r->models.items[r->models.n++] = m;
}

/* Whether p must wait: its base is still to be compiled, or (when no
 * file is named like its base) any model that extends nothing is, so
 * that the error for an unknown base can suggest every loaded name. */
static int waits(const pending *p, const pending *all, size_t n)
{
    for (size_t i = 0; p->base && i < n; i++)
        if (all[i].src && &all[i] != p && all[i].name &&
            (strcmp(all[i].name, p->base) == 0 || !all[i].base)) return 1;
    return 0;
}

/* Compiles every model, each base before the models that extend it.  The
 * shared models of the policy folder option (fallback) give way to a
 * model of the same name in the tree; two of the tree's are an error. */
static void load_models(registry *r, pending *all, size_t n, diag_list *dl)
{
    for (size_t i = 0; i < n; i++) {
        int peek = all[i].src ? compile_model_peek(all[i].src, &all[i].name, &all[i].base) : -1;
        if (peek == -2) {   /* without its name and base no order can be trusted */
            out_of_memory(dl, all[i].path);
            source_free(all[i].src);
            all[i].src = NULL;
            r->models.nfailed++;
        }
        if (peek) continue;
        for (size_t k = 0; all[i].fallback && k < n; k++)
            if (!all[k].fallback && all[k].name && strcmp(all[k].name, all[i].name) == 0) {
                source_free(all[i].src);
                all[i].src = NULL;
                break;
            }
    }
    for (int progress = 1; progress;) {
        progress = 0;
        for (size_t i = 0; i < n; i++)
            if (all[i].src && !waits(&all[i], all, n)) { compile_one(r, &all[i], dl); progress = 1; }
    }
    for (size_t i = 0; i < n; i++)   /* a cycle of extensions: compiled for the errors */
        if (all[i].src) compile_one(r, &all[i], dl);
}

/* The model files of the tree (fl) and of the policy folder option
 * (shared) into pending entries and load_models. */
static void load_all_models(registry *r, file_list *fl, file_list *shared, diag_list *dl)
{
    pending *all = calloc(fl->n + shared->n + 1, sizeof *all);
    if (!all) { out_of_memory(dl, "models"); return; }
    size_t n = 0;
    for (int fb = 0; fb < 2; fb++) {
        file_list *l = fb ? shared : fl;
        for (size_t i = 0; i < l->n; i++) {
            if (!ends_with(l->items[i], ".model")) continue;
            all[n] = (pending){l->items[i], read_source(l->items[i], dl), NULL, NULL, fb};
            if (all[n].src) n++;
            else r->models.nfailed++;
        }
    }
    load_models(r, all, n, dl);
    for (size_t i = 0; i < n; i++) {
        free(all[i].name);
        free(all[i].base);
    }
    free(all);
}

static void load_policies(registry *r, file_list *fl, diag_list *dl)
{
    for (size_t i = 0; i < fl->n; i++) {
        const char *f = fl->items[i];
        if (ends_with(f, ".model") || ends_with(f, ".test")) continue;
        size_t errs = dl->nerrors;
        source *s = read_source(f, dl);
        policy *p = s ? compile_policy(s, &r->models, dl) : NULL;
        if (!p && dl->nerrors == errs && !r->models.nfailed) out_of_memory(dl, f);
        if (!p) continue;
        if (registry_find(r, p->name)) {
            diag_add(dl, DIAG_ERROR, p->src, (src_loc){0, 0}, NULL, "policy `%s` is defined twice", p->name);
            policy_failed(p, dl);
            continue;
        }
        policy **items = realloc(r->policies, sizeof(policy *) * (r->npolicies + 1));
        if (!items) { out_of_memory(dl, f); policy_failed(p, dl); continue; }
        r->policies = items;
        r->policies[r->npolicies++] = p;
    }
}

/* errs0: the error count before any file of this load was read. */
static void load_tests(registry *r, file_list *fl, diag_list *dl, size_t errs0)
{
    for (size_t i = 0; i < fl->n; i++) {
        if (!ends_with(fl->items[i], ".test")) continue;
        source *s = read_source(fl->items[i], dl);
        if (!s) continue;
        char *target = compile_tests_target(s);
        policy *p = target ? (policy *)registry_find(r, target) : NULL;
        if (!p && target && dl->nerrors > errs0) {   /* its policy may be one that failed */
            free(target);
            diag_keep_source(dl, s);
            continue;
        }
        if (!p) {
            diag_add(dl, DIAG_ERROR, s, (src_loc){0, 0}, NULL,
                     target ? "tests for unknown policy `%s`" : "a .test file starts with `tests POLICY.NAME`%s",
                     target ? target : "");
            suggestion near;
            suggest_init(&near);
            for (uint32_t k = 0; target && k < r->npolicies; k++)
                suggest_consider(&near, target, strlen(target), r->policies[k]->name);
            if (near.best) diag_hint(dl, "did you mean `%s`?", near.best);
            free(target);
            diag_keep_source(dl, s);
            continue;
        }
        free(target);
        compile_attach_tests(p, s, dl);
    }
}

/* Adds the model files of dir that the list does not hold yet; returns
 * how many model files dir holds. */
static int add_models(file_list *fl, const char *dir, diag_list *dl)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".model")) continue;
        char path[PATH_MAX + 256], real[PATH_MAX], other[PATH_MAX];
        snprintf(path, sizeof path, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", e->d_name);
        found++;
        if (!realpath(path, real)) continue;
        int have = 0;
        for (size_t i = 0; i < fl->n && !have; i++)
            have = realpath(fl->items[i], other) && strcmp(real, other) == 0;
        if (!have && push(fl, path)) out_of_memory(dl, path);
    }
    closedir(d);
    return found;
}

/* Whether dir is a tree's root: it holds the documents (`sources/`) and
 * a model. */
static int is_root(const char *dir)
{
    char p[PATH_MAX + 16];
    struct stat st;
    snprintf(p, sizeof p, "%s/sources", dir);
    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) return 0;
    file_list none = {0};
    diag_list quiet;
    diag_list_init(&quiet);
    int n = add_models(&none, dir, &quiet);
    for (size_t i = 0; i < none.n; i++) free(none.items[i]);
    free(none.items);
    diag_list_free(&quiet);
    return n > 0;
}

/* The tree path belongs to: from path's folder up to the nearest folder
 * that is a root (is_root), the models of each folder on the way are
 * added.  1 when a root was found, 0 (nothing added) when none. */
static int add_tree_models(file_list *fl, const char *path, diag_list *dl)
{
    char dir[PATH_MAX];
    struct stat st;
    if (!realpath(path, dir) || stat(dir, &st) != 0) return 0;
    if (!S_ISDIR(st.st_mode)) *strrchr(dir, '/') = 0;
    for (;;) {
        if (!*dir) strcpy(dir, "/");
        if (is_root(dir)) break;
        char *slash = strrchr(dir, '/');
        if (!slash || strcmp(dir, "/") == 0) return 0;
        *slash = 0;
    }
    /* dir is the root: add its models, then those of each folder below
     * it on the way back down to path */
    char full[PATH_MAX];
    if (!realpath(path, full)) return 0;
    if (!S_ISDIR(st.st_mode)) *strrchr(full, '/') = 0;
    for (size_t at = strcmp(dir, "/") == 0 ? 1 : strlen(dir);;) {
        char c = full[at];
        full[at] = 0;
        add_models(fl, *full ? full : "/", dl);
        full[at] = c;
        if (!c) break;
        char *next = strchr(full + at + 1, '/');
        at = next ? (size_t)(next - full) : strlen(full);
    }
    return 1;
}

int registry_load(registry *r, const char *const *paths, size_t npaths, const char *model_dir,
                  diag_list *dl)
{
    memset(r, 0, sizeof *r);
    r->models.load_checks = 1;
    size_t errs = dl->nerrors;
    file_list fl = {0};
    file_list shared = {0};
    for (size_t i = 0; i < npaths; i++) {
        collect(&fl, paths[i], dl, 0);
        add_tree_models(&fl, paths[i], dl);
    }
    if (model_dir) {
        add_models(&shared, model_dir, dl);
        add_tree_models(&shared, model_dir, dl);
    }
    load_all_models(r, &fl, &shared, dl);
    load_policies(r, &fl, dl);
    load_tests(r, &fl, dl, errs);
    for (size_t i = 0; i < fl.n; i++) free(fl.items[i]);
    free(fl.items);
    for (size_t i = 0; i < shared.n; i++) free(shared.items[i]);
    free(shared.items);
    if (dl->nerrors > errs) {
        /* the diagnostics point into the sources: hand them to dl */
        for (uint32_t i = 0; i < r->npolicies; i++)
            policy_failed(r->policies[i], dl);
        r->npolicies = 0;
        for (uint32_t i = 0; i < r->models.n; i++)
            model_failed(r->models.items[i], dl);
        r->models.n = 0;
        registry_free(r);
        return -1;
    }
    return 0;
}

const policy *registry_find(const registry *r, const char *name)
{
    for (uint32_t i = 0; i < r->npolicies; i++)
        if (strcmp(r->policies[i]->name, name) == 0)
            return r->policies[i];
    return NULL;
}

void registry_free(registry *r)
{
    for (uint32_t i = 0; i < r->npolicies; i++)
        policy_free(r->policies[i]);
    free(r->policies);
    for (uint32_t i = 0; i < r->models.n; i++)
        cmodel_free(r->models.items[i]);
    free(r->models.items);
    memset(r, 0, sizeof *r);
}
