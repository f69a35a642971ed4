/*
 * json_req.c - the envelope of a decision request (see json_req.h).
 *
 * Two readers, as json_in.c has for the input.  json_request_fast()
 * walks the body once: the envelope's members are read in place and the
 * input value is only checked and skipped (json_check_value(): grammar,
 * strings, limits, no tokens), so that json_input_parse() is the one
 * reader of its content.  It takes only a body with nothing wrong at all
 * (keys as written without escapes, each value of the plain form the old
 * reader accepts) and gives up on anything else, even what might still
 * be right.  Then json_request_parse_tokens() reads the body as it always
 * has: json_lex.c tokenizes it (strict syntax and limits) into a token
 * array from the request arena after a byte scan has refused nesting
 * deeper than an envelope around a JSON_MAX_DEPTH input with its own
 * message, and every problem is worded from the tokens.  So every error
 * is the old reader's by construction, and the single pass only has to
 * accept what the old one accepts, with the same result (test_json_req's
 * `single_pass_agrees`, fuzz_request).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "io/json_req.h"
#include "io/json_lex.h"
#include "base/buf.h"
#include "eval/date.h"

static void problem(json_errors *e, const char *pointer, const char *detail)
{
    if (e->n == JSON_MAX_ERRORS) { e->truncated = 1; return; }
    e->items[e->n].pointer = pointer;
    e->items[e->n].path = pointer[0] ? pointer + 1 : "";
    e->items[e->n].detail = detail;
    e->n++;
}

/* Deepest nesting of [ and { outside strings. */
static int max_depth(const char *s, size_t n)
{
    int d = 0, m = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) { if (c == '\\') i++; else if (c == '"') in_str = 0; continue; }
        if (c == '"') in_str = 1;
        else if (c == '[' || c == '{') { if (++d > m) m = d; }
        else if (c == ']' || c == '}') d--;
    }
    return m;
}

static int tok_eq(const char *s, const json_tok *t, const char *lit)
{
    size_t n = strlen(lit);
    return t->type == JT_STRING && (size_t)(t->end - t->start) == n && memcmp(s + t->start, lit, n) == 0;
}

/* Index of the token after t and all its children. */
static int skip(const json_tok *tok, int i)
{
    return (int)tok[i].next;
}

int json_request_id_ok(const char *s, size_t n)
{
    if (n < 1 || n > REQ_MAX_ID) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e || s[i] == '\\' || s[i] == '"') return 0;
    return 1;
}

static int plain_string(const char *s, const json_tok *t)
{
    return t->type == JT_STRING && json_request_id_ok(s + t->start, (size_t)(t->end - t->start));
}

static int policy_name(const char *s, const json_tok *t)
{
    if (t->type != JT_STRING || t->end - t->start < 1 || t->end - t->start > 64) return 0;
    for (uint32_t i = t->start; i < t->end; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return 0;
    }
    return 1;
}

static void read_policy(const char *s, const json_tok *tok, int i, int ntok, decision_request *out,
                        json_errors *e, arena *pool)
{
    if (tok[i].type == JT_STRING) {
        if (!policy_name(s, &tok[i])) { problem(e, "/policy", "expected a policy name such as \"tianjin.dibao\""); return; }
        out->policy[0] = (json_span){s + tok[i].start, (size_t)(tok[i].end - tok[i].start)};
        out->npolicies = 1;
        return;
    }
    if (tok[i].type != JT_ARRAY || tok[i].size < 1 || tok[i].size > REQ_MAX_POLICIES) {
        problem(e, "/policy", "expected a policy name or a list of 1 to 16 policy names");
        return;
    }
    out->policy_is_list = 1;
    int k = i + 1;
    for (int n = 0; n < (int)tok[i].size && k < ntok; n++) {
        if (!policy_name(s, &tok[k])) {
            problem(e, arena_printf(pool, "/policy/%d", n), "expected a policy name such as \"tianjin.dibao\"");
        } else {
            for (uint32_t j = 0; j < out->npolicies; j++)
                if (out->policy[j].n == (size_t)(tok[k].end - tok[k].start) &&
                    memcmp(out->policy[j].p, s + tok[k].start, out->policy[j].n) == 0)
                    problem(e, arena_printf(pool, "/policy/%d", n), "policy listed twice");
            out->policy[out->npolicies++] = (json_span){s + tok[k].start, (size_t)(tok[k].end - tok[k].start)};
        }
        k = skip(tok, k);
    }
}

static const char *const member_names[] = {"policy", "as_of", "request_id", "input", "explain"};

/* Member k (member_names) with its value at tok[i] into out, or its
 * problem into e. */
static void read_member(const char *body, const json_tok *tok, int i, int ntok, int k, decision_request *out,
                        json_errors *e, arena *pool)
{
    const json_tok *val = &tok[i];
    switch (k) {
    case 0:
        read_policy(body, tok, i, ntok, out, e, pool);
        break;
    case 1:
        if (val->type != JT_STRING || date_parse(body + val->start, (size_t)(val->end - val->start), &out->as_of))
            problem(e, "/as_of", "expected a date YYYY-MM-DD");
        else out->has_as_of = 1;
        break;
    case 2:
        if (!plain_string(body, val))
            problem(e, "/request_id", "expected 1 to 128 printable ASCII characters");
        else memcpy(out->request_id, body + val->start, (size_t)(val->end - val->start));
        break;
    case 3:
        if (val->type != JT_OBJECT) problem(e, "/input", "expected an object such as {\"household\": {...}}");
        else out->input = (json_span){body + val->start, (size_t)(val->end - val->start)};
        break;
    case 4:
        if (val->type == JT_TRUE) out->explain = 1;
        else if (val->type == JT_FALSE) out->explain = 0;
        /* "text": the explanation, whose `text` member is the citizen's account */
        else if (val->type == JT_STRING && val->end - val->start == 4 && memcmp(body + val->start, "text", 4) == 0) out->explain = 1;
        else problem(e, "/explain", "expected true, false or \"text\"");
        break;
    }
}

/* Which member the key at tok names (member_names), or -1. */
static int member_of(const char *body, const json_tok *key)
{
    for (int j = 0; j < 5; j++)
        if (tok_eq(body, key, member_names[j])) return j;
    return -1;
}

json_status json_request_parse_tokens(const char *body, size_t len, arena *pool,
                                      decision_request *out, json_errors *e)
{
    memset(out, 0, sizeof *out);
    memset(e, 0, sizeof *e);
    if (max_depth(body, len) > JSON_MAX_DEPTH + 1) {
        problem(e, "", "JSON nested too deeply");
        return JSON_E_LIMIT;
    }
    json_tok *tok;
    uint32_t count;
    json_status syn = json_lex_request(body, len, pool, e, &tok, &count);
    if (syn != JSON_OK)
        return syn;
    /* valid JSON from here: null, 1 or [] is a request that does not fit */
    if (tok[0].type != JT_OBJECT) {
        problem(e, "", "expected a JSON object");
        return JSON_E_INVALID;
    }
    int ntok = (int)count;
    unsigned seen = 0;
    int i = 1;
    for (int n = 0; n < (int)tok[0].size && i < ntok; n++) {
        const json_tok *key = &tok[i];
        int k = member_of(body, key);
        if (k < 0) {
            problem(e, arena_printf(pool, "/%.*s", (int)(key->end - key->start > 64 ? 64 : key->end - key->start), body + key->start),
                    "unknown field (expected policy, as_of, request_id, input, explain)");
        } else if (seen & (1u << k)) {
            problem(e, arena_printf(pool, "/%s", member_names[k]), "duplicate key");
        } else {
            seen |= 1u << k;
            read_member(body, tok, i + 1, ntok, k, out, e, pool);
        }
        i = skip(tok, i + 1);
    }
    if (!(seen & 1)) problem(e, "/policy", "missing required field");
    if (!(seen & 8)) problem(e, "/input", "missing required field");
    return e->n ? JSON_E_INVALID : JSON_OK;
}

/* ---- the single pass ------------------------------------------------- */

static inline size_t blanks(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* The string at s[*i] == '"' when it has no escapes and only ASCII (no
 * control character, '\\' or byte >= 0x80, crossed 16 bytes a step by
 * buf_json_ascii()): then a JSON string as it stands, which is all an
 * envelope's own string may be.  Its text, and *i past the closing quote;
 * 0 when it is anything else. */
static int plain_ascii(const char *s, size_t n, size_t *i, json_span *v)
{
    size_t a = *i + 1, b;
    if (*i >= n || s[*i] != '"')
        return 0;
    b = a + buf_json_ascii(s + a, n - a);
    if (b >= n || s[b] != '"')
        return 0;
    *v = (json_span){ s + a, b - a };
    *i = b + 1;
    return 1;
}

static int span_is_name(json_span v)
{
    json_tok t = { .start = 0, .end = (uint32_t)v.n, .type = JT_STRING };
    return v.n <= 64 && policy_name(v.p, &t);
}

/* After a member or an element, at s[*i] or past blanks: 1 at a ','
 * (*i past it and the blanks after it), 2 at `close` (*i on it), 0 on
 * anything else. */
static inline __attribute__((always_inline)) int fast_next(const char *s, size_t n, size_t *i, char close)
{
    size_t k = blanks(s, n, *i);
    if (k < n && s[k] == close) {
        *i = k;
        return 2;
    }
    if (k >= n || s[k] != ',')
        return 0;
    *i = blanks(s, n, k + 1);
    return 1;
}

/* policy: a name, or a list of 1 to 16 names none listed twice. */
static int fast_policy(const char *s, size_t n, size_t *i, decision_request *out, uint32_t *ntok)
{
    json_span v;
    if (s[*i] != '[') {
        if (!plain_ascii(s, n, i, &v) || !span_is_name(v))
            return 0;
        out->policy[out->npolicies++] = v;
        return 1;
    }
    out->policy_is_list = 1;
    size_t k = blanks(s, n, *i + 1);
    for (;;) {
        if (out->npolicies == REQ_MAX_POLICIES || !plain_ascii(s, n, &k, &v) || !span_is_name(v))
            return 0;
        for (uint32_t j = 0; j < out->npolicies; j++)
            if (out->policy[j].n == v.n && memcmp(out->policy[j].p, v.p, v.n) == 0)
                return 0;
        out->policy[out->npolicies++] = v;
        ++*ntok;
        int next = fast_next(s, n, &k, ']');
        if (next == 0)
            return 0;
        if (next == 2)
            break;
    }
    *i = k + 1;
    return 1;
}

/* explain: true, false (each a word ending at a delimiter) or "text". */
static int fast_explain(const char *s, size_t n, size_t *i, decision_request *out)
{
    json_span v;
    size_t a = *i, b = a;
    if (s[a] == '"') {
        if (!plain_ascii(s, n, i, &v) || v.n != 4 || memcmp(v.p, "text", 4) != 0)
            return 0;
        out->explain = 1;
        return 1;
    }
    while (b < n && s[b] >= 'a' && s[b] <= 'z')
        b++;
    if (b >= n || !(s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r' || s[b] == ',' || s[b] == '}'))
        return 0;
    *i = b;
    if (b - a == 4 && memcmp(s + a, "true", 4) == 0)
        out->explain = 1;
    else if (!(b - a == 5 && memcmp(s + a, "false", 5) == 0))
        return 0;
    return 1;
}

/* The value of member k at s[*i] (non-blank); *i ends past it. */
static int fast_member(const char *s, size_t n, size_t *i, int k, decision_request *out, uint32_t *ntok)
{
    json_span v;
    size_t at = *i;
    switch (k) {
    case 0:
        return fast_policy(s, n, i, out, ntok);
    case 1:
        if (!plain_ascii(s, n, i, &v) || date_parse(v.p, v.n, &out->as_of))
            return 0;
        out->has_as_of = 1;
        return 1;
    case 2:
        if (!plain_ascii(s, n, i, &v) || !json_request_id_ok(v.p, v.n))
            return 0;
        memcpy(out->request_id, v.p, v.n);
        return 1;
    case 3:
        --*ntok;   /* json_check_value() counts the object itself */
        if (s[at] != '{' || !(*i = json_check_value(s, n, at, &json_request_limits, 1, ntok)))
            return 0;
        out->input = (json_span){ s + at, *i - at };
        return 1;
    default:
        return fast_explain(s, n, i, out);
    }
}

/* Which envelope member the key at s[*i] names (*i ends past it), or -1:
 * 0 policy, 1 as_of, 2 request_id, 3 input, 4 explain, the index in
 * member_names that the token reader uses. */
static int fast_key(const char *s, size_t n, size_t *i)
{
    json_span v;
    if (!plain_ascii(s, n, i, &v))
        return -1;
    switch (v.n) {
    case 5:
        return memcmp(v.p, "as_of", 5) == 0 ? 1 : memcmp(v.p, "input", 5) == 0 ? 3 : -1;
    case 6:
        return memcmp(v.p, "policy", 6) == 0 ? 0 : -1;
    case 7:
        return memcmp(v.p, "explain", 7) == 0 ? 4 : -1;
    case 10:
        return memcmp(v.p, "request_id", 10) == 0 ? 2 : -1;
    default:
        return -1;
    }
}

int json_request_fast(const char *s, size_t n, decision_request *out)
{
    uint32_t ntok = 1;
    unsigned seen = 0;
    size_t i = blanks(s, n, 0);
    memset(out, 0, sizeof *out);
    if (n > UINT32_MAX / 2 || i >= n || s[i] != '{')
        return 0;
    i = blanks(s, n, i + 1);
    for (;;) {
        int k = fast_key(s, n, &i);
        if (k < 0 || seen & (1u << k))
            return 0;
        seen |= 1u << k;
        ntok += 2;
        i = blanks(s, n, i);
        if (i >= n || s[i] != ':' || (i = blanks(s, n, i + 1)) >= n || !fast_member(s, n, &i, k, out, &ntok))
            return 0;
        int next = fast_next(s, n, &i, '}');
        if (next == 0)
            return 0;
        if (next == 2)
            break;
    }
    return blanks(s, n, i + 1) == n && (seen & 9) == 9 && ntok <= JSON_MAX_TOKENS;
}

json_status json_request_parse(const char *body, size_t len, arena *pool, decision_request *out,
                               json_errors *e)
{
    if (json_request_fast(body, len, out)) {
        e->n = 0;
        e->offset = 0;
        e->truncated = 0;
        return JSON_OK;
    }
    return json_request_parse_tokens(body, len, pool, out, e);
}

int json_request_same(const decision_request *a, const decision_request *b)
{
    if (a->npolicies != b->npolicies || a->policy_is_list != b->policy_is_list ||
        a->has_as_of != b->has_as_of || (a->has_as_of && a->as_of != b->as_of) ||
        strcmp(a->request_id, b->request_id) || a->input.p != b->input.p ||
        a->input.n != b->input.n || a->explain != b->explain)
        return 0;
    for (uint32_t i = 0; i < a->npolicies; i++)
        if (a->policy[i].p != b->policy[i].p || a->policy[i].n != b->policy[i].n)
            return 0;
    return 1;
}

int json_problems_same(const json_errors *a, const json_errors *b)
{
    if (a->n != b->n || a->offset != b->offset || a->truncated != b->truncated)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->items[i].pointer, b->items[i].pointer) || strcmp(a->items[i].path, b->items[i].path) ||
            strcmp(a->items[i].detail, b->items[i].detail))
            return 0;
    return 1;
}
