/*
 * suggest.h - "did you mean ...?": the closest of a list of known names
 * to one that is not known.
 *
 * One rule for the whole program, so the compiler (unknown names,
 * fields, keywords, label placeholders, policy names in .test files) and
 * the request reader (unknown JSON fields) suggest alike: the distance
 * is the optimal string alignment distance (insert, delete, replace, or
 * swap two neighbours, one edit each), and a candidate is close enough
 * within none of them up to 2 bytes, 1 up to 5 and 2 beyond.  Failing
 * that, a candidate the name is a whole '_'-separated head or tail of
 * ("income" of "monthly_income", names of 3 bytes or more) counts as 3
 * edits away, so any candidate within the edits wins over it.
 *
 * Ownership: a suggestion points at the caller's candidate; nothing is
 * allocated.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_SUGGEST_H
#define ELIGO_SUGGEST_H

#include <stddef.h>

#define SUGGEST_MAX 64      /* names longer than this get no suggestion */
#define SUGGEST_AFFIX_MIN 3 /* shortest name matched as a head or tail */
#define SUGGEST_AFFIX_DIST 3

typedef struct suggestion {
    const char *best;       /* NULL while no candidate is close enough */
    size_t dist;
} suggestion;

static inline void suggest_init(suggestion *s)
{
    s->best = NULL;
    s->dist = (size_t)-1;
}

/* The distance of a (an bytes) and b (bn bytes, both <= SUGGEST_MAX). */
size_t suggest_distance(const char *a, size_t an, const char *b, size_t bn);

/* The most edits a candidate of cn bytes may be from the name. */
size_t suggest_allowed(size_t cn);

/* True when name (n bytes) is a whole '_'-separated head or tail of cand
 * (cn bytes), n >= SUGGEST_AFFIX_MIN. */
int suggest_is_affix(const char *name, size_t n, const char *cand, size_t cn);

/* Keeps cand in s when it is close enough to name (n bytes) and closer
 * than the best so far (the first of equals wins). */
void suggest_consider(suggestion *s, const char *name, size_t n, const char *cand);

#endif
