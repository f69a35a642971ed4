/*
 * store.h - durable decisions in MariaDB, through Connector/C prepared
 * statements only.
 *
 * One `store` is one connection with its prepared statements; each
 * eligod worker holds one, opened after fork.  The store pattern follows
 * the reliability notes: MYSQL_OPT_RECONNECT off, connect/read/write
 * timeouts of a few seconds, autocommit off; every write is one
 * transaction that ends in COMMIT before the caller may answer; on a lost
 * connection (2006/2013) the handle is closed, reconnected with back-off,
 * every statement prepared again and the whole transaction rerun; when
 * the connection is lost during COMMIT the outcome is unknown, so the
 * store reads the row back by request_id before deciding; 1213/1205 are
 * retried (at most 3 attempts, jittered back-off); 1062 on request_id
 * means the decision exists: the store compares the request fingerprint
 * and returns the stored decision or STORE_CONFLICT.  One classifier
 * (store_classify) decides retry / reconnect / duplicate / fatal.
 *
 * store_open refuses a server whose innodb_flush_log_at_trx_commit is not
 * 1 (or sync_binlog not 1 with log_bin on) unless allow_nondurable.
 *
 * Ownership: the store owns its MYSQL handle and statements; strings
 * passed in are borrowed for the call; results are written into the
 * caller's buf / fixed arrays.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_STORE_H
#define ELIGO_STORE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "base/buf.h"

typedef struct store store;

typedef enum store_rc {
    STORE_OK = 0,
    STORE_EXISTS,        /* request_id already stored with the same fingerprint: *out holds it */
    STORE_CONFLICT,      /* request_id already stored with another fingerprint (422) */
    STORE_IN_FLIGHT,     /* request_id being stored right now by another attempt (409) */
    STORE_NOT_FOUND,
    STORE_UNAVAILABLE,   /* database unreachable or gave up after retries (503) */
    STORE_ERROR          /* anything else (500, logged) */
} store_rc;

typedef struct store_options {
    const char *url;            /* mariadb://user:pass@host:port/db (user, password and
                                 * db %-encoded), unix:/path/to/socket?db=...&user=...&password=...,
                                 * or the path of an option file (groups [client] and [eligo]) */
    int allow_nondurable;       /* skip the innodb_flush_log_at_trx_commit check */
    int timeout_s;              /* connect/read/write timeouts (default 3) */
    int before_migrate;         /* prepare only what store_migrate needs: the
                                 * schema may not exist yet (eligo db migrate) */
    int token_cache_s;          /* keep tokens found for this many seconds (0: ask
                                 * the database every time); a deleted token then
                                 * works at most this long */
    int deadline_ms;            /* > 0: a request's connection (store_set_deadline):
                                 * one attempt, none started after this many ms;
                                 * 0: attempts for up to a second */
} store_options;

/* Why store_open failed, for callers that act on it (eligod refuses to
 * start only on STORE_OPEN_NONDURABLE). */
typedef enum store_open_rc {
    STORE_OPEN_OK = 0,
    STORE_OPEN_CONFIG,          /* no or bad URL, out of memory */
    STORE_OPEN_UNREACHABLE,     /* the server could not be reached (may come back) */
    STORE_OPEN_REFUSED,         /* reached, but refused: credentials, schema, ... */
    STORE_OPEN_NONDURABLE       /* commits would not be durable (allow_nondurable is off) */
} store_open_rc;

/* NULL on failure with a message in err and, when why is not NULL, the
 * reason in *why (STORE_OPEN_OK on success). */
store *store_open(const store_options *o, store_open_rc *why, char *err, size_t errlen);
void store_close(store *s);
/* Pings; reconnects (re-preparing) when the connection is gone.  0 ok. */
int store_ping(store *s);
/* No connect, statement, COMMIT or back-off is started more than ms
 * milliseconds from now (STORE_UNAVAILABLE instead), and while the server
 * is unreachable a connection is tried at most once a second.  One that
 * started in time may block for the connection's timeout (timeout_s), so
 * a request that sets this costs at most ms + timeout_s before it can
 * answer 503.  0: no deadline (the CLI, long audit walks). */
void store_set_deadline(store *s, int ms);
/* Until when (CLOCK_MONOTONIC ms) this store will not try to connect,
 * having found the server refusing or hanging (0: not down); and the
 * same learned from elsewhere (another worker): a connection held now is
 * dropped, so no request waits on a hung server.  For processes that
 * share what one of them found. */
long store_down_until(const store *s);
void store_mark_down(store *s, long until_ms);
/* Count of reconnections so far (logged, and asserted by tests). */
uint64_t store_reconnects(const store *s);
/* The last error, for logs: what failed, the server's message, errno and
 * SQLSTATE ("" when none).  Valid until the next call on s. */
const char *store_last_error(const store *s);

/* Applies db/NNN_*.sql files of dir not yet applied (schema_migrations),
 * in order, each in its own transaction; prints one line per migration to
 * log.  0, or -1 with a message in err. */
int store_migrate(store *s, const char *dir, FILE *log, char *err, size_t errlen);

typedef struct store_decision {
    const char *request_id;     /* client's or generated; unique per client */
    const char *client;         /* token name of the caller */
    const char *fingerprint;    /* hex SHA-256 of the canonical request */
    const char *policy_name;
    const char *policy_hash;    /* "sha256:..." */
    const char *policy_text;    /* stored once per hash (INSERT IGNORE) */
    size_t policy_text_len;
    const char *model_name;     /* the model the policy was compiled against */
    const char *model_hash;
    const char *model_text;     /* stored once per hash, like the policy text */
    size_t model_text_len;
    const char *as_of;          /* YYYY-MM-DD */
    const char *input_json;     /* canonical input */
    /* outputs and explanation are fields of the leaf hash, stored as NULL
     * when they are exactly the response's members (db/005).  outputs_json
     * NULL: they are the response's members, hashed in place (eligod's
     * case; explanation_json is then not read) */
    const char *outputs_json;
    const char *explanation_json;   /* may be NULL */
    const char *response_json;  /* the decision exactly as answered, without decision_id */
} store_decision;

/* Stores one decision and commits.  STORE_OK: decision_id (36 chars + NUL)
 * is the new id.  STORE_EXISTS: decision_id and stored_response hold the
 * earlier decision.  Nothing is answered unless this returned OK/EXISTS. */
store_rc store_put_decision(store *s, const store_decision *d, char decision_id[37], buf *stored_response);
/* One decision of a batch (store_put_batch).  d and stored_response
 * (filled on STORE_EXISTS; may be NULL) are the caller's, borrowed for
 * the call; so is group: puts with the same nonzero group are the
 * decisions of one request, committed all or none.  rc and decision_id
 * are the answer (STORE_NOT_FOUND: not stored because another put of its
 * group could not be); the rest is the store's working state. */
typedef struct store_put {
    const store_decision *d;
    buf *stored_response;
    int group;
    store_rc rc;
    char decision_id[37];
    char id[37], created_at[64], chash[65];
    int state;
    int parts_in_response;      /* outputs and explanation stored only in the response */
} store_put;
/* Stores n decisions in shared transactions, each put answered as
 * store_put_decision would answer it alone: one COMMIT for all the rows
 * that could be inserted, a duplicate or a row in flight elsewhere
 * failing alone, the retries and the in-doubt read-back done for the
 * batch.  store_put_decision is the batch of one. */
void store_put_batch(store *s, store_put *p, size_t n);
/* What a request whose decisions are the n puts of one group gets:
 * STORE_OK when every one was stored now, STORE_EXISTS when every one was
 * stored before with this fingerprint, STORE_CONFLICT when any met another
 * request under its request_id (or only some were stored before), else
 * the first of STORE_IN_FLIGHT, STORE_ERROR, STORE_UNAVAILABLE. */
store_rc store_put_outcome(const store_put *p, size_t n);
/* The stored decision document by id, as answered.  (The auditor's
 * GET /v1/decisions/{id} shows the whole row: store_get_row.) */
store_rc store_get_decision(store *s, const char *decision_id, buf *out);

/* Reading decisions back (rows.c), for replay, impact and audits. */

/* A stored decision row, every column as text (buffers owned by the row:
 * store_row_init / store_row_free; each read overwrites them), with
 * where it stands in the tamper-evidence log: seq and checkpoint ("" when
 * it has none yet) and the checkpoint's leaf hash for it (hex). */
typedef struct store_row {
    buf id, request_id, client, fingerprint, policy_name, policy_hash, model_hash, as_of,
        input, outputs, explanation, response, created_at, content_hash, seq, checkpoint, checkpoint_leaf;
    int model_hash_null, explanation_null;
} store_row;
void store_row_init(store_row *r);
void store_row_free(store_row *r);
/* The row's leaf hash recomputed from its content (hex), what its
 * content_hash and its checkpoint's leaf must equal.  0, or -1. */
int store_row_leaf(const store_row *r, char hex[65]);

/* One decision by id. */
store_rc store_get_row(store *s, const char *decision_id, store_row *r);

/* Every decision created on the dates from..to (YYYY-MM-DD, UTC,
 * inclusive), of one policy or of all (policy NULL), in (created_at, id)
 * order, read a page at a time so memory stays bounded whatever the
 * range.  fn gets each row (valid during the call; it may use the store)
 * and stops the walk by returning nonzero.  STORE_OK when the walk ended
 * (or fn stopped it), else the error of the page that failed. */
store_rc store_each_row(store *s, const char *from, const char *to, const char *policy,
                        int (*fn)(void *arg, const store_row *r), void *arg);

/* Lower-case hex SHA-256 of n bytes (65 bytes with the NUL), without an
 * allocation or a name lookup per call: tokens are hashed on every
 * token-cache miss and decision fingerprints on every decision.  0, or -1. */
int store_sha256_hex(const void *p, size_t n, char hex[65]);
/* n (at most 64) random bytes from OpenSSL's generator, drawn a few
 * hundred at a time into a pool of the thread's, so that an id does not
 * cost a RAND_bytes call (a global lock and a getpid each).  The pool is
 * dropped in a forked child, which never hands out its parent's bytes.
 * 0, or -1 when the generator has none. */
int store_random(void *out, size_t n);
/* 16 bytes as a UUID's text, lower case with dashes (37 bytes with the NUL). */
void store_uuid_text(const unsigned char b[16], char out[37]);

/* Lower-case hex of the n bytes at b into hex (2n characters and a NUL),
 * by table: a hash printed with 32 snprintf calls cost a worker more
 * than anything else it did per request.  The one hex writer of the
 * store and of audit/ (checkpoint roots). */
void store_hex(const unsigned char *b, size_t n, char *hex);

/* A policy or model text by hash ("sha256:..."), into name and text. */
store_rc store_get_policy_text(store *s, const char *hash, buf *name, buf *text);
store_rc store_get_model_text(store *s, const char *hash, buf *name, buf *text);
/* Does the store hold a text of the policy named name (decisions were
 * made under it)?  STORE_OK, STORE_NOT_FOUND, or the error. */
store_rc store_policy_known(store *s, const char *name);

/* Bearer tokens: only the SHA-256 of a token is stored; a store opened
 * with token_cache_s keeps the tokens it found for that long. */
store_rc store_token_lookup(store *s, const char *token, char role[16], char client[65]);
/* Creates a token for role and name; writes the token (64 hex chars). */
store_rc store_token_add(store *s, const char *role, const char *name, char token[65]);
/* Deletes every token named name; *revoked says how many (STORE_NOT_FOUND
 * when none).  A worker that cached one accepts it until the entry
 * expires (token_cache_s). */
store_rc store_token_revoke(store *s, const char *name, uint64_t *revoked);

/* Tamper evidence (checkpoints.c, access.c; the tree, notes and the
 * verifier are in src/audit/).  A checkpoint row, as stored; pointers are
 * valid during the callback only. */
typedef struct store_cp {
    uint64_t k;
    uint64_t tree_size;
    const char *root_hex;       /* 64 hex digits */
    const char *created_at;     /* only for store_cp_append */
    const uint8_t *leaves;      /* the 32-byte leaf hashes of seqs (previous size, tree_size] */
    size_t leaves_len;
    const char *note;           /* the signed note */
    size_t note_len;
} store_cp;
/* Checkpoints with k > after_k in k order, a page at a time.  fn stops
 * the walk by returning nonzero.  STORE_OK when the walk ended. */
store_rc store_cp_each(store *s, uint64_t after_k, int (*fn)(void *arg, const store_cp *cp), void *arg);

/* A decision row as the tree sees it: its seq (0 when unsequenced), id,
 * and its leaf hash.  store_leaf_rows (the verifier) recomputes the leaf
 * from the content (store_leaf_hash), never reading it from content_hash,
 * and stored_ok says whether content_hash agrees; store_leaf_pending (the
 * sequencer) takes the committer's content_hash as the leaf, and stored_ok
 * 0 means that column was not 64 hex digits (the leaf is then zeros, which
 * no content hashes to, so verify names the row). */
typedef struct store_leaf_row {
    uint64_t seq;
    const char *id;
    uint8_t leaf[32];
    int stored_ok;
} store_leaf_row;
/* Sequenced rows with after_seq < seq <= upto_seq, in seq order, 1,000
 * per read (upto_seq UINT64_MAX: no bound). */
store_rc store_leaf_rows(store *s, uint64_t after_seq, uint64_t upto_seq,
                         int (*fn)(void *arg, const store_leaf_row *r), void *arg);
/* Unsequenced rows created more than lag_ms ago, in id order, at most
 * limit of them: their seq, id and content_hash only. */
store_rc store_leaf_pending(store *s, int lag_ms, int limit, int (*fn)(void *arg, const store_leaf_row *r),
                            void *arg);
/* How many rows have no seq yet, and the age of the oldest of them in
 * milliseconds by the database's clock (0 when none). */
store_rc store_leaf_unsequenced(store *s, uint64_t *count, uint64_t *oldest_ms);

/* The policy and model texts are covered by the log through their hash,
 * which every decision's leaf holds: a text is intact when it hashes to
 * its key (recomputed here, never read) and every decision's texts are
 * stored.  The first fault found, when *found is set: */
typedef struct store_text_fault {
    char kind[8];             /* "policy" or "model" */
    char hash[72];            /* the key the text should hash to */
    char name[129];           /* the text's name ("" when missing) */
    int missing;              /* 1: a decision names it, no text stored; 0: altered */
    char id[37];              /* a decision made under it ("" if none) */
    uint64_t seq;             /* its seq, 0 when none */
} store_text_fault;
store_rc store_texts_check(store *s, store_text_fault *f, int *found);
/* The sequencer's lease (db/004_sequencer_lease.sql): one row naming the
 * host whose sequencer may extend the chain, until when.  holder is a
 * name unique among the hosts ("hostname/pid"). */
typedef struct store_lease {
    const char *holder;
    int seconds;              /* how long a take or renewal holds */
} store_lease;
/* Takes the lease when it is free, expired or already ours, and commits.
 * STORE_OK: ours for l->seconds more; STORE_CONFLICT: another host holds
 * it (or took it in the same instant: 1213); else the error. */
store_rc store_lease_take(store *s, const store_lease *l);
/* One transaction: inserts checkpoint cp (created_at set) and numbers
 * ids[i] with seq first_seq + i, then commits.  STORE_CONFLICT when
 * another sequencer got there first (checkpoint k exists, 1062/1213, or a
 * row was numbered meanwhile) or, with a lease, when the lease is no
 * longer ours (the renewal is part of the transaction, so the lease row
 * is certified with the checkpoint): nothing was changed.  No retry here:
 * the sequencer re-reads and tries again on its next round. */
store_rc store_cp_append(store *s, const store_cp *cp, const char *const *ids, size_t n, uint64_t first_seq,
                         const store_lease *lease);

/* Now, UTC, as the store writes DATETIME(6): "YYYY-MM-DD HH:MM:SS.ffffff";
 * and the same of us microseconds since the epoch. */
void store_utc_now(char out[64]);
void store_utc_format(int64_t us, char out[64]);

/* access_log: who (client, role) did what (action, e.g. "audit_verify")
 * to which target (NULL for none), at when ("YYYY-MM-DD HH:MM:SS.ffffff"
 * UTC, or NULL for now).  A row may count several requests (the
 * playground's, service/access_queue.c): requests of them, the last at
 * last_at (NULL for a row written per request; a count of one has it).  Committed before it returns; many
 * rows share one COMMIT. */
typedef struct store_access {
    const char *at, *last_at, *client, *role, *action, *target;
    uint32_t requests;             /* 0 is read as 1 */
} store_access;
store_rc store_access_log(store *s, const char *client, const char *role, const char *action,
                          const char *target);
store_rc store_access_log_many(store *s, const store_access *a, size_t n);
/* The target of a range read (a replay or an impact run), the same from
 * the command line and over HTTP: "policy=NAME from=DATE to=DATE", the
 * policy part left out when policy is NULL; cut to fit the column. */
void store_access_range(char out[256], const char *policy, const char *from, const char *to);

#endif
