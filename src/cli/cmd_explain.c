/*
 * cmd_explain.c - `eligo explain --check [FILE|-]`: re-derives every step
 * of an explanation from its JSON alone (audit/proof.h), with no policy
 * and no evaluator.
 *
 * FILE (or stdin, the default) holds what `eligo eval --explain` printed,
 * a stored decision document, or the explanation object by itself.
 * Exit 0 with "N steps hold"; 1 naming the first step and operand that
 * do not; 2 when the file cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "audit/proof.h"

int cmd_explain(int argc, char **argv)
{
    const char *path = "-";
    int check = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0) check = 1;
        else if (strcmp(argv[i], "-") == 0 || argv[i][0] != '-') path = argv[i];
        else { fprintf(stderr, "eligo explain: unexpected argument %s\n", argv[i]); return EXIT_INPUT; }
    }
    if (!check) {
        fprintf(stderr, "usage: eligo explain --check [FILE|-]\n");
        return EXIT_INPUT;
    }
    size_t len;
    char *text = cli_read_file(path, &len);
    if (!text) { perror(path); return EXIT_INPUT; }
    char why[512];
    unsigned nsteps = 0;
    int rc = proof_check(text, len, why, sizeof why, &nsteps);
    free(text);
    if (rc) {
        fprintf(stderr, "eligo explain: %s: %s\n", strcmp(path, "-") ? path : "stdin", why);
        return EXIT_POLICY;
    }
    printf("%u steps hold\n", nsteps);
    return EXIT_OK;
}
