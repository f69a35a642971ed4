/*
 * decision.c - the one path from an input text to a decision document
 * (see decision.h).
 *
 * Per decision this parses the input into the arena and evaluates into
 * the caller's frame; the frame grows to the largest tree once and is
 * then reused, so steady-state decisions allocate nothing outside the
 * arena.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include "io/decision.h"
#include "eval/explain.h"

static int frame_fit(decision_frame *f, const ev_tree *t, int explain)
{
    if (f->nslots < t->nslots) {
        ev_cell *c = realloc(f->cells, sizeof(ev_cell) * t->nslots);
        if (!c) return -1;
        f->cells = c;
        f->nslots = t->nslots;
    }
    if (explain && f->ncov < t->ncov + 1) {
        uint32_t *c = realloc(f->cov, sizeof(uint32_t) * (t->ncov + 1));
        if (!c) return -1;
        f->cov = c;
        f->ncov = t->ncov + 1;
    }
    if (explain) memset(f->cov, 0, sizeof(uint32_t) * (t->ncov + 1));
    return 0;
}

decision_rc decision_make(const policy *p, const char *input, size_t len, const char *pointer_prefix,
                          int64_t as_of, int explain, decision_frame *f, arena *pool, buf *doc,
                          buf *canonical, decision_result *r)
{
    ev_cell *root = NULL;
    r->st = json_input_parse(input, len, p->root, pointer_prefix, pool, &root, &r->errs);
    if (r->st != JSON_OK) return DECISION_BAD_INPUT;
    if (frame_fit(f, &p->tree, explain)) return DECISION_NOMEM;
    ev_ctx c;
    ev_ctx_init(&c, &p->tree, f->cells, pool);
    c.cov = explain ? f->cov : NULL;
    if (ev_bind(&c, as_of) || ev_run(&c, root)) {
        r->err = c.err;
        if (c.err.code == EVE_REFUSED) return DECISION_REFUSED;
        return (c.err.code == EVE_NO_PARAM || c.err.code == EVE_OUT_OF_PERIOD) ? DECISION_NO_PARAM
                                                                               : DECISION_EVAL_ERROR;
    }
    memset(&r->parts, 0, sizeof r->parts);
    if (explain == DECISION_EXPLAIN_TEXT)
        explain_text(doc, p, &c, f->cov);
    else
        json_write_decision_parts(doc, p, &c, explain, &r->parts);
    if (canonical) {
        buf_addc(canonical, '{');
        buf_json_string(canonical, p->root->name, strlen(p->root->name));
        buf_addc(canonical, ':');
        json_write_record(canonical, p->root, root);
        buf_addc(canonical, '}');
    }
    return (doc->failed || (canonical && canonical->failed)) ? DECISION_NOMEM : DECISION_OK;
}

void decision_frame_free(decision_frame *f)
{
    free(f->cells);
    free(f->cov);
    memset(f, 0, sizeof *f);
}
