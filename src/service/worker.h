/*
 * worker.h - one eligod worker: its threads' FastCGI accept loops.
 *
 * Entered in the child right after fork; never returns.  See worker.c
 * for the keep-alive rules it follows.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_WORKER_H
#define ELIGO_WORKER_H

#include <signal.h>
#include "policy/load.h"
#include "service/conf.h"
#include "service/service.h"

void worker_main(const eligod_conf *conf, const registry *reg, int listen_fd, int slot)
    __attribute__((noreturn));

/* Blocks the stop signals (TERM, QUIT, INT); run_mask gets the mask
 * with them open, for ppoll and epoll_pwait, so a stop never cuts a read
 * or write short.
 * The committer waits the same way. */
void worker_block_stops(sigset_t *run_mask);
/* Before _exit: LeakSanitizer's check in a sanitizer build (worker.c
 * says why), nothing otherwise.  The committer leaves the same way. */
void worker_leak_check(void);
/* The calling thread's store (sv is the thread's), connecting first when
 * it has none (at most once a second while the database is down).  NULL
 * when unavailable. */
store *worker_store(service *sv);

#endif
