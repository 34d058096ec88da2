"""How the store writes times: ISO-8601 UTC text to the second ('YYYY-MM-DDTHH:MM:SSZ'), which sorts
as text on both engines."""

from __future__ import annotations

import datetime as dt

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime(FORMAT)


def parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, FORMAT).replace(tzinfo=dt.UTC)
