/*
 * cmd_bench.c - `eligo bench NAME --input FILE [--seconds N]`: the
 * officer's view of speed for one compiled policy, single thread.
 *
 * FILE holds one input object, or JSON lines of many (cycled through).
 * Prints `eval: N decisions/s` (inputs already loaded into records: the
 * evaluator alone) and `json: N decisions/s` (request text -> validation
 * -> evaluation -> response text, with its CPU nanoseconds per decision:
 * time waiting for a core left out), then `parse:` and `write:`, the JSON
 * path's two ends timed alone.  With --cpu, only the evaluator's loop
 * over the inputs decoded beforehand (not the JSON path), timed by this thread's CPU clock (CLOCK_THREAD_CPUTIME_ID) instead of
 * the wall clock, so that a loaded machine does not inflate it: `eval
 * cpu: N ns per decision`.  A figure, not a test: bench/ compares such
 * figures with baselines measured in the same run.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "eval/date.h"
#include "eval/eval.h"
#include "io/json_in.h"
#include "io/json_out.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;   /* timing only, not evaluation */
}

static double now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

/* This process's CPU seconds: on a shared machine the time it ran, not
 * the time it waited.  A busy neighbour still slows it (shared caches and
 * cores): on 2 cores at load 5 both figures spread by some 20-40%. */
static double cpu_now(void)
{
    return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

/* The evaluator alone: ev_run over the decoded inputs, cycled, until
 * clock `id` has advanced by `seconds`.  Its decisions and failures go to
 * *n and *bad; returns the seconds of that clock it took. */
static double eval_loop(ev_ctx *c, ev_cell **recs, size_t nlines, arena *req, clockid_t id, double seconds,
                        uint64_t *n, uint64_t *bad)
{
    size_t next = 0;
    double t0 = clock_s(id), t1;
    do {
        /* The input cycles by a wrapping index, not n % nlines: a 64-bit
         * division per decision cost the loop 8-11 ns, a quarter of what
         * it measures, which the baseline's loop does not pay. */
        for (int k = 0; k < 1000; k++) {
            /* timed on purpose: the daemon resets its request arena once per
             * request too (service/worker.c), so it is part of a decision */
            arena_reset(req);
            if (ev_run(c, recs[next])) (*bad)++;
            if (++next == nlines) next = 0;
            (*n)++;
        }
        t1 = clock_s(id);
    } while (t1 - t0 < seconds);
    return t1 - t0;
}

/* Runs one part of the JSON path alone for `seconds` and prints its
 * rate: "parse" (request text to records), "write" (an evaluated context
 * to the response text).  Where the json figure's time goes, measured,
 * not guessed; the evaluator's share is the eval line. */
static void bench_parts(const policy *p, ev_ctx *c, char **lines, const size_t *lens, size_t nlines,
                        ev_cell **recs, arena *req, buf *out, double seconds)
{
    for (int part = 0; part < 2; part++) {
        uint64_t n = 0;
        double t0 = now(), t1;
        do {
            for (int k = 0; k < 100; k++) {
                size_t i = n % nlines;
                json_errors errs;
                ev_cell *rec;
                buf_reset(out);
                if (part == 0) {
                    arena_reset(req);
                    json_input_parse(lines[i], lens[i], p->root, "", req, &rec, &errs);
                } else {
                    if (k == 0) {     /* a context to write, evaluated now and then */
                        arena_reset(req);
                        ev_run(c, recs[i]);
                    }
                    json_write_decision(out, p, c, 0);
                }
                n++;
            }
            t1 = now();
        } while (t1 - t0 < seconds / 2);
        printf("%s: %.0f/s\n", part == 0 ? "parse" : "write", (double)n / (t1 - t0));
    }
}

/* The default figures: the evaluator by the wall clock, the whole JSON
 * path (with its CPU time), then that path's two ends (bench_parts). */
static void bench_wall(const policy *p, ev_ctx *c, char **lines, const size_t *lens, size_t nlines,
                       ev_cell **recs, arena *req, double seconds)
{
    uint64_t n = 0, bad = 0;
    double wall = eval_loop(c, recs, nlines, req, CLOCK_MONOTONIC, seconds, &n, &bad);
    printf("eval: %.0f decisions/s (%llu decisions, %zu inputs, %llu errors)\n",
           (double)n / wall, (unsigned long long)n, nlines, (unsigned long long)bad);
    buf out;
    buf_init(&out);
    n = 0;
    double t0 = now(), t1, cpu0 = cpu_now();
    do {
        for (int k = 0; k < 100; k++) {
            json_errors errs;
            ev_cell *rec;
            arena_reset(req);
            buf_reset(&out);
            size_t i = n % nlines;
            if (json_input_parse(lines[i], lens[i], p->root, "", req, &rec, &errs) == JSON_OK &&
                ev_run(c, rec) == 0)
                json_write_decision(&out, p, c, 0);
            n++;
        }
        t1 = now();
    } while (t1 - t0 < seconds);
    printf("json: %.0f decisions/s (%.0f ns of CPU each)\n", (double)n / (t1 - t0),
           (cpu_now() - cpu0) * 1e9 / (double)n);
    bench_parts(p, c, lines, lens, nlines, recs, req, &out, seconds);
    buf_free(&out);
}

/* The inputs of text: its JSON lines, or the whole text as one input
 * when its first line is not one (a pretty-printed object).  Their
 * count, each at (*lines)[i] of (*lens)[i] bytes in text; 0 when there
 * is none (or no memory). */
static size_t split_inputs(const policy *p, char *text, size_t len, char ***lines, size_t **lens)
{
    size_t nlines = 0, cap = 1024;
    char **l = malloc(sizeof(char *) * cap);
    size_t *n = malloc(sizeof(size_t) * cap);
    *lines = l;
    *lens = n;
    if (!l || !n) return 0;
    for (char *s = text; s && *s;) {
        char *e = strchr(s, '\n');
        size_t k = e ? (size_t)(e - s) : strlen(s);
        if (k > 1) {
            if (nlines == cap) {
                cap *= 2;
                if (!(l = realloc(*lines, sizeof(char *) * cap))) return 0;
                *lines = l;
                if (!(n = realloc(*lens, sizeof(size_t) * cap))) return 0;
                *lens = n;
            }
            l[nlines] = s;
            n[nlines++] = k;
        }
        s = e ? e + 1 : NULL;
    }
    if (nlines > 0) {
        json_errors e1;
        arena t;
        arena_init(&t, 4096);
        ev_cell *rec;
        if (json_input_parse(l[0], n[0], p->root, "", &t, &rec, &e1) != JSON_OK) {
            l[0] = text;
            n[0] = len;
            nlines = 1;
        }
        arena_free(&t);
    }
    return nlines;
}

enum { O_INPUT, O_SECONDS, O_POLICIES, O_AS_OF, O_CPU };
static const cli_opt bench_opts[] = {
    [O_INPUT] = {"input", CLI_VALUE, "FILE", "the request's input JSON (- for stdin)"},
    [O_SECONDS] = {"seconds", CLI_VALUE, "N", "how long to run (2; with --cpu, of CPU time)"},
    [O_POLICIES] = CLI_OPT_POLICIES,
    [O_AS_OF] = {"as-of", CLI_VALUE, "DATE", "evaluation date (the policy's first day)"},
    [O_CPU] = {"cpu", CLI_FLAG, NULL,
               "time only the evaluator's loop (inputs decoded beforehand; not the JSON path), in ns of this "
               "thread's CPU time per decision, which a loaded machine does not inflate"},
};
static const cli_cmd bench_cmd = {"bench", "NAME --input FILE [--seconds N] [--as-of DATE] [--cpu] [--policies DIR]",
                                  "Measures decisions per second for one policy and input.", 1, 1, bench_opts,
                                  CLI_NOPTS(bench_opts)};

int cmd_bench(int argc, char **argv)
{
    cli_args a;
    int parsed = cli_parse(&bench_cmd, argc, argv, &a);
    if (parsed != CLI_RUN) return parsed;
    const char *name = a.pos[0], *input = a.v[O_INPUT], *dir = a.v[O_POLICIES], *as_of_s = a.v[O_AS_OF];
    double seconds = 2;        /* timing only, never evaluation */
    if (a.v[O_SECONDS]) {
        char *end;
        seconds = strtod(a.v[O_SECONDS], &end);
        if (end == a.v[O_SECONDS] || *end || !(seconds > 0 && seconds <= 3600))
            return cli_usage_error(&bench_cmd, "--seconds expects a number of seconds, more than 0");
    }
    if (!input) return cli_usage_error(&bench_cmd, "--input is required");
    registry r;
    if (cli_load(&r, NULL, 0, dir)) return EXIT_POLICY;
    const policy *p = registry_find(&r, name);
    if (!p) { fprintf(stderr, "eligo bench: no policy named `%s`\n", name); registry_free(&r); return EXIT_INPUT; }
    int64_t as_of = as_of_s ? cli_date_arg("--as-of", as_of_s) : p->tree.covers_from;
    size_t len;
    char **lines;
    size_t *lens;
    char *text = cli_read_file(input, &len);
    if (!text) { perror(input); registry_free(&r); return EXIT_INPUT; }
    size_t nlines = split_inputs(p, text, len, &lines, &lens);
    if (nlines == 0) {
        fprintf(stderr, "eligo bench: %s holds no input\n", input);
        free(lines);
        free(lens);
        free(text);
        registry_free(&r);
        return EXIT_INPUT;
    }
    arena inputs, req;
    arena_init(&inputs, 1 << 20);
    arena_init(&req, 65536);
    ev_cell **recs = calloc(nlines ? nlines : 1, sizeof(ev_cell *));
    for (size_t i = 0; i < nlines; i++) {
        json_errors errs;
        if (json_input_parse(lines[i], lens[i], p->root, "", &inputs, &recs[i], &errs) != JSON_OK) {
            fprintf(stderr, "eligo bench: input %zu:\n", i + 1);
            json_errors_print(&errs, stderr);
            return EXIT_INPUT;
        }
    }
    ev_cell *frame = calloc(p->tree.nslots, sizeof(ev_cell));
    ev_ctx c;
    ev_ctx_init(&c, &p->tree, frame, &req);
    if (ev_bind(&c, as_of)) { fprintf(stderr, "eligo bench: %s\n", c.err.msg); return EXIT_INPUT; }
    if (a.v[O_CPU]) {
        uint64_t n = 0, bad = 0;
        double cpu = eval_loop(&c, recs, nlines, &req, CLOCK_THREAD_CPUTIME_ID, seconds, &n, &bad);
        printf("eval cpu: %.1f ns per decision (%llu decisions, %zu inputs, %llu errors)\n", cpu * 1e9 / (double)n,
               (unsigned long long)n, nlines, (unsigned long long)bad);
    } else {
        bench_wall(p, &c, lines, lens, nlines, recs, &req, seconds);
    }
    free(frame);
    free(recs);
    arena_free(&inputs);
    arena_free(&req);
    free(lines);
    free(lens);
    free(text);
    registry_free(&r);
    return 0;
}
