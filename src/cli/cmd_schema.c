/*
 * cmd_schema.c - `eligo schema NAME [--policies DIR]`: the JSON Schema of
 * a decision request for one policy (io/json_schema.c), the document
 * GET /v1/policies/{name}/schema serves.
 *
 * Exit 0 with the schema on stdout; 2 for an unknown policy or a usage
 * error; 1 when the policies do not compile.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "io/json_schema.h"

enum { O_POLICIES };
static const cli_opt schema_opts[] = {
    [O_POLICIES] = CLI_OPT_POLICIES,
};
static const cli_cmd schema_cmd = {"schema", "NAME [--policies DIR]",
                                   "Prints the JSON Schema (draft 2020-12) of a decision request for the policy NAME.",
                                   1, 1, schema_opts, CLI_NOPTS(schema_opts)};

int cmd_schema(int argc, char **argv)
{
    cli_args a;
    int parsed = cli_parse(&schema_cmd, argc, argv, &a);
    if (parsed != CLI_RUN) return parsed;
    registry r;
    if (cli_load(&r, NULL, 0, a.v[O_POLICIES])) return EXIT_POLICY;
    const policy *p = registry_find(&r, a.pos[0]);
    if (!p) {
        fprintf(stderr, "eligo schema: no policy named `%s`\n", a.pos[0]);
        registry_free(&r);
        return EXIT_INPUT;
    }
    buf b;
    buf_init(&b);
    json_schema_write(&b, p);
    buf_addc(&b, '\n');
    int rc = b.failed ? EXIT_POLICY : EXIT_OK;
    if (b.failed) fprintf(stderr, "eligo schema: out of memory\n");
    else fwrite(b.data, 1, b.len, stdout);
    buf_free(&b);
    registry_free(&r);
    return rc;
}
