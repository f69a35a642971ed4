/*
 * cmd_eval.c - `eligo eval NAME --as-of DATE --input FILE [--explain[=text]]`:
 * one decision, printed as the API's decision JSON (without decision_id),
 * or with --explain=text as the citizen's account in plain Chinese.
 *
 * Exit 0 with the decision; 2 when the input does not fit the model (every
 * problem printed as `path: detail`) or no parameter is in force on the
 * date; 1 when the policies do not compile or evaluation fails.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "io/decision.h"

enum { O_AS_OF, O_INPUT, O_POLICIES, O_EXPLAIN };
static const cli_opt eval_opts[] = {
    [O_AS_OF] = {"as-of", CLI_VALUE, "DATE", "evaluate with the rules in force on DATE (YYYY-MM-DD)"},
    [O_INPUT] = {"input", CLI_VALUE, "FILE", "the request's input JSON (- for stdin)"},
    [O_POLICIES] = CLI_OPT_POLICIES,
    [O_EXPLAIN] = {"explain", CLI_OPTIONAL, "text", "add the explanation (JSON, or =text for people)"},
};
static const cli_cmd eval_cmd = {"eval", "NAME --as-of DATE --input FILE [--explain[=text]] [--policies DIR]",
                                 "Evaluates one request against the policy NAME and prints the decision.", 1, 1,
                                 eval_opts, CLI_NOPTS(eval_opts)};

int cmd_eval(int argc, char **argv)
{
    cli_args a;
    int parsed = cli_parse(&eval_cmd, argc, argv, &a);
    if (parsed != CLI_RUN) return parsed;
    const char *name = a.pos[0], *input = a.v[O_INPUT], *as_of_s = a.v[O_AS_OF], *dir = a.v[O_POLICIES];
    const char *ex = a.v[O_EXPLAIN];
    if (!input || !as_of_s) return cli_usage_error(&eval_cmd, "--as-of and --input are required");
    if (ex && *ex && strcmp(ex, "text") != 0) return cli_usage_error(&eval_cmd, "--explain takes =text or nothing");
    int explain = !ex ? 0 : *ex ? DECISION_EXPLAIN_TEXT : 1;
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
