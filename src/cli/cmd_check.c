/*
 * cmd_check.c - `eligo check [--assumptions] [--policies DIR] [PATH...]`: compile every
 * policy, print every diagnostic (errors and warnings, with the source
 * line and a caret), exit 1 when there is an error.  With --assumptions,
 * also list every value, row and policy that states an assumption
 * instead of quoting a document (lang/cite.h), one per line:
 * `file:line: what: text`.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "lang/source.h"

static void print_assumptions(const registry *r)
{
    for (uint32_t i = 0; i < r->npolicies; i++) {
        const policy *p = r->policies[i];
        for (uint32_t k = 0; k < p->nassumptions; k++) {
            const policy_assumption *a = &p->assumptions[k];
            uint32_t line, col;
            source_linecol(p->src, a->offset, &line, &col);
            printf("%s:%u: %s", p->src->name, line, a->what);
            if (a->name) printf(" %s", a->name);
            if (a->from) printf(" from %s", a->from);
            if (a->row) printf(" row %u", a->row);
            printf(": %s\n", a->text);
        }
    }
}

enum { O_ASSUMPTIONS, O_POLICIES };
static const cli_opt check_opts[] = {
    [O_ASSUMPTIONS] = {"assumptions", CLI_FLAG, NULL, "also list every assumption stated instead of a quotation"},
    [O_POLICIES] = CLI_OPT_POLICIES,
};
static const cli_cmd check_cmd = {"check", "[--assumptions] [--policies DIR] [PATH...]",
                                  "Compiles policies, checks their citations and prints every diagnostic.", 0,
                                  CLI_MAX_POS, check_opts, CLI_NOPTS(check_opts)};

int cmd_check(int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(&check_cmd, argc, argv, &a);
    if (rc != CLI_RUN) return rc;
    registry r;
    if (cli_load(&r, a.pos, a.npos, a.v[O_POLICIES]))
        return EXIT_POLICY;
    if (a.v[O_ASSUMPTIONS]) print_assumptions(&r);
    registry_free(&r);
    return EXIT_OK;
}
