-- 003_checkpoints.sql - the tamper-evidence chain: signed checkpoints
-- over the decisions in seq order.
--
-- How it fits: the sequencer (src/audit/sequencer.c, run by eligod's
-- sequencer child or `eligo audit checkpoint`) numbers decisions whose seq is NULL
-- (0 since db/007_seq_in_place.sql)
-- and inserts checkpoint k in the same transaction
-- (src/store/checkpoints.c); `eligo audit verify` and GET
-- /v1/audit/verify read both back.  The formats (leaf, tree, note) are
-- described in src/audit/checkpoint.h.
--
-- k is the primary key so that two sequencers cannot both write
-- checkpoint k: the second gets a duplicate key and rolls back (an
-- insert, not an update).  tree_size is the last seq covered; root is the
-- RFC 9162 root over leaves 1..tree_size (hex); leaves holds the 32-byte
-- leaf hashes of the seqs this checkpoint added, which lets a verifier
-- name the exact altered row once the signed root vouches for them; note
-- is the signed note exactly as signed (the same text goes to the
-- checkpoint file and the log).  The signing key is never stored here.
--
-- Statements end with ';' at the end of a line; every one may be rerun.
--
-- SPDX-License-Identifier: Apache-2.0

CREATE TABLE IF NOT EXISTS checkpoints (
    k BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    tree_size BIGINT UNSIGNED NOT NULL,
    root CHAR(64) CHARACTER SET ascii NOT NULL,
    created_at DATETIME(6) NOT NULL,
    leaves MEDIUMBLOB NOT NULL,
    note TEXT NOT NULL,
    UNIQUE KEY uq_checkpoints_size (tree_size)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
