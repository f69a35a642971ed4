/*
 * compile.h - the single entry point from policy text to compiled policy.
 *
 * compile_model() turns a `.model` file (enums and entities shared by
 * many policies) into a compiled model; compile_policy() turns a `.policy`
 * file into an evaluation tree, running parse -> check (names, types,
 * periods, cycles, tables, assertions) -> lower.  Diagnostics of every
 * stage go to one diag_list; a policy with any error is not returned.
 *
 * Ownership: a compiled model or policy owns its arena, which holds its
 * tree, its AST (tests are kept as syntax), its types and its strings; it
 * holds a reference to its source (owned, freed with it).  A policy
 * borrows its model: free policies before their models.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_COMPILE_H
#define ELIGO_COMPILE_H

#include "base/arena.h"
#include "lang/ast.h"
#include "lang/diag.h"
#include "lang/source.h"
#include "eval/model.h"
#include "eval/tree.h"
#include "eval/compiled.h"

typedef struct cmodel {
    arena pool;
    source *src;
    const char *name, *title;
    enum_def **enums;
    uint32_t nenums;
    entity_def **entities;
    uint32_t nentities;
    char hash[72];            /* "sha256:" + 64 hex digits of stored_text */
    /* The model this one extends (`extend civil.household { ... }`), or
     * NULL: its enums and entities are this model's too, with the
     * extended entities replaced by copies that have the added fields
     * after the base's.  The base outlives this model (same registry). */
    const struct cmodel *base;
    /* The text a decision stores for this model, and hash is of: src's
     * text when it extends nothing; else the model text set, every text
     * it is made of, the root first (MODEL_SET_HEADER), so that the
     * stored text alone replays and a changed base is a new version. */
    const char *stored_text;
    size_t stored_len;
} cmodel;

/* A model text set: this line, then for each model, the root first, a
 * line "#@file NAME BYTES" and exactly BYTES bytes of its text. */
#define MODEL_SET_HEADER "#@eligo model text set\n"
#define MODEL_SET_FILE "#@file "

typedef struct model_set {
    cmodel **items;
    uint32_t n;
    uint32_t nfailed;   /* model files that had errors: a policy using a model
                         * not in items is then left unchecked, silently,
                         * rather than reported against every line that
                         * reads the input */
    /* The checks a load makes and a replay of a stored text does not:
     * citations against the documents (lang/cite.h) and test
     * expectations against the outputs' types. */
    uint8_t load_checks;
} model_set;

/* NULL on any error (diagnostics in dl; none when the policy's model is
 * one of models->nfailed).  Takes ownership of src. */
cmodel *compile_model(source *src, diag_list *dl);
/* The same, where the model may extend one of models (NULL: none). */
cmodel *compile_model_in(source *src, const model_set *models, diag_list *dl);
/* Splits a stored model text into its files, the root first: n (at most
 * max) names and texts pointing into text (names end at a space, so
 * name_len says where).  A plain text is one file named by its caller
 * (names[0] NULL).  0, or -1 when a text set is malformed. */
int model_set_split(const char *text, size_t len, const char **names, size_t *name_len,
                    const char **texts, size_t *text_len, uint32_t max, uint32_t *n);
/* The model a policy tree is rooted in: m itself, or the base it extends. */
const cmodel *model_root(const cmodel *m);
policy *compile_policy(source *src, const model_set *models, diag_list *dl);
/* A `tests NAME` file: returns the policy name it names (in the policy's
 * arena after attach) and appends its test blocks, their expectations
 * type-checked against the outputs; 0 or -1. */
int compile_attach_tests(policy *p, source *src, diag_list *dl);
/* Peeks at a .model file: its name and the model it extends (NULL when
 * none), malloc'ed, so a loader can compile bases first; 0, -1 when
 * the text does not parse to a model (compile it for the errors), or -2
 * out of memory (the loader must fail: guessing would change the order). */
int compile_model_peek(const source *src, char **name, char **base);
/* Peeks at a .test file's `tests NAME` header; caller frees the result. */
char *compile_tests_target(const source *src);
void cmodel_free(cmodel *m);
void policy_free(policy *p);
/* Free a model or policy whose diagnostics are still to be printed: the
 * sources go to dl (which points into them).  Both return NULL. */
cmodel *model_failed(cmodel *m, diag_list *dl);
policy *policy_failed(policy *p, diag_list *dl);

/* Output definition by name (NULL when absent). */
const ev_def *policy_output(const policy *p, const char *name);
/* Output, or else let, by name (NULL when absent): what a test expects. */
const ev_def *policy_def(const policy *p, const char *name);

#endif
