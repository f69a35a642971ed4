/*
 * worker.c - one worker: threads that each accept a FastCGI request,
 * fill an http_request, dispatch it, write the response; repeat until
 * told to stop.
 *
 * Many requests in flight per worker (--threads, 8): a durable decision
 * waits 1.6-4 ms for its group's fsync, and with one request per worker
 * a commit group held only about as many rows as there were workers.
 * So each worker runs --threads threads, each with its own FCGX_Request
 * (filled by libfcgi's FCGX_Accept_r from a connection the worker hands
 * it), its own service (request arena, evaluation frame, store
 * connection, connection to the committer) and its own log buffer
 * (log.c); what they share is read-only (the registry, the options) or
 * counted atomically (requests served, connections open) or under a
 * mutex (W.mu: the scoreboard slot and the stop; the playground's
 * access-log counts, written by a thread of their own: access_queue.c).
 *
 * No thread is pinned to a connection.  nginx sends FCGI_KEEP_CONN and
 * reuses a connection for request after request, and a thread that
 * waited on its kept connection for the next one (as libfcgi's plain
 * loop does) was lost to everything else: under overload nginx's reused
 * connections were served at once while new ones waited in the listen
 * backlog for a thread nginx let go, and 256 connections of decisions
 * saw a bimodal wait, 80% under 12 ms and the rest 0.1-0.55 s (1.36 s on
 * a loaded machine, past the 1 s bar).  So every connection the worker
 * holds sits in one epoll set (W.ep) between requests, EPOLLONESHOT, with
 * the listening socket; a free thread takes whatever is ready, in the
 * order it became ready: a request on a kept connection, or new
 * connections, which it accepts, all that wait, into the set behind the
 * requests already waiting.  The listening socket is EPOLLEXCLUSIVE (a
 * new connection wakes one worker, not all) and edge-triggered: level-
 * triggered, epoll handed the same readiness to every free thread of the
 * worker in turn, and a worker made 11 accept calls for each connection
 * it got.  A connection is read only once epoll finds it readable, so
 * one that sends nothing holds no thread.
 *
 * Stopping (SIGTERM from the master, or a recycle at --max-requests):
 * the worker leaves the listening socket at once (its backlog is the
 * other workers'), finishes the requests in progress and keeps serving
 * its kept connections until nginx closes them all.  A worker never
 * closes a kept connection itself, since nginx may be sending a request
 * on it that very moment (a 502 the portal cannot tell from a lost
 * decision: seen once in 20 reloads when workers closed right after
 * answering).  nginx closes a kept connection when it has been idle for
 * keepalive_timeout (5 s) and after the request that finds it older than
 * keepalive_time (3 s) (nginx/eligo.conf), so that takes at most about
 * 5 s; LINGER_MS is the last resort for an nginx set up otherwise, and
 * an orphan (no master) does not linger at all.
 * Signals are blocked in every thread except inside epoll_pwait(), so a
 * stop never interrupts a read or write half-way (libfcgi would drop the
 * connection); the listening socket is non-blocking, so losing an accept
 * race to another worker costs one EAGAIN.
 *
 * The store is opened after fork, one connection per thread and one for
 * the access-log writer; when the database is down the worker still
 * serves (routes needing it answer 503) and each thread retries at most
 * once a second (worker_store).
 * A worker killed (SIGKILL, the request timeout) loses the requests of
 * all its threads: nginx answers each 502, and the portal's retry with
 * the same request_id finds the stored decision or stores it once.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE 1   /* accept4 */
#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "service/budget.h"
#include "service/scoreboard.h"
#include "service/service.h"
#include "service/signals.h"
#include "service/worker.h"

enum { LINGER_MS = 8000, STORE_RETRY_MS = 1000, WAIT_MS = 250, ACCEPT_PAUSE_MS = 100,
       THREAD_STACK = 1 << 20, KEEP_BUF = 64 * 1024 };

/* W.ep's tag for the listening socket; a connection's is its fd. */
#define LISTEN_TAG UINT64_MAX

/* One thread's own: its request, its service and its buffers. */
typedef struct wthread {
    service sv;
    FCGX_Request rq;
    buf body;
    http_response rs;
    pthread_t tid;
} wthread;

/* The worker's process-wide state (service.h lists the others). */
static struct {
    const eligod_conf *conf;
    sb_slot *me;
    int listen_fd;
    int ep;                   /* listen_fd and every connection between requests */
    sigset_t run_mask;        /* signals unblocked: used only inside epoll_pwait */
    pthread_mutex_t mu;       /* the scoreboard slot's request fields; the stop below */
    int listening;            /* listen_fd still in ep (under mu) */
    int64_t stop_deadline_ms; /* stopping: kept connections are let go after this (under mu) */
    int conns;                /* connections open (atomic) */
    int64_t accept_warned_ms; /* accept_failed's last log line (atomic) */
    wthread *t;
    int nthreads;
    uint64_t requests;        /* served by all threads (atomic) */
    access_queue access;      /* the playground's access log, shared (access_queue.h) */
    service access_sv;        /* its writer thread's store connection (worker_store) */
} W = {.mu = PTHREAD_MUTEX_INITIALIZER, .ep = -1};

store *worker_store(service *sv)
{
    if (sv->db || !W.conf->db) return sv->db;
    int64_t now = sb_now_ms();
    if (sv->store_tried_ms && now - sv->store_tried_ms < STORE_RETRY_MS) return NULL;
    /* another process found the database down a moment ago: a new worker
     * (a recycle, a respawn) does not wait out a connect to learn it
     * again, with requests queueing behind it past budget.h's 503 */
    if (sb_db_down_until() > now) return NULL;
    /* inside a request, the connection keeps the request's deadline
     * (budget.h): one attempt, and none later than the deadline; without
     * it a connection opened for a request retried for a second and its
     * last attempt could end past BUDGET_UNAVAILABLE_MS */
    int deadline_ms = 0;
    if (sv->request_start_ms) {
        deadline_ms = (int)(sv->request_start_ms + BUDGET_STORE_DEADLINE_MS - now);
        if (deadline_ms <= 0) return NULL;
    }
    sv->store_tried_ms = now;
    /* tokens found stay valid for 5 s in this thread: a deleted token
     * stops working within 5 s, and a request costs no token round trip */
    /* the statement timeout of budget.h: a database that hangs costs a
     * request at most BUDGET_UNAVAILABLE_MS before its 503 */
    store_options o = {.url = W.conf->db, .allow_nondurable = W.conf->allow_nondurable,
                       .timeout_s = BUDGET_STORE_TIMEOUT_S,
                       .token_cache_s = 5, .deadline_ms = deadline_ms};
    char err[256] = "";
    sv->db = store_open(&o, NULL, err, sizeof err);
    if (sv->db) elog(LOG_L_INFO, NULL, "store connected");
    else elog(LOG_L_WARN, NULL, "store unavailable: %s", err);
    return sv->db;
}

/* Between requests, when nothing came for a while: the buffered request
 * lines go out. */
static void idle(void)
{
    log_flush();
}

/* The access-log writer's store (access_queue.h). */
static store *access_store(void *arg)
{
    return worker_store(arg);
}

/* The slot shows the oldest request in progress, so the master's
 * --request-timeout sees a stuck thread however busy the others are,
 * and how many threads are in a request, which a dynamic pool reads as
 * its spare capacity (pm.c). */
static void slot_update(void)
{
    int64_t oldest = 0;
    const char *rid = "";
    uint32_t busy = 0;
    for (int i = 0; i < W.nthreads; i++) {
        int64_t s = W.t[i].sv.request_start_ms;
        if (s) busy++;
        if (s && (!oldest || s < oldest)) oldest = s, rid = W.t[i].sv.request_rid;
    }
    __atomic_store_n(&W.me->busy, busy, __ATOMIC_RELAXED);
    size_t n = strnlen(rid, sizeof W.me->request_id - 1);
    memcpy(W.me->request_id, rid, n);
    W.me->request_id[n] = 0;
    __atomic_store_n(&W.me->request_start_ms, oldest, __ATOMIC_RELAXED);
    W.me->state = oldest ? SB_BUSY : worker_stop || W.me->leaving ? SB_STOPPING : SB_IDLE;
}

/* A request starts (start_ms > 0) or ends (0) in thread t. */
static void slot_mark(wthread *t, int64_t start_ms, const char *rid)
{
    size_t n = rid ? strnlen(rid, sizeof t->sv.request_rid - 1) : 0;
    pthread_mutex_lock(&W.mu);
    t->sv.request_start_ms = start_ms;
    memcpy(t->sv.request_rid, rid ? rid : "", n);
    t->sv.request_rid[n] = 0;
    slot_update();
    pthread_mutex_unlock(&W.mu);
}

static const char *param(FCGX_Request *rq, const char *name, const char *dflt)
{
    const char *v = FCGX_GetParam(name, rq->envp);
    return v ? v : dflt;
}

/* The body into t->body (NULL in rq when too large: routes.c answers
 * 413, and the connection is closed after the answer so the unread
 * records never meet the next request). */
static void read_body(wthread *t, http_request *rq)
{
    FCGX_Request *frq = &t->rq;
    const char *cl = param(frq, "CONTENT_LENGTH", "");
    char *end;
    unsigned long long len = strtoull(cl, &end, 10);
    if (end == cl || *end) len = 0;
    buf_reset(&t->body);
    if (len > (unsigned long long)W.conf->max_body) {
        rq->body = NULL;
        rq->body_len = (size_t)len;
        frq->keepConnection = 0;
        return;
    }
    char chunk[16384];
    size_t got = 0;
    while (got < len) {
        size_t want = len - got < sizeof chunk ? (size_t)(len - got) : sizeof chunk;
        int n = FCGX_GetStr(chunk, (int)want, frq->in);
        if (n <= 0) break;
        buf_add(&t->body, chunk, (size_t)n);
        got += (size_t)n;
    }
    rq->body = buf_cstr(&t->body);
    rq->body_len = t->body.failed ? 0 : t->body.len;
}

/* The decimal digits of v at the end of out (21 bytes); where they start. */
static char *decimal(char out[21], unsigned long long v)
{
    char *p = out + 20;
    *p = 0;
    do *--p = (char)('0' + v % 10);
    while (v /= 10);
    return p;
}

/* The CGI header lines.  Put piece by piece rather than with
 * FCGX_FPrintF, whose formatter calls sprintf for every conversion:
 * printf-family calls were the largest single cost in a worker's
 * profile of POST /v1/evaluate. */
static void write_head(FCGX_Stream *out, const http_response *rs)
{
    char d[21];
    FCGX_PutS("Status: ", out);
    FCGX_PutS(decimal(d, (unsigned)rs->status), out);
    FCGX_PutS(" ", out);
    FCGX_PutS(http_status_title(rs->status), out);
    FCGX_PutS("\r\nContent-Type: ", out);
    FCGX_PutS(rs->content_type, out);
    FCGX_PutS("\r\nContent-Length: ", out);
    FCGX_PutS(decimal(d, rs->body.len), out);
    FCGX_PutS("\r\n", out);
}

static void write_response(FCGX_Request *frq, const http_request *rq, http_response *rs)
{
    if (rs->body.failed) http_problem(rs, 500, "the response could not be built (out of memory)", NULL);
    write_head(frq->out, rs);
    if (rs->headers.len) FCGX_PutStr(rs->headers.data, (int)rs->headers.len, frq->out);
    FCGX_PutS("\r\n", frq->out);
    /* HEAD: the headers GET would have, Content-Length included, no body */
    if (rs->body.len && strcmp(rq->method, "HEAD") != 0) FCGX_PutStr(rs->body.data, (int)rs->body.len, frq->out);
}

/* A buffer grown past KEEP_BUF by one large request is let go: each
 * thread keeping its largest body would add a MiB per thread to the
 * worker, whose memory must stay flat over many requests (less than
 * 1 MiB of growth over 10,000 maximum-size requests). */
static void shrink(buf *b)
{
    if (b->cap <= KEEP_BUF) return;
    buf_free(b);
    buf_init(b);
}

static void serve(wthread *t)
{
    service *sv = &t->sv;
    FCGX_Request *frq = &t->rq;
    struct timespec ts0;
    clock_gettime(CLOCK_MONOTONIC, &ts0);

    http_request rq = {0};
    rq.method = param(frq, "REQUEST_METHOD", "GET");
    rq.path = param(frq, "DOCUMENT_URI", NULL);
    if (!rq.path) rq.path = param(frq, "SCRIPT_NAME", "/");
    char canonical[256];
    rq.path = routes_canonical_path(rq.path, canonical, sizeof canonical);
    rq.query = param(frq, "QUERY_STRING", "");
    rq.content_type = param(frq, "CONTENT_TYPE", NULL);
    if (rq.content_type && !*rq.content_type) rq.content_type = NULL;
    rq.authorization = param(frq, "HTTP_AUTHORIZATION", NULL);
    rq.idempotency_key = param(frq, "HTTP_IDEMPOTENCY_KEY", NULL);
    rq.request_id = param(frq, "HTTP_X_REQUEST_ID", NULL);
    rq.remote_addr = param(frq, "REMOTE_ADDR", NULL);
    slot_mark(t, sb_now_ms(), rq.request_id);
    read_body(t, &rq);

    http_response *rs = &t->rs;
    buf_reset(&rs->headers);
    buf_reset(&rs->body);
    rs->status = 500;
    rs->problem = 0;
    rs->content_type = "application/json";
    arena_reset(&sv->pool);

    routes_dispatch(sv, &rq, rs);
    write_response(frq, &rq, rs);
    shrink(&t->body);
    shrink(&rs->body);
    shrink(&rs->headers);

    sv->requests++;
    __atomic_fetch_add(&W.requests, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&W.me->requests, 1, __ATOMIC_RELAXED);
    struct timespec ts1;
    clock_gettime(CLOCK_MONOTONIC, &ts1);
    long us = (ts1.tv_sec - ts0.tv_sec) * 1000000L + (ts1.tv_nsec - ts0.tv_nsec) / 1000;
    elog_request(rq.request_id, "%s %s %d %ld.%03ld ms", rq.method, rq.path, rs->status, us / 1000, us % 1000);
    slot_mark(t, 0, NULL);
}

/* A connection the worker is done with: closed, and no longer counted. */
static void conn_close(int fd)
{
    close(fd);
    __atomic_sub_fetch(&W.conns, 1, __ATOMIC_RELAXED);
}

/* A connection into W.ep (op EPOLL_CTL_ADD, when accepted) or back into
 * it (EPOLL_CTL_MOD, after a request), until its next request or
 * nginx's close makes it readable. */
static void conn_park(int fd, int op)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.u64 = (uint64_t)fd};
    if (epoll_ctl(W.ep, op, fd, &ev) == 0) return;
    elog(LOG_L_WARN, NULL, "epoll on a connection: %s", strerror(errno));
    conn_close(fd);
}

/* The listening socket into W.ep (unless the worker is stopping), edge-
 * triggered: added again, it is reported at once if connections wait.
 * 0, or -1. */
static int listen_watch(void)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLET, .data.u64 = LISTEN_TAG};
    pthread_mutex_lock(&W.mu);
    int rc = 0;
    if (W.listening) {
        epoll_ctl(W.ep, EPOLL_CTL_DEL, W.listen_fd, NULL);
        rc = epoll_ctl(W.ep, EPOLL_CTL_ADD, W.listen_fd, &ev);
    }
    pthread_mutex_unlock(&W.mu);
    return rc;
}

/* Out of descriptors (EMFILE, ENFILE) or memory: a thread that tried
 * again at once would spin, so it pauses while connections close, then
 * watches the socket anew, since the connections still waiting will
 * bring no new edge; logged once a second at most, since every thread
 * that accepts meets it. */
static void accept_failed(int err)
{
    int64_t now = sb_now_ms();
    int64_t last = __atomic_load_n(&W.accept_warned_ms, __ATOMIC_RELAXED);
    if (now - last >= 1000 &&
        __atomic_compare_exchange_n(&W.accept_warned_ms, &last, now, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        elog(LOG_L_WARN, NULL, "accept: %s (pausing; logged once a second at most)", strerror(err));
    struct timespec pause = {.tv_sec = 0, .tv_nsec = ACCEPT_PAUSE_MS * 1000000L};
    nanosleep(&pause, NULL);
    listen_watch();
}

/* Every new connection waiting, parked behind the requests already
 * waiting: each is served when its first request is read to be next,
 * not before the kept connections' requests that came first.  All of
 * them, since the socket is edge-triggered: one left in the backlog
 * would wait for the next connection's edge. */
static void accept_new(void)
{
    for (;;) {
        int fd = accept4(W.listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) accept_failed(errno);
            return;
        }
        __atomic_add_fetch(&W.conns, 1, __ATOMIC_RELAXED);
        conn_park(fd, EPOLL_CTL_ADD);
    }
}

/* 1 while the worker may go on: it is not stopping, or it still holds
 * connections and the linger has not run out.  The first thread to see
 * the stop takes the listening socket out of W.ep, so the backlog goes
 * to the other workers. */
static int worker_goes_on(int recycle)
{
    if (!worker_stop && !recycle) return 1;
    int64_t now = sb_now_ms();
    pthread_mutex_lock(&W.mu);
    if (W.listening) {
        epoll_ctl(W.ep, EPOLL_CTL_DEL, W.listen_fd, NULL);
        W.listening = 0;
    }
    /* an orphan does not linger: with no master, nothing replaces it and
     * nginx's retries must meet a closed socket, not a pool going away */
    if (!W.stop_deadline_ms) W.stop_deadline_ms = now + (signals_orphaned() ? 0 : LINGER_MS);
    int64_t deadline = W.stop_deadline_ms;
    pthread_mutex_unlock(&W.mu);
    return __atomic_load_n(&W.conns, __ATOMIC_RELAXED) > 0 && now < deadline;
}

/* The next connection with a request to read, in t->rq.ipcFd: 1, or 0
 * to look again (nothing ready, new connections parked, nginx closed a
 * kept one), or -1 when interrupted. */
static int next_request(wthread *t)
{
    struct epoll_event ev;
    int rc = epoll_pwait(W.ep, &ev, 1, WAIT_MS, &W.run_mask);
    if (rc <= 0) {
        if (rc == 0) idle();
        return rc < 0 ? -1 : 0;
    }
    if (ev.data.u64 == LISTEN_TAG) {
        accept_new();
        return 0;
    }
    int fd = (int)ev.data.u64;
    if (ev.events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        /* nginx let go; a request that came with the close is still read */
        char c;
        if (recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) {
            conn_close(fd);
            return 0;
        }
    }
    t->rq.ipcFd = fd;
    t->rq.keepConnection = 1;   /* FCGX_Accept_r's own finish must not close it */
    return 1;
}

/* After FCGX_Accept_r and the answer: the connection parked for its next
 * request, or, when libfcgi closed it (nginx did not ask to keep it, a
 * 413, a broken record), counted out. */
static void request_done(wthread *t)
{
    int fd = t->rq.ipcFd;
    t->rq.ipcFd = -1;
    if (fd >= 0) conn_park(fd, EPOLL_CTL_MOD);
    else __atomic_sub_fetch(&W.conns, 1, __ATOMIC_RELAXED);
}

/* One thread's loop: take the next request, serve it, again, until the
 * worker stops or recycles and its connections are gone. */
static void *thread_main(void *arg)
{
    wthread *t = arg;
    worker_store(&t->sv);
    for (;;) {
        int recycle = W.conf->max_requests > 0 &&
                      __atomic_load_n(&W.requests, __ATOMIC_RELAXED) >= (uint64_t)W.conf->max_requests;
        /* it serves its kept connections until nginx lets go (up to
         * about 5 s) but accepts no new one: the master starts the
         * replacement now, not at the exit, or a pool whose workers all
         * reach the limit together accepts nothing for those seconds */
        if (recycle && !W.me->leaving) __atomic_store_n(&W.me->leaving, 1, __ATOMIC_RELAXED);
        if (!worker_goes_on(recycle)) break;
        if (next_request(t) <= 0) continue;
        /* the worker's own fd: libfcgi reads the request from it (its
         * listening socket is -1, so it never accepts on its own) */
        if (FCGX_Accept_r(&t->rq) < 0) {
            request_done(t);
            continue;
        }
        serve(t);
        FCGX_Finish_r(&t->rq);
        request_done(t);
    }
    return NULL;
}

/* Sets up thread i's own state.  0, or -1. */
static int thread_init(wthread *t, const registry *reg, int slot)
{
    t->sv.reg = reg;
    t->sv.worker_index = slot;
    t->sv.commit_fd = -1;
    t->sv.pending_log = &W.access;
    arena_init(&t->sv.pool, 64 * 1024);
    buf_init(&t->body);
    buf_init(&t->rs.headers);
    buf_init(&t->rs.body);
    /* no listening socket: the worker accepts (accept_new), and a
     * connection libfcgi drops ends FCGX_Accept_r with an error instead
     * of an accept of its own */
    return FCGX_InitRequest(&t->rq, -1, 0);
}

/* What a thread leaves behind, once joined: its store, its buffers, its
 * evaluation frame. */
static void thread_done(wthread *t)
{
    if (t->sv.db) store_close(t->sv.db);
    if (t->sv.commit_fd >= 0) close(t->sv.commit_fd);
    FCGX_Free(&t->rq, 0);       /* its connection, if any, was parked or closed */
    buf_free(&t->body);
    buf_free(&t->rs.headers);
    buf_free(&t->rs.body);
    decision_frame_free(&t->sv.frame);
    arena_free(&t->sv.pool);
}

/* A worker leaves by _exit (the master's atexit handlers and stdio
 * buffers are not the worker's to run), which skips LeakSanitizer's check
 * at exit; in a sanitizer build the worker asks for it here, so a leak in
 * a worker is reported like one in the master (tests/lib/stack.sh fails
 * a suite on any sanitizer report). */
#if defined(__SANITIZE_ADDRESS__)
#define WORKER_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WORKER_LSAN 1
#endif
#endif
#ifdef WORKER_LSAN
#include <sanitizer/lsan_interface.h>
/* An orphan skips it: an orphaned sequencer's check (LeakSanitizer
 * stopping the process with the master's death signal pending and
 * blocked) twice never ended and spun on a core long after its test,
 * and no one reads an orphan's report. */
void worker_leak_check(void)
{
    if (!signals_orphaned()) __lsan_do_leak_check();
}
#else
void worker_leak_check(void) {}
#endif

void worker_block_stops(sigset_t *run_mask)
{
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGQUIT);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, run_mask);
    sigdelset(run_mask, SIGTERM);
    sigdelset(run_mask, SIGQUIT);
    sigdelset(run_mask, SIGINT);
}

/* Starts the threads (the first runs in this one) and waits for them
 * all. */
static void run_threads(void)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, THREAD_STACK);
    int started = 1;
    for (int i = 1; i < W.nthreads; i++) {
        if (pthread_create(&W.t[i].tid, &attr, thread_main, &W.t[i]) != 0) {
            elog(LOG_L_WARN, NULL, "only %d of %d threads started", started, W.nthreads);
            break;
        }
        started++;
    }
    pthread_attr_destroy(&attr);
    /* worker_main counted all of them before any started: corrected
     * when some could not start */
    if (started < W.nthreads) __atomic_store_n(&W.me->threads, (uint32_t)started, __ATOMIC_RELAXED);
    thread_main(&W.t[0]);
    for (int i = 1; i < started; i++) pthread_join(W.t[i].tid, NULL);
}

/* The listening socket non-blocking and in W.ep (listen_watch); a
 * worker that cannot wait on it exits. */
static void listen_start(int listen_fd)
{
    fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK);
    W.ep = epoll_create1(EPOLL_CLOEXEC);
    W.listening = 1;
    if (W.ep < 0 || listen_watch() != 0) {
        elog(LOG_L_ERROR, NULL, "epoll on the listening socket: %s", strerror(errno));
        _exit(1);
    }
}

/* The playground's access-log writer (access_queue.h), started with the
 * stop signals blocked; a worker without it exits. */
static void access_log_start(void)
{
    if (access_queue_init(&W.access, access_store, &W.access_sv) != 0 || access_queue_start(&W.access) != 0) {
        elog(LOG_L_ERROR, NULL, "the access-log writer could not start");
        _exit(1);
    }
}

/* The writer's last write, what it could not write logged, and its
 * store closed. */
static void access_log_stop(void)
{
    uint32_t left = access_queue_stop(&W.access);
    if (left) elog(LOG_L_WARN, NULL, "%u playground requests could not be written to the access log", left);
    if (W.access_sv.db) store_close(W.access_sv.db);
}

void worker_main(const eligod_conf *conf, const registry *reg, int listen_fd, int slot)
{
    audit_drop_private();       /* the signing key stays in the master and the sequencer */
    W.conf = conf;
    W.me = &sb->slots[slot];
    W.listen_fd = listen_fd;
    W.nthreads = conf->threads > 0 ? conf->threads : 1;
    /* a fixed threshold: large bodies' buffers are mmapped and go back to
     * the system when freed (shrink), where glibc's sliding threshold
     * would keep them in the heap; and one malloc arena for all threads,
     * since each thread's own arena keeps its free memory (8 threads
     * added 2 MiB over 10,000 maximum-size requests, where less than 1
     * is allowed: see shrink) */
    mallopt(M_MMAP_THRESHOLD, KEEP_BUF * 2);
    mallopt(M_ARENA_MAX, 1);
    W.t = calloc((size_t)W.nthreads, sizeof *W.t);
    if (!W.t) _exit(1);
    worker_block_stops(&W.run_mask);
    listen_start(listen_fd);
    for (int i = 0; i < W.nthreads; i++)
        if (thread_init(&W.t[i], reg, slot) != 0) {
            elog(LOG_L_ERROR, NULL, "FCGX_InitRequest failed");
            _exit(1);
        }
    /* the first connection on this thread, before any other thread
     * exists: the client library's one-time set-up is not thread-safe */
    worker_store(&W.t[0].sv);
    /* crash-loop test hook (tests/integration/faults.sh): an absolute
     * path makes workers exit at start only while that file exists, so a
     * test can end the fault; any other value, always */
    const char *fault = getenv("ELIGOD_FAULT_EXIT_AT_START");
    if (fault && (fault[0] != '/' || access(fault, F_OK) == 0)) _exit(3);
    access_log_start();
    /* threads and state before any thread runs: a thread's first request
     * then finds them set (slot_update), and a dynamic pool never reads a
     * ready worker with no threads (pm.c) */
    __atomic_store_n(&W.me->threads, (uint32_t)W.nthreads, __ATOMIC_RELAXED);
    W.me->state = SB_IDLE;
    run_threads();
    W.me->state = SB_STOPPING;
    access_log_stop();
    for (int i = 0; i < W.nthreads; i++) thread_done(&W.t[i]);
    free(W.t);
    log_flush();
    worker_leak_check();
    _exit(0);
}
