"""What a manager types cannot flip or stamp other members' screens: the rules of `clean_text`."""

from __future__ import annotations

import pytest

from bot.catalog.validation import MAX_COMBINING, clean_text, strip_invisible


@pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                                     "\u2066", "\u2067", "\u2068", "\u2069"])
def test_direction_controls_are_refused(control):
    assert clean_text(f"Stay {control}With Me", 100)[1] == ("direction", {})


def test_zero_width_characters_are_stripped():
    for ch in ("\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u180e"):
        assert clean_text(f"Sta{ch}y With{ch} Me", 100) == ("Stay With Me", None)


def test_a_joiner_inside_an_emoji_sequence_is_kept():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_text(f"Home {family}", 100) == (f"Home {family}", None)
    heart = "\U0001f44d\U0001f3fd\u200d\u2764\ufe0f"  # a skin tone and a variation selector inside
    assert strip_invisible(f"Hi {heart}") == f"Hi {heart}"
    # Beside a letter, the same joiner goes.
    assert strip_invisible("A\u200d\U0001f600") == "A\U0001f600"
    assert strip_invisible("\U0001f600\u200dB") == "\U0001f600B"


def test_stacked_combining_marks_are_refused_beyond_the_limit():
    assert MAX_COMBINING == 2
    assert clean_text("Z" + "\u0301" * 100 + "algo", 300)[1] == ("stacked_marks", {"most": 2})
    # Counted once composed: "a" and an acute become "á", and three more marks on it are too many.
    assert clean_text("Za\u0301\u0302\u0303\u0304", 100)[1] == ("stacked_marks", {"most": 2})
    assert clean_text("Za\u0301\u0302\u0303", 100)[1] is None
    # Vietnamese stacks two (typed decomposed or composed), Korean has none: both are fine.
    assert clean_text("Vie\u0323\u0302t Nam", 100) == ("Vie\u0323\u0302t Nam", None)
    assert clean_text("Việt Nam 사랑해요", 100)[1] is None


@pytest.mark.parametrize("markup", [
    "<t:1700000000:R>", "<t:1700000000>", "<t:-5:F>", "<#123456789012345678>", "<@123>", "<@!123>", "<@&123>",
    "</quiz start:123456789012345678>", "<:blob:123456789012345678>", "<a:dance:123456789012345678>",
    "@everyone", "@here",
])
def test_discord_markup_is_refused(markup):
    assert clean_text(f"Time {markup} Song", 100)[1] == ("mentions", {})


def test_plain_text_passes_untouched():
    for text in ("Stay With Me", "도깨비 OST Part 1", "Beautiful (feat. Punch)", "<3 love", "Time < Song > x"):
        assert clean_text(text, 100) == (text, None)
