-- Hearth's one database. This SQL runs unchanged on SQLite and PostgreSQL: only TEXT, BIGINT,
-- INTEGER and DOUBLE PRECISION columns, no AUTOINCREMENT/SERIAL (the code assigns every id).
-- Timestamps are UTC ISO-8601 text with exactly nine fractional digits
-- (2026-05-20T10:15:30.123456789Z), so text order is time order on both databases.

-- Model registry ---------------------------------------------------------------------------------

CREATE TABLE model_versions (
    name        TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    dir         TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,   -- digest of the sorted file manifest
    bytes       BIGINT  NOT NULL,
    source      TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE model_files (
    name     TEXT    NOT NULL,
    version  INTEGER NOT NULL,
    path     TEXT    NOT NULL,      -- relative, '/'-separated
    sha256   TEXT    NOT NULL,
    bytes    BIGINT  NOT NULL,
    PRIMARY KEY (name, version, path),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
);

CREATE TABLE model_aliases (
    name        TEXT    NOT NULL,
    alias       TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (name, alias),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
);

-- A stack per alias: each move pushes the version the alias left; a rollback pops.
CREATE TABLE model_alias_history (
    name      TEXT    NOT NULL,
    alias     TEXT    NOT NULL,
    depth     INTEGER NOT NULL,
    version   INTEGER NOT NULL,
    moved_at  TEXT    NOT NULL,
    PRIMARY KEY (name, alias, depth),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
);

-- API keys -----------------------------------------------------------------------------------------

CREATE TABLE api_keys (
    id              TEXT   NOT NULL PRIMARY KEY,
    name            TEXT,
    role            TEXT   NOT NULL,
    rate            TEXT,              -- "60/min" form, NULL = no rate limit
    tokens_per_day  BIGINT,            -- NULL = no daily quota
    secret_sha256   TEXT   NOT NULL,   -- only the hash of the secret is ever stored
    created_at      TEXT   NOT NULL,
    revoked_at      TEXT
);
CREATE UNIQUE INDEX api_keys_secret_sha256 ON api_keys (secret_sha256);

CREATE TABLE api_key_usage (
    key_id  TEXT   NOT NULL,
    day     TEXT   NOT NULL,            -- UTC date, yyyy-mm-dd
    tokens  BIGINT NOT NULL,
    PRIMARY KEY (key_id, day),
    FOREIGN KEY (key_id) REFERENCES api_keys (id)
);

-- Audit log: a hash chain; audit_head holds the newest seq and hash, updated in the same transaction
-- as every append, so a deleted tail is visible.

CREATE TABLE audit_log (
    seq                BIGINT  NOT NULL PRIMARY KEY,
    at                 TEXT    NOT NULL,
    key_id             TEXT,
    role               TEXT,
    method             TEXT    NOT NULL,
    endpoint           TEXT    NOT NULL,
    model              TEXT,
    model_version      TEXT,
    prompt_tokens      INTEGER NOT NULL,
    completion_tokens  INTEGER NOT NULL,
    status             INTEGER NOT NULL,
    latency_ms         BIGINT  NOT NULL,
    error              TEXT,
    prompt             TEXT,
    request_id         TEXT,
    prev_hash          TEXT    NOT NULL,
    hash               TEXT    NOT NULL
);
CREATE INDEX audit_log_hash ON audit_log (hash);
CREATE INDEX audit_log_request_id ON audit_log (request_id);

CREATE TABLE audit_head (
    id    INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq   BIGINT  NOT NULL,
    hash  TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Feedback ---------------------------------------------------------------------------------------

CREATE TABLE feedback (
    id             TEXT    NOT NULL PRIMARY KEY,
    request_id     TEXT,
    key_id         TEXT,
    model          TEXT,
    model_version  TEXT,
    rating         INTEGER NOT NULL CHECK (rating BETWEEN -1 AND 5),
    comment        TEXT,
    at             TEXT    NOT NULL
);
CREATE INDEX feedback_model_at ON feedback (model, at);

-- Training and evaluation runs -----------------------------------------------------------------------

CREATE TABLE runs (
    id           TEXT NOT NULL PRIMARY KEY,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    ended_at     TEXT,
    dir          TEXT,
    config_json  TEXT
);
CREATE INDEX runs_started_at ON runs (started_at);

CREATE TABLE run_metrics (
    run_id  TEXT             NOT NULL,
    name    TEXT             NOT NULL,
    step    BIGINT           NOT NULL,
    value   DOUBLE PRECISION,          -- NULL stands for NaN (SQLite cannot store NaN)
    at      TEXT             NOT NULL,
    PRIMARY KEY (run_id, name, step),
    FOREIGN KEY (run_id) REFERENCES runs (id)
);
