"""/random through SimCord: filters, the ballads-only default and server setting, no repeats until
the pool is exhausted, "🎲 Another" (also after a restart), and filters that empty the pool."""

from __future__ import annotations

import pytest

from bot.app import open_bot
from bot.catalog.seedfile import load_catalog
from tests.cogs.test_ost import HOSTILE, components, custom_ids, user_errors
from tests.limits import assert_choices, assert_message_limits

SEED = load_catalog()
TITLES = {s.title: s for s in SEED.songs}
BALLADS = {s.title for s in SEED.songs if s.ballad}


def title_of(message) -> str:
    return message.embeds[0].title.removeprefix("🎵 ")


def another_id(message) -> str:
    return next(i for i in custom_ids(message) if i.startswith("ost:rnd:"))


async def pick(member, channel, **options):
    result = await member.slash(channel, "random", **options)
    assert result.response is not None and not result.ephemeral, result.response
    assert_message_limits(result.response)
    return result.response


async def test_a_pick_is_a_song_card_with_another_button(world):
    message = await pick(world.alice, world.channel)
    assert title_of(message) in BALLADS
    button = next(c for c in components(message) if c.get("custom_id", "").startswith("ost:rnd:"))
    assert button["label"] == "Another" and button["emoji"]["name"] == "🎲"
    assert len(button["custom_id"]) <= 100
    assert [c["label"] for c in components(message) if c.get("url")] == ["YouTube", "Spotify"]


async def test_no_repeat_until_the_ballads_are_exhausted_then_the_bag_refills(world):
    message = await pick(world.alice, world.channel)
    seen = [title_of(message)]
    for _ in range(len(BALLADS) - 1):
        clicked = await world.bob.click(message, custom_id=another_id(message))
        assert not clicked.ephemeral
        message = clicked.response
        seen.append(title_of(message))
    assert sorted(seen) == sorted(BALLADS)  # every ballad once, no repeat, no non-ballad
    again = title_of(await pick(world.alice, world.channel))
    assert again in BALLADS and again != seen[-1]
    # Another channel has its own bag.
    other = world.guild.create_text_channel("ballads")
    assert title_of(await pick(world.alice, other)) in BALLADS


async def test_ballads_only_follows_the_server_setting_unless_given(world):
    await world.store.guilds.update(world.guild.id, random_ballads_only=False)
    titles = {title_of(await pick(world.alice, world.channel, drama="Descendants of the Sun")) for _ in range(8)}
    assert titles == {s.title for s in SEED.songs if s.drama == "descendants-of-the-sun"}
    titles = {title_of(await pick(world.alice, world.channel, drama="DOTS", ballads_only=True)) for _ in range(5)}
    assert titles <= BALLADS and len(titles) == 5
    await world.store.guilds.update(world.guild.id, random_ballads_only=True)
    message = await pick(world.alice, world.channel, artist="Mad Clown", ballads_only=False)
    assert title_of(message) == "Once Again"


async def test_filters_combine_and_accept_ids_or_free_text(world):
    drama_choice = (await world.alice.autocomplete(world.channel, "random", "drama", "desc"))[0]
    assert drama_choice["value"].startswith("drama:")
    titles = {title_of(await pick(world.alice, world.channel, drama=drama_choice["value"], mood="piano ballad"))
              for _ in range(4)}
    assert titles == {"You Are My Everything", "This Love", "Always", "With You"}
    # An artist includes its members' and sub-units' songs.
    titles = {title_of(await pick(world.alice, world.channel, artist="EXO", ballads_only=False)) for _ in range(3)}
    assert titles == {"Stay with Me", "Everytime", "For You"}
    assert title_of(await pick(world.alice, world.channel, artist="거미")) == "You Are My Everything"
    assert title_of(await pick(world.alice, world.channel, drama="crash landing on yuo")) == "Here I Am Again"
    assert title_of(await pick(world.alice, world.channel, mood="Heart-Break", drama="Goblin")) == \
        "I Will Go to You Like the First Snow"


async def test_autocomplete_for_each_filter(world):
    dramas = await world.alice.autocomplete(world.channel, "random", "drama", "")
    assert_choices(dramas)
    assert dramas and all(c["value"].startswith("drama:") for c in dramas)
    artists = await world.alice.autocomplete(world.channel, "random", "artist", "ch")
    assert_choices(artists)
    assert artists and all(c["value"].startswith("artist:") for c in artists)
    moods = await world.alice.autocomplete(world.channel, "random", "mood", "")
    assert_choices(moods)
    assert len(moods) == 25 and moods[0] == {"name": "romantic · 11 songs", "value": "romantic"}
    piano = await world.alice.autocomplete(world.channel, "random", "mood", "piano")
    assert piano == [{"name": "piano ballad · 4 songs", "value": "piano ballad"}]


@pytest.mark.parametrize(("options", "key", "text"), [
    ({"drama": "qqqqzzzz"}, "ost.random.no_drama", "No drama in the catalog matches **qqqqzzzz**."),
    ({"artist": "Goblin"}, "ost.random.no_artist", "No singer in the catalog matches **Goblin**."),  # none close
    ({"mood": "grumpy"}, "ost.random.no_mood", "There is no mood **grumpy** in the catalog. Moods you can pick: "
                                               "romantic, emotional"),
    ({"drama": "Goblin", "mood": "hip-hop"}, "ost.random.empty_mood",
     "No song left by your other filters has the mood **hip-hop**. Moods there: heartbreak, emotional"),
    ({"drama": "Goblin", "artist": "Gummy"}, "ost.random.empty_artist",
     "No song by **Gummy** fits your other filters. Singers that do: Ailee, Chanyeol, Punch"),
    ({"artist": "Mad Clown"}, "ost.random.empty_ballads",
     "None of the 1 song matching your filters is a ballad. Try again with `ballads_only: False`."),
])
async def test_filters_that_match_nothing_say_which_and_what_exists(world, options, key, text):
    before = await world.store.content_hash()
    result = await world.alice.slash(world.channel, "random", **options)
    assert result.ephemeral
    assert result.response.content.startswith(text)
    assert user_errors(world.env) == [key]
    assert await world.store.content_hash() == before


async def test_a_drama_with_no_songs_left_for_this_server(world):
    for song in SEED.songs:
        if song.drama == "goblin":
            song_id = (await world.store.catalog.song_by_key(song.key)).id
            assert await world.store.additions.hide(world.guild.id, song_id)  # (bumps the catalog generation)
    result = await world.alice.slash(world.channel, "random", drama="Goblin")
    assert result.ephemeral and result.response.content == "**Goblin** has no songs in the catalog."
    assert user_errors(world.env) == ["ost.random.empty_drama"]


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_filters_are_harmless(world, text):
    before = await world.store.content_hash()
    for option in ("drama", "artist", "mood"):
        result = await world.alice.slash(world.channel, "random", **{option: text})
        assert result.response is not None
        assert not result.response.message.mention_everyone
        assert "@everyone" not in result.response.content
        assert_choices(await world.alice.autocomplete(world.channel, "random", option, text))
    assert await world.store.content_hash() == before
    assert all(key.startswith("ost.random.") for key in user_errors(world.env))


async def test_another_keeps_its_filters_after_a_restart(world, settings):
    env = world.env
    message = await pick(world.alice, world.channel, drama="Goblin")
    button = another_id(message)
    assert button.startswith("ost:rnd:1::1:")
    first = title_of(message)
    await env.bot.close()
    await env.restart_bot(await open_bot(settings))
    clicked = await world.bob.click(message, custom_id=button)
    second = title_of(clicked.response)
    assert {first, second} <= {"I Will Go to You Like the First Snow", "Stay with Me"}
    assert another_id(clicked.response) == button
    mood = await pick(world.alice, world.channel, mood="piano ballad")
    clicked = await world.bob.click(mood, custom_id=another_id(mood))
    assert "piano ballad" in clicked.response.embeds[0].fields[-1].value
    assert env.errors == []
