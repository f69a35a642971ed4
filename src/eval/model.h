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
#include <string.h>
#include "eval/value.h"

typedef struct enum_def {
    const char *name;
    const char *label;        /* may be NULL */
    uint32_t nvalues;
    const char **values;      /* names, in declaration order */
    const char **labels;      /* Chinese labels, entries may be NULL */
    /* For the reader of request JSON: each value's name as its first 8
     * bytes, zero-padded (read through memcpy, so a word holds the
     * bytes in memory order), or ENUM_WORD_LONG for a name longer than
     * 8 bytes; NULL for enums built by hand (enum_index_words). */
    const uint64_t *words;
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

/* An entity's fields by key, for the reader of request JSON
 * (io/json_in.c), which looks up every key of every request: a perfect
 * hash of a key's length and first, middle and last bytes onto `slot`,
 * built once per entity when the model is compiled (entity_index_keys),
 * so a key costs one multiply and one compare, never a search. */
typedef struct field_key {
    uint32_t field;           /* position in fields + 1; 0: no field */
    uint32_t len;             /* strlen of its name */
} field_key;

typedef struct field_keys {
    uint32_t seed;            /* odd multiplier found to make the hash perfect */
    uint32_t shift;           /* 32 - log2 of the slots */
    field_key *slot;
} field_keys;

typedef struct entity_def {
    const char *name;
    const char *label;
    uint32_t nfields;         /* == cells per record */
    field_def *fields;
    const field_keys *keys;   /* NULL: search fields (entities built by hand) */
    /* A record of defaults, for the reader of request JSON, which gives
     * every field a request leaves out its default: each cell its
     * field's `def` (a required field's is zero), copied whole before
     * a record is read, and `required` with bit i set when fields[i]
     * has no default.  Built with keys (entity_index_keys) for at most
     * 64 fields; NULL otherwise and for entities built by hand. */
    const ev_cell *defaults;
    uint64_t required;
} entity_def;

/* The slot of key s[0..n), n > 0, under seed and shift. */
static inline uint32_t field_key_hash(const char *s, size_t n, uint32_t seed, uint32_t shift)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t x = u[0] | (uint32_t)u[n / 2] << 8 | (uint32_t)u[n - 1] << 16 | (uint32_t)n << 24;
    return (x * seed) >> shift;
}

/* Builds e->keys from its fields, in pool (a struct arena); leaves it
 * NULL when no seed separates the names (same length and the same
 * three bytes), which the reader then searches.  Builds e->defaults and
 * e->required too.  -1 when out of memory. */
struct arena;
int entity_index_keys(entity_def *e, struct arena *pool);
/* True when name (n bytes long) is s[0..n): 8 bytes a step, the last
 * step overlapping the one before, so a field name of 8-23 bytes takes
 * two or three compares. */
static inline int field_name_is(const char *name, const char *s, size_t n)
{
    uint64_t a, b;
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            if (name[i] != s[i])
                return 0;
        return 1;
    }
    for (size_t i = 0; i + 8 < n; i += 8) {
        memcpy(&a, name + i, 8);
        memcpy(&b, s + i, 8);
        if (a != b)
            return 0;
    }
    memcpy(&a, name + n - 8, 8);
    memcpy(&b, s + n - 8, 8);
    return a == b;
}

/* Field position of key s[0..n) through e->keys; -1 when no field. */
static inline long entity_key_find(const entity_def *e, const char *s, size_t n)
{
    const field_keys *k = e->keys;
    if (n == 0)
        return -1;
    const field_key *f = &k->slot[field_key_hash(s, n, k->seed, k->shift)];
    if (!f->field || f->len != n)
        return -1;
    return field_name_is(e->fields[f->field - 1].name, s, n) ? (long)f->field - 1 : -1;
}

/* A word no name of at most 8 bytes (none holds a NUL) can match. */
#define ENUM_WORD_LONG ((uint64_t)0xFF << 8)
/* Builds e->words (its values' names) in pool; -1 when out of memory. */
int enum_index_words(enum_def *e, struct arena *pool);

/* Field by name; NULL when absent.  Compile-time only (linear search). */
const field_def *entity_field(const entity_def *e, const char *name, size_t len);
/* Enum value index by name; -1 when absent. */
int enum_value(const enum_def *e, const char *name, size_t len);

#endif
