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
 * Progress goes to stderr when that is a terminal, as replay's does.
 * Exit 0; 1 when the candidate does not compile or tampered rows were
 * found (reported, and left out of every figure); 2 on arguments and
 * database errors; 3 when the database cannot be reached.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "audit/impact.h"

enum { O_FROM, O_TO, O_JSON, O_HISTOGRAM, O_ELIGIBILITY, O_BENEFIT, O_POLICIES, O_DB };
static const cli_opt impact_opts[] = {
    [O_FROM] = {"from", CLI_VALUE, "DATE", "first day of the stored decisions (YYYY-MM-DD)"},
    [O_TO] = {"to", CLI_VALUE, "DATE", "last day"},
    [O_JSON] = {"json", CLI_FLAG, NULL, "print the API's JSON report"},
    [O_HISTOGRAM] = {"histogram", CLI_FLAG, NULL, "a text histogram of the benefit changes (on by default on a terminal)"},
    [O_ELIGIBILITY] = {"eligibility", CLI_VALUE, "OUTPUT", "the bool output compared"},
    [O_BENEFIT] = {"benefit", CLI_VALUE, "OUTPUT", "the money output compared"},
    [O_POLICIES] = CLI_OPT_POLICIES,
    [O_DB] = {"db", CLI_VALUE, "URL", "mariadb://user:pass@host:port/db ($ELIGO_DB)"},
};
static const cli_cmd impact_cmd = {"impact", "CANDIDATE.policy --from DATE --to DATE [--json] [--histogram] "
                                   "[--eligibility OUTPUT] [--benefit OUTPUT] [--policies DIR] [--db URL]",
                                   "Re-runs stored decisions under a candidate policy text and reports the changes.",
                                   1, 1, impact_opts, CLI_NOPTS(impact_opts)};

static void progress(void *arg, const impact_report *r)
{
    (void)arg;
    uint64_t rate = r->elapsed_ms ? r->checked * 1000 / r->elapsed_ms : 0;
    fprintf(stderr, "\r  %llu checked, %llu became eligible, %llu lost eligibility, %llu failed, %llu decisions/s ",
            (unsigned long long)r->checked, (unsigned long long)r->count[IMPACT_BECAME_ELIGIBLE],
            (unsigned long long)r->count[IMPACT_LOST_ELIGIBILITY], (unsigned long long)r->count[IMPACT_FAILED],
            (unsigned long long)rate);
}

int cmd_impact(int argc, char **argv)
{
    cli_args a;
    int parsed = cli_parse(&impact_cmd, argc, argv, &a);
    if (parsed != CLI_RUN) return parsed;
    const char *url = a.v[O_DB], *from = a.v[O_FROM], *to = a.v[O_TO], *dir = a.v[O_POLICIES];
    char *candidate = a.pos[0];
    impact_options o = {.eligibility = a.v[O_ELIGIBILITY], .benefit = a.v[O_BENEFIT]};
    int json = a.v[O_JSON] != NULL, histogram = a.v[O_HISTOGRAM] || isatty(1);
    if (!from || !to) return cli_usage_error(&impact_cmd, "--from and --to are required");
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
    store_options so = {.url = url, .allow_nondurable = 1};
    int status;
    store *s = cli_open_store("impact", &so, &status);
    if (!s) { registry_free(&r); return status; }
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
    int tty = isatty(2);
    if (tty) o.progress = progress;
    store_rc rc = impact_run(s, p, &o, from, to, &rep);
    if (tty) fputc('\n', stderr);
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
