-- On PostgreSQL, as migrations/sqlite/V10 (read that file for why): running games that cannot be
-- resumed are marked interrupted once.

UPDATE quiz_games
SET status = 'interrupted', ended_at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
WHERE status = 'running' AND (questions IS NULL OR state IS NULL);
