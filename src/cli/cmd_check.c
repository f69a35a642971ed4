/*
 * cmd_check.c - `eligo check [PATH...]`: compile every policy, print every
 * diagnostic (errors and warnings, with the source line and a caret), exit
 * 1 when there is an error.
 */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"

int cmd_check(int argc, char **argv)
{
    char *paths[256];
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "eligo check: unknown option %s\n", argv[i]);
            return 2;
        }
        if (n < 256) paths[n++] = argv[i];
    }
    registry r;
    if (cli_load(&r, paths, n, NULL))
        return EXIT_POLICY;
    registry_free(&r);
    return EXIT_OK;
}
