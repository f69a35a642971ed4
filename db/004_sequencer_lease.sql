-- 004_sequencer_lease.sql - which eligod host runs the one sequencer of
-- the checkpoint chain, when several hosts share one database (a Galera
-- cluster, docs/scale-out.md).
--
-- How it fits: every host's sequencer child (src/audit/sequencer.c,
-- src/store/checkpoints.c) tries, at the start of each round, to take or
-- renew the lease: one UPDATE of the single row, that succeeds only when
-- the row names it or has expired, committed before the round goes on.
-- The checkpoint's own transaction renews the lease again (holder must
-- still be us), so the lease row is in the write set of every checkpoint:
-- of two hosts that both believe they hold it, Galera's certification
-- lets one commit and fails the other with 1213.  A named lock
-- (GET_LOCK) would not do: on Galera it is local to one node.
--
-- The chain itself does not rest on the lease: checkpoints.k is the
-- primary key and checkpoint k names its predecessor k-1 (its signed note
-- carries the hash of k-1's body), so of two sequencers extending the
-- same chain one meets a duplicate key or a failed certification and
-- rolls back.  The lease only keeps the standby hosts from racing every
-- round.  expires_at is in the node's UTC clock: the nodes' clocks must
-- agree (NTP) to well within the lease (10 s or more).
--
-- Statements end with ';' at the end of a line; every one may be rerun.
--
-- SPDX-License-Identifier: Apache-2.0

CREATE TABLE IF NOT EXISTS sequencer_lease (
    id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
    holder VARCHAR(128) NOT NULL,
    expires_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO sequencer_lease (id, holder, expires_at) VALUES (1, '', '1970-01-01 00:00:01');
