"""Why a write failed, when the database could not take it (a full disk, a read-only file or server, a
lost connection, an I/O error), as opposed to a bug or a broken constraint. A writer that can wait (a
quiz closing its round) waits and tries again for the first kind only.

Both engines, without importing asyncpg: a PostgreSQL server error carries its SQLSTATE code."""

from __future__ import annotations

import errno
import sqlite3

from .engine import Conflict, StoreError, StoreUnavailable

FULL, READ_ONLY, UNREACHABLE, FAILED = "full", "read_only", "unreachable", "failed"

# SQLSTATE classes of a server that cannot take a write now: connection exception, insufficient
# resources, operator intervention (shutting down), system error, internal error.
_SERVER_FAULT_CLASSES = frozenset({"08", "53", "57", "58", "XX"})


def write_failure(error: BaseException) -> str | None:
    """FULL, READ_ONLY, UNREACHABLE or FAILED when `error` (raised by a write) means the database could
    not take the write; None for anything else (a bug, a `Conflict`)."""
    if isinstance(error, StoreUnavailable):
        return UNREACHABLE
    if isinstance(error, Conflict | sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError):
        return None
    state = getattr(error, "sqlstate", None)  # asyncpg's PostgresError
    if isinstance(state, str):
        if state == "53100":  # disk_full
            return FULL
        if state == "25006":  # read_only_sql_transaction (a standby, or default_transaction_read_only)
            return READ_ONLY
        return FAILED if state[:2] in _SERVER_FAULT_CLASSES else None
    if isinstance(error, OSError):
        return {errno.ENOSPC: FULL, errno.EROFS: READ_ONLY}.get(error.errno or 0, FAILED)
    if isinstance(error, sqlite3.DatabaseError):  # SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR, ...
        text = str(error).lower()
        if "full" in text:
            return FULL
        return READ_ONLY if "readonly" in text or "read-only" in text else FAILED
    return FAILED if isinstance(error, StoreError) else None
