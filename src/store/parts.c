/*
 * parts.c - finding the outputs and explanation members in a stored
 * decision document, so that a row need not hold them twice.
 *
 * How it fits: the answered document (the response column) holds the
 * outputs and, when asked for, the explanation; the outputs and
 * explanation columns held the same bytes again.  Since migration 005 a
 * put whose outputs and explanation are exactly those members of its
 * response stores both columns as SQL NULL (decisions.c), and every
 * reader (rows.c, checkpoints.c) takes them back from the response here.
 * The leaf hash is over the same field values either way, so a row's
 * content_hash, its checkpoints and its replay are the same whichever
 * way it was stored.  A row whose outputs column is not NULL (every row
 * stored before 005) is read as stored.
 *
 * The document is read as JSON text without building anything: each
 * member's value is skipped by its brackets, strings with their escapes,
 * so an output named "outputs" or a reason quoting one cannot be taken
 * for the member.  Only the document's own (top-level) members count.
 *
 * What it does not do: check that the document is valid JSON (MariaDB's
 * JSON column did when it was stored) or decide whether a row was
 * altered (audit/record.c; the leaf hash says so).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "store/store_int.h"

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* Past the string that opens at p (a quote), or NULL. */
static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\') p++;
        else if (*p == '"') return p + 1;
    }
    return NULL;
}

/* Past the JSON value that starts at p, or NULL when it does not end. */
static const char *skip_value(const char *p, const char *end)
{
    if (p >= end) return NULL;
    if (*p == '"') return skip_string(p, end);
    if (*p != '{' && *p != '[') {
        while (p < end && !strchr(",}] \t\n\r", *p)) p++;
        return p;
    }
    int depth = 0;
    while (p < end) {
        if (*p == '"') {
            if (!(p = skip_string(p, end))) return NULL;
            continue;
        }
        if (*p == '{' || *p == '[') depth++;
        else if ((*p == '}' || *p == ']') && --depth == 0) return p + 1;
        p++;
    }
    return NULL;
}

static int key_is(const char *k, size_t n, const char *want)
{
    return n == strlen(want) && memcmp(k, want, n) == 0;
}

int store_response_parts(const char *doc, size_t len, store_span *outputs, store_span *explanation)
{
    const char *p = doc, *end = doc + len;
    *outputs = *explanation = (store_span){NULL, 0};
    p = skip_ws(p, end);
    if (p >= end || *p++ != '{') return -1;
    for (;;) {
        p = skip_ws(p, end);
        const char *k = p + 1;
        if (p >= end || *p != '"' || !(p = skip_string(p, end))) return -1;
        size_t klen = (size_t)(p - 1 - k);
        p = skip_ws(p, end);
        if (p >= end || *p++ != ':') return -1;
        const char *v = skip_ws(p, end);
        if (!(p = skip_value(v, end))) return -1;
        if (key_is(k, klen, "outputs")) *outputs = (store_span){v, (size_t)(p - v)};
        else if (key_is(k, klen, "explanation")) *explanation = (store_span){v, (size_t)(p - v)};
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == '}' && skip_ws(p + 1, end) == end) break;
        return -1;
    }
    return outputs->p ? 0 : -1;
}
