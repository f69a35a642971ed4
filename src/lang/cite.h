/*
 * cite.h - citations checked against the documents they quote.
 *
 * Every policy cites at least one document; every parameter value and
 * every table row carries `source "DOCUMENT" "quotation"` or
 * `assumption "why"`.  The documents are the files of a `sources/`
 * directory beside the policy tree's model (policies/sources/ for the
 * shipped library).  A quotation must occur in its document once both are
 * normalised (whitespace dropped; full-width ASCII, Chinese quotation
 * marks and 。、 folded to one form); when it does not, the error points
 * a caret at the quotation and a note shows the nearest passage of the
 * document.  A number the quotation does not state (860 for 860.00, 85%
 * or 0.85 for 0.85, 1.5万 for 15000.00) is a warning.
 *
 * compile.c runs the check after a policy compiled cleanly, when the
 * model set asks for the load checks (the loader does; replay of a
 * stored text and unit tests compiling from strings do not).  Nothing
 * here runs per decision.
 *
 * Ownership: assumptions found are copied into the policy's arena; the
 * documents are read with malloc and freed before cite_policy returns.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_CITE_H
#define ELIGO_CITE_H

#include "lang/compile.h"

/* The directory holding the documents policy p may cite: `sources/`
 * beside its model's file (for a model that extends another, beside the
 * base's: the documents of a tree live at its root), or beside the policy
 * file when it has no model.  Malloc'ed; NULL when out of memory. */
char *cite_docs_dir(const policy *p);

/* Checks every citation of the parsed file against the documents of
 * docs_dir and records p's assumptions; 0, or -1 with diagnostics. */
int cite_policy(policy *p, ast_node *file, const char *docs_dir, diag_list *dl);

/* Folds one code point for comparing quotations: 0 for whitespace (to
 * be dropped), else the code point all its width variants map to. */
unsigned cite_fold(unsigned cp);

#endif
