"""The pictures drawn from plain data: decoded, sized, their text really drawn (Hangul included, no
tofu), the same data giving the same bytes, names cut by measured width, and the cache bounded."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from PIL import Image, ImageChops, ImageDraw

from bot.pictures import PictureCache, filename, leaderboard, render, standings, stats
from bot.pictures.draw import WIDTH, Card, member_colour
from bot.pictures.fonts import ELLIPSIS, clean, covered, fit, font, initials
from bot.pictures.names import NameBook
from tests.pictures import samples

PICTURES = {
    "leaderboard": samples.leaderboard,
    "leaderboard without the asker": lambda lang: samples.leaderboard(lang, you=False),
    "stats": samples.stats,
    "standings": samples.standings,
    "standings, elimination": lambda lang: samples.standings(lang, "elimination", count=20),
    "standings, teams": lambda lang: samples.standings(lang, "teams"),
}
HEIGHTS = {"Leaderboard": leaderboard.height, "Stats": stats.height, "Standings": standings.height}


def glyph(face, char: str) -> bytes:
    image = Image.new("L", (64, 64))
    ImageDraw.Draw(image).text((8, 8), char, font=face, fill=255)
    return image.tobytes()


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("kind", list(PICTURES))
def test_each_picture_is_an_opaque_png_of_its_computed_size(kind, lang):
    data = PICTURES[kind](lang)
    image = decode(render(data))
    assert image.format == "PNG" and image.mode == "RGB"   # opaque: the card's own background on any theme
    assert image.size == (WIDTH, HEIGHTS[type(data).__name__](data))
    assert image.width >= 320
    assert image.width * image.height * 3 < 4 * 2**20   # the image held while drawing: a few MB at most
    assert len(image.getcolors(2**16) or range(2**16 + 1)) > 50   # text and shapes, not a blank card


def test_the_png_holds_exactly_the_drawn_pixels():
    card = Card(200)
    card.avatar((100, 100), 40, "김민지", 7)
    card.text((160, 110), "Lee Jae-won 이도현", 30, weight="bold")
    image = decode(card.png())
    assert image.size == card.image.size and image.tobytes() == card.image.tobytes()


def test_the_same_data_give_byte_identical_pictures():
    for make in PICTURES.values():
        assert render(make("ko")) == render(make("ko"))


def test_a_change_in_the_data_changes_the_picture():
    data = samples.leaderboard()
    changed = replace(data, entries=(replace(data.entries[0], value=9999), *data.entries[1:]))
    assert render(data) != render(changed)


def test_a_korean_name_is_drawn_with_real_glyphs_not_tofu():
    face = font(28, "bold")
    name = "김민지"
    assert all(covered(char) for char in name)
    assert face.getmask(name).getbbox() is not None
    tofu = glyph(face, "\U0001F3B5")   # an emoji the font lacks: its .notdef box
    assert all(glyph(face, char) != tofu for char in name)
    blank, drawn = Card(120), Card(120)
    drawn.text((40, 80), name, 28, weight="bold")
    difference = ImageChops.difference(blank.image, drawn.image).getbbox()
    assert difference is not None
    left, top, right, bottom = difference
    assert right - left >= face.getlength(name) * 0.8 and bottom - top >= 18


def test_the_korean_name_shows_in_the_leaderboards_first_row():
    data = samples.leaderboard("ko")
    other = replace(data, entries=(replace(data.entries[0], name="이"), *data.entries[1:]))
    difference = ImageChops.difference(decode(render(data)), decode(render(other))).getbbox()
    assert difference is not None
    _, top, _, bottom = difference
    assert top > 124 and bottom < 124 + 16 + 76 + 8   # within the first row, nowhere else


def test_names_keep_what_the_font_draws_and_drop_the_rest():
    assert clean("박서준 ✨") == "박서준"
    assert clean("🎵🎶", fallback="Member 3757") == "Member 3757"
    assert clean("  Lee\u200b  Jae-won\n") == "Lee Jae-won"
    assert clean("Zoë 김") == "Zoë 김"
    assert not covered("\U0001F600") and covered("A") and covered("한")


def test_long_names_are_cut_with_an_ellipsis_by_measured_width():
    face = font(28, "bold")
    name = "Alexandria Montgomery-Featherstonehaugh"
    cut = fit(name, face, 300)
    assert cut.endswith(ELLIPSIS) and face.getlength(cut) <= 300 and len(cut) > 10
    assert name.startswith(cut[:-1])
    assert fit("Sophie", face, 300) == "Sophie"
    assert face.getlength(fit("가나다라마바사아자차카타파하" * 3, face, 200)) <= 200


def test_initials_and_colours():
    assert initials("김민지") == "김"
    assert initials("Lee Jae-won") == "LJ"
    assert initials("sophie") == "S"
    assert initials("🎵🎶") == "?"
    assert member_colour(123) == member_colour(123)
    assert len({member_colour(10**17 + n) for n in range(40)}) >= 8


def test_the_attachment_names():
    assert filename(samples.leaderboard()) == "leaderboard.png"
    assert filename(samples.stats()) == "stats.png"
    assert filename(samples.standings()) == "standings.png"


async def test_the_cache_stays_bounded_over_200_renders_and_draws_equal_data_once():
    cache = PictureCache(size=16)
    base = samples.stats()
    pictures = [await cache.picture(1, replace(base, points=n)) for n in range(200)]
    assert cache.renders == 200 and len(cache) == 16
    assert len(set(pictures)) == 200
    again = await cache.picture(1, replace(base, points=199))
    assert again == pictures[-1] and cache.renders == 200   # the same data: from the cache
    await cache.picture(2, replace(base, points=199))       # another server: its own entry
    assert cache.renders == 201 and len(cache) == 16


def test_the_names_seen_stay_bounded_and_keep_the_latest():
    book = NameBook(size=100)
    for user in range(250):
        book.saw(1, user, f"player {user}")
    book.saw(1, 249, "renamed")
    assert len(book) == 100
    assert book.get(1, 0) is None and book.get(1, 249) == "renamed" and book.get(2, 249) is None
