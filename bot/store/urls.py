"""PostgreSQL URLs: recognised, masked and described without importing asyncpg.

Kept apart from postgres.py so that a bot on SQLite never imports asyncpg (about 60 ms of its
start-up, measured in BENCHMARKS.md); the PostgreSQL engine is imported when a URL is opened.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

from ..config import is_postgres_url as is_postgres_url  # one test of a URL, shared with the settings


def mask_url(url: str) -> str:
    """The URL with its password replaced by ***, for logs, errors and `db check`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[-1]}"))


def describe_url(url: str) -> str:
    """host, port and database of a URL (a socket folder counts as the host)."""
    parts = urlsplit(url)
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    host = parts.hostname or unquote(query.get("host", "")) or "localhost"
    port = parts.port or int(query.get("port", 5432))
    database = unquote(parts.path.lstrip("/")) or parts.username or "postgres"
    return f"host {host}, port {port}, database {database}"
