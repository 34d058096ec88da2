"""Quiz storage: games, rounds, answers, seen questions, leaderboards and stats.

A round's results (its answers, the question it asked, the game's progress) are written in
one transaction, so a crash loses at most the round in progress. Times are passed in by
the caller (`now`, a timezone-aware datetime) so tests on a simulated clock stay exact.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..quiz.matching import answer_key
from ..quiz.questions import QuestionPool
from .catalog_repo import VISIBLE_SONG
from .engine import Conflict
from .search_repo import TOP
from .times import stamp

if TYPE_CHECKING:
    from ..quiz.session import RoundResult
    from .connection import Store

RUNNING = "running"
END_STATUSES = ("finished", "stopped", "idle", "interrupted")
POOL_SIZE = 60


@dataclass(frozen=True, slots=True)
class InterruptedGame:
    game_id: int
    guild_id: int
    channel_id: int
    message_id: int | None


@dataclass(frozen=True, slots=True)
class LeaderRow:
    rank: int
    user_id: int
    points: int
    games: int
    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True, slots=True)
class PlayerStats:
    games: int
    answered: int
    correct: int
    best_streak: int
    points: int
    favourite_drama_id: int | None

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True, slots=True)
class GameRow:
    id: int
    guild_id: int
    channel_id: int
    status: str
    rounds_played: int
    message_id: int | None


# Titles starting with any of `:keys` (`:top` is above every code point: an index range each).
_TWINS = """
SELECT st.song_id, st.name FROM ({keys}) k
JOIN song_titles st ON st.norm >= k.value AND st.norm < k.value || :top
JOIN songs s ON s.id = st.song_id
WHERE {visible}
"""

_TOTALS = """
WITH totals AS (
    SELECT user_id, sum(points) AS points, count(DISTINCT game_id) AS games, count(*) AS answered,
           sum(correct) AS correct
    FROM quiz_answers WHERE guild_id = :guild AND answered_at >= :since GROUP BY user_id
), ranked AS (
    SELECT *, row_number() OVER (ORDER BY points DESC, correct DESC, user_id) AS rank FROM totals
)
SELECT rank, user_id, points, games, answered, correct FROM ranked
WHERE rank <= :limit OR user_id = :user ORDER BY rank
"""


class QuizRepo:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._twins = _TWINS.format(keys=store.dialect.texts("keys"), visible=VISIBLE_SONG)

    # -- questions ------------------------------------------------------------------------

    async def question_pool(self, guild_id: int | None, *, size: int = POOL_SIZE,
                            rng: random.Random | None = None) -> QuestionPool:
        """A random sample of the songs this server sees, plus what is needed to judge them.

        Only `size` songs are hydrated however big the catalog is; songs sharing a title with
        one of them come along so that no distractor can be a second correct answer.
        """
        rng = rng or random.Random()
        catalog = self._store.catalog
        ids = await catalog.visible_song_ids(guild_id)
        sample = ids if len(ids) <= size else rng.sample(ids, size)
        songs = await catalog.songs_by_ids(sample, guild_id)
        keys = sorted({k for s in songs for t in s.all_titles if (k := answer_key(t))})
        rows = await self._store.fetch(self._twins, {"keys": json.dumps(keys), "guild": guild_id, "top": TOP})
        wanted = set(keys)
        have = {s.id for s in songs}
        twin_ids = sorted({r[0] for r in rows if r[0] not in have and answer_key(r[1]) in wanted})
        twins = await catalog.songs_by_ids(twin_ids, guild_id)
        artist_ids = sorted({c.artist_id for s in (*songs, *twins) for c in s.credits})
        artists = {a.id: a for a in await catalog.artists_by_ids(artist_ids, guild_id)}
        return QuestionPool(songs=songs, twins=twins, artists=artists)

    async def seen(self, channel_id: int) -> dict[str, int]:
        """Question key -> recency (higher is more recent) for questions asked in this channel."""
        rows = await self._store.fetch(
            "SELECT question_key, seq FROM quiz_seen WHERE channel_id = ?", (channel_id,))
        return {r[0]: r[1] for r in rows}

    # -- games ----------------------------------------------------------------------------

    async def create_game(self, *, guild_id: int, channel_id: int, started_by: int, mode: str, topic: str,
                          rounds: int, seconds: int, now: dt.datetime) -> int | None:
        """The new game's id, or None when the channel already has a running quiz."""
        try:
            async with self._store.transaction() as tx:
                return int(await tx.fetchval(
                    "INSERT INTO quiz_games (guild_id, channel_id, started_by, mode, topic, rounds, seconds, "
                    "started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (guild_id, channel_id, started_by, mode, topic, rounds, seconds, stamp(now))))
        except Conflict:
            return None

    async def set_message(self, game_id: int, message_id: int) -> None:
        async with self._store.transaction() as tx:
            await tx.execute("UPDATE quiz_games SET message_id = ? WHERE id = ?", (message_id, game_id))

    async def record_round(self, game_id: int, guild_id: int, channel_id: int, result: RoundResult,
                           now: dt.datetime, *, end_status: str | None = None) -> bool:
        """One round's question, answers and the game's progress, in one transaction. Written once:
        False (and nothing written) when the round is already recorded, by whichever process closed it."""
        if end_status is not None and end_status not in END_STATUSES:
            raise ValueError(end_status)
        q = result.question
        when = stamp(now)
        async with self._store.transaction() as tx:
            first = await tx.fetchval(
                "INSERT INTO quiz_rounds (game_id, number, kind, question_key, song_id, drama_id, answer, answers, "
                "correct) VALUES (?, ?, ?, ?, (SELECT id FROM songs WHERE id = ?), "
                "(SELECT id FROM dramas WHERE id = ?), ?, ?, ?) ON CONFLICT DO NOTHING RETURNING number",
                (game_id, result.number, q.kind, q.key, q.song_id, q.drama_id, q.answer.text,
                 len(result.answers), len(result.winners)))
            if first is None:
                return False
            await tx.executemany(
                "INSERT INTO quiz_answers (game_id, round, guild_id, user_id, correct, points, streak, elapsed, "
                "answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(game_id, result.number, guild_id, a.user_id, int(a.correct), a.points.total, a.streak,
                  round(a.elapsed, 3), when) for a in result.answers])
            await tx.execute(
                "INSERT INTO quiz_seen (channel_id, question_key, seen_at, seq) VALUES (?, ?, ?, "
                "(SELECT coalesce(max(seq), 0) + 1 FROM quiz_seen WHERE channel_id = ?)) "
                "ON CONFLICT (channel_id, question_key) DO UPDATE SET seen_at = excluded.seen_at, seq = excluded.seq",
                (channel_id, q.key, when, channel_id))
            await tx.execute(
                "UPDATE quiz_games SET rounds_played = ?, status = coalesce(?, status), "
                "ended_at = coalesce(?, ended_at) WHERE id = ?",
                (result.number, end_status, when if end_status is not None else None, game_id))
        return True

    async def end_game(self, game_id: int, status: str, now: dt.datetime) -> None:
        """End a game without a round to record (stopped or broken before its first reveal)."""
        if status not in END_STATUSES:
            raise ValueError(status)
        async with self._store.transaction() as tx:
            await tx.execute("UPDATE quiz_games SET status = ?, ended_at = ? WHERE id = ? AND status = 'running'",
                             (status, stamp(now), game_id))

    async def interrupt_running(self, now: dt.datetime, owns: Callable[[int], bool] = lambda _guild: True
                                ) -> list[InterruptedGame]:
        """Mark every game left running (by a crash or a restart) interrupted, of the servers this
        process `owns` (in a fleet, each process sweeps its own shards); return them."""
        async with self._store.transaction() as tx:
            rows = await tx.fetch(
                "SELECT id, guild_id, channel_id, message_id FROM quiz_games WHERE status = 'running' ORDER BY id")
            games = [InterruptedGame(r[0], r[1], r[2], r[3]) for r in rows if owns(r[1])]
            await tx.execute(
                f"UPDATE quiz_games SET status = 'interrupted', ended_at = :now WHERE status = 'running' "
                f"AND id IN ({self._store.dialect.ids('ids')})",
                {"now": stamp(now), "ids": json.dumps([g.game_id for g in games])})
        return games

    async def game(self, game_id: int) -> GameRow | None:
        row = await self._store.fetchrow(
            "SELECT id, guild_id, channel_id, status, rounds_played, message_id FROM quiz_games WHERE id = ?",
            (game_id,))
        return GameRow(*row) if row else None

    async def running_game_ids(self) -> list[int]:
        rows = await self._store.fetch("SELECT id FROM quiz_games WHERE status = 'running' ORDER BY id")
        return [r[0] for r in rows]

    # -- leaderboards and stats -------------------------------------------------------------

    async def leaderboard(self, guild_id: int, *, since: dt.datetime | None = None, limit: int = 10,
                          user_id: int | None = None) -> list[LeaderRow]:
        """The top `limit` players since `since` (None: all time), plus `user_id`'s row if below."""
        rows = await self._store.fetch(_TOTALS, {
            "guild": guild_id, "since": stamp(since) if since else "", "limit": limit, "user": user_id})
        return [LeaderRow(*r) for r in rows]

    async def player_stats(self, guild_id: int, user_id: int) -> PlayerStats | None:
        row = await self._store.fetchrow(
            "SELECT count(DISTINCT game_id), count(*), coalesce(sum(correct), 0), coalesce(max(streak), 0), "
            "coalesce(sum(points), 0) FROM quiz_answers WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
        if row is None or row[1] == 0:
            return None
        favourite = await self._store.fetchval(
            "SELECT r.drama_id FROM quiz_answers a JOIN quiz_rounds r ON r.game_id = a.game_id AND r.number = a.round "
            "WHERE a.guild_id = ? AND a.user_id = ? AND r.drama_id IS NOT NULL "
            "GROUP BY r.drama_id ORDER BY sum(a.correct) DESC, count(*) DESC, r.drama_id LIMIT 1",
            (guild_id, user_id))
        return PlayerStats(row[0], row[1], row[2], row[3], row[4], favourite)
