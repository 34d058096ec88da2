"""The card every picture is drawn on, and its pieces: text that fits, initials in a coloured circle,
medals, bars.

A card has its own opaque dark background with a lighter border, so it reads the same on Discord's
dark and light themes; it is drawn at twice the size Discord shows an embed image at (800 px wide), so
it stays sharp on a phone's screen. Colours come from a fixed palette; a member's circle colour is
derived from their id (the same member, the same colour, in every picture).
"""

from __future__ import annotations

import struct
import zlib

from PIL import Image, ImageDraw

from ..i18n import t
from .fonts import Weight, clean, fit, font, initials
from .models import Entry

WIDTH = 800
PAD = 32
BACKGROUND = (27, 28, 41)
PANEL = (38, 40, 58)
BORDER = (88, 92, 128)
TEXT = (242, 242, 247)
MUTED = (166, 170, 196)
ACCENT = (155, 89, 182)      # the bot's quiz colour (bot.ui.quiz.COLOUR)
GOOD = (46, 204, 113)
HEART = (231, 76, 60)
MEDALS = {1: (241, 196, 15), 2: (196, 202, 210), 3: (214, 137, 64)}
CIRCLES = ((231, 76, 60), (230, 126, 34), (241, 196, 15), (46, 204, 113), (26, 188, 156), (52, 152, 219),
           (155, 89, 182), (233, 30, 99), (0, 150, 136), (63, 81, 181), (121, 85, 72), (96, 125, 139))
TEAM_COLOURS = ((231, 76, 60), (52, 152, 219), (46, 204, 113), (241, 196, 15))  # red, blue, green, yellow
ROW = 76          # one member's line
GAP = 8
PNG_LEVEL = 3   # zlib level: 60% of level 6's time for a file a sixth larger


def member_colour(member_id: int) -> tuple[int, int, int]:
    """A member's circle colour, derived from their id (stable across processes, unlike hash())."""
    return CIRCLES[zlib.crc32(str(member_id).encode()) % len(CIRCLES)]


def member_name(entry: Entry, lang: str) -> str:
    """What stands for a member whose name has nothing the font can draw (only emoji, say)."""
    return t("picture.member", lang, tail=str(entry.member_id)[-4:])


def readable_on(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """Dark or light text, whichever reads on `colour`."""
    red, green, blue = colour
    return (24, 24, 32) if red * 0.299 + green * 0.587 + blue * 0.114 > 160 else (255, 255, 255)


class Card:
    """An opaque card `height` px tall that pieces are drawn on, then encoded once."""

    def __init__(self, height: int) -> None:
        self.height = height
        self.image = Image.new("RGB", (WIDTH, height), BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)
        # Square corners: a rounded card would leave its corners in the card's colour on a light theme.
        self.draw.rectangle((0, 0, WIDTH - 1, height - 1), outline=BORDER, width=3)
        self.draw.rectangle((3, 3, WIDTH - 4, 10), fill=ACCENT)

    def text(self, xy: tuple[float, float], text: str, size: int, *, weight: Weight = "regular",
             fill: tuple[int, int, int] = TEXT, width: float | None = None, anchor: str = "ls",
             fallback: str = "") -> float:
        """Draws `text` (cleaned, cut to `width` px) and returns the width it took."""
        face = font(size, weight)
        shown = clean(text, fallback)
        if width is not None:
            shown = fit(shown, face, width)
        if shown:
            self.draw.text(xy, shown, font=face, fill=fill, anchor=anchor)
        return face.getlength(shown)

    def header(self, title: str, subtitle: str) -> int:
        """Title and subtitle at the top; returns the y where the body starts."""
        self.text((PAD, 62), title, 34, weight="bold", width=WIDTH - 2 * PAD)
        self.text((PAD, 100), subtitle, 22, fill=MUTED, width=WIDTH - 2 * PAD)
        return 124

    def panel(self, box: tuple[float, float, float, float], fill: tuple[int, int, int] = PANEL) -> None:
        self.draw.rounded_rectangle(box, radius=14, fill=fill)

    def avatar(self, centre: tuple[float, float], radius: int, name: str, member_id: int) -> None:
        """The member's initials in a circle of their colour (no picture is fetched)."""
        colour = member_colour(member_id)
        x, y = centre
        self.draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
        self.text(centre, initials(name), int(radius * 0.9), weight="bold", fill=readable_on(colour), anchor="mm")

    def medal(self, centre: tuple[float, float], radius: int, rank: int) -> None:
        """A gold, silver or bronze disc with the rank for the top three; the rank alone below them."""
        x, y = centre
        colour = MEDALS.get(rank)
        if colour is None:
            self.text(centre, str(rank), int(radius * 1.1), weight="bold", fill=MUTED, anchor="mm")
            return
        self.draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour,
                          outline=tuple(c * 3 // 4 for c in colour), width=3)
        self.text(centre, str(rank), int(radius * 1.1), weight="bold", fill=(40, 32, 8), anchor="mm")

    def bar(self, box: tuple[float, float, float, float], fraction: float, colour: tuple[int, int, int]) -> None:
        """A horizontal bar `fraction` full (0..1) on a dimmer track."""
        left, top, right, bottom = box
        radius = (bottom - top) / 2
        self.draw.rounded_rectangle(box, radius=radius, fill=PANEL)
        filled = left + (right - left) * max(0.0, min(1.0, fraction))
        if filled - left >= 2 * radius:
            self.draw.rounded_rectangle((left, top, filled, bottom), radius=radius, fill=colour)
        elif fraction > 0:
            self.draw.ellipse((left, top, left + 2 * radius, bottom), fill=colour)

    def hearts(self, start: tuple[float, float], count: int, size: int = 14) -> float:
        """`count` small hearts drawn as shapes (no emoji font needed); returns the width taken."""
        x, y = start
        for index in range(count):
            left = x + index * (size + 6)
            half = size / 2
            self.draw.ellipse((left, y - half, left + half + 1, y + 1), fill=HEART)
            self.draw.ellipse((left + half - 1, y - half, left + size, y + 1), fill=HEART)
            self.draw.polygon(((left, y - half / 2), (left + size, y - half / 2), (left + half, y + half)),
                              fill=HEART)
        return count * (size + 6)

    def member_row(self, top: float, entry: Entry, lang: str, *, unit: str, detail: str,
                   highlight: bool = False) -> None:
        """One member's line, ROW px tall: medal or rank, initials, name and detail, the value and its unit."""
        fill = tuple(min(255, c + 14) for c in PANEL) if highlight else PANEL
        self.panel((PAD, top, WIDTH - PAD, top + ROW), fill=fill)  # type: ignore[arg-type]
        middle = top + ROW / 2
        self.medal((PAD + 34, middle), 22, entry.rank)
        self.avatar((PAD + 96, middle), 24, entry.name, entry.member_id)
        unit_width = self.text((WIDTH - PAD - 20, middle + 10), unit, 20, fill=MUTED, anchor="rs")
        value_right = WIDTH - PAD - 20 - unit_width - 8
        value_width = self.text((value_right, middle + 10), f"{entry.value:,}", 32, weight="bold", anchor="rs",
                                fill=MEDALS.get(entry.rank, TEXT))
        name_left = PAD + 134
        room = value_right - value_width - 24 - name_left
        self.text((name_left, middle - 2), entry.name, 28, weight="bold", width=room,
                  fallback=member_name(entry, lang))
        detail_width = self.text((name_left, middle + 26), detail, 19, fill=MUTED, width=room)
        if entry.lives is not None:  # elimination: lives left as hearts, or "out"
            left = name_left + detail_width + 14
            if entry.lives > 0:
                self.hearts((left, middle + 20), min(entry.lives, 10))
            else:
                self.text((left, middle + 26), t("picture.standings.out", lang), 19, weight="bold", fill=HEART)

    def png(self) -> bytes:
        return encode_png(self.image)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(image: Image.Image) -> bytes:
    """An RGB image as a PNG, every row unfiltered. A card is flat colours and text, which zlib packs
    well as it is; Pillow's encoder tries a filter per row, which took a third more time for a file a
    sixth larger (17.6 against 11.9 ms of CPU, 123 against 101 kB, for the leaderboard)."""
    width, height = image.size
    raw = memoryview(image.tobytes())
    stride = width * 3
    packer = zlib.compressobj(PNG_LEVEL)
    packed = []
    for top in range(0, height, 64):   # 64 rows at a time: no second copy of the whole image
        rows = range(top, min(height, top + 64))
        packed.append(packer.compress(b"".join(b"\0" + raw[y * stride:(y + 1) * stride] for y in rows)))
    packed.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8 bits, RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(packed))
            + _chunk(b"IEND", b""))
