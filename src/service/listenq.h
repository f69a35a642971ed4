/*
 * listenq.h - the length of the FastCGI socket's listen queue, as the
 * kernel counts it (listenq.c says why and how).
 *
 * Ownership: the master owns the listenq and its netlink socket; the
 * listening socket itself is borrowed (pctl owns it).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_LISTENQ_H
#define ELIGO_LISTENQ_H

#include <stdint.h>

typedef struct listenq {
    int fd;            /* the listening socket, borrowed */
    int nl;            /* sock_diag netlink socket, -1 for TCP or when closed */
    int is_unix;
    uint32_t inode;
} listenq;

/* Prepares sampling of listen_fd.  0, or -1 (then sampling fails). */
int listenq_open(listenq *q, int listen_fd);
void listenq_close(listenq *q);
/* Connections waiting to be accepted now, and the backlog.  0 or -1. */
int listenq_sample(const listenq *q, uint32_t *queued, uint32_t *backlog);

#endif
