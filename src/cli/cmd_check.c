/*
 * cmd_check.c - `eligo check [--assumptions] [PATH...]`: compile every
 * policy, print every diagnostic (errors and warnings, with the source
 * line and a caret), exit 1 when there is an error.  With --assumptions,
 * also list every value, row and policy that states an assumption
 * instead of quoting a document (lang/cite.h), one per line:
 * `file:line: what: text`.
 */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"

static void print_assumptions(const registry *r)
{
    for (uint32_t i = 0; i < r->npolicies; i++) {
        const policy *p = r->policies[i];
        for (uint32_t k = 0; k < p->nassumptions; k++)
            printf("%s:%u: %s: %s\n", p->src->name, p->assumptions[k].line, p->assumptions[k].what,
                   p->assumptions[k].text);
    }
}

int cmd_check(int argc, char **argv)
{
    char *paths[256];
    int n = 0, assumptions = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--assumptions") == 0) { assumptions = 1; continue; }
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "eligo check: unknown option %s\n", argv[i]);
            return 2;
        }
        if (n < 256) paths[n++] = argv[i];
    }
    registry r;
    if (cli_load(&r, paths, n, NULL))
        return EXIT_POLICY;
    if (assumptions) print_assumptions(&r);
    registry_free(&r);
    return EXIT_OK;
}
