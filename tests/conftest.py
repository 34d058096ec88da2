"""Shared fixtures. Behaviour tests drive the real bot through SimCord (`simcord_env`).

`engine` is "sqlite" or "postgres": the `database`, `settings` and `store` fixtures follow it. Tests
run on SQLite; modules marked `both_engines` run on PostgreSQL too, and OST_TEST_ENGINES=both
(`.ci/run`) runs every such test on both engines.
"""

from __future__ import annotations

import os
from pathlib import Path

import discord
import pytest

from bot.app import open_bot
from bot.config import Settings
from bot.store import Store

from . import postgres_server
from .musicbrainz.standin import musicbrainz  # noqa: F401  (the MusicBrainz stand-in, for every test)


def pytest_sessionfinish(session, exitstatus):
    """Safety net: stop every aiosqlite worker thread still running, whoever opened it.

    A connection left open (a test that opened a store outside the fixtures, a bot SimCord never
    closed) keeps a non-daemon thread alive, and pytest would print its summary and never exit.
    """
    import gc

    import aiosqlite

    for obj in gc.get_objects():
        if isinstance(obj, aiosqlite.Connection) and getattr(obj, "_running", False):
            obj.stop()
    postgres_server.drop_seeded_template()


def pytest_generate_tests(metafunc):
    """`engine` runs over sqlite (and postgres where asked); a test naming its own engines keeps them."""
    chosen = any("engine" in mark.args[0] for mark in metafunc.definition.iter_markers("parametrize"))
    if "engine" in metafunc.fixturenames and not chosen:
        both = os.environ.get("OST_TEST_ENGINES") == "both" or metafunc.definition.get_closest_marker("both_engines")
        metafunc.parametrize("engine", ["sqlite", "postgres"] if both else ["sqlite"])


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    return postgres_server.server_url()


@pytest.fixture
async def postgres_url(postgres_admin_url):
    """A new, empty PostgreSQL database on the test server (dropped after the test)."""
    async with postgres_server.throwaway_database(postgres_admin_url) as url:
        yield url


@pytest.fixture
async def postgres_seeded_url(postgres_admin_url):
    """A new PostgreSQL database, migrated and seeded with the shipped catalog (dropped after the test)."""
    async with postgres_server.throwaway_database(postgres_admin_url, seeded=True) as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_seeded_template(tmp_path_factory) -> Path:
    """A SQLite database migrated and seeded with the shipped catalog by this checkout's code, once per
    test session (per worker); `database` copies it."""
    import asyncio
    import threading

    from bot.catalog.seedfile import load_catalog

    path = tmp_path_factory.mktemp("template") / "ost.db"

    async def build() -> None:
        store = await Store.open(path)
        try:
            await store.catalog.seed(load_catalog())
        finally:
            await store.close()

    # A thread of its own: a session fixture may be set up while a test's event loop is running.
    worker = threading.Thread(target=asyncio.run, args=(build(),))
    worker.start()
    worker.join()
    assert path.exists() and not path.with_name("ost.db-wal").exists(), "the template must be checkpointed"
    return path


@pytest.fixture
def database(engine: str, tmp_path: Path, request):
    """What `Store.open` takes: a database already migrated and seeded with the shipped catalog, as a first
    start leaves it (a copy of a template: a tenth of the cost of doing both again). SQLite: a file in
    `tmp_path`; PostgreSQL: the URL of a database dropped after the test. Tests of migrating or seeding a new
    database take `tmp_path / "…"` or `postgres_url`, which are empty."""
    if engine == "sqlite":
        import shutil

        path = tmp_path / "ost.db"
        shutil.copyfile(request.getfixturevalue("sqlite_seeded_template"), path)
        return path
    return request.getfixturevalue("postgres_seeded_url")


@pytest.fixture
def settings(database, tmp_path: Path) -> Settings:
    """The bot's settings on the test's database; no heartbeat (a test that needs one asks for it)."""
    if isinstance(database, Path):
        return Settings(database_path=database, heartbeat_seconds=None)
    return Settings(database_path=tmp_path / "ost.db", database_url=database, heartbeat_seconds=None)


@pytest.fixture
async def simcord_bot(settings: Settings):
    bot = await open_bot(settings)
    yield bot
    # SimCord's shutdown never calls bot.close(): close the store here, before the test database goes.
    if not bot.store.closed:
        await bot.store.close()


@pytest.fixture
async def store(database):
    """A migrated, seeded store on a temporary database, for store and domain tests."""
    from bot.catalog.seedfile import load_catalog

    s = await Store.open(database)
    await s.catalog.seed(load_catalog())
    try:
        yield s
    finally:
        await s.close()


class World:
    """One server with a #general channel, an admin (Manage Server) and two members."""

    def __init__(self, env) -> None:
        self.env = env
        self.guild = env.create_guild(name="K-Drama Club")
        self.channel = self.guild.create_text_channel("general")
        admins = self.guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
        self.admin = self.guild.add_member(env.create_user("admin"), roles=[admins])
        self.alice = self.guild.add_member(env.create_user("alice"))
        self.bob = self.guild.add_member(env.create_user("bob"))

    @property
    def store(self) -> Store:
        return self.env.bot.store


@pytest.fixture
def world(simcord_env) -> World:
    return World(simcord_env)
