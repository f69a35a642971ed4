/*
 * load.h - compile a set of files and folders into a registry, all or
 * nothing.
 *
 * The registry is what the CLI evaluates with and what a daemon worker
 * holds: every model (`*.model`), every policy (`*.policy`) and the tests
 * beside them (`*.test`, attached to the policy they name).  Models are
 * compiled first (each base before the models that extend it), then
 * policies; folders are walked recursively in name
 * order so diagnostics come out in a stable order.  If any file has an
 * error, registry_load returns -1 and the registry stays empty: a reload
 * keeps serving the old registry.
 *
 * Ownership: the registry owns its models and policies; registry_free
 * frees them (policies before models).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_LOAD_H
#define ELIGO_LOAD_H

#include <stddef.h>
#include "lang/compile.h"
#include "lang/diag.h"

typedef struct registry {
    model_set models;
    policy **policies;
    uint32_t npolicies;
} registry;

/* Compiles every path (file or folder).  0, or -1 with diagnostics.
 * Each path also brings its tree's models: from the path's folder up to
 * the nearest folder holding `sources/` and a `*.model` (the tree's
 * root), the `*.model` files of every folder on the way, so a path deep
 * in a tree sees the shared model and the extensions above it and not a
 * sibling's.  When model_dir is not NULL, its `*.model` files (and its
 * tree's) are loaded too, for model names the paths' trees do not
 * define, so that `eligo check one.policy` finds the shared model.  A
 * model is compiled after the model it extends (lang/compile.h). */
int registry_load(registry *r, const char *const *paths, size_t npaths, const char *model_dir,
                  diag_list *dl);
const policy *registry_find(const registry *r, const char *name);
void registry_free(registry *r);

#endif
