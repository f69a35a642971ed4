/*
 * always.h - ALWAYS(x) and NEVER(x): conditions the code holds true (or
 * false) by construction, checked where they are relied on.
 *
 * As in SQLite: `if (NEVER(n->kind >= EV_KIND_COUNT)) return fail();`
 * says that the branch cannot be taken, and still handles it.  In debug
 * and test builds (NDEBUG not defined, which is how configure builds by
 * default) a condition that does not hold is a bug: always_failed()
 * reports it on stderr and aborts.  In release builds (-DNDEBUG) the
 * macros are just (x), and the caller's handling of the impossible case
 * runs instead: for the evaluator, an EVE_INTERNAL error (eval.h) that
 * the service answers with a 500 problem, never a crash.
 *
 * Tests that provoke the impossible case on purpose, to test that
 * handling, set always_abort to 0 for the while: the failure is then
 * counted in always_failures and the macros return as in release.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_ALWAYS_H
#define ELIGO_ALWAYS_H

#ifdef NDEBUG
#define ALWAYS(x) (x)
#define NEVER(x) (x)
#else
#define ALWAYS(x) ((x) ? 1 : (always_failed("ALWAYS(" #x ")", __FILE__, __LINE__), 0))
#define NEVER(x) ((x) ? (always_failed("NEVER(" #x ")", __FILE__, __LINE__), 1) : 0)
#endif

/* Reports a failed ALWAYS or NEVER; aborts unless always_abort is 0. */
void always_failed(const char *what, const char *file, int line);
extern int always_abort;               /* 1 unless a test says otherwise */
extern unsigned long always_failures;  /* failures reported without abort */

#endif
