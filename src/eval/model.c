/*
 * model.c - name lookups in a compiled model (entities and enums).
 *
 * The resolver (lang/resolve) and the JSON reader (io/json_in.c) turn the
 * names they meet into field and value indexes through these two calls.
 * Both are linear searches on purpose: a civil entity has a few dozen
 * fields, lookups happen at compile time or once per input key, and the
 * evaluator itself only ever sees the resulting indexes.
 *
 * Names arrive as (pointer, length) because they usually point into
 * source text or request JSON that is not NUL-terminated.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stddef.h>   /* model.h uses size_t without including it */

#include "eval/model.h"

/* Compared byte by byte up to the first difference, not strlen() of every
 * candidate first: enum_value() runs per enum field of every request. */
static int name_is(const char *name, const char *s, size_t len)
{
    size_t i = 0;
    if (name == NULL)
        return 0;
    while (i < len && name[i] != '\0' && name[i] == s[i])
        i++;
    return i == len && name[i] == '\0';
}

const field_def *entity_field(const entity_def *e, const char *name, size_t len)
{
    if (e == NULL || name == NULL)
        return NULL;
    for (uint32_t i = 0; i < e->nfields; i++)
        if (name_is(e->fields[i].name, name, len))
            return &e->fields[i];
    return NULL;
}

int enum_value(const enum_def *e, const char *name, size_t len)
{
    if (e == NULL || name == NULL)
        return -1;
    for (uint32_t i = 0; i < e->nvalues; i++)
        if (name_is(e->values[i], name, len))
            return (int)i;
    return -1;
}
