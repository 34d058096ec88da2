"""Fixtures of the store tests."""

from __future__ import annotations

import pytest

from bot.store import Store


@pytest.fixture
async def two_stores(store, database):
    """Two stores on one database, standing for two bot processes (on PostgreSQL they share nothing but
    the server; on SQLite two connections to one file)."""
    other = await Store.open(database)
    try:
        yield store, other
    finally:
        await other.close()
