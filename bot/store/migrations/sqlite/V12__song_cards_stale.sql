-- Song cards marked stale by a server's own write. A server's write (`Store.guild_changed`) sets the
-- `generation` of its songs' documents to 0 (never the cards' generation, which starts at 1), inserting
-- a row for a song that has none; the card keeper then writes just those, found by this index, instead
-- of comparing every song with its document after each server's write (which cost every other server
-- a scan of the whole catalog, benchmarks.noisy). A removed song's row is deleted.

CREATE INDEX song_cards_stale ON song_cards(song_id) WHERE generation = 0;
