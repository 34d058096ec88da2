"""/catalog fetch: a drama's OST from MusicBrainz (the local stand-in), previewed, picked, added."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from bot.app import open_bot
from bot.musicbrainz import client

from .admin_helpers import reply

pytestmark = pytest.mark.both_engines

PART1 = "d0cca001-0000-4000-8000-000000000001"
PART4 = "d0cca004-0000-4000-8000-000000000004"
BOX = "d0cca0b0-0000-4000-8000-000000000b0b"


@pytest.fixture(autouse=True)
def fresh_limiter(monkeypatch):
    """The process's shared limiter remembers a 503's hold on another test's event loop clock."""
    monkeypatch.setattr(client, "_shared", {})


@pytest.fixture
def settings(settings, musicbrainz):
    """The bot's settings pointed at the stand-in, with a rate its limiter never waits for."""
    return dataclasses.replace(settings, musicbrainz_url=musicbrainz.url, coverart_url=musicbrainz.coverart_url,
                               musicbrainz_rate=1000.0)


async def own_titles(store, guild_id: int) -> list[str]:
    return sorted(r.title for r in await store.catalog.export_records(guild_id))


def embed(message):
    (shown,) = message.embeds
    return shown


async def test_words_give_a_private_preview_and_nothing_is_written_before_add(world, musicbrainz):
    before = await world.store.content_hash()
    result = await world.admin.slash(world.channel, "catalog fetch", query="도깨비")
    preview = reply(result)
    assert preview.ephemeral
    shown = embed(preview)
    assert "도깨비 OST Part 1" in shown.title
    assert "도깨비 OST Part 9" in shown.description and "도깨비 OST Complete Box" in shown.description
    field = shown.fields[0]
    assert "Stay With Me" in field.value and "찬열, 펀치" in field.value and "1 instrumental" in field.value
    assert PART1 in shown.thumbnail.url and "250" in shown.thumbnail.url     # the Cover Art Archive's thumbnail
    assert await world.store.content_hash() == before
    assert all(r.user_agent.startswith("ost-ballad-bot/") for r in musicbrainz.requests)


async def test_add_links_the_shipped_song_and_reports_it(world):
    result = await world.admin.slash(world.channel, "catalog fetch", query="도깨비")
    added = await world.admin.click(reply(result), label="Add")
    report = embed(reply(added))
    assert "No new song" in report.description
    assert "Already there, linked to the release (1)" in report.description and "Stay with Me" in report.description
    assert "Stay With Me (Inst.): instrumental" in report.description
    assert reply(added).components == []
    assert await own_titles(world.store, world.guild.id) == []


async def test_pick_another_part_then_add_it_with_its_featuring_singers(world):
    result = await world.admin.slash(world.channel, "catalog fetch", query="goblin")
    picked = await world.admin.select(reply(result), [PART4])
    shown = embed(reply(picked))
    assert "도깨비 OST Part 4" in shown.title and "Round and Round" in shown.fields[0].value
    added = await world.admin.click(reply(picked), label="Add")
    assert "Added 1 song to this server's catalog" in embed(reply(added)).description
    assert await own_titles(world.store, world.guild.id) == ["Round and Round"]
    (line,) = await world.store.additions.additions(world.guild.id)
    (song,) = await world.store.catalog.songs_by_ids([line.id], world.guild.id)
    assert len(song.credits) == 2 and song.drama.name == "Goblin"
    assert song.cover_url is None                                   # Part 4's cover answers 404


async def test_a_link_goes_straight_to_that_release(world, musicbrainz):
    result = await world.admin.slash(world.channel, "catalog fetch",
                                     query=f"https://musicbrainz.org/release/{PART4}")
    assert "도깨비 OST Part 4" in embed(reply(result)).title
    assert not any("query" in r.query for r in musicbrainz.requests)   # no search


async def test_a_release_group_link_lists_its_releases(world):
    result = await world.admin.slash(world.channel, "catalog fetch",
                                     query="https://musicbrainz.org/release-group/d0cca0f1-0000-4000-8000-000000000001")
    shown = embed(reply(result))
    assert "도깨비 OST Part 1" in shown.title and "Stay With Me" in shown.fields[0].value


async def test_every_part_of_the_drama(world):
    result = await world.admin.slash(world.channel, "catalog fetch", query="도깨비")
    picked = await world.admin.select(reply(result), ["all"])
    assert "Every OST part of 도깨비" in embed(reply(picked)).title
    added = await world.admin.click(reply(picked), label="Add")
    report = embed(reply(added)).description
    assert "Round and Round" in report and "linked to the release" in report
    assert "A fetch adds at most 100 songs" in report                      # the box set's 320 themes


async def test_cancel_adds_nothing(world):
    before = await world.store.content_hash()
    result = await world.admin.slash(world.channel, "catalog fetch", query="도깨비")
    cancelled = await world.admin.click(reply(result), label="Cancel")
    assert cancelled.response.content == "Nothing was added." and cancelled.response.components == []
    assert await world.store.content_hash() == before


async def test_the_preview_expires_disabled_and_says_so(world, simcord_env):
    result = await world.admin.slash(world.channel, "catalog fetch", query="도깨비")
    await simcord_env.advance_time(15 * 60)
    expired = reply(result)
    assert "expired" in expired.content
    items = [c for row in expired.components for c in row["components"]]
    assert len(items) == 3 and all(c.get("disabled") for c in items)     # nothing left to click
    assert await own_titles(world.store, world.guild.id) == []


async def test_a_click_after_a_restart_says_the_preview_expired(world, simcord_env, settings):
    result = await world.admin.slash(world.channel, "catalog fetch", query="도깨비")
    await simcord_env.bot.close()
    await simcord_env.restart_bot(await open_bot(settings))
    late = await world.admin.click(reply(result), label="Add")
    assert "expired" in late.response.content and late.response.components == []
    assert await own_titles(simcord_env.bot.store, world.guild.id) == []


@pytest.mark.parametrize(("query", "answer"), [
    ("https://www.youtube.com/watch?v=abc", "I can only fetch from MusicBrainz, not from youtube.com"),
    ("https://musicbrainz.org/artist/a1000001-0000-4000-8000-000000000001", "of type “artist”"),
    ("a1000001-0000-4000-8000-000000000001", "MusicBrainz has no release with that id"),
    ("nothing like this at all", "MusicBrainz has no soundtrack matching"),
])
async def test_bad_queries_get_a_clear_private_answer(world, simcord_env, query, answer, caplog):
    caplog.set_level(logging.INFO, logger="bot.fetching")
    before = await world.store.content_hash()
    result = await world.admin.slash(world.channel, "catalog fetch", query=query)
    assert answer in reply(result).content and reply(result).ephemeral
    assert len([r for r in caplog.records if r.name == "bot.fetching"]) == 1
    assert await world.store.content_hash() == before
    simcord_env.errors.clear()


@pytest.mark.parametrize("mode", ["503", "truncate", "reset", "500"])
async def test_musicbrainz_faults_are_answered_and_nothing_is_written(world, simcord_env, musicbrainz, mode, caplog):
    musicbrainz.fail("/ws/2", mode)
    before = await world.store.content_hash()
    result = await world.admin.slash(world.channel, "catalog fetch", query="도깨비")
    await simcord_env.advance_time(60)             # the client's backoff between retries of a 503
    text = reply(result).content
    assert "Nothing was added" in text
    assert await world.store.content_hash() == before
    assert len([r for r in caplog.records if r.name == "bot.fetching"]) == 1
    simcord_env.errors.clear()


async def test_a_fault_on_add_leaves_the_catalog_as_it_was(world, simcord_env, musicbrainz):
    result = await world.admin.slash(world.channel, "catalog fetch", query="도깨비")
    picked = await world.admin.select(reply(result), ["all"])
    before = await world.store.content_hash()
    musicbrainz.fail("/ws/2", "503")
    added = await world.admin.click(reply(picked), label="Add")
    await simcord_env.advance_time(60)             # the client's backoff between retries of a 503
    assert "can't be reached right now" in reply(added).content
    assert await world.store.content_hash() == before
    simcord_env.errors.clear()


async def test_korean_server_gets_korean_preview_and_report(world):
    await world.admin.slash(world.channel, "config language", language="ko")
    result = await world.admin.slash(world.channel, "catalog fetch", query="도깨비")
    assert "MusicBrainz에서 찾았어요" in embed(reply(result)).title
    added = await world.admin.click(reply(result), label="추가")
    assert "릴리스와 연결했어요" in embed(reply(added)).description


async def test_a_fetch_past_the_servers_song_limit_adds_nothing(world, simcord_env):
    world.store.catalog.max_server_songs = 1
    result = await world.admin.slash(world.channel, "catalog fetch", query="도깨비")
    picked = await world.admin.select(reply(result), ["all"])
    before = await world.store.content_hash()
    added = await world.admin.click(reply(picked), label="Add")
    assert "Nothing was added: a server may have 1 song of its own" in reply(added).content
    assert await world.store.content_hash() == before
