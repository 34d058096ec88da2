-- Which server's own catalog changed, and when: one row per server that ever added, removed, hid or
-- restored a song. `seq` is the value of meta 'generation:guilds' that its latest change took (bumped
-- in the same transaction). Another process asks for the rows above the `seq` it last saw and drops
-- only those servers' caches: one server's writes never make the others rebuild anything.

CREATE TABLE catalog_guild_changes (
    guild_id INTEGER PRIMARY KEY,
    seq      INTEGER NOT NULL
);
CREATE INDEX catalog_guild_changes_seq ON catalog_guild_changes(seq);
