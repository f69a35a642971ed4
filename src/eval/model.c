/*
 * model.c - name lookups in a compiled model (entities and enums).
 *
 * The resolver (lang/resolve) and the JSON reader (io/json_in.c) turn the
 * names they meet into field and value indexes through these two calls.
 * Both are linear searches on purpose: a civil entity has a few dozen
 * fields, they serve the compiler, and the evaluator itself only ever
 * sees the resulting indexes.  The JSON reader looks up every key of
 * every request, so for it each entity also gets a perfect hash of its
 * field names and a record of its defaults (entity_index_keys, built
 * once when the model compiles), and each enum its names as words
 * (enum_index_words).
 *
 * Names arrive as (pointer, length) because they usually point into
 * source text or request JSON that is not NUL-terminated.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stddef.h>   /* model.h uses size_t without including it */

#include <string.h>

#include "eval/model.h"
#include "base/arena.h"

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

/* Fills slot (1 << bits entries) with e's fields under seed; 0 when two
 * fields meet in one slot. */
static int keys_place(const entity_def *e, field_key *slot, uint32_t bits, uint32_t seed)
{
    memset(slot, 0, sizeof *slot << bits);
    for (uint32_t i = 0; i < e->nfields; i++) {
        const char *name = e->fields[i].name;
        size_t n = strlen(name);
        if (n == 0)
            return 0;
        field_key *k = &slot[field_key_hash(name, n, seed, 32 - bits)];
        if (k->field)
            return 0;
        *k = (field_key){ i + 1, (uint32_t)n };
    }
    return 1;
}

/* Built with the enum (lang/compile.c): a name longer than 8 bytes
 * gets ENUM_WORD_LONG, which no masked name equals. */
int enum_index_words(enum_def *e, arena *pool)
{
    uint64_t *w = arena_alloc(pool, (e->nvalues + 1) * sizeof *w);
    if (!w)
        return -1;
    for (uint32_t k = 0; k < e->nvalues; k++) {
        unsigned char b[8] = { 0 };
        size_t n = strlen(e->values[k]);
        memcpy(b, e->values[k], n <= 8 ? n : 0);
        memcpy(&w[k], b, 8);
        if (n > 8)
            w[k] = ENUM_WORD_LONG;
    }
    e->words = w;
    return 0;
}

/* e->defaults and e->required (model.h), for at most 64 fields. */
static int index_defaults(entity_def *e, arena *pool)
{
    e->defaults = NULL;
    e->required = 0;
    if (e->nfields == 0 || e->nfields > 64)
        return 0;
    ev_cell *d = arena_alloc(pool, e->nfields * sizeof *d);
    if (!d)
        return -1;
    for (uint32_t i = 0; i < e->nfields; i++) {
        const field_def *f = &e->fields[i];
        if (f->index >= e->nfields) {
            e->required = 0;   /* not a record the reader fills whole */
            return 0;
        }
        if (f->required)
            e->required |= (uint64_t)1 << i;
        else
            d[f->index] = f->def;
    }
    e->defaults = d;
    return 0;
}

/* Tries table sizes from 2x to 8x the fields (rounded to a power of 2)
 * and a few hundred odd seeds each: for the civil model's entities the
 * first size and one of the first seeds do. */
int entity_index_keys(entity_def *e, arena *pool)
{
    e->keys = NULL;
    if (index_defaults(e, pool))
        return -1;
    uint32_t bits = 1;
    while ((1u << bits) < 2 * e->nfields)
        bits++;
    for (uint32_t top = bits + 2; bits <= top && bits <= 16; bits++) {
        field_keys *k = arena_alloc(pool, sizeof *k);
        field_key *slot = arena_alloc(pool, sizeof *slot << bits);
        if (!k || !slot)
            return -1;
        for (uint32_t t = 0; t < 256; t++) {
            uint32_t seed = 0x9E3779B1u + 2 * t;    /* odd: the golden-ratio multiplier, then on */
            if (keys_place(e, slot, bits, seed)) {
                *k = (field_keys){ seed, 32 - bits, slot };
                e->keys = k;
                return 0;
            }
        }
    }
    return 0;
}
