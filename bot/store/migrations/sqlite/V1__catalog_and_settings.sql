-- V1: the catalog (shipped and per-server), its sources and facts, full-text search,
-- per-server settings, and a key/value table for bookkeeping.
-- Never edit a shipped migration; add V{n+1}__what.sql instead.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sources (
    id        INTEGER PRIMARY KEY,
    key       TEXT NOT NULL UNIQUE,
    title     TEXT NOT NULL,
    publisher TEXT,
    author    TEXT,
    published TEXT,
    note      TEXT
);

-- guild_id NULL: the shipped catalog; otherwise added by (and visible to) that server only.
CREATE TABLE dramas (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL,
    guild_id   INTEGER,
    -- seed: from data/catalog.toml (re-seeding may update or remove it);
    -- import: `ostbot db import`; guild: added by a server admin. Seeding touches only 'seed'.
    origin     TEXT NOT NULL DEFAULT 'seed' CHECK (origin IN ('seed', 'import', 'guild')),
    name        TEXT NOT NULL,
    hangul      TEXT,
    year        INTEGER,
    network     TEXT,
    kind        TEXT NOT NULL DEFAULT 'drama',
    lead_actors TEXT NOT NULL DEFAULT '[]',   -- JSON array of names
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE UNIQUE INDEX dramas_shipped_key ON dramas(key) WHERE guild_id IS NULL;
CREATE UNIQUE INDEX dramas_guild_key ON dramas(guild_id, key) WHERE guild_id IS NOT NULL;

CREATE TABLE drama_names (
    drama_id INTEGER NOT NULL REFERENCES dramas(id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    norm     TEXT NOT NULL,              -- catalog.text.compact(name)
    is_main  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (drama_id, name)
);
CREATE INDEX drama_names_norm ON drama_names(norm);

CREATE TABLE artists (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL,
    guild_id   INTEGER,
    -- seed: from data/catalog.toml (re-seeding may update or remove it);
    -- import: `ostbot db import`; guild: added by a server admin. Seeding touches only 'seed'.
    origin     TEXT NOT NULL DEFAULT 'seed' CHECK (origin IN ('seed', 'import', 'guild')),
    name       TEXT NOT NULL,
    hangul     TEXT,
    kind       TEXT NOT NULL DEFAULT 'solo' CHECK (kind IN ('solo', 'group', 'subunit', 'duo', 'trio')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE UNIQUE INDEX artists_shipped_key ON artists(key) WHERE guild_id IS NULL;
CREATE UNIQUE INDEX artists_guild_key ON artists(guild_id, key) WHERE guild_id IS NOT NULL;

CREATE TABLE artist_names (
    artist_id INTEGER NOT NULL REFERENCES artists(id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    norm      TEXT NOT NULL,
    is_main   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (artist_id, name)
);
CREATE INDEX artist_names_norm ON artist_names(norm);

-- A soloist can belong to a group and to a sub-unit; a sub-unit belongs to its group.
CREATE TABLE artist_groups (
    member_id INTEGER NOT NULL REFERENCES artists(id) ON DELETE CASCADE,
    group_id  INTEGER NOT NULL REFERENCES artists(id) ON DELETE CASCADE,
    PRIMARY KEY (member_id, group_id),
    CHECK (member_id <> group_id)
) WITHOUT ROWID;
CREATE INDEX artist_groups_group ON artist_groups(group_id);

CREATE TABLE songs (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL,
    guild_id   INTEGER,
    -- seed: from data/catalog.toml (re-seeding may update or remove it);
    -- import: `ostbot db import`; guild: added by a server admin. Seeding touches only 'seed'.
    origin     TEXT NOT NULL DEFAULT 'seed' CHECK (origin IN ('seed', 'import', 'guild')),
    title        TEXT NOT NULL,
    hangul       TEXT,
    drama_id     INTEGER NOT NULL REFERENCES dramas(id) ON DELETE RESTRICT,
    year         INTEGER,
    release_date TEXT,
    episode      INTEGER,
    description  TEXT NOT NULL DEFAULT '',
    is_ballad    INTEGER NOT NULL DEFAULT 1 CHECK (is_ballad IN (0, 1)),
    added_by     INTEGER,                -- Discord user id for server additions
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE UNIQUE INDEX songs_shipped_key ON songs(key) WHERE guild_id IS NULL;
CREATE UNIQUE INDEX songs_guild_key ON songs(guild_id, key) WHERE guild_id IS NOT NULL;
CREATE INDEX songs_drama ON songs(drama_id);
CREATE INDEX songs_guild ON songs(guild_id);

CREATE TABLE song_titles (
    song_id INTEGER NOT NULL REFERENCES songs(id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    norm    TEXT NOT NULL,
    is_main INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (song_id, name)
);
CREATE INDEX song_titles_norm ON song_titles(norm);

CREATE TABLE song_artists (
    song_id   INTEGER NOT NULL REFERENCES songs(id) ON DELETE CASCADE,
    artist_id INTEGER NOT NULL REFERENCES artists(id) ON DELETE RESTRICT,
    role      TEXT NOT NULL DEFAULT 'main' CHECK (role IN ('main', 'duet', 'featuring')),
    position  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (song_id, artist_id)
) WITHOUT ROWID;
CREATE INDEX song_artists_artist ON song_artists(artist_id);

CREATE TABLE song_tags (
    song_id INTEGER NOT NULL REFERENCES songs(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL CHECK (kind IN ('style', 'mood')),
    tag     TEXT NOT NULL,
    PRIMARY KEY (song_id, kind, tag)
);
CREATE INDEX song_tags_tag ON song_tags(kind, tag);

-- Every fact names its source; exactly one subject per fact.
CREATE TABLE facts (
    id        INTEGER PRIMARY KEY,
    song_id   INTEGER REFERENCES songs(id) ON DELETE CASCADE,
    drama_id  INTEGER REFERENCES dramas(id) ON DELETE CASCADE,
    artist_id INTEGER REFERENCES artists(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    text      TEXT NOT NULL,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE RESTRICT,
    position  INTEGER NOT NULL DEFAULT 0,
    CHECK ((song_id IS NOT NULL) + (drama_id IS NOT NULL) + (artist_id IS NOT NULL) = 1)
);
CREATE INDEX facts_song ON facts(song_id) WHERE song_id IS NOT NULL;
CREATE INDEX facts_drama ON facts(drama_id) WHERE drama_id IS NOT NULL;
CREATE INDEX facts_artist ON facts(artist_id) WHERE artist_id IS NOT NULL;

-- Which articles mention an entry (the provenance of the entry itself).
CREATE TABLE entry_sources (
    kind      TEXT NOT NULL CHECK (kind IN ('song', 'drama', 'artist')),
    entry_id  INTEGER NOT NULL,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE RESTRICT,
    PRIMARY KEY (kind, entry_id, source_id)
) WITHOUT ROWID;
CREATE TRIGGER songs_drop_sources AFTER DELETE ON songs BEGIN
    DELETE FROM entry_sources WHERE kind = 'song' AND entry_id = old.id;
END;
CREATE TRIGGER dramas_drop_sources AFTER DELETE ON dramas BEGIN
    DELETE FROM entry_sources WHERE kind = 'drama' AND entry_id = old.id;
END;
CREATE TRIGGER artists_drop_sources AFTER DELETE ON artists BEGIN
    DELETE FROM entry_sources WHERE kind = 'artist' AND entry_id = old.id;
END;

-- A shipped song a server chose to hide (it stays for every other server).
CREATE TABLE hidden_songs (
    guild_id INTEGER NOT NULL,
    song_id  INTEGER NOT NULL REFERENCES songs(id) ON DELETE CASCADE,
    PRIMARY KEY (guild_id, song_id)
) WITHOUT ROWID;

-- Full-text search, one row per song (rowid = songs.id), rebuilt by the store whenever a
-- song, its titles, artists, tags or drama change, inside the same transaction.
CREATE VIRTUAL TABLE song_search USING fts5(
    title, artists, drama, description, tags,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER songs_drop_search AFTER DELETE ON songs BEGIN
    DELETE FROM song_search WHERE rowid = old.id;
END;

CREATE TABLE guild_settings (
    guild_id            INTEGER PRIMARY KEY,
    language            TEXT NOT NULL DEFAULT 'auto' CHECK (language IN ('auto', 'en', 'ko')),
    quiz_rounds         INTEGER NOT NULL DEFAULT 5 CHECK (quiz_rounds BETWEEN 1 AND 20),
    quiz_seconds        INTEGER NOT NULL DEFAULT 20 CHECK (quiz_seconds BETWEEN 10 AND 60),
    quiz_mode           TEXT NOT NULL DEFAULT 'buttons' CHECK (quiz_mode IN ('buttons', 'typed')),
    quiz_channel_id     INTEGER,
    random_ballads_only INTEGER NOT NULL DEFAULT 1 CHECK (random_ballads_only IN (0, 1)),
    cooldown_seconds    INTEGER NOT NULL DEFAULT 0 CHECK (cooldown_seconds BETWEEN 0 AND 3600),
    manager_role_id     INTEGER,
    daily_channel_id    INTEGER,
    daily_hour          INTEGER CHECK (daily_hour BETWEEN 0 AND 23),
    daily_timezone      TEXT NOT NULL DEFAULT 'UTC',
    daily_last_date     TEXT,
    daily_error         TEXT,
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Song of the day: what was posted where, so a server never gets two on one day and
-- recent songs are not repeated.
CREATE TABLE daily_posts (
    guild_id   INTEGER NOT NULL,
    posted_on  TEXT NOT NULL,            -- the server's local date, YYYY-MM-DD
    song_id    INTEGER REFERENCES songs(id) ON DELETE SET NULL,
    channel_id INTEGER NOT NULL,
    message_id INTEGER,
    PRIMARY KEY (guild_id, posted_on)
);
