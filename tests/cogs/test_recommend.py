"""/recommend through SimCord: up to five similar songs with reasons, never the given song."""

from __future__ import annotations

import pytest

from bot.app import open_bot
from bot.catalog.seedfile import load_catalog
from tests.cogs.test_ost import HOSTILE, components, user_errors
from tests.limits import assert_choices, assert_message_limits

SEED = load_catalog()


def picked_titles(message) -> list[str]:
    lines = [line for line in message.embeds[0].description.split("\n") if line.startswith("**")]
    return [line.split("**")[1].split(". ", 1)[1] for line in lines]


async def recommend(member, channel, like):
    result = await member.slash(channel, "recommend", like=like)
    assert result.response is not None and not result.ephemeral, result.response
    assert_message_limits(result.response)
    return result.response


@pytest.mark.parametrize("song", SEED.songs, ids=lambda s: s.key)
async def test_every_song_gets_up_to_five_others_with_reasons(world, song):
    message = await recommend(world.alice, world.channel, song.title)
    titles = picked_titles(message)
    assert 1 <= len(titles) <= 5
    assert song.title.replace("'", "\\'") not in titles and song.title not in titles
    assert message.embeds[0].description.count("↳ ") == len(titles)
    assert message.embeds[0].title == f"Songs like {song.title}"


async def test_reasons_name_what_is_shared(world):
    message = await recommend(world.alice, world.channel, "Stay with Me")
    description = message.embeds[0].description
    assert "also sung by Punch" in description      # Everytime
    assert "also from Goblin" in description        # the other Goblin OST
    assert "also from EXO" in description           # For You by EXO-CBX
    message = await recommend(world.alice, world.channel, "This Love")
    assert "piano ballad about emotional" in message.embeds[0].description  # You Are My Everything


async def test_a_drama_gets_songs_from_other_dramas(world):
    message = await recommend(world.alice, world.channel, "도깨비")
    assert message.embeds[0].title == "Songs like Goblin"
    goblin = {s.title for s in SEED.songs if s.drama == "goblin"}
    assert picked_titles(message) and not goblin & set(picked_titles(message))


async def test_the_select_opens_a_song_card_even_after_a_restart(world, settings):
    message = await recommend(world.alice, world.channel, "Orbit")
    select = next(c for c in components(message) if c.get("custom_id") == "ost:pick")
    assert len(select["options"]) == len(picked_titles(message))
    value = select["options"][0]["value"]
    await world.env.bot.close()
    await world.env.restart_bot(await open_bot(settings))
    opened = await world.bob.select(message, [value], custom_id="ost:pick")
    assert opened.ephemeral and opened.response.embeds[0].title == "🎵 " + picked_titles(message)[0]
    assert world.env.errors == []


async def test_autocomplete_offers_songs_and_dramas_only(world):
    for text in ("", "go", "exo", "도깨비"):
        choices = await world.alice.autocomplete(world.channel, "recommend", "like", text)
        assert_choices(choices)
        assert all(c["value"].split(":")[0] in ("song", "drama") for c in choices)
    assert (await world.alice.autocomplete(world.channel, "recommend", "like", "gummy")) == [
        {"name": "🎵 You Are My Everything — Gummy · Descendants of the Sun", "value": "song:3"}]


async def test_a_singer_name_finds_their_songs_by_words(world):
    message = await recommend(world.alice, world.channel, "Gummy")
    assert message.embeds[0].title == "Songs like You Are My Everything"


async def test_no_match_is_private(world):
    result = await world.alice.slash(world.channel, "recommend", like="qqqqzzzz")
    assert result.ephemeral
    assert result.response.content.startswith("I could not find a song or drama called **qqqqzzzz**")
    assert user_errors(world.env) in (["ost.recommend.none"], ["ost.recommend.none_suggest"])


async def test_korean_reasons_and_title(world):
    await world.store.guilds.update(world.guild.id, language="ko")
    message = await recommend(world.alice, world.channel, "Stay with Me")
    assert message.embeds[0].title == "'Stay with Me'와 비슷한 곡"  # the particle follows "Me", after the quote
    description = message.embeds[0].description
    assert "펀치 (Punch)의 또 다른 곡" in description
    assert "같은 드라마 '도깨비 (Goblin)'의 OST" in description
    assert "엑소 멤버의 곡" in description and "출신" not in description  # a member's song, by the Hangul name
    # Tags and moods are Korean too: no "emotional 감성의 power ballad".
    for english in ("romantic", "longing", "emotional", "power ballad", "devoted", "similar story"):
        assert english not in description
    # One display form per name: the menu names singers as the card does (첸백시, not EXO-CBX).
    options = [o["label"] for row in message.components for item in row["components"] for o in item.get("options", [])]
    assert options
    for label in options:
        title, singers = label.removeprefix("🎵 ").split(" — ")
        assert f"{title}** — {singers}" in description.replace("\\", "")
    assert all("(EXO)" not in label for label in options)  # groups by their Hangul names (엑소)


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_input_is_harmless(world, text):
    before = await world.store.content_hash()
    result = await world.alice.slash(world.channel, "recommend", like=text)
    assert result.response is not None and not result.response.message.mention_everyone
    assert_choices(await world.alice.autocomplete(world.channel, "recommend", "like", text))
    assert await world.store.content_hash() == before
    assert all(key.startswith("ost.recommend.") for key in user_errors(world.env))
