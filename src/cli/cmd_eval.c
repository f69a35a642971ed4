/*
 * cmd_eval.c - `eligo eval NAME --as-of DATE --input FILE [--explain[=text]]`:
 * one decision, printed as the API's decision JSON (without decision_id),
 * or with --explain=text as the citizen's account in plain Chinese.
 *
 * Exit 0 with the decision; 2 when the input does not fit the model (every
 * problem printed as `path: detail`) or no parameter is in force on the
 * date; 1 when the policies do not compile or evaluation fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "io/decision.h"

int cmd_eval(int argc, char **argv)
{
    const char *name = NULL, *input = NULL, *as_of_s = NULL, *dir = NULL;
    int explain = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--as-of") == 0 && i + 1 < argc) as_of_s = argv[++i];
        else if (strcmp(argv[i], "--input") == 0 && i + 1 < argc) input = argv[++i];
        else if (strcmp(argv[i], "--policies") == 0 && i + 1 < argc) dir = argv[++i];
        else if (strcmp(argv[i], "--explain") == 0) explain = 1;
        else if (strcmp(argv[i], "--explain=text") == 0) explain = DECISION_EXPLAIN_TEXT;
        else if (argv[i][0] != '-' && !name) name = argv[i];
        else { fprintf(stderr, "eligo eval: unexpected argument %s\n", argv[i]); return EXIT_INPUT; }
    }
    if (!name || !input || !as_of_s) {
        fprintf(stderr, "usage: eligo eval NAME --as-of DATE --input FILE [--explain[=text]] [--policies DIR]\n");
        return EXIT_INPUT;
    }
    int64_t as_of = cli_date_arg("--as-of", as_of_s);
    registry r;
    if (cli_load(&r, NULL, 0, dir)) return EXIT_POLICY;
    const policy *p = registry_find(&r, name);
    if (!p) {
        fprintf(stderr, "eligo eval: no policy named `%s`\n", name);
        registry_free(&r);
        return EXIT_INPUT;
    }
    size_t len;
    char *text = cli_read_file(input, &len);
    if (!text) { perror(input); registry_free(&r); return EXIT_INPUT; }
    arena pool;
    arena_init(&pool, 65536);
    int rc = EXIT_OK;
    decision_frame frame = {0};
    decision_result res;
    buf b;
    buf_init(&b);
    switch (decision_make(p, text, len, "", as_of, explain, &frame, &pool, &b, NULL, &res)) {
    case DECISION_OK:
        if (explain != DECISION_EXPLAIN_TEXT) buf_addc(&b, '\n');
        fwrite(b.data, 1, b.len, stdout);
        break;
    case DECISION_BAD_INPUT:
        json_errors_print(&res.errs, stderr);
        rc = EXIT_INPUT;
        break;
    case DECISION_NO_PARAM:
        fprintf(stderr, "eligo eval: %s: %s\n", p->name, res.err.msg);
        rc = EXIT_INPUT;
        break;
    case DECISION_REFUSED:
        fprintf(stderr, "eligo eval: %s: refused: %s\n", p->name, res.err.msg);
        for (uint32_t i = 0; i < res.err.refusal->nfields; i++)
            fprintf(stderr, "  %s\n", res.err.refusal->field[i]);
        rc = EXIT_INPUT;
        break;
    case DECISION_EVAL_ERROR:
        fprintf(stderr, "eligo eval: %s: %s\n", p->name, res.err.msg);
        rc = EXIT_POLICY;
        break;
    case DECISION_NOMEM:
        fprintf(stderr, "eligo eval: out of memory\n");
        rc = EXIT_POLICY;
        break;
    }
    buf_free(&b);
    decision_frame_free(&frame);
    arena_free(&pool);
    free(text);
    registry_free(&r);
    return rc;
}
