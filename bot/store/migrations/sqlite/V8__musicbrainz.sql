-- V8: songs and dramas fetched from MusicBrainz. A song's cover (the Cover Art Archive's 250 px
-- image, shown as its card's thumbnail), its recordings (MusicBrainz recording MBIDs: a second
-- fetch of the same recording links to the song instead of adding it twice), and a source's web
-- address (a MusicBrainz release page is the source its songs and drama cite, through entry_sources).
-- A drama shows the cover of its first OST part: `cover_date` is that release's date, so an earlier
-- part fetched later takes its place.

ALTER TABLE songs ADD COLUMN cover_url TEXT;
ALTER TABLE dramas ADD COLUMN cover_url TEXT;
ALTER TABLE dramas ADD COLUMN cover_date TEXT;
ALTER TABLE sources ADD COLUMN url TEXT;

CREATE TABLE song_recordings (
    song_id INTEGER NOT NULL REFERENCES songs(id) ON DELETE CASCADE,
    mbid    TEXT NOT NULL,
    PRIMARY KEY (song_id, mbid)
) WITHOUT ROWID;
CREATE INDEX song_recordings_mbid ON song_recordings(mbid);
