/*
 * test_access_queue.c - the playground's access-log counts
 * (src/service/access_queue.c) without a database: requests counted per
 * caller, action and target; a new key refused only when every slot is
 * taken; a write that cannot reach the database keeps the counts, and
 * stopping reports how many requests were left unwritten.  The rows a
 * write produces are checked against a real MariaDB by
 * tests/integration/replay.sh and http.sh.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>
#include "service/access_queue.h"

/* The writer's store when the database is down: none, and the attempts
 * counted. */
static int connects;
static store *no_store(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&connects, 1, __ATOMIC_RELAXED);
    return NULL;
}

static void counts_per_key(void **state)
{
    (void)state;
    static access_queue q;
    assert_int_equal(access_queue_init(&q, no_store, NULL), 0);
    for (int i = 0; i < 5; i++) assert_int_equal(access_queue_add(&q, "ana", "officer", "evaluate", NULL), 0);
    assert_int_equal(access_queue_add(&q, "bo", "officer", "evaluate", NULL), 0);
    assert_int_equal(access_queue_add(&q, "bo", "officer", "evaluate", NULL), 0);
    assert_int_equal(access_queue_add(&q, "ana", "officer", "check", NULL), 0);
    assert_int_equal(access_queue_add(&q, "ana", "officer", "diff", "sha256:ab"), 0);
    assert_int_equal(access_queue_add(&q, "ana", "officer", "diff", "sha256:cd"), 0);
    assert_int_equal(access_queue_add(&q, "ana", "officer", "diff", "sha256:ab"), 0);
    /* a target and none are different keys */
    assert_int_equal(access_queue_add(&q, "ana", "officer", "diff", NULL), 0);
    assert_int_equal(q.nfill, 6);
    const uint32_t want[] = {5, 2, 1, 2, 1, 1};
    for (int i = 0; i < 6; i++) assert_int_equal(q.fill[i].requests, want[i]);
    assert_string_equal(q.fill[3].target, "sha256:ab");
    assert_int_equal(q.fill[5].has_target, 0);
    assert_true(q.fill[0].first_us <= q.fill[0].last_us);
    /* never started: stopping reports what was counted */
    assert_int_equal(access_queue_stop(&q), 12);
}

/* Two threads of a worker may read the clock in one order and take the
 * lock in the other: a row's `at` is still its first request and
 * `last_at` its last (the integration suites check last_at >= at). */
static void stamps_out_of_order(void **state)
{
    (void)state;
    static access_queue q;
    assert_int_equal(access_queue_init(&q, no_store, NULL), 0);
    assert_int_equal(access_queue_add_at(&q, "ana", "officer", "evaluate", NULL, 2000), 0);
    assert_int_equal(access_queue_add_at(&q, "ana", "officer", "evaluate", NULL, 1000), 0);
    assert_int_equal(access_queue_add_at(&q, "ana", "officer", "evaluate", NULL, 1500), 0);
    assert_int_equal(q.fill[0].requests, 3);
    assert_int_equal(q.fill[0].first_us, 1000);
    assert_int_equal(q.fill[0].last_us, 2000);
    assert_int_equal(access_queue_stop(&q), 3);
}

static void full_refuses_only_new_keys(void **state)
{
    (void)state;
    static access_queue q;
    assert_int_equal(access_queue_init(&q, no_store, NULL), 0);
    char client[16];
    for (int i = 0; i < ACCESS_KEYS; i++) {
        snprintf(client, sizeof client, "officer-%d", i);
        assert_int_equal(access_queue_add(&q, client, "officer", "evaluate", NULL), 0);
    }
    assert_int_equal(access_queue_add(&q, "one-more", "officer", "evaluate", NULL), -1);
    assert_int_equal(access_queue_add(&q, "officer-7", "officer", "evaluate", NULL), 0);
    assert_int_equal(q.fill[7].requests, 2);
    assert_int_equal(access_queue_stop(&q), ACCESS_KEYS + 1);
}

/* With the database down the writer tries, keeps the counts, and at the
 * stop tries once more and reports them all. */
static void down_keeps_counts(void **state)
{
    (void)state;
    static access_queue q;
    connects = 0;
    assert_int_equal(access_queue_init(&q, no_store, NULL), 0);
    assert_int_equal(access_queue_start(&q), 0);
    for (int i = 0; i < 3; i++) assert_int_equal(access_queue_add(&q, "ana", "officer", "evaluate", NULL), 0);
    assert_int_equal(access_queue_add(&q, "bo", "officer", "check", NULL), 0);
    assert_int_equal(access_queue_stop(&q), 4);
    assert_true(__atomic_load_n(&connects, __ATOMIC_RELAXED) >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_per_key),
        cmocka_unit_test(stamps_out_of_order),
        cmocka_unit_test(full_refuses_only_new_keys),
        cmocka_unit_test(down_keeps_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
