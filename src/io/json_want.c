/*
 * json_want.c - what a field wants, written for people (json_want.h).
 *
 * The request reader (json_in.c) says "expected int 0..150, got ..." and
 * "expected one of single, married, ..., got ..."; this file writes the
 * "expected" half from the model: the type, its bounds in the cell's
 * units (decimals and money as exact decimals, dates as YYYY-MM-DD), an
 * enum's values, a list's or text's length bounds.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include "io/json_want.h"
#include "eval/date.h"
#include "eval/decimal.h"

/* A bound in the cell's units, written for people. */
static void fmt_bound(ty_kind k, int64_t v, char *out, size_t cap)
{
    char b[32];
    if (k == TY_DECIMAL || k == TY_MONEY || k == TY_NUMBER) {
        dec_format(v, 0, b);
        snprintf(out, cap, "%s", b);
    } else if (k == TY_DATE) {
        date_format(v, b);
        snprintf(out, cap, "%s", b);
    } else {
        snprintf(out, cap, "%lld", (long long)v);
    }
}

/* " lo..hi", " >= lo", " <= hi" or nothing. */
static void fmt_range(ty_kind k, const field_def *f, char *out, size_t cap)
{
    char lo[40], hi[40];
    *out = '\0';
    if (!f || (!f->has_min && !f->has_max))
        return;
    fmt_bound(k, f->min, lo, sizeof lo);
    fmt_bound(k, f->max, hi, sizeof hi);
    if (f->has_min && f->has_max)
        snprintf(out, cap, " %s..%s", lo, hi);
    else if (f->has_min)
        snprintf(out, cap, " >= %s", lo);
    else
        snprintf(out, cap, " <= %s", hi);
}

/* " of 1..64 characters", " with at least 1 elements" */
static void fmt_count(const field_def *f, const char *pre, const char *unit,
                      char *out, size_t cap)
{
    *out = '\0';
    if (!f || (!f->has_min && !f->has_max))
        return;
    if (f->has_min && f->has_max)
        snprintf(out, cap, " %s %lld..%lld %s", pre, (long long)f->min, (long long)f->max, unit);
    else if (f->has_min)
        snprintf(out, cap, " %s at least %lld %s", pre, (long long)f->min, unit);
    else
        snprintf(out, cap, " %s at most %lld %s", pre, (long long)f->max, unit);
}

const char *json_kind_name(const ty *t)
{
    switch (t->kind) {
    case TY_BOOL: return "bool";
    case TY_INT: return "int";
    case TY_DECIMAL: return "decimal";
    case TY_MONEY: return "money";
    case TY_NUMBER: return "number";
    case TY_DATE: return "date";
    case TY_TEXT: return "text";
    case TY_ENUM: return t->en ? t->en->name : "enum";
    case TY_ENTITY: return t->ent ? t->ent->name : "object";
    case TY_LIST: return "list";
    case TY_MAP: return "map";
    default: return "value";
    }
}

static void fmt_enum(const enum_def *e, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "one of ");
    for (uint32_t i = 0; i < e->nvalues && n < cap; i++) {
        const char *sep = i ? ", " : "";
        if (n + strlen(e->values[i]) + 8 >= cap) {
            snprintf(out + n, cap - n, "%s...", sep);
            return;
        }
        n += (size_t)snprintf(out + n, cap - n, "%s%s", sep, e->values[i]);
    }
}

void json_describe(const ty *t, const field_def *f, char *out, size_t cap)
{
    char r[160];
    switch (t->kind) {
    case TY_INT: case TY_DECIMAL: case TY_MONEY: case TY_NUMBER:
        fmt_range(t->kind, f, r, sizeof r);
        snprintf(out, cap, "%s%s", json_kind_name(t), r);
        break;
    case TY_DATE:
        fmt_range(t->kind, f, r, sizeof r);
        snprintf(out, cap, "date YYYY-MM-DD%s", r);
        break;
    case TY_TEXT:
        fmt_count(f, "of", "characters", r, sizeof r);
        snprintf(out, cap, "text%s", r);
        break;
    case TY_ENUM:
        fmt_enum(t->en, out, cap);
        break;
    case TY_ENTITY:
        snprintf(out, cap, "%s object", json_kind_name(t));
        break;
    case TY_LIST: case TY_MAP:
        fmt_count(f, "with", t->kind == TY_LIST ? "elements" : "entries", r, sizeof r);
        snprintf(out, cap, "%s of %s%s", t->kind == TY_LIST ? "list" : "object",
                 json_kind_name(t->elem), r);
        break;
    default:
        snprintf(out, cap, "%s", json_kind_name(t));
    }
}
