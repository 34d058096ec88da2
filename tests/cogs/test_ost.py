"""/ost through SimCord: cards for every song, drama name and artist, autocomplete, typos, no match,
hostile input, the candidates select, More from, the drama pager, and buttons after a restart."""

from __future__ import annotations

from urllib.parse import unquote, unquote_plus

import pytest
from simcord.backend.errors import OptionError

from bot.app import open_bot
from bot.catalog.records import SongRecord
from bot.catalog.seedfile import load_catalog
from tests.limits import assert_choices, assert_message_limits

pytestmark = pytest.mark.both_engines

SEED = load_catalog()
HOSTILE = ['"', "*", "NEAR(", "'; DROP TABLE songs; --", "@everyone", "@here <@1>", "\u200b\u200b",
           "gob\u200blin", "\u202egoblin\u202c", "x" * 100, "가" * 100, "(title:*) OR \"", "%_\\"]


def components(message) -> list[dict]:
    return [c for row in message.components for c in row.get("components", [])]


def custom_ids(message) -> list[str]:
    return [c["custom_id"] for c in components(message) if "custom_id" in c]


def user_errors(env) -> list[str]:
    """The message keys of the UserErrors the tree answered (and acknowledge them)."""
    return [getattr(getattr(e, "original", e), "key", repr(e)) for e in env.errors]


async def ost(member, channel, query):
    result = await member.slash(channel, "ost", query=query)
    assert result.response is not None
    assert_message_limits(result.response)
    return result


@pytest.mark.parametrize("song", SEED.songs, ids=lambda s: s.key)
async def test_every_song_found_by_its_title(world, song):
    result = await ost(world.alice, world.channel, song.title)
    assert not result.ephemeral
    embed = result.response.embeds[0]
    assert embed.title == "🎵 " + song.title
    fields = {f.name: f.value for f in embed.fields}
    assert "Drama" in fields and "Artist" in fields and "Style" in fields
    assert embed.footer.text.startswith(("Source: “", "Source: untitled article on "))
    assert "Setting the Tone" not in embed.footer.text  # the untitled article never gets a made-up title
    links = [c for c in components(result.response) if c.get("url")]
    assert [c["label"] for c in links] == ["YouTube", "Spotify"]
    assert song.title in unquote_plus(links[0]["url"]) and song.title in unquote(links[1]["url"])
    assert any(i.startswith("ost:more:") for i in custom_ids(result.response))
    assert world.env.errors == []


@pytest.mark.parametrize("drama", SEED.dramas, ids=lambda d: d.key)
async def test_every_drama_found_by_each_name(world, drama):
    names = [drama.name, *([drama.hangul] if drama.hangul else []), *drama.names]
    for name in names:
        embed = (await ost(world.alice, world.channel, name)).response.embeds[0]
        assert embed.title.startswith("📺 " + drama.name), name
    songs = [s.title for s in SEED.songs if s.drama == drama.key]
    assert all(title.replace("'", "\\'") in embed.description or title in embed.description for title in songs)
    if drama.lead_actors:
        assert {f.name: f.value for f in embed.fields}["Lead actors"] == ", ".join(drama.lead_actors)


@pytest.mark.parametrize("artist", SEED.artists, ids=lambda a: a.key)
async def test_every_artist_found_by_each_name(world, artist):
    for name in [artist.name, *([artist.hangul] if artist.hangul else []), *artist.names]:
        embed = (await ost(world.alice, world.channel, name)).response.embeds[0]
        assert embed.title.startswith("🎤 " + artist.name.replace(".", ".")), name
    fields = {f.name: f.value for f in embed.fields}
    if artist.groups:
        assert "Member of" in fields
    if artist.kind in ("group", "subunit"):
        assert "Members" in fields


async def test_artist_card_lists_songs_with_dramas_and_members(world):
    embed = (await ost(world.alice, world.channel, "EXO")).response.embeds[0]
    assert "Stay with Me — Goblin" in embed.description and "Everytime" in embed.description
    assert {f.name: f.value for f in embed.fields}["Members"].split(", ")[:1] == ["EXO-CBX"]


@pytest.mark.parametrize(("query", "title"), [
    ("도깨비", "📺 Goblin"), ("태양의 후예", "📺 Descendants of the Sun"), ("거미", "🎤 Gummy"),
    ("decendants of the sun", "📺 Descendants of the Sun"), ("crash landing on yuo", "📺 Crash Landing on You"),
    ("STAY  with-me!!", "🎵 Stay with Me"), ("gob\u200blin", "📺 Goblin"), ("\u202eorbit", "🎵 Orbit"),
])
async def test_hangul_typos_and_noise(world, query, title):
    embed = (await ost(world.alice, world.channel, query)).response.embeds[0]
    assert embed.title.startswith(title)


async def test_korean_readers_see_hangul_first(world):
    await world.store.guilds.update(world.guild.id, language="ko")
    embed = (await ost(world.alice, world.channel, "goblin")).response.embeds[0]
    assert embed.title == "📺 도깨비 (Goblin)"
    embed = (await ost(world.alice, world.channel, "first snow")).response.embeds[0]
    assert embed.title == "🎵 첫눈처럼 너에게 가겠다 (I Will Go to You Like the First Snow)"
    assert {f.name for f in embed.fields} >= {"가수", "드라마"}
    choices = await world.alice.autocomplete(world.channel, "ost", "query", "gob")
    assert choices[0]["name"] == "📺 도깨비 (Goblin) · 2곡"


async def test_no_match_is_private_with_suggestions(world):
    result = await world.alice.slash(world.channel, "ost", query="chachacha")
    assert result.ephemeral
    assert "Did you mean" in result.response.content and "Hometown Cha-Cha-Cha" in result.response.content
    result = await world.alice.slash(world.channel, "ost", query="qqqqzzzz")
    assert result.ephemeral and result.response.content.startswith("I found nothing in the catalog for **qqqqzzzz**")
    assert user_errors(world.env) == ["ost.none_suggest", "ost.none"]


@pytest.mark.parametrize("query", HOSTILE)
async def test_hostile_input_is_harmless(world, query):
    before = await world.store.content_hash()
    result = await world.alice.slash(world.channel, "ost", query=query)
    assert result.response is not None
    assert_message_limits(result.response)
    message = result.response.message
    assert not message.mention_everyone and not message.mentions and not message.role_mentions
    assert "@everyone" not in result.response.content and "@here" not in result.response.content
    choices = await world.alice.autocomplete(world.channel, "ost", "query", query)
    assert_choices(choices)
    assert await world.store.content_hash() == before
    assert await world.store.integrity_check() == "ok"
    assert set(user_errors(world.env)) <= {"ost.none", "ost.none_suggest"}


async def test_over_long_query_is_refused_by_the_option_limit(world):
    """query is Range[str, 1, 100]: Discord (and SimCord) refuse longer text before the bot sees it;
    autocomplete still gets the raw keystrokes and must cope."""
    with pytest.raises(OptionError, match="at most 100"):
        await world.alice.slash(world.channel, "ost", query="goblin" + "x" * 200)
    assert_choices(await world.alice.autocomplete(world.channel, "ost", "query", "goblin " * 300))
    assert world.env.errors == []


async def test_autocomplete_mixes_kinds_within_limits(world):
    choices = await world.alice.autocomplete(world.channel, "ost", "query", "h")
    assert_choices(choices)
    assert len(choices) >= 5  # one letter: names only (exact, prefix, word prefix), no full-text scan
    assert {c["value"].split(":")[0] for c in choices} == {"song", "drama", "artist", "actor"}  # Hyun Bin
    choices = await world.alice.autocomplete(world.channel, "ost", "query", "orbit")
    assert choices[0] == {"name": "🎵 Orbit — Hwasa · The King: Eternal Monarch", "value": choices[0]["value"]}
    assert (await world.alice.autocomplete(world.channel, "ost", "query", "gummy"))[0]["name"] == "🎤 Gummy · 1 song"
    assert (await world.alice.autocomplete(world.channel, "ost", "query", "goblin"))[0]["name"] == "📺 Goblin · 2 songs"
    typo = await world.alice.autocomplete(world.channel, "ost", "query", "decendants of the sun")
    assert typo[0]["name"] == "📺 Descendants of the Sun · 8 songs"
    starters = await world.alice.autocomplete(world.channel, "ost", "query", "")
    assert_choices(starters)
    assert {c["value"].split(":")[0] for c in starters} == {"song", "drama", "artist"}


async def test_picked_choice_and_typed_text_give_the_same_card(world):
    choice = (await world.alice.autocomplete(world.channel, "ost", "query", "orbit"))[0]
    picked = (await ost(world.alice, world.channel, choice["value"])).response.embeds[0]
    typed = (await ost(world.alice, world.channel, "orbit")).response.embeds[0]
    assert picked.to_dict() == typed.to_dict()


async def test_several_strong_matches_offer_the_others_in_a_select(world):
    result = await ost(world.alice, world.channel, "here")
    select = next(c for c in components(result.response) if c.get("custom_id") == "ost:pick")
    assert [o["label"] for o in select["options"]] == ["🎵 Here I Am Again — Baek Yerin · Crash Landing on You"]
    picked = await world.bob.select(result.response, [select["options"][0]["value"]], custom_id="ost:pick")
    assert picked.ephemeral and picked.response.embeds[0].title == "🎵 Here I Am Again"
    single = await ost(world.alice, world.channel, "orbit")
    assert "ost:pick" not in custom_ids(single.response)


async def test_more_from_shows_the_drama_card(world):
    result = await ost(world.alice, world.channel, "stay with me")
    more = next(i for i in custom_ids(result.response) if i.startswith("ost:more:"))
    assert next(c["label"] for c in components(result.response) if c.get("custom_id") == more) == "More from Goblin"
    shown = await world.bob.click(result.response, custom_id=more)
    assert shown.ephemeral and shown.response.embeds[0].title == "📺 Goblin (도깨비)"
    assert world.env.errors == []


async def add_goblin_songs(store, guild_id: int, count: int) -> None:
    records = [SongRecord(title=f"Goblin Extra {n:02d}", artists=["Ailee"], drama="Goblin") for n in range(count)]
    await store.catalog.import_records(records, guild_id=guild_id, origin="guild")


async def test_drama_pager_and_buttons_survive_a_restart(world, settings):
    env = world.env
    await add_goblin_songs(world.store, world.guild.id, 12)   # 14 songs: two pages
    result = await ost(world.alice, world.channel, "goblin")
    first = result.response
    assert first.embeds[0].footer.text.startswith("Page 1/2")
    assert first.embeds[0].description.count("\n") == 9
    assert "ost:drama:1:1" in custom_ids(first)
    song = await ost(world.alice, world.channel, "orbit")
    here = await ost(world.alice, world.channel, "here")

    await env.bot.close()
    await env.restart_bot(await open_bot(settings))

    turned = await world.bob.click(first, custom_id="ost:drama:1:1")
    assert turned.response.id == first.id  # the same message, edited in place
    page = world.channel.last_message if turned.response is None else turned.response
    assert page.embeds[0].footer.text.startswith("Page 2/2")
    assert "**11.**" in page.embeds[0].description
    back = await world.bob.click(page, custom_id="ost:drama:1:0")
    assert back.response.embeds[0].footer.text.startswith("Page 1/2")
    more = next(i for i in custom_ids(song.response) if i.startswith("ost:more:"))
    shown = await world.bob.click(song.response, custom_id=more)
    assert shown.response.embeds[0].title.startswith("📺 The King: Eternal Monarch")
    picked = await world.bob.select(here.response, [f"song:{await song_id(world.store, 'here-i-am-again')}"],
                                    custom_id="ost:pick")
    assert picked.response.embeds[0].title == "🎵 Here I Am Again"
    assert env.errors == []


async def song_id(store, key: str) -> int:
    return (await store.catalog.song_by_key(key)).id


async def test_another_server_does_not_see_our_additions(world):
    await add_goblin_songs(world.store, world.guild.id, 2)
    other = world.env.create_guild(name="Elsewhere")
    channel = other.create_text_channel("general")
    carol = other.add_member(world.env.create_user("carol"))
    embed = (await ost(carol, channel, "goblin")).response.embeds[0]
    assert "Goblin Extra" not in embed.description
    result = await carol.slash(channel, "ost", query="goblin extra 01")
    assert result.ephemeral
    assert user_errors(world.env) == ["ost.none_suggest"] or user_errors(world.env) == ["ost.none"]


async def test_a_hidden_song_behind_a_select_answers_privately(world):
    result = await ost(world.alice, world.channel, "here")
    hidden = await song_id(world.store, "here-i-am-again")
    assert await world.store.additions.hide(world.guild.id, hidden)  # (bumps the catalog generation)
    picked = await world.bob.select(result.response, [f"song:{hidden}"], custom_id="ost:pick")
    assert picked.ephemeral and picked.response.content == "That entry is no longer in this server's catalog."
    assert (await ost(world.alice, world.channel, "here")).response.embeds[0].title == "🎵 Here Always"
