/*
 * notify.c - sd_notify over $NOTIFY_SOCKET, by hand (notify.h).
 *
 * The protocol (systemd's sd_notify(3)): one datagram of text to the
 * unix socket $NOTIFY_SOCKET names, a path or, after '@', an abstract
 * name.  Only the master calls it, from its loop.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "service/notify.h"

int notify_send(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !*path || (path[0] != '/' && path[0] != '@')) return -1;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    if (len >= sizeof sa.sun_path) return -1;
    memcpy(sa.sun_path, path, len);
    if (path[0] == '@') sa.sun_path[0] = 0;         /* abstract namespace */
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    ssize_t n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
                       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
    close(fd);
    return n == (ssize_t)strlen(state) ? 0 : -1;
}

int notify_status(const char *state, const char *fmt, ...)
{
    char msg[512];
    int n = snprintf(msg, sizeof msg, "%s\nSTATUS=", state);
    if (n < 0 || (size_t)n >= sizeof msg) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    return notify_send(msg);
}
