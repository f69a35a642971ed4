/*
 * test_store_db.c - the connection's judgements that need no server
 * (src/store/db.c): the oldest MariaDB eligo accepts, and what the store
 * does about each class of error (retry, reconnect, give up).
 *
 * The version numbers are mysql_get_server_version()'s: major * 10000 +
 * minor * 100 + patch, so 10.11.19 (Debian 12's MariaDB) is 101119.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include "store/store_int.h"

/* JSON_TABLE, which the sequencer's UPDATE joins, came in 10.6.0 */
static void server_version(void **state)
{
    (void)state;
    assert_false(store_server_supported(100533));   /* 10.5.33, the last 10.5 */
    assert_false(store_server_supported(50744));    /* MySQL-era 5.7.44 */
    assert_true(store_server_supported(100600));    /* 10.6.0 */
    assert_true(store_server_supported(101119));    /* 10.11.19 */
    assert_true(store_server_supported(110402));    /* 11.4.2 */
}

static void error_classes(void **state)
{
    (void)state;
    assert_int_equal(store_classify(0), SC_OK);
    assert_int_equal(store_classify(ER_LOCK_DEADLOCK), SC_RETRY);
    assert_int_equal(store_classify(ER_DUP_ENTRY), SC_DUPLICATE);
    assert_int_equal(store_classify(CR_SERVER_GONE_ERROR), SC_RECONNECT);
    assert_int_equal(store_classify(CR_CONNECTION_ERROR), SC_UNAVAILABLE);
    assert_int_equal(store_classify(ER_CON_COUNT_ERROR), SC_UNAVAILABLE);
    assert_int_equal(store_classify(ER_PARSE_ERROR), SC_FATAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(server_version),
        cmocka_unit_test(error_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
