"""Text normalisation shared by search, quiz answer matching and the store's name index.

`normalize` folds case, width, accents (not Hangul), punctuation, `&`, zero-width and
bidirectional control characters, so "Crash  Landing on You!" and "crash landing on you"
compare equal. `compact` also drops spaces, for names users type without them
("chachacha", "kwill").
"""

from __future__ import annotations

import re
import unicodedata

_BRACKETED = re.compile(r"\s*[\(\[\{（【][^\)\]\}）】]*[\)\]\}）】]\s*")
_SPACES = re.compile(r"\s+")
_APOSTROPHES = "'’‘`´"


def _strip_marks(text: str) -> str:
    # NFKD splits accents off Latin letters; Hangul syllables split into jamo (letters, not
    # marks), which NFC puts back together, so Hangul survives intact.
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", kept)


def _ascii_table() -> dict[int, str | None]:
    """What `normalize` does to each ASCII character, as a `str.translate` table."""
    table: dict[int, str | None] = {}
    for code in range(128):
        ch = chr(code)
        if ch in _APOSTROPHES or code < 32 or code == 127:
            table[code] = None                      # apostrophes and control characters go
        elif ch == "&":
            table[code] = " and "
        else:
            table[code] = ch.lower() if ch.isalnum() else " "
    return table


_ASCII = _ascii_table()


def normalize(text: str) -> str:
    """Lower-case words separated by single spaces; punctuation, symbols and invisibles gone."""
    if text.isascii():  # most names: the same result without the per-character Unicode look-ups
        return " ".join(text.translate(_ASCII).split())
    return _normalize_unicode(text)


def _normalize_unicode(text: str) -> str:
    text = _strip_marks(unicodedata.normalize("NFKC", text)).casefold()
    out: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in _APOSTROPHES:
            continue
        if ch == "&":
            out.append(" and ")
        elif category[0] in "LN":
            out.append(ch)
        elif category in ("Cf", "Cc", "Cs", "Co", "Cn"):
            continue  # zero-width, bidi controls, control characters
        else:
            out.append(" ")  # punctuation, symbols, separators
    return _SPACES.sub(" ", "".join(out)).strip()


def compact(text: str) -> str:
    """`normalize` without spaces: the key for exact and prefix name look-ups."""
    return normalize(text).replace(" ", "")


def strip_bracketed(text: str) -> str:
    """Drop bracketed suffixes such as "(feat. Punch)" or "[Goblin OST]"."""
    stripped = _BRACKETED.sub(" ", text).strip()
    return stripped or text


def has_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f"
               for ch in text)


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten to at most `limit` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - len(ellipsis), 0)].rstrip() + ellipsis
