/*
 * cmd_fmt.c - `eligo fmt [--check] PATH...`: rewrite policy files in the
 * canonical layout (lang/fmt.c), or with --check list the files that are
 * not and exit 1.
 *
 * A file is rewritten only when it parses, before and after: one with a
 * syntax error gets its diagnostics and is left untouched (exit 1), since
 * the line-based formatter cannot know what a broken line was meant to
 * be.  A leading byte order mark is dropped (source.c skips it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int cmd_fmt(int argc, char **argv)
{
    int check = 0, rc = 0, nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0) { check = 1; continue; }
        size_t len;
        char *text = cli_read_file(argv[i], &len);
        if (!text) { perror(argv[i]); rc = 2; continue; }
        nfiles++;
        if (!parses(argv[i], text, len, 1)) {
            fprintf(stderr, "eligo fmt: %s has errors; left untouched\n", argv[i]);
            rc = rc == 2 ? 2 : 1;
            free(text);
            continue;
        }
        buf out;
        buf_init(&out);
        size_t skip = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;   /* the BOM goes */
        fmt_policy(text + skip, len - skip, &out);
        int same = out.len == len && memcmp(out.data, text, len) == 0;
        if (!same && !parses(argv[i], out.data, out.len, 0)) {
            fprintf(stderr, "eligo fmt: %s: internal error: the formatted text does not parse; left untouched\n",
                    argv[i]);
            rc = 2;
        } else if (check) {
            if (!same) { printf("%s: not formatted\n", argv[i]); rc = rc ? rc : 1; }
        } else if (!same) {
            FILE *f = fopen(argv[i], "wb");
            if (!f || fwrite(out.data, 1, out.len, f) != out.len) { perror(argv[i]); rc = 2; }
            if (f) fclose(f);
        }
        buf_free(&out);
        free(text);
    }
    if (nfiles == 0 && rc == 0) {
        fprintf(stderr, "usage: eligo fmt [--check] PATH...\n");
        return 2;
    }
    return rc;
}
