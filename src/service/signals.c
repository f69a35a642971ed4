/*
 * signals.c - the master's self-pipe and the worker's stop flag.
 *
 * Handlers do one async-signal-safe thing each: the master's write a
 * byte (for every catchable signal, so that pctl.c can log the ones it
 * does not act on), the worker's set a flag and libfcgi's shutdown flag.  Everything
 * else (reaping, reloading, logging) happens in pctl.c's loop.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <fcgiapp.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "service/conf.h"
#include "service/signals.h"

static int sp[2] = {-1, -1};
volatile sig_atomic_t worker_stop;
static pid_t master_pid;        /* in a child: the master that forked it */

/* Not caught: SIGKILL and SIGSTOP cannot be; the synchronous faults
 * (SEGV, BUS, FPE, ILL, TRAP, ABRT, SYS) must kill and dump as usual;
 * SIGPIPE is ignored (a write error says it). */
static int caught(int sig)
{
    switch (sig) {
    case SIGKILL: case SIGSTOP: case SIGSEGV: case SIGBUS: case SIGFPE:
    case SIGILL: case SIGTRAP: case SIGABRT: case SIGSYS: case SIGPIPE:
        return 0;
    default:
        return 1;
    }
}

static void master_handler(int sig)
{
    int saved = errno;
    char c = (char)sig;
    ssize_t w = write(sp[1], &c, 1);   /* a full pipe already holds a wake-up */
    (void)w;
    errno = saved;
}

static void worker_handler(int sig)
{
    (void)sig;
    worker_stop = 1;
    FCGX_ShutdownPending();            /* sets a flag: OS_Accept stops looping */
}

int signals_init_main(void)
{
    if (pipe(sp) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(sp[i], F_SETFL, fcntl(sp[i], F_GETFL) | O_NONBLOCK);
        fcntl(sp[i], F_SETFD, FD_CLOEXEC);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = master_handler;
    sa.sa_flags = SA_RESTART;
    sigfillset(&sa.sa_mask);
    /* the C library keeps a few real-time signals for itself (EINVAL) */
    for (int sig = 1; sig < NSIG && sig < 256; sig++)
        if (caught(sig) && sigaction(sig, &sa, NULL) != 0 && errno != EINVAL) return -1;
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

int signals_fd(void) { return sp[0]; }

int signals_next(void)
{
    unsigned char c;
    ssize_t n = read(sp[0], &c, 1);
    return n == 1 ? c : 0;
}

void signals_block(sigset_t *saved)
{
    sigset_t set;
    sigfillset(&set);           /* the master catches nearly every signal */
    sigprocmask(SIG_BLOCK, &set, saved);
}

void signals_unblock(const sigset_t *saved)
{
    sigprocmask(SIG_SETMASK, saved, NULL);
}

void signals_init_child(void)
{
    close(sp[0]);
    close(sp[1]);
    sp[0] = sp[1] = -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG && sig < 256; sig++)
        if (caught(sig)) sigaction(sig, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGHUP, &sa, NULL);   /* reloads and log reopening are the master's business */
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    /* no SA_RESTART: a blocking accept() or poll() must return EINTR */
    sa.sa_handler = worker_handler;
    sigfillset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGUSR1, &sa, NULL);  /* libfcgi's other shutdown signal: not ours */
}

/* A child must not outlive its master: nothing would stop, recycle or
 * watch it, and an orphaned pool keeps serving a socket no master owns.
 * The kernel sends SIGTERM (a graceful stop: requests in flight finish)
 * when the master dies; a master that died between fork() and prctl()
 * sent nothing, hence the getppid() check after it. */
static void die_with_master(pid_t parent)
{
    master_pid = parent;
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent) _exit(1);
}

int signals_orphaned(void)
{
    return master_pid && getppid() != master_pid;
}

pid_t signals_fork(void (*child_main)(void *arg), void *arg)
{
    sigset_t saved;
    signals_block(&saved);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        die_with_master(parent);
        log_forked();
        signals_init_child();
        signals_unblock(&saved);
        child_main(arg);
        _exit(1);               /* not reached: child_main exits */
    }
    int err = errno;
    signals_unblock(&saved);
    errno = err;
    return pid;
}
