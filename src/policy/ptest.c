/*
 * ptest.c - runs one `test` block of a policy (ptest.h): its `given`
 * written as the JSON a portal sends, validated and evaluated as a
 * request is, and each `expect` compared with the output (values by
 * type, labels as the citizen reads them, errors and refusals by text).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy/ptest.h"
#include "base/buf.h"
#include "eval/date.h"
#include "eval/decimal.h"
#include "eval/eval.h"
#include "eval/explain.h"
#include "io/json_in.h"
#include "io/json_out.h"

/* The policy-language literal `n` as JSON text. */
static void literal_json(buf *b, const ast_node *n)
{
    switch (n->kind) {
    case AST_INT: case AST_DEC: buf_adds(b, n->text); break;
    case AST_UNARY: buf_addc(b, '-'); literal_json(b, n->a); break;
    case AST_STRING: case AST_DATE: case AST_NAME: buf_json_string(b, n->text, strlen(n->text)); break;
    case AST_BOOL: buf_adds(b, n->op ? "true" : "false"); break;
    case AST_LIST:
        buf_addc(b, '[');
        for (ast_node *i = n->a; i; i = i->next) {
            if (i != n->a) buf_addc(b, ',');
            literal_json(b, i);
        }
        buf_addc(b, ']');
        break;
    case AST_OBJECT:
        buf_addc(b, '{');
        for (ast_node *pr = n->a; pr; pr = pr->next) {
            if (pr != n->a) buf_addc(b, ',');
            buf_json_string(b, pr->text, strlen(pr->text));
            buf_addc(b, ':');
            literal_json(b, pr->a);
        }
        buf_addc(b, '}');
        break;
    default: buf_adds(b, "null"); break;
    }
}

void ptest_given_json(buf *b, const ast_node *tn)
{
    buf_addc(b, '{');
    for (ast_node *g = tn->b; g; g = g->next) {
        if (g != tn->b) buf_addc(b, ',');
        buf_json_string(b, g->text, strlen(g->text));
        buf_addc(b, ':');
        literal_json(b, g->a);
    }
    buf_addc(b, '}');
}

/* Compares an expected literal with an actual value: 1 when equal. */
static int same_value(const ast_node *e, const ty *t, const ev_cell *v)
{
    int64_t x;
    const char *s = e->text;
    switch (t->kind) {
    case TY_BOOL: return e->kind == AST_BOOL && e->op == v->i;
    case TY_INT:
        if (e->kind == AST_UNARY) return e->a->kind == AST_INT && dec_parse(e->a->text, strlen(e->a->text), &x) == DEC_OK && -x / DEC_SCALE == v->i;
        return e->kind == AST_INT && dec_parse(s, strlen(s), &x) == DEC_OK && x / DEC_SCALE == v->i;
    case TY_MONEY: case TY_DECIMAL:
        if (e->kind == AST_UNARY) return (e->a->kind == AST_INT || e->a->kind == AST_DEC) && dec_parse(e->a->text, strlen(e->a->text), &x) == DEC_OK && -x == v->i;
        return (e->kind == AST_INT || e->kind == AST_DEC) && dec_parse(s, strlen(s), &x) == DEC_OK && x == v->i;
    case TY_DATE: return e->kind == AST_DATE && date_parse(s, strlen(s), &x) == 0 && x == v->i;
    case TY_ENUM: return (e->kind == AST_NAME || e->kind == AST_STRING) && enum_value(t->en, s, strlen(s)) == v->i;
    case TY_TEXT: return e->kind == AST_STRING && strlen(s) == v->s.len && memcmp(s, v->s.ptr, v->s.len) == 0;
    case TY_LIST: {
        if (e->kind != AST_LIST || ast_list_len(e->a) != v->l.n) return 0;
        uint32_t i = 0;
        for (ast_node *it = e->a; it; it = it->next, i++)
            if (!same_value(it, t->elem, v->l.base + (size_t)i * v->l.stride)) return 0;
        return 1;
    }
    case TY_MAP: {
        if (e->kind != AST_OBJECT || ast_list_len(e->a) != v->l.n) return 0;
        for (ast_node *pr = e->a; pr; pr = pr->next) {
            int found = 0;
            for (uint32_t i = 0; i < v->l.n && !found; i++) {
                const ev_cell *k = v->l.base + 2 * (size_t)i;
                if (strlen(pr->text) == k->s.len && memcmp(pr->text, k->s.ptr, k->s.len) == 0)
                    found = same_value(pr->a, t->elem, k + 1) ? 1 : -1;
            }
            if (found != 1) return 0;
        }
        return 1;
    }
    default: return 0;
    }
}

static void report(const ptest_run *r, const policy *p, const policy_test *t, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Hands one failure of t to the caller, at the line of its `test`. */
static void report(const ptest_run *r, const policy *p, const policy_test *t, const char *fmt, ...)
{
    uint32_t line, col;
    source_linecol(t->src, t->node->loc.start, &line, &col);
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->fail(r->ctx, p, t, line, msg);
}


/* `expect reason|label OUT contains|= "text"` (EXPECT op 2, ast.h);
 * returns 1 when it holds. */
static int label_ok(const ptest_run *r, const policy_test *t, const policy *p, const ast_node *e, const ev_def *d,
                    const ev_cell *frame)
{
    buf got;
    buf_init(&got);
    explain_label(&got, d, frame);   /* as the citizen reads it */
    const char *have = buf_cstr(&got), *want = e->a->text;
    int contains = e->c != NULL;
    int ok = contains ? strstr(have, want) != NULL : strcmp(have, want) == 0;
    if (!ok)
        report(r, p, t, "%s of `%s`: expected %s\"%s\", got \"%s\"", e->b->text, e->text,
               contains ? "a text containing " : "", want, have);
    buf_free(&got);
    return ok;
}

/* Each `expect` of a test whose decision succeeded, against the frame:
 * 1 when all hold (each one that does not is reported). */
static int expectations_hold(const ptest_run *r, const policy *p, const policy_test *t, const ev_cell *frame)
{
    int ok = 1;
    for (ast_node *e = t->node->c; e; e = e->next) {
        if (e->op == 4) continue;       /* warnings_hold */
        const ev_def *d = policy_def(p, e->text);
        if (!d) {
            report(r, p, t, "no output named `%s`", e->text);
            ok = 0;
        } else if (e->op == 2) {
            if (!label_ok(r, t, p, e, d, frame)) ok = 0;
        } else if (!same_value(e->a, d->type, &frame[d->slot])) {
            buf exp, act;
            buf_init(&exp);
            buf_init(&act);
            literal_json(&exp, e->a);
            json_write_value(&act, d->type, &frame[d->slot]);
            report(r, p, t, "output `%s`: expected %s, got %s", e->text, buf_cstr(&exp), buf_cstr(&act));
            buf_free(&exp);
            buf_free(&act);
            ok = 0;
        }
    }
    return ok;
}

/* The warnings of a decision against the test's `expect warning
 * "text"` lines: each expected one held (its text, placeholders filled,
 * is the expected text), and no other held, as an output with another
 * value would fail.  1 when they agree. */
static int warnings_hold(const ptest_run *r, const policy *p, const policy_test *t, ev_ctx *c)
{
    int ok = 1;
    uint64_t expected = 0;
    buf got;
    buf_init(&got);
    for (ast_node *e = t->node->c; e; e = e->next) {
        if (e->op != 4) continue;
        uint32_t i = 0;
        for (; i < p->tree.nwarnings; i++) {
            buf_reset(&got);
            explain_warning_text(&got, c, i);
            if (strcmp(buf_cstr(&got), e->a->text) == 0) break;
        }
        if (i < p->tree.nwarnings && (c->warned >> i & 1)) { expected |= UINT64_C(1) << i; continue; }
        report(r, p, t, "expected the warning \"%s\", and it did not hold", e->a->text);
        ok = 0;
    }
    for (uint32_t i = 0; i < p->tree.nwarnings; i++) {
        if (!(c->warned >> i & 1) || (expected >> i & 1)) continue;
        buf_reset(&got);
        explain_warning_text(&got, c, i);
        report(r, p, t, "the warning \"%s\" held, and the test does not expect it", buf_cstr(&got));
        ok = 0;
    }
    buf_free(&got);
    return ok;
}

int ptest_one(const ptest_run *r, const policy *p, const policy_test *t)
{
    const ast_node *tn = t->node;
    int64_t as_of;
    if (!tn->a || date_parse(tn->a->text, strlen(tn->a->text), &as_of)) {
        report(r, p, t, "invalid `as of` date");
        return 0;
    }
    const ast_node *err_expect = NULL, *refused_expect = NULL;
    for (ast_node *e = tn->c; e; e = e->next) {
        if (e->op == 1) err_expect = e;
        if (e->op == 3) refused_expect = e;
    }
    buf in;
    buf_init(&in);
    ptest_given_json(&in, tn);
    if (r->inputs)
        fprintf(r->inputs, "%s\t%s\t%s\n", p->name, tn->a->text, buf_cstr(&in));
    arena pool;
    arena_init(&pool, 16384);
    json_errors errs;
    ev_cell *root = NULL;
    char problem[1024] = "";
    int ok = 1;
    ev_cell *frame = calloc(p->tree.nslots, sizeof(ev_cell));
    ev_ctx c;
    ev_ctx_init(&c, &p->tree, frame, &pool);
    c.cov = r->cov;
    if (json_input_parse(in.data, in.len, p->root, "", &pool, &root, &errs) != JSON_OK) {
        size_t len = 0;
        for (size_t i = 0; i < errs.n && len < sizeof problem - 1; i++)
            len += (size_t)snprintf(problem + len, sizeof problem - len, "%s%s: %s", i ? "; " : "",
                                    errs.items[i].path, errs.items[i].detail);
    } else if (ev_bind(&c, as_of) || ev_run(&c, root)) {
        snprintf(problem, sizeof problem, "%s%s", c.err.code == EVE_REFUSED ? "refused: " : "", c.err.msg);
    }
    if (refused_expect) {
        const char *want = refused_expect->a->text;
        if (!problem[0]) {
            report(r, p, t, "expected a refusal \"%s\", but the decision succeeded", want);
            ok = 0;
        } else if (c.err.code != EVE_REFUSED || strcmp(c.err.msg, want) != 0) {
            report(r, p, t, "expected a refusal \"%s\", got: %s", want, problem);
            ok = 0;
        }
    } else if (err_expect) {
        const char *want = err_expect->a ? err_expect->a->text : "";
        if (!problem[0]) {
            report(r, p, t, "expected an error containing \"%s\", but the decision succeeded", want);
            ok = 0;
        } else if (!strstr(problem, want)) {
            report(r, p, t, "expected an error containing \"%s\", got: %s", want, problem);
            ok = 0;
        }
    } else if (problem[0]) {
        report(r, p, t, "%s", problem);
        ok = 0;
    } else {
        ok = expectations_hold(r, p, t, frame);
        ok &= warnings_hold(r, p, t, &c);
    }
    free(frame);
    arena_free(&pool);
    buf_free(&in);
    return ok;
}
