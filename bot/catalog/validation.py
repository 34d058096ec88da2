"""The one validator of catalog entries, wherever they come from: the seed file (`seedfile`), a CSV or
JSON import, `/catalog add` and a MusicBrainz fetch (`records`).

The field rules are here once: text (its type, blank, length and the screen of `clean_text`), keys,
years and numbers, dates, yes/no, choices, lists (their shape, size, items and duplicates). A rule
returns the value as it is kept (text cleaned) and a `Problem`: a problem name under the
`admin.problem.` message keys and its parameters. `check_fields` runs a `Spec` (field -> rule,
required) over one entry and reports every problem; the caller gives each its place as a
`RecordProblem` (file, entry or line, field, list item). What differs between sources is a parameter
of the rules: the seed file's texts may be 500 characters, an import's description 300. Plain
Python: the reader's language is chosen where a problem is shown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .text import compact

PROBLEM_KEY = "admin.problem."    # message keys of problems live in the admin message file
ITEM_SHOWN = 40                   # characters of a bad list entry (or unknown field) quoted in its problem
MAX_KEY = 80                      # characters of a key (a slug)
YEARS = (1950, 2100)

# Discord markup that renders as something else than its text: mentions, channels, timestamps
# (<t:1700000000:R> becomes a live clock), custom emoji and slash-command mentions.
_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>|<t:-?\d+(:[a-z])?>|<a?:\w+:\d+>|</[\w -]+:\d+>", re.I)
# Direction overrides, embeddings and isolates: they reorder the rest of the line on every reader's
# screen, so a title could show as something else. Refused (not stripped): the manager learns why.
_DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Invisible characters that carry nothing a reader sees: stripped. A zero-width joiner between two
# emoji (a family, a flag with a sign) is kept, as is the variation selector of an emoji.
_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060\u180e\ufeff]")
_ZWJ = "\u200d"
MAX_COMBINING = 2        # marks stacked on one letter: Vietnamese needs two; more is "zalgo" text
_MARKDOWN = re.compile(r"```|`|\*\*|__|~~|\|\||\[[^\]]*\]\([^)]*\)|^\s*(#{1,3}\s|>\s|-#\s)|https?://")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MBID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_URL_CHARS = re.compile(r"^[\x21-\x7e]+$")   # printable ASCII without spaces: an address as sent

Problem = tuple[str, dict[str, object]]             # (problem name under PROBLEM_KEY, params)
Rule = Callable[[object], tuple[object, Problem | None]]   # value -> (value as kept, problem or None)
Finding = tuple[str, str | None, Problem]           # (field, list item or None, problem)
# A field's check: value -> (value as kept, every problem as (list item or None, problem)).
Check = Callable[[object], tuple[object, list[tuple[str | None, Problem]]]]


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """One thing wrong with a catalog entry, at its place.

    `key` is a message key (`t(key, lang, **params)`); `item` is the list entry it is about (an
    artist, a tag), if any; `unit` says what `line` counts: CSV lines ("line"), JSON song entries
    ("song"), or the entries of a seed file's section ("songs", "dramas" …). A seed file's problem
    also names its `file` and its `entry` ("songs[3] (key 'orbit'): facts[0]").
    """

    line: int
    field: str
    key: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict, hash=False)
    item: str | None = None
    unit: str = "line"
    file: str = ""
    entry: str = ""


# -- the screen every text passes ------------------------------------------------------------------

_EMOJI_TRAIL = "\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"  # variation selector, skin tones


def _is_emoji(ch: str) -> bool:
    return ch >= "\u2190" and unicodedata.category(ch) == "So"


def strip_invisible(text: str) -> str:
    """`text` without zero-width characters, except a joiner between two emoji (👨‍👩‍👧 stays one)."""
    if not _ZERO_WIDTH.search(text):
        return text
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch == _ZWJ:
            before = "".join(out).rstrip(_EMOJI_TRAIL)[-1:]
            if before and _is_emoji(before) and _is_emoji(text[i + 1:i + 2] or " "):
                out.append(ch)
        elif not _ZERO_WIDTH.match(ch):
            out.append(ch)
    return "".join(out)


def _stacked_marks(text: str) -> bool:
    """More than MAX_COMBINING combining marks in a row (counted on the composed form, so a
    decomposed Vietnamese letter is not penalised)."""
    run = 0
    for ch in unicodedata.normalize("NFC", text):
        run = run + 1 if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me") else 0
        if run > MAX_COMBINING:
            return True
    return False


def clean_text(value: str, limit: int) -> tuple[str, Problem | None]:
    """Trim and check user text: (cleaned, (problem name, params) or None).

    Every text of the catalog goes through here (the seed file, /catalog add, /catalog import,
    `ostbot db import`, a MusicBrainz fetch). Zero-width characters are stripped (nobody sees them).
    Refused, with a problem naming why: direction controls, stacked combining marks, Discord
    mentions, timestamps, custom emoji and command mentions, links and markdown tricks."""
    text = " ".join(strip_invisible(value).split())
    if len(text) > limit:
        return text, ("too_long", {"limit": limit})
    if any(ord(ch) < 32 for ch in value if ch not in "\t\n\r"):
        return text, ("control", {})
    if text.isascii():  # most text: none of the Unicode checks can apply
        pass
    elif _DIRECTION.search(text):
        return text, ("direction", {})
    elif _stacked_marks(text):
        return text, ("stacked_marks", {"most": MAX_COMBINING})
    if _MENTION.search(text):
        return text, ("mentions", {})
    if _MARKDOWN.search(text):
        return text, ("markdown", {})
    if text and not _ASCII_ALNUM.search(text) and not compact(text):  # compact is the slow, exact test
        return text, ("no_letters", {})
    return text, None


# -- the field rules -------------------------------------------------------------------------------

def text(limit: int) -> Rule:
    """A non-blank string of at most `limit` characters that passes the screen; kept cleaned."""
    def check(value: object) -> tuple[object, Problem | None]:
        if not isinstance(value, str):
            return value, ("not_text", {})
        if not value.strip():
            return value, ("blank", {})
        return clean_text(value, limit)
    return check


def slug(value: object) -> tuple[object, Problem | None]:
    """A key: lowercase letters and digits in words joined by single hyphens, at most MAX_KEY characters."""
    if not isinstance(value, str):
        return value, ("not_text", {})
    if len(value) > MAX_KEY:
        return value, ("too_long", {"limit": MAX_KEY})
    return value, None if SLUG.match(value) else ("bad_key", {})


def web_address(limit: int) -> Rule:
    """An image's address (a song's cover): http or https, a host, printable ASCII without spaces, at
    most `limit` characters; kept trimmed. Shown only as a card's thumbnail, which Discord fetches
    through its own proxy."""
    def check(value: object) -> tuple[object, Problem | None]:
        if not isinstance(value, str):
            return value, ("not_text", {})
        value = value.strip()
        if len(value) > limit:
            return value, ("too_long", {"limit": limit})
        try:
            parts = urlsplit(value)
        except ValueError:
            return value, ("bad_address", {})
        if parts.scheme not in ("http", "https") or not parts.hostname or not _URL_CHARS.match(value):
            return value, ("bad_address", {})
        return value, None
    return check


def mbid(value: object) -> tuple[object, Problem | None]:
    """A MusicBrainz identifier (a recording's): 36 characters, lowercase hexadecimal in five groups."""
    if not isinstance(value, str):
        return value, ("not_text", {})
    value = value.strip().lower()
    return value, None if MBID.match(value) else ("bad_mbid", {})


def number(low: int, high: int) -> Rule:
    """A whole number from `low` to `high` (a year has its own message: `year`)."""
    problem: Problem = ("bad_year", {}) if (low, high) == YEARS else ("bad_number", {"low": low, "high": high})

    def check(value: object) -> tuple[object, Problem | None]:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value, None
        return value, problem
    return check


year = number(*YEARS)


def is_date(value: str) -> bool:
    """A real calendar day written YYYY-MM-DD."""
    if not _ISO_DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def date(value: object) -> tuple[object, Problem | None]:
    """A date (TOML's own, or a string YYYY-MM-DD); a string is kept trimmed."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value, None
    if isinstance(value, str) and is_date(value.strip()):
        return value.strip(), None
    return value, ("bad_date", {})


def flag(value: object) -> tuple[object, Problem | None]:
    return value, None if isinstance(value, bool) else ("bad_bool", {})


def choice(options: tuple[str, ...]) -> Rule:
    def check(value: object) -> tuple[object, Problem | None]:
        return value, None if value in options else ("not_one_of", {"options": ", ".join(options)})
    return check


def _item_shown(value: object, index: int) -> str:
    return value[:ITEM_SHOWN] if isinstance(value, str) else f"#{index + 1}"


def listed(rule: Rule, *, least: int = 0, most: int | None = None, fold: Callable[[str], str] = compact) -> Check:
    """A list of `least` to `most` items, each passing `rule`, none twice (texts compared as `fold`
    leaves them: by default as `compact` folds them, so "Snow Fall" and "snowfall" are one name).
    Every bad item is reported with the item; past `most`, one item more is looked at."""
    def check(value: object) -> tuple[object, list[tuple[str | None, Problem]]]:
        if not isinstance(value, list):
            return value, [(None, ("not_list", {}))]
        found: list[tuple[str | None, Problem]] = []
        if len(value) < least:
            found.append((None, ("too_few", {"least": least})))
        if most is not None and len(value) > most:
            found.append((None, ("too_many", {"most": most})))
            value = value[:most + 1]
        kept: list[object] = []
        for index, item in enumerate(value):
            clean, problem = rule(item)
            if problem:
                found.append((_item_shown(clean, index), problem))
            kept.append(clean)
        if len({fold(v) if isinstance(v, str) else repr(v) for v in kept}) != len(kept):
            found.append((None, ("duplicate_entries", {})))
        return kept, found
    return check


def one(rule: Rule) -> Check:
    """A single-value rule as a field check."""
    def check(value: object) -> tuple[object, list[tuple[str | None, Problem]]]:
        clean, problem = rule(value)
        return clean, [(None, problem)] if problem else []
    return check


@dataclass(frozen=True, slots=True)
class Field:
    check: Check
    required: bool = False


Spec = Mapping[str, Field]


def check_fields(entry: Mapping[str, object], spec: Spec, *, unknown: str = "unknown_field"
                 ) -> tuple[dict[str, object], list[Finding]]:
    """Run `spec` over one entry: (its known fields as kept, every problem as (field, item, problem)).
    A field absent or None is missing (a problem if it is required); a field not in `spec` is `unknown`."""
    findings: list[Finding] = []
    if not entry.keys() <= spec.keys():
        findings = [(str(name)[:ITEM_SHOWN], None, (unknown, {})) for name in entry if name not in spec]
    kept: dict[str, object] = {}
    for name, field in spec.items():
        value = entry.get(name)
        if value is None:
            if field.required:
                findings.append((name, None, ("required", {})))
            continue
        kept[name], found = field.check(value)
        if found:
            findings += [(name, item, problem) for item, problem in found]
    return kept, findings
