/*
 * json_req.c - the envelope of a decision request (see json_req.h).
 *
 * json_lex.c tokenizes the body (strict syntax and limits) into a token
 * array from the request arena; a byte scan first refuses nesting deeper
 * than an envelope around a JSON_MAX_DEPTH input with its own message.
 * Only the envelope's own values are read here; the input object's
 * content is json_in.c's business.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "io/json_req.h"
#include "io/json_lex.h"
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

json_status json_request_parse(const char *body, size_t len, arena *pool, decision_request *out,
                               json_errors *e)
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
        const json_tok *key = &tok[i], *val = &tok[i + 1];
        static const char *const keys[] = {"policy", "as_of", "request_id", "input", "explain"};
        int k = -1;
        for (int j = 0; j < 5; j++)
            if (tok_eq(body, key, keys[j])) k = j;
        if (k < 0) {
            problem(e, arena_printf(pool, "/%.*s", (int)(key->end - key->start > 64 ? 64 : key->end - key->start), body + key->start),
                    "unknown field (expected policy, as_of, request_id, input, explain)");
        } else if (seen & (1u << k)) {
            problem(e, arena_printf(pool, "/%s", keys[k]), "duplicate key");
        } else {
            seen |= 1u << k;
            switch (k) {
            case 0: read_policy(body, tok, i + 1, ntok, out, e, pool); break;
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
        i = skip(tok, i + 1);
    }
    if (!(seen & 1)) problem(e, "/policy", "missing required field");
    if (!(seen & 8)) problem(e, "/input", "missing required field");
    return e->n ? JSON_E_INVALID : JSON_OK;
}
