/*
 * cmd_token.c - `eligo token add --role ROLE --name NAME [--db URL]`:
 * create a bearer token and print it once, on stdout alone, so that
 * `TOKEN=$(eligo token add ...)` works.
 *
 * Only the token's SHA-256 is stored (src/store/tokens.c): a lost token
 * cannot be shown again, only replaced.  The URL comes from --db or
 * $ELIGO_DB.  It does not list or revoke tokens (yet).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "cli/cli.h"
#include "store/store.h"

static int usage(void)
{
    fprintf(stderr, "usage: eligo token add --role portal|officer|auditor|admin --name NAME "
            "[--db URL] [--allow-nondurable]\n");
    return EXIT_INPUT;
}

int cmd_token(int argc, char **argv)
{
    const char *url = getenv("ELIGO_DB"), *role = NULL, *name = NULL;
    int allow_nondurable = 0;
    if (argc < 2 || strcmp(argv[1], "add") != 0) return usage();
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) url = argv[++i];
        else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc) role = argv[++i];
        else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) name = argv[++i];
        else if (strcmp(argv[i], "--allow-nondurable") == 0) allow_nondurable = 1;
        else return usage();
    }
    if (!role || !name) return usage();
    if (!url || !*url) {
        fprintf(stderr, "eligo token: no database: give --db URL or set ELIGO_DB\n");
        return EXIT_INPUT;
    }
    char err[512], token[65];
    store_options o = {.url = url, .allow_nondurable = allow_nondurable};
    store *s = store_open(&o, err, sizeof err);
    if (!s) {
        fprintf(stderr, "eligo token: %s\n", err);
        return 1;
    }
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
