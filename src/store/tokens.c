/*
 * tokens.c - bearer tokens: create one for a role, and find the role and
 * client name of a presented token.
 *
 * How it fits: `eligo token add` (and scripts/stack) create tokens; the
 * daemon's router looks up every request's bearer token before any
 * handler runs.  A token is 32 random bytes (RAND_bytes) written as 64
 * hex characters; only SHA-256 of those 64 characters is stored, so the
 * table is useless to a reader who wants to call the API.
 *
 * A store opened with token_cache_s keeps the tokens it found for that
 * many seconds: the daemon would otherwise spend a database round trip
 * on every request before any work.  The cache is keyed by the token as
 * presented, so a hit costs no SHA-256 either (a request's largest cost
 * before it); the comparison is constant-time (CRYPTO_memcmp), since the
 * secret itself is compared, and an entry is wiped when it is replaced
 * and when the store closes.  It holds STORE_TOKEN_CACHE entries per
 * store, that is per worker thread, each for token_cache_s seconds from
 * the moment the database said yes, never longer.  Tokens not found are
 * not cached, so random tokens cannot fill the cache.
 *
 * Revocation (`eligo token revoke`) deletes a name's rows; a worker that
 * had the token cached accepts it until that entry expires, at most
 * token_cache_s seconds later (eligod: 5 s).
 *
 * What it does not do: expiry of tokens themselves.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include "store/store_int.h"

static int valid_role(const char *r)
{
    static const char *const roles[] = {"portal", "officer", "auditor", "admin"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (r && strcmp(r, roles[i]) == 0) return 1;
    return 0;
}

/* One attempt at storing a new token (store_retry): its hash, role and
 * name, and the token itself to look for after a lost COMMIT. */
typedef struct token_put {
    const char *hash, *role, *name, *token;
} token_put;

static store_class put_token(store *s, void *arg)
{
    const token_put *t = arg;
    MYSQL_BIND p[3];
    unsigned long len[3];
    store_bind_str(&p[0], t->hash, 64, &len[0]);
    store_bind_str(&p[1], t->role, strlen(t->role), &len[1]);
    store_bind_str(&p[2], t->name, strlen(t->name), &len[2]);
    store_class c = store_exec(s, ST_TOKEN_PUT, p);
    if (c != SC_OK) return c;
    c = store_commit(s);
    if (c == SC_RECONNECT || c == SC_UNAVAILABLE) {
        /* a lost COMMIT may have stored it: look before inserting again */
        char r[16], cl[65];
        if (store_token_lookup(s, t->token, r, cl) == STORE_OK) return SC_OK;
    }
    return c;
}

store_rc store_token_add(store *s, const char *role, const char *name, char token[65])
{
    unsigned char raw[32];
    char hash[65];
    if (!valid_role(role)) {
        store_set_error(s, 0, "unknown role \"%s\" (portal, officer, auditor or admin)", role ? role : "");
        return STORE_ERROR;
    }
    if (!name || !*name || strlen(name) > 64) {
        store_set_error(s, 0, "a token's name is 1 to 64 bytes");
        return STORE_ERROR;
    }
    if (RAND_bytes(raw, sizeof raw) != 1) {
        store_set_error(s, 0, "no random bytes for the token");
        return STORE_ERROR;
    }
    store_hex(raw, sizeof raw, token);
    OPENSSL_cleanse(raw, sizeof raw);
    if (store_sha256_hex(token, 64, hash)) {
        store_set_error(s, 0, "SHA-256 failed");
        return STORE_ERROR;
    }

    token_put t = {hash, role, name, token};
    return store_retry(s, put_token, &t);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Entries that are unused (expires_ms 0) or expired are skipped before
 * any comparison. */
static int cached(store *s, const char *token, char role[16], char client[65])
{
    int64_t now = now_ms();
    for (unsigned i = 0; i < STORE_TOKEN_CACHE; i++) {
        struct store_token_entry *e = &s->tokens[i];
        if (e->expires_ms > now && CRYPTO_memcmp(e->token, token, sizeof e->token) == 0) {
            memcpy(role, e->role, 16);
            memcpy(client, e->client, 65);
            return 1;
        }
    }
    return 0;
}

static void cache(store *s, const char *token, const char *role, const char *client)
{
    if (s->token_cache_s <= 0) return;
    struct store_token_entry *e = &s->tokens[s->token_next];
    s->token_next = (s->token_next + 1) % STORE_TOKEN_CACHE;
    OPENSSL_cleanse(e, sizeof *e);
    memcpy(e->token, token, sizeof e->token);
    snprintf(e->role, sizeof e->role, "%s", role);
    snprintf(e->client, sizeof e->client, "%s", client);
    e->expires_ms = now_ms() + (int64_t)s->token_cache_s * 1000;
}

store_rc store_token_lookup(store *s, const char *token, char role[16], char client[65])
{
    char hash[65];
    if (!token || strnlen(token, 65) != 64) return STORE_NOT_FOUND;
    if (cached(s, token, role, client)) return STORE_OK;
    if (store_sha256_hex(token, 64, hash)) {
        store_set_error(s, 0, "SHA-256 failed");
        return STORE_ERROR;
    }
    MYSQL_BIND p[1];
    unsigned long len;
    buf br, bn;
    buf_init(&br);
    buf_init(&bn);
    buf *cols[2] = {&br, &bn};
    store_bind_str(&p[0], hash, 64, &len);
    store_rc rc = store_read_one(s, ST_TOKEN_GET, p, cols, 2, NULL);
    if (rc == STORE_OK) {
        snprintf(role, 16, "%s", buf_cstr(&br));
        snprintf(client, 65, "%s", buf_cstr(&bn));
        cache(s, token, role, client);
    }
    buf_free(&br);
    buf_free(&bn);
    return rc;
}

/* One attempt at deleting a name's tokens (store_retry), counting them.
 * A DELETE run twice deletes nothing more: rerunning is safe, and after
 * a lost COMMIT the rows are gone on the next attempt (0 deleted). */
typedef struct token_del {
    const char *name;
    uint64_t n;
} token_del;

static store_class del_tokens(store *s, void *arg)
{
    token_del *d = arg;
    MYSQL_BIND p[1];
    unsigned long len;
    store_bind_str(&p[0], d->name, strlen(d->name), &len);
    store_class c = store_exec(s, ST_TOKEN_DEL, p);
    if (c != SC_OK) return c;
    d->n = mysql_stmt_affected_rows(s->st[ST_TOKEN_DEL]);
    return store_commit(s);
}

store_rc store_token_revoke(store *s, const char *name, uint64_t *revoked)
{
    *revoked = 0;
    if (!name || !*name || strlen(name) > 64) {
        store_set_error(s, 0, "a token's name is 1 to 64 bytes");
        return STORE_ERROR;
    }
    token_del d = {name, 0};
    store_rc rc = store_retry(s, del_tokens, &d);
    if (rc != STORE_OK) return rc;
    *revoked = d.n;
    return d.n ? STORE_OK : STORE_NOT_FOUND;
}
