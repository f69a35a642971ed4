-- 002_models.sql - the model text a decision was made under.
--
-- Why: a policy is compiled against a model (`civil.model`: the entities
-- and enums its input has).  Replaying a decision needs both texts as
-- they were, so the model text is stored by its hash like the policy
-- text, and every decision names the model hash it was made under.
--
-- How it fits: written by store_put_decision (src/store/decisions.c) in
-- the decision's own transaction; read by replay (src/audit/replay.c).
-- model_hash is one of the fields of a decision's leaf hash (see
-- decisions.c), after policy_hash.  Decisions stored before this
-- migration have no model hash and cannot be replayed.
--
-- Statements end with ';' at the end of a line; every one may be rerun.
--
-- SPDX-License-Identifier: Apache-2.0

CREATE TABLE IF NOT EXISTS model_versions (
    hash CHAR(71) CHARACTER SET ascii NOT NULL PRIMARY KEY,
    name VARCHAR(128) NOT NULL,
    text LONGTEXT NOT NULL,
    first_seen DATETIME(6) NOT NULL,
    KEY k_model_versions_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE decisions ADD COLUMN IF NOT EXISTS model_hash CHAR(71) CHARACTER SET ascii NULL AFTER policy_hash;
