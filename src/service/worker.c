/*
 * worker.c - one worker: accept a FastCGI request, fill an http_request,
 * dispatch it, write the response; repeat until told to stop.
 *
 * The keep-alive trap (reliability.md): nginx sends FCGI_KEEP_CONN, so
 * after a response libfcgi keeps the connection and the next
 * FCGX_Accept_r would block reading it; the worker is pinned to that
 * nginx connection until nginx sends another request or closes it.  So:
 *   - the worker never closes an idle kept connection on its own
 *     initiative except at a deadline while stopping: it polls the pinned
 *     socket and drops it only on EOF (nginx closed it) -- that is when a
 *     recycle (--max-requests) happens, or when it is idle on the
 *     listening socket;
 *   - a graceful stop (SIGTERM from the master) finishes the request in
 *     progress, leaves at once when not pinned, and otherwise keeps
 *     serving the pinned connection until nginx closes it.  nginx closes
 *     a kept connection when it has been idle for keepalive_timeout (5 s)
 *     and after the request that finds it older than keepalive_time (3 s)
 *     (nginx/eligo.conf), so that takes at most about 5 s; a worker never
 *     closes a kept connection itself, since nginx may be sending a
 *     request on it that very moment (a 502 the portal cannot tell from
 *     a lost decision: seen once in 20 reloads when workers closed right
 *     after answering).  LINGER_MS is the last resort for an nginx set up
 *     otherwise.
 * Signals are blocked except inside ppoll(), so a stop never interrupts
 * a read or write half-way (libfcgi would drop the connection), and the
 * listening socket is non-blocking so that losing the accept race to
 * another worker costs one EAGAIN, never a blocked accept().
 *
 * The store is opened after fork; when the database is down the worker
 * still serves (routes needing it answer 503) and retries at most once a
 * second (worker_store).
 */
#define _GNU_SOURCE 1   /* ppoll */
#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "service/scoreboard.h"
#include "service/service.h"
#include "service/signals.h"
#include "service/worker.h"

enum { LINGER_MS = 8000, STORE_RETRY_MS = 1000 };

/* The worker's process-wide state (STYLE: two globals, this and the
 * master's). */
static struct {
    service sv;
    const eligod_conf *conf;
    sb_slot *me;
    buf body;
    int64_t store_tried_ms;
    sigset_t run_mask;        /* signals unblocked: used only inside ppoll */
    int64_t stop_deadline_ms; /* stopping: a pinned idle connection is dropped after this */
} W;

store *worker_store(service *sv)
{
    if (sv->db || !W.conf->db) return sv->db;
    int64_t now = sb_now_ms();
    if (W.store_tried_ms && now - W.store_tried_ms < STORE_RETRY_MS) return NULL;
    /* another process found the database down a moment ago: a new worker
     * (a recycle, a respawn) does not wait out a connect to learn it
     * again, with requests queueing behind it (goal 7) */
    if (sb_db_down_until() > now) return NULL;
    W.store_tried_ms = now;
    /* tokens found stay valid for 5 s in this worker: a deleted token
     * stops working within 5 s, and a request costs no token round trip */
    /* 2 s timeouts: with routes.c's 1 s deadline a database that hangs
     * costs a request at most 3 s before its 503 (reliability goal 7) */
    store_options o = {.url = W.conf->db, .allow_nondurable = W.conf->allow_nondurable, .timeout_s = 2,
                       .token_cache_s = 5};
    char err[256] = "";
    sv->db = store_open(&o, err, sizeof err);
    if (sv->db) elog(LOG_L_INFO, NULL, "store connected");
    else elog(LOG_L_WARN, NULL, "store unavailable: %s", err);
    return sv->db;
}

/* Between requests, when nothing came for a while: the batched access
 * log and the buffered request lines go out. */
static void idle(void)
{
    routes_idle(&W.sv);
    log_flush();
}

/* Waits for fd to become readable with the stop signals open.  1 ready,
 * 0 timeout, -1 interrupted. */
static int wait_readable(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    int rc = ppoll(&p, 1, &ts, &W.run_mask);
    if (rc < 0) return -1;
    return rc > 0;
}

/* Pinned on a kept connection: 1 when nginx sent a request, 0 when the
 * connection was closed (by nginx, or by us at the stop deadline). */
static int wait_pinned(FCGX_Request *rq)
{
    for (;;) {
        if (worker_stop && !W.stop_deadline_ms) W.stop_deadline_ms = sb_now_ms() + LINGER_MS;
        if (W.stop_deadline_ms && sb_now_ms() >= W.stop_deadline_ms) break;
        int rc = wait_readable(rq->ipcFd, 250);
        if (rc == 0) idle();
        if (rc <= 0) continue;
        char c;
        ssize_t n = recv(rq->ipcFd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n > 0) return 1;
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        break;                                  /* EOF or error: nginx let go */
    }
    close(rq->ipcFd);
    rq->ipcFd = -1;
    return 0;
}

static const char *param(FCGX_Request *rq, const char *name, const char *dflt)
{
    const char *v = FCGX_GetParam(name, rq->envp);
    return v ? v : dflt;
}

static void serve(FCGX_Request *frq)
{
    service *sv = &W.sv;
    int64_t t0 = sb_now_ms();
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

    W.me->request_start_ms = t0;
    snprintf(W.me->request_id, sizeof W.me->request_id, "%s", rq.request_id ? rq.request_id : "");
    W.me->state = SB_BUSY;

    const char *cl = param(frq, "CONTENT_LENGTH", "");
    char *end;
    unsigned long long len = strtoull(cl, &end, 10);
    if (end == cl || *end) len = 0;
    buf_reset(&W.body);
    if (len > (unsigned long long)W.conf->max_body) {
        /* not read: routes.c answers 413; the connection is closed after the
         * answer so the unread records never meet the next request */
        rq.body = NULL;
        rq.body_len = (size_t)len;
        frq->keepConnection = 0;
    } else {
        char chunk[16384];
        size_t got = 0;
        while (got < len) {
            size_t want = len - got < sizeof chunk ? (size_t)(len - got) : sizeof chunk;
            int n = FCGX_GetStr(chunk, (int)want, frq->in);
            if (n <= 0) break;
            buf_add(&W.body, chunk, (size_t)n);
            got += (size_t)n;
        }
        rq.body = buf_cstr(&W.body);
        rq.body_len = W.body.failed ? 0 : W.body.len;
    }

    static http_response rs;
    static int rs_ready;
    if (!rs_ready) {
        buf_init(&rs.headers);
        buf_init(&rs.body);
        rs_ready = 1;
    }
    buf_reset(&rs.headers);
    buf_reset(&rs.body);
    rs.status = 500;
    rs.problem = 0;
    rs.content_type = "application/json";
    arena_reset(&sv->pool);

    routes_dispatch(sv, &rq, &rs);

    if (rs.body.failed) http_problem(&rs, 500, "the response could not be built (out of memory)", NULL);
    FCGX_FPrintF(frq->out, "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %lu\r\n", rs.status,
                 http_status_title(rs.status), rs.content_type, (unsigned long)rs.body.len);
    if (rs.headers.len) FCGX_PutStr(rs.headers.data, (int)rs.headers.len, frq->out);
    FCGX_PutS("\r\n", frq->out);
    /* HEAD: the headers GET would have, Content-Length included, no body */
    if (rs.body.len && strcmp(rq.method, "HEAD") != 0) FCGX_PutStr(rs.body.data, (int)rs.body.len, frq->out);

    sv->requests++;
    W.me->requests++;
    struct timespec ts1;
    clock_gettime(CLOCK_MONOTONIC, &ts1);
    long us = (ts1.tv_sec - ts0.tv_sec) * 1000000L + (ts1.tv_nsec - ts0.tv_nsec) / 1000;
    elog_request(rq.request_id, "%s %s %d %ld.%03ld ms", rq.method, rq.path, rs.status, us / 1000, us % 1000);
    W.me->request_start_ms = 0;
    W.me->state = worker_stop ? SB_STOPPING : SB_IDLE;
}

/* A worker leaves by _exit (the master's atexit handlers and stdio
 * buffers are not the worker's to run), which skips LeakSanitizer's check
 * at exit; in a sanitizer build the worker asks for it here, so a leak in
 * a worker is reported like one in the master (reliability goal 18). */
#if defined(__SANITIZE_ADDRESS__)
#define WORKER_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WORKER_LSAN 1
#endif
#endif
#ifdef WORKER_LSAN
#include <sanitizer/lsan_interface.h>
void worker_leak_check(void) { __lsan_do_leak_check(); }
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

void worker_main(const eligod_conf *conf, const registry *reg, int listen_fd, int slot)
{
    audit_drop_private();       /* the signing key stays in the master and the sequencer */
    W.conf = conf;
    W.me = &sb->slots[slot];
    W.sv.reg = reg;
    W.sv.worker_index = slot;
    W.sv.commit_fd = -1;
    arena_init(&W.sv.pool, 64 * 1024);
    buf_init(&W.body);

    worker_block_stops(&W.run_mask);

    fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK);
    worker_store(&W.sv);

    FCGX_Request rq;
    if (FCGX_InitRequest(&rq, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
        elog(LOG_L_ERROR, NULL, "FCGX_InitRequest failed");
        _exit(1);
    }
    /* crash-loop test hook (tests/integration/faults.sh): an absolute
     * path makes workers exit at start only while that file exists, so a
     * test can end the fault; any other value, always */
    const char *fault = getenv("ELIGOD_FAULT_EXIT_AT_START");
    if (fault && (fault[0] != '/' || access(fault, F_OK) == 0)) _exit(3);
    W.me->state = SB_IDLE;
    int recycle = 0;
    for (;;) {
        if (conf->max_requests > 0 && W.sv.requests >= (uint64_t)conf->max_requests) recycle = 1;
        if (rq.ipcFd >= 0) {
            /* pinned: serve what nginx sends, leave when it lets go */
            if (!wait_pinned(&rq)) continue;
        } else {
            if (worker_stop || recycle) break;
            int rc = wait_readable(listen_fd, 1000);
            if (rc == 0) idle();
            if (rc <= 0) continue;
        }
        int rc = FCGX_Accept_r(&rq);
        if (rc < 0) {
            if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR || rc == -ECONNABORTED) continue;
            elog(LOG_L_ERROR, NULL, "FCGX_Accept_r: %s", strerror(-rc));
            break;
        }
        serve(&rq);
        FCGX_Finish_r(&rq);
    }
    if (rq.ipcFd >= 0) close(rq.ipcFd);
    W.me->state = SB_STOPPING;
    if (routes_flush_log(&W.sv)) elog(LOG_L_WARN, NULL, "%u access-log entries could not be written", W.sv.npending_log);
    if (W.sv.db) store_close(W.sv.db);
    log_flush();
    worker_leak_check();
    _exit(0);
}
