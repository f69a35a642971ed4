/*
 * cli.h - what the `eligo` subcommands share: loading the policy
 * registry the same way everywhere, reading input files, and the
 * subcommand entry points dispatched by eligo.c.
 *
 * Ownership: cli_read_file returns malloc'ed bytes (NUL-terminated) the
 * caller frees.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_CLI_H
#define ELIGO_CLI_H

#include <stddef.h>
#include "cli/opts.h"
#include "policy/load.h"
#include "store/store.h"

/* Exit codes, the same for every subcommand (eligo(1)): 0 ok, 1
 * findings (a policy that does not compile, a failed test or replay, a
 * tampered store), 2 usage (and input refused), 3 unavailable (the
 * database cannot be reached). */
enum { EXIT_OK = 0, EXIT_POLICY = 1, EXIT_INPUT = 2, EXIT_UNAVAILABLE = 3 };

/* Loads paths (or $ELIGO_POLICIES, or ELIGO_POLICYDIR when none); prints
 * diagnostics to stderr.  0, or -1. */
int cli_load(registry *r, char **paths, int npaths, const char *dir_option);
/* Reads a file, or stdin for "-". */
char *cli_read_file(const char *path, size_t *len);
/* Opens the database of o->url (--db) or, when NULL, $ELIGO_DB, with
 * the other options of o (a reader sets allow_nondurable: it stores
 * nothing), for the subcommand `who`.  NULL with a message on stderr
 * and *status set: EXIT_INPUT without a URL, EXIT_UNAVAILABLE when the
 * server cannot be reached or refuses.  store_close() it. */
struct store *cli_open_store(const char *who, store_options *o, int *status);
/* Records in the access log that the account running eligo ("cli:NAME"
 * of the effective uid, plus "(sudo:USER)" under sudo; never $USER) did action on target: the auditor's and officer's tools log every read
 * of stored decisions before it.  0, or -1 (printed): read nothing. */
int cli_access_log(struct store *s, const char *action, const char *target);
/* Parses "YYYY-MM-DD" or exits 2 with a message naming the option. */
int64_t cli_date_arg(const char *opt, const char *value);

int cmd_check(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_impact(int argc, char **argv);
int cmd_diff(int argc, char **argv);

#endif
