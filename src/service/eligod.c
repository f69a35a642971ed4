/*
 * eligod.c - the daemon's main: options, an ordered init chain, the loop.
 *
 * Like php-fpm's fpm_init(), start-up is a list of steps run in order
 * that stops at the first failure, so each step may assume the previous
 * ones.  The registry is compiled before the socket is opened and before
 * any fork: a daemon whose policies do not compile never listens, and
 * every worker starts from the same immutable tree (copy-on-write).
 * The pid file is locked before the socket is looked at, so a second
 * eligod started by mistake stops without touching either.  `eligod -t`
 * runs only the steps that check (options, policies, keys) and exits.
 *
 * Not here: the loop (pctl.c), workers (worker.c), HTTP (routes.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <fcgiapp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "store/store.h"
#include "service/committer.h"
#include "service/pctl.h"
#include "service/scoreboard.h"
#include "service/signals.h"
#include "service/service.h"

static int init_log(void)
{
    log_open(master.conf.log, master.conf.log_level);
    return 0;
}

static int init_signals(void)
{
    if (signals_init_main() == 0) return 0;
    elog(LOG_L_ERROR, NULL, "signals: %s", strerror(errno));
    return -1;
}

static int init_registry(void)
{
    master.reg = pctl_compile(master.conf.policies);
    if (!master.reg) {
        elog(LOG_L_ERROR, NULL, "policies in %s do not compile; not starting", master.conf.policies);
        return -1;
    }
    master.generation = 1;
    elog(LOG_L_INFO, NULL, "compiled %u policies from %s", master.reg->npolicies, master.conf.policies);
    return 0;
}

/* A socket file left by a dead eligod is removed; a live one is an error. */
static int clear_stale_socket(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return 0;
    if (!S_ISSOCK(st.st_mode)) {
        elog(LOG_L_ERROR, NULL, "%s exists and is not a socket", path);
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    int live = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    if (fd >= 0) close(fd);
    if (live) {
        elog(LOG_L_ERROR, NULL, "%s is in use by another server", path);
        return -1;
    }
    return unlink(path);
}

/* The backlog: --backlog, else the kernel's somaxconn (the most listen()
 * grants).  A full backlog makes nginx's connect() fail with EAGAIN and
 * answer 502, an unknown outcome for a POST; a long queue is only a
 * wait, which nginx bounds with fastcgi_connect_timeout and the portal
 * sees as latency (128 was full at 256 client connections). */
static int backlog_of(int configured)
{
    if (configured > 0) return configured;
    int n = 0;
    FILE *f = fopen("/proc/sys/net/core/somaxconn", "r");
    if (f) {
        if (fscanf(f, "%d", &n) != 1) n = 0;
        fclose(f);
    }
    return n > 0 ? n : 4096;
}

static int init_socket(void)
{
    if (FCGX_Init() != 0) {
        elog(LOG_L_ERROR, NULL, "FCGX_Init failed");
        return -1;
    }
    const char *l = master.conf.listen;
    const char *bind_to = l;
    if (strncmp(l, "unix:", 5) == 0) {
        bind_to = l + 5;
        /* remembered for unlinking only once it is ours: never another server's */
        if (clear_stale_socket(bind_to) != 0) return -1;
        snprintf(master.sock_path, sizeof master.sock_path, "%s", bind_to);
    } else if (!getenv("FCGI_WEB_SERVER_ADDRS")) {
        /* libfcgi trusts its peer: on TCP accept only the loopback web server */
        setenv("FCGI_WEB_SERVER_ADDRS", "127.0.0.1", 1);
    }
    master.conf.backlog = backlog_of(master.conf.backlog);
    mode_t old = umask(0117);              /* the socket is born 0660 */
    int fd = FCGX_OpenSocket(bind_to, master.conf.backlog);
    umask(old);
    if (fd < 0) {
        elog(LOG_L_ERROR, NULL, "cannot listen on %s: %s", l, strerror(errno));
        master.sock_path[0] = 0;
        return -1;
    }
    if (master.sock_path[0]) chmod(master.sock_path, 0660);
    master.listen_fd = fd;
    if (listenq_open(&master.lq, fd)) elog(LOG_L_WARN, NULL, "the listen queue cannot be sampled: %s", strerror(errno));
    elog(LOG_L_INFO, NULL, "listening on %s (backlog %d)", l, master.conf.backlog);
    return 0;
}

static int init_scoreboard(void)
{
    /* room for a full old generation and a full new one during a reload,
     * and for as many recycling workers (--max-requests), which keep
     * their slot until nginx lets go while their replacements run */
    if (scoreboard_init_main((uint32_t)master.conf.workers * 3 + 4) == 0) {
        sb->generation = master.generation;
        pctl_bind_counters(master.reg);
        return 0;
    }
    elog(LOG_L_ERROR, NULL, "scoreboard: %s", strerror(errno));
    return -1;
}

/* Refuse to start against a server that does not make commits durable
 * (an acknowledged decision must survive the server's crash).  An
 * unreachable server is not a reason to refuse: the workers answer 503
 * and reconnect when it comes back. */
static int init_database(void)
{
    if (!master.conf.db) return 0;
    char err[512];
    store_options o = {.url = master.conf.db, .allow_nondurable = master.conf.allow_nondurable};
    store_open_rc why;
    store *s = store_open(&o, &why, err, sizeof err);
    if (s) {
        store_close(s);
        return 0;
    }
    if (why == STORE_OPEN_NONDURABLE) {
        elog(LOG_L_ERROR, NULL, "refusing to start: %s", err);
        return -1;
    }
    elog(LOG_L_WARN, NULL, "database not reachable at start (%s); workers will retry", err);
    return 0;
}

/* The checkpoint keys are read before any fork (h_audit.c). */
static int init_checkpoints(void)
{
    return audit_init_main(&master.conf);
}

/* The group committer: its socket, and the process (committer.c). */
static int init_committer(void)
{
    return committer_init_main(&master.conf, master.listen_fd);
}

/* The pid file is locked (fcntl, so not inherited by the children) for
 * as long as the master lives: a second eligod given the same file finds
 * the lock and stops before it touches the file or the socket. */
static int init_pid(void)
{
    if (!master.conf.pid) return 0;
    const char *path = master.conf.pid;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        elog(LOG_L_ERROR, NULL, "pid file %s: %s", path, strerror(errno));
        return -1;
    }
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(fd, F_SETLK, &lk) != 0) {
        char other[24] = "";
        ssize_t n = read(fd, other, sizeof other - 1);
        other[n > 0 ? n : 0] = 0;
        other[strcspn(other, "\n")] = 0;
        elog(LOG_L_ERROR, NULL, "another eligod (pid %s) holds %s; not starting", *other ? other : "?", path);
        close(fd);
        return -1;
    }
    char line[24];
    int len = snprintf(line, sizeof line, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || write(fd, line, (size_t)len) != len) {
        elog(LOG_L_ERROR, NULL, "pid file %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    master.pid_fd = fd;
    master.pid_written = 1;
    return 0;
}

/* `checks`: the steps `eligod -t` runs (nothing that listens, forks,
 * connects or writes). */
static const struct {
    const char *name;
    int (*run)(void);
    int checks;
} init_chain[] = {
    {"log", init_log, 1},
    {"signals", init_signals, 0},
    {"registry", init_registry, 1},
    {"checkpoints", init_checkpoints, 1},
    {"pid", init_pid, 0},
    {"database", init_database, 0},
    {"socket", init_socket, 0},
    {"scoreboard", init_scoreboard, 0},
    {"committer", init_committer, 0},
};

static void cleanup(void)
{
    audit_free_main();
    listenq_close(&master.lq);
    if (master.listen_fd >= 0) close(master.listen_fd);
    if (master.sock_path[0]) unlink(master.sock_path);
    if (master.pid_written) unlink(master.conf.pid);
    if (master.pid_fd >= 0) close(master.pid_fd);     /* releases the lock */
    if (master.reg) {
        registry_free(master.reg);
        free(master.reg);
    }
    free(master.children);
}

static int asked_to_test(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-t") == 0 || strcmp(argv[i], "--test") == 0) return 1;
    return 0;
}

int main(int argc, char **argv)
{
    master.listen_fd = -1;
    master.pid_fd = -1;
    master.lq = (listenq){.fd = -1, .nl = -1};
    int rc = conf_parse(&master.conf, argc, argv);
    if (rc > 0) return 0;
    if (rc < 0) return asked_to_test(argc, argv) ? 1 : 2;   /* -t: a bad configuration is a finding */
    int test = master.conf.test_only;
    for (size_t i = 0; i < sizeof init_chain / sizeof init_chain[0]; i++) {
        if (test && !init_chain[i].checks) continue;
        if (init_chain[i].run() != 0) {
            elog(LOG_L_ERROR, NULL, "%s failed at step `%s`", test ? "the check" : "start-up", init_chain[i].name);
            cleanup();
            return 1;
        }
    }
    if (test) {
        elog(LOG_L_INFO, NULL, "the options, the policies in %s and the keys are good", master.conf.policies);
        cleanup();
        return 0;
    }
    const eligod_conf *cf = &master.conf;
    if (cf->pm == CONF_PM_DYNAMIC)
        elog(LOG_L_INFO, NULL, "master %ld: dynamic pool, %d workers at start, at most %d, idle threads kept "
             "between %d and %d", (long)getpid(), cf->start_workers, cf->workers, cf->min_spare_threads,
             cf->max_spare_threads);
    elog(LOG_L_INFO, NULL, "master %ld: %d workers, max %d requests each, request timeout %d s", (long)getpid(),
         cf->pm == CONF_PM_DYNAMIC ? cf->start_workers : cf->workers, cf->max_requests, cf->request_timeout);
    rc = pctl_run();
    cleanup();
    return rc;
}
