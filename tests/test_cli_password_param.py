"""A PostgreSQL password given as a query parameter (`?password=…`, which libpq and asyncpg accept)
is masked wherever `user:password@` is: `db check`, `status`, the `db backup` refusal's pg_dump
command and the newer-schema error. Real processes, on the throwaway test server (which trusts local
connections, so any password connects)."""

from __future__ import annotations

import os
import subprocess
import sys

import asyncpg
import pytest

SECRET = "qu3ry-s3cret"


@pytest.fixture
def pg_url(postgres_url):
    return f"{postgres_url}{'&' if '?' in postgres_url else '?'}password={SECRET}"


def run(args, cwd, url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "OST_", "PG"))}
    env["OST_DATABASE_URL"] = url
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


async def test_a_query_password_is_never_printed(pg_url, postgres_url, tmp_path):
    check = run(["db", "check"], tmp_path, pg_url)
    assert check.returncode == 0, check.stderr
    assert "password=***" in check.stdout
    status = run(["status"], tmp_path, pg_url)
    assert "password=***" in status.stdout
    backup = run(["db", "backup", "copy.db"], tmp_path, pg_url)
    assert backup.returncode == 2 and "pg_dump --format=custom" in backup.stderr
    assert "password=***" in backup.stderr
    conn = await asyncpg.connect(postgres_url)
    try:
        await conn.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'from_the_future')")
    finally:
        await conn.close()
    newer = run(["db", "check"], tmp_path, pg_url)
    assert newer.returncode != 0 and "schema version 999" in newer.stderr and "Traceback" not in newer.stderr
    for result in (check, status, backup, newer):
        assert SECRET not in result.stdout + result.stderr
