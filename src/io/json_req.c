/*
 * json_req.c - the envelope of a decision request (see json_req.h).
 *
 * jsmn tokenizes the body into a token array from the request arena; the
 * nesting depth is bounded by a byte scan first, so hostile nesting costs
 * O(n) and never reaches jsmn.  Only the envelope's own values are read
 * here; the input object's content is json_in.c's business.
 */
#include <string.h>
#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>
#include "io/json_req.h"
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

static int tok_eq(const char *s, const jsmntok_t *t, const char *lit)
{
    size_t n = strlen(lit);
    return t->type == JSMN_STRING && (size_t)(t->end - t->start) == n && memcmp(s + t->start, lit, n) == 0;
}

/* Index of the token after t and all its children. */
static int skip(const jsmntok_t *tok, int i, int ntok)
{
    int end = tok[i].end;
    i++;
    while (i < ntok && tok[i].start < end) i++;
    return i;
}

int json_request_id_ok(const char *s, size_t n)
{
    if (n < 1 || n > REQ_MAX_ID) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e || s[i] == '\\' || s[i] == '"') return 0;
    return 1;
}

static int plain_string(const char *s, const jsmntok_t *t)
{
    return t->type == JSMN_STRING && json_request_id_ok(s + t->start, (size_t)(t->end - t->start));
}

static int policy_name(const char *s, const jsmntok_t *t)
{
    if (t->type != JSMN_STRING || t->end - t->start < 1 || t->end - t->start > 64) return 0;
    for (int i = t->start; i < t->end; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return 0;
    }
    return 1;
}

static void read_policy(const char *s, const jsmntok_t *tok, int i, int ntok, decision_request *out,
                        json_errors *e, arena *pool)
{
    if (tok[i].type == JSMN_STRING) {
        if (!policy_name(s, &tok[i])) { problem(e, "/policy", "expected a policy name such as \"tianjin.dibao\""); return; }
        out->policy[0] = (json_span){s + tok[i].start, (size_t)(tok[i].end - tok[i].start)};
        out->npolicies = 1;
        return;
    }
    if (tok[i].type != JSMN_ARRAY || tok[i].size < 1 || tok[i].size > REQ_MAX_POLICIES) {
        problem(e, "/policy", "expected a policy name or a list of 1 to 16 policy names");
        return;
    }
    out->policy_is_list = 1;
    int k = i + 1;
    for (int n = 0; n < tok[i].size && k < ntok; n++) {
        if (!policy_name(s, &tok[k])) {
            problem(e, arena_printf(pool, "/policy/%d", n), "expected a policy name such as \"tianjin.dibao\"");
        } else {
            for (uint32_t j = 0; j < out->npolicies; j++)
                if (out->policy[j].n == (size_t)(tok[k].end - tok[k].start) &&
                    memcmp(out->policy[j].p, s + tok[k].start, out->policy[j].n) == 0)
                    problem(e, arena_printf(pool, "/policy/%d", n), "policy listed twice");
            out->policy[out->npolicies++] = (json_span){s + tok[k].start, (size_t)(tok[k].end - tok[k].start)};
        }
        k = skip(tok, k, ntok);
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
    /* jsmn alone accepts some text that is not JSON ({"a" 1}, [1,], tru):
     * the body goes through json_in's strict syntax pass first */
    json_status syn = json_syntax_check(body, len, pool, e);
    if (syn != JSON_OK)
        return syn;
    /* valid JSON from here: null, 1 or [] is a request that does not fit */
    size_t first = 0;
    while (first < len && (body[first] == ' ' || body[first] == '\t' || body[first] == '\r' || body[first] == '\n'))
        first++;
    if (first < len && body[first] != '{') {
        problem(e, "", "expected a JSON object");
        return JSON_E_INVALID;
    }
    jsmn_parser p;
    jsmn_init(&p);
    int ntok = jsmn_parse(&p, body, len, NULL, 0);
    if (ntok < 0) {
        e->offset = p.pos;
        problem(e, "", arena_printf(pool, "malformed JSON at byte %u", p.pos));
        return JSON_E_SYNTAX;
    }
    if (ntok > JSON_MAX_TOKENS) { problem(e, "", "too many JSON values"); return JSON_E_LIMIT; }
    jsmntok_t *tok = arena_alloc(pool, sizeof(jsmntok_t) * (size_t)(ntok + 1));
    if (!tok) return JSON_E_NOMEM;
    jsmn_init(&p);
    ntok = jsmn_parse(&p, body, len, tok, (unsigned)ntok);
    if (ntok < 1 || tok[0].type != JSMN_OBJECT) {
        problem(e, "", "expected a JSON object");
        return ntok < 1 ? JSON_E_SYNTAX : JSON_E_INVALID;
    }
    for (int i = tok[0].end; i < (int)len; i++)
        if (body[i] != ' ' && body[i] != '\n' && body[i] != '\r' && body[i] != '\t') {
            e->offset = (size_t)i;
            problem(e, "", arena_printf(pool, "unexpected data after the JSON object at byte %d", i));
            return JSON_E_SYNTAX;
        }
    unsigned seen = 0;
    int i = 1;
    for (int n = 0; n < tok[0].size && i < ntok; n++) {
        const jsmntok_t *key = &tok[i], *val = &tok[i + 1];
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
                if (val->type != JSMN_STRING || date_parse(body + val->start, (size_t)(val->end - val->start), &out->as_of))
                    problem(e, "/as_of", "expected a date YYYY-MM-DD");
                else out->has_as_of = 1;
                break;
            case 2:
                if (!plain_string(body, val))
                    problem(e, "/request_id", "expected 1 to 128 printable ASCII characters");
                else memcpy(out->request_id, body + val->start, (size_t)(val->end - val->start));
                break;
            case 3:
                if (val->type != JSMN_OBJECT) problem(e, "/input", "expected an object such as {\"household\": {...}}");
                else out->input = (json_span){body + val->start, (size_t)(val->end - val->start)};
                break;
            case 4:
                if (val->type == JSMN_PRIMITIVE && val->end - val->start == 4 && memcmp(body + val->start, "true", 4) == 0) out->explain = 1;
                else if (val->type == JSMN_PRIMITIVE && val->end - val->start == 5 && memcmp(body + val->start, "false", 5) == 0) out->explain = 0;
                /* "text": the explanation, whose `text` member is the citizen's account */
                else if (val->type == JSMN_STRING && val->end - val->start == 4 && memcmp(body + val->start, "text", 4) == 0) out->explain = 1;
                else problem(e, "/explain", "expected true, false or \"text\"");
                break;
            }
        }
        i = skip(tok, i + 1, ntok);
    }
    if (!(seen & 1)) problem(e, "/policy", "missing required field");
    if (!(seen & 8)) problem(e, "/input", "missing required field");
    return e->n ? JSON_E_INVALID : JSON_OK;
}
