"""Database faults on PostgreSQL, through SimCord: what a member sees when the bot's connections die.

- Every backend of the bot's database is terminated (`pg_terminate_backend`) while a command runs:
  the member gets the ephemeral "try again", nothing is logged with a traceback, the data is as it
  was, and the next command works (the pool replaced its connections by itself).

The server stopped and started again under the running bot: test_postgres_restart.py.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import asyncpg
import pytest

from bot.app import open_bot
from bot.config import Settings
from bot.store import StoreUnavailable
from tests.cogs.quiz_helpers import button_ids, count, message_by_id, only_game, session_of
from tests.reliability.conftest import swallowed

# PostgreSQL only, and already run by `make test`: `.ci/run`'s second pass (every other engine test
# on PostgreSQL) leaves it out.
pytestmark = pytest.mark.both_engines

TRY_AGAIN = "Discord had trouble delivering my reply just now. Please try again in a moment."


@pytest.fixture
def capture(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def last_warning(caplog) -> str:
    """The last WARNING-or-above message (the store's own INFO lines, such as the change listener
    reconnecting after the kill, may come after it)."""
    return [r for r in caplog.records if r.levelno >= logging.WARNING][-1].getMessage()


def assert_quiet(caplog, count: int) -> None:
    """Exactly `count` WARNING records, nothing at ERROR or above, no traceback anywhere."""
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.levelname for r in loud] == ["WARNING"] * count, [(r.name, r.getMessage()) for r in loud]
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records if r.exc_info]


async def terminate_backends(admin_url: str, url: str) -> int:
    """Terminate every server process connected to `url`'s database (waiting until each has exited);
    returns how many there were. The admin connection is to another database, and excluded anyway."""
    name = urlsplit(url).path.lstrip("/")
    admin = await asyncpg.connect(admin_url)
    try:
        return await admin.fetchval(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()", name)
    finally:
        await admin.close()


class Killer:
    """Terminates every backend of the bot's database the next time the bot takes a connection from
    its pool, after taking it: the command's first statement then meets a connection the server has
    closed, as when the server drops it mid-command. One shot per `arm()`."""

    def __init__(self, admin_url: str, url: str, database, monkeypatch) -> None:
        self.admin_url, self.url = admin_url, url
        self.armed = False
        self.killed: list[int] = []
        real = database._connection  # every session and one-query read takes its connection here

        @asynccontextmanager
        async def connection():
            async with real() as conn:
                if self.armed:
                    self.armed = False
                    self.killed.append(await terminate_backends(self.admin_url, self.url))
                yield conn

        monkeypatch.setattr(database, "_connection", connection)

    def arm(self) -> None:
        self.armed = True


@pytest.fixture
async def simcord_bot(postgres_url, tmp_path):
    """The bot on PostgreSQL (this module's tests are about PostgreSQL's faults only)."""
    bot = await open_bot(Settings(database_path=tmp_path / "unused.db", database_url=postgres_url,
                               heartbeat_seconds=None))
    yield bot
    if not bot.store.closed:
        await bot.store.close()


@pytest.fixture
def killer(simcord_env, postgres_admin_url, postgres_url, monkeypatch) -> Killer:
    assert simcord_env.bot.store.engine == "postgres"
    return Killer(postgres_admin_url, postgres_url, simcord_env.bot.store.db, monkeypatch)


def assert_killed(killer: Killer) -> None:
    """The trap went off (the command did take a connection) and it had backends to terminate."""
    assert len(killer.killed) == 1 and killer.killed[0] >= 1, killer.killed


async def test_ost_whose_connection_dies_says_try_again_and_the_next_works(simcord_env, world, killer, capture):
    env = simcord_env
    assert (await world.alice.slash(world.channel, "ost", query="goblin")).response.embeds  # settings cached
    before = await world.store.content_hash()
    capture.clear()
    errors = env.error_cursor
    killer.arm()
    # A query not looked up before: its search and card are read from the database, not a cache.
    failed = await world.alice.slash(world.channel, "ost", query="crash landing")
    assert_killed(killer)
    assert failed.ephemeral and failed.response.content == TRY_AGAIN
    assert [type(e) for e in swallowed(env, errors)] == [StoreUnavailable]
    assert_quiet(capture, 1)
    assert "/ost" in last_warning(capture)
    assert await world.store.content_hash() == before
    for member in (world.alice, world.bob):  # the pool hands out working connections again
        worked = await member.slash(world.channel, "ost", query="crash landing")
        assert not worked.ephemeral and "Crash Landing" in str(worked.response.embeds[0].to_dict())
    assert_quiet(capture, 1)


async def test_a_connection_dying_in_the_cooldown_check_says_try_again(simcord_env, world, killer, capture):
    """The server's settings are not cached yet: the tree's cooldown check reads them, and meets the
    dead connection (discord.py passes only its own errors out of a check to the error handler)."""
    env = simcord_env
    errors = env.error_cursor
    capture.clear()
    killer.arm()
    failed = await world.alice.slash(world.channel, "ost", query="goblin")
    assert_killed(killer)
    assert failed.ephemeral and failed.response.content == TRY_AGAIN
    assert [type(e) for e in swallowed(env, errors)] == [StoreUnavailable]
    assert_quiet(capture, 1)
    assert (await world.alice.slash(world.channel, "ost", query="goblin")).response.embeds


async def test_a_config_write_whose_connection_dies_changes_nothing(simcord_env, world, killer, capture):
    env = simcord_env
    shown = await world.admin.slash(world.channel, "config show")  # settings cached: the kill meets the write
    assert shown.ephemeral
    before = await world.store.content_hash()
    capture.clear()
    errors = env.error_cursor
    killer.arm()
    failed = await world.admin.slash(world.channel, "config quiz", rounds=7, seconds=45)
    assert_killed(killer)
    assert failed.ephemeral and failed.response.content == TRY_AGAIN
    assert [type(e) for e in swallowed(env, errors)] == [StoreUnavailable]
    assert_quiet(capture, 1)
    assert await world.store.content_hash() == before  # the write was rolled back whole
    assert (await world.store.guilds.get(world.guild.id)).quiz_rounds == 5

    saved = await world.admin.slash(world.channel, "config quiz", rounds=7, seconds=45)
    assert saved.ephemeral and saved.response.content != TRY_AGAIN
    settings = await world.store.guilds.get(world.guild.id)
    assert (settings.quiz_rounds, settings.quiz_seconds) == (7, 45)
    assert_quiet(capture, 1)


async def test_autocomplete_on_a_dead_connection_is_one_line_without_traceback(simcord_env, world, killer, capture):
    assert (await world.alice.slash(world.channel, "ost", query="goblin")).response.embeds  # settings cached
    capture.clear()
    killer.arm()
    assert await world.alice.autocomplete(world.channel, "ost", "query", "crash") == []  # no answer went out
    assert_killed(killer)
    assert_quiet(capture, 1)
    assert last_warning(capture).startswith("autocomplete for /ost: ")
    choices = await world.alice.autocomplete(world.channel, "ost", "query", "crash")
    assert any("Crash Landing" in c["name"] for c in choices)
    assert_quiet(capture, 1)


async def test_a_quiz_round_whose_write_dies_is_written_again_whole(simcord_env, world, killer, capture):
    """Answers are kept as they are given (before the receipt); the round is written at its end, in one
    transaction. When that connection dies nothing of it is half written: the write is made again at
    once on a new connection, in one warning, and the quiz goes on (no pause for a blip)."""
    env = simcord_env
    started = await world.alice.slash(world.channel, "quiz start", rounds=2, seconds=10, mode="buttons")
    assert not started.ephemeral
    session = session_of(env, world.channel)
    message = world.channel.last_message
    ids = button_ids(message)
    receipts = [await world.alice.click(message, custom_id=ids[session.question.correct]),
                await world.bob.click(message, custom_id=ids[(session.question.correct + 1) % 4])]
    assert all(r.ephemeral and "Locked in" in r.response.content for r in receipts)
    assert await count(world.store, "quiz_pending_answers") == 2
    capture.clear()
    killer.arm()
    await env.advance_time(10)
    assert_killed(killer)
    assert_quiet(capture, 1)
    assert "trying again at once" in last_warning(capture)
    assert await only_game(world.store, session.game_id) == ("running", 1)
    assert await count(world.store, "quiz_rounds") == 1
    assert await count(world.store, "quiz_answers") == 2
    assert await count(world.store, "quiz_pending_answers") == 0
    assert not any("paused" in (m.content or "") for m in world.channel.history())
    assert "the answer" in message_by_id(world.channel, message.id).embeds[0].title
