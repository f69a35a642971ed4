/*
 * eligo.c - the `eligo` command: a table of subcommands and dispatch.
 *
 * Each subcommand lives in its own cmd_*.c file and receives argv with
 * argv[0] = the subcommand's name.  Shared helpers (loading policies,
 * reading inputs) are here too, so every subcommand loads policies the
 * same way.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "cli/cli.h"
#include "store/store.h"
#include "eval/date.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
} command;

static const command commands[] = {
    {"check", cmd_check, "check [--assumptions] [--policies DIR] [PATH...]   compile policies, check citations, print diagnostics"},
    {"schema", cmd_schema, "schema NAME [--policies DIR]   the JSON Schema of a decision request for NAME"},
    {"eval", cmd_eval, "eval NAME --as-of DATE --input FILE [--explain[=text]] [--policies DIR]"},
    {"explain", cmd_explain, "explain --check [FILE|-]   re-derive every step of an explanation from its JSON alone"},
    {"test", cmd_test, "test [--coverage] [--junit FILE] [--inputs FILE] [--policies DIR] [PATH...]   run policy tests"},
    {"fmt", cmd_fmt, "fmt [--check] PATH...|-   canonical formatting (- : stdin to stdout)"},
    {"bench", cmd_bench, "bench NAME --input FILE [--seconds N] [--as-of DATE] [--cpu] [--policies DIR]"},
    {"db", cmd_db, "db migrate [--db URL] [--dir DIR]   apply db/NNN_*.sql not yet applied"},
    {"replay", cmd_replay, "replay ID | replay --from DATE --to DATE [--policy NAME] [--json]   re-run stored decisions under their stored texts"},
    {"impact", cmd_impact, "impact CANDIDATE.policy --from DATE --to DATE [--json]   stored decisions under a candidate policy text"},
    {"diff", cmd_diff, "diff OLD NEW [--as-of DATE | --from DATE --to DATE] [--json]   which inputs two versions decide differently"},
    {"token", cmd_token, "token add|revoke ...   create a bearer token (--role ROLE --name NAME), print it once; delete a name's tokens (--name NAME)"},
    {"audit", cmd_audit, "audit keygen|checkpoint|verify ...   signed checkpoints of stored decisions (exit 1: tampered)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: eligo COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  eligo %s\n", commands[i].usage);
    fprintf(out, "\nPolicies are read from PATH arguments, --policies, $ELIGO_POLICIES or %s.\n"
                 "A PATH's models are those of its tree (from its folder up to the one holding sources/),\n"
                 "then those of the policy folder.\n"
                 "eligo COMMAND --help: its options.  eligo --version: the version.\n"
                 "Exit status: 0 ok, 1 findings, 2 usage, 3 unavailable (the database).\n", ELIGO_POLICYDIR);
}

int cli_load(registry *r, char **paths, int npaths, const char *dir_option)
{
    const char *def = dir_option ? dir_option : getenv("ELIGO_POLICIES");
    if (!def || !*def) def = ELIGO_POLICYDIR;    /* configured: never the current directory */
    const char *one[1] = {def};
    diag_list dl;
    diag_list_init(&dl);
    int rc = npaths > 0 ? registry_load(r, (const char *const *)paths, (size_t)npaths, def, &dl)
                        : registry_load(r, one, 1, NULL, &dl);
    diag_print(&dl, stderr);
    diag_list_free(&dl);
    return rc;
}

char *cli_read_file(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 65536, n = 0;
    char *p = malloc(cap);
    while (p) {
        size_t got = fread(p + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
        if (n + 1 == cap) {
            if (cap >= (64u << 20)) { free(p); p = NULL; errno = EFBIG; break; }
            char *q = realloc(p, cap * 2);
            if (!q) { free(p); p = NULL; break; }
            p = q;
            cap *= 2;
        }
    }
    if (f != stdin) fclose(f);
    if (p) { p[n] = 0; *len = n; }
    return p;
}

store *cli_open_store(const char *who, store_options *o, int *status)
{
    if (!o->url) o->url = getenv("ELIGO_DB");
    if (!o->url || !*o->url) {
        fprintf(stderr, "eligo %s: no database: give --db URL or set ELIGO_DB\n", who);
        *status = EXIT_INPUT;
        return NULL;
    }
    char err[512];
    store *s = store_open(o, NULL, err, sizeof err);
    if (!s) {
        fprintf(stderr, "eligo %s: %s\n", who, err);
        *status = EXIT_UNAVAILABLE;
    }
    return s;
}

/* Who runs the command: the account of the effective uid, from the
 * system (never $USER, which anyone sets as they like), and beside it,
 * never instead of it, the account sudo was run from ($SUDO_USER). */
static void cli_client(char out[65])
{
    struct passwd *pw = getpwuid(geteuid());
    char account[32];
    if (pw && pw->pw_name) snprintf(account, sizeof account, "%s", pw->pw_name);
    else snprintf(account, sizeof account, "uid%lu", (unsigned long)geteuid());
    const char *sudo = getenv("SUDO_USER");
    if (sudo && *sudo) snprintf(out, 65, "cli:%.24s(sudo:%.24s)", account, sudo);
    else snprintf(out, 65, "cli:%s", account);
}

int cli_access_log(store *s, const char *action, const char *target)
{
    char client[65];
    cli_client(client);
    if (store_access_log(s, client, "cli", action, target) == STORE_OK) return 0;
    fprintf(stderr, "eligo: the access log cannot be written, so nothing is read: %s\n", store_last_error(s));
    return -1;
}

int64_t cli_date_arg(const char *opt, const char *value)
{
    int64_t d;
    if (!value || date_parse(value, strlen(value), &d)) {
        fprintf(stderr, "eligo: %s expects a date YYYY-MM-DD, got \"%s\"\n", opt, value ? value : "");
        exit(EXIT_INPUT);
    }
    return d;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0) {
        printf("eligo %s\n", PACKAGE_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "eligo: unknown command `%s`\n", argv[1]);
    usage(stderr);
    return 2;
}
