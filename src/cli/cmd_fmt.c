/*
 * cmd_fmt.c - `eligo fmt [--check] PATH...`: rewrite policy files in the
 * canonical layout (lang/fmt.c), or with --check list the files that are
 * not and exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "lang/fmt.h"

int cmd_fmt(int argc, char **argv)
{
    int check = 0, rc = 0, nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0) { check = 1; continue; }
        size_t len;
        char *text = cli_read_file(argv[i], &len);
        if (!text) { perror(argv[i]); rc = 2; continue; }
        nfiles++;
        buf out;
        buf_init(&out);
        fmt_policy(text, len, &out);
        int same = out.len == len && memcmp(out.data, text, len) == 0;
        if (check) {
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
