-- 001_schema.sql - eligo's first schema: decisions, the policy texts they
-- were made under, bearer tokens and the access log.
--
-- How it fits: applied by `eligo db migrate` (src/store/migrate.c), which
-- records the file's number in schema_migrations.  The statements the
-- daemon runs against these tables are in src/store/store_int.h; change
-- both together.  Every table is InnoDB (transactions, crash recovery)
-- in utf8mb4 with a binary collation: a request_id, a name or a JSON text
-- is compared byte for byte, never case- or accent-folded.
--
-- What it does not do: checkpoints of the tamper-evidence chain (a later
-- migration), foreign keys (a decision's policy row is written in the
-- same transaction), or partitioning.
--
-- Statements end with ';' at the end of a line; every one may be rerun.
--
-- SPDX-License-Identifier: Apache-2.0

CREATE TABLE IF NOT EXISTS schema_migrations (
    version INT UNSIGNED NOT NULL PRIMARY KEY,
    applied_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Every policy text a decision was made under, once per hash
-- ("sha256:" and 64 hex digits), so that a replay can recompile it.
CREATE TABLE IF NOT EXISTS policy_versions (
    hash CHAR(71) CHARACTER SET ascii NOT NULL PRIMARY KEY,
    name VARCHAR(128) NOT NULL,
    text LONGTEXT NOT NULL,
    first_seen DATETIME(6) NOT NULL,
    KEY k_policy_versions_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per answered decision.  id is a UUIDv7 made by the store;
-- (client, request_id) makes a retry idempotent; fingerprint is the
-- SHA-256 of the canonical request, compared when a request_id comes
-- again; content_hash is SHA-256(0x00 || every stored field), see
-- src/store/decisions.c; seq stays NULL until the checkpointer numbers
-- the row (db/007_seq_in_place.sql makes it NOT NULL DEFAULT 0, numbered
-- in place, with the unique key over seq_key = NULLIF(seq, 0)).
CREATE TABLE IF NOT EXISTS decisions (
    id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
    seq BIGINT UNSIGNED NULL,
    request_id VARCHAR(128) NOT NULL,
    client VARCHAR(64) NOT NULL,
    fingerprint CHAR(64) CHARACTER SET ascii NOT NULL,
    policy_name VARCHAR(128) NOT NULL,
    policy_hash CHAR(71) CHARACTER SET ascii NOT NULL,
    as_of DATE NOT NULL,
    input JSON NOT NULL,
    outputs JSON NOT NULL,
    explanation JSON NULL,
    response JSON NOT NULL,
    created_at DATETIME(6) NOT NULL,
    content_hash CHAR(64) CHARACTER SET ascii NOT NULL,
    UNIQUE KEY uq_decisions_seq (seq),
    UNIQUE KEY uq_decisions_request (client, request_id),
    KEY k_decisions_policy (policy_name, as_of),
    KEY k_decisions_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Bearer tokens, stored only as SHA-256 of the token's 64 hex characters.
CREATE TABLE IF NOT EXISTS tokens (
    hash CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
    role ENUM('portal', 'officer', 'auditor', 'admin') NOT NULL,
    name VARCHAR(64) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    KEY k_tokens_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Who did what: reads of stored decisions, replays, impact runs, token
-- changes.  Never the content of a request (no personal data here).
CREATE TABLE IF NOT EXISTS access_log (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    at DATETIME(6) NOT NULL,
    client VARCHAR(64) NOT NULL,
    role VARCHAR(16) NOT NULL,
    action VARCHAR(64) NOT NULL,
    target VARCHAR(255) NULL,
    KEY k_access_log_at (at),
    KEY k_access_log_client (client, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
