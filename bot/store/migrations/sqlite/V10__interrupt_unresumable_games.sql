-- A game left 'running' without its questions or its state cannot be resumed by a new process: it is
-- marked interrupted here, once, so that every running game the bot reads can be resumed and nothing
-- at start-up or shutdown has to look for such rows.

UPDATE quiz_games
SET status = 'interrupted', ended_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
WHERE status = 'running' AND (questions IS NULL OR state IS NULL);
