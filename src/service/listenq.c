/*
 * listenq.c - how many connections wait in the FastCGI socket's listen
 * queue: nginx's connections that no worker has accepted yet.
 *
 * Why: a worker accepts only while one of its threads is free
 * (worker.c's header comment), so connections pile up in the backlog
 * when every thread of every worker is in a request: the pool is too
 * small for the load.  Nothing in the request path can see that
 * queue, and a listening unix socket answers no FIONREAD, so the master
 * asks the kernel through sock_diag netlink (what `ss -xl` shows as
 * Recv-Q): UNIX_DIAG_RQLEN of a listening socket is its queue length and
 * its backlog.  For a TCP listener the same figure comes from TCP_INFO
 * (tcpi_unacked is the accept queue, tcpi_sacked the backlog).
 *
 * The master samples it on its loop (pctl.c) into the scoreboard; the
 * workers' /metrics shows the current length and the peak.  A sample is
 * one netlink round trip, no allocation.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "service/listenq.h"

int listenq_open(listenq *q, int listen_fd)
{
    struct stat st;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    q->fd = q->nl = -1;
    if (fstat(listen_fd, &st) || getsockname(listen_fd, (struct sockaddr *)&ss, &len)) return -1;
    q->fd = listen_fd;
    q->inode = (uint32_t)st.st_ino;
    q->is_unix = ss.ss_family == AF_UNIX;
    if (!q->is_unix) return 0;
    q->nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (q->nl < 0) return -1;
    struct timeval tv = {0, 100000};     /* the kernel answers at once; never block the master */
    setsockopt(q->nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return 0;
}

void listenq_close(listenq *q)
{
    if (q->nl >= 0) close(q->nl);
    q->nl = q->fd = -1;
}

static int sample_tcp(const listenq *q, uint32_t *queued, uint32_t *backlog)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    if (getsockopt(q->fd, IPPROTO_TCP, TCP_INFO, &ti, &len)) return -1;
    *queued = ti.tcpi_unacked;
    *backlog = ti.tcpi_sacked;
    return 0;
}

int listenq_sample(const listenq *q, uint32_t *queued, uint32_t *backlog)
{
    if (q->fd < 0) return -1;
    if (!q->is_unix) return sample_tcp(q, queued, backlog);
    struct {
        struct nlmsghdr nlh;
        struct unix_diag_req req;
    } rq = {
        .nlh = {.nlmsg_len = sizeof rq, .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_REQUEST},
        .req = {.sdiag_family = AF_UNIX, .udiag_states = 1u << 10 /* TCP_LISTEN */, .udiag_ino = q->inode,
                .udiag_show = UDIAG_SHOW_RQLEN, .udiag_cookie = {~0u, ~0u}},
    };
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(q->nl, &rq, sizeof rq, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return -1;
    union {
        struct nlmsghdr h;
        char bytes[512];
    } answer;
    ssize_t n;
    do n = recv(q->nl, answer.bytes, sizeof answer.bytes, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) return -1;
    for (struct nlmsghdr *h = &answer.h; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) return -1;   /* NLMSG_ERROR: not found, not allowed */
        struct unix_diag_msg *m = NLMSG_DATA(h);
        int left = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
        for (struct rtattr *a = (struct rtattr *)(m + 1); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
            if (a->rta_type != UNIX_DIAG_RQLEN || RTA_PAYLOAD(a) < (int)sizeof(struct unix_diag_rqlen)) continue;
            const struct unix_diag_rqlen *r = RTA_DATA(a);
            *queued = r->udiag_rqueue;
            *backlog = r->udiag_wqueue;
            return 0;
        }
    }
    return -1;
}
