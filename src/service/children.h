/*
 * children.h - forking, reaping and stopping workers (php-fpm's
 * fpm_children.c).
 *
 * A worker is forked with signals blocked, gets a scoreboard slot and
 * the generation of the registry it inherits.  Reaping records how each
 * one ended (exit code, signal, core dump) in one log line; a worker that
 * dies within 2 s of its start without being asked to counts as a crash
 * and grows the respawn delay (250 ms doubling, capped at 5 s), which a
 * worker that lived longer resets.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_CHILDREN_H
#define ELIGO_CHILDREN_H

#include "service/pctl.h"

/* Forks one worker of the current generation.  0, or -1 (logged). */
int children_spawn(void);
/* Reaps every exited child; returns how many. */
int children_reap(void);
/* Graceful stop: SIGTERM now, again every second (a signal can land
 * between the worker's last flag check and its accept), SIGKILL after
 * the stop timeout (children_tick). */
void children_stop(child *c);
/* Escalation and slow-request kills; called every tick. */
void children_tick(int64_t now);

#endif
