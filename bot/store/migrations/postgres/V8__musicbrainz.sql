-- V8 on PostgreSQL: songs and dramas fetched from MusicBrainz, as migrations/sqlite/V8 (read that
-- file for what each column holds).

ALTER TABLE songs ADD COLUMN cover_url TEXT;
ALTER TABLE dramas ADD COLUMN cover_url TEXT;
ALTER TABLE dramas ADD COLUMN cover_date TEXT;
ALTER TABLE sources ADD COLUMN url TEXT;

CREATE TABLE song_recordings (
    song_id BIGINT NOT NULL REFERENCES songs(id) ON DELETE CASCADE,
    mbid    TEXT NOT NULL,
    PRIMARY KEY (song_id, mbid)
);
CREATE INDEX song_recordings_mbid ON song_recordings(mbid);
