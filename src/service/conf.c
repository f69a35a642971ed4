/*
 * conf.c - eligod's option table, --help from it, and the configuration
 * file (the log is log.c's).
 *
 * Modelled on php-fpm's fpm_conf.c: each option is a row naming the
 * field it sets (offsetof) and the parser that checks the text; a parser
 * returns NULL or a message.  Nothing else in eligod reads argv.  The
 * same rows read the configuration file (php-fpm's pool file, a small
 * INI: `name = value`, names one to one with the long options); values
 * come from the defaults, then ELIGO_DB and ELIGO_POLICIES, then the
 * file, then the command line.
 *
 * Not here: policy loading, sockets, anything that can fail after the
 * options are known (eligod.c's init chain does that).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "audit/verify.h"
#include "service/budget.h"
#include "service/conf.h"

typedef const char *(*opt_parser)(const char *arg, void *field);

typedef struct opt_row {
    const char *name;
    const char *arg;          /* NULL for a flag */
    opt_parser parse;
    size_t offset;
    const char *help;
} opt_row;

static const char *parse_str(const char *arg, void *field)
{
    if (!*arg) return "must not be empty";
    *(const char **)field = arg;
    return NULL;
}

static const char *parse_int(const char *arg, void *field, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || end == arg || *end) return "expects a whole number";
    if (v < lo || v > hi) return "is out of range";
    *(int *)field = (int)v;
    return NULL;
}

static const char *parse_workers(const char *arg, void *field) { return parse_int(arg, field, 1, 512); }
static const char *parse_count(const char *arg, void *field) { return parse_int(arg, field, 0, INT_MAX); }
static const char *parse_backlog(const char *arg, void *field) { return parse_int(arg, field, 1, 65535); }
static const char *parse_threads(const char *arg, void *field) { return parse_int(arg, field, 1, 64); }
static const char *parse_lanes(const char *arg, void *field) { return parse_int(arg, field, 1, CONF_MAX_COMMIT_LANES); }
static const char *parse_seconds(const char *arg, void *field) { return parse_int(arg, field, 1, 3600); }
static const char *parse_body(const char *arg, void *field) { return parse_int(arg, field, 1024, 64 << 20); }

/* Spare threads: at least one, at most every thread of the largest pool. */
static const char *parse_spare(const char *arg, void *field) { return parse_int(arg, field, 1, 512 * 64); }

static const char *parse_pm(const char *arg, void *field)
{
    if (strcmp(arg, "static") == 0) *(int *)field = CONF_PM_STATIC;
    else if (strcmp(arg, "dynamic") == 0) *(int *)field = CONF_PM_DYNAMIC;
    else return "expects static or dynamic";
    return NULL;
}

static const char *parse_flag(const char *arg, void *field)
{
    (void)arg;
    *(int *)field = 1;
    return NULL;
}

static const char *parse_listen(const char *arg, void *field)
{
    if (strncmp(arg, "unix:", 5) == 0) {
        if (arg[5] != '/') return "expects unix:/absolute/path";
        if (strlen(arg + 5) >= 100) return "socket path is too long";
    } else {
        const char *colon = strrchr(arg, ':');
        if (!colon || colon == arg || !colon[1]) return "expects unix:/path or HOST:PORT";
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (*end || port < 1 || port > 65535) return "has a bad port";
    }
    *(const char **)field = arg;
    return NULL;
}

static const char *parse_log(const char *arg, void *field)
{
    if (strcmp(arg, "stderr") != 0 && strcmp(arg, "syslog") != 0 && strcmp(arg, "journal") != 0)
        return "expects stderr, journal or syslog";
    *(const char **)field = arg;
    return NULL;
}

static const char *parse_level(const char *arg, void *field)
{
    static const char *const names[] = {[LOG_L_ERROR] = "error", [LOG_L_WARN] = "warning", [LOG_L_INFO] = "info"};
    for (int i = 0; i < 3; i++)
        if (strcmp(arg, names[i]) == 0) {
            *(int *)field = i;
            return NULL;
        }
    return "expects error, warning or info";
}

#define F(x) offsetof(eligod_conf, x)
static const opt_row options[] = {
    {"policies", "DIR", parse_str, F(policies), "policy folder compiled at start and on SIGHUP (" ELIGO_POLICYDIR ")"},
    {"listen", "ADDR", parse_listen, F(listen), "FastCGI socket: unix:/path (mode 0660) or 127.0.0.1:PORT"},
    {"workers", "N", parse_workers, F(workers), "worker processes (2 per core); with --pm dynamic, the most"},
    {"pm", "MODE", parse_pm, F(pm), "static (--workers always) or dynamic (grown and shrunk by idle threads)"},
    {"start-workers", "N", parse_workers, F(start_workers), "dynamic: workers at start (enough for the middle of the spares)"},
    {"min-spare-threads", "N", parse_spare, F(min_spare_threads), "dynamic: start workers when fewer threads are idle (--threads)"},
    {"max-spare-threads", "N", parse_spare, F(max_spare_threads), "dynamic: stop an idle worker when more are idle (min + 2 x --threads)"},
    {"max-requests", "N", parse_count, F(max_requests), "recycle a worker after N requests, once idle (0: never)"},
    {"db", "URL", parse_str, F(db), "MariaDB: mariadb://user:pass@host:port/db ($ELIGO_DB)"},
    {"allow-nondurable", NULL, parse_flag, F(allow_nondurable), "accept a server without innodb_flush_log_at_trx_commit=1"},
    {"log", "WHERE", parse_log, F(log), "stderr, journal (stderr with <N> priorities for journald) or syslog (stderr)"},
    {"log-level", "LEVEL", parse_level, F(log_level), "error, warning or info (info: request lines too)"},
    {"pid", "FILE", parse_str, F(pid), "write the master's pid here"},
    {"backlog", "N", parse_backlog, F(backlog), "listen backlog of the FastCGI socket (the kernel's somaxconn)"},
    {"threads", "N", parse_threads, F(threads), "requests each worker serves at once, one thread each (8)"},
    {"request-timeout", "S", parse_seconds, F(request_timeout), "a request running longer is killed with its worker (10)"},
    {"max-body", "BYTES", parse_body, F(max_body), "largest request body read (1048576)"},
    {"stop-timeout", "S", parse_seconds, F(stop_timeout), "graceful stop of a worker before SIGKILL (request-timeout + 5)"},
    {"checkpoint-key", "FILE", parse_str, F(checkpoint_key), "sign checkpoints with this key (mode 0600); without it no sequencer runs"},
    {"checkpoint-public-key", "FILE", parse_str, F(checkpoint_public_key), "key GET /v1/audit/verify checks with (default: from --checkpoint-key)"},
    {"checkpoint-file", "FILE", parse_str, F(checkpoint_file), "append every signed checkpoint to this file"},
    {"checkpoint-interval", "S", parse_seconds, F(checkpoint_interval), "at most this many seconds between checkpoints (1)"},
    {"max-unprotected", "S", parse_seconds, F(max_unprotected), "GET /v1/audit/verify fails when a decision waits longer for a checkpoint (60)"},
    {"group-commit", "N", parse_count, F(group_commit), "store decisions in a committer process, up to N per COMMIT (64; 0: each worker commits its own)"},
    {"commit-lanes", "N", parse_lanes, F(commit_lanes), "let the committer run N COMMITs at once, each on its own connection (1-4; 1)"},
};
#undef F
#define NOPTIONS (sizeof options / sizeof options[0])

void conf_help(FILE *out)
{
    fprintf(out, "usage: eligod [OPTIONS]\n\n"
                 "Serves the eligo HTTP API over FastCGI (behind nginx) with a prefork pool.\n"
                 "Signals: HUP or USR2 recompile the policies and roll the workers (only when\n"
                 "all compile); QUIT stops gracefully, TERM/INT fast; USR1 reopens the log;\n"
                 "any other is logged and ignored.  Exit: 0 ok, 1 failed, 2 usage.\n\noptions:\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        char left[48];
        snprintf(left, sizeof left, "--%s%s%s", options[i].name, options[i].arg ? " " : "",
                 options[i].arg ? options[i].arg : "");
        fprintf(out, "  %-26s %s\n", left, options[i].help);
    }
    fprintf(out, "  %-26s %s\n", "--conf FILE", "read options from FILE first, `name = value` a line (" ELIGO_CONFDIR "/eligod.conf when it exists)");
    fprintf(out, "  %-26s %s\n", "-t, --test", "check the options, the policies and the keys, then exit");
    fprintf(out, "  %-26s %s\n", "-v, --version", "print the version and exit");
    fprintf(out, "  %-26s %s\n", "-h, --help", "this text");
}

void conf_version(FILE *out)
{
    fprintf(out, "eligod (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
}

static const opt_row *find_option(const char *name, size_t len)
{
    for (size_t k = 0; k < NOPTIONS; k++)
        if (strlen(options[k].name) == len && strncmp(options[k].name, name, len) == 0) return &options[k];
    return NULL;
}

/* ------------------------------------------------------------ the file */

/* The file's text, kept for the life of the process: string options
 * point into it. */
static char *conf_text;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) *--e = 0;
    return s;
}

/* One "name = value" line of the file at path:line.  0 or -1 (printed). */
static int conf_line(eligod_conf *c, const char *path, int line, char *s)
{
    char *eq = strchr(s, '=');
    if (!eq) {
        fprintf(stderr, "eligod: %s:%d: expected `name = value`\n", path, line);
        return -1;
    }
    *eq = 0;
    char *name = trim(s), *val = trim(eq + 1);
    const opt_row *o = find_option(name, strlen(name));
    if (!o) {
        fprintf(stderr, "eligod: %s:%d: unknown option `%s` (the names of eligod --help)\n", path, line, name);
        return -1;
    }
    if (!o->arg) {
        /* a flag: yes or no */
        if (strcmp(val, "no") == 0 || strcmp(val, "false") == 0 || strcmp(val, "0") == 0) return 0;
        if (strcmp(val, "yes") != 0 && strcmp(val, "true") != 0 && strcmp(val, "1") != 0) {
            fprintf(stderr, "eligod: %s:%d: %s expects yes or no\n", path, line, name);
            return -1;
        }
    }
    const char *err = o->parse(val, (char *)c + o->offset);
    if (err) {
        fprintf(stderr, "eligod: %s:%d: %s = %s: %s\n", path, line, name, val, err);
        return -1;
    }
    return 0;
}

/* Reads the INI file at path (php-fpm's pool files): `name = value`
 * lines whose names are the long options, `#` or `;` comments, an
 * optional [eligod] section.  A missing file is an error only when
 * `required`.  0 or -1 (printed). */
static int conf_file(eligod_conf *c, const char *path, int required)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (!required && errno == ENOENT) return 0;
        fprintf(stderr, "eligod: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 0;
    ssize_t n = getdelim(&conf_text, &cap, 0, f);       /* the whole file */
    fclose(f);
    if (n < 0) return 0;                                 /* empty */
    int line = 0;
    for (char *s = conf_text, *nl; s; s = nl ? nl + 1 : NULL) {
        nl = strchr(s, '\n');
        if (nl) *nl = 0;
        line++;
        char *t = trim(s);
        if (!*t || *t == '#' || *t == ';' || strcmp(t, "[eligod]") == 0) continue;
        if (*t == '[') {
            fprintf(stderr, "eligod: %s:%d: unknown section %s (only [eligod])\n", path, line, t);
            return -1;
        }
        if (conf_line(c, path, line, t)) return -1;
    }
    return 0;
}

/* --conf FILE (or --conf=FILE) anywhere on the command line, else NULL. */
static const char *conf_path(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--conf=", 7) == 0) return argv[i] + 7;
        if (strcmp(argv[i], "--conf") == 0 && i + 1 < argc) return argv[i + 1];
    }
    return NULL;
}

/* The dynamic pool's defaults and rules (docs/operations.md says why
 * spares are counted in threads).  0, or -1 (printed). */
static int conf_pool(eligod_conf *c)
{
    if (c->pm == CONF_PM_STATIC) {
        if (!c->start_workers && !c->min_spare_threads && !c->max_spare_threads) return 0;
        fprintf(stderr, "eligod: --start-workers, --min-spare-threads and --max-spare-threads need --pm dynamic\n");
        return -1;
    }
    if (!c->min_spare_threads) c->min_spare_threads = c->threads;
    if (!c->max_spare_threads) c->max_spare_threads = c->min_spare_threads + 2 * c->threads;
    /* a worker stopped for being spare takes --threads idle threads with
     * it: the rest must not fall under the minimum, or the next second
     * would start it again */
    if (c->max_spare_threads < c->min_spare_threads + c->threads) {
        fprintf(stderr, "eligod: --max-spare-threads %d: must be at least --min-spare-threads + --threads (%d)\n",
                c->max_spare_threads, c->min_spare_threads + c->threads);
        return -1;
    }
    if (!c->start_workers) {
        /* php-fpm's default: the middle of the spare range */
        int mid = c->min_spare_threads + (c->max_spare_threads - c->min_spare_threads) / 2;
        c->start_workers = (mid + c->threads - 1) / c->threads;
        if (c->start_workers > c->workers) c->start_workers = c->workers;
    }
    if (c->start_workers > c->workers) {
        fprintf(stderr, "eligod: --start-workers %d: more than --workers %d (the most)\n", c->start_workers,
                c->workers);
        return -1;
    }
    return 0;
}

int conf_parse(eligod_conf *c, int argc, char **argv)
{
    memset(c, 0, sizeof *c);
    c->policies = ELIGO_POLICYDIR;
    c->listen = "unix:" ELIGO_RUNDIR "/eligod.sock";
    c->log = "stderr";
    c->log_level = LOG_L_INFO;
    c->backlog = 0;            /* eligod.c reads somaxconn */
    c->threads = 8;
    c->request_timeout = BUDGET_REQUEST_TIMEOUT_S;
    c->max_body = 1 << 20;
    c->checkpoint_interval = 1;
    c->max_unprotected = VERIFY_MAX_UNPROTECTED_S;
    c->group_commit = 64;
    c->commit_lanes = 1;
    const char *env = getenv("ELIGO_DB");
    if (env && *env) c->db = env;
    env = getenv("ELIGO_POLICIES");
    if (env && *env) c->policies = env;
    /* the file, then the command line over it */
    const char *file = conf_path(argc, argv);
    if (conf_file(c, file ? file : ELIGO_CONFDIR "/eligod.conf", file != NULL)) return -1;
    c->conf = file ? file : ELIGO_CONFDIR "/eligod.conf";

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--conf") == 0) {
            if (++i == argc) {         /* else read above */
                fprintf(stderr, "eligod: --conf expects FILE\n");
                return -1;
            }
            continue;
        }
        if (strncmp(a, "--conf=", 7) == 0) continue;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            conf_help(stdout);
            return 1;
        }
        if (strcmp(a, "--version") == 0 || strcmp(a, "-v") == 0) {
            conf_version(stdout);
            return 1;
        }
        if (strcmp(a, "--test") == 0 || strcmp(a, "-t") == 0) {
            c->test_only = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "eligod: unexpected argument `%s` (see --help)\n", a);
            return -1;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        const opt_row *o = find_option(name, eq ? (size_t)(eq - name) : strlen(name));
        if (!o) {
            fprintf(stderr, "eligod: unknown option `%s` (see --help)\n", a);
            return -1;
        }
        const char *val = "";
        if (o->arg) {
            if (eq) val = eq + 1;
            else if (i + 1 < argc) val = argv[++i];
            else {
                fprintf(stderr, "eligod: --%s expects %s\n", o->name, o->arg);
                return -1;
            }
        } else if (eq) {
            fprintf(stderr, "eligod: --%s takes no value\n", o->name);
            return -1;
        }
        const char *err = o->parse(val, (char *)c + o->offset);
        if (err) {
            fprintf(stderr, "eligod: --%s %s: %s\n", o->name, val, err);
            return -1;
        }
    }
    if (c->workers == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        c->workers = (int)(n > 0 ? (n > 64 ? 128 : 2 * n) : 2);
    }
    if (c->stop_timeout == 0) c->stop_timeout = c->request_timeout + 5;
    return conf_pool(c);
}
