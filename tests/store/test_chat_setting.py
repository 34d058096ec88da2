"""The server setting for talking to the bot (`/config chat`), on both engines: on by default, off
and on again, kept in the database."""

from __future__ import annotations

import pytest

from bot.store import Store

pytestmark = pytest.mark.both_engines


async def test_chat_is_on_by_default_and_a_change_is_kept(store, database):
    assert (await store.guilds.get(5)).chat_enabled is True
    assert (await store.guilds.update(5, chat_enabled=False)).chat_enabled is False
    assert (await store.guilds.get(6)).chat_enabled is True  # another server keeps the default
    await store.close()
    again = await Store.open(database)
    try:
        assert (await again.guilds.get(5)).chat_enabled is False
        assert (await again.guilds.update(5, chat_enabled=True)).chat_enabled is True
    finally:
        await again.close()
