"""Typed settings, validated once at start-up.

`Settings(database_path=...)` with every other field at its default is valid (no token
needed), which is what tests use. `Settings.from_env()` reads the real environment and a
`.env` file; a real environment variable always wins over the file. Each setting has one
default, the dataclass field's; every check is in `__post_init__`, whichever way it was built.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from .catalog.limits import DEFAULT_MAX_SERVER_SONGS, DEFAULT_WRITES_PER_MINUTE
from .sharding import Shards, parse_shard_ids

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_HEARTBEAT_SECONDS = 30
MISSED_BEATS = 3  # heartbeats missed before a process counts as gone
# Who runs this bot, in every request's User-Agent as MusicBrainz asks: an operator sets their own
# (a URL or an e-mail address) with OST_MUSICBRAINZ_CONTACT.
PROJECT_URL = "https://github.com/ost-ballad-bot/ost-ballad-bot"
MUSICBRAINZ_URL = "https://musicbrainz.org"
COVERART_URL = "https://coverartarchive.org"


def is_postgres_url(target: object) -> bool:
    """A postgresql:// (or postgres://) URL selects PostgreSQL; anything else is a SQLite file."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_path: Path = Path("data/ost.db")
    # A postgresql:// URL selects PostgreSQL instead of the SQLite file. repr=False: it may hold a password.
    database_url: str | None = field(default=None, repr=False)
    # repr=False keeps the token out of every log line that prints the settings.
    token: str | None = field(default=None, repr=False)
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    # None means the catalog shipped with the package.
    catalog_path: Path | None = None
    # Sharding: None runs one unsharded client. With a count, this process runs `shard_ids` of them
    # (all of them when None): `discord.AutoShardedClient`.
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    # How often the process records that it is alive (for `ostbot status` and `/about`); None: never
    # (the playground, and tests unless they ask).
    heartbeat_seconds: float | None = DEFAULT_HEARTBEAT_SECONDS
    # MusicBrainz: the site root (requests go to {root}/ws/2/...), the Cover Art Archive's root, the
    # contact in the User-Agent, and this process's share of MusicBrainz's limit of one request per second
    # (a fleet of N processes on one host sets 1/N each; see the README).
    musicbrainz_url: str = MUSICBRAINZ_URL
    coverart_url: str = COVERART_URL
    musicbrainz_contact: str = PROJECT_URL
    musicbrainz_rate: float = 1.0
    musicbrainz_timeout: float = 10.0   # seconds for one MusicBrainz or Cover Art Archive request
    # What one server may write to its own catalog (bot.catalog.limits): OST_MAX_SERVER_SONGS songs,
    # and OST_CATALOG_WRITES_PER_MINUTE writes (add, remove, hide, restore, import, fetch) in any minute.
    max_server_songs: int = DEFAULT_MAX_SERVER_SONGS
    catalog_writes_per_minute: int = DEFAULT_WRITES_PER_MINUTE

    def __post_init__(self) -> None:
        if self.max_server_songs < 1 or self.catalog_writes_per_minute < 1:
            raise ConfigError("OST_MAX_SERVER_SONGS and OST_CATALOG_WRITES_PER_MINUTE must be 1 or more")
        if self.log_level not in LOG_LEVELS:
            raise ConfigError(f"OST_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {self.log_level!r}")
        if self.database_url is not None and not is_postgres_url(self.database_url):
            raise ConfigError("OST_DATABASE_URL must be a postgresql:// URL (leave it out to use SQLite)")
        if self.dev_guild_id is not None and self.dev_guild_id <= 0:
            raise ConfigError("OST_DEV_GUILD_ID must be a positive server id")
        if self.heartbeat_seconds is not None and not 1 <= self.heartbeat_seconds <= 3600:
            raise ConfigError("OST_HEARTBEAT_SECONDS must be between 1 and 3600")
        if self.shard_count is not None and self.shard_count < 1:
            raise ConfigError("OST_SHARD_COUNT must be 1 or more")
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ConfigError("OST_SHARD_IDS needs OST_SHARD_COUNT (how many shards the whole bot has)")
            if not self.shard_ids or any(not 0 <= i < self.shard_count for i in self.shard_ids):
                raise ConfigError(f"OST_SHARD_IDS must be between 0 and {self.shard_count - 1} "
                                  f"(OST_SHARD_COUNT is {self.shard_count})")
            if len(set(self.shard_ids)) != len(self.shard_ids):
                raise ConfigError("OST_SHARD_IDS lists a shard twice")
        for name, url in (("OST_MUSICBRAINZ_URL", self.musicbrainz_url), ("OST_COVERART_URL", self.coverart_url)):
            if not url.startswith(("http://", "https://")):
                raise ConfigError(f"{name} must be an http:// or https:// URL, not {url!r}")
        if not self.musicbrainz_contact.strip():
            raise ConfigError("OST_MUSICBRAINZ_CONTACT must name who runs the bot (a URL or an e-mail address)")
        if not self.musicbrainz_timeout > 0:
            raise ConfigError("OST_MUSICBRAINZ_TIMEOUT must be a positive number of seconds")
        if not self.musicbrainz_rate > 0:
            raise ConfigError("OST_MUSICBRAINZ_RATE must be a positive number of requests per second")
        if self.musicbrainz_rate > 1 and self.musicbrainz_url.rstrip("/") == MUSICBRAINZ_URL:
            raise ConfigError("OST_MUSICBRAINZ_RATE: musicbrainz.org allows at most 1 request per second "
                              "(a mirror set with OST_MUSICBRAINZ_URL may allow more)")
        if self.database_url is None and not self.shards.is_whole_fleet:
            raise ConfigError("OST_SHARD_IDS: a SQLite database serves one process only, so one process must run "
                              "every shard (leave OST_SHARD_IDS out), or set OST_DATABASE_URL to PostgreSQL "
                              "to split the shards between processes")

    @property
    def shards(self) -> Shards:
        return Shards(self.shard_count, self.shard_ids)

    @property
    def stale_after(self) -> float:
        """Seconds without a heartbeat after which a process counts as gone: three missed beats (of this
        process's interval, or the default when it records none: `ostbot status`, tests)."""
        return MISSED_BEATS * (self.heartbeat_seconds or DEFAULT_HEARTBEAT_SECONDS)

    @property
    def database(self) -> Path | str:
        """What `Store.open` takes: the PostgreSQL URL when one is set, else the SQLite file."""
        return self.database_url or self.database_path

    @property
    def log_level_number(self) -> int:
        return logging.getLevelName(self.log_level)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, dotenv_path: Path | str | None = ".env"
    ) -> Settings:
        """The settings of the variables set (an empty one counts as unset); the others keep their default."""
        values: dict[str, str] = {}
        if dotenv_path is not None and Path(dotenv_path).is_file():
            values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        fields: dict[str, Any] = {}
        for name, (field_name, parse, expected) in _ENVIRONMENT.items():
            if text := values.get(name, "").strip():
                try:
                    fields[field_name] = parse(text)
                except ValueError:
                    raise ConfigError(f"{name} must be {expected}, not {text!r}") from None
        return cls(**fields)


def _digits(text: str) -> int:
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


# Variable -> (field, parser, what a value must be: for the message when it does not parse).
_ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any], str]] = {
    "DISCORD_TOKEN": ("token", str, "a bot token"),
    "OST_DATABASE_PATH": ("database_path", Path, "a file path"),
    "OST_DATABASE_URL": ("database_url", str, "a postgresql:// URL"),
    "OST_DEV_GUILD_ID": ("dev_guild_id", _digits, "a server id (digits only)"),
    "OST_LOG_LEVEL": ("log_level", str.upper, "a log level"),
    "OST_CATALOG_PATH": ("catalog_path", Path, "a file path"),
    "OST_SHARD_COUNT": ("shard_count", _digits, "a number of shards"),
    "OST_SHARD_IDS": ("shard_ids", parse_shard_ids, "shard ids written like 0-3 or 4,5,7"),
    "OST_HEARTBEAT_SECONDS": ("heartbeat_seconds", float, "a number of seconds"),
    "OST_MUSICBRAINZ_URL": ("musicbrainz_url", str, "an http:// or https:// URL"),
    "OST_COVERART_URL": ("coverart_url", str, "an http:// or https:// URL"),
    "OST_MUSICBRAINZ_CONTACT": ("musicbrainz_contact", str, "a URL or an e-mail address"),
    "OST_MUSICBRAINZ_RATE": ("musicbrainz_rate", float, "a number of requests per second"),
    "OST_MUSICBRAINZ_TIMEOUT": ("musicbrainz_timeout", float, "a number of seconds"),
    "OST_MAX_SERVER_SONGS": ("max_server_songs", _digits, "a whole number of songs"),
    "OST_CATALOG_WRITES_PER_MINUTE": ("catalog_writes_per_minute", _digits, "a whole number of writes"),
}
