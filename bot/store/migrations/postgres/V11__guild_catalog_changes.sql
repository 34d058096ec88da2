-- V11 on PostgreSQL: which server's own catalog changed, as migrations/sqlite/V11 (read that file for
-- what each column holds).

CREATE TABLE catalog_guild_changes (
    guild_id BIGINT PRIMARY KEY,
    seq      BIGINT NOT NULL
);
CREATE INDEX catalog_guild_changes_seq ON catalog_guild_changes(seq);
