/*
 * cmd_db.c - `eligo db migrate [--db URL] [--dir DIR] [--allow-nondurable]`:
 * bring a database's schema up to date with the numbered files of DIR
 * (default: the installed migrations, $(pkgdatadir)/db), printing one
 * line per file applied.
 *
 * The URL comes from --db or $ELIGO_DB (see store.h for its forms).  The
 * work is store_migrate() (src/store/migrate.c); this file only reads
 * options and reports.  It does not create the database or its user: a
 * deployer (or tests/lib/mariadb.sh) does that once.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "store/store.h"

enum { O_DB, O_DIR, O_ALLOW_NONDURABLE };
static const cli_opt migrate_opts[] = {
    [O_DB] = {"db", CLI_VALUE, "URL", "mariadb://user:pass@host:port/db ($ELIGO_DB)"},
    [O_DIR] = {"dir", CLI_VALUE, "DIR", "the migrations (" ELIGO_DATADIR "/db)"},
    [O_ALLOW_NONDURABLE] = {"allow-nondurable", CLI_FLAG, NULL, "accept a server without innodb_flush_log_at_trx_commit=1"},
};
static const cli_cmd migrate_cmd = {"db migrate", "[--db URL] [--dir DIR]",
                                    "Applies the migrations NNN_*.sql the database has not had yet.", 0, 0,
                                    migrate_opts, CLI_NOPTS(migrate_opts)};

int cmd_db(int argc, char **argv)
{
    cli_args a;
    int parsed = cli_parse_sub(&migrate_cmd, argc, argv, &a);
    if (parsed != CLI_RUN) return parsed;
    const char *dir = a.v[O_DIR] ? a.v[O_DIR] : ELIGO_DATADIR "/db";
    store_options o = {.url = a.v[O_DB], .allow_nondurable = a.v[O_ALLOW_NONDURABLE] != NULL, .before_migrate = 1};
    int status;
    store *s = cli_open_store("db", &o, &status);
    if (!s) return status;
    char err[512];
    int rc = store_migrate(s, dir, stdout, err, sizeof err);
    if (rc) fprintf(stderr, "eligo db migrate: %s\n", err);
    store_close(s);
    return rc ? 1 : 0;
}
