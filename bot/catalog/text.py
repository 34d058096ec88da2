"""Text normalisation shared by search, quiz answer matching and the store's name index.

`normalize` folds case, width, accents (not Hangul), punctuation, `&`, zero-width and
bidirectional control characters, so "Crash  Landing on You!" and "crash landing on you"
compare equal. `compact` also drops spaces, for names users type without them
("chachacha", "kwill"). Spacing never matters in Korean: Korean writers space the same title
differently (사랑의불시착, 사랑의 불시착), so `spaced_words` gives a Hangul name's tails also
written together (영원의군주 in 더 킹 영원의 군주), and `is_spaced_freely` says when a query is
worth comparing without its spaces.
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


def spaced_words(norm: str) -> list[str]:
    """The words of a normalised name, and for a Hangul name its tails from the second word on,
    written together: "더 킹 영원의 군주" also gives "킹영원의군주" and "영원의군주". With the search's
    prefix look-ups that finds any part typed without its spaces (영원의군 too); the whole name
    without spaces is `compact`'s. A Latin name keeps its words only ("landingonyou" is not typed)."""
    words = norm.split()
    if len(words) < 3 or not has_hangul(norm):
        return words
    return words + ["".join(words[i:]) for i in range(1, len(words) - 1)]


def is_spaced_freely(text: str) -> bool:
    """Whether spaces in `text` may fall anywhere (Korean): such a query is also looked for with
    its words written together ("차차 차" is 차차차)."""
    return has_hangul(text)


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
