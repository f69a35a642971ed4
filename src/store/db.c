/*
 * db.c - the store's connection: parse the URL, connect with the options
 * the reliability notes ask for, refuse a server that does not make
 * commits durable, reconnect with back-off, and classify every error in
 * one place.
 *
 * How it fits: store_open() connects and prepares the statement table
 * (stmt.c); the operations (decisions.c, tokens.c, migrate.c) call
 * store_ensure() before each transaction and send every failure through
 * store_check_error(), which records it and says what to do: retry the
 * transaction (1213, 1205), reconnect and re-prepare (2006, 2013, 1053,
 * 1927, 1243, 2056), read the row back (1062), give up with 503 (2002,
 * 2003, 1047) or 500 (the rest).  A lost connection is never repaired in
 * place: the handle is closed, a new one opened and every statement
 * prepared again, because Connector/C's own reconnect leaves statements
 * dead and refuses inside a transaction.
 *
 * On a Galera node (wsrep_on) every session waits for causal reads
 * (wsrep_sync_wait=1, see causal_reads); 1213 there is also a failed
 * certification (another node committed a conflicting row first) and is
 * retried like a deadlock; 1047 is a node outside the primary component
 * (partitioned, joining, donating) and 1927 a session the node killed
 * while leaving: this store answers "unavailable" (503) until its node is
 * back, while the hosts on other nodes go on.
 *
 * What it does not do: MYSQL_OPT_RECONNECT (deliberately off), TLS
 * options, connection pooling (one store per worker), or deciding what
 * the caller answers: it returns a class, the caller maps it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <openssl/crypto.h>
#include "store/store_int.h"

/* Back-off and reconnect budget.  A put during an outage must end in 503
 * well within the daemon's deadline, so reconnecting stops trying after
 * about a second (connect attempts themselves are bounded by timeout_s). */
enum { BACKOFF_BASE_MS = 25, BACKOFF_CAP_MS = 800, RECONNECT_BUDGET_MS = 1000 };

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

store_class store_classify(unsigned int e)
{
    switch (e) {
    case 0:
        return SC_OK;
    case ER_LOCK_DEADLOCK:          /* 1213: whole transaction rolled back */
    case ER_LOCK_WAIT_TIMEOUT:      /* 1205: statement rolled back, transaction open */
        return SC_RETRY;
    case ER_DUP_ENTRY:              /* 1062 */
    case ER_DUP_ENTRY_WITH_KEY_NAME:
        return SC_DUPLICATE;
    case CR_SERVER_GONE_ERROR:      /* 2006: gone before the command */
    case CR_SERVER_LOST:            /* 2013: lost during the command */
    case CR_SERVER_LOST_EXTENDED:   /* 2055 */
    case CR_STMT_CLOSED:            /* 2056: statements invalidated */
    case ER_SERVER_SHUTDOWN:        /* 1053 */
    case ER_CONNECTION_KILLED:      /* 1927 */
    case ER_UNKNOWN_STMT_HANDLER:   /* 1243: statement unknown to this session */
    case ER_NEED_REPREPARE:         /* 1615 */
    case ER_NET_READ_ERROR:         /* 1158 */
    case ER_NET_WRITE_INTERRUPTED:  /* 1161 */
        return SC_RECONNECT;
    case CR_CONNECTION_ERROR:       /* 2002: socket */
    case CR_CONN_HOST_ERROR:        /* 2003: TCP */
    case CR_UNKNOWN_HOST:           /* 2005 */
    case ER_UNKNOWN_COM_ERROR:      /* 1047: Galera node not ready */
    case ER_CON_COUNT_ERROR:        /* 1040: too many connections */
    case ER_HOST_IS_BLOCKED:        /* 1129 */
    case ER_SERVER_IS_IN_SECURE_AUTH_MODE:
        return SC_UNAVAILABLE;
    default:
        return SC_FATAL;
    }
}

store_rc store_rc_of(store_class c)
{
    switch (c) {
    case SC_OK: return STORE_OK;
    case SC_RETRY:
    case SC_RECONNECT:
    case SC_UNAVAILABLE: return STORE_UNAVAILABLE;
    default: return STORE_ERROR;
    }
}

void store_set_error(store *s, unsigned int err_no, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err_msg, sizeof s->err_msg, fmt, ap);
    va_end(ap);
    s->err_no = err_no;
    memcpy(s->err_state, "HY000", 6);
}

store_class store_check_error(store *s, MYSQL_STMT *st, const char *what)
{
    unsigned int e;
    const char *state, *msg;
    if (st) {
        e = mysql_stmt_errno(st);
        state = mysql_stmt_sqlstate(st);
        msg = mysql_stmt_error(st);
    } else if (s->db) {
        e = mysql_errno(s->db);
        state = mysql_sqlstate(s->db);
        msg = mysql_error(s->db);
    } else {
        e = CR_SERVER_GONE_ERROR;
        state = "HY000";
        msg = "not connected";
    }
    if (e == 0) {       /* a failure the library did not explain */
        e = CR_UNKNOWN_ERROR;
        msg = "unknown error";
    }
    s->err_no = e;
    snprintf(s->err_state, sizeof s->err_state, "%s", state ? state : "HY000");
    snprintf(s->err_msg, sizeof s->err_msg, "%s: %s (%u/%s)", what, msg, e, s->err_state);
    store_class c = store_classify(e);
    /* The handle is useless after these: drop it now so that nobody uses
     * a statement of a dead session, and the next operation reconnects. */
    if (c == SC_RECONNECT || c == SC_UNAVAILABLE)
        store_disconnect(s);
    return c;
}

void store_fault_arm(store *s, int where, int nth, int times, unsigned int err_no)
{
    s->fault.where = where;
    s->fault.countdown = nth;
    s->fault.times = times;
    s->fault.err_no = err_no;
}

unsigned int store_fault_check(store *s, int where)
{
    if (s->fault.countdown <= 0 || s->fault.where != where) return 0;
    if (--s->fault.countdown > 0) return 0;
    unsigned int e = s->fault.err_no;
    if (--s->fault.times > 0) s->fault.countdown = 1;   /* the next one fails too */
    return e;
}

store_class store_inject(store *s, unsigned int e, const char *what)
{
    s->err_no = e;
    memcpy(s->err_state, "HY000", 6);
    snprintf(s->err_msg, sizeof s->err_msg, "%s: injected error (%u)", what, e);
    store_class c = store_classify(e);
    if (c == SC_RECONNECT || c == SC_UNAVAILABLE) store_disconnect(s);
    return c;
}

store_class store_commit(store *s)
{
    unsigned int e = store_fault_check(s, STORE_FAULT_COMMIT);
    if (e) {
        store_class c = store_classify(e);
        /* a lost answer: the server did commit */
        if ((c == SC_RECONNECT || c == SC_UNAVAILABLE) && s->db && mysql_commit(s->db))
            return store_check_error(s, NULL, "COMMIT");
        if (c == SC_RETRY) store_rollback(s);   /* a deadlock rolls the transaction back */
        return store_inject(s, e, "COMMIT");
    }
    if (!s->db) return store_check_error(s, NULL, "COMMIT");
    if (store_too_late(s, "COMMIT")) return SC_UNAVAILABLE;
    long t0 = now_ms();
    if (mysql_commit(s->db)) {
        store_note_hang(s, t0);
        return store_check_error(s, NULL, "COMMIT");
    }
    return SC_OK;
}

void store_disconnect(store *s)
{
    store_stmt_close_all(s);
    /* the server we reconnect to may not be the one that stored them */
    memset(s->known_text, 0, sizeof s->known_text);
    if (s->db) {
        mysql_close(s->db);
        s->db = NULL;
    }
}

void store_rollback(store *s)
{
    if (s->db && mysql_rollback(s->db))
        (void)store_check_error(s, NULL, "ROLLBACK");
}

static uint64_t rng_next(store *s)
{
    uint64_t x = s->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return s->rng = x;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}


void store_backoff(store *s, int attempt)
{
    long base = BACKOFF_BASE_MS << (attempt < 6 ? attempt : 6);
    if (base > BACKOFF_CAP_MS) base = BACKOFF_CAP_MS;
    /* "full jitter" on the upper half: concurrent workers spread out */
    long ms = base / 2 + (long)(rng_next(s) % (uint64_t)(base / 2 + 1));
    if (s->deadline_ms && now_ms() + ms >= s->deadline_ms) return;   /* the next step gives up */
    sleep_ms(ms);
}

store_rc store_retry(store *s, store_class (*txn)(store *, void *), void *arg)
{
    store_class c = SC_OK;
    for (int attempt = 0; attempt < 3; attempt++) {
        if (attempt) store_backoff(s, attempt);
        if (store_ensure(s)) return store_rc_of(store_classify(s->err_no));
        c = txn(s, arg);
        if (c == SC_OK) return STORE_OK;
        store_rollback(s);      /* nothing to roll back after a lost connection */
        if (c != SC_RETRY && c != SC_RECONNECT && c != SC_UNAVAILABLE) return store_rc_of(c);
    }
    return store_rc_of(c);
}

void store_set_deadline(store *s, int ms)
{
    s->deadline_ms = ms > 0 ? now_ms() + ms : 0;
}

void store_note_hang(store *s, long started_ms)
{
    /* the operation ran into the read timeout: the server accepts but does
     * not answer, so requests fail fast for a second instead of each
     * waiting out a connect */
    if (s->deadline_ms && now_ms() - started_ms >= (long)s->timeout_s * 1000 - 100)
        s->connect_again_ms = now_ms() + RECONNECT_BUDGET_MS;
}

long store_now_ms(void)
{
    return now_ms();
}

long store_down_until(const store *s)
{
    return s->connect_again_ms;
}

void store_mark_down(store *s, long until_ms)
{
    if (until_ms <= now_ms() || until_ms <= s->connect_again_ms) return;
    store_disconnect(s);
    s->connect_again_ms = until_ms;
    store_set_error(s, CR_CONN_HOST_ERROR, "the database was found unreachable a moment ago");
}

int store_too_late(store *s, const char *what)
{
    if (!s->deadline_ms || now_ms() < s->deadline_ms) return 0;
    /* dropping the connection rolls back whatever this transaction did,
     * so the caller's "unavailable" means "nothing stored" */
    store_disconnect(s);
    store_set_error(s, CR_CONN_HOST_ERROR, "%s: past the request's deadline for the database", what);
    return 1;
}

/* ---- URL ------------------------------------------------------------ */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* A malloc'ed, %-decoded copy of p[0..n). */
static char *pct_dup(const char *p, size_t n)
{
    char *out = malloc(n + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
            *o++ = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
            i += 2;
        } else {
            *o++ = p[i];
        }
    }
    *o = 0;
    return out;
}

/* Parses "k=v&k=v" (the part after '?'). */
static int parse_query(store *s, const char *q)
{
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', n);
        if (!eq) return -1;
        size_t kn = (size_t)(eq - q);
        char *v = pct_dup(eq + 1, n - kn - 1);
        if (!v) return -1;
        char **slot = NULL;
        if (kn == 2 && !memcmp(q, "db", 2)) slot = &s->database;
        else if (kn == 8 && !memcmp(q, "database", 8)) slot = &s->database;
        else if (kn == 4 && !memcmp(q, "user", 4)) slot = &s->user;
        else if (kn == 8 && !memcmp(q, "password", 8)) slot = &s->password;
        else if (kn == 6 && !memcmp(q, "socket", 6)) slot = &s->socket;
        if (!slot) { free(v); return -1; }
        free(*slot);
        *slot = v;
        q = amp ? amp + 1 : NULL;
    }
    return 0;
}

/* mariadb://[user[:password]@]host[:port][/db][?k=v...] (mysql:// too),
 * unix:/path/to/socket[?db=..&user=..&password=..], or an option file. */
static int parse_url(store *s, const char *url, char *err, size_t errlen)
{
    const char *rest = NULL;
    if (!strncmp(url, "mariadb://", 10)) rest = url + 10;
    else if (!strncmp(url, "mysql://", 8)) rest = url + 8;
    if (!strncmp(url, "unix:", 5)) {
        const char *q = strchr(url + 5, '?');
        size_t n = q ? (size_t)(q - url - 5) : strlen(url + 5);
        s->socket = pct_dup(url + 5, n);
        if (!s->socket || !*s->socket || parse_query(s, q ? q + 1 : NULL)) goto bad;
        return 0;
    }
    if (!rest) {
        /* not a URL: an option file ([client] and [eligo] groups) */
        if (!*url) goto bad;
        s->option_file = strdup(url);
        return s->option_file ? 0 : -1;
    }
    const char *q = strchr(rest, '?');
    size_t len = q ? (size_t)(q - rest) : strlen(rest);
    const char *end = rest + len;
    const char *at = memchr(rest, '@', len);
    if (at) {
        const char *colon = memchr(rest, ':', (size_t)(at - rest));
        s->user = pct_dup(rest, (size_t)((colon ? colon : at) - rest));
        if (colon) s->password = pct_dup(colon + 1, (size_t)(at - colon - 1));
        rest = at + 1;
    }
    const char *slash = memchr(rest, '/', (size_t)(end - rest));
    const char *hend = slash ? slash : end;
    const char *pcolon = memchr(rest, ':', (size_t)(hend - rest));
    s->host = pct_dup(rest, (size_t)((pcolon ? pcolon : hend) - rest));
    if (!s->host || !*s->host) goto bad;
    if (pcolon) {
        char *e;
        unsigned long port = strtoul(pcolon + 1, &e, 10);
        if (e != hend || port == 0 || port > 65535) goto bad;
        s->port = (unsigned int)port;
    }
    if (slash && slash + 1 < end) s->database = pct_dup(slash + 1, (size_t)(end - slash - 1));
    if (parse_query(s, q ? q + 1 : NULL)) goto bad;
    return 0;
bad:
    snprintf(err, errlen, "bad database URL (expected mariadb://user:password@host:port/db, "
             "unix:/path/to/socket?db=NAME&user=USER, or an option file)");
    return -1;
}

/* ---- connecting ----------------------------------------------------- */

/* Runs a statement that carries no values (session setup, checks);
 * returns the first row's columns as text in row[] when wanted. */
static int plain_query(store *s, const char *sql, char row[][32], int ncols)
{
    if (store_too_late(s, "connection setup")) return -1;
    if (mysql_real_query(s->db, sql, (unsigned long)strlen(sql))) {
        (void)store_check_error(s, NULL, sql);
        return -1;
    }
    MYSQL_RES *res = mysql_store_result(s->db);
    if (!res) {
        if (mysql_field_count(s->db) == 0) return 0;
        (void)store_check_error(s, NULL, sql);
        return -1;
    }
    MYSQL_ROW r = mysql_fetch_row(res);
    for (int i = 0; i < ncols && i < (int)mysql_num_fields(res); i++)
        snprintf(row[i], 32, "%s", r && r[i] ? r[i] : "");
    mysql_free_result(res);
    return 0;
}

/* The durability check: an acknowledged commit must survive a crash of
 * the server (refused unless --allow-nondurable). */
/* The oldest server eligo runs on: the sequencer numbers a round with one
 * UPDATE ... JOIN JSON_TABLE (store_int.h, ST_CP_SEQ), which MariaDB has
 * from 10.6.  An older server would fail that statement on the first
 * round, long after start-up; refusing it at connect names the reason. */
#define STORE_MIN_SERVER 100600UL

int store_server_supported(unsigned long version)
{
    return version >= STORE_MIN_SERVER;
}

static int check_version(store *s)
{
    unsigned long v = mysql_get_server_version(s->db);
    if (store_server_supported(v)) return 0;
    store_set_error(s, 0, "the database server is %s; eligo needs MariaDB 10.6 or later",
                    mysql_get_server_info(s->db));
    return -1;
}

static int check_durable(store *s)
{
    char v[3][32] = {{0}};
    if (plain_query(s, "SELECT @@GLOBAL.innodb_flush_log_at_trx_commit, @@GLOBAL.sync_binlog, @@GLOBAL.log_bin", v, 3))
        return -1;
    if (s->allow_nondurable) return 0;
    s->nondurable = 1;
    if (strcmp(v[0], "1") != 0) {
        store_set_error(s, 0, "the database server does not make commits durable: "
                        "innodb_flush_log_at_trx_commit=%s (eligo needs 1, or an explicit "
                        "allow-nondurable override)", v[0]);
        return -1;
    }
    if (strcmp(v[2], "1") == 0 && strcmp(v[1], "1") != 0) {
        store_set_error(s, 0, "the database server does not make commits durable: log_bin is on "
                        "and sync_binlog=%s (eligo needs 1, or an explicit allow-nondurable override)",
                        v[1]);
        return -1;
    }
    s->nondurable = 0;
    return 0;
}

/* On a Galera node a read may run before the node has applied a write
 * another node already committed (replication is synchronous up to
 * certification, apply is not).  eligo's reads must see every committed
 * write: the idempotency read-back after 1062 or a lost COMMIT, the
 * sequencer's look at the chain, replay and verify.  wsrep_sync_wait=1
 * makes every read of the session wait until the node has caught up to
 * the cluster's state at the read's start; writes are not delayed (they
 * are certified instead).  Elsewhere the variable is left alone. */
static int causal_reads(store *s)
{
    char v[1][32] = {{0}};
    if (plain_query(s, "SELECT @@GLOBAL.wsrep_on", v, 1)) {
        /* a server built without wsrep lacks the variable: not Galera */
        if (store_classify(s->err_no) != SC_FATAL) return -1;
        v[0][0] = 0;
    }
    s->galera = strcmp(v[0], "1") == 0;
    if (!s->galera) return 0;
    return plain_query(s, "SET SESSION wsrep_sync_wait = 1", NULL, 0);
}

/* One connection attempt: options, connect, session setup, durability
 * check, prepare.  0, or -1 (disconnected, last error set).  Each step
 * after the handshake is a round trip of up to the read timeout, so a
 * request's connection starts none past its deadline (plain_query, the
 * autocommit, each prepare): a server answering every step slowly but in
 * time would otherwise hold the request for the sum of them, past
 * budget.h's "one statement (or connection) started in time". */
static int connect_once(store *s)
{
    s->db = mysql_init(NULL);
    if (!s->db) {
        store_set_error(s, CR_OUT_OF_MEMORY, "connect: out of memory");
        return -1;
    }
    unsigned int t = (unsigned int)s->timeout_s;
    /* a server that accepts TCP but does not answer (stopped, swapping)
     * costs each attempt this long: half the read timeout is plenty on
     * the local network a store runs on */
    unsigned int ct = t > 1 ? t / 2 : 1;
    my_bool off = 0;
    mysql_optionsv(s->db, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    mysql_optionsv(s->db, MYSQL_OPT_READ_TIMEOUT, &t);
    mysql_optionsv(s->db, MYSQL_OPT_WRITE_TIMEOUT, &t);
    mysql_optionsv(s->db, MYSQL_OPT_RECONNECT, &off);
    mysql_optionsv(s->db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (s->option_file) {
        mysql_optionsv(s->db, MYSQL_READ_DEFAULT_FILE, s->option_file);
        mysql_optionsv(s->db, MYSQL_READ_DEFAULT_GROUP, "eligo");
    }
    if (!mysql_real_connect(s->db, s->socket ? NULL : s->host, s->user, s->password, s->database,
                            s->port, s->socket, 0)) {
        (void)store_check_error(s, NULL, "connect");
        store_disconnect(s);
        return -1;
    }
    /* UTC everywhere (created_at is hashed as text); strict mode so that a
     * value that does not fit is an error, never a silent truncation;
     * READ COMMITTED so a read sees the latest commit and takes no gap locks. */
    if (plain_query(s, "SET SESSION time_zone = '+00:00', SESSION sql_mode = "
                    "'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
                    "NO_ENGINE_SUBSTITUTION'", NULL, 0) ||
        plain_query(s, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", NULL, 0) ||
        check_version(s) || check_durable(s) || causal_reads(s)) {
        store_disconnect(s);
        return -1;
    }
    if (store_too_late(s, "connection setup")) return -1;
    if (mysql_autocommit(s->db, 0)) {
        (void)store_check_error(s, NULL, "autocommit off");
        store_disconnect(s);
        return -1;
    }
    if (store_stmt_prepare_all(s, s->groups)) {
        store_disconnect(s);
        return -1;
    }
    return 0;
}

int store_ensure(store *s)
{
    if (s->db) return 0;
    long start = now_ms();
    if (s->deadline_ms && start < s->connect_again_ms) {
        /* tried less than a second ago and failed: answer now, keep the
         * last error (class unavailable) */
        if (store_classify(s->err_no) != SC_UNAVAILABLE)
            store_set_error(s, CR_CONN_HOST_ERROR, "the database was unreachable a moment ago");
        return -1;
    }
    for (int attempt = 0;; attempt++) {
        if (store_too_late(s, "connect")) return -1;
        if (connect_once(s) == 0) {
            if (s->ever_connected) s->reconnects++;
            s->ever_connected = 1;
            return 0;
        }
        store_class c = store_classify(s->err_no);
        if (c != SC_UNAVAILABLE && c != SC_RECONNECT) return -1;   /* config, durability, schema */
        if (s->deadline_ms) {
            /* a request waits for no reconnection: one attempt a second */
            s->connect_again_ms = now_ms() + RECONNECT_BUDGET_MS;
            return -1;
        }
        if (now_ms() - start >= RECONNECT_BUDGET_MS) return -1;
        store_backoff(s, attempt + 1);
    }
}

/* Why store_ensure failed, from its last error. */
static store_open_rc open_failure(const store *s)
{
    if (s->nondurable) return STORE_OPEN_NONDURABLE;
    store_class c = store_classify(s->err_no);
    return c == SC_UNAVAILABLE || c == SC_RECONNECT ? STORE_OPEN_UNREACHABLE : STORE_OPEN_REFUSED;
}

store *store_open(const store_options *o, store_open_rc *why, char *err, size_t errlen)
{
    store_open_rc dummy;
    if (!why) why = &dummy;
    *why = STORE_OPEN_CONFIG;
    store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->allow_nondurable = o->allow_nondurable;
    s->timeout_s = o->timeout_s > 0 ? o->timeout_s : 3;
    s->token_cache_s = o->token_cache_s;
    s->groups = o->before_migrate ? 0 : STORE_GROUP_MAIN;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)getpid() ^ ((uint64_t)ts.tv_sec << 40) ^ 0x9e3779b97f4a7c15ull;
    if (!o->url || !(s->url = strdup(o->url)) || parse_url(s, o->url, err, errlen)) {
        if (!o->url) snprintf(err, errlen, "no database URL (--db or ELIGO_DB)");
        else if (!s->url) snprintf(err, errlen, "out of memory");
        store_close(s);
        return NULL;
    }
    store_set_deadline(s, o->deadline_ms);
    if (store_ensure(s)) {
        snprintf(err, errlen, "%s", s->err_msg);
        *why = open_failure(s);
        store_close(s);
        return NULL;
    }
    *why = STORE_OPEN_OK;
    return s;
}

store *store_open_again(const store *s, char *err, size_t errlen)
{
    store_options o = {.url = s->url, .allow_nondurable = s->allow_nondurable, .timeout_s = s->timeout_s,
                       .before_migrate = !(s->groups & STORE_GROUP_MAIN), .token_cache_s = s->token_cache_s};
    return store_open(&o, NULL, err, errlen);
}

void store_close(store *s)
{
    if (!s) return;
    store_disconnect(s);
    OPENSSL_cleanse(s->tokens, sizeof s->tokens);   /* the cached tokens are secrets */
    free(s->url);
    free(s->host);
    free(s->user);
    free(s->password);
    free(s->database);
    free(s->socket);
    free(s->option_file);
    free(s);
}

int store_ping(store *s)
{
    if (s->db && mysql_ping(s->db)) {
        store_class c = store_check_error(s, NULL, "ping");
        if (c != SC_RECONNECT && c != SC_UNAVAILABLE) return -1;
    }
    if (s->db) {
        /* a ping leaves no transaction open, but end any read snapshot */
        store_rollback(s);
        if (s->db) return 0;
    }
    return store_ensure(s);
}

uint64_t store_reconnects(const store *s)
{
    return s->reconnects;
}

const char *store_last_error(const store *s)
{
    return s->err_msg;
}
