-- Song cards kept ready. A song card's data, written as one JSON document per song
-- by the process that owns shard 0 (bot.app, `CatalogRepo.build_card_docs`), so that a card is one
-- indexed read instead of a batch of nine queries. A document counts only while its `generation`
-- is the cards' (meta 'generation:cards', bumped in the same transaction by every catalog write that
-- can change a card): a stale one is never shown, and the song is then read from the catalog's tables.
-- Derived data, like song_search: left out of `Store.tables`, rebuilt from the catalog at will.

CREATE TABLE song_cards (
    song_id    INTEGER PRIMARY KEY,
    generation INTEGER NOT NULL,
    format     INTEGER NOT NULL,   -- bot.store.song_cards.FORMAT: the shape of the document
    doc        TEXT NOT NULL
);
