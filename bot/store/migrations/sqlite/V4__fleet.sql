-- V4: the fleet. One row per running bot process (its heartbeat), for `ostbot status`, `/about` and
-- for telling a dead process's unfinished work from a live one's; and who claimed a song of the day.

CREATE TABLE processes (
    id           TEXT PRIMARY KEY,      -- the process's store token
    host         TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    shard_count  INTEGER,               -- NULL: not sharded
    shard_ids    TEXT NOT NULL,         -- e.g. '0-3'; '' when not sharded
    guilds       INTEGER NOT NULL DEFAULT 0,
    version      TEXT NOT NULL,
    started_at   TEXT NOT NULL,         -- ISO-8601 UTC, as every timestamp here
    heartbeat_at TEXT NOT NULL
);

-- A claim whose process died before posting can be taken over (see AdditionsRepo.claim_daily).
ALTER TABLE daily_posts ADD COLUMN claimed_by TEXT;
ALTER TABLE daily_posts ADD COLUMN claimed_at TEXT;
