/*
 * cmd_test.c - `eligo test [--coverage] [--junit FILE] [--inputs FILE]
 * [--policies DIR] [PATH...]`: runs the `test` blocks of every policy (policy/ptest.c runs
 * each one, as POST /v1/check does).  Each
 * failing test prints its location, name, date, output, expected and
 * actual value; the run ends with `N passed, N failed`.  `expect reason`
 * and `expect label` compare the output's label as rendered for the
 * household (its `reasons` entry) with a text.  --coverage lists
 * the table rows and `unless` rules no test reached; --junit writes a
 * JUnit XML report for CI systems; --inputs writes each test's input
 * JSON as a line "policy<TAB>as_of<TAB>json" (the schema test replays
 * them, tests/api/schema.sh).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "policy/ptest.h"

typedef struct run {
    int passed, failed;
    int coverage;
    FILE *junit;
    buf junit_cases;
} run;

/* ptest's failure: printed, and kept for the JUnit report. */
static void report(void *ctx, const policy *p, const policy_test *t, uint32_t line, const char *msg)
{
    run *r = ctx;
    printf("%s:%u: FAIL %s \"%s\" as of %s: %s\n", t->src->name, line, p->name,
           t->node->label ? t->node->label->text : "", t->node->a ? t->node->a->text : "?", msg);
    buf_adds(&r->junit_cases, "<failure message=\"");
    for (const char *s = msg; *s; s++) {
        switch (*s) {
        case '<': buf_adds(&r->junit_cases, "&lt;"); break;
        case '>': buf_adds(&r->junit_cases, "&gt;"); break;
        case '&': buf_adds(&r->junit_cases, "&amp;"); break;
        case '"': buf_adds(&r->junit_cases, "&quot;"); break;
        default: buf_addc(&r->junit_cases, *s);
        }
    }
    buf_adds(&r->junit_cases, "\"/>");
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

enum { O_COVERAGE, O_JUNIT, O_INPUTS, O_POLICIES };
static const cli_opt test_opts[] = {
    [O_COVERAGE] = {"coverage", CLI_FLAG, NULL, "report the branches no test reached"},
    [O_JUNIT] = {"junit", CLI_VALUE, "FILE", "also write the results as JUnit XML"},
    [O_INPUTS] = {"inputs", CLI_VALUE, "FILE", "also write each test's input JSON, a line \"policy TAB as_of TAB json\""},
    [O_POLICIES] = CLI_OPT_POLICIES,
};
static const cli_cmd test_cmd = {"test", "[--coverage] [--junit FILE] [--inputs FILE] [--policies DIR] [PATH...]",
                                 "Runs the policy tests (*.test beside the policies).", 0, CLI_MAX_POS, test_opts,
                                 CLI_NOPTS(test_opts)};

int cmd_test(int argc, char **argv)
{
    run r;
    memset(&r, 0, sizeof r);
    buf_init(&r.junit_cases);
    const char *junit = NULL, *inputs = NULL;
    ptest_run pr = {report, &r, NULL, NULL};
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
    if (cli_load(&reg, paths, n, a.v[O_POLICIES])) return EXIT_POLICY;
    if (inputs && !(pr.inputs = fopen(inputs, "w"))) {
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
            pr.cov = cov;
            int ok = ptest_one(&pr, p, &p->tests[k]);
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
    if (pr.inputs) fclose(pr.inputs);
    printf("%d passed, %d failed\n", r.passed, r.failed);
    buf_free(&cases);
    buf_free(&r.junit_cases);
    registry_free(&reg);
    return r.failed ? 1 : 0;
}
