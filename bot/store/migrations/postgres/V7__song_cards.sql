-- V7 on PostgreSQL: song cards kept ready, as migrations/sqlite/V7 (read that file for what each
-- column holds).

CREATE TABLE song_cards (
    song_id    BIGINT PRIMARY KEY,
    generation BIGINT NOT NULL,
    format     INTEGER NOT NULL,   -- bot.store.song_cards.FORMAT: the shape of the document
    doc        TEXT NOT NULL
);
