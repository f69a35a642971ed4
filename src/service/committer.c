/*
 * committer.c - group commit: the committer process and its supervision
 * by the master (committer.h says why).  The frames are commit_wire.c's,
 * the worker's side commit_client.c's.
 *
 * The conversation is one frame each way per request (commit_wire.h).
 * The committer's main thread: wait (epoll) for frames or a lane done; answer
 * the requests of every lane done; read a frame from every connection
 * that has one and is not waiting for an answer; answer STORE_IN_FLIGHT
 * at once to a request with a row whose (client, request_id) is already
 * in the batch or in a lane (the 409 of a retry while the first attempt
 * is not committed); hand the batch to the idle lanes, at most
 * --group-commit rows each but a request's rows together; again.  A lane
 * is a thread with its own store connection that stores its group with
 * store_put_batch (one COMMIT); with two (--commit-lanes), one group's
 * rows are sent while the other's COMMIT waits for its fsync.  Frames that
 * arrive while every lane commits are the group commit: they form the
 * next group.
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
#define _GNU_SOURCE 1   /* accept4, struct ucred */
#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
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
    int fd;                  /* -1: closed; the slot is free once it is not busy */
    int busy;                /* its frame is in the batch or in a lane: not polled */
    buf in;                  /* the frame of the request in the batch */
    buf stored[COMMIT_MAX_ROWS];    /* the stored responses, for STORE_EXISTS */
    store_decision d[COMMIT_MAX_ROWS];   /* point into in and texts */
    wire_texts texts;        /* the texts the connection carried (commit_wire.h) */
} conn;

/* Rows to commit: the puts and the connection each came from (a
 * connection's rows side by side). */
typedef struct rows {
    store_put *put;
    int *conn;
    int n;
} rows;

/* A lane: a thread with its own store connection that commits one group
 * at a time.  With --commit-lanes 2 or more, a group is sent and inserted
 * while the previous one's COMMIT waits for its fsync, instead of the
 * database idling between one group's COMMIT and the next one's rows
 * (a gain where the fsync is slow; where the database's CPU is the limit,
 * smaller groups cost more than the overlap wins: docs/performance.md).
 * state is the hand-over: the main thread fills rows and sets
 * LANE_COMMITTING; the lane stores them and sets LANE_DONE and writes a
 * byte to done_fd's pipe; the main thread answers and sets LANE_IDLE.
 * Only the lane touches db while it commits. */
enum { LANE_IDLE, LANE_COMMITTING, LANE_DONE, LANE_QUIT };
typedef struct lane {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state;
    rows r;
    store *db;
    int64_t db_tried_ms;
    uint64_t us;             /* time of the last commit */
    int wake_fd;             /* the pipe's write end, shared by the lanes */
} lane;

/* The committer's state, on its stack (committer_main never returns). */
typedef struct committer {
    conn *conns;
    int nconns;              /* slots in use or free, up to the highest */
    rows batch;              /* read, not yet handed to a lane */
    lane lanes[CONF_MAX_COMMIT_LANES];
    int nlanes;              /* --commit-lanes */
    int wake[2];             /* lanes -> main: a group is done */
    /* the listening socket, wake[0] and every connection that is not
     * busy.  A connection is armed once (EPOLLONESHOT) per frame: its
     * event disarms it, and answering its frame arms it again; so a busy
     * connection is never looked at, as with poll, but the wait no longer
     * walks every connection on every wake-up (64 at the defaults) */
    int epfd;
    struct epoll_event *events;
    buf out;
    sigset_t run_mask;
    /* for the log line every STATS_MS: commits, rows and time in them */
    int64_t stats_ms;
    uint64_t commits, rows, commit_us;
} committer;

/* Connector/C's library set-up is not safe to run in two threads at
 * once: lanes open their connections one at a time. */
static pthread_mutex_t open_mu = PTHREAD_MUTEX_INITIALIZER;

static store *lane_store(lane *ln)
{
    if (ln->db) return ln->db;
    int64_t now = sb_now_ms();
    if (ln->db_tried_ms && now - ln->db_tried_ms < STORE_RETRY_MS) return NULL;
    ln->db_tried_ms = now;
    store_options o = {.url = C.conf->db, .allow_nondurable = C.conf->allow_nondurable,
                       .timeout_s = BUDGET_STORE_TIMEOUT_S};
    char err[256] = "";
    pthread_mutex_lock(&open_mu);
    ln->db = store_open(&o, NULL, err, sizeof err);
    pthread_mutex_unlock(&open_mu);
    if (ln->db) elog(LOG_L_INFO, NULL, "committer: store connected");
    else elog(LOG_L_WARN, NULL, "committer: store unavailable: %s", err);
    return ln->db;
}

/* The lane's work: one group, COMMIT returned (or given up) before the
 * rows go back to the main thread to be answered. */
static void lane_commit(lane *ln)
{
    store *db = lane_store(ln);
    if (!db) {
        for (int i = 0; i < ln->r.n; i++) ln->r.put[i].rc = STORE_UNAVAILABLE;
        return;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    store_set_deadline(db, BUDGET_BATCH_DEADLINE_MS);
    store_put_batch(db, ln->r.put, (size_t)ln->r.n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ln->us = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000);
}

static void *lane_main(void *arg)
{
    lane *ln = arg;
    pthread_mutex_lock(&ln->mu);
    for (;;) {
        while (ln->state != LANE_COMMITTING && ln->state != LANE_QUIT) pthread_cond_wait(&ln->cv, &ln->mu);
        if (ln->state == LANE_QUIT) break;
        pthread_mutex_unlock(&ln->mu);
        lane_commit(ln);
        pthread_mutex_lock(&ln->mu);
        ln->state = LANE_DONE;
        char one = 1;
        if (write(ln->wake_fd, &one, 1) < 0) { /* the pipe is full: main wakes anyway */ }
    }
    pthread_mutex_unlock(&ln->mu);
    if (ln->db) store_close(ln->db);
    ln->db = NULL;
    return NULL;
}

static int lane_state(lane *ln)
{
    pthread_mutex_lock(&ln->mu);
    int s = ln->state;
    pthread_mutex_unlock(&ln->mu);
    return s;
}

static void lane_set(lane *ln, int state)
{
    pthread_mutex_lock(&ln->mu);
    ln->state = state;
    pthread_cond_signal(&ln->cv);
    pthread_mutex_unlock(&ln->mu);
}

static int rows_alloc(rows *r)
{
    r->put = calloc(MAX_CONNS * COMMIT_MAX_ROWS, sizeof *r->put);
    r->conn = calloc(MAX_CONNS * COMMIT_MAX_ROWS, sizeof *r->conn);
    r->n = 0;
    return r->put && r->conn ? 0 : -1;
}

static void rows_free(rows *r)
{
    free(r->put);
    free(r->conn);
}

/* Starts the lanes (the threads inherit the blocked stop signals, so
 * only the main thread's epoll_pwait takes them). */
static int lanes_start(committer *cm)
{
    if (pipe2(cm->wake, O_CLOEXEC | O_NONBLOCK)) return -1;
    cm->nlanes = C.conf->commit_lanes < 1 ? 1 : C.conf->commit_lanes;
    for (int k = 0; k < cm->nlanes; k++) {
        lane *ln = &cm->lanes[k];
        *ln = (lane){.state = LANE_IDLE, .wake_fd = cm->wake[1]};
        pthread_mutex_init(&ln->mu, NULL);
        pthread_cond_init(&ln->cv, NULL);
        if (rows_alloc(&ln->r) || pthread_create(&ln->thread, NULL, lane_main, ln)) return -1;
    }
    return 0;
}

/* Frees the slots of connections closed and no longer in a group. */
static void sweep(committer *cm)
{
    while (cm->nconns > 0 && cm->conns[cm->nconns - 1].fd < 0 && !cm->conns[cm->nconns - 1].busy) {
        conn *c = &cm->conns[--cm->nconns];
        buf_free(&c->in);
        for (int k = 0; k < COMMIT_MAX_ROWS; k++) buf_free(&c->stored[k]);
        wire_texts_free(&c->texts);
    }
}

/* A free slot: a closed connection no group points into, or a new one.
 * Slots never move, since the puts of a group point into them. */
static conn *free_slot(committer *cm)
{
    for (int i = 0; i < cm->nconns; i++)
        if (cm->conns[i].fd < 0 && !cm->conns[i].busy) return &cm->conns[i];
    if (cm->nconns == MAX_CONNS) return NULL;
    conn *c = &cm->conns[cm->nconns++];
    memset(c, 0, sizeof *c);
    buf_init(&c->in);
    for (int k = 0; k < COMMIT_MAX_ROWS; k++) buf_init(&c->stored[k]);
    return c;
}

/* Ends connection c, which is not busy: no group points into its frame
 * or its texts, so the texts' copies go with it (up to WIRE_TEXTS x
 * WIRE_TEXT_MAX bytes a slot would hold until reused). */
static void conn_close(conn *c)
{
    close(c->fd);
    c->fd = -1;
    wire_texts_free(&c->texts);
}

enum { EV_LISTEN = -1, EV_WAKE = -2 };   /* epoll data of the two fds that are no connection */

/* Arms connection i for its next frame (EPOLLONESHOT: one event, then
 * disarmed until armed again).  -1 when epoll refuses it. */
static int arm(committer *cm, int i, int op)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u32 = (uint32_t)i};
    return epoll_ctl(cm->epfd, op, cm->conns[i].fd, &ev);
}

/* Accepts every waiting connection of our own uid. */
static void accept_all(committer *cm)
{
    for (;;) {
        int fd = accept4(C.listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) return;
        struct ucred cr;
        socklen_t crlen = sizeof cr;
        conn *c = NULL;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) != 0 || cr.uid != getuid() ||
            !(c = free_slot(cm))) {
            close(fd);
            continue;
        }
        struct timeval tv = {COMMIT_READ_TIMEOUT_MS / 1000, (COMMIT_READ_TIMEOUT_MS % 1000) * 1000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        wire_texts_reset(&c->texts);    /* a new connection carried none */
        c->fd = fd;
        if (arm(cm, (int)(c - cm->conns), EPOLL_CTL_ADD)) {
            close(fd);
            c->fd = -1;
        }
    }
}

static int rows_have(const rows *r, const store_decision *d)
{
    for (int i = 0; i < r->n; i++) {
        const store_decision *o = r->put[i].d;
        if (o->client && o->request_id && strcmp(o->client, d->client) == 0 &&
            strcmp(o->request_id, d->request_id) == 0)
            return 1;
    }
    return 0;
}

/* Is (client, request_id) in the batch or in a lane's group?  (A lane's
 * put.d is only read: the lane writes the other members.) */
static int in_batch(committer *cm, const store_decision *d)
{
    if (rows_have(&cm->batch, d)) return 1;
    for (int k = 0; k < cm->nlanes; k++)
        if (lane_state(&cm->lanes[k]) != LANE_IDLE && rows_have(&cm->lanes[k].r, d)) return 1;
    return 0;
}

/* Reads the frame of connection i into the batch, its decisions one
 * group.  0, or -1 when the connection is done (closed by the caller). */
static int take_frame(committer *cm, int i)
{
    conn *c = &cm->conns[i];
    int n = wire_recv_frame(c->fd, &c->in) ? -1 : wire_decode_request(&c->in, c->d, &c->texts);
    if (n < 0) return -1;
    for (int k = 0; k < n; k++)
        if (c->d[k].client && c->d[k].request_id && in_batch(cm, &c->d[k]))
            return wire_send_answer(c->fd, &cm->out, NULL, n, STORE_IN_FLIGHT);
    rows *b = &cm->batch;
    for (int k = 0; k < n; k++) {
        buf_reset(&c->stored[k]);
        b->put[b->n] = (store_put){.d = &c->d[k], .stored_response = &c->stored[k], .group = i + 1};
        b->conn[b->n++] = i;
    }
    c->busy = 1;
    return 0;
}

/* Answers the rows of a lane's group, which its COMMIT (or its failure)
 * has decided, and frees their connections for the next frame. */
static void answer(committer *cm, lane *ln)
{
    rows *r = &ln->r;
    if (ln->db) {
        cm->commits++;
        cm->rows += (uint64_t)r->n;
        cm->commit_us += ln->us;
        sb_count_batch(SB_BATCH_COMMIT, (uint64_t)r->n);
    }
    /* what the committer found out about the database, the workers need
     * not find out by waiting for it: they answer 503 at once until then
     * (budget.h's 503 within 3 s; a queue of requests each waiting out
     * a batch would not keep it) */
    sb_db_down_raise(ln->db ? store_down_until(ln->db) : ln->db_tried_ms + STORE_RETRY_MS);
    for (int i = 0; i < r->n; i++)
        if (r->put[i].rc == STORE_ERROR && ln->db)
            elog(LOG_L_ERROR, r->put[i].d->request_id, "committer: %s", store_last_error(ln->db));
    for (int i = 0, end; i < r->n; i = end) {
        for (end = i + 1; end < r->n && r->conn[end] == r->conn[i];) end++;
        conn *c = &cm->conns[r->conn[i]];
        if (c->fd >= 0 && wire_send_answer(c->fd, &cm->out, r->put + i, end - i, STORE_OK)) {
            /* the worker is gone; the next read of this fd sees it */
            shutdown(c->fd, SHUT_RDWR);
        }
        c->busy = 0;
        if (c->fd >= 0 && arm(cm, r->conn[i], EPOLL_CTL_MOD))
            conn_close(c);    /* never looked at again otherwise */
    }
    r->n = 0;
}

/* Where a group of at most max rows from the start of the batch ends:
 * never inside a request's rows (one request's rows may exceed max
 * alone). */
static int batch_cut(const rows *b, int max)
{
    int end = 0;
    while (end < b->n) {
        int next = end + 1;
        while (next < b->n && b->conn[next] == b->conn[end]) next++;
        if (end > 0 && next > max) break;
        end = next;
    }
    return end;
}

/* Hands the batch to idle lanes, at most max rows (whole requests) each. */
static void dispatch(committer *cm, int max)
{
    rows *b = &cm->batch;
    for (int k = 0; k < cm->nlanes && b->n > 0; k++) {
        lane *ln = &cm->lanes[k];
        if (lane_state(ln) != LANE_IDLE) continue;
        int n = batch_cut(b, max);
        memcpy(ln->r.put, b->put, (size_t)n * sizeof *b->put);
        memcpy(ln->r.conn, b->conn, (size_t)n * sizeof *b->conn);
        ln->r.n = n;
        memmove(b->put, b->put + n, (size_t)(b->n - n) * sizeof *b->put);
        memmove(b->conn, b->conn + n, (size_t)(b->n - n) * sizeof *b->conn);
        b->n -= n;
        lane_set(ln, LANE_COMMITTING);
    }
}

/* Answers every lane that is done; how many rows are still in lanes. */
static int reap(committer *cm)
{
    char drain[64];
    while (read(cm->wake[0], drain, sizeof drain) > 0) {
    }
    int in_lanes = 0;
    for (int k = 0; k < cm->nlanes; k++) {
        lane *ln = &cm->lanes[k];
        int s = lane_state(ln);
        if (s == LANE_DONE) {
            answer(cm, ln);
            lane_set(ln, LANE_IDLE);
        } else if (s == LANE_COMMITTING) {
            in_lanes += ln->r.n;
        }
    }
    return in_lanes;
}

/* Waits for frames or a lane done (signals open only here), then
 * answers the lanes done and reads the frames. */
static void gather(committer *cm)
{
    int n = epoll_pwait(cm->epfd, cm->events, MAX_CONNS + 2, 1000, &cm->run_mask);
    if (n <= 0) return;
    reap(cm);
    int listen = 0;
    for (int j = 0; j < n; j++) {
        int i = (int)cm->events[j].data.u32;
        if (i == EV_LISTEN) listen = 1;
        if (i < 0) continue;
        conn *c = &cm->conns[i];
        if (c->fd < 0) continue;
        if (take_frame(cm, i) == 0 && (c->busy || arm(cm, i, EPOLL_CTL_MOD) == 0)) continue;
        conn_close(c);
    }
    if (listen) accept_all(cm);
}

/* The epoll set: the listening socket and the lanes' pipe, always armed. */
static int events_start(committer *cm)
{
    struct epoll_event l = {.events = EPOLLIN, .data.u32 = (uint32_t)EV_LISTEN};
    struct epoll_event w = {.events = EPOLLIN, .data.u32 = (uint32_t)EV_WAKE};
    cm->epfd = epoll_create1(EPOLL_CLOEXEC);
    cm->events = calloc(MAX_CONNS + 2, sizeof *cm->events);
    return cm->epfd < 0 || !cm->events || epoll_ctl(cm->epfd, EPOLL_CTL_ADD, C.listen_fd, &l) ||
                   epoll_ctl(cm->epfd, EPOLL_CTL_ADD, cm->wake[0], &w)
               ? -1
               : 0;
}

/* At the end: the rows read and the groups in lanes are committed and
 * answered before the lanes stop, so no worker waits for an answer that
 * never comes. */
static void lanes_stop(committer *cm, int max)
{
    for (;;) {
        dispatch(cm, max);
        if (reap(cm) == 0 && cm->batch.n == 0) break;
        struct pollfd p = {.fd = cm->wake[0], .events = POLLIN};
        poll(&p, 1, 100);
    }
    for (int k = 0; k < cm->nlanes; k++) {
        lane *ln = &cm->lanes[k];
        lane_set(ln, LANE_QUIT);
        pthread_join(ln->thread, NULL);
        pthread_mutex_destroy(&ln->mu);
        pthread_cond_destroy(&ln->cv);
        rows_free(&ln->r);
    }
    close(cm->wake[0]);
    close(cm->wake[1]);
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
    buf_init(&cm.out);
    worker_block_stops(&cm.run_mask);
    if (!cm.conns || rows_alloc(&cm.batch) || lanes_start(&cm) || events_start(&cm)) _exit(1);
    fcntl(C.listen_fd, F_SETFL, fcntl(C.listen_fd, F_GETFL) | O_NONBLOCK);
    int max = C.conf->group_commit;
    while (!worker_stop) {
        gather(&cm);
        dispatch(&cm, max);
        sb_set_commit_queue((uint32_t)(cm.batch.n + reap(&cm)));
        dispatch(&cm, max);
        sweep(&cm);
        log_stats(&cm);
    }
    lanes_stop(&cm, max);
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
