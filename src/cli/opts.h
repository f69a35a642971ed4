/*
 * opts.h - the one option parser of every `eligo` subcommand.
 *
 * A subcommand describes itself in a cli_cmd: its name, a synopsis, one
 * line of purpose, the positional arguments it takes (how many) and a
 * table of options.  cli_parse() reads argv against the table the same
 * way for all of them (GNU style, as eligod's conf.c does):
 *   --name=value and --name value; a flag takes no value;
 *   an option marked optional takes a value only as --name=value;
 *   `--` ends the options; `-` alone is a positional (stdin or stdout);
 *   -h and --help print the help from the table to stdout (exit 0);
 *   anything else is a usage error on stderr (exit 2).
 * The result is indexed like the table, so a subcommand reads
 * a.v[O_SOMETHING] and never compares strings itself.
 *
 * Exit codes are the same for every subcommand (cli.h): 0 ok, 1
 * findings, 2 usage, 3 unavailable.
 *
 * Ownership: values and positionals point into argv.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_CLI_OPTS_H
#define ELIGO_CLI_OPTS_H

#include <stdio.h>

enum { CLI_MAX_OPTS = 16, CLI_MAX_POS = 256 };

enum cli_kind {
    CLI_FLAG,        /* --name */
    CLI_VALUE,       /* --name VALUE or --name=VALUE */
    CLI_OPTIONAL,    /* --name or --name=VALUE */
};

typedef struct cli_opt {
    const char *name;         /* without the dashes */
    int kind;                 /* cli_kind */
    const char *arg;          /* VALUE's name in the help, NULL for a flag */
    const char *help;
} cli_opt;

typedef struct cli_cmd {
    const char *name;         /* "check", "audit verify" */
    const char *synopsis;     /* what follows the name in the usage line */
    const char *about;        /* one sentence */
    int min_pos, max_pos;     /* positional arguments accepted */
    const cli_opt *opts;
    int nopts;
} cli_cmd;

/* The option of every subcommand that reads policies, worded once: the
 * folder whose policies a NAME is looked up in, and whose models (and
 * its tree's, policy/load.h) back the PATHs given. */
#define CLI_OPT_POLICIES                                                                              \
    {"policies", CLI_VALUE, "DIR",                                                                    \
     "the policy folder, and models for PATHs ($ELIGO_POLICIES or the installed one)"}

#define CLI_NOPTS(table) ((int)(sizeof(table) / sizeof((table)[0])))

typedef struct cli_args {
    const char *v[CLI_MAX_OPTS];   /* per option: NULL unset, "" a flag or a bare optional */
    char *pos[CLI_MAX_POS];
    int npos;
} cli_args;

/* What cli_parse returns when the subcommand should run. */
enum { CLI_RUN = -1 };

/* Parses argv (argv[0] the subcommand's name) against c.  CLI_RUN, or
 * the exit status after printing the help (0) or a usage error (2). */
int cli_parse(const cli_cmd *c, int argc, char **argv, cli_args *a);
/* The same for a command of two words ("db migrate"): argv[0] is the
 * first, argv[1] must be the second (or --help). */
int cli_parse_sub(const cli_cmd *c, int argc, char **argv, cli_args *a);
/* The help of c: usage line, purpose, options, exit codes. */
void cli_help(const cli_cmd *c, FILE *out);
/* A usage error of c: "eligo NAME: MESSAGE" and the usage line on
 * stderr; returns 2. */
int cli_usage_error(const cli_cmd *c, const char *message);
/* Parses a whole number in [lo, hi] given to option opt; on anything
 * else prints why and returns -1 (the caller exits 2). */
int cli_number(const char *opt, const char *value, long lo, long hi, long *out);

#endif
