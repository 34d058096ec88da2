"""Forward-only migrations: one runner for both engines, with small hooks per engine.

Migrations are the `migrations/{engine}/V{n}__name.sql` files, numbered 1..N without gaps, the same
versions on both engines. The runner holds the engine's migration lock, reads the recorded version,
refuses a schema newer than the code (changing nothing), backs up a database that already has a schema
(where the engine can), then applies the pending migrations in order, each with its version record in
one transaction: a failed one is rolled back whole and leaves the version before it. Never a reset.
"""

from __future__ import annotations

import logging
import re
from contextlib import AbstractAsyncContextManager
from importlib import resources
from typing import Protocol

from .engine import Migration, MigrationError, SchemaTooNewError

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^V(\d+)__([a-z0-9_]+)\.sql$")


def available_migrations(engine: str = "sqlite") -> list[Migration]:
    """Every shipped migration of one engine, in order; versions must run 1..N without gaps."""
    folder = resources.files("bot.store").joinpath("migrations", engine)
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    expected = list(range(1, len(found) + 1))
    if [m.version for m in found] != expected:
        raise MigrationError(f"migrations must be numbered 1..{len(found)} without gaps: "
                             f"{[m.version for m in found]}")
    return found


class Migrator(Protocol):
    """One engine's part of migrating. `version`, `backup` and `apply` are called inside `locked()`."""

    label: str  # the database, for messages
    advice: str  # what to do about a schema newer than the code
    errors: tuple[type[BaseException], ...]  # what a failed migration raises (the engine's SQL errors)

    def locked(self) -> AbstractAsyncContextManager[None]:
        """Held while migrating, so that migrations run one process (and one task) at a time."""
        ...

    async def version(self) -> int:
        """The recorded schema version, 0 for a new database."""
        ...

    async def backup(self, version: int) -> None:
        """Called before migrating a database that has a schema (`version` > 0)."""
        ...

    async def apply(self, migration: Migration) -> None:
        """Run the migration and record its version, in one transaction (rolled back whole if it fails)."""
        ...


async def migrate(migrator: Migrator, migrations: list[Migration]) -> list[int]:
    """Apply the pending `migrations` in order, each in its own transaction. Returns those applied."""
    latest = migrations[-1].version if migrations else 0
    async with migrator.locked():
        current = await migrator.version()
        if current > latest:
            raise SchemaTooNewError(
                f"The database {migrator.label} has schema version {current}, but this version of the bot "
                f"only knows versions up to {latest}. {migrator.advice}; nothing was changed.")
        pending = [m for m in migrations if m.version > current]
        if pending and current > 0:
            await migrator.backup(current)
        applied = []
        for migration in pending:
            try:
                await migrator.apply(migration)
            except migrator.errors as exc:
                raise MigrationError(
                    f"migration V{migration.version}__{migration.name} failed and was rolled back: {exc}"
                ) from exc
            log.info("applied migration V%d__%s", migration.version, migration.name)
            applied.append(migration.version)
        return applied
