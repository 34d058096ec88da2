"""Per-server settings: one row per server, defaults until an admin changes something."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from .times import stamp

if TYPE_CHECKING:
    from .connection import Store
    from .engine import Session


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    language: str = "auto"
    quiz_rounds: int = 5
    quiz_seconds: int = 20
    quiz_mode: str = "buttons"
    quiz_channel_id: int | None = None
    random_ballads_only: bool = True
    cooldown_seconds: int = 0
    manager_role_id: int | None = None
    daily_channel_id: int | None = None
    daily_hour: int | None = None
    daily_timezone: str = "UTC"
    daily_last_date: str | None = None
    daily_error: str | None = None
    chat_enabled: bool = True   # members may talk to the bot in mentions, replies and DMs


_COLUMNS = tuple(f.name for f in fields(GuildSettings))
_KEEP: Any = object()   # record_daily_outcome: leave the handled date as it is


class GuildRepo:
    """Settings are read on every command (language, cooldown), so they are cached in memory.

    The cache is dropped whenever the store has written anything since it was filled
    (`Store.writes`): every write goes through the store, so a cached value is never stale
    in this process, whichever repository wrote the row.
    """

    CACHE_LIMIT = 10_000

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache: dict[int, GuildSettings] = {}
        self._cache_writes = -1

    async def get(self, guild_id: int | None) -> GuildSettings:
        """This server's settings; the defaults when it has none (or outside a server)."""
        if guild_id is None:
            return GuildSettings(guild_id=0)
        if self._cache_writes != self._store.writes:
            self._cache.clear()
            self._cache_writes = self._store.writes
        cached = self._cache.get(guild_id)
        if cached is None:
            writes = self._store.writes
            cached = await self._read(guild_id)
            if writes == self._store.writes and self._cache_writes == writes:  # nothing written meanwhile
                if len(self._cache) >= self.CACHE_LIMIT:
                    self._cache.clear()
                self._cache[guild_id] = cached
        return cached

    async def _read(self, guild_id: int) -> GuildSettings:
        row = await self._store.fetchrow(
            f"SELECT {', '.join(_COLUMNS)} FROM guild_settings WHERE guild_id = ?", (guild_id,))
        if row is None:
            return GuildSettings(guild_id=guild_id)
        values = dict(zip(_COLUMNS, row, strict=True))
        values["random_ballads_only"] = bool(values["random_ballads_only"])
        values["chat_enabled"] = bool(values["chat_enabled"])
        return GuildSettings(**values)

    async def update(self, guild_id: int, **changes: Any) -> GuildSettings:
        """Change some settings in one transaction; unknown names are a programming error."""
        unknown = set(changes) - set(_COLUMNS) - {"guild_id"}
        if unknown:
            raise KeyError(f"unknown settings: {sorted(unknown)}")
        if not changes:
            return await self.get(guild_id)
        names = sorted(changes)
        assignments = ", ".join(f"{n} = excluded.{n}" for n in names)
        async with self._store.transaction() as tx:
            await tx.execute(
                f"INSERT INTO guild_settings (guild_id, {', '.join(names)}, updated_at) "
                f"VALUES (?, {', '.join('?' for _ in names)}, ?) "
                f"ON CONFLICT (guild_id) DO UPDATE SET {assignments}, "
                "updated_at = excluded.updated_at",
                (guild_id, *(changes[n] for n in names), stamp(dt.datetime.now(dt.UTC))))
            await self._store.changed(tx, "settings")
        return await self.get(guild_id)

    async def all_with(self, column: str) -> list[GuildSettings]:
        """Every server whose `column` is set (e.g. daily_channel_id for the daily post)."""
        if column not in _COLUMNS:
            raise KeyError(column)
        rows = await self._store.fetch(
            f"SELECT guild_id FROM guild_settings WHERE {column} IS NOT NULL ORDER BY guild_id")
        return [await self.get(row[0]) for row in rows]

    # -- the song of the day's bookkeeping, inside the daily repository's transactions --------------

    async def advance_daily_date(self, tx: Session, guild_id: int, day: str) -> bool:
        """Mark `day` handled for this server, unless it (or a later day) already was."""
        claimed = await tx.execute(
            "UPDATE guild_settings SET daily_last_date = :day WHERE guild_id = :guild "
            "AND (daily_last_date IS NULL OR daily_last_date < :day)", {"day": day, "guild": guild_id})
        if claimed:
            await self._store.changed(tx, "settings")
        return bool(claimed)

    async def record_daily_outcome(self, tx: Session, guild_id: int, error: str | None, *,
                                   handled_date: str | None = _KEEP) -> None:
        """The last post's error (None: it went out); `handled_date` given, the handled date goes back to it."""
        if handled_date is _KEEP:
            await tx.execute("UPDATE guild_settings SET daily_error = ? WHERE guild_id = ?", (error, guild_id))
        else:
            await tx.execute("UPDATE guild_settings SET daily_error = ?, daily_last_date = ? WHERE guild_id = ?",
                             (error, handled_date, guild_id))
        await self._store.changed(tx, "settings")
