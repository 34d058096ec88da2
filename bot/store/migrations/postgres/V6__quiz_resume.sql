-- V6 on PostgreSQL: quizzes survive a restart, and game styles, as migrations/sqlite/V6 (read that
-- file for what each holds).

ALTER TABLE quiz_games ADD COLUMN style TEXT NOT NULL DEFAULT 'classic'
    CHECK (style IN ('classic', 'elimination', 'teams'));
ALTER TABLE quiz_games ADD COLUMN lives INTEGER;
ALTER TABLE quiz_games ADD COLUMN teams INTEGER;
ALTER TABLE quiz_games ADD COLUMN owner TEXT;
ALTER TABLE quiz_games ADD COLUMN questions TEXT;
ALTER TABLE quiz_games ADD COLUMN state TEXT;
ALTER TABLE quiz_games ADD COLUMN round_at DOUBLE PRECISION;
ALTER TABLE quiz_games ADD COLUMN alive_at DOUBLE PRECISION;

CREATE TABLE quiz_pending_answers (
    game_id  BIGINT NOT NULL REFERENCES quiz_games(id) ON DELETE CASCADE,
    round    INTEGER NOT NULL,
    user_id  BIGINT NOT NULL,
    correct  INTEGER NOT NULL CHECK (correct IN (0, 1)),
    base     INTEGER NOT NULL,
    speed    INTEGER NOT NULL,
    bonus    INTEGER NOT NULL,
    streak   INTEGER NOT NULL,
    elapsed  DOUBLE PRECISION NOT NULL,
    given    TEXT NOT NULL,
    PRIMARY KEY (game_id, round, user_id)
);
