/*
 * json_schema.c - a policy's decision request as a JSON Schema (see
 * json_schema.h).
 *
 * Walks the model from the policy's root entity, one schema per field,
 * after the rules of json_in.c (the input) and json_req.c (the
 * envelope):
 *   - bool, int (integer with its range, else the int64 range), text
 *     (length in code points, as JSON Schema counts them), enum (oneOf
 *     const + title, the Chinese label: what form generators render as
 *     a labelled choice), date (a pattern of the valid days 1900-01-01
 *     to 2199-12-31, leap years included), list (minItems/maxItems),
 *     map (an object of entries), entity (an object with its fields,
 *     `required` for those without a default, no others allowed);
 *   - money and decimals as anyOf a decimal string or a JSON number.
 *     The string's pattern is dec_parse's syntax with the policy's
 *     places (money: two, more only as trailing zeros, at most six
 *     digits in all), no sign when the field's minimum is 0 (but "-0",
 *     which is 0), and the int64 limit as digits; the number carries
 *     minimum, maximum and multipleOf.  A bound other than a minimum
 *     of 0 is exact on the number only (the civil model has none).
 * Labels become `title`; the type as the model writes it ("money per
 * month >= 0", "int 户 >= 0") becomes `description`; defaults are written as eligo
 * writes values (money "0.00").
 *
 * Not on the decision path: runs when a schema is asked for.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "io/json_schema.h"
#include "io/json_out.h"
#include "io/json_req.h"
#include "eval/date.h"
#include "eval/decimal.h"

/* Every valid day of DATE_MIN_YEAR..DATE_MAX_YEAR (1900..2199): any
 * month to the 28th, the 29th and 30th but in February, the 31st in
 * the long months, 29 February in leap years (1900 and 2100 are not,
 * 2000 is). */
#define DATE_PATTERN                                                        \
    "^(?:(?:19|2[01])[0-9]{2}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])" \
    "|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"                   \
    "|(?:(?:19|2[01])(?:0[48]|[2468][048]|[13579][26])|2000)-02-29)$"
_Static_assert(DATE_MIN_YEAR == 1900 && DATE_MAX_YEAR == 2199, "DATE_PATTERN spells these years");

/* json_req.c's policy_name() and json_request_id_ok() */
#define POLICY_NAME_PATTERN "^[a-z0-9_.]{1,64}$"
#define REQUEST_ID_PATTERN "^[!#-\\[\\]-~]{1,128}$"
_Static_assert(REQ_MAX_ID == 128 && REQ_MAX_POLICIES == 16, "the envelope's patterns spell these");

static void key(buf *b, const char *k)
{
    buf_json_string(b, k, strlen(k));
    buf_addc(b, ':');
}

static void str(buf *b, const char *s)
{
    buf_json_cstr(b, s);
}

/* The alternatives, separated by '|', matching the n-digit strings that
 * are below lim[0..n), the first digit at least `lo`.  0 when none. */
static int digits_below(buf *b, const char *lim, size_t n, char lo)
{
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        char min = i ? '0' : lo;
        if (lim[i] <= min)
            continue;
        if (any++)
            buf_addc(b, '|');
        buf_add(b, lim, i);
        if (lim[i] - 1 == min) buf_addc(b, min);
        else buf_printf(b, "[%c-%c]", min, lim[i] - 1);
        if (n - i - 1 == 1)
            buf_adds(b, "[0-9]");
        else if (n - i - 1)
            buf_printf(b, "[0-9]{%zu}", n - i - 1);
    }
    return any;
}

/* The fraction: '.', 1 to `places` digits, then zeros up to six. */
static void fraction(buf *b, int places)
{
    buf_printf(b, "\\.[0-9]{1,%d}", places);
    if (places < DEC_PLACES)
        buf_printf(b, "0{0,%d}", DEC_PLACES - places);
}

/* A fraction at most f (`places` digits): of length k, its digits are at
 * most f's first k. */
static void fraction_upto(buf *b, const char *f, int places)
{
    buf_adds(b, "\\.(?:");
    for (int k = 1; k <= places; k++) {
        if (k > 1)
            buf_addc(b, '|');
        if (digits_below(b, f, (size_t)k, '0'))
            buf_addc(b, '|');
        buf_add(b, f, (size_t)k);
    }
    buf_addc(b, ')');
    if (places < DEC_PLACES)
        buf_printf(b, "0{0,%d}", DEC_PLACES - places);
}

/* The magnitudes up to most ("9223372036854.77"), unsigned. */
static void magnitude_upto(buf *b, const char *most, int places)
{
    const char *dot = strchr(most, '.');
    size_t n = dot ? (size_t)(dot - most) : strlen(most);
    buf_adds(b, "(?:0|[1-9]");
    if (n > 2) buf_printf(b, "[0-9]{0,%zu}", n - 2);
    else if (n == 2) buf_adds(b, "[0-9]?");
    buf_adds(b, ")(?:");
    fraction(b, places);
    buf_adds(b, ")?|(?:");
    if (digits_below(b, most, n, '1')) {
        buf_adds(b, ")(?:");
        fraction(b, places);
        buf_adds(b, ")?|(?:");
    }
    buf_add(b, most, n);
    buf_adds(b, ")(?:");
    if (dot) fraction_upto(b, dot + 1, places);
    else buf_adds(b, "\\.0{1,6}");
    buf_adds(b, ")?");
}

/* The smallest step of a value with `places` decimals, in millionths. */
static int64_t place_unit(int places)
{
    int64_t unit = 1;
    for (int d = places; d < DEC_PLACES; d++) unit *= 10;
    return unit;
}

/* The largest magnitude with `places` decimals of sign `neg`, written
 * with exactly `places` decimals. */
static void extreme(int neg, int places, char *out)
{
    int64_t unit = place_unit(places);
    char s[48];
    int64_t v = neg ? INT64_MIN - INT64_MIN % unit : INT64_MAX - INT64_MAX % unit;
    dec_format(v, places, s);
    strcpy(out, s + (s[0] == '-'));
}

static void decimal_pattern(buf *b, const field_def *f, int places)
{
    char most[48];
    buf re;
    buf_init(&re);
    buf_adds(&re, "^(?:");
    extreme(0, places, most);
    magnitude_upto(&re, most, places);
    if (f && f->has_min && f->min == 0) {
        buf_adds(&re, "|-0(?:\\.0{1,6})?");
    } else if (!f || !f->has_min || f->min < 0) {
        buf_adds(&re, "|-(?:");
        extreme(1, places, most);
        magnitude_upto(&re, most, places);
        buf_addc(&re, ')');
    }
    buf_adds(&re, ")$");
    key(b, "pattern");
    buf_json_string(b, re.data ? re.data : "", re.len);
    b->failed |= re.failed;
    buf_free(&re);
}

static void decimal_number(buf *b, const field_def *f, int places)
{
    char s[48];
    int64_t min = f && f->has_min ? f->min : INT64_MIN, max = f && f->has_max ? f->max : INT64_MAX;
    int64_t unit = place_unit(places);
    /* the bounds that can be written with `places` decimals, inside */
    int64_t lo = min - min % unit, hi = max - max % unit;
    if (lo < min) lo += unit;
    if (hi > max) hi -= unit;
    buf_adds(b, "{\"type\":\"number\",\"minimum\":");
    dec_format(lo, 0, s);
    buf_adds(b, s);
    buf_adds(b, ",\"maximum\":");
    dec_format(hi, 0, s);
    buf_adds(b, s);
    buf_adds(b, ",\"multipleOf\":");
    dec_format(unit, 0, s);
    buf_adds(b, s);
    buf_addc(b, '}');
}

static void decimal_schema(buf *b, const ty *t, const field_def *f)
{
    int places = t->kind == TY_MONEY ? 2 : DEC_PLACES;
    buf_adds(b, "\"anyOf\":[{\"type\":\"string\",");
    decimal_pattern(b, f, places);
    buf_adds(b, "},");
    decimal_number(b, f, places);
    buf_adds(b, places == 2 ? "],\"examples\":[\"1000.00\"]" : "],\"examples\":[\"0.5\"]");
}

static void enum_schema(buf *b, const enum_def *e)
{
    buf_adds(b, "\"oneOf\":[");
    for (uint32_t i = 0; i < e->nvalues; i++) {
        buf_adds(b, i ? ",{\"const\":" : "{\"const\":");
        str(b, e->values[i]);
        if (e->labels && e->labels[i]) {
            buf_adds(b, ",\"title\":");
            str(b, e->labels[i]);
        }
        buf_addc(b, '}');
    }
    buf_addc(b, ']');
}

static void bounds(buf *b, const field_def *f, const char *lo, const char *hi)
{
    if (f && f->has_min) buf_printf(b, ",\"%s\":%lld", lo, (long long)f->min);
    if (f && f->has_max) buf_printf(b, ",\"%s\":%lld", hi, (long long)f->max);
}

static void value_schema(buf *b, const ty *t, const field_def *f);

static void entity_schema(buf *b, const entity_def *e)
{
    buf_adds(b, "\"type\":\"object\"");
    if (e->label) {
        buf_adds(b, ",\"title\":");
        str(b, e->label);
    }
    buf_adds(b, ",\"properties\":{");
    for (uint32_t i = 0; i < e->nfields; i++) {
        if (i) buf_addc(b, ',');
        key(b, e->fields[i].name);
        value_schema(b, e->fields[i].type, &e->fields[i]);
    }
    buf_adds(b, "},\"required\":[");
    int n = 0;
    for (uint32_t i = 0; i < e->nfields; i++)
        if (e->fields[i].required) {
            if (n++) buf_addc(b, ',');
            str(b, e->fields[i].name);
        }
    buf_adds(b, "],\"additionalProperties\":false");
}

/* The members that say what t is, without the braces. */
static void type_members(buf *b, const ty *t, const field_def *f)
{
    switch (t->kind) {
    case TY_BOOL: buf_adds(b, "\"type\":\"boolean\""); break;
    case TY_INT:
        buf_printf(b, "\"type\":\"integer\",\"minimum\":%lld,\"maximum\":%lld",
                   (long long)(f && f->has_min ? f->min : INT64_MIN),
                   (long long)(f && f->has_max ? f->max : INT64_MAX));
        break;
    case TY_DECIMAL: case TY_MONEY: case TY_NUMBER: decimal_schema(b, t, f); break;
    case TY_DATE:
        buf_adds(b, "\"type\":\"string\",\"format\":\"date\",\"pattern\":");
        str(b, DATE_PATTERN);
        break;
    case TY_TEXT:
        buf_adds(b, "\"type\":\"string\"");
        bounds(b, f, "minLength", "maxLength");
        break;
    case TY_ENUM: enum_schema(b, t->en); break;
    case TY_ENTITY: entity_schema(b, t->ent); break;
    case TY_LIST:
        buf_adds(b, "\"type\":\"array\",\"items\":");
        value_schema(b, t->elem, NULL);
        bounds(b, f, "minItems", "maxItems");
        break;
    case TY_MAP:
        buf_adds(b, "\"type\":\"object\",\"additionalProperties\":");
        value_schema(b, t->elem, NULL);
        bounds(b, f, "minProperties", "maxProperties");
        break;
    default: buf_adds(b, "\"not\":{}"); break;
    }
}

/* The model's own words for a field's type: "money per month >= 0". */
static void describe(buf *b, const ty *t, const field_def *f)
{
    static const char *const names[] = {
        [TY_BOOL] = "bool", [TY_INT] = "int", [TY_DECIMAL] = "decimal", [TY_MONEY] = "money",
        [TY_DATE] = "date", [TY_TEXT] = "text", [TY_NUMBER] = "decimal"};
    char lo[48], hi[48];
    buf d;
    buf_init(&d);
    if (t->kind == TY_ENUM) buf_adds(&d, t->en->name);
    else if (t->kind == TY_ENTITY) buf_adds(&d, t->ent->name);
    else if (t->kind == TY_LIST || t->kind == TY_MAP) buf_adds(&d, t->kind == TY_LIST ? "list" : "map");
    else if (t->kind < sizeof names / sizeof names[0] && names[t->kind]) buf_adds(&d, names[t->kind]);
    if ((t->kind == TY_INT || t->kind == TY_DECIMAL) && t->unit)
        buf_printf(&d, " %s", t->unit);
    if (t->kind == TY_MONEY && t->period != TP_NONE)
        buf_adds(&d, t->period == TP_MONTH ? " per month" : t->period == TP_YEAR ? " per year" : " once");
    if (f && (f->has_min || f->has_max)) {
        int dec = ty_is_decimal_like(t);
        if (dec) { dec_format(f->min, 0, lo); dec_format(f->max, 0, hi); }
        else if (t->kind == TY_DATE) { date_format(f->min, lo); date_format(f->max, hi); }
        else { snprintf(lo, sizeof lo, "%lld", (long long)f->min); snprintf(hi, sizeof hi, "%lld", (long long)f->max); }
        if (f->has_min && f->has_max) buf_printf(&d, " %s..%s", lo, hi);
        else if (f->has_min) buf_printf(&d, " >= %s", lo);
        else buf_printf(&d, " <= %s", hi);
    }
    buf_adds(b, ",\"description\":");
    buf_json_string(b, d.data ? d.data : "", d.len);
    b->failed |= d.failed;
    buf_free(&d);
}

/* {"title": label, <type members>, "description", "default"} */
static void value_schema(buf *b, const ty *t, const field_def *f)
{
    buf_addc(b, '{');
    if (f && f->label) {
        buf_adds(b, "\"title\":");
        str(b, f->label);
        buf_addc(b, ',');
    }
    type_members(b, t, f);
    if (f)
        describe(b, t, f);
    if (f && !f->required && ty_is_scalar(t)) {
        buf_adds(b, ",\"default\":");
        json_write_value(b, t, &f->def);
    }
    buf_addc(b, '}');
}

static void envelope(buf *b, const policy *p)
{
    buf_adds(b, "\"policy\":{\"title\":\"policy\",\"description\":"
                "\"this policy's name, or a list of up to 16 names that includes it\","
                "\"anyOf\":[{\"const\":");
    str(b, p->name);
    buf_adds(b, "},{\"type\":\"array\",\"items\":{\"type\":\"string\",\"pattern\":\"" POLICY_NAME_PATTERN "\"},"
                "\"minItems\":1,\"maxItems\":16,\"uniqueItems\":true,\"contains\":{\"const\":");
    str(b, p->name);
    buf_adds(b, "}}]},\"as_of\":{\"title\":\"as_of\",\"description\":"
                "\"the date the rules are read on; today (UTC) when left out\","
                "\"type\":\"string\",\"format\":\"date\",\"pattern\":");
    str(b, DATE_PATTERN);
    buf_adds(b, "},\"request_id\":{\"title\":\"request_id\",\"description\":"
                "\"the caller's idempotency key: 1 to 128 printable ASCII characters, "
                "no space, backslash or double quote\",\"type\":\"string\",\"pattern\":");
    str(b, REQUEST_ID_PATTERN);
    buf_adds(b, "},\"explain\":{\"title\":\"explain\",\"description\":"
                "\"true or \\\"text\\\" (the same): adds the explanation, whose text member is the citizen's account\","
                "\"enum\":[false,true,\"text\"],\"default\":false}");
}

void json_schema_write(buf *b, const policy *p)
{
    buf_adds(b, "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"title\":");
    str(b, p->title ? p->title : p->name);
    buf_adds(b, ",\"description\":");
    buf_printf(b, "\"A decision request for %s, as POST /v1/decisions takes it.\"", p->name);
    buf_adds(b, ",\"type\":\"object\",\"properties\":{");
    envelope(b, p);
    buf_adds(b, ",\"input\":{\"title\":\"input\",\"type\":\"object\",\"properties\":{");
    if (p->root) {
        key(b, p->root->name);
        buf_addc(b, '{');
        entity_schema(b, p->root);
        buf_addc(b, '}');
        buf_adds(b, "},\"required\":[");
        str(b, p->root->name);
    } else {
        buf_adds(b, "},\"required\":[");
    }
    buf_adds(b, "],\"additionalProperties\":false}},\"required\":[\"policy\",\"input\"],"
                "\"additionalProperties\":false}");
}
