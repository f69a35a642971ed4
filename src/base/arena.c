/*
 * arena.c - the bump allocator behind eligo's two memory lifetimes.
 *
 * A compiled policy (AST, types, evaluation tree, constants) lives in one
 * arena that is freed with the registry; a request's input records, lists
 * and trace live in a request arena that the worker resets after every
 * decision.  Nothing is freed piecemeal, so the compiler and the evaluator
 * never pair mallocs with frees, and a reset costs one pointer walk.
 *
 * Blocks form a list, newest first, and only the head block is bumped.
 * A request larger than the block size gets a block of its own that is
 * linked in behind the head, so the head's free space is not thrown away.
 * arena_reset() keeps the oldest block when it is a normal-sized one, so
 * a worker's steady state is a single block and no malloc calls.
 *
 * `limit` bounds the bytes handed out between resets (a request that
 * builds an absurd list fails cleanly instead of eating the worker).
 * Failure is sticky in `failed` until the next reset.
 *
 * Not here: freeing single objects, or thread safety (each worker process
 * owns its arenas).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "base/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_BLOCK 8192

/* The header is padded to ARENA_ALIGN so that data[] starts aligned;
 * malloc returns memory aligned for max_align_t (16 on our targets). */
struct arena_block {
    arena_block *next;
    size_t size;        /* bytes in data[] */
    size_t used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

void arena_init(arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
    a->limit = 0;
    a->used = 0;
    a->failed = 0;
}

static arena_block *block_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(arena_block))
        return NULL;
    arena_block *b = malloc(sizeof(arena_block) + size);
    if (b == NULL)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

static void *fail(arena *a)
{
    a->failed = 1;
    return NULL;
}

/* Finds or makes a block with n free bytes (n already aligned). */
static arena_block *block_for(arena *a, size_t n)
{
    arena_block *h = a->head;
    if (h != NULL && h->size - h->used >= n)
        return h;
    int big = n > a->block_size;
    arena_block *b = block_new(big ? n : a->block_size);
    if (b == NULL)
        return NULL;
    if (big && h != NULL) {
        /* Behind the head: the head keeps serving small requests. */
        b->next = h->next;
        h->next = b;
    } else {
        b->next = h;
        a->head = b;
    }
    return b;
}

void *arena_alloc_dirty(arena *a, size_t n)
{
    if (n == 0)
        n = 1;                 /* distinct non-NULL pointers for empty objects */
    if (n > SIZE_MAX - (ARENA_ALIGN - 1))
        return fail(a);
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (a->limit != 0 && (n > a->limit || a->used > a->limit - n))
        return fail(a);
    arena_block *b = block_for(a, n);
    if (b == NULL)
        return fail(a);
    void *p = b->data + b->used;
    b->used += n;
    a->used += n;
    return p;
}

void *arena_alloc(arena *a, size_t n)
{
    void *p = arena_alloc_dirty(a, n);
    if (p != NULL)
        memset(p, 0, n);       /* reset blocks are reused dirty */
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return fail(a);
    char *p = arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    if (n != 0)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = NULL;
    if (len < 0) {
        fail(a);
    } else if ((p = arena_alloc(a, (size_t)len + 1)) != NULL) {
        vsnprintf(p, (size_t)len + 1, fmt, ap2);
    }
    va_end(ap2);
    return p;
}

/* arena_reset() when something was handed out: frees every block but
 * the oldest (and that one too when oversized).  Out of line, so that
 * the common reset below saves no register and makes no frame. */
__attribute__((noinline)) static void reset_blocks(arena *a)
{
    arena_block *b = a->head;
    if (b != NULL) {
        while (b->next != NULL) {
            arena_block *next = b->next;
            free(b);
            b = next;
        }
        b->used = 0;
        if (b->size > a->block_size) {
            /* one oversized request must not pin its memory forever */
            free(b);
            b = NULL;
        }
    }
    a->head = b;
    a->used = 0;
    a->failed = 0;
}

void arena_reset(arena *a)
{
    /* Nothing handed out since the last reset (a->used counts every
     * success, and only a success makes a block): the head is already
     * the empty one the last reset left.  The evaluator's loop resets
     * per decision, and most decisions take nothing from the arena. */
    if (a->used != 0)
        reset_blocks(a);      /* a tail call */
    else
        a->failed = 0;
}

/* Leaves block_size and limit alone, so the arena can be used again. */
void arena_free(arena *a)
{
    arena_block *b = a->head;
    while (b != NULL) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
    a->failed = 0;
}
