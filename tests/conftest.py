"""Shared fixtures. Behaviour tests drive the real bot through SimCord (`simcord_env`)."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest

from bot.app import create_bot
from bot.config import Settings
from bot.store import Store


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


@pytest.fixture(autouse=True)
async def close_stores_left_open():
    """SimCord's shutdown never calls bot.close(): close every store the test opened."""
    yield
    for store in list(Store.open_stores):
        await store.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_path=tmp_path / "ost.db")


@pytest.fixture
def simcord_bot(settings: Settings):
    return create_bot(settings)


@pytest.fixture
async def store(tmp_path: Path):
    """A migrated, seeded store on a temporary file, for store and domain tests."""
    from bot.catalog.seedfile import load_catalog

    s = await Store.open(tmp_path / "store.db")
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
