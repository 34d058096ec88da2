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
from typing import TYPE_CHECKING, Any

from ..quiz.freshness import Freshness
from ..quiz.matching import answer_key
from ..quiz.questions import KINDS, TOPIC_OF_KIND, TOPICS, QuestionPool
from ..quiz.scoring import Points
from ..quiz.session import Answer
from .engine import Conflict
from .quiz_boards import Boards, bump, to_the_minute
from .quiz_rows import GameRow, InterruptedGame, LeaderRow, PlayerStats, RunningGame, TopicAccuracy
from .times import stamp
from .visibility import VISIBLE_SONG

if TYPE_CHECKING:
    from ..quiz.session import RoundResult
    from .connection import Store

RUNNING = "running"
END_STATUSES = ("finished", "stopped", "idle", "interrupted")
POOL_SIZE = 60
# Songs per round asked: subjects for every round (no song twice in a quiz while fresh ones remain)
# and distractors around them. A 1-round quiz needs no 60 songs; 20 rounds get the full POOL_SIZE.
SONGS_PER_ROUND = 3
MIN_POOL = 24
# Catalogs whose song ids span less than this are read whole; larger ones are sampled by drawing
# random ids (rejection sampling: uniform over the songs this server sees, at a cost that does not
# grow with the catalog). SAMPLE_TRIES draws before falling back to reading every id.
SCAN_BELOW = 2_000
SAMPLE_TRIES = 4


# A win: the top score of a game played to its end (every round, or ended for want of players),
# with at least one point; players tied at the top all win. A stopped or interrupted game has no winner.
WIN_STATUSES = ("finished", "idle")
# option -> ORDER BY (never user text); equal correct answers: the fewer tries first.
RANK_BY = {"points": "points DESC, correct DESC", "wins": "wins DESC, points DESC, correct DESC",
           "correct": "correct DESC, answered, points DESC"}


# Visible titles equal to one of `:keys` (an index look-up each). Bracketed titles ("Stay with Me
# (Acoustic)" is "Stay with Me" to a player) are matched from `_BRACKETED`, read once per catalog
# generation: a prefix range per key found them too, but cost a scan of every title starting with it.
_TWINS = """
SELECT st.song_id, st.name FROM ({keys}) k
JOIN song_titles st ON st.norm = k.value
JOIN songs s ON s.id = st.song_id
WHERE {visible}
"""
_BRACKETED = ("SELECT song_id, name FROM song_titles WHERE name LIKE '%(%' OR name LIKE '%[%' OR name LIKE '%{%' "
              "OR name LIKE '%（%' OR name LIKE '%【%'")
# The songs a question of each narrow topic can be about: few (server songs carry no facts nor
# lead actors), read whole through small indexes.
_FACT_SONGS = f"""
SELECT DISTINCT s.id, s.drama_id FROM facts f JOIN songs s ON s.id = f.song_id
WHERE f.song_id IS NOT NULL AND f.kind <> 'article' AND {VISIBLE_SONG}
"""
_ACTOR_SONGS = f"""
SELECT DISTINCT s.id, s.drama_id FROM drama_actors da JOIN songs s ON s.drama_id = da.drama_id
WHERE {VISIBLE_SONG}
"""


# Each player's wins in the games of this server that ended since `:since` (see WIN_STATUSES).
_WINS = """
game_points AS (
    SELECT a.game_id, a.user_id, sum(a.points) AS points FROM quiz_answers a
    JOIN quiz_games g ON g.id = a.game_id
    WHERE {answers} AND g.guild_id = :guild AND g.status IN ('finished', 'idle') AND g.ended_at >= :since
    GROUP BY a.game_id, a.user_id
), tops AS (
    SELECT game_id, max(points) AS top FROM game_points GROUP BY game_id
), wins AS (
    SELECT gp.user_id, count(*) AS wins FROM game_points gp
    JOIN tops t ON t.game_id = gp.game_id AND gp.points = t.top WHERE t.top > 0 GROUP BY gp.user_id
)"""

_TOTALS = """
WITH totals AS (
    SELECT user_id, sum(points) AS points, count(DISTINCT game_id) AS games, count(*) AS answered,
           sum(correct) AS correct
    FROM quiz_answers WHERE guild_id = :guild AND answered_at >= :since GROUP BY user_id
), {wins}, joined AS (
    SELECT t.user_id, t.points, t.games, t.answered, t.correct, coalesce(w.wins, 0) AS wins
    FROM totals t LEFT JOIN wins w ON w.user_id = t.user_id
), ranked AS (
    SELECT *, row_number() OVER (ORDER BY {order}, user_id) AS rank FROM joined
)
SELECT rank, user_id, points, games, answered, correct, wins FROM ranked
WHERE rank <= :limit OR user_id = :user ORDER BY rank
"""
# One player's wins: only the games they played are ranked (an indexed read of their answers), not
# every game of the server.
_PLAYER_WINS = "WITH " + _WINS.format(answers=(
    "a.game_id IN (SELECT game_id FROM quiz_answers WHERE guild_id = :guild AND user_id = :user)")) + (
    " SELECT coalesce(max(wins), 0) FROM wins WHERE user_id = :user")


def _json(value: object) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class QuizRepo:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._twins = _TWINS.format(keys=store.dialect.texts("keys"), visible=VISIBLE_SONG)
        self._visible = f"SELECT s.id FROM songs s WHERE s.id IN ({store.dialect.ids('ids')}) AND {VISIBLE_SONG}"
        self._bracketed: tuple[int, dict[str, list[int]]] | None = None   # (catalog generation, key -> song ids)
        self._boards = Boards(store)

    # -- questions ------------------------------------------------------------------------

    async def question_pool(self, guild_id: int | None, *, size: int | None = None,
                            rng: random.Random | None = None, topic: str = "any", seen: dict[str, int] | None = None,
                            rounds: int = 20) -> QuestionPool:
        """A random sample of the songs this server sees, plus what is needed to judge them.

        Only `size` songs (by default as many as `rounds` need, at most POOL_SIZE) are hydrated however
        big the catalog is, and they are found without reading
        every id: random ids drawn in the id range, kept when visible (so server-hidden songs and other
        servers' songs are never asked). Songs that can still bring a question the channel has not seen
        (`seen`, from `seen()`) come first; twice `rounds` of them are looked for (a song may not make
        a question) before settling for seen ones. The facts and actors topics read their few eligible
        songs whole, and "any" mixes some of those in, so every kind can come up at any catalog size.
        Songs sharing a title with one of the sample come along so that no distractor can be a second
        correct answer.
        """
        rng = rng or random.Random()
        size = size or min(POOL_SIZE, max(MIN_POOL, SONGS_PER_ROUND * rounds))
        catalog = self._store.catalog
        fresh = Freshness(seen or {}, TOPICS.get(topic, KINDS))
        params = {"guild": guild_id}
        sample: list[int] = []
        if topic in ("facts", "actors", "any"):
            share = size if topic != "any" else size // 6
            for sql, kind in ((_FACT_SONGS, "facts"), (_ACTOR_SONGS, "actors")):
                if topic in (kind, "any"):
                    sample += fresh.pick(await self._store.fetch(sql, params), share, rng, set(sample))
        if topic not in ("facts", "actors"):
            sample += await self._sample(guild_id, size - len(sample), rng, fresh, rounds, set(sample),
                                         dated=topic == "years")
        songs = await catalog.songs_by_ids(sample, guild_id)
        keys = sorted({k for s in songs for t in s.all_titles if (k := answer_key(t))})
        rows = await self._store.fetch(self._twins, {"keys": json.dumps(keys), "guild": guild_id})
        have = {s.id for s in songs}
        twin_ids = {r[0] for r in rows if r[0] not in have}
        bracketed = await self._bracketed_titles()
        if more := {i for k in keys for i in bracketed.get(k, ()) if i not in have and i not in twin_ids}:
            twin_ids |= {r[0] for r in await self._store.fetch(
                self._visible, {"ids": json.dumps(sorted(more)), "guild": guild_id})}
        # Same-titled songs are only checked against (never asked nor offered): their outlines will do,
        # and their singers need no more than the names their credits carry.
        twins = await catalog.song_outlines_by_ids(sorted(twin_ids), guild_id)
        artist_ids = sorted({c.artist_id for s in songs for c in s.credits})
        artists = {a.id: a for a in await catalog.artist_outlines_by_ids(artist_ids, guild_id)}
        return QuestionPool(songs=songs, twins=twins, artists=artists)

    async def _bracketed_titles(self) -> dict[str, list[int]]:
        """Answer key -> ids of the songs with a bracketed title of that key, every server's; read again
        when the catalog generation moved (a write here or, within a second, in another process)."""
        generation = self._store.catalog.generation  # before reading: a write meanwhile reads again next time
        if self._bracketed is None or self._bracketed[0] != generation:
            found: dict[str, list[int]] = {}
            for song_id, name in await self._store.fetch(_BRACKETED):
                if key := answer_key(name):
                    found.setdefault(key, []).append(song_id)
            self._bracketed = (generation, found)
        return self._bracketed[1]

    async def _sample(self, guild_id: int | None, count: int, rng: random.Random, fresh: Freshness, rounds: int,
                      taken: set[int], *, dated: bool) -> list[int]:
        if count <= 0:
            return []
        where = VISIBLE_SONG + (" AND (s.year IS NOT NULL OR s.release_date IS NOT NULL)" if dated else "")
        # Two sub-queries: each is one index look-up, where "min(id), max(id)" scans the table.
        lo, hi = await self._store.fetchrow(
            "SELECT (SELECT min(id) FROM songs), (SELECT max(id) FROM songs)") or (None, None)
        if lo is None or hi is None:
            return []
        every = f"SELECT s.id, s.drama_id FROM songs s WHERE {where}"
        span = hi - lo + 1
        if span <= max(SCAN_BELOW, 4 * count):
            return fresh.pick(await self._store.fetch(every, {"guild": guild_id}), count, rng, taken)
        drawn = f"SELECT s.id, s.drama_id FROM songs s WHERE s.id IN ({self._store.dialect.ids('ids')}) AND {where}"
        found: dict[int, int] = {}
        for _ in range(SAMPLE_TRIES):
            ids = rng.sample(range(lo, hi + 1), min(span, 3 * count))
            for r in await self._store.fetch(drawn, {"ids": json.dumps(ids), "guild": guild_id}):
                if r[0] not in taken:
                    found[r[0]] = r[1]
            fresh_count = sum(1 for song, drama in found.items() if fresh.fresh(song, drama))
            if len(found) >= count and fresh_count >= min(2 * rounds, count):
                return fresh.pick(found.items(), count, rng)
        # Few visible songs among the ids (other servers' songs, hidden ones), or a channel that has
        # seen most of them: read every id, as small catalogs do.
        return fresh.pick(await self._store.fetch(every, {"guild": guild_id}), count, rng, taken)

    async def seen(self, channel_id: int) -> dict[str, int]:
        """Question key -> recency (higher is more recent) for questions asked in this channel."""
        rows = await self._store.fetch(
            "SELECT question_key, seq FROM quiz_seen WHERE channel_id = ?", (channel_id,))
        return {r[0]: r[1] for r in rows}

    # -- games ----------------------------------------------------------------------------

    async def create_game(self, *, guild_id: int, channel_id: int, started_by: int, mode: str, topic: str,
                          rounds: int, seconds: int, now: dt.datetime, style: str = "classic",
                          lives: int | None = None, teams: int | None = None, questions: list[Any] | None = None,
                          state: dict[str, Any] | None = None) -> int | None:
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

    async def save_state(self, game_id: int, state: dict[str, Any], now: dt.datetime, *, message_id: int | None = None,
                         round_at: dt.datetime | None = None) -> None:
        """The game's state between events (a round posted, a hint, a team joined), in one write;
        `round_at`: when the open round was posted (its remaining time after a restart counts from it)."""
        async with self._store.transaction() as tx:
            await tx.execute(
                "UPDATE quiz_games SET state = ?, alive_at = ?, message_id = coalesce(?, message_id), "
                "round_at = coalesce(?, round_at) WHERE id = ? AND status = 'running'",
                (_json(state), now.timestamp(), message_id, round_at.timestamp() if round_at else None, game_id))

    async def add_answer(self, game_id: int, round_number: int, answer: Answer) -> None:
        """An answer to an open round, kept as it is given (it counts after a restart): one statement,
        committed when this returns. An answer already kept is left as it was (a member answers once
        per round)."""
        a = answer
        await self._store.append(
            "INSERT INTO quiz_pending_answers (game_id, round, user_id, correct, base, speed, bonus, streak, "
            "elapsed, given) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (game_id, round_number, a.user_id, int(a.correct), a.points.base, a.points.speed, a.points.streak,
             a.streak, round(a.elapsed, 3), a.given[:200]))

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
            answers = tuple(Answer(p[2], bool(p[3]), p[8], Points(p[4], p[5], p[6]), p[7], p[9])
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
                           now: dt.datetime, *, end_status: str | None = None,
                           state: dict[str, Any] | None = None) -> bool:
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
            await bump(tx, guild_id)
        return True

    async def end_game(self, game_id: int, status: str, now: dt.datetime) -> None:
        """End a game without a round to record (stopped or broken before its first reveal)."""
        if status not in END_STATUSES:
            raise ValueError(status)
        async with self._store.transaction() as tx:
            guild_id = await tx.fetchval(
                "UPDATE quiz_games SET status = ?, ended_at = ? WHERE id = ? AND status = 'running' RETURNING guild_id",
                (status, stamp(now), game_id))
            await tx.execute("DELETE FROM quiz_pending_answers WHERE game_id = ?", (game_id,))
            if guild_id is not None and status in ("finished", "idle"):   # its winners' wins count now
                await bump(tx, guild_id)

    async def interrupt_running(self, now: dt.datetime,
                                owns: Callable[[int], bool] = lambda _guild: True) -> list[InterruptedGame]:
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
                          user_id: int | None = None, rank_by: str = "points") -> list[LeaderRow]:
        """The top `limit` players since `since` (None: all time), plus `user_id`'s row if below; ranked
        by points, wins or correct answers (see RANK_BY for ties)."""
        start = to_the_minute(stamp(since) if since else "")
        ranking = await self._boards.ranking(guild_id, start, rank_by, lambda: self._ranking(guild_id, start, rank_by))
        return ranking.top(limit, user_id)

    async def _ranking(self, guild_id: int, since: str, rank_by: str) -> tuple[LeaderRow, ...]:
        """Every player of the server since `since`, ranked (see Boards: kept until the scores change)."""
        sql = _TOTALS.format(wins=_WINS.format(answers="a.guild_id = :guild").strip(), order=RANK_BY[rank_by])
        rows = await self._store.fetch(sql, {"guild": guild_id, "since": since, "limit": 2**31 - 1, "user": None})
        return tuple(LeaderRow(*r) for r in rows)

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
        kinds = await self._store.fetch(
            "SELECT r.kind, count(*), coalesce(sum(a.correct), 0) FROM quiz_answers a "
            "JOIN quiz_rounds r ON r.game_id = a.game_id AND r.number = a.round "
            "WHERE a.guild_id = ? AND a.user_id = ? GROUP BY r.kind", (guild_id, user_id))
        topics: dict[str, list[int]] = {}
        for kind, answered, correct in kinds:
            if (topic := TOPIC_OF_KIND.get(kind)) is not None:
                totals = topics.setdefault(topic, [0, 0])
                totals[0] += answered
                totals[1] += correct
        by_topic = tuple(TopicAccuracy(t, *topics[t]) for t in TOPICS if t in topics)
        wins = await self._store.fetchval(_PLAYER_WINS, {"guild": guild_id, "since": "", "user": user_id})
        return PlayerStats(row[0], row[1], row[2], row[3], row[4], favourite, int(wins or 0), by_topic)

    async def weekly_points(self, guild_id: int, user_id: int, now: dt.datetime, weeks: int = 8) -> tuple[int, ...]:
        """Points scored in each of the last `weeks` seven-day spans up to `now`, oldest first (the
        stats picture's chart); one indexed read of the member's answers, summed by day."""
        today = now.astimezone(dt.UTC).date()
        start = today - dt.timedelta(days=7 * weeks - 1)
        rows = await self._store.fetch(
            # The day as an expression, so that both engines read the member's answers by (guild, user)
            # rather than every answer of the server in the period by (guild, time).
            "SELECT substr(answered_at, 1, 10) AS day, sum(points) FROM quiz_answers "
            "WHERE guild_id = ? AND user_id = ? AND substr(answered_at, 1, 10) >= ? "
            "GROUP BY substr(answered_at, 1, 10)",
            (guild_id, user_id, start.isoformat()))
        totals = [0] * weeks
        for day, points in rows:
            back = (today - dt.date.fromisoformat(day)).days // 7
            if 0 <= back < weeks:
                totals[weeks - 1 - back] += int(points or 0)
        return tuple(totals)

    async def clear_scores(self, guild_id: int) -> int:
        """Forget every quiz answer (hence every score and leaderboard row) of one server only (an admin's
        /config reset-scores).

        Games and rounds stay, so question history is kept. Returns the number of answers removed.
        """
        async with self._store.transaction() as tx:
            removed = await tx.execute("DELETE FROM quiz_answers WHERE guild_id = ?", (guild_id,))
            await bump(tx, guild_id)
            return removed
