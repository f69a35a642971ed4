/*
 * fcgi_min.c - the minimal prefork libfcgi server bench/run puts behind
 * the same nginx configuration as eligod, as the baseline for eligo's
 * HTTP figures: `fcgi_min SOCKET WORKERS PIDFILE`.
 *
 * The master opens the unix socket, forks WORKERS workers and waits;
 * SIGTERM or SIGINT to the master stops the workers and removes the
 * socket.  Each worker runs the plain FCGX_Accept_r loop and does what a
 * trivial handler must: reads the CGI parameters a router looks at,
 * reads the whole body, and answers 200 with a small fixed JSON body.
 * No routing, no authentication, no JSON, no database: everything eligod
 * does beyond this is what the ratio measures.  A measuring stick, not
 * production code (no keep-alive pinning guard, no graceful stop).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char answer[] = "{\"status\":\"ok\",\"outputs\":{\"eligible\":true}}\n";

static volatile sig_atomic_t stop;

static void on_stop(int sig) { (void)sig; stop = 1; }

/* One request: the parameters a router reads, the body, a fixed answer. */
static void serve(FCGX_Request *rq, char *body, size_t cap)
{
    const char *method = FCGX_GetParam("REQUEST_METHOD", rq->envp);
    const char *uri = FCGX_GetParam("DOCUMENT_URI", rq->envp);
    const char *auth = FCGX_GetParam("HTTP_AUTHORIZATION", rq->envp);
    const char *cl = FCGX_GetParam("CONTENT_LENGTH", rq->envp);
    size_t len = cl ? strtoul(cl, NULL, 10) : 0, got = 0;
    while (got < len && got < cap) {
        int n = FCGX_GetStr(body + got, (int)(cap - got), rq->in);
        if (n <= 0) break;
        got += (size_t)n;
    }
    int status = method && uri && auth ? 200 : 400;
    /* libfcgi's own formatter knows no %zu (it printed the body there, and
     * nginx answered every request 502 before this was caught) */
    FCGX_FPrintF(rq->out, "Status: %d %s\r\nContent-Type: application/json\r\nContent-Length: %lu\r\n\r\n",
                 status, status == 200 ? "OK" : "Bad Request", (unsigned long)(sizeof answer - 1));
    FCGX_PutStr(answer, (int)sizeof answer - 1, rq->out);
}

static void worker(int fd)
{
    static char body[1 << 20];
    FCGX_Request rq;
    sigset_t none;
    sigemptyset(&none);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (FCGX_InitRequest(&rq, fd, 0) != 0) _exit(1);
    while (FCGX_Accept_r(&rq) >= 0) {
        serve(&rq, body, sizeof body);
        FCGX_Finish_r(&rq);
    }
    _exit(0);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: fcgi_min SOCKET WORKERS PIDFILE\n");
        return 2;
    }
    const char *path = argv[1];
    int workers = atoi(argv[2]);
    if (FCGX_Init() != 0) return 1;
    unlink(path);
    int fd = FCGX_OpenSocket(path, 128);
    if (fd < 0) { perror(path); return 1; }
    chmod(path, 0660);
    /* blocked until sigsuspend, so a stop cannot slip in before the wait */
    sigset_t block, wait_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &wait_mask);
    signal(SIGTERM, on_stop);
    signal(SIGINT, on_stop);
    pid_t *kids = calloc((size_t)workers, sizeof *kids);
    for (int i = 0; kids && i < workers; i++)
        if ((kids[i] = fork()) == 0) worker(fd);
    FILE *pf = fopen(argv[3], "w");
    if (pf) { fprintf(pf, "%d\n", (int)getpid()); fclose(pf); }
    while (!stop) sigsuspend(&wait_mask);
    for (int i = 0; kids && i < workers; i++)
        if (kids[i] > 0) kill(kids[i], SIGTERM);
    while (wait(NULL) > 0) {}
    unlink(path);
    unlink(argv[3]);
    return 0;
}
