/*
 * cmd_schema.c - `eligo schema NAME [--policies DIR]`: the JSON Schema of
 * a decision request for one policy (io/json_schema.c), the document
 * GET /v1/policies/{name}/schema serves.
 *
 * Exit 0 with the schema on stdout; 2 for an unknown policy or a bad
 * argument; 1 when the policies do not compile.
 */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "io/json_schema.h"

int cmd_schema(int argc, char **argv)
{
    const char *name = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--policies") == 0 && i + 1 < argc) dir = argv[++i];
        else if (argv[i][0] != '-' && !name) name = argv[i];
        else { fprintf(stderr, "eligo schema: unexpected argument %s\n", argv[i]); return EXIT_INPUT; }
    }
    if (!name) {
        fprintf(stderr, "usage: eligo schema NAME [--policies DIR]\n");
        return EXIT_INPUT;
    }
    registry r;
    if (cli_load(&r, NULL, 0, dir)) return EXIT_POLICY;
    const policy *p = registry_find(&r, name);
    if (!p) {
        fprintf(stderr, "eligo schema: no policy named `%s`\n", name);
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
