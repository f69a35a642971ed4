/*
 * cmd_replay.c - `eligo replay`: the auditor's replay from the command
 * line, over the database of --db or $ELIGO_DB.
 *
 *   eligo replay ID                 one decision: prints the result JSON
 *   eligo replay --from DATE --to DATE [--policy NAME] [--json]
 *                                   every decision created on those dates
 *
 * Exit 0 when everything replayed matched, 1 on any mismatch,
 * unreplayable or tampered decision (one that fails its leaf-hash check,
 * audit/record.h), 2 on bad arguments (--from after --to, a --policy no
 * decision was made under), an unknown id or a database error; 3 when
 * the database cannot be reached.  An id is taken in lower case, as stored.  A
 * range prints its progress to stderr when that is a terminal, then a
 * summary (or the API's JSON with --json).  The walk and the comparison
 * are audit/replay.c's; this file only reads options and prints.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "audit/replay.h"

enum { O_FROM, O_TO, O_POLICY, O_JSON, O_DB };
static const cli_opt replay_opts[] = {
    [O_FROM] = {"from", CLI_VALUE, "DATE", "first day of the decisions replayed (YYYY-MM-DD)"},
    [O_TO] = {"to", CLI_VALUE, "DATE", "last day"},
    [O_POLICY] = {"policy", CLI_VALUE, "NAME", "only the decisions of this policy"},
    [O_JSON] = {"json", CLI_FLAG, NULL, "print the API's JSON summary"},
    [O_DB] = {"db", CLI_VALUE, "URL", "mariadb://user:pass@host:port/db ($ELIGO_DB)"},
};
static const cli_cmd replay_cmd = {"replay", "ID | --from DATE --to DATE [--policy NAME] [--json] [--db URL]",
                                   "Re-runs stored decisions under their stored texts and compares the results.",
                                   0, 1, replay_opts, CLI_NOPTS(replay_opts)};

static void progress(void *arg, const replay_summary *s)
{
    (void)arg;
    uint64_t rate = s->elapsed_ms ? s->checked * 1000 / s->elapsed_ms : 0;
    fprintf(stderr, "\r  %llu checked, %llu mismatches, %llu unreplayable, %llu tampered, %llu decisions/s ",
            (unsigned long long)s->checked, (unsigned long long)s->mismatches,
            (unsigned long long)s->unreplayable, (unsigned long long)s->tampered, (unsigned long long)rate);
}

static int replay_one(store *s, const char *id)
{
    store_row row;
    store_row_init(&row);
    int rc = EXIT_INPUT;
    store_rc got = store_get_row(s, id, &row);
    if (got == STORE_NOT_FOUND) {
        fprintf(stderr, "eligo replay: no decision %s\n", id);
    } else if (got != STORE_OK) {
        fprintf(stderr, "eligo replay: %s\n", store_last_error(s));
    } else {
        replayer *r = replayer_new(s);
        buf out;
        buf_init(&out);
        replay_outcome o = r ? replay_row(r, &row, &out) : REPLAY_STORE_ERROR;
        if (o == REPLAY_STORE_ERROR) {
            fprintf(stderr, "eligo replay: %s\n", store_last_error(s));
        } else {
            printf("%s\n", buf_cstr(&out));
            rc = o == REPLAY_MATCH ? EXIT_OK : 1;
        }
        buf_free(&out);
        replayer_free(r);
    }
    store_row_free(&row);
    return rc;
}

static void print_summary(const replay_summary *s)
{
    uint64_t rate = s->elapsed_ms ? s->checked * 1000 / s->elapsed_ms : 0;
    printf("%llu decisions replayed: %llu match, %llu mismatch, %llu unreplayable, %llu tampered "
           "(%llu.%03llu s, %llu decisions/s)\n",
           (unsigned long long)s->checked, (unsigned long long)s->matches,
           (unsigned long long)s->mismatches, (unsigned long long)s->unreplayable,
           (unsigned long long)s->tampered, (unsigned long long)(s->elapsed_ms / 1000),
           (unsigned long long)(s->elapsed_ms % 1000), (unsigned long long)rate);
    if (s->mismatches) printf("mismatching: %s\n", buf_cstr((buf *)&s->mismatching_ids));
    if (s->unreplayable) printf("unreplayable: %s\n", buf_cstr((buf *)&s->unreplayable_ids));
    if (s->tampered) printf("tampered: %s\n", buf_cstr((buf *)&s->tampered_ids));
}

static int replay_many(store *s, const char *from, const char *to, const char *policy_name, int json)
{
    store_rc known = policy_name ? store_policy_known(s, policy_name) : STORE_OK;
    if (known != STORE_OK) {
        fprintf(stderr, "eligo replay: %s\n",
                known == STORE_NOT_FOUND ? "no decision was ever made under this --policy" : store_last_error(s));
        return EXIT_INPUT;
    }
    replayer *r = replayer_new(s);
    if (!r) return EXIT_INPUT;
    replay_summary sum;
    int tty = isatty(2);
    store_rc rc = replay_range(r, from, to, policy_name, &sum, tty ? progress : NULL, NULL);
    if (tty) fputc('\n', stderr);
    int exit_code = EXIT_INPUT;
    if (rc != STORE_OK) {
        fprintf(stderr, "eligo replay: stopped after %llu decisions: %s\n",
                (unsigned long long)sum.checked, store_last_error(s));
    } else {
        if (json) {
            buf out;
            buf_init(&out);
            replay_summary_json(&sum, from, to, policy_name, &out);
            printf("%s\n", buf_cstr(&out));
            buf_free(&out);
        } else {
            print_summary(&sum);
        }
        exit_code = sum.mismatches || sum.unreplayable || sum.tampered ? 1 : EXIT_OK;
    }
    replay_summary_free(&sum);
    replayer_free(r);
    return exit_code;
}

int cmd_replay(int argc, char **argv)
{
    cli_args a;
    int parsed = cli_parse(&replay_cmd, argc, argv, &a);
    if (parsed != CLI_RUN) return parsed;
    const char *url = a.v[O_DB], *from = a.v[O_FROM], *to = a.v[O_TO], *policy_name = a.v[O_POLICY];
    char *id = a.npos ? a.pos[0] : NULL;
    int json = a.v[O_JSON] != NULL;
    if (id ? (from || to || policy_name) : (!from || !to))
        return cli_usage_error(&replay_cmd, "give an ID, or --from and --to");
    if (!id) {
        (void)cli_date_arg("--from", from);
        (void)cli_date_arg("--to", to);
        if (strcmp(from, to) > 0) {
            fprintf(stderr, "eligo replay: --from %s is after --to %s\n", from, to);
            return EXIT_INPUT;
        }
    }
    for (char *c = id; c && *c; c++)
        if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
    store_options so = {.url = url, .allow_nondurable = 1};
    int status;
    store *s = cli_open_store("replay", &so, &status);
    if (!s) return status;
    int rc = EXIT_INPUT;
    char range[256];
    store_access_range(range, policy_name, from, to);
    if (cli_access_log(s, id ? "decision_replay" : "replays", id ? id : range) == 0)
        rc = id ? replay_one(s, id) : replay_many(s, from, to, policy_name, json);
    store_close(s);
    return rc;
}
