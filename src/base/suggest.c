/*
 * suggest.c - the distance and the closeness rule of suggest.h.
 *
 * Used by the compiler (check.c, the parser's keyword hints, load.c) and
 * the request reader (json_in.c) alike, so a typo gets the same hint in
 * a policy and in a request.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "base/suggest.h"

size_t suggest_distance(const char *a, size_t an, const char *b, size_t bn)
{
    size_t rows[3][SUGGEST_MAX + 1];
    size_t *pp = rows[0], *p = rows[1], *r = rows[2];
    for (size_t j = 0; j <= bn; j++)
        p[j] = j;
    for (size_t i = 1; i <= an; i++) {
        r[0] = i;
        for (size_t j = 1; j <= bn; j++) {
            size_t best = p[j - 1] + (a[i - 1] != b[j - 1]);
            if (p[j] + 1 < best) best = p[j] + 1;
            if (r[j - 1] + 1 < best) best = r[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + 1 < best)
                best = pp[j - 2] + 1;
            r[j] = best;
        }
        size_t *t = pp;
        pp = p;
        p = r;
        r = t;
    }
    return p[bn];
}

size_t suggest_allowed(size_t cn)
{
    return cn <= 2 ? 0 : cn <= 5 ? 1 : 2;
}

int suggest_is_affix(const char *name, size_t n, const char *cand, size_t cn)
{
    if (n < SUGGEST_AFFIX_MIN || n >= cn)
        return 0;
    return (memcmp(cand, name, n) == 0 && cand[n] == '_') ||
           (memcmp(cand + cn - n, name, n) == 0 && cand[cn - n - 1] == '_');
}

void suggest_consider(suggestion *s, const char *name, size_t n, const char *cand)
{
    size_t cn = strlen(cand);
    if (n > SUGGEST_MAX || cn > SUGGEST_MAX)
        return;
    size_t d = suggest_distance(name, n, cand, cn);
    if (d > suggest_allowed(cn))
        d = suggest_is_affix(name, n, cand, cn) ? SUGGEST_AFFIX_DIST : (size_t)-1;
    if (d < s->dist) {
        s->dist = d;
        s->best = cand;
    }
}
