"""Closing the store: once, whatever races it, and never leaving a connection's thread behind.

aiosqlite runs each connection on a thread that is not a daemon; a close cut short leaves it waiting
for work, and the process can then never exit (the shutdown probe found a child hung that way)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest

from bot.store.connection import Store, StoreError

pytestmark = pytest.mark.both_engines


def store_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t not in before and not t.daemon]


async def test_a_close_cancelled_while_a_transaction_runs_still_ends_every_thread(tmp_path):
    before = set(threading.enumerate())
    store = await Store.open(tmp_path / "ost.db")
    assert len(store_threads(before)) >= 2  # the writer's and the reader's

    inside, release = asyncio.Event(), asyncio.Event()

    async def slow_write():
        async with store.transaction() as tx:
            await tx.execute("INSERT INTO meta(key, value) VALUES ('probe', '1')")
            inside.set()
            await release.wait()

    writer = asyncio.create_task(slow_write())
    await inside.wait()
    closing = asyncio.create_task(store.close())
    await asyncio.sleep(0)  # the close is now waiting for the transaction (one loop turn, no clock)
    closing.cancel()
    release.set()
    await asyncio.gather(writer, closing, return_exceptions=True)
    await asyncio.shield(store.db._closing)  # the close itself went on

    for thread in store_threads(before):
        thread.join(timeout=10)
    assert store_threads(before) == []
    assert store.closed
    conn = sqlite3.connect(tmp_path / "ost.db")
    try:  # the transaction in flight finished before the close
        assert conn.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone() == ("1",)
    finally:
        conn.close()


async def test_the_close_itself_cancelled_still_tells_every_thread_to_stop(tmp_path):
    """asyncio.run cancels every task left at exit, the store's close among them."""
    before = set(threading.enumerate())
    store = await Store.open(tmp_path / "ost.db")
    async with store.db._write_lock:  # the close waits here, and is cancelled here
        closing = asyncio.create_task(store.close())
        await asyncio.sleep(0)
        store.db._closing.cancel()
        await asyncio.gather(closing, return_exceptions=True)
    for thread in store_threads(before):
        thread.join(timeout=10)
    assert store_threads(before) == []


async def test_concurrent_closes_share_one_close_and_writes_are_refused(tmp_path):
    store = await Store.open(tmp_path / "ost.db")
    first, second = store.close(), store.close()
    await asyncio.gather(first, second)
    assert store.closed
    try:
        async with store.transaction():
            raise AssertionError("a closed store must refuse writes")
    except StoreError as exc:
        assert "closed" in str(exc)
