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
    from ..quiz.session import Answer, RoundResult
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
class PendingAnswer:
    """An answer given to a game's open round, kept as it was given (issue 15: it counts after a restart)."""

    user_id: int
    correct: bool
    base: int
    speed: int
    bonus: int
    streak: int
    elapsed: float
    given: str


@dataclass(frozen=True, slots=True)
class RunningGame:
    """A game left running, with what a new process needs to resume it (`questions` is None for a
    game from before V5, which cannot be resumed)."""

    game_id: int
    guild_id: int
    channel_id: int
    started_by: int
    mode: str
    topic: str
    seconds: int
    style: str
    lives: int | None
    teams: int | None
    message_id: int | None
    questions: list | None
    state: dict | None
    round_at: float | None
    alive_at: float | None
    pending: tuple[PendingAnswer, ...]
    owner: str | None = None          # the store token of the process that plays (or played) it
    owner_beat: str | None = None     # that process's last heartbeat, if it has a row in `processes`


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


def _json(value: object) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


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
                          rounds: int, seconds: int, now: dt.datetime, style: str = "classic",
                          lives: int | None = None, teams: int | None = None, questions: list | None = None,
                          state: dict | None = None) -> int | None:
        """The new game's id, or None when the channel already has a running quiz. With `questions` and
        `state` (JSON-able, from bot.quiz) the game can be resumed by a new process."""
        try:
            async with self._store.transaction() as tx:
                return int(await tx.fetchval(
                    "INSERT INTO quiz_games (guild_id, channel_id, started_by, mode, topic, rounds, seconds, "
                    "started_at, style, lives, teams, questions, state, round_at, alive_at, owner) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (guild_id, channel_id, started_by, mode, topic, rounds, seconds, stamp(now), style, lives,
                     teams, _json(questions), _json(state), now.timestamp(), now.timestamp(), self._store.token)))
        except Conflict:
            return None

    async def set_message(self, game_id: int, message_id: int) -> None:
        async with self._store.transaction() as tx:
            await tx.execute("UPDATE quiz_games SET message_id = ? WHERE id = ?", (message_id, game_id))

    async def save_state(self, game_id: int, state: dict, now: dt.datetime, *, message_id: int | None = None,
                         round_at: dt.datetime | None = None) -> None:
        """The game's state between events (a round posted, a hint, a team joined), in one write;
        `round_at`: when the open round was posted (its remaining time after a restart counts from it)."""
        async with self._store.transaction() as tx:
            await tx.execute(
                "UPDATE quiz_games SET state = ?, alive_at = ?, message_id = coalesce(?, message_id), "
                "round_at = coalesce(?, round_at) WHERE id = ? AND status = 'running'",
                (_json(state), now.timestamp(), message_id, round_at.timestamp() if round_at else None, game_id))

    async def add_answers(self, rows: list[tuple[int, int, Answer]]) -> None:
        """Answers to open rounds as they are given ((game, round, answer) each), in one write. An answer
        already kept is left as it was (a member answers once per round)."""
        if not rows:
            return
        async with self._store.transaction() as tx:
            await tx.executemany(
                "INSERT INTO quiz_pending_answers (game_id, round, user_id, correct, base, speed, bonus, streak, "
                "elapsed, given) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [(game, number, a.user_id, int(a.correct), a.points.base, a.points.speed, a.points.streak, a.streak,
                  round(a.elapsed, 3), a.given[:200]) for game, number, a in rows])

    async def running_games(self, owns: Callable[[int], bool] = lambda _guild: True) -> list[RunningGame]:
        """Every game left running of the servers this process `owns`, with the answers of its open round."""
        async with self._store.read() as rx:
            rows = await rx.fetch(
                "SELECT id, guild_id, channel_id, started_by, mode, topic, seconds, style, lives, teams, message_id, "
                "questions, state, round_at, alive_at, owner, "
                "(SELECT p.heartbeat_at FROM processes p WHERE p.id = quiz_games.owner) "
                "FROM quiz_games WHERE status = 'running' ORDER BY id")
            rows = [r for r in rows if owns(r[1])]
            pending = await rx.fetch(
                f"SELECT game_id, round, user_id, correct, base, speed, bonus, streak, elapsed, given "
                f"FROM quiz_pending_answers WHERE game_id IN ({self._store.dialect.ids('ids')}) "
                f"ORDER BY game_id, round, elapsed, user_id", {"ids": json.dumps([r[0] for r in rows])})
        games = []
        for r in rows:
            state = json.loads(r[12]) if r[12] else None
            number = state.get("round") if state else None
            answers = tuple(PendingAnswer(p[2], bool(p[3]), p[4], p[5], p[6], p[7], p[8], p[9])
                            for p in pending if p[0] == r[0] and p[1] == number)
            games.append(RunningGame(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10],
                                     json.loads(r[11]) if r[11] else None, state, r[13], r[14], answers, r[15],
                                     r[16]))
        return games

    async def claim(self, game_id: int, seen_owner: str | None) -> bool:
        """Take over a running game for this process, if its owner is still the one seen (so that of two
        processes resuming it at once, during a deploy's overlap, one plays it)."""
        async with self._store.transaction() as tx:
            return await tx.fetchval(
                "UPDATE quiz_games SET owner = :me WHERE id = :id AND status = 'running' "
                "AND coalesce(owner, '') = :seen RETURNING id",
                {"me": self._store.token, "id": game_id, "seen": seen_owner or ""}) is not None

    async def record_round(self, game_id: int, guild_id: int, channel_id: int, result: RoundResult,
                           now: dt.datetime, *, end_status: str | None = None, state: dict | None = None) -> bool:
        """One round's question, answers and the game's progress (and its `state` after the round), in one
        transaction. Written once: False (and nothing written) when the round is already recorded, by
        whichever process closed it. The round's kept pending answers go (they are in quiz_answers now)."""
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
                "ended_at = coalesce(?, ended_at), state = coalesce(?, state), alive_at = ? WHERE id = ?",
                (result.number, end_status, when if end_status is not None else None, _json(state),
                 now.timestamp(), game_id))
            await tx.execute("DELETE FROM quiz_pending_answers WHERE game_id = ? AND round <= ?",
                             (game_id, result.number))
        return True

    async def end_game(self, game_id: int, status: str, now: dt.datetime) -> None:
        """End a game without a round to record (stopped or broken before its first reveal)."""
        if status not in END_STATUSES:
            raise ValueError(status)
        async with self._store.transaction() as tx:
            await tx.execute("UPDATE quiz_games SET status = ?, ended_at = ? WHERE id = ? AND status = 'running'",
                             (status, stamp(now), game_id))
            await tx.execute("DELETE FROM quiz_pending_answers WHERE game_id = ?", (game_id,))

    async def interrupt_running(self, now: dt.datetime, owns: Callable[[int], bool] = lambda _guild: True, *,
                                unresumable_only: bool = False) -> list[InterruptedGame]:
        """Mark every game left running (by a crash or a restart) interrupted, of the servers this
        process `owns` (in a fleet, each process sweeps its own shards); return them. With
        `unresumable_only`, only games that cannot be resumed (from before V5: no questions kept)."""
        where = " AND questions IS NULL" if unresumable_only else ""
        async with self._store.transaction() as tx:
            rows = await tx.fetch(
                "SELECT id, guild_id, channel_id, message_id FROM quiz_games WHERE status = 'running'"
                f"{where} ORDER BY id")
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
