"""The store's fault injection (`Store.fail_writes`: every write refused, reads served) on both engines,
and `write_failure`, which tells a database that cannot take a write from a bug."""

from __future__ import annotations

import errno
import sqlite3

import asyncpg
import pytest

from bot.store import Conflict, StoreError, StoreUnavailable, write_failure
from bot.store.failures import FAILED, FULL, READ_ONLY, UNREACHABLE

pytestmark = pytest.mark.both_engines


async def test_injected_write_faults_refuse_every_write_and_serve_reads(store):
    before = await store.content_hash()
    settings = await store.guilds.get(7)
    store.fail_writes(lambda: sqlite3.OperationalError("database or disk is full"))
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        await store.guilds.update(7, cooldown_seconds=30)
    with pytest.raises(sqlite3.OperationalError):
        await store.append("DELETE FROM quiz_games")
    assert await store.guilds.get(7) == settings
    assert await store.content_hash() == before
    store.fail_writes(None)
    await store.guilds.update(7, cooldown_seconds=30)
    assert (await store.guilds.get(7)).cooldown_seconds == 30


@pytest.mark.parametrize(("error", "expected"), [
    (sqlite3.OperationalError("database or disk is full"), FULL),
    (sqlite3.OperationalError("attempt to write a readonly database"), READ_ONLY),
    (sqlite3.OperationalError("disk I/O error"), FAILED),
    (sqlite3.DatabaseError("file is not a database"), FAILED),
    (OSError(errno.ENOSPC, "No space left on device"), FULL),
    (OSError(errno.EROFS, "Read-only file system"), READ_ONLY),
    (asyncpg.exceptions.DiskFullError("could not extend file"), FULL),
    (asyncpg.exceptions.ReadOnlySQLTransactionError("read-only transaction"), READ_ONLY),
    (asyncpg.exceptions.AdminShutdownError("terminating connection"), FAILED),
    (StoreUnavailable("the database connection failed"), UNREACHABLE),
    (StoreError("something about the database"), FAILED),
    # Bugs and broken rules are not the database failing: nobody waits for them to go away.
    (Conflict("duplicate key"), None),
    (sqlite3.IntegrityError("UNIQUE constraint failed"), None),
    (sqlite3.ProgrammingError("Incorrect number of bindings"), None),
    (asyncpg.exceptions.UndefinedColumnError("column does not exist"), None),
    (asyncpg.exceptions.UniqueViolationError("duplicate key"), None),
    (ValueError("bad value"), None),
    (KeyError("x"), None),
], ids=repr)
def test_write_failure_tells_a_failing_database_from_a_bug(error, expected):
    assert write_failure(error) == expected
