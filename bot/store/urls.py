"""PostgreSQL URLs: recognised, masked and described without importing asyncpg.

Kept apart from postgres.py so that a bot on SQLite never imports asyncpg (about 60 ms of its
start-up, measured in BENCHMARKS.md); the PostgreSQL engine is imported when a URL is opened.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

from ..config import is_postgres_url as is_postgres_url  # one test of a URL, shared with the settings
from .engine import StoreError

# A password given as a query parameter (`?password=…`, which libpq and asyncpg accept).
_QUERY_PASSWORD = re.compile(r"(?i)((?:^|&)password=)[^&]*")
ENCODE_HINT = ("special characters in the user name or password (such as # / ? @ :) must be percent-encoded "
               "(# is %23, / is %2F, ? is %3F, @ is %40), or give the password in PGPASSWORD instead of the URL")


class DatabaseUrlError(StoreError):
    """OST_DATABASE_URL (or --database, --to) does not parse. The message never holds the URL."""




def check_url(url: str) -> None:
    """Raise DatabaseUrlError, one line saying what is wrong without the URL, unless it parses as
    one database address: an unescaped #, / or ? in a password cuts the URL short."""
    if "#" in url:
        raise DatabaseUrlError(f"the PostgreSQL URL does not parse: it holds a '#'; {ENCODE_HINT}")
    try:
        parts = urlsplit(url)
        if "@" in parts.path or "@" in parts.query:  # a / or ? in the password ended the host early
            raise DatabaseUrlError(f"the PostgreSQL URL does not parse: an '@' comes after its host; {ENCODE_HINT}")
        port = parts.port
    except ValueError as exc:
        what = "its host is not a valid IPv6 address" if "IPv6" in str(exc) else (
            "its port is not a number from 1 to 65535")
        raise DatabaseUrlError(f"the PostgreSQL URL does not parse: {what}; {ENCODE_HINT}") from None
    if port == 0:
        raise DatabaseUrlError(f"the PostgreSQL URL does not parse: its port is not a number from 1 to 65535; "
                               f"{ENCODE_HINT}")


def mask_url(url: str) -> str:
    """The URL with its password (`user:password@` or `?password=`) replaced by ***, for logs,
    errors and `db check`. A URL that does not parse is not shown at all."""
    try:
        check_url(url)
    except DatabaseUrlError:
        return url.split("://", 1)[0] + "://(a URL that does not parse)"
    parts = urlsplit(url)
    if parts.query:
        parts = parts._replace(query=_QUERY_PASSWORD.sub(r"\1***", parts.query))
    if parts.password is not None:
        host = parts.netloc.rsplit("@", 1)[-1]
        parts = parts._replace(netloc=f"{parts.username or ''}:***@{host}")
    return urlunsplit(parts)


def describe_url(url: str) -> str:
    """host, port and database of a URL (a socket folder counts as the host)."""
    check_url(url)
    parts = urlsplit(url)
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    host = parts.hostname or unquote(query.get("host", "")) or "localhost"
    port = parts.port or (int(query["port"]) if query.get("port", "").isdigit() else 5432)
    database = unquote(parts.path.lstrip("/")) or parts.username or "postgres"
    return f"host {host}, port {port}, database {database}"


def url_secrets(url: str) -> list[str]:
    """The passwords a URL holds (as written and decoded), to take out of any message quoting it."""
    try:
        parts = urlsplit(url)
        found = [parts.password or ""]
    except ValueError:
        return []
    found += [m.group(0).split("=", 1)[1] for m in _QUERY_PASSWORD.finditer(parts.query)]
    return sorted({s for f in found for s in (f, unquote(f)) if s}, key=len, reverse=True)
