-- V2: quizzes. One row per game, one per round played, one per member's answer, and the
-- questions each channel has seen (unseen ones come first next time).
-- Timestamps are ISO-8601 UTC written by the bot ('YYYY-MM-DDTHH:MM:SSZ'), so they sort as text.

CREATE TABLE quiz_games (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    channel_id    INTEGER NOT NULL,
    started_by    INTEGER NOT NULL,
    mode          TEXT NOT NULL CHECK (mode IN ('buttons', 'typed')),
    topic         TEXT NOT NULL DEFAULT 'any',
    rounds        INTEGER NOT NULL CHECK (rounds BETWEEN 1 AND 20),
    seconds       INTEGER NOT NULL CHECK (seconds BETWEEN 10 AND 60),
    status        TEXT NOT NULL DEFAULT 'running'
                  CHECK (status IN ('running', 'finished', 'stopped', 'idle', 'interrupted')),
    message_id    INTEGER,            -- the message of the round in progress
    rounds_played INTEGER NOT NULL DEFAULT 0,
    started_at    TEXT NOT NULL,
    ended_at      TEXT
);
-- One running quiz per channel, enforced by the database too.
CREATE UNIQUE INDEX quiz_games_running_channel ON quiz_games(channel_id) WHERE status = 'running';
CREATE INDEX quiz_games_guild ON quiz_games(guild_id, started_at);

CREATE TABLE quiz_rounds (
    game_id      INTEGER NOT NULL REFERENCES quiz_games(id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    question_key TEXT NOT NULL,
    song_id      INTEGER REFERENCES songs(id) ON DELETE SET NULL,
    drama_id     INTEGER REFERENCES dramas(id) ON DELETE SET NULL,
    answer       TEXT NOT NULL,
    answers      INTEGER NOT NULL DEFAULT 0,
    correct      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (game_id, number)
) WITHOUT ROWID;

CREATE TABLE quiz_answers (
    game_id     INTEGER NOT NULL,
    round       INTEGER NOT NULL,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    points      INTEGER NOT NULL DEFAULT 0,
    streak      INTEGER NOT NULL DEFAULT 0,
    elapsed     REAL NOT NULL DEFAULT 0,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (game_id, round, user_id),
    FOREIGN KEY (game_id, round) REFERENCES quiz_rounds(game_id, number) ON DELETE CASCADE
) WITHOUT ROWID;
-- Leaderboards by server and period, and one member's stats.
CREATE INDEX quiz_answers_guild_time ON quiz_answers(guild_id, answered_at);
CREATE INDEX quiz_answers_guild_user ON quiz_answers(guild_id, user_id);

CREATE TABLE quiz_seen (
    channel_id   INTEGER NOT NULL,
    question_key TEXT NOT NULL,
    seen_at      TEXT NOT NULL,
    seq          INTEGER NOT NULL,    -- increasing per write: orders questions seen at the same second
    PRIMARY KEY (channel_id, question_key)
) WITHOUT ROWID;
