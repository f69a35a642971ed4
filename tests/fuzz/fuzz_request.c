/*
 * fuzz_request.c - libFuzzer target: bytes -> request -> decision JSON.
 *
 * The daemon's request path without the network and the database: each
 * input is a POST /v1/decisions body.  json_request_parse() checks the
 * envelope; for every policy it names that the shipped registry holds
 * (loaded once at start-up from policies/), json_input_parse() validates
 * `input` against the policy's model, ev_bind()/ev_run() evaluate it, and
 * json_write_decision() writes the decision with and without the
 * explanation, as h_evaluate.c does, plus the canonical input record.
 * The input is also read by the two-pass reader alone
 * (json_input_parse_tokens()), which must give the same status and, on
 * success, the same canonical record: the single pass of json_fast.c
 * may only take what the two-pass reader takes.
 * The envelope likewise: json_request_parse() (its single pass first)
 * and json_request_parse_tokens() must give the same status, the same
 * request when they accept and the same problems when they do not.
 * Each decision must be one well-formed JSON value, as strict as the
 * request reader's (json_lex.h), with no blank around it.
 * Problems are printed into a memory stream so every pointer and detail
 * string is read.
 *
 * A request without as_of is evaluated on 2019-09-01 rather than today,
 * so that a finding replays the same way tomorrow.  The frame is
 * allocated at the tree's exact size for each policy (the daemon reuses a
 * larger one), so a read past the last slot is caught.
 *
 * Paths are relative to the source root; ELIGO_POLICIES overrides the
 * policies folder as for the CLI.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/arena.h"
#include "base/buf.h"
#include "eval/date.h"
#include "eval/eval.h"
#include "io/json_in.h"
#include "io/json_lex.h"
#include "io/json_out.h"
#include "io/json_req.h"
#include "policy/load.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static registry reg;
/* The request arena, made and freed for each input rather than reset as
 * the daemon does, so that ASan sees a use after the request is over. */
static arena pool;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("ELIGO_POLICIES");
    const char *paths[1] = {dir && *dir ? dir : "policies"};
    diag_list dl;
    diag_list_init(&dl);
    if (registry_load(&reg, paths, 1, NULL, &dl) || reg.npolicies == 0) {
        fprintf(stderr, "fuzz_request: cannot load %s (run from the source root)\n", paths[0]);
        diag_print(&dl, stderr);
        exit(1);
    }
    diag_list_free(&dl);
    return 0;
}

/* Aborts unless b holds exactly one well-formed JSON value. */
static void require_json(const buf *b)
{
    if (b->failed) return;
    /* explanations nest deeper and run longer than requests may */
    static const json_limits lim = { 4096, UINT32_MAX };
    arena a;
    json_lexed lx;
    arena_init(&a, 0);
    json_status st = json_lex(b->data, b->len, &lim, &a, &lx);
    int whole = st == JSON_OK && lx.tok[0].start == 0 && lx.tok[0].end == b->len;
    arena_free(&a);
    if (whole || st == JSON_E_NOMEM) return;
bad:
    fprintf(stderr, "fuzz_request: not one JSON value: %.*s\n", (int)b->len, b->data);
    abort();
}

static void print_errors(const json_errors *errs)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out) return;
    json_errors_print(errs, out);
    fclose(out);
    free(text);
}

/* Aborts unless the two-pass reader alone agrees with json_input_parse()
 * (status st, record root) on the input text. */
static void require_same_reading(const policy *p, json_span input, json_status st,
                                 const ev_cell *root)
{
    arena other;
    json_errors e2;
    ev_cell *root2 = NULL;
    arena_init(&other, 0);
    json_status st2 = json_input_parse_tokens(input.p, input.n, p->root, "/input", &other,
                                              &root2, &e2);
    if (st2 != st && st != JSON_E_NOMEM && st2 != JSON_E_NOMEM) {
        fprintf(stderr, "fuzz_request: readers differ: %d against %d\n", st, st2);
        abort();
    }
    if (st == JSON_OK && st2 == JSON_OK) {
        buf a, b;
        buf_init(&a);
        buf_init(&b);
        json_write_record(&a, p->root, root);
        json_write_record(&b, p->root, root2);
        if (!a.failed && !b.failed && (a.len != b.len || memcmp(a.data, b.data, a.len))) {
            fprintf(stderr, "fuzz_request: records differ: %.*s against %.*s\n", (int)a.len,
                    a.data, (int)b.len, b.data);
            abort();
        }
        buf_free(&a);
        buf_free(&b);
    }
    arena_free(&other);
}

/* Aborts unless the token reader alone agrees with json_request_parse()
 * (status st, request req, problems errs) on the body. */
static void require_same_envelope(const char *body, size_t size, json_status st,
                                  const decision_request *req, const json_errors *errs)
{
    arena other;
    decision_request req2;
    json_errors e2;
    arena_init(&other, 0);
    json_status st2 = json_request_parse_tokens(body, size, &other, &req2, &e2);
    if (st == JSON_E_NOMEM || st2 == JSON_E_NOMEM) {
        arena_free(&other);
        return;
    }
    if (st != st2 || (st == JSON_OK ? !json_request_same(req, &req2) : !json_problems_same(errs, &e2))) {
        fprintf(stderr, "fuzz_request: envelope readers differ: %d against %d\n", st, st2);
        abort();
    }
    arena_free(&other);
}

static const policy *find_policy(json_span name)
{
    char n[128];
    if (name.n >= sizeof n) return NULL;
    memcpy(n, name.p, name.n);
    n[name.n] = 0;
    return registry_find(&reg, n);
}

/* One evaluation with or without the explanation. */
static void decide(const policy *p, const ev_cell *root, int64_t as_of, int explain)
{
    ev_cell *frame = calloc(p->tree.nslots ? p->tree.nslots : 1, sizeof(ev_cell));
    if (!frame) return;
    ev_ctx c;
    ev_ctx_init(&c, &p->tree, frame, &pool);
    if (explain) c.cov = arena_alloc(&pool, sizeof(uint32_t) * (p->tree.ncov + 1));
    buf b;
    buf_init(&b);
    if (ev_bind(&c, as_of) || ev_run(&c, root)) {
        if (c.err.code == EVE_NONE || !memchr(c.err.msg, 0, sizeof c.err.msg)) abort();
        buf_json_string(&b, c.err.msg, strlen(c.err.msg));
    } else {
        json_write_decision(&b, p, &c, explain);
        require_json(&b);
    }
    buf_free(&b);
    free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the daemon's body is not NUL-terminated either: keep it exact so
     * ASan sees a read past the end */
    char *body = malloc(size ? size : 1);
    if (!body) return 0;
    memcpy(body, data, size);
    arena_init(&pool, 65536);
    decision_request req;
    json_errors errs;
    memset(&errs, 0, sizeof errs);
    json_status st = json_request_parse(body, size, &pool, &req, &errs);
    require_same_envelope(body, size, st, &req, &errs);
    if (st != JSON_OK) {
        print_errors(&errs);
        goto out;
    }
    int64_t as_of = req.has_as_of ? req.as_of : date_from_ymd(2019, 9, 1);
    for (uint32_t i = 0; i < req.npolicies; i++) {
        const policy *p = find_policy(req.policy[i]);
        if (!p) continue;
        ev_cell *root = NULL;
        memset(&errs, 0, sizeof errs);
        st = json_input_parse(req.input.p, req.input.n, p->root, "/input", &pool, &root, &errs);
        require_same_reading(p, req.input, st, root);
        if (st != JSON_OK) {
            if (root) abort();
            print_errors(&errs);
            continue;
        }
        decide(p, root, as_of, 0);
        decide(p, root, as_of, 1);
        buf in;
        buf_init(&in);
        json_write_record(&in, p->root, root);
        require_json(&in);
        buf_free(&in);
    }
out:
    arena_free(&pool);
    free(body);
    return 0;
}
