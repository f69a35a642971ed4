/*
 * worker.h - one eligod worker: the FastCGI accept loop.
 *
 * Entered in the child right after fork; never returns.  See worker.c
 * for the keep-alive rules it follows.
 */
#ifndef ELIGO_WORKER_H
#define ELIGO_WORKER_H

#include "policy/load.h"
#include "service/conf.h"
#include "service/service.h"

void worker_main(const eligod_conf *conf, const registry *reg, int listen_fd, int slot)
    __attribute__((noreturn));

/* The worker's store, connecting first when it has none (at most once a
 * second while the database is down).  NULL when unavailable. */
store *worker_store(service *sv);

#endif
