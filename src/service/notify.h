/*
 * notify.h - telling systemd what the master is doing (sd_notify), for
 * a unit of Type=notify.
 *
 * When systemd started eligod it names a datagram socket in
 * $NOTIFY_SOCKET; the master sends it READY=1 once it serves, RELOADING=1
 * while it compiles a reload (then READY=1 again, whatever the result),
 * STOPPING=1 when it starts to stop, and a STATUS= line with the
 * generation and the number of policies.  Written by hand (one
 * sendto), so eligod needs no libsystemd.  Without $NOTIFY_SOCKET every
 * call does nothing.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_NOTIFY_H
#define ELIGO_NOTIFY_H

/* Sends "state" (newline-separated assignments) to $NOTIFY_SOCKET.
 * 0, or -1 when there is no socket or the send failed (never fatal). */
int notify_send(const char *state);
/* Sends state followed by a STATUS= line from fmt. */
int notify_status(const char *state, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
