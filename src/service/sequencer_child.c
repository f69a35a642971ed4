/*
 * sequencer_child.c - the checkpoint sequencer's process (see
 * sequencer_child.h) and the master's three calls that supervise it.
 *
 * The child's loop wakes every SEQ_TICK_MS (signals are open only while
 * it sleeps, so TERM never cuts a round in half), and runs a round when
 * the interval has passed or SEQ_BATCH decisions were stored since the
 * last one.  The count comes from the scoreboard's per-policy decision
 * counters, which workers raise after each stored decision: no query
 * just to learn whether to query.
 *
 * Every host of a cluster runs one; the lease (db/004_sequencer_lease.sql)
 * names this one by hostname and master pid, so a restarted sequencer
 * child of the same master keeps it, and the log says when this host
 * starts or stops holding it.  A child whose master died stops, so that
 * the lease expires and another host takes over.
 *
 * After each round it leaves its figures in the scoreboard (rounds signed
 * and failed, decisions numbered, the last tree size and its time) for
 * /metrics.
 *
 * What it does not do: verify (src/audit/verify.c), decide what a round
 * holds (src/audit/sequencer.c), or retry within a round.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE 1   /* ppoll */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#include "audit/sequencer.h"
#include "service/committer.h"
#include "service/pctl.h"
#include "service/scoreboard.h"
#include "service/sequencer_child.h"
#include "service/service.h"
#include "service/signals.h"
#include "service/worker.h"

enum { SEQ_LAG_MS = 500, SEQ_TICK_MS = 100, STORE_TIMEOUT_S = 10, MAX_BACKOFF_MS = 60000, LEASE_MIN_S = 10 };

/* The child's state, on its stack (sequencer_main never returns). */
typedef struct seq_child {
    const cp_key *key;
    store *db;
    sequencer seq;
    int64_t next_ms;          /* the next round by the clock */
    int64_t backoff_ms;       /* after a failed round */
    uint64_t seen;            /* decisions stored when the last round began */
    char holder[128];         /* this host's name in the lease: hostname/master pid */
    int standby;              /* another host held the lease at the last round (-1: no round yet) */
} seq_child;

/* The note logged on one line (its lines joined by " | ") and appended
 * to --checkpoint-file: copies outside the database. */
static void copy_out(const buf *note, const seq_round *r)
{
    buf line;
    buf_init(&line);
    for (size_t i = 0; i < note->len; i++) {
        if (note->data[i] != '\n') buf_addc(&line, note->data[i]);
        else if (i + 1 < note->len) buf_adds(&line, " | ");
    }
    elog(LOG_L_INFO, NULL, "checkpoint %llu: %llu decisions added, tree size %llu: %s", (unsigned long long)r->k,
         (unsigned long long)r->added, (unsigned long long)r->size, buf_cstr(&line));
    buf_free(&line);
    if (r->stale_hashes)
        elog(LOG_L_WARN, NULL, "checkpoint %llu: %llu decisions had a content_hash that is not a hash",
             (unsigned long long)r->k, (unsigned long long)r->stale_hashes);
    const char *path = master.conf.checkpoint_file;
    if (!path) return;
    FILE *f = fopen(path, "a");
    int bad = !f || fwrite(note->data, 1, note->len, f) != note->len;
    if (f && fclose(f) != 0) bad = 1;
    if (bad) elog(LOG_L_ERROR, NULL, "checkpoint %llu: cannot append to %s", (unsigned long long)r->k, path);
}

/* The round into the scoreboard, for /metrics (h_metrics.c). */
static void count_round(int st, const seq_round *r)
{
    if (st == SEQ_ERROR) {
        __atomic_fetch_add(&sb->cp_errors, 1, __ATOMIC_RELAXED);
        return;
    }
    if (st != SEQ_SIGNED) return;
    __atomic_fetch_add(&sb->cp_signed, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&sb->cp_numbered, r->added, __ATOMIC_RELAXED);
    sb_count_batch(SB_BATCH_CHECKPOINT, r->added);
    __atomic_store_n(&sb->cp_tree_size, r->size, __ATOMIC_RELAXED);
    __atomic_store_n(&sb->cp_last_unix, (int64_t)time(NULL), __ATOMIC_RELAXED);
}

/* One round: 1 when a full batch was signed (more wait), 0 when done,
 * -1 on an error (logged). */
static int round_once(seq_child *s)
{
    if (!s->db) {
        char err[256];
        store_options o = {.url = master.conf.db, .allow_nondurable = master.conf.allow_nondurable,
                           .timeout_s = STORE_TIMEOUT_S};
        if (!(s->db = store_open(&o, NULL, err, sizeof err))) {
            elog(LOG_L_WARN, NULL, "checkpoints: database unavailable: %s", err);
            return -1;
        }
        sequencer_init(&s->seq, s->db, s->key, SEQ_LAG_MS, SEQ_BATCH);
        /* outlives a missed round or two: the lease moves only when its
         * holder is gone for good */
        int lease_s = 3 * master.conf.checkpoint_interval;
        sequencer_use_lease(&s->seq, s->holder, lease_s > LEASE_MIN_S ? lease_s : LEASE_MIN_S);
    }
    buf note;
    buf_init(&note);
    seq_round r;
    char err[512];
    int st = sequencer_round(&s->seq, &note, &r, err, sizeof err);
    count_round(st, &r);
    if (st == SEQ_SIGNED) copy_out(&note, &r);
    else if (st == SEQ_LOST_RACE) elog(LOG_L_INFO, NULL, "checkpoints: another sequencer wrote the next checkpoint first");
    else if (st == SEQ_ERROR) elog(LOG_L_ERROR, NULL, "checkpoints: %s", err);
    if (st != SEQ_ERROR && (st == SEQ_STANDBY) != s->standby) {
        s->standby = st == SEQ_STANDBY;
        if (s->standby) elog(LOG_L_INFO, NULL, "checkpoints: standing by, another host holds the sequencer's lease");
        else elog(LOG_L_INFO, NULL, "checkpoints: this host (%s) holds the sequencer's lease", s->holder);
    }
    buf_free(&note);
    if (st == SEQ_ERROR) return -1;
    return st == SEQ_SIGNED && r.added == SEQ_BATCH;
}

/* Runs a round when one is due and schedules the next. */
static void maybe_round(seq_child *s)
{
    int64_t now = sb_now_ms(), interval = (int64_t)master.conf.checkpoint_interval * 1000;
    uint64_t stored = sb_decisions_total();
    int many = stored - s->seen >= SEQ_BATCH && !s->backoff_ms;
    if (now < s->next_ms && !many) return;
    s->seen = stored;
    int rc = round_once(s);
    if (rc < 0) {
        s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : interval * 2;
        if (s->backoff_ms > MAX_BACKOFF_MS) s->backoff_ms = MAX_BACKOFF_MS;
        s->next_ms = now + s->backoff_ms;
        return;
    }
    s->backoff_ms = 0;
    s->next_ms = rc > 0 ? now : now + interval;
}

static void sequencer_main(void)
{
    prctl(PR_SET_NAME, "eligod-seq");        /* tells it from the workers in ps */
    /* neither socket is ours: holding the FastCGI one open would keep it
     * accepting after the master closed it */
    if (master.listen_fd >= 0) close(master.listen_fd);
    if (committer_listen_fd() >= 0) close(committer_listen_fd());
    seq_child s = {.key = audit_signer(), .standby = -1};   /* -1: the first round is logged */
    char host[64] = "localhost";
    gethostname(host, sizeof host - 1);
    snprintf(s.holder, sizeof s.holder, "%s/%ld", host, (long)getppid());
    sigset_t run_mask;
    worker_block_stops(&run_mask);
    pid_t parent = getppid();
    /* an orphan would go on renewing the lease in a dead master's name,
     * and no other host could take over: the kernel's SIGTERM at the
     * master's death (signals_fork) stops the loop, and so does the
     * parent check should that signal be missed */
    while (!worker_stop && getppid() == parent) {
        maybe_round(&s);
        if (s.next_ms <= sb_now_ms() && !s.backoff_ms) continue;   /* a full batch: go on */
        struct timespec ts = {0, SEQ_TICK_MS * 1000000L};
        ppoll(NULL, 0, &ts, &run_mask);
    }
    int orphan = getppid() != parent;
    if (orphan)
        elog(LOG_L_WARN, NULL, "checkpoints: the master (pid %ld) is gone; the sequencer stops", (long)parent);
    if (s.db) store_close(s.db);
    audit_drop_private();
    worker_leak_check();           /* skipped by an orphan (worker.c) */
    _exit(0);
}

/* ---- the master's side ------------------------------------------------ */

static helper H = {.name = "sequencer", .counter = SB_HELPER_SEQUENCER, .main = sequencer_main};

void sequencer_tick_main(int64_t now_ms)
{
    if (audit_signer() && master.conf.db) helper_tick(&H, now_ms);
}

int sequencer_reaped(pid_t pid, int status)
{
    return helper_reaped(&H, pid, status);
}

void sequencer_stop_main(void)
{
    helper_stop(&H, master.conf.stop_timeout);
}
