/*
 * pctl.c - the master's loop: signals, pool size, reloads, shutdown.
 *
 * The loop sleeps in poll() on the self-pipe (signals.c) for at most
 * PCTL_LOOP_MS (50 ms), then:
 *   - CHLD: reap (children.c);
 *   - HUP, USR2: compile the policy folder into a new registry; on any
 *           error log every diagnostic line and keep everything as it is;
 *           on success swap the registry and start a new generation;
 *   - QUIT: stop accepting (close and unlink the socket), stop every
 *           worker gracefully (--stop-timeout), exit when none is left;
 *   - TERM, INT: the same, fast: workers get PCTL_FAST_STOP_S;
 *   - USR1: reopen the log (log.c);
 *   (systemd hears READY, RELOADING and STOPPING from here: notify.h)
 *   - any other signal: logged and ignored (signals.c catches them all);
 *   - every tick: keep N workers of the current generation (N from pm.c:
 *           --workers, or a dynamic pool's target, looked at once a
 *           second; one at a time
 *           while old-generation workers still serve: a new worker must
 *           be ready before an old one is told to stop), honour the crash
 *           back-off, escalate stops, kill workers past the request
 *           timeout, keep the committer and the checkpoint sequencer
 *           running (supervise.h), sample the listen queue (listenq.c).
 *
 * The master itself never touches the database: every step above is
 * bounded by the loop's tick, whatever MariaDB does.
 *
 * Not here: fork/reap details (children.c), request handling (worker.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "service/children.h"
#include "service/committer.h"
#include "service/notify.h"
#include "service/pctl.h"
#include "service/pm.h"
#include "service/scoreboard.h"
#include "service/sequencer_child.h"
#include "service/signals.h"
#include "service/service.h"

master_state master;

registry *pctl_compile(const char *dir)
{
    registry *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    const char *paths[1] = {dir};
    diag_list dl;
    diag_list_init(&dl);
    int rc = registry_load(r, paths, 1, NULL, &dl);
    if (dl.n) {
        /* the printer's lines (location, source line, caret, hint), one log line each */
        char *text = diag_text(&dl);
        for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
            nl = strchr(line, '\n');
            if (nl) *nl = 0;
            if (*line) elog(rc ? LOG_L_ERROR : LOG_L_WARN, NULL, "policy: %s", line);
        }
        free(text);
    }
    diag_list_free(&dl);
    if (rc != 0) {
        registry_free(r);
        free(r);
        return NULL;
    }
    return r;
}

void pctl_bind_counters(const registry *r)
{
    for (uint32_t i = 0; i < r->npolicies; i++)
        if (sb_bind_policy(i, r->policies[i]->name) != 0)
            elog(LOG_L_WARN, NULL, "policy %s: no decision counter left (%d names at most)", r->policies[i]->name,
                 SB_MAX_POLICIES);
}

/* What systemd's status line says (notify.h). */
static void notify_ready(const char *how)
{
    notify_status("READY=1", "%sgeneration %d, %u policies, %d workers%s", how, master.generation,
                  master.reg->npolicies, master.target,
                  master.conf.pm == CONF_PM_DYNAMIC ? " (dynamic)" : "");
}

static void reload(int sig)
{
    elog(LOG_L_INFO, NULL, "%s: compiling %s", sig == SIGUSR2 ? "SIGUSR2" : "SIGHUP", master.conf.policies);
    notify_status("RELOADING=1", "compiling %s", master.conf.policies);
    registry *r = pctl_compile(master.conf.policies);
    if (!r) {
        __atomic_fetch_add(&sb->reloads_failed, 1, __ATOMIC_RELAXED);
        elog(LOG_L_ERROR, NULL, "reload failed: keeping generation %d (%u policies)", master.generation,
             master.reg->npolicies);
        notify_ready("reload failed, kept ");
        return;
    }
    /* the old workers hold their own image of the old registry */
    registry_free(master.reg);
    free(master.reg);
    master.reg = r;
    pctl_bind_counters(r);     /* before any worker of the new generation forks */
    master.generation++;
    sb->generation = master.generation;
    backoff_clear(&master.backoff);
    __atomic_fetch_add(&sb->reloads_ok, 1, __ATOMIC_RELAXED);
    elog(LOG_L_INFO, NULL, "reload: generation %d with %u policies; replacing workers one by one",
         master.generation, r->npolicies);
    notify_ready("");
}

/* QUIT waits --stop-timeout for in-flight requests; TERM and INT (and a
 * TERM after a QUIT) give them PCTL_FAST_STOP_S, as php-fpm's fast stop. */
static void terminate(int sig)
{
    if (sig != SIGQUIT) master.fast_stop = 1;
    if (master.state == PCTL_TERMINATING) return;
    master.state = PCTL_TERMINATING;
    notify_status("STOPPING=1", "stopping (%s)", sig == SIGQUIT ? "graceful" : "fast");
    elog(LOG_L_INFO, NULL, "%s: %s stop of %d workers", strsignal(sig), master.fast_stop ? "fast" : "graceful",
         master.nchildren);
    listenq_close(&master.lq);
    if (master.listen_fd >= 0) close(master.listen_fd);
    master.listen_fd = -1;
    if (master.sock_path[0]) unlink(master.sock_path);
    for (int i = 0; i < master.nchildren; i++) children_stop(&master.children[i]);
}

static void maintain_pool(int64_t now)
{
    pool_count pc;
    pm_count(&pc);
    pm_tick(&pc, now);
    int cur_alive = pc.alive, cur_starting = pc.starting, cur_ready = pc.ready, old_serving = pc.old_serving;
    /* retire old workers as new ones become ready, keeping N serving */
    for (int i = 0; i < master.nchildren && old_serving > 0 && cur_ready + old_serving > master.target; i++) {
        child *c = &master.children[i];
        if (c->stop_sent_ms || c->generation == master.generation ||
            __atomic_load_n(&sb->slots[c->slot].leaving, __ATOMIC_RELAXED))
            continue;
        elog(LOG_L_INFO, NULL, "retiring worker %ld (generation %d)", (long)c->pid, c->generation);
        children_stop(c);
        old_serving--;
    }
    while (cur_alive < master.target && now >= master.backoff.until_ms) {
        if (old_serving > 0 && cur_starting > 0) break;   /* rolling: one at a time */
        if (children_spawn() != 0) {
            master.backoff.until_ms = now + 1000;
            break;
        }
        cur_alive++;
        cur_starting++;
        if (master.backoff.delay_ms) master.backoff.until_ms = now + master.backoff.delay_ms;
    }
}

/* The listen queue into the scoreboard (listenq.c): its length now and
 * the largest length seen, for /metrics, where a growing queue shows
 * every thread of every worker in a request (worker.c). */
static void sample_listen_queue(void)
{
    uint32_t queued, backlog;
    if (listenq_sample(&master.lq, &queued, &backlog)) return;
    __atomic_store_n(&sb->listen_queue, queued, __ATOMIC_RELAXED);
    __atomic_store_n(&sb->listen_backlog, backlog, __ATOMIC_RELAXED);
    if (queued > sb->listen_queue_peak) __atomic_store_n(&sb->listen_queue_peak, queued, __ATOMIC_RELAXED);
}

int pctl_run(void)
{
    struct pollfd pfd = {.fd = signals_fd(), .events = POLLIN};
    pm_init();
    notify_ready("");
    for (;;) {
        int rc = poll(&pfd, 1, PCTL_LOOP_MS);
        if (rc < 0 && errno != EINTR) {
            elog(LOG_L_ERROR, NULL, "poll: %s", strerror(errno));
            sleep(1);
        }
        int sig, hup = 0;
        while ((sig = signals_next()) != 0) {
            switch (sig) {
            case SIGCHLD: break;                 /* reaped below in any case */
            case SIGHUP: case SIGUSR2: hup = sig; break;
            case SIGTERM: case SIGINT: case SIGQUIT: terminate(sig); break;
            case SIGUSR1:
                log_reopen();
                elog(LOG_L_INFO, NULL, "SIGUSR1: log reopened");
                break;
            default:
                elog(LOG_L_WARN, NULL, "signal %d (%s) ignored", sig, strsignal(sig));
                break;
            }
        }
        children_reap();
        if (hup && master.state == PCTL_RUNNING) reload(hup);
        int64_t now = sb_now_ms();
        if (master.state == PCTL_TERMINATING) {
            if (master.nchildren == 0) break;
        } else {
            maintain_pool(now);
        }
        children_tick(now);
        committer_tick_main(now);
        if (master.state == PCTL_RUNNING) sequencer_tick_main(now);
        sample_listen_queue();
    }
    /* the committer served the last workers' decisions; now it may go,
     * and the sequencer with it (rows it left wait for the next start) */
    committer_stop_main();
    sequencer_stop_main();
    elog(LOG_L_INFO, NULL, "all workers stopped; exiting");
    return 0;
}
