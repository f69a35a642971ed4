/*
 * cmd_token.c - `eligo token add --role ROLE --name NAME [--db URL]`:
 * create a bearer token and print it once, on stdout alone, so that
 * `TOKEN=$(eligo token add ...)` works; `eligo token revoke --name NAME`:
 * delete every token of that name.
 *
 * Only the token's SHA-256 is stored (src/store/tokens.c): a lost token
 * cannot be shown again, only replaced.  A revoked token stops working
 * at once for a worker that had not cached it and within eligod's token
 * cache time (5 s) for one that had.  The URL comes from --db or
 * $ELIGO_DB.  It does not list tokens (yet).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "cli/cli.h"
#include "store/store.h"

enum { O_DB, O_ROLE, O_NAME, O_ALLOW_NONDURABLE };
static const cli_opt add_opts[] = {
    [O_DB] = {"db", CLI_VALUE, "URL", "mariadb://user:pass@host:port/db ($ELIGO_DB)"},
    [O_ROLE] = {"role", CLI_VALUE, "ROLE", "portal, officer, auditor or admin"},
    [O_NAME] = {"name", CLI_VALUE, "NAME", "who holds the token (kept in the database)"},
    [O_ALLOW_NONDURABLE] = {"allow-nondurable", CLI_FLAG, NULL, "accept a server without innodb_flush_log_at_trx_commit=1"},
};
static const cli_cmd add_cmd = {"token add", "--role ROLE --name NAME [--db URL]",
                                "Creates a bearer token and prints it once.", 0, 0, add_opts, CLI_NOPTS(add_opts)};
enum { R_DB, R_NAME, R_ALLOW_NONDURABLE };
static const cli_opt revoke_opts[] = {
    [R_DB] = {"db", CLI_VALUE, "URL", "mariadb://user:pass@host:port/db ($ELIGO_DB)"},
    [R_NAME] = {"name", CLI_VALUE, "NAME", "whose tokens to delete (every token of that name)"},
    [R_ALLOW_NONDURABLE] = {"allow-nondurable", CLI_FLAG, NULL, "accept a server without innodb_flush_log_at_trx_commit=1"},
};
static const cli_cmd revoke_cmd = {"token revoke", "--name NAME [--db URL]",
                                   "Deletes every token of NAME; workers that cached one drop it within 5 s.",
                                   0, 0, revoke_opts, CLI_NOPTS(revoke_opts)};

static store *open_store(const char *url, const char *allow_nondurable, int *status)
{
    store_options o = {.url = url, .allow_nondurable = allow_nondurable != NULL};
    return cli_open_store("token", &o, status);
}

static int token_add(int argc, char **argv)
{
    cli_args a;
    int parsed = cli_parse_sub(&add_cmd, argc, argv, &a);
    if (parsed != CLI_RUN) return parsed;
    const char *role = a.v[O_ROLE], *name = a.v[O_NAME];
    if (!role || !name) return cli_usage_error(&add_cmd, "--role and --name are required");
    int status;
    char token[65];
    store *s = open_store(a.v[O_DB], a.v[O_ALLOW_NONDURABLE], &status);
    if (!s) return status;
    store_rc rc = store_token_add(s, role, name, token);
    if (rc == STORE_OK) {
        printf("%s\n", token);
        fprintf(stderr, "eligo token: %s token for \"%s\" created; it is not shown again\n", role, name);
    } else {
        fprintf(stderr, "eligo token add: %s\n", store_last_error(s));
    }
    OPENSSL_cleanse(token, sizeof token);
    store_close(s);
    return rc == STORE_OK ? 0 : 1;
}

/* Exit 0 when tokens were deleted, 1 when NAME had none (or it failed). */
static int token_revoke(int argc, char **argv)
{
    cli_args a;
    int parsed = cli_parse_sub(&revoke_cmd, argc, argv, &a);
    if (parsed != CLI_RUN) return parsed;
    const char *name = a.v[R_NAME];
    if (!name) return cli_usage_error(&revoke_cmd, "--name is required");
    int status;
    store *s = open_store(a.v[R_DB], a.v[R_ALLOW_NONDURABLE], &status);
    if (!s) return status;
    uint64_t n = 0;
    store_rc rc = store_token_revoke(s, name, &n);
    if (rc == STORE_OK)
        printf("%llu token%s of \"%s\" revoked\n", (unsigned long long)n, n == 1 ? "" : "s", name);
    else if (rc == STORE_NOT_FOUND)
        fprintf(stderr, "eligo token revoke: no token named \"%s\"\n", name);
    else
        fprintf(stderr, "eligo token revoke: %s\n", store_last_error(s));
    store_close(s);
    return rc == STORE_OK ? 0 : 1;
}

int cmd_token(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "revoke") == 0) return token_revoke(argc, argv);
    return token_add(argc, argv);
}
