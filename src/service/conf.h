/*
 * conf.h - eligod's options and its log.
 *
 * Options are rows of a table {name, argument, parser, offsetof, help}
 * (conf.c); the parser of each row returns NULL or an error string, and
 * --help is printed from the same rows, so an option cannot exist without
 * its help line.  The log writes one line per event to stderr or syslog,
 * as --log selects; callers pass the request id when there is one and
 * never a request body or anything a person typed.
 *
 * Ownership: string options point into argv or into the configuration
 * file's text, which conf.c keeps for the life of the process (never
 * freed).
 */
#ifndef ELIGO_CONF_H
#define ELIGO_CONF_H

#include <stddef.h>
#include <stdio.h>

enum log_level { LOG_L_ERROR, LOG_L_WARN, LOG_L_INFO };

typedef struct eligod_conf {
    const char *policies;     /* --policies DIR */
    const char *listen;       /* --listen unix:/path | 127.0.0.1:PORT */
    int workers;              /* --workers N (0: 2 per core) */
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
    int test_only;            /* -t, --test: check and exit */
    const char *conf;         /* --conf FILE: the configuration file read (or looked for) */
} eligod_conf;

/* Fills defaults, then parses argv.  0 run, 1 help or version printed
 * (exit 0), -1 error printed (exit 2). */
int conf_parse(eligod_conf *c, int argc, char **argv);
void conf_help(FILE *out);
void conf_version(FILE *out);

/* Opens the log chosen by --log ("stderr", "journal": stderr with
 * journald's "<N>" priority prefixes and no time stamp, or "syslog");
 * lines above max_level (--log-level) are dropped. */
void log_open(const char *where, int max_level);
/* SIGUSR1: flushes, and reconnects to syslog when that is the log. */
void log_reopen(void);
/* A child of the master calls it first thing: its lines carry its pid. */
void log_forked(void);
/* A request's line: buffered (conf.c says how long); log_flush() writes
 * what is buffered, and every other line flushes it first. */
void elog_request(const char *rid, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_flush(void);
/* One line: "LEVEL [rid=ID] message".  rid may be NULL. */
void elog(int level, const char *rid, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
