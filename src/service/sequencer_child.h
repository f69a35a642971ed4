/*
 * sequencer_child.h - the checkpoint sequencer as a child process of the
 * eligod master, supervised like the group committer.
 *
 * With --checkpoint-key the master forks one sequencer (supervise.h:
 * respawned when it dies, with the shared crash back-off).  The child
 * keeps the signing key (the only child that does: workers and the
 * committer forget it, audit_drop_private) and runs sequencer rounds
 * (src/audit/sequencer.h) through a store connection of its own:
 * a checkpoint at most every --checkpoint-interval seconds (1), and at
 * once when SEQ_BATCH (10,000) stored decisions wait, counted from the
 * scoreboard without asking the database.  A full batch is followed by
 * the next round at once.  Each signed note is logged and appended to
 * --checkpoint-file.  After a database error the interval doubles, up to
 * a minute.  The master never waits for it: a sequencer that is stopped
 * or hangs on the database only delays checkpoints.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_SEQUENCER_CHILD_H
#define ELIGO_SEQUENCER_CHILD_H

#include <stdint.h>
#include <sys/types.h>

enum { SEQ_BATCH = 10000 };

/* Master, every tick while running: forks the sequencer when a signing
 * key and a database are configured and none runs. */
void sequencer_tick_main(int64_t now_ms);
/* Master, from the reaper: 1 when pid was the sequencer. */
int sequencer_reaped(pid_t pid, int status);
/* Master, at exit: TERM, wait, KILL after --stop-timeout. */
void sequencer_stop_main(void);

#endif
