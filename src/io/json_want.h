/*
 * json_want.h - what a field of the model wants, for the request reader's
 * problem details ("expected int 0..150").
 *
 * Ownership: writes into the caller's buffer; nothing is allocated.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_JSON_WANT_H
#define ELIGO_JSON_WANT_H

#include <stddef.h>
#include "eval/model.h"

/* The type's name: "int", "money", an enum's or entity's own name. */
const char *json_kind_name(const ty *t);

/* What a field of type t (bounds from f, which may be NULL) wants, e.g.
 * "int 0..150", "date YYYY-MM-DD >= 2000-01-01", "list of person with
 * at least 1 elements", into out (cap bytes, cut if longer). */
void json_describe(const ty *t, const field_def *f, char *out, size_t cap);

#endif
