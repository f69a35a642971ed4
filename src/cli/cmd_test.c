/*
 * cmd_test.c - `eligo test [--coverage] [--junit FILE] [--inputs FILE]
 * [PATH...]`: runs the `test` blocks of every policy.
 *
 * A test's `given` is written in the policy language; it is turned into
 * the same JSON a portal would send and goes through the same validation
 * (io/json_in.c), so a test exercises exactly the production path.  Each
 * failing test prints its location, name, date, output, expected and
 * actual value; the run ends with `N passed, N failed`.  `expect reason`
 * and `expect label` compare the output's label as rendered for the
 * household (its `reasons` entry) with a text.  --coverage lists
 * the table rows and `unless` rules no test reached; --junit writes a
 * JUnit XML report for CI systems; --inputs writes each test's input
 * JSON as a line "policy<TAB>as_of<TAB>json" (the schema test replays
 * them, tests/api/schema.sh).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
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

typedef struct run {
    int passed, failed;
    int coverage;
    FILE *junit;
    FILE *inputs;             /* --inputs, or NULL */
    buf junit_cases;
} run;

static void report(run *r, const policy_test *t, const char *pname, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report(run *r, const policy_test *t, const char *pname, const char *fmt, ...)
{
    uint32_t line, col;
    source_linecol(t->src, t->node->loc.start, &line, &col);
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("%s:%u: FAIL %s \"%s\" as of %s: %s\n", t->src->name, line, pname,
           t->node->label ? t->node->label->text : "", t->node->a ? t->node->a->text : "?", msg);
    buf_adds(&r->junit_cases, "<failure message=\"");
    for (const char *p = msg; *p; p++) {
        switch (*p) {
        case '<': buf_adds(&r->junit_cases, "&lt;"); break;
        case '>': buf_adds(&r->junit_cases, "&gt;"); break;
        case '&': buf_adds(&r->junit_cases, "&amp;"); break;
        case '"': buf_adds(&r->junit_cases, "&quot;"); break;
        default: buf_addc(&r->junit_cases, *p);
        }
    }
    buf_adds(&r->junit_cases, "\"/>");
}


/* `expect reason|label OUT contains|= "text"` (EXPECT op 2, ast.h);
 * returns 1 when it holds. */
static int label_ok(run *r, const policy_test *t, const policy *p, const ast_node *e, const ev_def *d,
                    const ev_cell *frame)
{
    buf got;
    buf_init(&got);
    explain_label(&got, d, frame);   /* as the citizen reads it */
    const char *have = buf_cstr(&got), *want = e->a->text;
    int contains = e->c != NULL;
    int ok = contains ? strstr(have, want) != NULL : strcmp(have, want) == 0;
    if (!ok)
        report(r, t, p->name, "%s of `%s`: expected %s\"%s\", got \"%s\"", e->b->text, e->text,
               contains ? "a text containing " : "", want, have);
    buf_free(&got);
    return ok;
}

/* Runs one test; returns 1 when it passed. */
static int run_test(run *r, const policy *p, const policy_test *t, uint32_t *cov)
{
    const ast_node *tn = t->node;
    int64_t as_of;
    if (!tn->a || date_parse(tn->a->text, strlen(tn->a->text), &as_of)) {
        report(r, t, p->name, "invalid `as of` date");
        return 0;
    }
    const ast_node *err_expect = NULL, *refused_expect = NULL;
    for (ast_node *e = tn->c; e; e = e->next) {
        if (e->op == 1) err_expect = e;
        if (e->op == 3) refused_expect = e;
    }
    buf in;
    buf_init(&in);
    buf_addc(&in, '{');
    for (ast_node *g = tn->b; g; g = g->next) {
        if (g != tn->b) buf_addc(&in, ',');
        buf_json_string(&in, g->text, strlen(g->text));
        buf_addc(&in, ':');
        literal_json(&in, g->a);
    }
    buf_addc(&in, '}');
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
    c.cov = cov;
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
            report(r, t, p->name, "expected a refusal \"%s\", but the decision succeeded", want);
            ok = 0;
        } else if (c.err.code != EVE_REFUSED || strcmp(c.err.msg, want) != 0) {
            report(r, t, p->name, "expected a refusal \"%s\", got: %s", want, problem);
            ok = 0;
        }
    } else if (err_expect) {
        const char *want = err_expect->a ? err_expect->a->text : "";
        if (!problem[0]) {
            report(r, t, p->name, "expected an error containing \"%s\", but the decision succeeded", want);
            ok = 0;
        } else if (!strstr(problem, want)) {
            report(r, t, p->name, "expected an error containing \"%s\", got: %s", want, problem);
            ok = 0;
        }
    } else if (problem[0]) {
        report(r, t, p->name, "%s", problem);
        ok = 0;
    } else {
        for (ast_node *e = tn->c; e; e = e->next) {
            const ev_def *d = policy_def(p, e->text);
            if (!d) {
                report(r, t, p->name, "no output named `%s`", e->text);
                ok = 0;
                continue;
            }
            if (e->op == 2) {
                if (!label_ok(r, t, p, e, d, frame)) ok = 0;
                continue;
            }
            if (!same_value(e->a, d->type, &frame[d->slot])) {
                buf exp, act;
                buf_init(&exp);
                buf_init(&act);
                literal_json(&exp, e->a);
                json_write_value(&act, d->type, &frame[d->slot]);
                report(r, t, p->name, "output `%s`: expected %s, got %s", e->text, buf_cstr(&exp), buf_cstr(&act));
                buf_free(&exp);
                buf_free(&act);
                ok = 0;
            }
        }
    }
    free(frame);
    arena_free(&pool);
    buf_free(&in);
    return ok;
}

static void print_uncovered(const policy *p, const uint32_t *cov)
{
    const ev_tree *t = &p->tree;
    for (uint32_t i = 0; i < t->nrules; i++)
        if (!cov[i])
            printf("%s:%u: not covered: rule of `%s`%s%s\n", p->src->name, t->rules[i].line,
                   t->defs[t->rules[i].def].name, t->rules[i].label ? ": " : "",
                   t->rules[i].label ? t->rules[i].label : "");
    for (uint32_t k = 0; k < t->ntables; k++) {
        const ev_table *et = &t->tables[k];
        for (uint32_t r = 0; r < et->nrows; r++)
            if (!cov[et->first_cov + r])
                printf("%s:%u: not covered: table `%s` row %u%s%s\n", p->src->name, et->row_line[r], et->name,
                       r + 1, et->row_label[r] ? ": " : "", et->row_label[r] ? et->row_label[r] : "");
        if (et->else_out >= 0 && !cov[et->first_cov + et->nrows])
            printf("%s: not covered: table `%s` else row\n", p->src->name, et->name);
    }
}

enum { O_COVERAGE, O_JUNIT, O_INPUTS };
static const cli_opt test_opts[] = {
    [O_COVERAGE] = {"coverage", CLI_FLAG, NULL, "report the branches no test reached"},
    [O_JUNIT] = {"junit", CLI_VALUE, "FILE", "also write the results as JUnit XML"},
    [O_INPUTS] = {"inputs", CLI_VALUE, "FILE", "also write each test's input JSON, a line \"policy TAB as_of TAB json\""},
};
static const cli_cmd test_cmd = {"test", "[--coverage] [--junit FILE] [--inputs FILE] [PATH...]",
                                 "Runs the policy tests (*.test beside the policies).", 0, CLI_MAX_POS, test_opts,
                                 CLI_NOPTS(test_opts)};

int cmd_test(int argc, char **argv)
{
    run r;
    memset(&r, 0, sizeof r);
    buf_init(&r.junit_cases);
    const char *junit = NULL, *inputs = NULL;
    char *paths[256];
    int n = 0;
    cli_args a;
    int parsed = cli_parse(&test_cmd, argc, argv, &a);
    if (parsed != CLI_RUN) return parsed;
    r.coverage = a.v[O_COVERAGE] != NULL;
    junit = a.v[O_JUNIT];
    inputs = a.v[O_INPUTS];
    for (int i = 0; i < a.npos && n < 256; i++) paths[n++] = a.pos[i];
    registry reg;
    if (cli_load(&reg, paths, n, NULL)) return EXIT_POLICY;
    if (inputs && !(r.inputs = fopen(inputs, "w"))) {
        perror(inputs);
        registry_free(&reg);
        return EXIT_INPUT;
    }
    buf cases;
    buf_init(&cases);
    for (uint32_t i = 0; i < reg.npolicies; i++) {
        const policy *p = reg.policies[i];
        uint32_t *cov = calloc(p->tree.ncov + 1, sizeof(uint32_t));
        for (uint32_t k = 0; k < p->ntests; k++) {
            buf_reset(&r.junit_cases);
            int ok = run_test(&r, p, &p->tests[k], cov);
            if (ok) r.passed++; else r.failed++;
            const ast_node *tn = p->tests[k].node;
            buf_printf(&cases, "<testcase classname=\"%s\" name=\"", p->name);
            for (const char *s = tn->label ? tn->label->text : ""; *s; s++) {
                if (*s == '"') buf_adds(&cases, "&quot;");
                else if (*s == '&') buf_adds(&cases, "&amp;");
                else if (*s == '<') buf_adds(&cases, "&lt;");
                else buf_addc(&cases, *s);
            }
            buf_adds(&cases, "\">");
            if (!ok) buf_add(&cases, r.junit_cases.data, r.junit_cases.len);
            buf_adds(&cases, "</testcase>\n");
        }
        if (r.coverage && cov) print_uncovered(p, cov);
        free(cov);
    }
    if (junit) {
        FILE *f = fopen(junit, "w");
        if (!f) { perror(junit); }
        else {
            fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"eligo\" tests=\"%d\" failures=\"%d\">\n",
                    r.passed + r.failed, r.failed);
            fwrite(cases.data ? cases.data : "", 1, cases.len, f);
            fprintf(f, "</testsuite>\n");
            fclose(f);
        }
    }
    if (r.inputs) fclose(r.inputs);
    printf("%d passed, %d failed\n", r.passed, r.failed);
    buf_free(&cases);
    buf_free(&r.junit_cases);
    registry_free(&reg);
    return r.failed ? 1 : 0;
}
