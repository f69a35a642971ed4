/*
 * commit_client.c - the worker's side of group commit: committer_put
 * sends the decisions of one request to the committer and waits for the
 * outcome of its rows (committer.h says why), or stores them on the
 * worker's own connection when group commit is off.
 *
 * Each worker thread keeps one connection (service.commit_fd) and has at
 * most one frame outstanding; a connection that gave no answer is closed,
 * so a late answer is never read as the next request's (and the table of
 * texts it carried, commit_wire.h, ends with it).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "service/budget.h"
#include "service/commit_wire.h"
#include "service/committer.h"
#include "service/scoreboard.h"
#include "service/service.h"
#include "service/worker.h"

/* A worker thread's side of its connection: the frame buffer, kept from
 * request to request (no allocation per decision once it has grown to a
 * frame's size), and the texts the connection carried (commit_wire.h).
 * Freed when the thread ends (the key's destructor). */
typedef struct client_state {
    buf frame;
    wire_texts sent;
} client_state;

static pthread_key_t state_key;
static int state_key_ok;
static pthread_once_t state_once = PTHREAD_ONCE_INIT;

static void state_free(void *p)
{
    client_state *cs = p;
    buf_free(&cs->frame);
    wire_texts_free(&cs->sent);
    free(cs);
}

static void state_key_make(void)
{
    state_key_ok = pthread_key_create(&state_key, state_free) == 0;
}

static client_state *client_state_get(void)
{
    pthread_once(&state_once, state_key_make);
    if (!state_key_ok) return NULL;
    client_state *cs = pthread_getspecific(state_key);
    if (!cs && (cs = calloc(1, sizeof *cs)) && pthread_setspecific(state_key, cs) != 0) {
        free(cs);
        cs = NULL;
    }
    return cs;
}

/* A fresh connection, its receive timeout set once for all its answers. */
static int connect_committer(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    socklen_t len;
    const struct sockaddr_un *addr = committer_address(&len);
    if (!addr || connect(fd, (const struct sockaddr *)addr, len)) {
        close(fd);
        return -1;
    }
    struct timeval tv = {COMMIT_READ_TIMEOUT_MS / 1000, COMMIT_READ_TIMEOUT_MS % 1000 * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* Encodes the frame for the connection at hand and sends it; when the
 * kept connection fails before the committer could have read anything,
 * again on a fresh one, whose table of texts starts empty. */
static int send_request(service *sv, client_state *cs, const store_put *p, size_t n)
{
    for (int fresh = sv->commit_fd < 0;; fresh = 1) {
        if (fresh) {
            if (sv->commit_fd >= 0) close(sv->commit_fd);
            sv->commit_fd = connect_committer();
            if (sv->commit_fd < 0) return -1;
            wire_texts_reset(&cs->sent);
        }
        buf_reset(&cs->frame);
        wire_put_u32(&cs->frame, 0);    /* the frame length, set by send_frame */
        wire_encode_request(&cs->frame, p, n, &cs->sent);
        if (wire_send_frame(sv->commit_fd, &cs->frame) == 0) return 0;
        if (fresh) return -1;
    }
}

/* Waits for the answer: the batch it is in, and the one before it, each
 * end within the store's deadline and timeout (budget.h); a committer that
 * does not answer by then is given up on (503). */
static int wait_answer(service *sv, buf *b)
{
    int64_t start = sv->request_start_ms;
    int64_t ms = start ? start + BUDGET_ANSWER_WAIT_MS - sb_now_ms() : BUDGET_ANSWER_WAIT_MS;
    if (ms < BUDGET_ANSWER_WAIT_MIN_MS) ms = BUDGET_ANSWER_WAIT_MIN_MS;
    struct pollfd p = {.fd = sv->commit_fd, .events = POLLIN};
    int rc;
    do rc = poll(&p, 1, (int)ms);
    while (rc < 0 && errno == EINTR);
    if (rc <= 0) return -1;
    return wire_recv_frame(sv->commit_fd, b);
}

store_rc committer_put(service *sv, store_put *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i].group = 1;
        p[i].rc = STORE_UNAVAILABLE;
    }
    if (!committer_address(NULL)) {
        store *db = worker_store(sv);
        if (db) store_put_batch(db, p, n);
        return store_put_outcome(p, n);
    }
    if (sb_db_down_until() > sb_now_ms() || n < 1 || n > COMMIT_MAX_ROWS)
        return STORE_UNAVAILABLE;   /* the committer found it down */
    client_state *cs = client_state_get();
    if (!cs) return STORE_UNAVAILABLE;
    if (send_request(sv, cs, p, n) || wait_answer(sv, &cs->frame) || wire_decode_answer(&cs->frame, p, n)) {
        for (size_t i = 0; i < n; i++) p[i].rc = STORE_UNAVAILABLE;
        if (sv->commit_fd >= 0) {
            /* no answer: a late one must never be read as the next request's */
            close(sv->commit_fd);
            sv->commit_fd = -1;
            elog(LOG_L_WARN, p[0].d->request_id, "no answer from the committer: 503");
        }
    }
    return store_put_outcome(p, n);
}
