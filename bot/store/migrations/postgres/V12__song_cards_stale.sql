-- V12 on PostgreSQL: song cards marked stale by a server's own write, as migrations/sqlite/V12 (read
-- that file for what the index is for).

CREATE INDEX song_cards_stale ON song_cards(song_id) WHERE generation = 0;

-- The texts of a JSON array parameter ('["gummy", "ailee"]') as rows, for `col IN (SELECT ost_texts(:t))`:
-- what ost_ids (V5) is for ids. With jsonb_array_elements_text inline the planner assumed 100 names
-- and read the whole name table to resolve a server's one added song's singer and drama (2 ms each at
-- 70,000 songs, most of a one-song write's time on the server, benchmarks.noisy); declared ROWS 8 it
-- walks the index.
CREATE FUNCTION ost_texts(texts TEXT) RETURNS SETOF TEXT
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 8
    AS $$ SELECT jsonb_array_elements_text(CAST(texts AS jsonb)) $$;
