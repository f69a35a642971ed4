/*
 * test_store_db.c - the connection's judgements that need no server
 * (src/store/db.c): the oldest MariaDB eligo accepts, and what the store
 * does about each class of error (retry, reconnect, give up).
 *
 * The version numbers are mysql_get_server_version()'s: major * 10000 +
 * minor * 100 + patch, so 10.11.19 (Debian 12's MariaDB) is 101119.
 *
 * put_rows_past_deadline needs a handle but no server: mysql_init's
 * handle, never connected, is enough to show which step a statement
 * past the request's deadline reaches.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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

/* The n-row decision INSERT is prepared on a connection's first group
 * of n rows (stmt.c), a round trip that can block for the whole read
 * timeout.  Past the deadline it must not start: the store gives up as
 * for any statement (store_too_late), drops the connection and answers
 * unavailable (2003, "past the request's deadline"), where preparing
 * anyway reached the server, here the unconnected handle's 2006. */
static void put_rows_past_deadline(void **state)
{
    (void)state;
    store *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->db = mysql_init(NULL);
    assert_non_null(s->db);
    s->deadline_ms = 1;     /* CLOCK_MONOTONIC's 1 ms: long past */
    MYSQL_BIND b[2 * DECISION_ROW_PARAMS];
    memset(b, 0, sizeof b);
    assert_int_equal(store_exec_put_rows(s, 2, b), SC_UNAVAILABLE);
    assert_int_equal(s->err_no, CR_CONN_HOST_ERROR);
    assert_non_null(strstr(s->err_msg, "ST_DECISION_PUTn: past the request's deadline"));
    assert_null(s->db);
    assert_null(s->put_rows[2]);
    store_disconnect(s);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(server_version),
        cmocka_unit_test(error_classes),
        cmocka_unit_test(put_rows_past_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
