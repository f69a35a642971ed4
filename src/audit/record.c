/*
 * record.c - checking a stored decision and writing the whole record
 * (record.h says what is checked and why).
 *
 * The outputs and explanation columns are compared by bytes with their
 * places in the stored response: eligo cut them from that document, so
 * any difference is a change made after it was stored.  Rows stored since
 * db/005 hold them only in the response (the store reads them back from
 * there, src/store/parts.c), so for those the comparison always holds and
 * a change to the outputs is a change to the response, which the leaf
 * hash catches.  A range replay checks every row, so this costs one
 * SHA-256 of the row and two comparisons, no parse.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE 1   /* memmem */
#include <string.h>
#include "audit/record.h"

static const char *const part_names[RECORD_PARTS] = {"content_hash", "checkpoint", "outputs", "explanation"};

/* Is the outputs column the answered document's?  eligo writes the
 * document canonically (json_out.c): {"policy":{...},"as_of":"...",
 * "outputs":<outputs>,"reasons":[...] and, when explained,
 * ,"explanation":<explanation>}.  No string can hold an unescaped quote,
 * so the first ,"outputs": is the member; a document not in this shape
 * differs. */
static int outputs_differ(const store_row *r)
{
    static const char key[] = ",\"outputs\":", next[] = ",\"reasons\":";
    const char *at = memmem(r->response.data, r->response.len, key, sizeof key - 1);
    if (!at) return 1;
    at += sizeof key - 1;
    size_t left = r->response.len - (size_t)(at - r->response.data);
    return !(left >= r->outputs.len + sizeof next - 1 && memcmp(at, r->outputs.data, r->outputs.len) == 0 &&
             memcmp(at + r->outputs.len, next, sizeof next - 1) == 0);
}

/* Is the explanation column the end of the answered document? */
static int explanation_differs(const store_row *r)
{
    static const char key[] = ",\"explanation\":";
    size_t n = sizeof key - 1 + r->explanation.len + 1;
    const char *end = r->response.data + r->response.len;
    return !(r->response.len >= n && memcmp(end - n, key, sizeof key - 1) == 0 &&
             memcmp(end - n + sizeof key - 1, r->explanation.data, r->explanation.len) == 0 && end[-1] == '}');
}

/* A column's text ("" for an empty one, whose buffer may hold nothing). */
static const char *text(const buf *b)
{
    return b->data ? b->data : "";
}

unsigned record_check(const store_row *r)
{
    unsigned differs = 0;
    char leaf[65];
    if (store_row_leaf(r, leaf)) return RECORD_CONTENT_HASH;
    if (strcmp(leaf, text(&r->content_hash)) != 0) differs |= RECORD_CONTENT_HASH;
    if (r->checkpoint.len && strcmp(leaf, text(&r->checkpoint_leaf)) != 0) differs |= RECORD_CHECKPOINT;
    if (outputs_differ(r)) differs |= RECORD_OUTPUTS;
    if (!r->explanation_null && explanation_differs(r)) differs |= RECORD_EXPLANATION;
    return differs;
}

void record_check_json(unsigned differs, buf *out)
{
    buf_printf(out, "\"tampered\":%s", differs ? "true" : "false");
    if (!differs) return;
    buf_adds(out, ",\"differs\":[");
    for (int i = 0, first = 1; i < RECORD_PARTS; i++) {
        if (!(differs & (1u << i))) continue;
        buf_printf(out, "%s\"%s\"", first ? "" : ",", part_names[i]);
        first = 0;
    }
    buf_addc(out, ']');
}

static void member(buf *out, const char *key, const buf *value)
{
    buf_printf(out, ",\"%s\":", key);
    buf_json_string(out, value->data, value->len);
}

/* "YYYY-MM-DD HH:MM:SS.ffffff" as stored (UTC) -> RFC 3339. */
static void rfc3339(buf *out, const buf *at)
{
    buf t;
    buf_init(&t);
    buf_add(&t, at->data, at->len);
    if (t.len > 10 && t.data[10] == ' ') t.data[10] = 'T';
    buf_addc(&t, 'Z');
    buf_json_string(out, t.data, t.len);
    buf_free(&t);
}

void record_json(const store_row *r, unsigned differs, buf *out)
{
    buf_adds(out, "{\"decision_id\":");
    buf_json_string(out, r->id.data, r->id.len);
    member(out, "request_id", &r->request_id);
    member(out, "client", &r->client);
    buf_adds(out, ",\"created_at\":");
    rfc3339(out, &r->created_at);
    buf_adds(out, ",\"policy\":{\"name\":");
    buf_json_string(out, r->policy_name.data, r->policy_name.len);
    member(out, "hash", &r->policy_hash);
    buf_adds(out, "},\"model\":{\"hash\":");
    if (r->model_hash_null) buf_adds(out, "null");
    else buf_json_string(out, r->model_hash.data, r->model_hash.len);
    buf_addc(out, '}');
    member(out, "as_of", &r->as_of);
    buf_printf(out, ",\"seq\":%s,\"checkpoint\":%s,", r->seq.len ? r->seq.data : "null",
               r->checkpoint.len ? r->checkpoint.data : "null");
    record_check_json(differs, out);
    buf_adds(out, ",\"input\":");
    buf_add(out, r->input.data, r->input.len);
    /* the answer: the ids first, then the stored document's members */
    buf_adds(out, ",\"answered\":{\"decision_id\":");
    buf_json_string(out, r->id.data, r->id.len);
    member(out, "request_id", &r->request_id);
    const char *d = r->response.data;
    size_t n = r->response.len;
    while (n && (*d == ' ' || *d == '\n' || *d == '\t' || *d == '\r')) d++, n--;
    if (n > 2 && *d == '{') {
        buf_addc(out, ',');
        buf_add(out, d + 1, n - 1);
    } else {
        buf_addc(out, '}');
    }
    buf_addc(out, '}');
}
