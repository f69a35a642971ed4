/*
 * committer.h - group commit: one process stores the decisions of every
 * worker, many under one COMMIT.
 *
 * A worker does not commit its own decisions: it sends the rows of its
 * request to the committer over a local socket and waits.  The committer
 * takes whatever has arrived, stores it with store_put_batch (one
 * transaction, one COMMIT; a request's rows all or none, never split
 * across commits), and only then answers each worker with the outcome of
 * its rows.
 * --commit-lanes groups commit at once, each on its own store connection
 * (the committer's lanes); while they do, the next gathers in the sockets, so
 * groups grow with the load and a commit's fsync is shared by every row
 * in it.  No decision is answered before the COMMIT that holds it
 * returned.
 *
 * The master creates the listening socket (an abstract unix address with
 * a random name; peers of another uid are refused), forks the committer
 * and forks it again when it dies, with the crash back-off every child
 * shares (supervise.h).  The socket outlives
 * the committer, so workers connecting meanwhile wait in the backlog for
 * the next one; a worker whose committer died before answering answers
 * 503, and the client's retry with the same request_id gets the stored
 * decision or a new one, never a second row.  --group-commit 0 turns it
 * off: each worker then commits its own decisions.
 *
 * Three rooms: committer.c (the process and the master's supervision
 * of it; its state is that file's, inherited by every child),
 * commit_wire.c (the frames), commit_client.c (the worker's side).
 *
 * Ownership: the committer owns its connections, each of its lanes its
 * store; a worker thread owns its connection (service.commit_fd).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_COMMITTER_H
#define ELIGO_COMMITTER_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include "service/commit_wire.h"
#include "service/conf.h"
#include "service/supervise.h"
#include "store/store.h"

/* A frame a peer started is finished within this (both sides' receive
 * timeout). */
enum { COMMIT_READ_TIMEOUT_MS = 2000 };

/* Master: creates the socket and forks the committer (nothing when there
 * is no database or --group-commit is 0).  conf must outlive the
 * process; fcgi_fd (the FastCGI socket, or -1) is closed in the
 * committer.  0, or -1 logged. */
int committer_init_main(const eligod_conf *conf, int fcgi_fd);
/* Master, every tick: forks a committer when none runs and the back-off
 * allows. */
void committer_tick_main(int64_t now_ms);
/* Master, from the reaper: 1 when pid was the committer (logged, respawn
 * scheduled), else 0. */
int committer_reaped(pid_t pid, int status);
/* Master, after the last worker left: TERM, wait, KILL after
 * --stop-timeout. */
void committer_stop_main(void);

/* Any process: the committer's address, or NULL when group commit is
 * off; *len (when len is not NULL) its length. */
const struct sockaddr_un *committer_address(socklen_t *len);
/* The committer's listening socket (-1: none), for a child that must
 * not hold it open. */
int committer_listen_fd(void);

struct service;
/* Worker: stores the n decisions of one request (1..COMMIT_MAX_ROWS, the
 * caller's puts with d and stored_response set), all or none in one
 * commit, through the committer when group commit is on, else on the
 * worker's own store.  Fills each put's rc and decision_id as
 * store_put_batch does and returns the request's store_put_outcome;
 * STORE_UNAVAILABLE when the committer did not answer (died, timed out).
 * (commit_client.c) */
store_rc committer_put(struct service *sv, store_put *p, size_t n);

#endif
