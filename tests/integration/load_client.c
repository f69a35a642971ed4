/*
 * load_client.c - the portal under faults: keeps N connections posting
 * decisions through nginx and records what became of every request_id.
 *
 * Used by tests/integration/faults.sh and the soak runs in tests/soak/
 * (nothing answered that is not stored, whatever fails): while the suite kills workers, reloads eligod
 * or nginx, or kills the database, this client keeps sending, and
 * afterwards the suite compares what was answered with what MariaDB
 * holds.  It behaves as the API asks a portal to (docs/api.md): a lost
 * answer -- the connection failed, timed out, or nginx said 502/503/504,
 * or eligod said 409 (the first attempt still in flight) -- is retried
 * with the same request_id and the same body until a 201 or 200 comes
 * back or the give-up time passes.
 *
 * Plain HTTP/1.1 over sockets, one thread per connection, keep-alive, no
 * library beyond libcrypto (SHA-256 of each answer, through the store's
 * store_sha256_hex, the digest the service itself records).  The portal token is
 * read from $ELIGO_PORTAL_TOKEN, never from the command line.
 *
 * Output (-o FILE): one line per request_id, tab-separated:
 *   request_id  final-status  attempts  decision_id  sha256(answer body)
 * (status 0: no answer before giving up), and FILE.attempts with one line
 * per attempt: milliseconds since start, request_id, status (0 for a
 * connection failure), milliseconds taken.  The last line on stdout is
 *   summary sent=N created=N replayed=N failed=N retried=N attempts=N
 *           conn=N s409=N s502=N s503=N s504=N other=N
 *           p50_ms=N p99_ms=N max_ms=N max503_ms=N
 * where created counts final 201s, replayed final 200s (the decision had
 * been stored by an attempt whose answer was lost), failed the request
 * ids never answered 200/201, retried those needing more than one
 * attempt, and the other figures count attempts.
 *
 * Not here: checking the database (the suites do that with SQL).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

enum { MAX_TEMPLATES = 64, IO_TIMEOUT_S = 20, MAX_LATENCIES = 1 << 20 };

/* Options and shared counters: the one global, guarded by mu. */
static struct {
    const char *host;
    int port;
    const char *token;
    const char *prefix;
    const char *path;
    int conns;
    double duration_s;
    double give_up_s;
    double pause_s;
    char *templates[MAX_TEMPLATES];
    int ntemplates;
    FILE *out, *attempts_out;
    int64_t t0_ms;

    pthread_mutex_t mu;
    long sent, created, replayed, failed, retried, attempts;
    long conn, s409, s502, s503, s504, other;
    long max503_ms;
    int *lat;           /* milliseconds of each answered attempt */
    long nlat;
} L = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("load_client: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) die("%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0) die("%s: %s", path, strerror(errno));
    char *s = malloc((size_t)st.st_size + 1);
    if (!s || fread(s, 1, (size_t)st.st_size, f) != (size_t)st.st_size) die("%s: short read", path);
    s[st.st_size] = 0;
    fclose(f);
    /* a template is one line: drop the trailing newline */
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0;
    return s;
}

/* One connection.  fd < 0 when closed. */
typedef struct conn {
    int fd;
    char *in;           /* bytes read and not yet consumed */
    size_t in_len, in_cap;
} conn;

static void conn_close(conn *c)
{
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->in_len = 0;
}

static int conn_open(conn *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) return -1;
    struct timeval tv = {.tv_sec = IO_TIMEOUT_S};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)L.port)};
    inet_pton(AF_INET, L.host, &sa.sin_addr);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        conn_close(c);
        return -1;
    }
    return 0;
}

/* A kept connection the server has closed meanwhile (nginx closes idle
 * ones when it reloads): reading would give EOF at once.  Checked before
 * reuse, as curl does, so that only a close racing the request itself
 * counts as a lost answer. */
static int conn_stale(conn *c)
{
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0) return 0;
    char b;
    ssize_t r = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads more bytes into c->in; -1 on EOF, error or timeout. */
static int fill(conn *c)
{
    if (c->in_cap - c->in_len < 16384) {
        size_t cap = c->in_cap ? c->in_cap * 2 : 65536;
        char *p = realloc(c->in, cap);
        if (!p) return -1;
        c->in = p;
        c->in_cap = cap;
    }
    ssize_t r;
    do r = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len - 1, 0);
    while (r < 0 && errno == EINTR);
    if (r <= 0) return -1;
    c->in_len += (size_t)r;
    c->in[c->in_len] = 0;
    return 0;
}

static void consume(conn *c, size_t n)
{
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
    c->in[c->in_len] = 0;
}

/* Reads "HEX\r\n" chunks into body until the last one. */
static int read_chunked(conn *c, char **body, size_t *blen)
{
    size_t cap = 4096, len = 0;
    char *b = malloc(cap);
    if (!b) return -1;
    for (;;) {
        char *eol;
        while (!c->in || !(eol = strstr(c->in, "\r\n")))
            if (fill(c)) goto fail;
        size_t size = strtoul(c->in, NULL, 16);
        consume(c, (size_t)(eol - c->in) + 2);
        while (c->in_len < size + 2)
            if (fill(c)) goto fail;
        if (len + size + 1 > cap) {
            while (len + size + 1 > cap) cap *= 2;
            char *nb = realloc(b, cap);
            if (!nb) goto fail;
            b = nb;
        }
        memcpy(b + len, c->in, size);
        len += size;
        consume(c, size + 2);
        if (size == 0) break;        /* no trailers are sent by nginx here */
    }
    b[len] = 0;
    *body = b;
    *blen = len;
    return 0;
fail:
    free(b);
    return -1;
}

/* Sends one request and reads its answer.  Returns the status, or 0 when
 * the connection failed (closed by then).  *body is malloc'ed. */
static int exchange(conn *c, const char *req, size_t req_len, char **body, size_t *blen)
{
    *body = NULL;
    *blen = 0;
    if (c->fd >= 0 && conn_stale(c)) conn_close(c);
    if (c->fd < 0 && conn_open(c)) return 0;
    if (write_all(c->fd, req, req_len)) goto fail;
    char *end;
    while (!c->in || !(end = strstr(c->in, "\r\n\r\n")))
        if (fill(c)) goto fail;
    size_t head_len = (size_t)(end - c->in) + 4;
    int status = 0, chunked = 0, close_after = 0;
    long clen = -1;
    if (sscanf(c->in, "HTTP/1.%*d %d", &status) != 1) goto fail;
    for (char *h = strstr(c->in, "\r\n") + 2; h < end; h = strstr(h, "\r\n") + 2) {
        if (strncasecmp(h, "Content-Length:", 15) == 0) clen = strtol(h + 15, NULL, 10);
        else if (strncasecmp(h, "Transfer-Encoding:", 18) == 0) {
            const char *ch = strstr(h, "chunked");
            chunked = ch && ch < strstr(h, "\r\n");
        }
        else if (strncasecmp(h, "Connection:", 11) == 0 && strncasecmp(h + 11, " close", 6) == 0)
            close_after = 1;
    }
    consume(c, head_len);
    if (chunked) {
        if (read_chunked(c, body, blen)) goto fail;
    } else {
        if (clen < 0) goto fail;     /* every answer here has a length */
        while (c->in_len < (size_t)clen)
            if (fill(c)) goto fail;
        *body = malloc((size_t)clen + 1);
        if (!*body) goto fail;
        memcpy(*body, c->in, (size_t)clen);
        (*body)[clen] = 0;
        *blen = (size_t)clen;
        consume(c, (size_t)clen);
    }
    if (close_after) conn_close(c);
    return status;
fail:
    free(*body);
    *body = NULL;
    conn_close(c);
    return 0;
}

/* The decision_id member of an answer, or "-". */
static void decision_id(const char *body, char out[64])
{
    const char *p = body ? strstr(body, "\"decision_id\":\"") : NULL;
    snprintf(out, 64, "-");
    if (!p) return;
    p += 15;
    size_t n = strcspn(p, "\"");
    if (n < 64) {
        memcpy(out, p, n);
        out[n] = 0;
    }
}

/* Builds the HTTP request for a template with @RID@ replaced. */
static size_t build_request(char **req, size_t *cap, const char *tmpl, const char *rid)
{
    const char *at = strstr(tmpl, "@RID@");
    size_t body_len = strlen(tmpl) + (at ? strlen(rid) - 5 : 0);
    size_t need = body_len + strlen(L.token) + 512;
    if (need > *cap) {
        free(*req);
        *req = malloc(need);
        *cap = need;
        if (!*req) die("out of memory");
    }
    int n = snprintf(*req, *cap,
                     "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                     L.path, L.token, body_len);
    if (at) n += snprintf(*req + n, *cap - (size_t)n, "%.*s%s%s", (int)(at - tmpl), tmpl, rid, at + 5);
    else n += snprintf(*req + n, *cap - (size_t)n, "%s", tmpl);
    return (size_t)n;
}

/* Counts one attempt; 1 when its answer settles the request_id. */
static int count_attempt(const char *rid, int status, long ms)
{
    pthread_mutex_lock(&L.mu);
    L.attempts++;
    switch (status) {
    case 0: L.conn++; break;
    case 200: case 201: break;
    case 409: L.s409++; break;
    case 502: L.s502++; break;
    case 503: L.s503++; if (ms > L.max503_ms) L.max503_ms = ms; break;
    case 504: L.s504++; break;
    default: L.other++; break;
    }
    if (status && L.nlat < MAX_LATENCIES) L.lat[L.nlat++] = (int)ms;
    fprintf(L.attempts_out, "%lld\t%s\t%d\t%ld\n", (long long)(now_ms() - L.t0_ms), rid, status, ms);
    pthread_mutex_unlock(&L.mu);
    return status != 0 && status != 409 && status != 502 && status != 503 && status != 504;
}

static void *client(void *arg)
{
    long who = (long)arg;
    conn c = {.fd = -1};
    char *req = NULL;
    size_t cap = 0;
    int64_t stop_at = L.t0_ms + (int64_t)(L.duration_s * 1000);
    unsigned seed = (unsigned)(who * 7919 + now_ms());
    for (long seq = 0; now_ms() < stop_at; seq++) {
        char rid[128];
        snprintf(rid, sizeof rid, "%s-%ld-%ld", L.prefix, who, seq);
        size_t req_len = build_request(&req, &cap, L.templates[(who + seq) % L.ntemplates], rid);
        pthread_mutex_lock(&L.mu);
        L.sent++;
        pthread_mutex_unlock(&L.mu);
        int64_t first = now_ms();
        int status = 0, tries = 0;
        char *body = NULL;
        size_t blen = 0;
        for (;;) {
            int64_t t = now_ms();
            free(body);
            status = exchange(&c, req, req_len, &body, &blen);
            tries++;
            if (count_attempt(rid, status, (long)(now_ms() - t))) break;
            if (now_ms() - first > (int64_t)(L.give_up_s * 1000)) break;
            /* back off: 50 ms doubling to 800 ms, with jitter */
            long wait = 50L << (tries < 5 ? tries - 1 : 4);
            sleep_ms(wait / 2 + (long)(rand_r(&seed) % (unsigned)(wait / 2 + 1)));
        }
        char hash[65] = "-", id[64];
        if (body && store_sha256_hex(body, blen, hash)) snprintf(hash, sizeof hash, "-");
        decision_id(body, id);
        int answered = status == 200 || status == 201;
        pthread_mutex_lock(&L.mu);
        if (status == 201) L.created++;
        else if (status == 200) L.replayed++;
        if (!answered) L.failed++;
        if (tries > 1) L.retried++;
        fprintf(L.out, "%s\t%d\t%d\t%s\t%s\n", rid, answered ? status : status ? status : 0, tries, id,
                hash);
        if (!answered && body) fprintf(stderr, "load_client: %s gave up at %d: %.300s\n", rid, status, body);
        pthread_mutex_unlock(&L.mu);
        free(body);
        if (L.pause_s > 0) sleep_ms((long)(L.pause_s * 1000));
    }
    conn_close(&c);
    free(c.in);
    free(req);
    return NULL;
}

static int by_value(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static void usage(void)
{
    fputs("usage: load_client -a HOST:PORT -p PREFIX -o FILE [-c CONNS] [-d SECONDS] [-g SECONDS]\n"
          "                   [-w SECONDS] [-u PATH] TEMPLATE...\n"
          "  TEMPLATE: a JSON request body with @RID@ where the request_id goes\n"
          "  -c connections (16), -d seconds of new requests (10), -g give up on a\n"
          "  request_id after (30), -w pause between requests per connection (0),\n"
          "  -u path (/v1/decisions); the token is $ELIGO_PORTAL_TOKEN\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    const char *addr = NULL, *out = NULL;
    L.conns = 16;
    L.duration_s = 10;
    L.give_up_s = 30;
    L.path = "/v1/decisions";
    int opt;
    while ((opt = getopt(argc, argv, "a:p:o:c:d:g:w:u:")) != -1) {
        switch (opt) {
        case 'a': addr = optarg; break;
        case 'p': L.prefix = optarg; break;
        case 'o': out = optarg; break;
        case 'c': L.conns = atoi(optarg); break;
        case 'd': L.duration_s = atof(optarg); break;
        case 'g': L.give_up_s = atof(optarg); break;
        case 'w': L.pause_s = atof(optarg); break;
        case 'u': L.path = optarg; break;
        default: usage();
        }
    }
    L.token = getenv("ELIGO_PORTAL_TOKEN");
    if (!addr || !L.prefix || !out || optind >= argc || L.conns < 1 || !L.token) usage();
    const char *colon = strrchr(addr, ':');
    if (!colon) usage();
    static char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(colon - addr), addr);
    L.host = host;
    L.port = atoi(colon + 1);
    for (int i = optind; i < argc && L.ntemplates < MAX_TEMPLATES; i++) L.templates[L.ntemplates++] = read_file(argv[i]);

    char apath[4096];
    snprintf(apath, sizeof apath, "%s.attempts", out);
    L.out = fopen(out, "w");
    L.attempts_out = fopen(apath, "w");
    L.lat = malloc(sizeof(int) * MAX_LATENCIES);
    if (!L.out || !L.attempts_out || !L.lat) die("%s: %s", out, strerror(errno));

    L.t0_ms = now_ms();
    pthread_t *th = calloc((size_t)L.conns, sizeof *th);
    if (!th) die("out of memory");
    for (long i = 0; i < L.conns; i++)
        if (pthread_create(&th[i], NULL, client, (void *)i) != 0) die("pthread_create failed");
    for (int i = 0; i < L.conns; i++) pthread_join(th[i], NULL);

    qsort(L.lat, (size_t)L.nlat, sizeof(int), by_value);
    int p50 = L.nlat ? L.lat[L.nlat / 2] : 0, p99 = L.nlat ? L.lat[L.nlat * 99 / 100] : 0;
    int max = L.nlat ? L.lat[L.nlat - 1] : 0;
    fclose(L.out);
    fclose(L.attempts_out);
    printf("summary sent=%ld created=%ld replayed=%ld failed=%ld retried=%ld attempts=%ld conn=%ld "
           "s409=%ld s502=%ld s503=%ld s504=%ld other=%ld p50_ms=%d p99_ms=%d max_ms=%d max503_ms=%ld\n",
           L.sent, L.created, L.replayed, L.failed, L.retried, L.attempts, L.conn, L.s409, L.s502,
           L.s503, L.s504, L.other, p50, p99, max, L.max503_ms);
    for (int i = 0; i < L.ntemplates; i++) free(L.templates[i]);
    free(L.lat);
    free(th);
    return L.failed ? 1 : 0;
}
