/*
 * committer.c - group commit: the committer process, its supervision by
 * the master, and the worker's side of the conversation (committer.h
 * says why).
 *
 * The conversation is one frame each way on a unix stream socket, each
 * frame a 4-byte length and its bytes:
 *   worker -> committer: the count of decisions (4 bytes, 1 to
 *     COMMIT_MAX_ROWS: the decisions of one request), then each
 *     decision's store_decision fields in FIELDS order, each a 4-byte
 *     length (NULL_LEN for NULL) and the bytes and a NUL, so the
 *     committer uses them in place;
 *   committer -> worker: the count, then for each decision its store_rc
 *     (4 bytes), its id (37 bytes with its NUL) and the stored response
 *     (a 4-byte length and its bytes; empty but for STORE_EXISTS).
 * A worker thread has at most one frame outstanding (it waits for the
 * answer), so the committer's batch is at most one request per connected
 * thread (--workers x --threads).
 * The decisions of a request are one group of the batch (store_put.group):
 * stored all or none, in the same commit, and answered together.
 *
 * The committer's loop: wait for frames; read one from every connection
 * that has one; answer STORE_IN_FLIGHT at once to a request with a row
 * whose (client, request_id) is already in the batch (the 409 of a retry
 * while the first attempt is not committed); store the batch with
 * store_put_batch, at most --group-commit rows a commit but a request's
 * rows together; answer every request; again.  A batch stored while more frames arrive is the group
 * commit: those frames form the next batch.
 *
 * What it does not do: decide HTTP statuses (h_decisions.c), retry
 * (store_put_batch does), or keep anything across its own death (the
 * workers waiting then answer 503).
 */
#define _GNU_SOURCE 1   /* ppoll */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include "service/committer.h"
#include "service/pctl.h"
#include "service/scoreboard.h"
#include "service/service.h"
#include "service/signals.h"
#include "service/worker.h"

enum {
    MAX_CONNS = 1024,
    MAX_FRAME = 256 << 20,         /* COMMIT_MAX_ROWS decisions of texts of 4 MiB each and
                                    * a body of --max-body fit (a bound, not an allocation) */
    NULL_LEN = 0xffffffffu,
    NFIELDS = 14, ANSWER_ROW = 4 + 37 + 4,
    READ_TIMEOUT_MS = 2000,        /* a frame started is finished within this */
    STORE_RETRY_MS = 1000, STATS_MS = 10000,
    /* reliability goal 7, a 503 within 3 s when the database refuses or
     * hangs: a batch gives up starting anything after BATCH_DEADLINE_MS,
     * and one statement started in time blocks at most STORE_TIMEOUT_S;
     * a worker waits for its answer until ANSWER_WAIT_MS after the
     * request reached it (nginx and the client need a little of the 3 s) */
    BATCH_DEADLINE_MS = 1000, STORE_TIMEOUT_S = 2, ANSWER_WAIT_MS = 2500, ANSWER_WAIT_MIN_MS = 100
};

/* ---- frames ----------------------------------------------------------- */

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads exactly n bytes (the socket's receive timeout bounds each wait). */
static int read_all(int fd, void *p, size_t n)
{
    char *c = p;
    while (n) {
        ssize_t r = recv(fd, c, n, MSG_WAITALL);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

static void put_u32(buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                          (unsigned char)v};
    buf_add(b, x, 4);
}

static uint32_t get_u32(const char *p)
{
    const unsigned char *x = (const unsigned char *)p;
    return (uint32_t)x[0] << 24 | (uint32_t)x[1] << 16 | (uint32_t)x[2] << 8 | x[3];
}

/* Sends the frame b holds after its 4 reserved bytes. */
static int send_frame(int fd, buf *b)
{
    if (b->failed || b->len - 4 > MAX_FRAME) return -1;
    uint32_t n = (uint32_t)(b->len - 4);
    unsigned char x[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
                          (unsigned char)n};
    memcpy(b->data, x, 4);
    return write_all(fd, b->data, b->len);
}

/* Reads one frame into b (reset first).  0, or -1 on EOF, error or a
 * length out of bounds. */
static int recv_frame(int fd, buf *b)
{
    char x[4];
    buf_reset(b);
    if (read_all(fd, x, 4)) return -1;
    uint32_t n = get_u32(x);
    if (n > MAX_FRAME) return -1;
    char chunk[16384];
    for (uint32_t got = 0; got < n;) {
        size_t want = n - got < sizeof chunk ? n - got : sizeof chunk;
        if (read_all(fd, chunk, want)) return -1;
        buf_add(b, chunk, want);
        got += (uint32_t)want;
    }
    return b->failed ? -1 : 0;
}

/* The fields of a decision in frame order, as pointers into d. */
static void fields_of(store_decision *d, const char **f[NFIELDS], size_t *lens[NFIELDS])
{
    const char **p[NFIELDS] = {&d->request_id, &d->client, &d->fingerprint, &d->policy_name, &d->policy_hash,
                               &d->policy_text, &d->model_name, &d->model_hash, &d->model_text, &d->as_of,
                               &d->input_json, &d->outputs_json, &d->explanation_json, &d->response_json};
    memcpy(f, p, sizeof p);
    for (int i = 0; i < NFIELDS; i++) lens[i] = NULL;
    lens[5] = &d->policy_text_len;
    lens[8] = &d->model_text_len;
}

/* Appends d's fields to the frame in b. */
static void encode_decision(buf *b, const store_decision *d)
{
    store_decision c = *d;
    const char **f[NFIELDS];
    size_t *lens[NFIELDS];
    fields_of(&c, f, lens);
    for (int i = 0; i < NFIELDS; i++) {
        const char *v = *f[i];
        size_t n = !v ? 0 : lens[i] ? *lens[i] : strlen(v);
        put_u32(b, v ? (uint32_t)n : NULL_LEN);
        if (v) buf_add(b, v, n);
        if (v) buf_addc(b, 0);
    }
}

/* Points d's fields into the frame (which must outlive d), from *at on.
 * -1 when the frame is malformed. */
static int decode_decision(const buf *b, size_t *atp, store_decision *d)
{
    memset(d, 0, sizeof *d);
    const char **f[NFIELDS];
    size_t *lens[NFIELDS];
    fields_of(d, f, lens);
    size_t at = *atp;
    for (int i = 0; i < NFIELDS; i++) {
        if (b->len - at < 4) return -1;
        uint32_t n = get_u32(b->data + at);
        at += 4;
        if (n == NULL_LEN) continue;
        if (b->len - at < (size_t)n + 1 || b->data[at + n] != 0) return -1;
        *f[i] = b->data + at;
        if (lens[i]) *lens[i] = n;
        at += (size_t)n + 1;
    }
    *atp = at;
    return 0;
}

/* The decisions of one request from a frame: their count, then each.
 * The count, or -1 when the frame is malformed. */
static int decode_request(const buf *b, store_decision d[COMMIT_MAX_ROWS])
{
    if (b->len < 4) return -1;
    uint32_t n = get_u32(b->data);
    if (n < 1 || n > COMMIT_MAX_ROWS) return -1;
    size_t at = 4;
    for (uint32_t i = 0; i < n; i++)
        if (decode_decision(b, &at, &d[i])) return -1;
    return at == b->len ? (int)n : -1;
}

/* Answers the n decisions of one request: p (NULL: every one rc). */
static int send_answer(int fd, buf *b, const store_put *p, int n, store_rc rc)
{
    buf_reset(b);
    put_u32(b, 0);
    put_u32(b, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        char idf[37] = {0};
        store_rc r = p ? p[i].rc : rc;
        if (p) snprintf(idf, sizeof idf, "%s", p[i].decision_id);
        const buf *stored = p && r == STORE_EXISTS ? p[i].stored_response : NULL;
        put_u32(b, (uint32_t)r);
        buf_add(b, idf, 37);
        put_u32(b, stored ? (uint32_t)stored->len : 0);
        if (stored) buf_add(b, stored->data, stored->len);
    }
    return send_frame(fd, b);
}

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
    store_options o = {.url = master.conf.db, .allow_nondurable = master.conf.allow_nondurable,
                       .timeout_s = STORE_TIMEOUT_S};
    char err[256] = "";
    cm->db = store_open(&o, err, sizeof err);
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
        int fd = accept4(master.cm.listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) return;
        struct ucred cr;
        socklen_t crlen = sizeof cr;
        if (cm->nconns == MAX_CONNS || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) != 0 ||
            cr.uid != getuid()) {
            close(fd);
            continue;
        }
        struct timeval tv = {READ_TIMEOUT_MS / 1000, (READ_TIMEOUT_MS % 1000) * 1000};
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
    int n = recv_frame(c->fd, &c->in) ? -1 : decode_request(&c->in, c->d);
    if (n < 0) return -1;
    for (int k = 0; k < n; k++)
        if (c->d[k].client && c->d[k].request_id && in_batch(cm, &c->d[k]))
            return send_answer(c->fd, &cm->out, NULL, n, STORE_IN_FLIGHT);
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
        store_set_deadline(db, BATCH_DEADLINE_MS);
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
     * (goal 7; a queue of requests each waiting out a batch would not) */
    sb_db_down_raise(db ? store_down_until(db) : cm->db_tried_ms + STORE_RETRY_MS);
    for (int i = from; i < from + n; i++) {
        store_put *p = &cm->batch[i];
        if (p->rc == STORE_ERROR && db) elog(LOG_L_ERROR, p->d->request_id, "committer: %s", store_last_error(db));
    }
    for (int i = from, end; i < from + n; i = end) {
        for (end = i + 1; end < from + n && cm->batch_conn[end] == cm->batch_conn[i];) end++;
        conn *c = &cm->conns[cm->batch_conn[i]];
        if (send_answer(c->fd, &cm->out, cm->batch + i, end - i, STORE_OK)) {
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
    pfd[0] = (struct pollfd){.fd = master.cm.listen_fd, .events = POLLIN};
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
    if (master.listen_fd >= 0) close(master.listen_fd);
    audit_drop_private();
    committer cm = {0};
    cm.conns = calloc(MAX_CONNS, sizeof *cm.conns);
    cm.batch = calloc(MAX_CONNS * COMMIT_MAX_ROWS, sizeof *cm.batch);
    cm.batch_conn = calloc(MAX_CONNS * COMMIT_MAX_ROWS, sizeof *cm.batch_conn);
    struct pollfd *pfd = calloc(MAX_CONNS + 1, sizeof *pfd);
    if (!cm.conns || !cm.batch || !cm.batch_conn || !pfd) _exit(1);
    buf_init(&cm.out);
    worker_block_stops(&cm.run_mask);
    fcntl(master.cm.listen_fd, F_SETFL, fcntl(master.cm.listen_fd, F_GETFL) | O_NONBLOCK);
    committer_store(&cm);
    int max = master.conf.group_commit;
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

static int open_socket(committer_state *c)
{
    unsigned char r[16];
    if (RAND_bytes(r, sizeof r) != 1) return -1;
    memset(&c->addr, 0, sizeof c->addr);
    c->addr.sun_family = AF_UNIX;
    int n = snprintf(c->addr.sun_path + 1, sizeof c->addr.sun_path - 1, "eligod-commit-");
    for (int i = 0; i < 16; i++) snprintf(c->addr.sun_path + 1 + n + 2 * i, 3, "%02x", r[i]);
    c->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n + 32);
    c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->listen_fd < 0) return -1;
    if (bind(c->listen_fd, (struct sockaddr *)&c->addr, c->addrlen) || listen(c->listen_fd, 4096)) {
        close(c->listen_fd);
        c->listen_fd = -1;
        return -1;
    }
    return 0;
}

int committer_init_main(void)
{
    committer_state *c = &master.cm;
    c->listen_fd = -1;
    c->proc = (helper){.name = "committer", .counter = SB_HELPER_COMMITTER, .main = committer_main};
    if (!master.conf.db || master.conf.group_commit == 0) return 0;
    if (open_socket(c)) {
        elog(LOG_L_ERROR, NULL, "committer socket: %s", strerror(errno));
        return -1;
    }
    elog(LOG_L_INFO, NULL, "group commit: up to %d decisions per commit", master.conf.group_commit);
    helper_tick(&c->proc, sb_now_ms());
    return 0;
}

void committer_tick_main(int64_t now)
{
    if (master.cm.listen_fd >= 0) helper_tick(&master.cm.proc, now);
}

int committer_reaped(pid_t pid, int status)
{
    return helper_reaped(&master.cm.proc, pid, status);
}

void committer_stop_main(void)
{
    committer_state *c = &master.cm;
    helper_stop(&c->proc, master.conf.stop_timeout);
    if (c->listen_fd >= 0) close(c->listen_fd);
    c->listen_fd = -1;
}

/* ---- the worker's side ------------------------------------------------ */

static int connect_committer(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&master.cm.addr, master.cm.addrlen)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Sends the frame in b, on a fresh connection when the kept one fails
 * before the committer could have read anything. */
static int send_request(service *sv, buf *b)
{
    if (sv->commit_fd >= 0 && send_frame(sv->commit_fd, b) == 0) return 0;
    if (sv->commit_fd >= 0) close(sv->commit_fd);
    sv->commit_fd = connect_committer();
    if (sv->commit_fd < 0) return -1;
    return send_frame(sv->commit_fd, b);
}

/* Waits for the answer: the batch it is in, and the one before it, each
 * end within the store's deadline and timeout (goal 7); a committer that
 * does not answer by then is given up on (503). */
static int wait_answer(service *sv, buf *b)
{
    int64_t start = sv->request_start_ms;
    int64_t ms = start ? start + ANSWER_WAIT_MS - sb_now_ms() : ANSWER_WAIT_MS;
    if (ms < ANSWER_WAIT_MIN_MS) ms = ANSWER_WAIT_MIN_MS;
    struct pollfd p = {.fd = sv->commit_fd, .events = POLLIN};
    int rc;
    do rc = poll(&p, 1, (int)ms);
    while (rc < 0 && errno == EINTR);
    if (rc <= 0) return -1;
    struct timeval tv = {READ_TIMEOUT_MS / 1000, 0};
    setsockopt(sv->commit_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return recv_frame(sv->commit_fd, b);
}

/* Reads the committer's answer for the n puts of p.  0, or -1 when it
 * is malformed. */
static int decode_answer(const buf *b, store_put *p, size_t n)
{
    if (b->len < 4 || get_u32(b->data) != n) return -1;
    size_t at = 4;
    for (size_t i = 0; i < n; i++) {
        if (b->len - at < ANSWER_ROW || b->data[at + 4 + 36] != 0) return -1;
        uint32_t len = get_u32(b->data + at + 4 + 37);
        if (b->len - at - ANSWER_ROW < len) return -1;
        p[i].rc = (store_rc)get_u32(b->data + at);
        memcpy(p[i].decision_id, b->data + at + 4, 37);
        if (p[i].stored_response) buf_add(p[i].stored_response, b->data + at + ANSWER_ROW, len);
        at += ANSWER_ROW + len;
    }
    return at == b->len ? 0 : -1;
}

store_rc committer_put(service *sv, store_put *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i].group = 1;
        p[i].rc = STORE_UNAVAILABLE;
    }
    if (master.cm.listen_fd < 0) {
        store *db = worker_store(sv);
        if (db) store_put_batch(db, p, n);
        return store_put_outcome(p, n);
    }
    if (sb_db_down_until() > sb_now_ms() || n < 1 || n > COMMIT_MAX_ROWS)
        return STORE_UNAVAILABLE;   /* the committer found it down */
    buf b;
    buf_init(&b);
    put_u32(&b, 0);                /* the frame length, set by send_frame */
    put_u32(&b, (uint32_t)n);
    for (size_t i = 0; i < n; i++) encode_decision(&b, p[i].d);
    if (send_request(sv, &b) || wait_answer(sv, &b) || decode_answer(&b, p, n)) {
        for (size_t i = 0; i < n; i++) p[i].rc = STORE_UNAVAILABLE;
        if (sv->commit_fd >= 0) {
            /* no answer: a late one must never be read as the next request's */
            close(sv->commit_fd);
            sv->commit_fd = -1;
            elog(LOG_L_WARN, p[0].d->request_id, "no answer from the committer: 503");
        }
    }
    buf_free(&b);
    return store_put_outcome(p, n);
}
