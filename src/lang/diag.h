/*
 * diag.h - compiler diagnostics, collected and printed one way.
 *
 * Every stage (parser, resolver, checker, table analysis, assertions)
 * appends to one diag_list; nothing writes to stderr directly.  The CLI
 * prints the list; the daemon logs it line by line on a failed reload.
 *
 * Printed form (columns are code points, the caret aligned by display
 * width, CJK characters counting two):
 *
 *   policies/tianjin/dibao.policy:12:9: error: unknown name `incom`
 *      12 |   = incom < standard * size
 *         |     ^~~~~
 *   hint: did you mean `income`?
 *
 * Ownership: the list owns its messages (malloc); diag_list_free frees them.
 * A diagnostic points at its source; a compiler stage that gives up on a
 * file hands the source to the list (diag_keep_source) instead of freeing
 * it, so the diagnostics can still be printed.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_DIAG_H
#define ELIGO_DIAG_H

#include <stdio.h>
#include "lang/source.h"

typedef enum diag_level { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_level;

typedef struct diag {
    diag_level level;
    const source *src;    /* may be NULL for a file-less message */
    src_loc loc;
    char *message;
    char *hint;           /* may be NULL */
} diag;

typedef struct diag_list {
    diag *items;
    size_t n, cap;
    size_t nerrors, nwarnings;
    size_t max_errors;    /* stop recording errors past this (0 = 100) */
    int truncated;        /* errors were dropped because of max_errors */
    source **kept;        /* sources owned by the list (see above) */
    size_t nkept;
} diag_list;

void diag_list_init(diag_list *dl);
void diag_list_free(diag_list *dl);
/* Takes ownership of src (freed with the list); NULL is ignored. */
void diag_keep_source(diag_list *dl, source *src);
void diag_add(diag_list *dl, diag_level level, const source *src, src_loc loc,
              const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
#define diag_error(dl, src, loc, ...) diag_add(dl, DIAG_ERROR, src, loc, NULL, __VA_ARGS__)
#define diag_warning(dl, src, loc, ...) diag_add(dl, DIAG_WARNING, src, loc, NULL, __VA_ARGS__)
/* Sets the hint of the last diagnostic added (printf format). */
void diag_hint(diag_list *dl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints every diagnostic in order, in the form above. */
void diag_print(const diag_list *dl, FILE *out);
/* What diag_print prints, as one malloc'ed string (NULL when out of
 * memory): for logs and API answers. */
char *diag_text(const diag_list *dl);
void diag_print_one(const diag *d, FILE *out);

#endif
