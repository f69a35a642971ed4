/*
 * committer.c - group commit: the committer process and its supervision
 * by the master (committer.h says why).  The frames are commit_wire.c's,
 * the worker's side commit_client.c's.
 *
 * The conversation is one frame each way per request (commit_wire.h).
 * The committer's loop: wait for frames; read one from every connection
 * that has one; answer STORE_IN_FLIGHT at once to a request with a row
 * whose (client, request_id) is already in the batch (the 409 of a retry
 * while the first attempt is not committed); store the batch with
 * store_put_batch, at most --group-commit rows a commit but a request's
 * rows together; answer every request; again.  A batch stored while
 * more frames arrive is the group commit: those frames form the next
 * batch.
 *
 * Its state is this file's (C): the master fills it before the first
 * fork, and every child inherits a copy.
 *
 * What it does not do: decide HTTP statuses (h_decisions.c), retry
 * (store_put_batch does), or keep anything across its own death (the
 * workers waiting then answer 503).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE 1   /* ppoll */
#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "service/budget.h"
#include "service/commit_wire.h"
#include "service/committer.h"
#include "service/scoreboard.h"
#include "service/service.h"
#include "service/signals.h"
#include "service/worker.h"

enum { MAX_CONNS = 1024, STORE_RETRY_MS = 1000, STATS_MS = 10000 };

/* The master's record of group commit, copied into every child. */
static struct {
    const eligod_conf *conf;
    int fcgi_fd;                  /* the FastCGI socket, closed in the committer */
    int listen_fd;                /* -1: group commit off */
    struct sockaddr_un addr;      /* abstract: sun_path[0] == 0 */
    socklen_t addrlen;
    helper proc;                  /* the committer process (supervise.h) */
} C = {.fcgi_fd = -1, .listen_fd = -1};

/* ---- the committer process -------------------------------------------- */

typedef struct conn {
    int fd;                  /* -1: closed, removed after the batch is answered */
    buf in;                  /* the frame of the request in the batch */
    buf stored[COMMIT_MAX_ROWS];    /* the stored responses, for STORE_EXISTS */
    store_decision d[COMMIT_MAX_ROWS];   /* point into in */
} conn;

/* The committer's state, on its stack (committer_main never returns). */
typedef struct committer {
    store *db;
    int64_t db_tried_ms;
    conn *conns;
    int nconns;
    store_put *batch;
    int *batch_conn;         /* batch[i] came from conns[batch_conn[i]]; a
                              * connection's rows are side by side */
    int nbatch;
    buf out;
    sigset_t run_mask;
    /* for the log line every STATS_MS: commits, rows and time in them */
    int64_t stats_ms;
    uint64_t commits, rows, commit_us;
} committer;

static store *committer_store(committer *cm)
{
    if (cm->db) return cm->db;
    int64_t now = sb_now_ms();
    if (cm->db_tried_ms && now - cm->db_tried_ms < STORE_RETRY_MS) return NULL;
    cm->db_tried_ms = now;
    store_options o = {.url = C.conf->db, .allow_nondurable = C.conf->allow_nondurable,
                       .timeout_s = BUDGET_STORE_TIMEOUT_S};
    char err[256] = "";
    cm->db = store_open(&o, NULL, err, sizeof err);
    if (cm->db) elog(LOG_L_INFO, NULL, "committer: store connected");
    else elog(LOG_L_WARN, NULL, "committer: store unavailable: %s", err);
    return cm->db;
}

/* Removes the closed connections; only between batches, since the
 * batch points into the table. */
static void sweep(committer *cm)
{
    for (int i = cm->nconns - 1; i >= 0; i--) {
        if (cm->conns[i].fd >= 0) continue;
        buf_free(&cm->conns[i].in);
        for (int k = 0; k < COMMIT_MAX_ROWS; k++) buf_free(&cm->conns[i].stored[k]);
        cm->conns[i] = cm->conns[--cm->nconns];
    }
}

/* Accepts every waiting connection of our own uid. */
static void accept_all(committer *cm)
{
    for (;;) {
        int fd = accept4(C.listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) return;
        struct ucred cr;
        socklen_t crlen = sizeof cr;
        if (cm->nconns == MAX_CONNS || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) != 0 ||
            cr.uid != getuid()) {
            close(fd);
            continue;
        }
        struct timeval tv = {COMMIT_READ_TIMEOUT_MS / 1000, (COMMIT_READ_TIMEOUT_MS % 1000) * 1000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        conn *c = &cm->conns[cm->nconns++];
        memset(c, 0, sizeof *c);
        c->fd = fd;
        buf_init(&c->in);
        for (int k = 0; k < COMMIT_MAX_ROWS; k++) buf_init(&c->stored[k]);
    }
}

/* Is (client, request_id) already in the batch? */
static int in_batch(const committer *cm, const store_decision *d)
{
    for (int i = 0; i < cm->nbatch; i++) {
        const store_decision *o = cm->batch[i].d;
        if (o->client && o->request_id && strcmp(o->client, d->client) == 0 &&
            strcmp(o->request_id, d->request_id) == 0)
            return 1;
    }
    return 0;
}

/* Reads the frame of connection i into the batch, its decisions one
 * group.  0, or -1 when the connection is done (closed by the caller). */
static int take_frame(committer *cm, int i)
{
    conn *c = &cm->conns[i];
    int n = wire_recv_frame(c->fd, &c->in) ? -1 : wire_decode_request(&c->in, c->d);
    if (n < 0) return -1;
    for (int k = 0; k < n; k++)
        if (c->d[k].client && c->d[k].request_id && in_batch(cm, &c->d[k]))
            return wire_send_answer(c->fd, &cm->out, NULL, n, STORE_IN_FLIGHT);
    for (int k = 0; k < n; k++) {
        buf_reset(&c->stored[k]);
        cm->batch[cm->nbatch] = (store_put){.d = &c->d[k], .stored_response = &c->stored[k], .group = i + 1};
        cm->batch_conn[cm->nbatch++] = i;
    }
    return 0;
}

/* Stores rows from..from+n of the batch, then answers each of them. */
static void commit_batch(committer *cm, int from, int n)
{
    store *db = committer_store(cm);
    if (db) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        store_set_deadline(db, BUDGET_BATCH_DEADLINE_MS);
        store_put_batch(db, cm->batch + from, (size_t)n);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        cm->commits++;
        cm->rows += (uint64_t)n;
        sb_count_batch(SB_BATCH_COMMIT, (uint64_t)n);
        cm->commit_us += (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000);
    } else {
        for (int i = from; i < from + n; i++) cm->batch[i].rc = STORE_UNAVAILABLE;
    }
    /* what the committer found out about the database, the workers need
     * not find out by waiting for it: they answer 503 at once until then
     * (budget.h's 503 within 3 s; a queue of requests each waiting out
     * a batch would not keep it) */
    sb_db_down_raise(db ? store_down_until(db) : cm->db_tried_ms + STORE_RETRY_MS);
    for (int i = from; i < from + n; i++) {
        store_put *p = &cm->batch[i];
        if (p->rc == STORE_ERROR && db) elog(LOG_L_ERROR, p->d->request_id, "committer: %s", store_last_error(db));
    }
    for (int i = from, end; i < from + n; i = end) {
        for (end = i + 1; end < from + n && cm->batch_conn[end] == cm->batch_conn[i];) end++;
        conn *c = &cm->conns[cm->batch_conn[i]];
        if (wire_send_answer(c->fd, &cm->out, cm->batch + i, end - i, STORE_OK)) {
            /* the worker is gone; the next read of this fd sees it */
            shutdown(c->fd, SHUT_RDWR);
        }
    }
}

/* Where the commit of at most max rows starting at from ends: never
 * inside a request's rows (one request's rows may exceed max alone). */
static int batch_cut(const committer *cm, int from, int max)
{
    int end = from;
    while (end < cm->nbatch) {
        int next = end + 1;
        while (next < cm->nbatch && cm->batch_conn[next] == cm->batch_conn[end]) next++;
        if (end > from && next - from > max) break;
        end = next;
    }
    return end;
}

/* Waits for frames (signals open only here), then reads them. */
static void gather(committer *cm, struct pollfd *pfd)
{
    pfd[0] = (struct pollfd){.fd = C.listen_fd, .events = POLLIN};
    for (int i = 0; i < cm->nconns; i++) pfd[i + 1] = (struct pollfd){.fd = cm->conns[i].fd, .events = POLLIN};
    struct timespec ts = {1, 0};
    int n = ppoll(pfd, (nfds_t)cm->nconns + 1, &ts, &cm->run_mask);
    if (n <= 0) return;
    for (int i = 0, had = cm->nconns; i < had; i++) {
        if (!pfd[i + 1].revents || !take_frame(cm, i)) continue;
        close(cm->conns[i].fd);
        cm->conns[i].fd = -1;
    }
    if (pfd[0].revents) accept_all(cm);
}

/* How the batches went since the last line, for operators sizing
 * --group-commit and the database. */
static void log_stats(committer *cm)
{
    int64_t now = sb_now_ms();
    if (now - cm->stats_ms < STATS_MS) return;
    if (cm->commits)
        elog(LOG_L_INFO, NULL, "committer: %llu rows in %llu commits (%.1f per commit, %.2f ms each)",
             (unsigned long long)cm->rows, (unsigned long long)cm->commits, (double)cm->rows / (double)cm->commits,
             (double)cm->commit_us / 1000.0 / (double)cm->commits);
    cm->stats_ms = now;
    cm->commits = cm->rows = cm->commit_us = 0;
}

static void committer_main(void)
{
    prctl(PR_SET_NAME, "eligod-commit");     /* tells it from the workers in ps */
    /* the FastCGI socket is not ours: holding it open would keep it
     * accepting after the master closed it */
    if (C.fcgi_fd >= 0) close(C.fcgi_fd);
    audit_drop_private();
    committer cm = {0};
    cm.conns = calloc(MAX_CONNS, sizeof *cm.conns);
    cm.batch = calloc(MAX_CONNS * COMMIT_MAX_ROWS, sizeof *cm.batch);
    cm.batch_conn = calloc(MAX_CONNS * COMMIT_MAX_ROWS, sizeof *cm.batch_conn);
    struct pollfd *pfd = calloc(MAX_CONNS + 1, sizeof *pfd);
    if (!cm.conns || !cm.batch || !cm.batch_conn || !pfd) _exit(1);
    buf_init(&cm.out);
    worker_block_stops(&cm.run_mask);
    fcntl(C.listen_fd, F_SETFL, fcntl(C.listen_fd, F_GETFL) | O_NONBLOCK);
    committer_store(&cm);
    int max = C.conf->group_commit;
    while (!worker_stop) {
        gather(&cm, pfd);
        sb_set_commit_queue((uint32_t)cm.nbatch);
        /* more rows than a commit takes: max at a time, whole requests */
        for (int from = 0, end; from < cm.nbatch; from = end) {
            end = batch_cut(&cm, from, max);
            commit_batch(&cm, from, end - from);
        }
        cm.nbatch = 0;
        sb_set_commit_queue(0);
        sweep(&cm);
        log_stats(&cm);
    }
    if (cm.db) store_close(cm.db);
    worker_leak_check();
    _exit(0);
}

/* ---- the master's side ------------------------------------------------ */

static int open_socket(void)
{
    unsigned char r[16];
    if (RAND_bytes(r, sizeof r) != 1) return -1;
    memset(&C.addr, 0, sizeof C.addr);
    C.addr.sun_family = AF_UNIX;
    int n = snprintf(C.addr.sun_path + 1, sizeof C.addr.sun_path - 1, "eligod-commit-");
    for (int i = 0; i < 16; i++) snprintf(C.addr.sun_path + 1 + n + 2 * i, 3, "%02x", r[i]);
    C.addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n + 32);
    C.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (C.listen_fd < 0) return -1;
    if (bind(C.listen_fd, (struct sockaddr *)&C.addr, C.addrlen) || listen(C.listen_fd, 4096)) {
        close(C.listen_fd);
        C.listen_fd = -1;
        return -1;
    }
    return 0;
}

int committer_init_main(const eligod_conf *conf, int fcgi_fd)
{
    C.conf = conf;
    C.fcgi_fd = fcgi_fd;
        C.listen_fd = -1;
    C.proc = (helper){.name = "committer", .counter = SB_HELPER_COMMITTER, .main = committer_main};
    if (!C.conf->db || C.conf->group_commit == 0) return 0;
    if (open_socket()) {
        elog(LOG_L_ERROR, NULL, "committer socket: %s", strerror(errno));
        return -1;
    }
    elog(LOG_L_INFO, NULL, "group commit: up to %d decisions per commit", C.conf->group_commit);
    helper_tick(&C.proc, sb_now_ms());
    return 0;
}

void committer_tick_main(int64_t now)
{
    if (C.listen_fd >= 0) helper_tick(&C.proc, now);
}

int committer_reaped(pid_t pid, int status)
{
    return helper_reaped(&C.proc, pid, status);
}

void committer_stop_main(void)
{
        helper_stop(&C.proc, C.conf->stop_timeout);
    if (C.listen_fd >= 0) close(C.listen_fd);
    C.listen_fd = -1;
}

const struct sockaddr_un *committer_address(socklen_t *len)
{
    if (C.listen_fd < 0) return NULL;
    if (len) *len = C.addrlen;
    return &C.addr;
}

int committer_listen_fd(void)
{
    return C.listen_fd;
}
