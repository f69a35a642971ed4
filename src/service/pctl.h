/*
 * pctl.h - the master's state and its control loop.
 *
 * The master is in one of two states (php-fpm's fpm_process_ctl):
 * RUNNING (keep N workers of the current generation: --workers, or what
 * a dynamic pool sets, pm.h), and TERMINATING
 * (stop accepting, stop every worker, SIGKILL after --stop-timeout after
 * QUIT or PCTL_FAST_STOP_S after TERM/INT, exit when none is left).  A reload is not a state but a
 * generation: after SIGHUP (or USR2) compiles cleanly the registry is swapped, the
 * generation number grows, and the loop replaces old-generation workers
 * one by one (a new one must be ready before an old one is told to stop).
 * A SIGHUP whose policies do not all compile logs every diagnostic and
 * changes nothing.
 *
 * This struct is the master's process-wide state (service.h lists the
 * others).  The group committer's is committer.c's own.
 *
 * Ownership: the master owns the registry (the workers hold copy-on-write
 * images of it), the child table and the listening socket.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_PCTL_H
#define ELIGO_PCTL_H

#include <stdint.h>
#include <sys/types.h>
#include "policy/load.h"
#include "service/supervise.h"
#include "service/conf.h"
#include "service/listenq.h"
#include "service/pm.h"

enum pctl_state { PCTL_RUNNING, PCTL_TERMINATING };
/* The master's loop wakes at least this often (signals wake it sooner). */
enum { PCTL_LOOP_MS = 50 };
/* A fast stop (TERM, INT) kills a worker still busy after this long. */
enum { PCTL_FAST_STOP_S = 1 };

typedef struct child {
    pid_t pid;
    int slot;                 /* scoreboard slot */
    int generation;
    int64_t started_ms;
    int64_t stop_sent_ms;     /* 0 until told to stop */
    int64_t last_signal_ms;
} child;

typedef struct master_state {
    eligod_conf conf;
    registry *reg;            /* current generation's registry */
    int generation;
    int listen_fd;
    char sock_path[112];      /* unix socket to unlink at exit, or "" */
    int pid_written;
    int pid_fd;               /* the locked pid file, -1 when none */
    child *children;
    int nchildren, cap;
    int state;                /* pctl_state */
    int fast_stop;            /* TERMINATING after TERM/INT: PCTL_FAST_STOP_S, not --stop-timeout */
    backoff backoff;          /* the workers' crash back-off (supervise.h) */
    listenq lq;               /* the listen queue's length, sampled each loop */
    int target;               /* workers of the current generation to keep (pm.h) */
    int64_t pm_next_ms;       /* a dynamic pool's next decision (pm.c) */
    pm_window pm;             /* and what it looked at since the last */
} master_state;

extern master_state master;

/* Compiles the policy folder into a new registry; logs diagnostics line
 * by line.  NULL on any error. */
registry *pctl_compile(const char *dir);
/* Binds each policy of r to its decision counter by name (scoreboard.h);
 * called before the workers that serve r are forked. */
void pctl_bind_counters(const registry *r);
/* Runs the master loop until every worker is gone after TERM.  Returns
 * the exit status. */
int pctl_run(void);

#endif
