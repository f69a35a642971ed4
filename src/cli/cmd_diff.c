/*
 * cmd_diff.c - `eligo diff OLD NEW [--as-of DATE | --from DATE --to DATE]
 * [--json]`: which inputs two versions of a policy decide differently
 * (analysis/diff.h does the work).
 *
 * OLD and NEW are policy files, compiled against the models of the
 * policy folder like `eligo check` does; OLD may instead be the name of a
 * policy in that folder (the shipped version), and either may be the
 * hash of a policy text stored with decisions ("sha256:..."), read from
 * the database of --db or $ELIGO_DB (the read is logged first, as every
 * read of stored data) and compiled against the folder's models.
 * Without dates the diff covers both versions' whole periods, period by
 * period as their parameters change.  Exit 0 when the versions are proved equivalent, 1
 * when they differ or equivalence could not be proved (or a version does
 * not compile), 2 on arguments, 3 when the database of a stored version
 * cannot be reached.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "analysis/diff.h"
#include "eval/date.h"

enum { O_AS_OF, O_FROM, O_TO, O_JSON, O_MAX, O_POLICIES, O_DB };
static const cli_opt diff_opts[] = {
    [O_AS_OF] = {"as-of", CLI_VALUE, "DATE", "compare the rules in force on DATE only"},
    [O_FROM] = {"from", CLI_VALUE, "DATE", "first day compared (default: the first either version covers)"},
    [O_TO] = {"to", CLI_VALUE, "DATE", "last day compared (default: the last either version covers)"},
    [O_JSON] = {"json", CLI_FLAG, NULL, "print the API's JSON report"},
    [O_MAX] = {"max-regions", CLI_VALUE, "N", "report at most N regions (default 500)"},
    [O_POLICIES] = CLI_OPT_POLICIES,
    [O_DB] = {"db", CLI_VALUE, "URL", "for a stored version (sha256:...): mariadb://user:pass@host:port/db ($ELIGO_DB)"},
};
static const cli_cmd diff_cmd = {"diff", "OLD NEW [--as-of DATE | --from DATE --to DATE] [--json] "
                                 "[--max-regions N] [--policies DIR] [--db URL]",
                                 "Reports exactly which inputs two versions of a policy decide differently, "
                                 "with a witness input for each.", 2, 2, diff_opts, CLI_NOPTS(diff_opts)};

/* A stored policy text by hash, compiled against the folder's models
 * (held by r); NULL with the reason printed and *status the exit code
 * (3 when the database cannot be reached).  The caller frees it. */
static policy *load_stored(registry *r, const char *hash, const char *dir, const char *url, int *status)
{
    *status = EXIT_POLICY;
    if (cli_load(r, NULL, 0, dir)) return NULL;
    store_options so = {.url = url, .allow_nondurable = 1};
    store *s = cli_open_store("diff", &so, status);
    if (!s) return NULL;
    *status = EXIT_POLICY;
    buf name, text;
    buf_init(&name);
    buf_init(&text);
    policy *p = NULL;
    store_rc rc = cli_access_log(s, "diff", hash) ? STORE_ERROR : store_get_policy_text(s, hash, &name, &text);
    if (rc == STORE_OK) {
        diag_list dl;
        diag_list_init(&dl);
        p = compile_policy(source_new(hash, text.data, text.len), &r->models, &dl);
        diag_print(&dl, stderr);
        diag_list_free(&dl);
    } else if (rc == STORE_NOT_FOUND) {
        fprintf(stderr, "eligo diff: no policy text stored with hash %s\n", hash);
    } else {
        fprintf(stderr, "eligo diff: %s\n", store_last_error(s));
        *status = rc == STORE_UNAVAILABLE ? EXIT_UNAVAILABLE : EXIT_INPUT;
    }
    buf_free(&name);
    buf_free(&text);
    store_close(s);
    return p;
}

/* One version: a file of one policy, or (when no such file exists and
 * by_name) a policy of the folder.  NULL with the reason printed. */
static const policy *load_version(registry *r, char *arg, int by_name, const char *dir)
{
    if (by_name && access(arg, F_OK) != 0) {
        if (cli_load(r, NULL, 0, dir)) return NULL;
        const policy *p = registry_find(r, arg);
        if (!p) fprintf(stderr, "eligo diff: %s: no such file, and no policy of that name\n", arg);
        return p;
    }
    if (cli_load(r, &arg, 1, dir)) return NULL;
    if (r->npolicies != 1) {
        fprintf(stderr, "eligo diff: %s holds %u policies; give one policy file\n", arg, r->npolicies);
        return NULL;
    }
    return r->policies[0];
}

static int64_t today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* The days compared by default: from the first day either version covers
 * to the last (today for an open end). */
static void default_range(const policy *a, const policy *b, int64_t *from, int64_t *until)
{
    *from = a->tree.covers_from < b->tree.covers_from ? a->tree.covers_from : b->tree.covers_from;
    *until = a->tree.covers_until > b->tree.covers_until ? a->tree.covers_until : b->tree.covers_until;
    if (*from < date_min() || *from > date_max()) *from = today();
    if (*until < date_min() || *until > date_max()) *until = today();
}

static int report(const policy *po, const policy *pn, diff_options *o, int json)
{
    arena pool;
    arena_init(&pool, 1 << 16);
    diff_report rep;
    const char *why;
    int rc = EXIT_POLICY;
    if (diff_policies(po, pn, o, &pool, &rep, &why)) {
        fprintf(stderr, "eligo diff: %s\n", why);
    } else {
        buf b;
        buf_init(&b);
        if (json) {
            diff_report_json(&rep, &b);
            buf_addc(&b, '\n');
        } else {
            diff_report_text(&rep, &b);
        }
        fwrite(b.data, 1, b.len, stdout);
        buf_free(&b);
        rc = rep.equivalent ? EXIT_OK : EXIT_POLICY;
    }
    arena_free(&pool);
    return rc;
}

int cmd_diff(int argc, char **argv)
{
    cli_args a;
    int parsed = cli_parse(&diff_cmd, argc, argv, &a);
    if (parsed != CLI_RUN) return parsed;
    if (a.v[O_AS_OF] && (a.v[O_FROM] || a.v[O_TO]))
        return cli_usage_error(&diff_cmd, "give --as-of or --from and --to, not both");
    diff_options o = {0};
    long max = 500;
    if (a.v[O_MAX] && cli_number("--max-regions", a.v[O_MAX], 1, 1000000, &max)) return EXIT_INPUT;
    o.max_regions = (uint32_t)max;
    int64_t from = a.v[O_FROM] ? cli_date_arg("--from", a.v[O_FROM]) : 0;
    int64_t until = a.v[O_TO] ? cli_date_arg("--to", a.v[O_TO]) : 0;
    if (a.v[O_AS_OF]) from = until = cli_date_arg("--as-of", a.v[O_AS_OF]);
    if (a.v[O_FROM] && a.v[O_TO] && from > until) return cli_usage_error(&diff_cmd, "--from is after --to");
    registry ro, rn;
    memset(&ro, 0, sizeof ro);
    memset(&rn, 0, sizeof rn);
    int rc = EXIT_POLICY;
    policy *stored[2] = {NULL, NULL};
    const policy *po, *pn = NULL;
    if (strncmp(a.pos[0], "sha256:", 7) == 0) po = stored[0] = load_stored(&ro, a.pos[0], a.v[O_POLICIES], a.v[O_DB], &rc);
    else po = load_version(&ro, a.pos[0], 1, a.v[O_POLICIES]);
    if (po && strncmp(a.pos[1], "sha256:", 7) == 0) pn = stored[1] = load_stored(&rn, a.pos[1], a.v[O_POLICIES], a.v[O_DB], &rc);
    else if (po) pn = load_version(&rn, a.pos[1], 0, a.v[O_POLICIES]);
    if (po && pn) {
        int64_t dfrom, duntil;
        default_range(po, pn, &dfrom, &duntil);
        o.from = a.v[O_FROM] || a.v[O_AS_OF] ? from : dfrom;
        o.until = a.v[O_TO] || a.v[O_AS_OF] ? until : duntil;
        if (o.from > o.until) rc = cli_usage_error(&diff_cmd, "the period compared is empty");
        else rc = report(po, pn, &o, a.v[O_JSON] != NULL);
    }
    policy_free(stored[1]);
    policy_free(stored[0]);
    registry_free(&rn);
    registry_free(&ro);
    return rc;
}
