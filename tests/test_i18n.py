"""The message catalog and command localisations are complete in English and Korean."""

from __future__ import annotations

import re

import pytest

from bot.i18n import LANGUAGES, catalog, placeholders, resolve_language, t


def test_every_message_has_korean_with_the_same_placeholders():
    messages = catalog()
    missing = sorted(set(messages["en"]) - set(messages["ko"]))
    extra = sorted(set(messages["ko"]) - set(messages["en"]))
    assert not missing, f"no Korean text for: {missing}"
    assert not extra, f"Korean text without English: {extra}"
    differ = [k for k in messages["en"] if placeholders(messages["en"][k]) != placeholders(messages["ko"][k])]
    assert not differ, f"placeholders differ between languages: {differ}"


def test_korean_texts_are_korean():
    hangul = re.compile(r"[\uac00-\ud7a3]")
    bare = {k: re.sub(r"\{[^}]*\}", "", v) for k, v in catalog()["ko"].items()}
    not_korean = [k for k, v in bare.items() if not hangul.search(v) and re.search(r"[a-z]{4,}", v)]
    assert not not_korean, not_korean


@pytest.mark.parametrize(("setting", "user", "guild", "expected"), [
    ("ko", "en-US", "en-US", "ko"),
    ("en", "ko", "ko", "en"),
    ("auto", "ko", "en-US", "ko"),
    ("auto", "fr", "ko", "ko"),
    ("auto", "fr", "de", "en"),
    ("auto", None, None, "en"),
])
def test_language_resolution(setting, user, guild, expected):
    assert resolve_language(setting, user, guild) == expected


def test_formatting_and_fallback():
    assert t("error.cooldown", "ko", seconds=3) == "조금 천천히! 3초 후에 다시 시도해 주세요."
    assert t("error.cooldown", "xx", seconds=3).startswith("Slow down")
    with pytest.raises(KeyError):
        t("no.such.key")
    assert set(LANGUAGES) == {"en", "ko"}
