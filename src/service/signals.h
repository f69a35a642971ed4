/*
 * signals.h - how signals reach eligod's master and workers.
 *
 * Master: a self-pipe (php-fpm's fpm_signals.c).  The handler of every
 * catchable signal but the synchronous faults only writes one byte
 * naming the signal; the master's loop reads the bytes and acts outside
 * any handler (pctl.c: which signal does what, the rest logged and
 * ignored).  Workers:
 * TERM/QUIT/INT set a stop flag and ask libfcgi to stop accepting
 * (FCGX_ShutdownPending), installed without SA_RESTART so a blocking
 * accept() returns.  eligod installs its handlers before FCGX_Init, so
 * libfcgi's own SIGTERM/SIGUSR1 handlers are never installed (libfcgi
 * only installs over a default disposition).
 *
 * Signals are blocked around fork() so a child never runs a master
 * handler with the master's pipe.  Every child gets SIGTERM when its
 * master dies (PR_SET_PDEATHSIG), so a SIGKILLed master leaves no
 * worker or helper serving behind it.  A child ignores HUP and USR2 (the
 * master's reload signals) and USR1 (the master's log reopening)
 * and takes the default for the rest.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_SIGNALS_H
#define ELIGO_SIGNALS_H

#include <signal.h>
#include <sys/types.h>

/* Creates the pipe and installs the master's handlers.  0 or -1. */
int signals_init_main(void);
/* The read end (non-blocking), for poll(). */
int signals_fd(void);
/* Next pending signal byte, or 0 when none. */
int signals_next(void);
/* Blocks every signal that can be; restore with signals_unblock(). */
void signals_block(sigset_t *saved);
void signals_unblock(const sigset_t *saved);
/* In a new worker: closes the pipe, installs the worker handlers, restores
 * defaults for the rest. */
void signals_init_child(void);
/* Forks a child of the master: signals are blocked across fork so that
 * no handler of the master runs in the child, whose handlers are reset
 * (signals_init_child) before child_main(arg) runs; child_main does not
 * return.  The pid in the parent, or -1 with errno set. */
pid_t signals_fork(void (*child_main)(void *arg), void *arg);
/* In a child: 1 once its master is gone (the SIGTERM came from the
 * kernel, not from a master that would wait for kept connections). */
int signals_orphaned(void);
/* Set by the worker's handler. */
extern volatile sig_atomic_t worker_stop;

#endif
