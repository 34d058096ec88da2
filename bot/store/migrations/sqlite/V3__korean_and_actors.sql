-- V3: Korean text beside the English (song descriptions, facts, what an untitled source is
-- about), and the lead actors as entries of their own, with their Hangul names.
-- Every new column is nullable: a server's own songs without Korean text fall back to English.

ALTER TABLE songs ADD COLUMN description_ko TEXT;
ALTER TABLE facts ADD COLUMN text_ko TEXT;
-- An article without a title keeps title = '' and says here what it is about.
ALTER TABLE sources ADD COLUMN about TEXT;
ALTER TABLE sources ADD COLUMN about_ko TEXT;

-- Actors are shipped entries only (from data/catalog.toml); a drama's lead actors link to them.
CREATE TABLE actors (
    id     INTEGER PRIMARY KEY,
    key    TEXT NOT NULL UNIQUE,
    name   TEXT NOT NULL,
    hangul TEXT
);

CREATE TABLE actor_names (
    actor_id INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    norm     TEXT NOT NULL,              -- catalog.text.compact(name)
    is_main  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (actor_id, name)
);
CREATE INDEX actor_names_norm ON actor_names(norm);

CREATE TABLE drama_actors (
    drama_id INTEGER NOT NULL REFERENCES dramas(id) ON DELETE CASCADE,
    actor_id INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (drama_id, actor_id)
);
CREATE INDEX drama_actors_actor ON drama_actors(actor_id);
