/*
 * cmd_fmt.c - `eligo fmt [--check] PATH...|-`: rewrite policy files in the
 * canonical layout (lang/fmt.c), or with --check list the files that are
 * not and exit 1.
 *
 * A file is rewritten only when it parses, before and after: one with a
 * syntax error gets its diagnostics and is left untouched (exit 1), since
 * the line-based formatter cannot know what a broken line was meant to
 * be; with `-` that text is written back to stdout unchanged (exit 1),
 * since an editor that pipes a buffer through `eligo fmt -` replaces it
 * with the output.  A leading byte order mark is dropped (source.c
 * skips it).  A file is replaced atomically (write_atomically); `-`
 * formats stdin to stdout.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/cli.h"
#include "lang/fmt.h"
#include "lang/parse.h"

/* Whether text parses with no error; prints the errors when it does not
 * and `report` is set. */
static int parses(const char *name, const char *text, size_t len, int report)
{
    source *src = source_new(name, text, len);
    if (!src) return 0;
    diag_list dl;
    diag_list_init(&dl);
    diag_keep_source(&dl, src);
    arena pool;
    arena_init(&pool, 65536);
    parse_source(src, &pool, &dl);
    int ok = dl.nerrors == 0;
    if (!ok && report) diag_print(&dl, stderr);
    arena_free(&pool);
    diag_list_free(&dl);
    return ok;
}

/* Replaces path with out in one step: a temporary file beside it,
 * flushed, given the old file's mode, then renamed over it.  A reader
 * (eligod reloading) sees the old text or the new, never half of one. */
static int write_atomically(const char *path, const buf *out)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.fmt-XXXXXX", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) return -1;
    struct stat st;
    int ok = stat(path, &st) == 0 && fchmod(fd, st.st_mode & 07777) == 0 &&
             write(fd, out->data, out->len) == (ssize_t)out->len && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) saved = errno, ok = 0;
    if (ok && rename(tmp, path) == 0) return 0;
    if (ok) saved = errno;
    unlink(tmp);
    errno = saved;
    return -1;
}

enum { O_CHECK };
static const cli_opt fmt_opts[] = {
    [O_CHECK] = {"check", CLI_FLAG, NULL, "change nothing: list the files not formatted, exit 1 when there are"},
};
static const cli_cmd fmt_cmd = {"fmt", "[--check] PATH...",
                                "Rewrites policy files in the canonical layout; `-` reads stdin and writes stdout.",
                                1, CLI_MAX_POS, fmt_opts, CLI_NOPTS(fmt_opts)};

int cmd_fmt(int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(&fmt_cmd, argc, argv, &a);
    if (rc != CLI_RUN) return rc;
    rc = 0;
    int check = a.v[O_CHECK] != NULL;
    for (int i = 0; i < a.npos; i++) {
        const char *path = a.pos[i], *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
        size_t len;
        char *text = cli_read_file(path, &len);
        if (!text) { perror(path); rc = 2; continue; }
        if (!parses(name, text, len, 1)) {
            fprintf(stderr, "eligo fmt: %s has errors; left untouched\n", name);
            rc = rc == 2 ? 2 : 1;
            /* a filter (an editor's) replaces its text with what it writes:
             * the text as it came, so nothing typed is lost */
            if (!check && strcmp(path, "-") == 0 && (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0)) {
                perror("stdout");
                rc = 2;
            }
            free(text);
            continue;
        }
        buf out;
        buf_init(&out);
        size_t skip = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;   /* the BOM goes */
        fmt_policy(text + skip, len - skip, &out);
        int same = out.len == len && memcmp(out.data, text, len) == 0;
        if (!same && !parses(name, out.data, out.len, 0)) {
            fprintf(stderr, "eligo fmt: %s: internal error: the formatted text does not parse; left untouched\n",
                    name);
            rc = 2;
        } else if (check) {
            if (!same) { printf("%s: not formatted\n", name); rc = rc ? rc : 1; }
        } else if (strcmp(path, "-") == 0) {
            /* a filter: the whole text, formatted or already so */
            if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) { perror("stdout"); rc = 2; }
        } else if (!same && write_atomically(path, &out) != 0) {
            fprintf(stderr, "eligo fmt: %s: %s; left untouched\n", path, strerror(errno));
            rc = 2;
        }
        buf_free(&out);
        free(text);
    }
    return rc;
}
