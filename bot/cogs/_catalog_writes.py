"""The one way a cog writes to a server's own catalog (/catalog add, remove, restore, import, and a
MusicBrainz fetch): the write rate first, then the store's refusals turned into replies."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from ..catalog.limits import CatalogWritesTooFast, ServerSongLimit
from ..catalog.service import CatalogService
from ..errors import UserError
from ..store import DiskFull

log = logging.getLogger(__name__)


@contextmanager
def server_write(catalog: CatalogService, guild_id: int) -> Iterator[None]:
    """Around a write to this server's catalog: refused (UserError) past OST_CATALOG_WRITES_PER_MINUTE
    before it starts; past OST_MAX_SERVER_SONGS (the store rolls the whole write back) or on a full
    disk, said so instead of "something went wrong"."""
    try:
        catalog.admit_write(guild_id)
    except CatalogWritesTooFast as exc:
        raise UserError("admin.catalog.too_fast", seconds=int(exc.retry_after)) from None
    try:
        yield
    except ServerSongLimit as exc:
        raise UserError("admin.catalog.too_many_songs", limit=exc.limit, songs=exc.songs,
                        adding=exc.adding) from None
    except DiskFull:
        log.error("server %s: the disk is full; nothing of its catalog write was kept", guild_id)
        raise UserError("admin.catalog.disk_full") from None
