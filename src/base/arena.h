/*
 * arena.h - bump allocator with explicit lifetimes.
 *
 * eligo allocates in two lifetimes: a policy arena, owned by a compiled
 * policy and freed with it, and a request arena, reset after each decision
 * (nginx pools).  Nothing allocated from an arena is freed on its own.
 *
 * Ownership: the arena owns every block it hands out; arena_free() or
 * arena_reset() invalidates them all.  Allocation failure returns NULL and
 * sets arena->failed (sticky, like SQLite's mallocFailed), so a caller can
 * check once at the end of a phase.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_ARENA_H
#define ELIGO_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;

typedef struct arena {
    arena_block *head;   /* current block, newest first */
    size_t block_size;   /* default size of a new block */
    size_t limit;        /* 0 = none; otherwise refuse to grow past this */
    size_t used;         /* bytes handed out since the last reset */
    int failed;          /* sticky: an allocation returned NULL */
} arena;

void arena_init(arena *a, size_t block_size);
/* Returns zeroed memory aligned to 16 bytes, or NULL. */
void *arena_alloc(arena *a, size_t n);
/* arena_alloc() without the zeroing, for arrays the caller writes
 * whole before reading (the JSON tokenizer's tokens). */
void *arena_alloc_dirty(arena *a, size_t n);
/* Copies n bytes and appends a NUL. */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Keeps the first block, forgets the rest: cheap per-request reset. */
void arena_reset(arena *a);
void arena_free(arena *a);

#endif
