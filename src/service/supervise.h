/*
 * supervise.h - what the master does for every child it keeps alive:
 * one crash back-off, and the life of a single helper process (the
 * group committer, the checkpoint sequencer).
 *
 * The crash back-off: a child that dies within CRASH_WINDOW_MS of its
 * fork without being asked to is a child that cannot start; the next
 * fork waits 250 ms, doubling up to 5 s, so a broken configuration does
 * not fork hundreds of processes a second.  A child that lived longer
 * resets it.  Workers (children.c) add their own rule on top (a worker
 * that served a request is not a failed start); the helpers use it as is.
 *
 * A helper is one process of its kind: forked when none runs and the
 * back-off allows (helper_tick), reaped and logged (helper_reaped),
 * stopped with TERM and, after --stop-timeout, KILL (helper_stop).  The
 * master never waits on a helper while it runs: a stopped or hung helper
 * only delays its own work.
 *
 * Ownership: helper structs live in the master's state (or a file's
 * static state) and are copied into every forked child, where they mean
 * nothing.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_SUPERVISE_H
#define ELIGO_SUPERVISE_H

#include <stdint.h>
#include <sys/types.h>

enum { CRASH_WINDOW_MS = 2000, BACKOFF_FIRST_MS = 250, BACKOFF_MAX_MS = 5000 };

typedef struct backoff {
    int64_t delay_ms;         /* 0: none */
    int64_t until_ms;         /* no fork before this (monotonic ms) */
} backoff;

/* A child died young: grow the delay and set until_ms from now. */
void backoff_crash(backoff *b, int64_t now_ms);
/* A child proved it can start: forget the delay. */
void backoff_clear(backoff *b);

typedef struct helper {
    const char *name;         /* for the log: "committer", "sequencer" */
    int counter;              /* its respawn counter: SB_HELPER_* (scoreboard.h) */
    void (*main)(void);       /* the child's body; never returns */
    pid_t pid;                /* 0 while none runs */
    int64_t started_ms;
    backoff bo;
    int stopping;             /* the master is leaving: no respawn */
} helper;

/* Forks the helper when none runs and the back-off allows. */
void helper_tick(helper *h, int64_t now_ms);
/* From the reaper: 1 when pid was this helper's (logged, respawn
 * scheduled), else 0. */
int helper_reaped(helper *h, pid_t pid, int status);
/* TERM, wait up to stop_timeout_s, then KILL; no respawn afterwards. */
void helper_stop(helper *h, int stop_timeout_s);

#endif
