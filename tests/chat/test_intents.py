"""The chat reader: every example of the request forms, in English, Korean and a mix; the reply
language; and any text read without an error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chat.intents import TEXT_MAX, Intent, message_language, parse, strip_markup


@pytest.mark.parametrize(("text", "subject", "kinds", "language"), [
    ("goblin", "goblin", (), "en"),
    ("who sang stay with me", "stay with me", ("song", "drama"), "en"),
    ("Who sang Stay With Me?", "stay with me", ("song", "drama"), "en"),
    ("도깨비 OST", "도깨비", ("drama", "song"), "ko"),
    ("도깨비 ost 뭐야 알려줘", "도깨비", ("drama", "song"), "ko"),
    ("백예린 노래", "백예린", ("artist", "drama", "actor"), "ko"),
    ("현빈 드라마", "현빈", ("actor", "drama"), "ko"),
    ("Stay with Me", "stay with me", (), "en"),
    ("goblin song please", "goblin", (), "en"),
])
def test_look_ups(text, subject, kinds, language):
    assert parse(text) == Intent("lookup", subject=subject, kinds=kinds, language=language)


@pytest.mark.parametrize(("text", "subject", "mood", "language"), [
    ("something sad like Stay with Me", "stay with me", "sad", "en"),
    ("songs like Orbit", "orbit", None, "en"),
    ("similar to goblin", "goblin", None, "en"),
    ("도깨비 같은 슬픈 노래 추천해줘", "도깨비", "sad", "ko"),
    ("도깨비랑 비슷한 노래", "도깨비", None, "ko"),
    ("songs like 도깨비", "도깨비", None, "en"),
])
def test_recommendations(text, subject, mood, language):
    assert parse(text) == Intent("recommend", subject=subject, mood=mood, kinds=("song", "drama"), language=language)


@pytest.mark.parametrize(("text", "subject", "mood", "language"), [
    ("surprise me", "", None, "en"),
    ("a happy one", "", "happy", "en"),
    ("아무거나", "", None, "ko"),
    ("설레는 노래", "", "love", "ko"),
    ("random BTS song", "bts", None, "en"),
    ("a sad song from goblin", "goblin", "sad", "en"),
    ("도깨비 노래 아무거나", "도깨비", None, "ko"),
])
def test_random_picks(text, subject, mood, language):
    intent = parse(text)
    assert (intent.kind, intent.subject, intent.mood, intent.language) == ("random", subject, mood, language)
    assert intent.kinds == (("drama", "artist") if subject else ())


@pytest.mark.parametrize(("text", "rounds", "language"), [
    ("quiz 5 rounds", 5, "en"), ("퀴즈 하자", None, "ko"), ("퀴즈 10문제", 10, "ko"), ("let's play trivia", None, "en"),
    ("quiz 99 questions", 20, "en"), ("quiz 0", 1, "en"),
])
def test_quizzes(text, rounds, language):
    assert parse(text) == Intent("quiz", rounds=rounds, language=language)


@pytest.mark.parametrize(("text", "kind", "language"), [
    ("help", "help", "en"), ("도움말", "help", "ko"), ("what can you do?", "help", "en"),
    ("another", "another", "en"), ("one more", "another", "en"), ("더", "another", "ko"),
    ("다른 거", "another", "ko"), ("다른거!", "another", "ko"),
    ("like this", "like_this", "en"), ("more like this please", "like_this", "en"),
    ("이런 노래 더", "like_this", "ko"),
])
def test_help_and_continuing(text, kind, language):
    assert parse(text) == Intent(kind, language=language)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["", "<@123>", "<@!123> <#456>", "@everyone", "<:smile:123>", "?!"])
def test_nothing_but_markup_is_unknown(text):
    assert parse(text).kind == "unknown"


def test_mentions_are_not_part_of_the_request():
    assert strip_markup("<@123> goblin <@&9> @here") == "goblin"
    assert parse("<@123456789012345678> 도깨비 OST") == parse("도깨비 OST")


@pytest.mark.parametrize(("text", "language"), [
    ("goblin", "en"), ("도깨비", "ko"), ("Orbit 도깨비", None), ("I love 도깨비 so much", None),
    ("ok 도깨비", "ko"), ("🎵🎵", None), ("123", None), ("도깨비 Goblin Goblin", None),
])
def test_the_language_of_the_letters_when_no_words_decide(text, language):
    assert message_language(text) == language


def test_the_requests_own_words_decide_over_the_letters():
    assert parse("I love 도깨비 so much").language == "en"   # "I": an English word around a Korean name
    assert parse("Orbit 노래").language == "ko"
    assert parse("Orbit 도깨비").language is None              # two names: the server's language


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text(max_size=2500) | st.lists(st.sampled_from(
    ["like", "같은", "노래", "ost", "quiz", "퀴즈", " ", "from", "who sang", "<@1>", "sad", "슬픈", "a", "more",
     "\u200b", "(", "  ", "드라마", "아무거나", "9"]), max_size=400).map("".join))
def test_any_text_is_read_without_error(text):
    # How long a read takes is measured by `python -m benchmarks.chat`, not asserted here.
    intent = parse(text)
    assert intent.language in (None, "en", "ko")
    assert len(intent.subject) <= TEXT_MAX
    assert intent.rounds is None or 1 <= intent.rounds <= 20


async def test_a_message_that_is_exactly_a_catalog_name_asks_for_that_entry(store):
    """"This Love" reads as a pick by mood, but it is a song's title: the card of that song is what the
    member asked for. A name that only starts like one, and every other kind of request, stay as read."""
    from bot.catalog.service import CatalogService
    from bot.chat.intents import named_outright

    catalog = CatalogService(store)
    kinds = ("song", "drama", "artist", "actor")
    read = parse("This Love")
    assert read.kind in ("random", "recommend")  # what the words alone say
    assert await named_outright(read, "<@42> This Love", catalog, None, kinds) == Intent(
        "lookup", subject="This Love", language=read.language)
    moody = parse("something sad")
    assert await named_outright(moody, "something sad", catalog, None, kinds) == moody
    lookup = parse("goblin")
    assert await named_outright(lookup, "goblin", catalog, None, kinds) is lookup
