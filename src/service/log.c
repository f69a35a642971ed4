/*
 * log.c - eligod's log: one line per event to stderr, journald's stderr
 * or syslog, as --log selects (log.h says what each function is for).
 *
 * How it fits: every process of eligod logs through elog(); a worker's
 * request lines go through elog_request(), which buffers them per thread
 * and writes them in PIPE_BUF-sized pieces.  conf.c parses --log and
 * --log-level; eligod.c calls log_open() with them.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "service/log.h"

static int use_syslog;
static int use_journal;        /* stderr read by journald: "<N>" priority prefixes, no time */
static int log_max = LOG_L_INFO;   /* --log-level: lines above it are dropped */
static pid_t log_pid;          /* getpid() once per process, not once per line */

void log_forked(void)
{
    log_pid = getpid();
}

void log_open(const char *where, int max_level)
{
    use_syslog = where && strcmp(where, "syslog") == 0;
    use_journal = where && strcmp(where, "journal") == 0;
    log_max = max_level;
    log_pid = getpid();
    if (use_syslog) openlog("eligod", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/* stderr belongs to whoever started eligod (journald, a shell): only
 * the syslog connection is ours to reopen. */
void log_reopen(void)
{
    log_flush();
    if (!use_syslog) return;
    closelog();
    openlog("eligod", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/* Request lines wait here until LOG_BUFFER bytes or LOG_FLUSH_S seconds
 * have gathered, as nginx's `access_log ... buffer= flush=` does: a write per
 * request costs a system call, and on this kind of virtual machine a
 * system call is dear.  Anything else flushes them first, so one
 * thread's lines stay in order; a worker thread flushes when idle and
 * before it exits.  A SIGKILLed worker loses at most this buffer per
 * thread. */
/* A flush is one write of at most PIPE_BUF bytes, so that on a pipe
 * (journald, a log shipper) it is not interleaved with another worker's. */
enum { LOG_LINE_MAX = 1300, LOG_BUFFER = PIPE_BUF, LOG_FLUSH_S = 1 };
/* one buffer per thread (a worker's threads, worker.c): lines of one
 * thread stay in order, and no lock is taken per request */
static _Thread_local char log_buf[LOG_BUFFER];
static _Thread_local size_t log_len;
static _Thread_local time_t log_since;

static void log_write(const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(2, p, n);
        if (w <= 0) return;     /* nowhere to report it */
        p += w;
        n -= (size_t)w;
    }
}

void log_flush(void)
{
    if (!log_len) return;
    log_write(log_buf, log_len);
    log_len = 0;
}

/* One line "TIME eligod[PID] LEVEL: rid=RID MESSAGE\n" into line
 * (LOG_LINE_MAX bytes); its length. */
static int log_format(char *line, int level, const char *rid, const char *fmt, va_list ap)
{
    static const char *const names[] = {"error", "warning", "info"};
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* one event, one line: no newline may split it */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    char ridpart[96] = "";
    if (rid && *rid) {
        /* the id comes from nginx (eligo_maps.conf: digits, '.' and '-';
         * letters for a site that sends $request_id); anything else is cut */
        size_t n = 0;
        while (n < 64 && (rid[n] == '-' || rid[n] == '.' || (rid[n] >= '0' && rid[n] <= '9') ||
                          ((rid[n] | 32) >= 'a' && (rid[n] | 32) <= 'z')))
            n++;
        snprintf(ridpart, sizeof ridpart, "rid=%.*s ", (int)n, rid);
    }
    if (use_syslog) return snprintf(line, LOG_LINE_MAX, "%s%s", ridpart, msg);
    int n;
    if (use_journal) {
        /* sd-daemon(3)'s prefixes: journald takes the priority from them */
        static const int prefix[] = {3, 4, 6};
        n = snprintf(line, LOG_LINE_MAX, "<%d>eligod[%ld] %s: %s%s\n", prefix[level],
                     (long)(log_pid ? log_pid : getpid()), names[level], ridpart, msg);
        if (n > LOG_LINE_MAX - 1) n = LOG_LINE_MAX - 1, line[n - 1] = '\n';
        return n;
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    /* the second's text once per second and thread, not per line */
    static _Thread_local time_t ts_of;
    static _Thread_local char ts[32];
    if (tv.tv_sec != ts_of || !ts[0]) {
        struct tm tm;
        gmtime_r(&tv.tv_sec, &tm);
        strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
        ts_of = tv.tv_sec;
    }
    n = snprintf(line, LOG_LINE_MAX, "%s.%03ldZ eligod[%ld] %s: %s%s\n", ts, (long)(tv.tv_usec / 1000),
                     (long)(log_pid ? log_pid : getpid()), names[level], ridpart, msg);
    if (n > LOG_LINE_MAX - 1) n = LOG_LINE_MAX - 1, line[n - 1] = '\n';
    return n;
}

/* One line to syslog, or to stderr at once, or into the buffer. */
static void log_emit(int level, int buffered, const char *rid, const char *fmt, va_list ap)
{
    static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO};
    if (level > log_max) return;
    char line[LOG_LINE_MAX];
    int n = log_format(line, level, rid, fmt, ap);
    if (use_syslog) {
        syslog(prio[level], "%s", line);
        return;
    }
    time_t now = time(NULL);
    if (!buffered || log_len + (size_t)n > sizeof log_buf || (log_len && now - log_since >= LOG_FLUSH_S))
        log_flush();
    if (!buffered) {
        /* one write per line so that lines of several workers do not interleave */
        log_write(line, (size_t)n);
        return;
    }
    if (!log_len) log_since = now;
    memcpy(log_buf + log_len, line, (size_t)n);     /* n < LOG_LINE_MAX < LOG_BUFFER */
    log_len += (size_t)n;
}

void elog(int level, const char *rid, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_emit(level, 0, rid, fmt, ap);
    va_end(ap);
}

void elog_request(const char *rid, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_emit(LOG_L_INFO, 1, rid, fmt, ap);
    va_end(ap);
}
