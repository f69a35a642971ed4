/*
 * json_count.c - the in-process JSON path for counting instructions:
 * `json_count DIR NAME FILE PASSES` loads the policies of DIR, reads the
 * JSON lines of FILE (households, e.g. bench/gen_households.sh 1000 1)
 * and sends each of them PASSES times through json_input_parse, ev_run
 * and json_write_decision with policy NAME, as `eligo bench`'s json loop
 * does (the request arena reset before each).  It prints the number of
 * households and of answer bytes, nothing timed: bench/json_count.sh runs
 * it under callgrind with 2 passes and with 0 and divides the difference,
 * so loading the policies cancels out.  Not installed, not a test.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "eval/eval.h"
#include "io/json_in.h"
#include "io/json_out.h"
#include "policy/load.h"

/* Reads FILE whole; its lines are cut in place (NUL for newline). */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) { free(p); p = NULL; }
    fclose(f);
    if (p) { p[n] = '\0'; *len = (size_t)n; }
    return p;
}

/* One pass: every household parsed, decided and written; returns the
 * answers' bytes (so the work cannot be left out) or -1 on an error. */
static long one_pass(const policy *p, ev_ctx *c, arena *req, buf *out, char **lines, const size_t *lens,
                     size_t n)
{
    long bytes = 0;
    for (size_t i = 0; i < n; i++) {
        ev_cell *rec;
        json_errors errs;
        arena_reset(req);
        buf_reset(out);
        if (json_input_parse(lines[i], lens[i], p->root, "", req, &rec, &errs) != JSON_OK || ev_run(c, rec))
            return -1;
        json_write_decision(out, p, c, 0);
        bytes += (long)out->len;
    }
    return bytes;
}

int main(int argc, char **argv)
{
    if (argc != 5) { fprintf(stderr, "usage: json_count DIR NAME FILE PASSES\n"); return 2; }
    registry r;
    diag_list dl;
    diag_list_init(&dl);
    const char *dirs[1] = {argv[1]};
    int rc = registry_load(&r, dirs, 1, NULL, &dl);
    diag_print(&dl, stderr);
    diag_list_free(&dl);
    const policy *p = rc ? NULL : registry_find(&r, argv[2]);
    size_t len;
    char *text = p ? read_all(argv[3], &len) : NULL;
    if (!text) { fprintf(stderr, "json_count: cannot load %s or read %s\n", argv[2], argv[3]); return 1; }
    size_t n = 0, cap = 1024;
    char **lines = malloc(cap * sizeof *lines);
    size_t *lens = malloc(cap * sizeof *lens);
    for (char *s = text, *e; s < text + len; s = e + 1) {
        e = memchr(s, '\n', (size_t)(text + len - s));
        if (!e) e = text + len;
        if (e == s) continue;
        if (n == cap) {
            cap *= 2;
            lines = realloc(lines, cap * sizeof *lines);
            lens = realloc(lens, cap * sizeof *lens);
        }
        lines[n] = s;
        lens[n++] = (size_t)(e - s);
        *e = '\0';
    }
    arena req;
    arena_init(&req, 65536);
    ev_cell *frame = calloc(p->tree.nslots, sizeof(ev_cell));
    ev_ctx c;
    ev_ctx_init(&c, &p->tree, frame, &req);
    if (ev_bind(&c, p->tree.covers_from)) { fprintf(stderr, "json_count: %s\n", c.err.msg); return 1; }
    buf out;
    buf_init(&out);
    long bytes = 0;
    for (int k = atoi(argv[4]); k > 0 && bytes >= 0; k--) {
        long b = one_pass(p, &c, &req, &out, lines, lens, n);
        bytes = b < 0 ? -1 : bytes + b;
    }
    if (bytes < 0) { fprintf(stderr, "json_count: a household was refused\n"); return 1; }
    printf("households %zu answer bytes %ld\n", n, bytes);
    buf_free(&out);
    free(frame);
    arena_free(&req);
    free(lines);
    free(lens);
    free(text);
    registry_free(&r);
    return 0;
}
