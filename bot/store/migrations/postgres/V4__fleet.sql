-- V4 on PostgreSQL: the fleet, as migrations/sqlite/V4 (read that file for what each holds).

CREATE TABLE processes (
    id           TEXT PRIMARY KEY,
    host         TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    shard_count  INTEGER,
    shard_ids    TEXT NOT NULL,
    guilds       INTEGER NOT NULL DEFAULT 0,
    version      TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);

ALTER TABLE daily_posts ADD COLUMN claimed_by TEXT;
ALTER TABLE daily_posts ADD COLUMN claimed_at TEXT;
