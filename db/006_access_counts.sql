-- 006_access_counts.sql - an access_log row may count several requests.
--
-- Why: the officer's playground (POST /v1/evaluate, /v1/check, /v1/diff)
-- reads no stored data, yet a form calls it on every keystroke and a
-- benchmark thousands of times a second.  A row per request cost MariaDB
-- 13-16 us of CPU per request and /v1/evaluate half its throughput on two
-- cores (bench/notes.md).  Its requests are now counted per caller,
-- action and target in each worker and written as one row a second
-- (src/service/access_queue.c): `at` the first request of the row,
-- `last_at` the last, `requests` how many.  Every other row (reads of
-- stored decisions, replays, impact runs, verify, the command line) stays
-- one row per request: requests = 1, last_at NULL.
--
-- Adding columns at the end with defaults is instant in MariaDB 10.6 and
-- later (no copy of the table).
--
-- SPDX-License-Identifier: Apache-2.0
ALTER TABLE access_log
    ADD COLUMN last_at DATETIME(6) NULL,
    ADD COLUMN requests INT UNSIGNED NOT NULL DEFAULT 1;
