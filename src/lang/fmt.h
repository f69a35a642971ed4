/*
 * fmt.h - canonical layout of policy files (`eligo fmt`).
 *
 * A line-based formatter, so comments survive: declarations start at
 * column 0; their continuation lines (`from`, `unless`, `=`, `given`,
 * `expect`, table rows, entity fields, enum values) are indented by two
 * spaces; table rows have their `|` aligned by display width (CJK
 * characters count two); trailing spaces go; runs of blank lines become
 * one; the file ends with one newline.  Formatting is idempotent.
 *
 * Ownership: the result is written to the caller's buf.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_FMT_H
#define ELIGO_FMT_H

#include <stddef.h>
#include "base/buf.h"

void fmt_policy(const char *text, size_t len, buf *out);

#endif
