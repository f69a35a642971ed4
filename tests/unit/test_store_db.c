/*
 * test_store_db.c - the connection's judgements that need no server
 * (src/store/db.c): the oldest MariaDB eligo accepts, and what the store
 * does about each class of error (retry, reconnect, give up).
 *
 * The version numbers are mysql_get_server_version()'s: major * 10000 +
 * minor * 100 + patch, so 10.11.19 (Debian 12's MariaDB) is 101119.
 *
 * put_rows_past_deadline needs a handle but no server: mysql_init's
 * handle, never connected, is enough to show which step a statement
 * past the request's deadline reaches.  setup_past_deadline needs a
 * server that answers slowly: a child process speaking just enough of
 * the MariaDB protocol (a greeting, an OK to the login, a late OK to
 * every query).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include "store/store_int.h"

/* JSON_TABLE, which the sequencer's UPDATE joins, came in 10.6.0 */
static void server_version(void **state)
{
    (void)state;
    assert_false(store_server_supported(100533));   /* 10.5.33, the last 10.5 */
    assert_false(store_server_supported(50744));    /* MySQL-era 5.7.44 */
    assert_true(store_server_supported(100600));    /* 10.6.0 */
    assert_true(store_server_supported(101119));    /* 10.11.19 */
    assert_true(store_server_supported(110402));    /* 11.4.2 */
}

static void error_classes(void **state)
{
    (void)state;
    assert_int_equal(store_classify(0), SC_OK);
    assert_int_equal(store_classify(ER_LOCK_DEADLOCK), SC_RETRY);
    assert_int_equal(store_classify(ER_DUP_ENTRY), SC_DUPLICATE);
    assert_int_equal(store_classify(CR_SERVER_GONE_ERROR), SC_RECONNECT);
    assert_int_equal(store_classify(CR_CONNECTION_ERROR), SC_UNAVAILABLE);
    assert_int_equal(store_classify(ER_CON_COUNT_ERROR), SC_UNAVAILABLE);
    assert_int_equal(store_classify(ER_PARSE_ERROR), SC_FATAL);
}

/* The n-row decision INSERT is prepared on a connection's first group
 * of n rows (stmt.c), a round trip that can block for the whole read
 * timeout.  Past the deadline it must not start: the store gives up as
 * for any statement (store_too_late), drops the connection and answers
 * unavailable (2003, "past the request's deadline"), where preparing
 * anyway reached the server, here the unconnected handle's 2006. */
static void put_rows_past_deadline(void **state)
{
    (void)state;
    store *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->db = mysql_init(NULL);
    assert_non_null(s->db);
    s->deadline_ms = 1;     /* CLOCK_MONOTONIC's 1 ms: long past */
    MYSQL_BIND b[2 * DECISION_ROW_PARAMS];
    memset(b, 0, sizeof b);
    assert_int_equal(store_exec_put_rows(s, 2, b), SC_UNAVAILABLE);
    assert_int_equal(s->err_no, CR_CONN_HOST_ERROR);
    assert_non_null(strstr(s->err_msg, "ST_DECISION_PUTn: past the request's deadline"));
    assert_null(s->db);
    assert_null(s->put_rows[2]);
    store_disconnect(s);
    free(s);
}

/* ---- a slow server: the protocol's least, one connection ---------- */

enum { SLOW_ANSWER_MS = 600 };

static int read_full(int fd, unsigned char *p, size_t n)
{
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r <= 0) return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* One packet's payload into p (at most cap bytes kept); its length, or -1. */
static long read_packet(int fd, unsigned char *p, size_t cap, unsigned char *seq)
{
    unsigned char h[4];
    if (read_full(fd, h, 4)) return -1;
    size_t len = (size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16;
    *seq = h[3];
    unsigned char skip[256];
    for (size_t left = len; left;) {
        size_t take = left < sizeof skip ? left : sizeof skip;
        if (read_full(fd, skip, take)) return -1;
        if (len - left < cap) memcpy(p + (len - left), skip, take < cap - (len - left) ? take : cap - (len - left));
        left -= take;
    }
    return (long)len;
}

static void send_packet(int fd, unsigned char seq, const unsigned char *p, size_t n)
{
    unsigned char h[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16), seq};
    if (write(fd, h, 4) != 4 || write(fd, p, n) != (ssize_t)n) _exit(3);
}

/* The child: a MariaDB 10.11 greeting (mysql_native_password), OK to any
 * login, then an OK SLOW_ANSWER_MS after each query; writes the number of
 * queries to out when the client goes. */
static void slow_server(int lfd, int out)
{
    alarm(20);      /* never outlives a broken test */
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) _exit(2);
    static const unsigned char greeting[] =
        "\x0a" "5.5.5-10.11.19-MariaDB\0"
        "\x01\0\0\0" "abcdefgh\0"
        "\x0d\xa2" "\x2d" "\x02\0" "\x0e\0" "\x15"    /* capabilities, utf8mb4, autocommit */
        "\0\0\0\0\0\0\0\0\0\0"                        /* reserved, MariaDB's capabilities */
        "ijklmnopqrst\0" "mysql_native_password";           /* the string's own NUL ends it */
    static const unsigned char ok[] = {0, 0, 0, 2, 0, 0, 0};
    unsigned char p[64], seq;
    send_packet(fd, 0, greeting, sizeof greeting);
    if (read_packet(fd, p, sizeof p, &seq) < 0) _exit(2);
    send_packet(fd, (unsigned char)(seq + 1), ok, sizeof ok);
    int queries = 0;
    for (;;) {
        long n = read_packet(fd, p, sizeof p, &seq);
        if (n <= 0 || p[0] == 0x01) break;      /* gone, or COM_QUIT */
        if (p[0] == 0x03) queries++;            /* COM_QUERY */
        usleep(SLOW_ANSWER_MS * 1000);
        send_packet(fd, 1, ok, sizeof ok);
    }
    if (write(out, &queries, sizeof queries) != sizeof queries) _exit(3);
    _exit(0);
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A request's connection to a server that answers every step slowly but
 * within the read timeout (2 s).  Worked: the handshake is quick, the
 * session's first SET answers at 600 ms, its second at 1,200 ms, past the
 * request's 1,000 ms deadline, so the setup stops there: 2 queries, the
 * deadline's error, about 1.2 s.  Starting every step anyway (before the
 * fix) went on to the durability SELECT (1.8 s, 3 queries) and every
 * prepare after it. */
static void setup_past_deadline(void **state)
{
    (void)state;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(lfd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(lfd, 1), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(pfd[0]);
        slow_server(lfd, pfd[1]);
    }
    close(lfd);
    close(pfd[1]);
    char url[96], err[256] = "";
    snprintf(url, sizeof url, "mariadb://root@127.0.0.1:%u/eligo", (unsigned)ntohs(a.sin_port));
    store_options o = {.url = url, .timeout_s = 2, .deadline_ms = 1000};
    store_open_rc why;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    store *s = store_open(&o, &why, err, sizeof err);
    long ms = elapsed_ms(&t0);
    int queries = -1;
    assert_int_equal(read(pfd[0], &queries, sizeof queries), (ssize_t)sizeof queries);
    close(pfd[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_null(s);
    assert_int_equal(why, STORE_OPEN_UNREACHABLE);
    assert_non_null(strstr(err, "connection setup: past the request's deadline"));
    assert_true(queries >= 1 && queries <= 2);
    assert_true(ms < 1000 + SLOW_ANSWER_MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(server_version),
        cmocka_unit_test(error_classes),
        cmocka_unit_test(put_rows_past_deadline),
        cmocka_unit_test(setup_past_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
