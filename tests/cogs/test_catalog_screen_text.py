"""/catalog add and /catalog import: text that would flip or stamp other members' screens is
refused with a reason (direction controls, stacked marks, Discord markup), invisible characters
are stripped, and nothing is stored from a refused song or file."""

from __future__ import annotations

import json

import pytest

from tests.cogs.admin_helpers import reply
from tests.helpers import text_of

pytestmark = pytest.mark.both_engines


@pytest.mark.parametrize(("title", "expected"), [
    ("Stay \u202eWith Me", "text-direction controls"),
    ("Time <t:1700000000:R> Song", "Discord markup"),
    ("Go to <#123456789012345678>", "Discord markup"),
    ("Z" + "\u0301" * 40 + "algo", "accent marks"),
])
async def test_add_refuses_screen_tricks(world, title, expected):
    before = await world.store.content_hash()
    result = await world.admin.slash(world.channel, "catalog add", title=title, artist="Fine Singer",
                                     drama="Fine Drama")
    assert result.response.ephemeral and "cannot be added" in result.response.content
    assert expected in result.response.content
    assert await world.store.content_hash() == before
    assert len(world.env.errors) == 1  # the refusal, answered by the error handler


async def test_add_strips_zero_width_characters_and_keeps_emoji_joiners(world):
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    await world.admin.slash(world.channel, "catalog add", title=f"Ho\u200bme {family}", artist="Kim\u200c Bo",
                            drama="\ufeffSnow Road")
    [record] = await world.store.catalog.export_records(world.guild.id)
    assert (record.title, record.artists, record.drama) == (f"Home {family}", ["Kim Bo"], "Snow Road")
    found = await world.alice.slash(world.channel, "ost", query="Home")
    assert "\u200b" not in text_of(reply(found)) and family in text_of(reply(found))


async def test_import_refuses_a_file_with_screen_tricks_and_keeps_nothing(world):
    rows = [{"title": "Fine Song", "artists": ["Fine Singer"], "drama": "Fine Drama"},
            {"title": "Flip \u2067Me", "artists": ["Someone"], "drama": "Show"},
            {"title": "Later", "artists": ["Someone"], "drama": "Show <t:1700000000:R>"}]
    before = await world.store.content_hash()
    answer = reply(await world.admin.slash(world.channel, "catalog import",
                                           file=("songs.json", json.dumps(rows).encode())))
    assert answer.ephemeral and "Nothing was imported" in answer.content
    assert "song 2, title: must not contain text-direction controls" in answer.content
    assert "song 3, drama: must not contain mentions or Discord markup" in answer.content
    assert await world.store.content_hash() == before
    # In Korean too.
    await world.admin.slash(world.channel, "config language", language="ko")
    korean = reply(await world.admin.slash(world.channel, "catalog import",
                                           file=("songs.json", json.dumps(rows).encode())))
    assert "글자 방향 제어 문자를 넣을 수 없어요" in korean.content
