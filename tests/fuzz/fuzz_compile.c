/*
 * fuzz_compile.c - libFuzzer target: bytes -> compiled policy.
 *
 * Feeds each input to compile_policy() as the text of a `.policy` file,
 * against the shipped models compiled once at start-up (policies/civil.model,
 * and tests/policies/demo.model so that the language-feature policies
 * among the seeds get past name resolution).  Whatever the outcome, the
 * diagnostics are printed into a memory stream (the caret printer counts
 * code points and display widths of arbitrary bytes) and everything is
 * freed, so LeakSanitizer sees every path.
 *
 * Paths are relative to the source root, where tests/fuzz/run.sh starts
 * the target; ELIGO_POLICIES overrides the policies folder as for the CLI.
 *
 * Not here: loading registries and `.test` files (fuzz_request.c loads
 * the shipped registry once) and evaluation.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/compile.h"
#include "lang/diag.h"
#include "lang/source.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cmodel *models[2];
static model_set set = {models, 0, 0, 0};

static void load_model(const char *path)
{
    diag_list dl;
    diag_list_init(&dl);
    source *src = source_read(path);
    cmodel *m = src ? compile_model(src, &dl) : NULL;
    if (!m) {
        fprintf(stderr, "fuzz_compile: cannot compile %s (run from the source root)\n", path);
        diag_print(&dl, stderr);
        exit(1);
    }
    diag_list_free(&dl);
    models[set.n++] = m;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("ELIGO_POLICIES");
    char path[4096];
    snprintf(path, sizeof path, "%s/civil.model", dir && *dir ? dir : "policies");
    load_model(path);
    load_model("tests/policies/demo.model");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag_list dl;
    diag_list_init(&dl);
    source *src = source_new("fuzz.policy", (const char *)data, size);
    if (!src) return 0;
    policy *p = compile_policy(src, &set, &dl);
    free(diag_text(&dl));
    /* a policy that compiled cannot have errors, and one that failed must
     * say why */
    if (p && dl.nerrors) abort();
    if (!p && dl.nerrors == 0) abort();
    policy_free(p);
    diag_list_free(&dl);
    return 0;
}
