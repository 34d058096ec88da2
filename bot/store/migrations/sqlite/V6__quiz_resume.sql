-- Quizzes survive a restart. A running game keeps what a new process needs to go on:
-- its questions and its state between events (JSON written by bot.quiz), when its open round was
-- posted and when it last showed a sign of life (Unix seconds, sub-second), and the answers of its
-- open round as they are given (moved into quiz_answers when the round is recorded).
-- And the game styles: classic, elimination (lives), teams (how many).

ALTER TABLE quiz_games ADD COLUMN style TEXT NOT NULL DEFAULT 'classic'
    CHECK (style IN ('classic', 'elimination', 'teams'));
ALTER TABLE quiz_games ADD COLUMN lives INTEGER;
ALTER TABLE quiz_games ADD COLUMN teams INTEGER;
ALTER TABLE quiz_games ADD COLUMN owner TEXT;         -- the store token of the process playing it
ALTER TABLE quiz_games ADD COLUMN questions TEXT;      -- NULL: not resumable (the interrupt_unresumable_games migration)
ALTER TABLE quiz_games ADD COLUMN state TEXT;
ALTER TABLE quiz_games ADD COLUMN round_at REAL;       -- the open round was posted (or teams opened)
ALTER TABLE quiz_games ADD COLUMN alive_at REAL;       -- the last write of its state

CREATE TABLE quiz_pending_answers (
    game_id  INTEGER NOT NULL REFERENCES quiz_games(id) ON DELETE CASCADE,
    round    INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    correct  INTEGER NOT NULL CHECK (correct IN (0, 1)),
    base     INTEGER NOT NULL,
    speed    INTEGER NOT NULL,
    bonus    INTEGER NOT NULL,   -- the streak bonus
    streak   INTEGER NOT NULL,
    elapsed  REAL NOT NULL,
    given    TEXT NOT NULL,
    PRIMARY KEY (game_id, round, user_id)
) WITHOUT ROWID;
