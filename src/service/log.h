/*
 * log.h - eligod's log: one line per event ("LEVEL [rid=ID] message") to
 * stderr, to journald's stderr, or to syslog, as --log selects.
 *
 * Callers pass the request id when there is one and never a request body
 * or anything a person typed.  Request lines are buffered per thread
 * (log.c); every other line flushes the buffer first, so one thread's
 * lines stay in order.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_LOG_H
#define ELIGO_LOG_H

enum log_level { LOG_L_ERROR, LOG_L_WARN, LOG_L_INFO };

/* Opens the log chosen by --log ("stderr", "journal": stderr with
 * journald's "<N>" priority prefixes and no time stamp, or "syslog");
 * lines above max_level (--log-level) are dropped. */
void log_open(const char *where, int max_level);
/* SIGUSR1: flushes, and reconnects to syslog when that is the log. */
void log_reopen(void);
/* A child of the master calls it first thing: its lines carry its pid. */
void log_forked(void);
/* A request's line: buffered (log.c says how long); log_flush() writes
 * what is buffered, and every other line flushes it first. */
void elog_request(const char *rid, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_flush(void);
/* One line: "LEVEL [rid=ID] message".  rid may be NULL. */
void elog(int level, const char *rid, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
