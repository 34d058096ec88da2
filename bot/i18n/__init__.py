"""One message catalog for every user-facing reply, in English and Korean.

Messages live in `messages/*.toml`, one file per feature, each with an `[en]` and a `[ko]`
table of the same keys and placeholders (a test enforces it). `t(key, lang, **params)`
formats one. The language comes from the server's setting (`auto`, `en`, `ko`); `auto`
follows the member's Discord locale, then the server's, then English.
"""

from __future__ import annotations

import re
import string
import tomllib
from functools import lru_cache
from importlib import resources

from .particles import attach

LANGUAGES = ("en", "ko")
DEFAULT_LANGUAGE = "en"


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """{lang: {key: text}} merged from every messages/*.toml file."""
    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    folder = resources.files("bot.i18n").joinpath("messages")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        for lang in LANGUAGES:
            for key, text in data.get(lang, {}).items():
                if key in merged[lang]:
                    raise ValueError(f"message key {key!r} defined twice ({entry.name})")
                merged[lang][key] = text
    return merged


# English plurals: "{count} {count|song|songs}" -> "1 song", "2 songs" (Korean needs none).
PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")


def placeholders(text: str) -> set[str]:
    text = PLURAL.sub(lambda m: "{" + m[1] + "}", text)
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def plural(text: str, params: dict[str, object]) -> str:
    """Each `{n|one|many}` in `text` as `one` when the parameter n is 1, else `many`."""
    return PLURAL.sub(lambda m: m[2] if params.get(m[1]) == 1 else m[3], text)


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """The message `key` in `lang` (English when missing there), formatted with `params`."""
    messages = catalog()
    text = messages.get(lang, {}).get(key) or messages[DEFAULT_LANGUAGE].get(key)
    if text is None:
        raise KeyError(f"no message {key!r}")
    text = plural(text, params).format(**params) if params else text
    # Korean particles after a name: "Orbit을(를)" -> "Orbit을" (see particles.py).
    return attach(text) if lang == "ko" else text


_UNITS = (("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1))


def format_duration(seconds: float, lang: str = DEFAULT_LANGUAGE, /, *, smallest: str = "minute",
                    always: str = "hour") -> str:
    """Units from days down to `smallest` (whole ones, but for fractions of a second); a unit before
    `always` is left out while it and every unit before it are zero: "1d 2h 3m", "0h 5m" / "1일 2시간 3분";
    with both "second": "20s", "1m 30s", "0.5s"."""
    names = [name for name, _ in _UNITS]
    left, parts = float(seconds), list[str]()
    for name, size in _UNITS[:names.index(smallest) + 1]:
        whole, left = divmod(left, size)
        count = whole + left if name == "second" else whole
        if count or parts or names.index(name) >= names.index(always):
            parts.append(t(f"duration.{name}", lang, count=int(count) if count.is_integer() else round(count, 3)))
    return " ".join(parts)


def has(key: str) -> bool:
    return key in catalog()[DEFAULT_LANGUAGE]


def resolve_language(setting: str, user_locale: str | None = None, guild_locale: str | None = None) -> str:
    if setting in LANGUAGES:
        return setting
    for locale in (user_locale, guild_locale):
        if locale:
            base = str(locale).split("-")[0].lower()
            if base in LANGUAGES:
                return base
    return DEFAULT_LANGUAGE
