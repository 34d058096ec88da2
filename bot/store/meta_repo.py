"""Key/value bookkeeping: the command-tree hash, the seeded catalog's digest and version."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .connection import Store


class MetaRepo:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, key: str) -> str | None:
        value: str | None = await self._store.fetchval("SELECT value FROM meta WHERE key = ?", (key,))
        return value

    async def set(self, key: str, value: str) -> None:
        async with self._store.transaction() as tx:
            await tx.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
