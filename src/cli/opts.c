/*
 * opts.c - the subcommands' option parser and their --help (opts.h).
 *
 * How it fits: every cmd_*.c declares a cli_cmd table and calls
 * cli_parse() first; eligo.c only picks the subcommand.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/opts.h"

void cli_help(const cli_cmd *c, FILE *out)
{
    fprintf(out, "usage: eligo %s %s\n\n%s\n\noptions:\n", c->name, c->synopsis, c->about);
    for (int i = 0; i < c->nopts; i++) {
        const cli_opt *o = &c->opts[i];
        char left[48];
        if (o->kind == CLI_VALUE) snprintf(left, sizeof left, "--%s %s", o->name, o->arg);
        else if (o->kind == CLI_OPTIONAL) snprintf(left, sizeof left, "--%s[=%s]", o->name, o->arg);
        else snprintf(left, sizeof left, "--%s", o->name);
        fprintf(out, "  %-24s %s\n", left, o->help);
    }
    fprintf(out, "  %-24s %s\n\n", "-h, --help", "this text");
    fprintf(out, "exit status: %d ok, %d findings, %d usage, %d unavailable (such as the database)\n", EXIT_OK,
            EXIT_POLICY, EXIT_INPUT, EXIT_UNAVAILABLE);
}

int cli_usage_error(const cli_cmd *c, const char *message)
{
    fprintf(stderr, "eligo %s: %s\nusage: eligo %s %s (see --help)\n", c->name, message, c->name, c->synopsis);
    return EXIT_INPUT;
}

static const cli_opt *find(const cli_cmd *c, const char *name, size_t len, int *index)
{
    for (int i = 0; i < c->nopts; i++)
        if (strlen(c->opts[i].name) == len && memcmp(c->opts[i].name, name, len) == 0) {
            *index = i;
            return &c->opts[i];
        }
    return NULL;
}

/* One --option at argv[*i]; 0 or the exit status of a usage error. */
static int option(const cli_cmd *c, int argc, char **argv, int *i, cli_args *a)
{
    char msg[160];
    const char *name = argv[*i] + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    int k;
    const cli_opt *o = find(c, name, len, &k);
    if (!o) {
        snprintf(msg, sizeof msg, "unknown option %.*s", (int)len + 2, argv[*i]);
        return cli_usage_error(c, msg);
    }
    if (eq && o->kind == CLI_FLAG) {
        snprintf(msg, sizeof msg, "--%s takes no value", o->name);
        return cli_usage_error(c, msg);
    }
    if (eq) a->v[k] = eq + 1;
    else if (o->kind == CLI_VALUE && *i + 1 < argc) a->v[k] = argv[++*i];
    else if (o->kind == CLI_VALUE) {
        snprintf(msg, sizeof msg, "--%s expects %s", o->name, o->arg);
        return cli_usage_error(c, msg);
    } else a->v[k] = "";
    return 0;
}

int cli_parse(const cli_cmd *c, int argc, char **argv, cli_args *a)
{
    memset(a, 0, sizeof *a);
    int options_end = 0;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!options_end && (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0)) {
            cli_help(c, stdout);
            return EXIT_OK;
        }
        if (!options_end && strcmp(s, "--") == 0) {
            options_end = 1;
        } else if (!options_end && s[0] == '-' && s[1] == '-') {
            int rc = option(c, argc, argv, &i, a);
            if (rc) return rc;
        } else if (!options_end && s[0] == '-' && s[1]) {
            char msg[96];
            snprintf(msg, sizeof msg, "unknown option %s", s);
            return cli_usage_error(c, msg);
        } else if (a->npos == c->max_pos || a->npos == CLI_MAX_POS) {
            char msg[96];
            snprintf(msg, sizeof msg, "unexpected argument %s", s);
            return cli_usage_error(c, msg);
        } else {
            a->pos[a->npos++] = argv[i];
        }
    }
    if (a->npos < c->min_pos) return cli_usage_error(c, "missing argument");
    return CLI_RUN;
}

int cli_parse_sub(const cli_cmd *c, int argc, char **argv, cli_args *a)
{
    const char *word = strchr(c->name, ' ') + 1;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        cli_help(c, stdout);
        return EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], word) != 0) {
        char msg[96];
        snprintf(msg, sizeof msg, "expects `%s`", word);
        return cli_usage_error(c, msg);
    }
    return cli_parse(c, argc - 1, argv + 1, a);
}

int cli_number(const char *opt, const char *value, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end || v < lo || v > hi) {
        fprintf(stderr, "eligo: %s expects a whole number from %ld to %ld, got \"%s\"\n", opt, lo, hi, value);
        return -1;
    }
    *out = v;
    return 0;
}
