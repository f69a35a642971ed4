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
 * While one batch commits, the next gathers in the sockets, so batches
 * grow with the load and a commit's fsync is shared by every row in it.
 * No decision is answered before the COMMIT that holds it returned.
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
 * Ownership: the committer state lives in the master's struct (and is
 * inherited by the children); the committer owns its store and its
 * connections; a worker owns its connection (service.commit_fd).
 */
#ifndef ELIGO_COMMITTER_H
#define ELIGO_COMMITTER_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include "base/buf.h"
#include "service/supervise.h"
#include "store/store.h"

/* The most decisions one request stores (json_req.h's REQ_MAX_POLICIES). */
enum { COMMIT_MAX_ROWS = 16 };

typedef struct committer_state {
    int listen_fd;                /* -1: group commit off */
    struct sockaddr_un addr;      /* abstract: sun_path[0] == 0 */
    socklen_t addrlen;
    helper proc;                  /* the committer process (supervise.h) */
} committer_state;

/* Master: creates the socket and forks the committer (nothing when there
 * is no database or --group-commit is 0).  0, or -1 logged. */
int committer_init_main(void);
/* Master, every tick: forks a committer when none runs and the back-off
 * allows. */
void committer_tick_main(int64_t now_ms);
/* Master, from the reaper: 1 when pid was the committer (logged, respawn
 * scheduled), else 0. */
int committer_reaped(pid_t pid, int status);
/* Master, after the last worker left: TERM, wait, KILL after
 * --stop-timeout. */
void committer_stop_main(void);

struct service;
/* Worker: stores the n decisions of one request (1..COMMIT_MAX_ROWS, the
 * caller's puts with d and stored_response set), all or none in one
 * commit, through the committer when group commit is on, else on the
 * worker's own store.  Fills each put's rc and decision_id as
 * store_put_batch does and returns the request's store_put_outcome;
 * STORE_UNAVAILABLE when the committer did not answer (died, timed out). */
store_rc committer_put(struct service *sv, store_put *p, size_t n);

#endif
