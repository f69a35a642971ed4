/*
 * cmd_explain.c - `eligo explain --check [FILE|-]`: re-derives every step
 * of an explanation from its JSON alone (audit/proof.h), with no policy
 * and no evaluator.
 *
 * FILE (or stdin, the default) holds what `eligo eval --explain` printed,
 * a stored decision document, or the explanation object by itself.
 * Exit 0 with "N steps hold"; 1 naming the first step and operand that
 * do not; 2 when the file cannot be read.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "audit/proof.h"

enum { O_CHECK };
static const cli_opt explain_opts[] = {
    [O_CHECK] = {"check", CLI_FLAG, NULL, "re-derive every step (required: the only mode)"},
};
static const cli_cmd explain_cmd = {"explain", "--check [FILE|-]",
                                    "Re-derives every step of an explanation from its JSON alone (stdin by default).",
                                    0, 1, explain_opts, CLI_NOPTS(explain_opts)};

int cmd_explain(int argc, char **argv)
{
    cli_args a;
    int parsed = cli_parse(&explain_cmd, argc, argv, &a);
    if (parsed != CLI_RUN) return parsed;
    const char *path = a.npos ? a.pos[0] : "-";
    if (!a.v[O_CHECK]) return cli_usage_error(&explain_cmd, "--check is required");
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
