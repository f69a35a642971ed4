/*
 * cmd_db.c - `eligo db migrate [--db URL] [--dir DIR] [--allow-nondurable]`:
 * bring a database's schema up to date with the numbered files of DIR
 * (default db/), printing one line per file applied.
 *
 * The URL comes from --db or $ELIGO_DB (see store.h for its forms).  The
 * work is store_migrate() (src/store/migrate.c); this file only reads
 * options and reports.  It does not create the database or its user: a
 * deployer (or tests/lib/mariadb.sh) does that once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "store/store.h"

static int usage(void)
{
    fprintf(stderr, "usage: eligo db migrate [--db URL] [--dir DIR] [--allow-nondurable]\n");
    return EXIT_INPUT;
}

int cmd_db(int argc, char **argv)
{
    const char *url = getenv("ELIGO_DB"), *dir = "db";
    int allow_nondurable = 0;
    if (argc < 2 || strcmp(argv[1], "migrate") != 0) return usage();
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) url = argv[++i];
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) dir = argv[++i];
        else if (strcmp(argv[i], "--allow-nondurable") == 0) allow_nondurable = 1;
        else return usage();
    }
    if (!url || !*url) {
        fprintf(stderr, "eligo db: no database: give --db URL or set ELIGO_DB\n");
        return EXIT_INPUT;
    }
    char err[512];
    store_options o = {.url = url, .allow_nondurable = allow_nondurable, .before_migrate = 1};
    store *s = store_open(&o, err, sizeof err);
    if (!s) {
        fprintf(stderr, "eligo db: %s\n", err);
        return 1;
    }
    int rc = store_migrate(s, dir, stdout, err, sizeof err);
    if (rc) fprintf(stderr, "eligo db migrate: %s\n", err);
    store_close(s);
    return rc ? 1 : 0;
}
