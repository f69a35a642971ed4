/*
 * source.h - a policy file's bytes and its line map.
 *
 * Every location in eligo is a byte offset into a source; this file turns
 * an offset into a 1-based line and a 1-based column counted in Unicode
 * code points (not bytes), and finds the text of a line for carets.
 *
 * Ownership: a source owns a private copy of its text and name; the line
 * map is built once at creation.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_SOURCE_H
#define ELIGO_SOURCE_H

#include <stddef.h>
#include <stdint.h>

typedef struct source {
    char *name;          /* file name as given by the user */
    char *text;          /* NUL-terminated copy */
    size_t len;
    uint32_t *line_start;/* byte offset of each line start */
    uint32_t nlines;
} source;

/* A location: [start, end) byte offsets in one source. */
typedef struct src_loc {
    uint32_t start;
    uint32_t end;
} src_loc;

source *source_new(const char *name, const char *text, size_t len);
/* Reads a file; NULL and errno on failure. */
source *source_read(const char *path);
void source_free(source *s);
/* 1-based line and code-point column of a byte offset. */
void source_linecol(const source *s, uint32_t off, uint32_t *line, uint32_t *col);
/* Pointer to the start of a 1-based line and its length (no newline). */
const char *source_line(const source *s, uint32_t line, size_t *len);

#endif
