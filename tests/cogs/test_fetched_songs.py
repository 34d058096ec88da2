"""Songs fetched from MusicBrainz are first-class: cards, autocomplete, /random, /recommend, the song
of the day, /catalog export and the quiz treat them as any other song."""

from __future__ import annotations

import random

import pytest

from bot.catalog.fetched import plan_fetch
from bot.quiz.questions import generate_questions

from ..fetch_helpers import COVER1, NEW_SINGER, PART1, goblin_part1, release, track
from .admin_helpers import reply

pytestmark = pytest.mark.both_engines

DRAMA = "새벽 정원"


def dawn_garden():
    """Six songs of one new drama by one new singer, with a cover."""
    return release(PART1, *(track(f"새벽 노래 {n}", NEW_SINGER, latin=f"Dawn Song {n}", n=n) for n in range(1, 7)),
                   title="새벽 정원 OST", drama=DRAMA, date="2021-05-02", cover=COVER1)


@pytest.fixture
async def fetched(world):
    """The six songs in the shared catalog (as `ostbot db fetch` puts them), by title."""
    result = await world.store.catalog.add_fetched(plan_fetch([dawn_garden()]))
    return {s.title: s.id for s in result.added}


async def test_the_song_card_shows_the_cover_and_the_musicbrainz_links(world, fetched):
    result = await world.alice.slash(world.channel, "ost", query="Dawn Song 3")
    (card,) = result.response.embeds
    assert "Dawn Song 3" in card.title and card.thumbnail.url == COVER1
    links = next(f.value for f in card.fields if f.name == "MusicBrainz")
    assert f"https://musicbrainz.org/release/{PART1}" in links and "https://musicbrainz.org/recording/" in links
    assert "MusicBrainz" in card.footer.text


async def test_the_drama_card_shows_its_first_parts_cover(world, fetched):
    result = await world.alice.slash(world.channel, "ost", query=DRAMA)
    (card,) = result.response.embeds
    assert DRAMA in card.title and card.thumbnail.url == COVER1 and "Dawn Song 6" in card.description


async def test_autocomplete_finds_them_by_either_title(world, fetched):
    for typed in ("Dawn So", "새벽 노"):
        choices = await world.alice.autocomplete(world.channel, "ost", "query", typed)
        assert any("Dawn Song" in c["name"] for c in choices), typed


async def test_random_by_drama_and_by_singer_picks_them(world, fetched):
    for options in ({"drama": DRAMA}, {"artist": "Han Seoyun"}, {"artist": "한서윤"}):
        result = await world.alice.slash(world.channel, "random", **options)
        (card,) = result.response.embeds
        assert "Dawn Song" in card.title, options


async def test_recommend_suggests_the_same_dramas_songs(world, fetched):
    result = await world.alice.slash(world.channel, "recommend", like="Dawn Song 1")
    text = " ".join([result.response.content or "", *(e.description or "" for e in result.response.embeds),
                     *(f.value for e in result.response.embeds for f in e.fields)])
    assert "Dawn Song" in text


async def test_the_song_of_the_day_can_be_one_of_them(world, fetched):
    candidates = await world.store.daily.candidates(world.guild.id, True)
    assert set(fetched.values()) <= set(candidates)


async def test_export_lists_a_servers_fetched_songs(world):
    await world.store.catalog.add_fetched(plan_fetch([goblin_part1()]), guild_id=world.guild.id, origin="guild")
    result = await world.admin.slash(world.channel, "catalog export")
    (attachment,) = reply(result).attachments
    data = (await attachment.read()).decode("utf-8") if hasattr(attachment, "read") else attachment.content.decode()
    assert "Winter Letter" in data and "겨울 편지" in data and "Han Seoyun" in data


async def test_the_quiz_asks_about_them_but_never_clue_questions(world, fetched):
    store = world.store
    songs = await store.catalog.songs_by_ids(list(fetched.values()))
    pool = await store.quiz.question_pool(world.guild.id, rng=random.Random(1), rounds=20)
    pool.songs = [*songs, *pool.songs]
    questions = generate_questions(pool, 400, rng=random.Random(2))
    about = [q for q in questions if q.subjects & {f"s{i}" for i in fetched.values()}]
    kinds = {q.kind for q in about}
    assert {"drama_of_song", "artist_of_song", "year_of_song", "song_of_drama"} <= kinds
    assert "song_from_fact" not in kinds


def test_a_short_facts_quiz_says_fetched_songs_give_no_clue_questions():
    from bot.quiz.session import QuizSession
    from bot.ui.quiz import start_embed

    session = QuizSession(game_id=1, guild_id=1, channel_id=2, starter_id=3, mode="buttons", seconds=20,
                          topic="facts", questions=[], language="en")
    text = start_embed(session, "en", asked=10).description
    assert "instead of 10" in text and "songs fetched from MusicBrainz carry none" in text
    assert "MusicBrainz에서 가져온 노래" in start_embed(session, "ko", asked=10).description
    other = QuizSession(game_id=1, guild_id=1, channel_id=2, starter_id=3, mode="buttons", seconds=20,
                        topic="years", questions=[], language="en")
    assert "MusicBrainz" not in start_embed(other, "en", asked=10).description
