/*
 * oom_loop.c - allocation failure injected at every point of compilation
 * and of one request per program (after SQLite's OOM loop).
 *
 * Linked with -Wl,--wrap=malloc,... so that every call libeligo.a and this
 * file make to malloc, calloc, realloc, strdup and strndup goes through
 * the counting wrappers below; production code is unchanged.  For an
 * operation, N = 1, 2, ... : the Nth allocation fails (transient mode:
 * only the Nth; persistent mode: the Nth and all later ones) and the
 * operation must end in one of two ways:
 *
 *   - a clean error: registry_load() returns -1 with a diagnostic, a
 *     request ends in an error status (never a 200 with another body);
 *   - success with exactly the result of a run without injection (an
 *     allocation failure must never be swallowed into a different answer,
 *     such as a registry that lacks a policy).
 *
 * The loop ends at the first N the operation no longer reaches: N - 1 is
 * the number of injection points, printed per operation.  In the ASan
 * build every run ends with a leak check, so an error path that leaks is
 * reported with the N and mode that took it.
 *
 * An operation whose reference run is an error (`fails`) must end in an
 * error at every injection point: tests/oom/assert_fails holds a policy
 * whose assertion fails, so a checker that gave up on an allocation
 * failure and let the policy through would be caught.
 *
 * Operations: compiling policies/, tests/policies/ and tests/oom/
 * assert_fails through registry_load() (what the CLI and the daemon
 * call), and for each shipped
 * program one request through json_request_parse() (the envelope) and
 * decision_make() (the one decision path), with and without explanation.
 * The request is the first valid case tests/requests/cases.txt gives for
 * the program.
 *
 * Not injected: allocations libc makes for itself (fopen's buffer,
 * open_memstream in diag_text, realpath, qsort's scratch, OpenSSL's
 * digest contexts).  A failure there is reported by the caller's own
 * check of the libc call, which is not what this loop tests.
 *
 * Usage: oom_loop [--step K] [--only NAME]   (from the source root, or
 * with $top_srcdir set as make check does).  --step K tries every Kth N
 * only (and always the last ones), for a quick run.  Ends with
 * "N passed, N failed" (one case per operation and mode).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/arena.h"
#include "base/buf.h"
#include "eval/date.h"
#include "io/decision.h"
#include "io/json_req.h"
#include "policy/load.h"

#if defined(__SANITIZE_ADDRESS__)
#define OOM_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OOM_LSAN 1
#endif
#endif
#ifdef OOM_LSAN
#include <sanitizer/lsan_interface.h>
#endif

/* ---- the allocator wrappers ---------------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static struct {
    int armed;
    int persistent;
    long fail_at;       /* the Nth allocation after arming fails */
    long seen;          /* allocations since arming */
    long injected;      /* failures handed out */
} oom;

/* 1 when this allocation is to fail. */
static int oom_hit(void)
{
    if (!oom.armed)
        return 0;
    oom.seen++;
    if (oom.seen == oom.fail_at || (oom.persistent && oom.seen > oom.fail_at)) {
        oom.injected++;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n) { return oom_hit() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return oom_hit() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return oom_hit() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return oom_hit() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return oom_hit() ? NULL : __real_strndup(s, n); }

static void oom_arm(long fail_at, int persistent)
{
    oom.seen = 0;
    oom.injected = 0;
    oom.fail_at = fail_at;
    oom.persistent = persistent;
    oom.armed = 1;
}

static void oom_disarm(void)
{
    oom.armed = 0;
}

/* ---- operations ---------------------------------------------------- */

/* An operation runs once and fills `out` with what it produced (compared
 * with the reference run); it returns 0 on success, 1 on a clean error,
 * and -1 on an unclean one (described in `out`). */
typedef struct operation {
    char name[160];
    const char *paths[2];        /* compile: the folders, as the CLI takes them */
    size_t npaths;
    const char *model_dir;
    int fails;                   /* the reference run is a clean error */
    const policy *p;             /* request: the program */
    const char *body;            /* request: the envelope */
    int explain;
    int (*run)(const struct operation *op, buf *out);
} operation;

/* A summary of a registry that two equal loads share. */
static void describe_registry(const registry *r, buf *out)
{
    for (uint32_t i = 0; i < r->models.n; i++)
        buf_printf(out, "model %s %s\n", r->models.items[i]->name, r->models.items[i]->hash);
    for (uint32_t i = 0; i < r->npolicies; i++) {
        const policy *p = r->policies[i];
        buf_printf(out, "policy %s %s tests %u slots %u defs %u\n", p->name, p->hash, p->ntests,
                   p->tree.nslots, p->tree.ndefs);
    }
}

static int run_compile(const operation *op, buf *out)
{
    registry r;
    diag_list dl;
    diag_list_init(&dl);
    int rc = registry_load(&r, op->paths, op->npaths, op->model_dir, &dl);
    /* the diagnostics must print whatever was lost */
    free(diag_text(&dl));
    oom_disarm();                /* what follows is the test's, not the code's */
    if (rc == 0) {
        describe_registry(&r, out);
        if (dl.nerrors) {
            buf_printf(out, "success with %zu errors\n", dl.nerrors);
            rc = -2;
        }
        registry_free(&r);
    } else if (dl.nerrors == 0) {
        buf_adds(out, "failed without a diagnostic\n");
        rc = -2;
    } else {
        char *text = diag_text(&dl);
        buf_adds(out, text ? text : "");
        free(text);
    }
    diag_list_free(&dl);
    return rc == 0 ? 0 : rc == -1 ? 1 : -1;
}

/* The daemon's path: the envelope, then the decision on its input. */
static int run_request(const operation *op, buf *out)
{
    arena pool;
    arena_init(&pool, 64 * 1024);
    decision_request req;
    json_errors errs;
    int rc;
    json_status st = json_request_parse(op->body, strlen(op->body), &pool, &req, &errs);
    if (st != JSON_OK) {
        oom_disarm();
        buf_printf(out, "envelope status %d\n", st);
        rc = st == JSON_E_NOMEM ? 1 : -1;
    } else {
        decision_frame f = {0};
        decision_result res;
        buf doc, canonical;
        buf_init(&doc);
        buf_init(&canonical);
        decision_rc drc = decision_make(op->p, req.input.p, req.input.n, "/input", req.as_of,
                                        req.explain, &f, &pool, &doc, &canonical, &res);
        oom_disarm();
        if (drc == DECISION_OK) {
            buf_add(out, doc.data, doc.len);
            buf_addc(out, '\n');
            buf_add(out, canonical.data, canonical.len);
            rc = 0;
        } else {
            int nomem = drc == DECISION_NOMEM || (drc == DECISION_BAD_INPUT && res.st == JSON_E_NOMEM) ||
                        (drc == DECISION_EVAL_ERROR && res.err.code == EVE_NOMEM);
            buf_printf(out, "decision rc %d status %d error %d %s\n", drc, res.st, res.err.code,
                       drc == DECISION_BAD_INPUT ? "" : res.err.msg);
            rc = nomem ? 1 : -1;
        }
        buf_free(&doc);
        buf_free(&canonical);
        decision_frame_free(&f);
    }
    arena_free(&pool);
    return rc;
}

/* ---- the loop ------------------------------------------------------ */

static int leak_check(void)
{
#ifdef OOM_LSAN
    return __lsan_do_recoverable_leak_check();
#else
    return 0;
#endif
}

/* Prints the first line where got differs from want. */
static void show_difference(const buf *want, const buf *got)
{
    const char *w = buf_cstr((buf *)want), *g = buf_cstr((buf *)got);
    size_t i = 0, line = 0;
    while (w[i] && w[i] == g[i]) {
        if (w[i] == '\n') line = i + 1;
        i++;
    }
    int wn = (int)strcspn(w + line, "\n"), gn = (int)strcspn(g + line, "\n");
    fprintf(stderr, "    expected: %.*s\n    got:      %.*s\n", wn > 300 ? 300 : wn, w + line,
            gn > 300 ? 300 : gn, g + line);
}

/* Runs op with allocation n failing; 0 when the outcome is acceptable. */
static int try_one(const operation *op, const buf *ref, long n, int persistent, int *reached)
{
    buf out;
    buf_init(&out);
    oom_arm(n, persistent);
    int rc = op->run(op, &out);
    oom_disarm();
    *reached = oom.injected > 0;
    int bad = 0;
    if (rc < 0) {
        bad = 1;
    } else if (rc == 0 && (op->fails || out.len != ref->len || memcmp(out.data, ref->data, out.len) != 0)) {
        bad = 1;
    } else if (rc == 1 && !*reached && !op->fails) {
        bad = 1;                       /* an error with no allocation failed */
    }
    if (bad) {
        fprintf(stderr, "  %s: allocation %ld failing (%s): %s\n", op->name, n,
                persistent ? "persistent" : "transient",
                rc < 0 ? "unclean error" : rc == 0 && op->fails ? "success where the reference fails"
                : rc == 0 ? "a different result" : "an error without a failure");
        if (rc == 0) show_difference(ref, &out);
        else fprintf(stderr, "%s\n", buf_cstr(&out));
    }
    buf_free(&out);
    if (leak_check()) {
        fprintf(stderr, "  %s: leak with allocation %ld failing (%s)\n", op->name, n,
                persistent ? "persistent" : "transient");
        bad = 1;
    }
    return bad;
}

/* One mode over every injection point, or every step-th and then all
 * of the last step; returns the number of points, or -1 after the first
 * failure. */
static long loop(const operation *op, const buf *ref, long step, int persistent)
{
    int reached;
    long n = 1;
    for (;;) {
        if (try_one(op, ref, n, persistent, &reached))
            return -1;
        if (!reached)
            break;
        n += step;
    }
    /* n is the first point tried and not reached: the count is below it */
    for (long k = n > step ? n - step + 1 : n; k < n; k++) {
        if (try_one(op, ref, k, persistent, &reached))
            return -1;
        if (!reached)
            return k - 1;
    }
    return n - 1;
}

static int check_op(const operation *op, long step)
{
    buf ref;
    buf_init(&ref);
    if (op->run(op, &ref) != op->fails) {
        fprintf(stderr, "%s: %s without injection:\n%s\n", op->name,
                op->fails ? "does not fail cleanly" : "fails", buf_cstr(&ref));
        buf_free(&ref);
        return 2;
    }
    /* an operation that must fail guards single allocations (the one
     * check_assertions makes), and is small: every point, whatever step */
    if (op->fails)
        step = 1;
    long t = loop(op, &ref, step, 0);
    long p = t < 0 ? -1 : loop(op, &ref, step, 1);
    buf_free(&ref);
    if (t < 0 || p < 0) {
        printf("%s: FAIL (%s)\n", op->name, t < 0 ? "transient" : "persistent");
        return 2;
    }
    if (step > 1)
        printf("%s: %ld injection points (every %ldth tried), transient ok, persistent ok\n", op->name, t, step);
    else
        printf("%s: %ld injection points, transient ok, persistent ok\n", op->name, t);
    fflush(stdout);
    return 0;
}

/* ---- the operations' inputs ---------------------------------------- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf b;
    buf_init(&b);
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, got);
    fclose(f);
    if (b.failed) {
        buf_free(&b);
        return NULL;
    }
    return b.data ? b.data : strdup("");
}

/* The envelope of the first valid case of cases.txt for policy `name`:
 * "file|policy|as_of|expected", where an expected error starts with '!'. */
static char *request_body(const char *top, const char *cases, const char *name, int explain)
{
    char *result = NULL;
    for (const char *line = cases; line && *line && !result; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        char file[256], pol[128], as_of[16], first;
        if (*line == '#' || sscanf(line, "%255[^|]|%127[^|]|%15[^|]|%c", file, pol, as_of, &first) != 4)
            continue;
        if (first == '!' || strcmp(pol, name) != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/tests/requests/%s", top, file);
        char *input = read_file(path);
        if (!input)
            continue;
        buf b;
        buf_init(&b);
        buf_printf(&b, "{\"policy\":\"%s\",\"as_of\":\"%s\",\"explain\":%s,\"input\":%s}", pol, as_of,
                   explain ? "true" : "false", input);
        free(input);
        result = b.data;
    }
    return result;
}

static int want(const char *only, const char *name)
{
    return !only || strstr(name, only) != NULL;
}

int main(int argc, char **argv)
{
    long step = 1;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--step") == 0 && i + 1 < argc) step = atol(argv[++i]);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = argv[++i];
        else { fprintf(stderr, "usage: oom_loop [--step K] [--only NAME]\n"); return 2; }
    }
    if (step < 1) step = 1;
    const char *top = getenv("top_srcdir");
    if (!top || !*top) top = ".";
    static char policies[1024], test_policies[1024], assert_fails[1024], cases_path[1024];
    snprintf(policies, sizeof policies, "%s/policies", top);
    snprintf(test_policies, sizeof test_policies, "%s/tests/policies", top);
    snprintf(assert_fails, sizeof assert_fails, "%s/tests/oom/assert_fails", top);
    snprintf(cases_path, sizeof cases_path, "%s/tests/requests/cases.txt", top);

    registry shipped;
    diag_list dl;
    diag_list_init(&dl);
    const char *paths[1] = {policies};
    if (registry_load(&shipped, paths, 1, NULL, &dl)) {
        diag_print(&dl, stderr);
        return 2;
    }
    diag_list_free(&dl);
    char *cases = read_file(cases_path);
    if (!cases) {
        perror(cases_path);
        return 2;
    }

    int passed = 0, failed = 0;
    operation compile[3] = {
        {.name = "compile policies/", .paths = {policies}, .npaths = 1, .run = run_compile},
        {.name = "compile policies/ tests/policies/", .paths = {policies, test_policies}, .npaths = 2,
         .model_dir = policies, .run = run_compile},
        {.name = "compile a failing assertion", .paths = {assert_fails}, .npaths = 1,
         .model_dir = policies, .fails = 1, .run = run_compile},
    };
    for (int i = 0; i < 3; i++) {
        if (!want(only, compile[i].name)) continue;
        if (check_op(&compile[i], step)) failed += 2; else passed += 2;
    }
    for (uint32_t i = 0; i < shipped.npolicies; i++) {
        const policy *p = shipped.policies[i];
        for (int explain = 0; explain <= 1; explain++) {
            operation op = {.p = p, .explain = explain, .run = run_request};
            snprintf(op.name, sizeof op.name, "request %s%s", p->name, explain ? " --explain" : "");
            if (!want(only, op.name)) continue;
            char *body = request_body(top, cases, p->name, explain);
            if (!body) {
                printf("%s: no valid case in tests/requests/cases.txt\n", op.name);
                failed++;
                continue;
            }
            op.body = body;
            if (check_op(&op, step)) failed += 2; else passed += 2;
            free(body);
        }
    }
    free(cases);
    registry_free(&shipped);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
