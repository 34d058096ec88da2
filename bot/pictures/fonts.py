"""The pictures' fonts and the text they can draw.

One family ships inside the package: Noto Sans CJK KR, Regular and Bold, subset to Latin, Greek,
Cyrillic, Hangul, kana and common symbols (fonts/OFL.txt says where from; nothing is fetched at run
time). `fonts/coverage.txt` lists the code points both weights draw, read from their cmap tables when
the subset was made, so a name is cleaned before it is drawn: a character the font lacks (an emoji,
a Han ideograph, Arabic) is left out instead of drawn as a tofu box, and a name left empty becomes
the caller's fallback. Text is laid out with Pillow's basic layout (no system library), so the same
data give the same picture on every machine.
"""

from __future__ import annotations

import bisect
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Literal

from PIL import ImageFont

Weight = Literal["regular", "bold"]
FILES: dict[Weight, str] = {"regular": "NotoSansKR-Regular.otf", "bold": "NotoSansKR-Bold.otf"}
ELLIPSIS = "…"
# Format characters kept although the font has no glyph for them: they join or shape, and draw nothing.
_SILENT_CATEGORIES = ("Cc", "Cf", "Mn", "Me", "Zl", "Zp")


def _folder():
    return resources.files("bot.pictures").joinpath("fonts")


@lru_cache(maxsize=32)
def font(size: int, weight: Weight = "regular") -> ImageFont.FreeTypeFont:
    """The bundled font at `size` px; a handful of sizes are used, each opened once."""
    with resources.as_file(_folder().joinpath(FILES[weight])) as path:
        return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=1)
def _coverage() -> tuple[list[int], list[int]]:
    starts: list[int] = []
    ends: list[int] = []
    for line in _folder().joinpath("coverage.txt").read_text(encoding="ascii").splitlines():
        if line and not line.startswith("#"):
            start, _, end = line.partition("-")
            starts.append(int(start, 16))
            ends.append(int(end, 16))
    return starts, ends


def covered(char: str) -> bool:
    """Whether the bundled fonts draw `char` (one code point)."""
    starts, ends = _coverage()
    index = bisect.bisect_right(starts, ord(char)) - 1
    return index >= 0 and ord(char) <= ends[index]


def clean(text: str, fallback: str = "") -> str:
    """`text` as the fonts can draw it: NFC, characters without a glyph left out, spaces collapsed;
    `fallback` when nothing drawable is left."""
    kept = []
    for char in unicodedata.normalize("NFC", text):
        if char.isspace():
            kept.append(" ")
        elif covered(char) and unicodedata.category(char) not in _SILENT_CATEGORIES:
            kept.append(char)
        elif unicodedata.category(char) in ("Mn", "Me") and covered(char):
            kept.append(char)  # a combining accent the font has stays on its letter
    return " ".join("".join(kept).split()) or fallback


def fit(text: str, face: ImageFont.FreeTypeFont, width: float) -> str:
    """`text` cut with an ellipsis so that it is at most `width` px wide in `face` (measured)."""
    if face.getlength(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if face.getlength(text[:middle].rstrip() + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS if low else ELLIPSIS


def initials(name: str) -> str:
    """What the coloured circle shows: a Hangul name's first syllable, else the first letters of its
    first two words (upper case); '?' for a name with nothing drawable."""
    words = clean(name).split()
    if not words:
        return "?"
    first = words[0][0]
    if "\uac00" <= first <= "\ud7a3" or len(words) == 1:
        return first.upper()
    return (first + words[1][0]).upper()
