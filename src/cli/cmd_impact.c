/*
 * cmd_impact.c - `eligo impact CANDIDATE.policy --from DATE --to DATE`:
 * the officer's "what if" over the stored decisions of the candidate's
 * policy (audit/impact.c does the work).
 *
 * The candidate is compiled against the models of the policy folder
 * (--policies, $ELIGO_POLICIES or policies/), like `eligo check`; a
 * candidate that does not compile gets its diagnostics and exit 1.
 * Prints a table and, on a terminal or with --histogram, a text
 * histogram of the benefit changes; --json prints the API's report.
 * Options --eligibility NAME and --benefit NAME choose the outputs to
 * compare; a named output of the wrong kind, --from after --to, or a
 * policy no decision was made under is refused before any row is read.
 * Exit 0; 1 when the candidate does not compile or tampered rows were
 * found (reported, and left out of every figure); 2 on arguments and
 * database failures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "audit/impact.h"

static int usage(void)
{
    fprintf(stderr, "usage: eligo impact CANDIDATE.policy --from DATE --to DATE [--json] [--histogram]\n"
                    "       [--eligibility OUTPUT] [--benefit OUTPUT] [--policies DIR] [--db URL]\n");
    return EXIT_INPUT;
}

int cmd_impact(int argc, char **argv)
{
    const char *url = NULL, *from = NULL, *to = NULL, *dir = NULL;
    char *candidate = NULL;
    impact_options o = {0};
    int json = 0, histogram = isatty(1);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) url = argv[++i];
        else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc) from = argv[++i];
        else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc) to = argv[++i];
        else if (strcmp(argv[i], "--policies") == 0 && i + 1 < argc) dir = argv[++i];
        else if (strcmp(argv[i], "--eligibility") == 0 && i + 1 < argc) o.eligibility = argv[++i];
        else if (strcmp(argv[i], "--benefit") == 0 && i + 1 < argc) o.benefit = argv[++i];
        else if (strcmp(argv[i], "--json") == 0) json = 1;
        else if (strcmp(argv[i], "--histogram") == 0) histogram = 1;
        else if (argv[i][0] != '-' && !candidate) candidate = argv[i];
        else return usage();
    }
    if (!candidate || !from || !to) return usage();
    (void)cli_date_arg("--from", from);
    (void)cli_date_arg("--to", to);
    registry r;
    if (cli_load(&r, &candidate, 1, dir)) return EXIT_POLICY;
    if (r.npolicies != 1) {
        fprintf(stderr, "eligo impact: %s holds %u policies; give one candidate file\n", candidate, r.npolicies);
        registry_free(&r);
        return EXIT_INPUT;
    }
    const policy *p = r.policies[0];
    store *s = cli_open_store("impact", url, 1);
    if (!s) { registry_free(&r); return EXIT_INPUT; }
    const char *pointer = NULL, *why = impact_check(s, p, &o, from, to, &pointer);
    if (why) {
        fprintf(stderr, "eligo impact: %s%s%s\n", pointer ? pointer + 1 : "", pointer ? ": " : "", why);
        store_close(s);
        registry_free(&r);
        return EXIT_INPUT;
    }
    char range[256];
    store_access_range(range, p->name, from, to);
    if (cli_access_log(s, "impact", range)) {
        store_close(s);
        registry_free(&r);
        return EXIT_INPUT;
    }
    impact_report rep;
    store_rc rc = impact_run(s, p, &o, from, to, &rep);
    int exit_code = EXIT_OK;
    if (rc != STORE_OK) {
        fprintf(stderr, "eligo impact: stopped after %llu decisions: %s\n", (unsigned long long)rep.checked,
                store_last_error(s));
        exit_code = EXIT_INPUT;
    } else if (json) {
        buf out;
        buf_init(&out);
        impact_report_json(&rep, from, to, &out);
        printf("%s\n", buf_cstr(&out));
        buf_free(&out);
    } else {
        impact_report_text(&rep, from, to, histogram, stdout);
    }
    if (exit_code == EXIT_OK && rep.count[IMPACT_TAMPERED]) exit_code = 1;
    impact_report_free(&rep);
    store_close(s);
    registry_free(&r);
    return exit_code;
}
