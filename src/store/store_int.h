/*
 * store_int.h - what the files of src/store share and nobody else sees:
 * the store struct, the statement table's ids, the error classifier and
 * the helpers that bind and run one prepared statement.
 *
 * How it fits: db.c owns the connection (open, reconnect, classify),
 * stmt.c the SQL table and preparing it, decisions.c, tokens.c and
 * migrate.c the operations of store.h built on both.  Only store.h is
 * the contract; this header may change with the files that use it.
 *
 * Ownership: a store owns its MYSQL handle, its prepared statements and
 * the strings parsed out of the URL.  MYSQL_BINDs point at buffers the
 * caller of store_exec owns, valid until the statement has run (and, for
 * results, until the caller has read them).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_STORE_INT_H
#define ELIGO_STORE_INT_H

#include <mysql.h>
#include "store/store.h"

/* A stored decision for audits (rows.c): its columns, then its seq, the
 * checkpoint that covers it (the first whose tree_size reaches the seq)
 * and that checkpoint's leaf hash for it (hex; the checkpoint's leaves
 * hold the rows after the previous checkpoint's tree_size, 32 bytes each).
 *
 * seq is 0 until the sequencer numbers the row; seq_key is seq or NULL
 * (db/007_seq_in_place.sql) and carries the unique key.  Statements read
 * seq_key: NULL for "not yet numbered", as the API shows it, and no
 * checkpoint found for it (tree_size >= 0 would match the first); the
 * unnumbered rows are found as the NULLs of uq_decisions_seq_key, named
 * in the statement because the optimizer's estimate for them is poor
 * and it would scan the whole table instead. */
#define ROW_SELECT "SELECT d.id, d.request_id, d.client, d.fingerprint, d.policy_name, d.policy_hash, " \
    "d.model_hash, d.as_of, d.input, d.outputs, d.explanation, d.response, d.created_at, d.content_hash, d.seq_key, " \
    "c.k, LOWER(HEX(SUBSTRING(c.leaves, 32 * (d.seq_key - 1 - COALESCE(p.tree_size, 0)) + 1, 32))) " \
    "FROM decisions d LEFT JOIN checkpoints c ON c.k = (SELECT MIN(k) FROM checkpoints WHERE tree_size >= d.seq_key) " \
    "LEFT JOIN checkpoints p ON p.k = c.k - 1 "

/* The decision INSERT for one row (ST_DECISION_PUT), and for n rows, n
 * up to STORE_PUT_ROWS_MAX: the same text with n row tuples, prepared on
 * a connection the first time a batch of n rows is stored on it
 * (store_exec_put_rows), so that a group of any size is one statement.
 * The JSON columns' checks (JSON_VALID) stay on here, though the texts
 * are eligod's own writing: they are the last guard that no malformed
 * text is ever stored as a decision, and cost MariaDB about 3% of its
 * CPU per decision (the sequencer's UPDATE, which checked them again,
 * does without: ST_CP_SEQ). */
#define DECISION_INSERT "SET STATEMENT innodb_lock_wait_timeout = 0 FOR " \
    "INSERT INTO decisions (id, request_id, client, " \
    "fingerprint, policy_name, policy_hash, model_hash, as_of, input, outputs, explanation, response, created_at, " \
    "content_hash) VALUES "
#define DECISION_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
enum { DECISION_ROW_PARAMS = 14, STORE_PUT_ROWS_MAX = 64 };

/* The access-log INSERT for one row and for 8 rows (ST_ACCESS_PUTn).
 * It waits at most a second for a lock on the table (an auditor's LOCK
 * TABLES, a slow read): the server then answers 1205, an error like any
 * other, where a longer wait would run into the read timeout and make the
 * database look hung to every worker (service/routes.c marks it down). */
#define ACCESS_INSERT "SET STATEMENT lock_wait_timeout = 1, innodb_lock_wait_timeout = 1 FOR " \
    "INSERT INTO access_log (at, last_at, client, role, action, target, requests) VALUES "
#define ACCESS_ROW "(COALESCE(?, UTC_TIMESTAMP(6)), ?, ?, ?, ?, ?, ?)"
#define ACCESS_ROWS2 ACCESS_ROW "," ACCESS_ROW
#define ACCESS_ROWS8 ACCESS_ROWS2 "," ACCESS_ROWS2 "," ACCESS_ROWS2 "," ACCESS_ROWS2

/* The statement table (stmt.c), in one X-macro so that ids, names and SQL
 * cannot drift apart.  The group says when a statement is prepared: MAIN
 * needs the migrated schema; MIGRATE only schema_migrations, which the
 * migrator creates itself. */
#define STORE_STMTS(X) \
    X(ST_POLICY_PUT,     MAIN,    3, "INSERT IGNORE INTO policy_versions (hash, name, text, first_seen) VALUES (?, ?, ?, UTC_TIMESTAMP(6))") \
    X(ST_MODEL_PUT,      MAIN,    3, "INSERT IGNORE INTO model_versions (hash, name, text, first_seen) VALUES (?, ?, ?, UTC_TIMESTAMP(6))") \
    /* lock wait 0: a (client, request_id) another transaction inserted and \
     * has not committed fails at once with 1205 (the 409), never waits; \
     * the same for n rows in one statement: store_exec_put_rows */ \
    X(ST_DECISION_PUT,   MAIN,   14, DECISION_INSERT DECISION_ROW) \
    X(ST_DECISION_BY_RID, MAIN,   2, "SELECT id, fingerprint, response FROM decisions WHERE client = ? AND request_id = ?") \
    X(ST_DECISION_BY_ID, MAIN,    1, "SELECT response FROM decisions WHERE id = ?") \
    /* audit reads (rows.c) */ \
    X(ST_ROW_BY_ID,      MAIN,    1, ROW_SELECT "WHERE d.id = ?") \
    X(ST_ROW_RANGE,      MAIN,    7, ROW_SELECT "WHERE d.created_at >= ? AND d.created_at <= ? AND (? = '' OR d.policy_name = ?) AND d.created_at >= ? AND (d.created_at > ? OR d.id > ?) ORDER BY d.created_at, d.id LIMIT 500") \
    X(ST_POLICY_TEXT,    MAIN,    1, "SELECT name, text FROM policy_versions WHERE hash = ?") \
    X(ST_POLICY_KNOWN,   MAIN,    1, "SELECT name, hash FROM policy_versions WHERE name = ? LIMIT 1") \
    X(ST_MODEL_TEXT,     MAIN,    1, "SELECT name, text FROM model_versions WHERE hash = ?") \
    /* checkpoints.c: the sequencer and the verifier (seq, checkpoints) */ \
    X(ST_CP_PAGE,        MAIN,    3, "SELECT k, tree_size, root, leaves, note FROM checkpoints WHERE k > ? AND k <= ? ORDER BY k LIMIT ?") \
    X(ST_CP_PUT,         MAIN,    6, "INSERT INTO checkpoints (k, tree_size, root, created_at, leaves, note) VALUES (?, ?, ?, ?, ?, ?)") \
    /* one statement numbers a round: the i-th id of the JSON array (1-based ordinality) gets seq first + i - 1; \
     * it changes only seq (0 to a number, 8 bytes in place), so the JSON columns' checks would parse again \
     * the texts the INSERT checked.  A join, not a single-table UPDATE: MariaDB 10.11 has no semi-join \
     * for one, so "WHERE id IN (SELECT ... JSON_TABLE)" reads the whole table, and the ids as a literal \
     * IN list cost more to parse than the join's second read of each row saves (bench/notes.md) */ \
    X(ST_CP_SEQ,         MAIN,    2, "SET STATEMENT check_constraint_checks = 0 FOR UPDATE decisions d JOIN JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, id CHAR(36) CHARACTER SET ascii PATH '$')) j ON d.id = j.id SET d.seq = ? + j.n - 1 WHERE d.seq = 0") \
    X(ST_CP_ROWS,        MAIN,    3, "SELECT seq_key, content_hash, id, request_id, client, fingerprint, policy_name, policy_hash, model_hash, as_of, input, outputs, explanation, response, created_at FROM decisions WHERE seq_key > ? AND seq_key <= ? ORDER BY seq_key LIMIT ?") \
    /* ORDER BY id sorts (the optimizer does not extend a UNIQUE key by the primary key, although the \
     * NULL entries are in id order): a fraction of a microsecond a decision, less than another index \
     * written by every INSERT would cost */ \
    X(ST_CP_PENDING,     MAIN,    2, "SELECT seq_key, content_hash, id FROM decisions FORCE INDEX (uq_decisions_seq_key) WHERE seq_key IS NULL AND created_at < UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND ORDER BY id LIMIT ?") \
    /* the sequencer's lease (db/004_sequencer_lease.sql) */ \
    X(ST_LEASE_TAKE,     MAIN,    3, "UPDATE sequencer_lease SET holder = ?, expires_at = UTC_TIMESTAMP(6) + INTERVAL ? SECOND WHERE id = 1 AND (holder = ? OR expires_at < UTC_TIMESTAMP(6))") \
    X(ST_LEASE_RENEW,    MAIN,    2, "UPDATE sequencer_lease SET expires_at = UTC_TIMESTAMP(6) + INTERVAL ? SECOND WHERE id = 1 AND holder = ?") \
    X(ST_CP_UNSEQ,       MAIN,    0, "SELECT COUNT(*), COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(created_at), UTC_TIMESTAMP(6)) DIV 1000, 0) FROM decisions FORCE INDEX (uq_decisions_seq_key) WHERE seq_key IS NULL") \
    /* the texts decisions name: each stored text in hash order, a \
     * decision naming a text that is not stored, one naming a text */ \
    X(ST_TEXT_NEXT_POLICY, MAIN,  1, "SELECT hash, name, text FROM policy_versions WHERE hash > ? ORDER BY hash LIMIT 1") \
    X(ST_TEXT_NEXT_MODEL, MAIN,   1, "SELECT hash, name, text FROM model_versions WHERE hash > ? ORDER BY hash LIMIT 1") \
    X(ST_TEXT_MISSING,   MAIN,    0, "SELECT d.id, d.seq, 'policy', d.policy_hash FROM decisions d LEFT JOIN policy_versions p ON p.hash = d.policy_hash WHERE p.hash IS NULL UNION ALL SELECT d.id, d.seq, 'model', d.model_hash FROM decisions d LEFT JOIN model_versions m ON m.hash = d.model_hash WHERE d.model_hash IS NOT NULL AND m.hash IS NULL LIMIT 1") \
    X(ST_TEXT_USER,      MAIN,    2, "SELECT id, seq FROM decisions WHERE policy_hash = ? OR model_hash = ? ORDER BY seq = 0, seq LIMIT 1") \
    /* access.c */ \
    X(ST_ACCESS_PUT,     MAIN,    7, ACCESS_INSERT ACCESS_ROW) \
    X(ST_ACCESS_PUT8,    MAIN,   56, ACCESS_INSERT ACCESS_ROWS8) \
    X(ST_TOKEN_PUT,      MAIN,    3, "INSERT INTO tokens (hash, role, name, created_at) VALUES (?, ?, ?, UTC_TIMESTAMP(6))") \
    X(ST_TOKEN_GET,      MAIN,    1, "SELECT role, name FROM tokens WHERE hash = ?") \
    X(ST_TOKEN_DEL,      MAIN,    1, "DELETE FROM tokens WHERE name = ?") \
    X(ST_MIGRATION_HAS,  MIGRATE, 1, "SELECT 1 FROM schema_migrations WHERE version = ?") \
    X(ST_MIGRATION_PUT,  MIGRATE, 1, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, UTC_TIMESTAMP(6))")

#define STORE_STMT_ID(id, group, nparams, sql) id,
typedef enum store_stmt_id { STORE_STMTS(STORE_STMT_ID) ST__COUNT } store_stmt_id;
#undef STORE_STMT_ID

enum { STORE_GROUP_MAIN = 1, STORE_GROUP_MIGRATE = 2 };
enum { STORE_KNOWN_TEXTS = 64, STORE_TOKEN_CACHE = 16 };

/* What to do about an error, decided in one place (store_classify). */
typedef enum store_class {
    SC_OK = 0,
    SC_RETRY,        /* 1213 deadlock, 1205 lock wait: roll back, rerun the transaction */
    SC_RECONNECT,    /* 2006/2013/1053/1927/1243/2056: connection or statements gone */
    SC_DUPLICATE,    /* 1062: the row exists; the caller reads it back */
    SC_UNAVAILABLE,  /* 2002/2003/1047/...: server unreachable or not ready (503) */
    SC_FATAL         /* anything else: a bug or a schema problem (500) */
} store_class;

/* A test hook in the spirit of SQLite's fault injection: the nth
 * statement execution (STORE_FAULT_EXEC) or COMMIT (STORE_FAULT_COMMIT)
 * from now fails with err_no as if the server had said so, and so do the
 * next times-1 ones.  A COMMIT fault of class reconnect (2013) first
 * really commits, then loses the answer: the in-doubt case.  Armed only
 * by tests (store_fault_arm); a store never arms itself. */
enum { STORE_FAULT_EXEC = 1, STORE_FAULT_COMMIT = 2 };
typedef struct store_fault {
    int where;
    int countdown;                  /* 0: disarmed */
    int times;
    unsigned int err_no;
} store_fault;

struct store {
    MYSQL *db;                      /* NULL while disconnected */
    MYSQL_STMT *st[ST__COUNT];
    /* the decision INSERT of n rows at [n] (2..STORE_PUT_ROWS_MAX), each
     * prepared when first used on this connection, closed with st */
    MYSQL_STMT *put_rows[STORE_PUT_ROWS_MAX + 1];
    int groups;                     /* STORE_GROUP_* prepared on every connection */
    int allow_nondurable;
    int nondurable;                 /* check_durable refused the server */
    int timeout_s;
    char *url;                      /* as given, for store_open_again (malloc'ed) */
    long deadline_ms;               /* store_set_deadline: give up by then (0: none) */
    long connect_again_ms;          /* with a deadline: no connect attempt before this */
    /* connection parameters parsed from the URL (malloc'ed, NUL-terminated) */
    char *host, *user, *password, *database, *socket, *option_file;
    unsigned int port;
    uint64_t reconnects;
    int ever_connected;             /* a later connect is a reconnection */
    int galera;                     /* the server is a Galera node (wsrep_on) */
    uint64_t rng;                   /* xorshift state for back-off jitter */
    store_fault fault;
    /* policy and model texts this store has seen committed: their hashes,
     * so a put does not send a text again (a cache: a miss only costs an
     * INSERT IGNORE) */
    char known_text[STORE_KNOWN_TEXTS][72];
    unsigned known_next;
    /* tokens found, by the token itself (a hit costs no SHA-256), until
     * their expiry (tokens.c); wiped when evicted and on close */
    int token_cache_s;
    struct store_token_entry {
        char token[64], role[16], client[65];
        int64_t expires_ms;
    } tokens[STORE_TOKEN_CACHE];
    unsigned token_next;
    /* the last error seen, for messages and logs */
    unsigned int err_no;
    char err_state[6];
    char err_msg[256];
};

/* db.c */
store_class store_classify(unsigned int err_no);
/* Whether a server of this mysql_get_server_version() number (10.11.19 is
 * 101119) can run eligo: 1 from MariaDB 10.6 on, else 0. */
int store_server_supported(unsigned long version);
/* Records the error of st (or of the connection when st is NULL) as the
 * store's last error, prefixed with what, and classifies it. */
store_class store_check_error(store *s, MYSQL_STMT *st, const char *what);
/* Sets the store's last error to a message of our own (class FATAL). */
void store_set_error(store *s, unsigned int err_no, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A second store on the same database with the same options (its own
 * connection), e.g. for a reader thread.  NULL with a message in err. */
store *store_open_again(const store *s, char *err, size_t errlen);
/* Drops the connection (statements included); the next operation
 * reconnects. */
void store_disconnect(store *s);
/* Connects if disconnected, retrying with back-off for at most about
 * timeout_s seconds.  Counts a reconnection when the store had been
 * connected before.  0, or -1 with the last error set. */
int store_ensure(store *s);
/* COMMIT, through the fault hook.  SC_OK or the class of the error. */
store_class store_commit(store *s);
/* Arms the test hook (see store_fault); nth >= 1, times >= 1. */
void store_fault_arm(store *s, int where, int nth, int times, unsigned int err_no);
/* The injected error for an operation at where, or 0. */
unsigned int store_fault_check(store *s, int where);
/* Records an injected error like a real one and classifies it. */
store_class store_inject(store *s, unsigned int err_no, const char *what);
/* 1 when a deadline is set and has passed: the caller gives up instead
 * of starting an operation (the connection is dropped, which rolls back
 * the transaction; the error is set, class unavailable).  An operation
 * started before the deadline may still block for the connection's
 * timeout, so a request's worst case is the deadline plus one timeout. */
int store_too_late(store *s, const char *what);
/* After a failed operation begun at started_ms: when it ran into the read
 * timeout (a server that hangs), no connection is tried for a second. */
void store_note_hang(store *s, long started_ms);
long store_now_ms(void);
/* Sleeps a jittered back-off for attempt n (0, 1, 2...). */
void store_backoff(store *s, int attempt);
/* ROLLBACK, ignoring errors other than a lost connection (which
 * disconnects). */
void store_rollback(store *s);
/* Runs a transaction at most three times, with back-off between: each
 * attempt connects if need be and calls txn, which runs its statements
 * and commits (SC_OK; a read, store_select, just runs its SELECT) or
 * returns the class of its error.  A
 * deadlock or lock wait is rolled back and run again; so is a lost
 * connection, and txn must make that safe (a lost COMMIT may have
 * committed: txn looks first, or reruns only what is idempotent); any
 * other error is rolled back and ends it.  STORE_OK, or the store_rc of
 * the last error (set). */
store_rc store_retry(store *s, store_class (*txn)(store *, void *), void *arg);

/* stmt.c */
/* Prepares every statement of groups; checks each parameter count against
 * the table.  0, or -1 with the last error set. */
int store_stmt_prepare_all(store *s, int groups);
void store_stmt_close_all(store *s);
const char *store_stmt_name(store_stmt_id id);

/* Binding helpers: a string (NULL binds SQL NULL), and an output column
 * into a growing buffer. */
void store_bind_str(MYSQL_BIND *b, const char *s, size_t len, unsigned long *lenp);

/* Runs SELECT id with params through store_retry (a failure before its
 * first row is retried, reconnecting).  On STORE_OK its result is stored
 * for store_fetch_text and the read transaction is open: the caller ends
 * it with store_stmt_done and store_rollback.  Else the store_rc of the
 * last error (set). */
store_rc store_select(store *s, store_stmt_id id, MYSQL_BIND *params);
/* A SELECT of at most one row (store_select), its columns fetched into
 * cols, and the read transaction ended.  STORE_OK, STORE_NOT_FOUND,
 * STORE_UNAVAILABLE or STORE_ERROR (last error set). */
store_rc store_read_one(store *s, store_stmt_id id, MYSQL_BIND *params, buf **cols, int ncols, int *isnull);
/* The store_rc a failed operation of class c ends in. */
store_rc store_rc_of(store_class c);

/* Executes statement id with params (the table's count of them).  For a
 * SELECT, stores the result client-side so the caller can fetch rows with
 * store_fetch_text.  SC_OK or the class of the error. */
store_class store_exec(store *s, store_stmt_id id, MYSQL_BIND *params);
/* Executes the decision INSERT of rows rows (2..STORE_PUT_ROWS_MAX) with
 * params (DECISION_ROW_PARAMS per row), preparing it on this connection
 * the first time.  SC_OK or the class of the error. */
store_class store_exec_put_rows(store *s, int rows, MYSQL_BIND *params);
/* Fetches the next row of statement id into bufs (one per column; NULL
 * to skip a column; a NULL value leaves the buf empty and sets isnull[i]
 * when isnull is given).  1 row, 0 no more rows, -1 error (set). */
int store_fetch_text(store *s, store_stmt_id id, buf **cols, int ncols, int *isnull);
/* Frees the result of a SELECT so the statement can run again. */
void store_stmt_done(store *s, store_stmt_id id);

/* tokens.c / decisions.c (store_sha256_hex and store_hex are in store.h) */

/* A decision's leaf hash (the content_hash column, and the leaf of the
 * tamper-evidence tree): SHA-256(0x00 || field || field ...) over the
 * fields in this order, each its length as 8 bytes big-endian followed by
 * its bytes, SQL NULL as the length 0xFFFFFFFFFFFFFFFF with no bytes.
 * Computed when the row is stored and again, from the row as read back,
 * by every verifier (DATE and DATETIME(6) read as text give the strings
 * written; outputs and explanation of a row whose outputs column is NULL
 * taken from its response, store_response_parts).  Per decision, so
 * through the thread's reusable digest context (decisions.c sha256_ctx)
 * and store_hex.  0, or -1 when SHA-256 failed. */
enum { LEAF_ID, LEAF_REQUEST_ID, LEAF_CLIENT, LEAF_FINGERPRINT, LEAF_POLICY_NAME, LEAF_POLICY_HASH,
       LEAF_MODEL_HASH, LEAF_AS_OF, LEAF_INPUT, LEAF_OUTPUTS, LEAF_EXPLANATION, LEAF_RESPONSE,
       LEAF_CREATED_AT, STORE_LEAF_FIELDS };
int store_leaf_hash(const char *const fields[STORE_LEAF_FIELDS], char hex[65]);
/* The same with each field's length given (lens[i]; lens NULL: every
 * field to its NUL), for fields that are spans of a larger text. */
int store_leaf_hash_n(const char *const fields[STORE_LEAF_FIELDS], const size_t *lens, char hex[65]);

/* parts.c: a span of a stored text (p NULL: absent). */
typedef struct store_span {
    const char *p;
    size_t n;
} store_span;
/* The values of the top-level "outputs" and "explanation" members of
 * the decision document doc (explanation->p NULL when it has none).  0,
 * or -1 when doc is not an object of members or has no outputs.  Rows
 * stored since db/005 hold their outputs and explanation only in the
 * response (outputs column NULL); readers take them back with this. */
int store_response_parts(const char *doc, size_t len, store_span *outputs, store_span *explanation);

#endif
