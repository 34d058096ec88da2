"""A child process for the crash, shutdown and backup tests: the real bot, on SimCord, on a file database
or a PostgreSQL database (DATABASE a postgresql:// URL).

    python -m tests.reliability.crash_driver DATABASE [--seed N] [--channels 3] [--members 4]
                                             [--mode play|hold|serve] [--shard-count N --shard K]

It builds a fresh simulated server (SimCord starts empty in every process; the database remembers),
starts the bot through `bot.__main__.serve_until_signalled` (the same SIGTERM/SIGINT path as
`ostbot run`), and talks to the parent on stdout, one line per event, flushed at once:

    ready <pid>                       the bot is set up (migrations, seed)
    (then it waits for one line on stdin, so the parent can inspect the database undisturbed)
    served <embed title>              /ost goblin answered with a card
    resumed <game,...|->              the games a previous process left running that this one plays on
    open <game> <round> <ids|->       (hold mode) a round is open and answered (ids: the members told
                                      "locked in"); the driver now idles
    round <game> <round> <n> <ids>    a round read back from the store after its reveal: committed
    game <game> <status>              a game ended

Modes: play (default) runs quizzes in every channel until killed; hold plays two rounds in every channel,
answers the third and waits for a signal; serve stops after `served` (and a leaderboard line).
Rounds are revealed by advancing SimCord's clock, so the child plays as fast as the machine allows.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import sys
from pathlib import Path

import simcord

from bot.__main__ import serve_until_signalled
from bot.app import open_bot
from bot.config import Settings
from bot.store.engine import number_parameters
from bot.store.postgres import is_postgres_url

SECONDS = 10  # per round (the smallest the command allows)
ROUNDS = 20   # per game
STEP = 2.0    # seconds of simulated time per step of the driver


def emit(*parts: object) -> None:
    # One write per line (print writes each part apart, and unbuffered each is a write of its own: a
    # SIGKILL between them left a report cut short).
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


def open_round_ids(message) -> list[str] | None:
    """The answer buttons' custom_ids of a round message still taking answers, else None."""
    if message is None:
        return None
    ids = [c.custom_id for row in message.components for c in row.children
           if (c.custom_id or "").startswith("quiz:a:") and not c.disabled]
    return ids or None


class Driver:
    def __init__(self, env: simcord.Env, args: argparse.Namespace) -> None:
        self.env = env
        self.rng = random.Random(args.seed)
        # In a fleet (--shard-count), the server is one of this process's shard, as Discord would route it.
        guild = env.create_guild(name="Crash Club", shard_id=args.shard if args.shard_count else None)
        self.channels = [guild.create_text_channel(f"quiz-{i}") for i in range(args.channels)]
        self.members = [guild.add_member(env.create_user(f"fan{i}")) for i in range(args.members)]
        self.reported: set[tuple[int, int]] = set()
        self.answered: set[tuple[int, int]] = set()
        self.locked: dict[tuple[int, int], list[int]] = {}
        self.games: dict[int, int] = {}  # channel id -> game id being played there

    @property
    def store(self):
        return self.env.bot.store

    async def serve(self) -> None:
        # Rounds a previous process stored were reported by it; a resumed game's next rounds are ours.
        self.reported |= {(g, n) for g, n in await self.store.fetch("SELECT game_id, number FROM quiz_rounds")}
        result = await self.members[0].slash(self.channels[0], "ost", query="goblin")
        embeds = result.response.embeds if result.response else []
        emit("served", embeds[0].title if embeds else "-")
        await self.env.advance_time(0)
        resumed = sorted(self.env.bot.get_cog("Quiz").games.runners)
        emit("resumed", ",".join(map(str, resumed)) or "-")

    async def start_games(self) -> None:
        for channel in self.channels:
            if channel.id in self.games:
                continue
            starter = self.rng.choice(self.members)
            await starter.slash(channel, "quiz start", rounds=ROUNDS, seconds=SECONDS, mode="buttons")
            game_id = await self.store.fetchval(
                "SELECT id FROM quiz_games WHERE channel_id = ? AND status = 'running'", (channel.id,))
            if game_id is not None:
                self.games[channel.id] = int(game_id)

    async def answer_open_rounds(self) -> list[tuple[int, int]]:
        """Members click on every open round not answered yet; returns those rounds (game, round).
        `self.locked[(game, round)]`: the members who were told their answer is locked in."""
        opened = []
        for channel in self.channels:
            ids = open_round_ids(channel.last_message)
            if ids is None:
                continue
            _, _, game, number, _ = ids[0].split(":")
            key = (int(game), int(number))
            if key in self.answered:
                continue
            self.answered.add(key)
            opened.append(key)
            for member in self.members:
                if self.rng.random() < 0.85:  # some skip a round, so answer counts vary
                    receipt = await member.click(channel.last_message, custom_id=self.rng.choice(ids))
                    if receipt.response is not None and "Locked in" in (receipt.response.content or ""):
                        self.locked.setdefault(key, []).append(member.id)
        return opened

    async def report(self) -> None:
        """Print every round (and ended game) the store holds that was not printed yet.

        Read through the bot's own store after the reveal: only committed rows are visible, so a
        printed round is a promise that it survives any crash from now on."""
        if not self.games:
            return
        ids = sorted(set(self.games.values()))
        marks = ",".join("?" * len(ids))
        rounds = await self.store.fetch(
            f"SELECT game_id, number FROM quiz_rounds WHERE game_id IN ({marks}) ORDER BY game_id, number", ids)
        for game_id, number in rounds:
            if (game_id, number) in self.reported:
                continue
            users = await self.store.fetch(
                "SELECT user_id FROM quiz_answers WHERE game_id = ? AND round = ? ORDER BY user_id",
                (game_id, number))
            emit("round", game_id, number, len(users), ",".join(str(u[0]) for u in users) or "-")
            self.reported.add((game_id, number))
        for game_id, status in await self.store.fetch(
                f"SELECT id, status FROM quiz_games WHERE id IN ({marks}) AND status != 'running'", ids):
            emit("game", game_id, status)
            self.games = {c: g for c, g in self.games.items() if g != game_id}

    async def play(self) -> None:
        # Small steps of the simulated clock: every round is answered within STEP seconds of being
        # posted, whatever the phase of each channel's game.
        while True:
            await self.start_games()
            await self.answer_open_rounds()
            await self.env.advance_time(STEP)
            await self.report()

    async def hold(self) -> None:
        """Play two rounds in every channel, answer the third as soon as it opens, then wait for a signal."""
        await self.start_games()
        for _ in range(200):
            await self.report()
            if len(self.reported) >= 2 * len(self.channels):
                break
            await self.answer_open_rounds()
            await self.env.advance_time(STEP)
        for _ in range(200):
            if all(open_round_ids(c.last_message) for c in self.channels):
                break
            await self.env.advance_time(0.5)
        await self.report()
        for game, number in await self.answer_open_rounds():
            emit("open", game, number, ",".join(map(str, sorted(self.locked.get((game, number), [])))) or "-")
        await asyncio.get_running_loop().create_future()  # until a signal stops the bot


async def drive(bot, args: argparse.Namespace) -> None:
    try:
        # strict_sync=False: SimCord starts empty in each process while the database remembers the
        # last sync (the playground does the same).
        async with simcord.run(bot, strict_sync=False, check_errors=False) as env:
            # SimCord's ids come from its clock: building the world one simulated second after the start, at
            # the same moment in every process, gives the server, channels and members the same ids each
            # time (a command sync at the first start allocates ids too), so a quiz a killed process left
            # running is found in its channel by the next one, as on Discord.
            await env.advance_time(1.0)
            driver = Driver(env, args)
            emit("ready", os.getpid())
            sys.stdin.readline()  # blocks the loop on purpose: nothing may run while the parent looks
            await driver.serve()
            if args.mode == "serve":
                result = await driver.members[0].slash(driver.channels[0], "quiz leaderboard")
                emit("leaderboard", len(result.response.embeds) if result.response else 0)
                return
            if args.mode == "hold":
                await driver.hold()
            else:
                await driver.play()
    finally:
        await bot.close()


async def main(args: argparse.Namespace) -> int:
    # No heartbeat: the driver's processes are told apart by their store tokens alone.
    shards = {"shard_count": args.shard_count, "shard_ids": (args.shard,)} if args.shard_count else {}
    if is_postgres_url(args.database):
        settings = Settings(database_url=args.database, heartbeat_seconds=None, **shards)
    else:
        settings = Settings(database_path=Path(args.database), heartbeat_seconds=None, **shards)
    bot = await open_bot(settings)
    await serve_until_signalled(bot, drive(bot, args))
    return 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="crash_driver")
    parser.add_argument("database")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("--mode", choices=("play", "hold", "serve"), default="play")
    parser.add_argument("--shard-count", type=int, help="run as one process of a fleet of this many shards")
    parser.add_argument("--shard", type=int, default=0, help="the one shard this process owns")
    return parser.parse_args(argv)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(asyncio.run(main(parse())))


# -- the parent's side: run the driver as a child process and check its database ---------------------

ROOT = Path(__file__).resolve().parents[2]


class Child:
    """One driver process; its stdout lines arrive through a reader thread, rounds are collected."""

    def __init__(self, database: Path | str, *options: str, seed: int = 0, logs: Path | None = None) -> None:
        """`database`: a SQLite file, or a postgresql:// URL (then `logs` names the folder for the child's log)."""
        import queue
        import subprocess
        import threading

        self.database = database
        folder = logs if logs is not None else Path(database).parent
        self.stderr_path = folder / f"child-{seed}-{os.getpid()}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "OST_"))}
        env["PYTHONPATH"] = str(ROOT)
        self._stderr = self.stderr_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_driver", str(database), "--seed", str(seed), *options],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.rounds: dict[tuple[int, int], tuple[int, ...]] = {}
        self.seen: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.endswith("\n"):  # a SIGKILL can cut the last line short ("round"): not a report
                self.lines.put(line[:-1])
        self.lines.put(None)

    def _take(self, line: str) -> None:
        self.seen.append(line)
        parts = line.split()
        if parts and parts[0] == "round":
            users = () if parts[4] == "-" else tuple(int(u) for u in parts[4].split(","))
            assert len(users) == int(parts[3]), line
            key = (int(parts[1]), int(parts[2]))
            assert key not in self.rounds, f"round reported twice: {line}"
            self.rounds[key] = users

    def expect(self, kind: str, timeout: float = 60.0) -> list[str]:
        """Read lines until one of `kind`; returns its words. Fails with the child's log otherwise."""
        import queue
        import time

        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {kind!r} line within {timeout} s\n{self.log_tail()}") from None
            if line is None:
                self.lines.put(None)
                raise AssertionError(f"child ended before a {kind!r} line\n{self.log_tail()}")
            self._take(line)
            if line.split()[:1] == [kind]:
                return line.split()

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def send_signal(self, sig: int, timeout: float = 60.0) -> int:
        """Send `sig`, wait for the exit, read every line it printed; returns the exit status."""
        self.proc.send_signal(sig)
        return self.finish(timeout)

    def kill(self) -> int:
        import signal

        return self.send_signal(signal.SIGKILL)

    def finish(self, timeout: float = 60.0) -> int:
        status = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=timeout)
        while (line := self.lines.get()) is not None:
            self._take(line)
        self.lines.put(None)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
        self._stderr.close()
        return status

    def log_tail(self, lines: int = 40) -> str:
        self._stderr.flush()
        text = self.stderr_path.read_text(errors="replace").splitlines()
        return "child stderr:\n" + "\n".join(text[-lines:])


def read_only(database: Path):
    """A read-only connection: it never checkpoints, so the next bot start does its own WAL recovery."""
    import sqlite3

    return sqlite3.connect(f"file:{database}?mode=ro", uri=True)


class PostgresReader:
    """The parent's own connection to a PostgreSQL database, driven synchronously (the crash tests are
    plain functions): `rows(sql, params)` with the store's `?` parameters, like sqlite3's."""

    def __init__(self, url: str) -> None:
        import asyncpg

        self.loop = asyncio.new_event_loop()
        self.conn = self.loop.run_until_complete(asyncpg.connect(url))

    def rows(self, sql: str, params=()) -> list[tuple]:
        numbered = number_parameters(sql)
        return [tuple(r) for r in self.loop.run_until_complete(self.conn.fetch(numbered.sql, *numbered.args(params)))]

    def close(self) -> None:
        try:
            self.loop.run_until_complete(self.conn.close())
        finally:
            self.loop.close()


class SqliteReader:
    def __init__(self, database: Path) -> None:
        self.conn = read_only(database)

    def rows(self, sql: str, params=()) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self.conn.close()


def reader(database: Path | str) -> PostgresReader | SqliteReader:
    return PostgresReader(database) if is_postgres_url(database) else SqliteReader(Path(database))


def query(database: Path | str, sql: str, params=()) -> list[tuple]:
    """Every row of one query, on a read-only connection closed at once (a SQLite file or a URL)."""
    db = reader(database)
    try:
        return db.rows(sql, params)
    finally:
        db.close()


def assert_wal_checkpointed(database: Path) -> None:
    """The store closed cleanly: its write-ahead log is gone or empty."""
    wal = database.with_name(database.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0, "the write-ahead log was not checkpointed"


def check_database(database: Path | str, reported: dict[tuple[int, int], tuple[int, ...]]) -> dict[str, object]:
    """What must hold after any crash. Returns the ids of games left 'running' and a few counts.

    On SQLite also `PRAGMA integrity_check` and `foreign_key_check`; PostgreSQL checks its constraints
    as it writes (and the database there exists before the first start: the test makes it)."""
    postgres = is_postgres_url(database)
    nothing = {"running": set(), "rounds": 0, "answers": 0}
    if not postgres and not Path(database).exists():  # killed before the store was first opened
        assert not reported
        return nothing
    db = reader(database)
    try:
        if postgres:
            tables = {r[0] for r in db.rows("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
        else:
            assert db.rows("PRAGMA integrity_check") == [("ok",)]
            assert db.rows("PRAGMA foreign_key_check") == []
            tables = {r[0] for r in db.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "quiz_rounds" not in tables:  # killed before the first migration committed
            assert not reported
            return nothing
        for (game, number), users in reported.items():
            rows = db.rows("SELECT answers FROM quiz_rounds WHERE game_id = ? AND number = ?", (game, number))
            assert rows == [(len(users),)], f"reported round {game}/{number} stored as {rows}"
            stored = db.rows("SELECT user_id FROM quiz_answers WHERE game_id = ? AND round = ? "
                             "ORDER BY user_id", (game, number))
            assert tuple(u for (u,) in stored) == users, f"round {game}/{number}: {stored} != {users}"
        half = db.rows(
            "SELECT r.game_id, r.number, r.answers, count(a.user_id) FROM quiz_rounds r "
            "LEFT JOIN quiz_answers a ON a.game_id = r.game_id AND a.round = r.number "
            "GROUP BY r.game_id, r.number, r.answers HAVING r.answers != count(a.user_id)")
        assert half == [], f"rounds whose answers are not all stored: {half}"
        orphans = db.rows(
            "SELECT count(*) FROM quiz_answers a WHERE NOT EXISTS "
            "(SELECT 1 FROM quiz_rounds r WHERE r.game_id = a.game_id AND r.number = a.round)")[0][0]
        assert orphans == 0, f"{orphans} answers without their round"
        progress = db.rows(
            "SELECT g.id, g.rounds_played, count(r.number), coalesce(max(r.number), 0) FROM quiz_games g "
            "LEFT JOIN quiz_rounds r ON r.game_id = g.id GROUP BY g.id, g.rounds_played "
            "HAVING g.rounds_played != count(r.number) OR count(r.number) != coalesce(max(r.number), 0)")
        assert progress == [], f"games whose progress disagrees with their rounds: {progress}"
        running = {g for (g,) in db.rows("SELECT id FROM quiz_games WHERE status = 'running'")}
        rounds = db.rows("SELECT count(*) FROM quiz_rounds")[0][0]
        answers = db.rows("SELECT count(*) FROM quiz_answers")[0][0]
        return {"running": running, "rounds": rounds, "answers": answers}
    finally:
        db.close()


def game_statuses(database: Path | str, ids) -> dict[int, tuple[str, str | None]]:
    return {g: (s, e) for g, s, e in query(database, "SELECT id, status, ended_at FROM quiz_games")
            if g in set(ids)}
