/*
 * conf.h - eligod's options.
 *
 * Options are rows of a table {name, argument, parser, offsetof, help}
 * (conf.c); the parser of each row returns NULL or an error string, and
 * --help is printed from the same rows, so an option cannot exist without
 * its help line.  The log is log.h's.
 *
 * Ownership: string options point into argv or into the configuration
 * file's text, which conf.c keeps for the life of the process (never
 * freed).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_CONF_H
#define ELIGO_CONF_H

#include <stddef.h>
#include <stdio.h>
#include "service/log.h"   /* --log-level's values, and every user of conf logs */

/* --commit-lanes' upper bound: COMMITs the committer may run at once */
enum { CONF_MAX_COMMIT_LANES = 4 };
/* --pm: a fixed pool of --workers, or a pool sized by its idle threads */
enum { CONF_PM_STATIC, CONF_PM_DYNAMIC };

typedef struct eligod_conf {
    const char *policies;     /* --policies DIR */
    const char *listen;       /* --listen unix:/path | 127.0.0.1:PORT */
    int workers;              /* --workers N (0: 2 per core); dynamic: the most */
    int pm;                   /* --pm static|dynamic: CONF_PM_* (static) */
    int start_workers;        /* --start-workers N: dynamic, workers at start (0: from the spares) */
    int min_spare_threads;    /* --min-spare-threads N: dynamic, grow below it (0: --threads) */
    int max_spare_threads;    /* --max-spare-threads N: dynamic, shrink above it (0: min + 2 x --threads) */
    int max_requests;         /* --max-requests N (0: never recycle) */
    const char *db;           /* --db URL */
    int allow_nondurable;     /* --allow-nondurable */
    const char *log;          /* --log stderr|journal|syslog */
    int log_level;            /* --log-level: LOG_L_* (info) */
    const char *pid;          /* --pid FILE */
    int backlog;              /* --backlog N (0: the kernel's somaxconn) */
    int threads;              /* --threads N: requests in flight per worker (8) */
    int request_timeout;      /* --request-timeout S */
    int max_body;             /* --max-body BYTES */
    int stop_timeout;         /* --stop-timeout S: graceful stop, then KILL */
    const char *checkpoint_key;        /* --checkpoint-key FILE: the sequencer's private key (0600) */
    const char *checkpoint_public_key; /* --checkpoint-public-key FILE: for GET /v1/audit/verify */
    const char *checkpoint_file;       /* --checkpoint-file FILE: each signed note appended */
    int checkpoint_interval;           /* --checkpoint-interval S (1) */
    int max_unprotected;               /* --max-unprotected S: verify fails on older unsequenced rows (60) */
    int group_commit;         /* --group-commit N: rows per COMMIT in the committer (64; 0: off) */
    int commit_lanes;         /* --commit-lanes N: COMMITs the committer runs at once (1) */
    int test_only;            /* -t, --test: check and exit */
    const char *conf;         /* --conf FILE: the configuration file read (or looked for) */
} eligod_conf;

/* Fills defaults, then parses argv.  0 run, 1 help or version printed
 * (exit 0), -1 error printed (exit 2). */
int conf_parse(eligod_conf *c, int argc, char **argv);
void conf_help(FILE *out);
void conf_version(FILE *out);

#endif
