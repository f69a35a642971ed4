/*
 * model.h - entities and enums: the shape of the input a policy reads.
 *
 * The `civil` model (household, person, community, worker, burial, job)
 * is declared once in policies/civil.model and compiled into these
 * structs; every policy that says `use civil.household` reads input
 * records laid out as below, and io/json_in.c fills them from request
 * JSON, checking each field against its type and range.
 *
 * Ownership: all of it lives in the arena of the compiled model, which
 * outlives every policy that uses it (the registry holds both).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_MODEL_H
#define ELIGO_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "eval/value.h"

typedef struct enum_def {
    const char *name;
    const char *label;        /* may be NULL */
    uint32_t nvalues;
    const char **values;      /* names, in declaration order */
    const char **labels;      /* Chinese labels, entries may be NULL */
} enum_def;

typedef struct field_def {
    const char *name;
    const char *label;        /* may be NULL */
    const ty *type;
    uint32_t index;           /* cell index within the record */
    uint8_t required;         /* no default: the field must be present */
    uint8_t has_min, has_max; /* bounds, in the cell's units; for text and
                               * list: length in code points / elements */
    int64_t min, max;
    ev_cell def;              /* default value when not required */
    /* Where it is declared, for "already defined here" notes when a
     * model extends the entity (lang/compile.c): a source and byte
     * offsets [start, end) in it. */
    const struct source *src;
    uint32_t loc_start, loc_end;
} field_def;

typedef struct entity_def {
    const char *name;
    const char *label;
    uint32_t nfields;         /* == cells per record */
    field_def *fields;
} entity_def;

/* Field by name; NULL when absent.  Compile-time only (linear search). */
const field_def *entity_field(const entity_def *e, const char *name, size_t len);
/* Enum value index by name; -1 when absent. */
int enum_value(const enum_def *e, const char *name, size_t len);

#endif
