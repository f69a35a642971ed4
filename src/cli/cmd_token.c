/*
 * cmd_token.c - `eligo token add --role ROLE --name NAME [--db URL]`:
 * create a bearer token and print it once, on stdout alone, so that
 * `TOKEN=$(eligo token add ...)` works.
 *
 * Only the token's SHA-256 is stored (src/store/tokens.c): a lost token
 * cannot be shown again, only replaced.  The URL comes from --db or
 * $ELIGO_DB.  It does not list or revoke tokens (yet).
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

int cmd_token(int argc, char **argv)
{
    cli_args a;
    int parsed = cli_parse_sub(&add_cmd, argc, argv, &a);
    if (parsed != CLI_RUN) return parsed;
    const char *role = a.v[O_ROLE], *name = a.v[O_NAME];
    if (!role || !name) return cli_usage_error(&add_cmd, "--role and --name are required");
    store_options o = {.url = a.v[O_DB], .allow_nondurable = a.v[O_ALLOW_NONDURABLE] != NULL};
    int status;
    char token[65];
    store *s = cli_open_store("token", &o, &status);
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
