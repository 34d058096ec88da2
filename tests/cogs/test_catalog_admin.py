"""/catalog: a server's own songs, who may change them, import/export, and per-server visibility."""

from __future__ import annotations

import csv
import io
import json

import discord
import pytest
from simcord import SetupError

from bot.app import open_bot
from bot.errors import UserError
from tests.cogs.admin_helpers import allow_command, reply
from tests.helpers import text_of
from tests.limits import assert_choices, assert_message_limits

pytestmark = pytest.mark.both_engines

GOOD_CSV = (
    b"title,artists,drama,year,description,moods\n"
    b"Beautiful Days,Lee Mujin,Our Quiet Town,2024,A slow song for a slow town.,longing;warm\n"
    b"Winter Letter,Han Seoyun; Paul Kim,Snow Road,2023,,heartbreak\n"
)


async def titles_here(store, guild_id: int) -> set[str]:
    songs = await store.catalog.songs_by_ids(await store.catalog.visible_song_ids(guild_id), guild_id)
    return {s.title for s in songs}


async def additions(store, guild_id: int) -> list[str]:
    return [r.title for r in await store.catalog.export_records(guild_id)]


# -- who may change the catalog ------------------------------------------------------------------

async def test_catalog_is_hidden_from_members_and_stale_clients_are_refused(world, simcord_env):
    assert not any(n.startswith("catalog") for n in world.alice.available_commands(world.channel))
    with pytest.raises(SetupError, match="not visible"):
        await world.alice.slash(world.channel, "catalog export")
    await allow_command(simcord_env, world.guild, "catalog", world.alice)
    before = await world.store.content_hash()
    for command, options in (("catalog add", {"title": "Mine", "artist": "Me", "drama": "My Show"}),
                             ("catalog remove", {"song": "song:1"}), ("catalog restore", {"song": "song:1"}),
                             ("catalog import", {"file": ("songs.csv", GOOD_CSV)}), ("catalog export", {})):
        result = await world.alice.slash(world.channel, command, **options)
        assert result.response.ephemeral and "Manage Server" in result.response.content, command
        assert result.response.attachments == []
    assert await simcord_env.bot.store.content_hash() == before
    assert [e.key for e in simcord_env.errors if isinstance(e, UserError)] == ["admin.error.not_manager"] * 5
    # Autocomplete tells a stale client nothing either.
    assert await world.alice.autocomplete(world.channel, "catalog remove", "song", "") == []


# -- /catalog add ------------------------------------------------------------------------------

async def test_add_a_song(world):
    result = await world.admin.slash(world.channel, "catalog add", title="Beautiful Days", artist="Lee Mujin",
                                     drama="Our Quiet Town", year=2024, tags="piano ballad, longing")
    assert reply(result).ephemeral
    assert "Beautiful Days" in reply(result).content and "Our Quiet Town" in reply(result).content
    [record] = await world.store.catalog.export_records(world.guild.id)
    assert (record.title, record.artists, record.drama, record.year) == (
        "Beautiful Days", ["Lee Mujin"], "Our Quiet Town", 2024)
    assert (record.styles, record.moods, record.ballad) == (["piano ballad"], ["longing"], True)
    # /ost in this server finds it.
    found = await world.alice.slash(world.channel, "ost", query="Beautiful Days")
    assert "Beautiful Days" in text_of(reply(found))


@pytest.mark.parametrize(("options", "expected"), [
    ({"title": "@everyone listen"}, "mentions"),
    ({"title": "**Loud** song"}, "markdown"),
    ({"artist": "<@123456789012345678>"}, "mentions"),
    ({"description": "see https://example.com"}, "links"),
    ({"title": "!!!"}, "no letters"),
])
async def test_add_refuses_tricks_and_changes_nothing(world, options, expected):
    before = await world.store.content_hash()
    song = {"title": "Fine Title", "artist": "Fine Singer", "drama": "Fine Drama", **options}
    result = await world.admin.slash(world.channel, "catalog add", **song)
    assert result.response.ephemeral and expected in result.response.content
    assert "cannot be added" in result.response.content
    assert await world.store.content_hash() == before
    world.env.errors  # noqa: B018


async def test_add_the_same_song_twice_is_refused(world):
    await world.admin.slash(world.channel, "catalog add", title="Winter Letter", artist="Paul Kim", drama="Snow Road")
    again = await world.admin.slash(world.channel, "catalog add", title="winter letter", artist="Paul Kim",
                                    drama="Snow Road")
    assert "already in this server's catalog" in again.response.content
    assert await additions(world.store, world.guild.id) == ["Winter Letter"]
    world.env.errors  # noqa: B018


async def test_near_duplicate_asks_did_you_mean_then_add_anyway(world):
    result = await world.admin.slash(world.channel, "catalog add", title="Stay With Me (Goblin OST)",
                                     artist="Punch", drama="Goblin")
    question = reply(result)
    assert question.ephemeral and "Did you mean" in question.content and "Stay with Me" in question.content
    assert await additions(world.store, world.guild.id) == []
    added = await world.admin.click(question, label="Add anyway")
    assert added.response.content.startswith("Added **Stay With Me (Goblin OST)**")
    assert added.response.components == []
    assert await additions(world.store, world.guild.id) == ["Stay With Me (Goblin OST)"]


async def test_near_duplicate_cancel_adds_nothing(world):
    result = await world.admin.slash(world.channel, "catalog add", title="Here I Am Again", artist="Baek Yerin",
                                     drama="Crash Landing on You")
    before = await world.store.content_hash()
    cancelled = await world.admin.click(reply(result), label="Cancel")
    assert cancelled.response.content == "Nothing was added."
    assert await world.store.content_hash() == before


async def test_same_title_in_another_drama_is_not_a_duplicate(world):
    result = await world.admin.slash(world.channel, "catalog add", title="Always", artist="Someone New",
                                     drama="A Different Show")
    assert "Added" in reply(result).content
    assert await additions(world.store, world.guild.id) == ["Always"]


async def test_add_anyway_after_a_restart_says_it_expired(world, simcord_env, settings):
    result = await world.admin.slash(world.channel, "catalog add", title="Stay with me", artist="Chanyeol",
                                     drama="Goblin")
    await simcord_env.bot.close()
    await simcord_env.restart_bot(await open_bot(settings))
    late = await world.admin.click(reply(result), label="Add anyway")
    assert "expired" in late.response.content and late.response.components == []
    assert await additions(simcord_env.bot.store, world.guild.id) == []


# -- /catalog remove, restore ----------------------------------------------------------------------

async def test_remove_an_addition_and_hide_then_restore_a_shipped_song(world, simcord_env):
    other = simcord_env.create_guild(name="Other Club")
    await world.admin.slash(world.channel, "catalog add", title="Winter Letter", artist="Paul Kim", drama="Snow Road")
    choices = await world.admin.autocomplete(world.channel, "catalog remove", "song", "")
    assert_choices(choices)
    assert choices[0]["name"].startswith("Winter Letter") and choices[0]["value"].startswith("song:")
    assert any(c["name"].startswith("Hide here: ") and c["value"].startswith("hide:") for c in choices)

    removed = await world.admin.slash(world.channel, "catalog remove", song=choices[0]["value"])
    assert removed.response.ephemeral and "Removed" in removed.response.content
    assert await additions(world.store, world.guild.id) == []
    assert "Winter Letter" not in await titles_here(world.store, world.guild.id)
    # Gone from search too (its full-text row went with it).
    assert not any("Winter Letter" in c["name"]
                   for c in await world.alice.autocomplete(world.channel, "ost", "query", "winter letter"))

    [hide] = [c for c in await world.admin.autocomplete(world.channel, "catalog remove", "song", "stay with")
              if c["value"].startswith("hide:")]
    hidden = await world.admin.slash(world.channel, "catalog remove", song=hide["value"])
    assert "hidden in this server only" in hidden.response.content
    assert "Stay with Me" not in await titles_here(world.store, world.guild.id)
    assert "Stay with Me" in await titles_here(world.store, other.id)
    gen = world.store.catalog.generation

    restore_choices = await world.admin.autocomplete(world.channel, "catalog restore", "song", "stay")
    assert [c["value"] for c in restore_choices] == [hide["value"].replace("hide:", "song:")]
    restored = await world.admin.slash(world.channel, "catalog restore", song=restore_choices[0]["value"])
    assert "is back" in restored.response.content
    assert "Stay with Me" in await titles_here(world.store, world.guild.id)
    assert world.store.catalog.generation == gen + 1


async def test_a_title_typed_in_full_is_found_however_many_titles_contain_it(world):
    """The exact title is looked up as such, not picked out of the first 25 partial matches."""
    from bot.catalog.records import SongRecord

    await world.store.catalog.import_records(
        [SongRecord(key=f"a-stay-{n:02}", title=f"A Stay {n:02}", artists=["Someone"], drama="Many Stays")
         for n in range(30)] + [SongRecord(key="stay", title="Stay", hangul="머물러", artists=["Someone"],
                                           drama="Many Stays")], guild_id=world.guild.id)
    removed = await world.admin.slash(world.channel, "catalog remove", song="stay")
    assert removed.ephemeral and "Stay" in removed.response.content and "Many Stays" in removed.response.content
    assert await world.store.additions.addition_id_by_key(world.guild.id, "stay") is None
    await world.store.catalog.import_records([SongRecord(key="stay", title="Stay", hangul="머물러",
                                                         artists=["Someone"], drama="Many Stays")],
                                             guild_id=world.guild.id)
    by_hangul = await world.admin.slash(world.channel, "catalog remove", song="머물러")
    assert by_hangul.ephemeral and await world.store.additions.addition_id_by_key(world.guild.id, "stay") is None


async def test_remove_free_text_must_name_one_song(world):
    result = await world.admin.slash(world.channel, "catalog remove", song="no such song")
    assert result.response.ephemeral and "Pick a song from the list" in result.response.content
    world.env.errors  # noqa: B018


async def test_a_server_cannot_remove_another_servers_song(world, simcord_env):
    await world.admin.slash(world.channel, "catalog add", title="Winter Letter", artist="Paul Kim", drama="Snow Road")
    [value] = [c["value"] for c in await world.admin.autocomplete(world.channel, "catalog remove", "song", "winter")]
    other = simcord_env.create_guild(name="Other Club")
    room = other.create_text_channel("general")
    boss = other.add_member(simcord_env.create_user("boss"),
                            roles=[other.create_role("Admins", permissions=discord.Permissions(manage_guild=True))])
    assert await boss.autocomplete(room, "catalog remove", "song", "winter") == []
    result = await boss.slash(room, "catalog remove", song=value)
    assert "cannot find" in result.response.content
    assert await additions(world.store, world.guild.id) == ["Winter Letter"]
    simcord_env.errors  # noqa: B018


# -- import / export ---------------------------------------------------------------------------

async def test_import_a_good_file(world):
    result = await world.admin.slash(world.channel, "catalog import", file=("songs.csv", GOOD_CSV))
    answer = reply(result)
    assert answer.ephemeral and "2 new songs" in answer.content
    assert sorted(await additions(world.store, world.guild.id)) == ["Beautiful Days", "Winter Letter"]
    [letter] = [r for r in await world.store.catalog.export_records(world.guild.id) if r.title == "Winter Letter"]
    assert letter.artists == ["Han Seoyun", "Paul Kim"]


async def test_import_json(world):
    data = json.dumps([{"title": "Night Bus", "artists": ["Yoon Ha"], "drama": "City Lights", "year": 2022}])
    result = await world.admin.slash(world.channel, "catalog import", file=("songs.json", data.encode()))
    assert "1 new song," in reply(result).content
    assert await additions(world.store, world.guild.id) == ["Night Bus"]


async def test_import_with_bad_rows_imports_nothing_and_reports_each_row(world):
    bad = GOOD_CSV + b"@everyone,Someone,Show,2020,,\n,Nobody,Show,1800,,\n"
    before = await world.store.content_hash()
    result = await world.admin.slash(world.channel, "catalog import", file=("songs.csv", bad))
    answer = reply(result)
    assert answer.ephemeral and "Nothing was imported" in answer.content
    assert "line 4, title" in answer.content and "mentions" in answer.content
    assert "line 5, title: is required" in answer.content and "line 5, year" in answer.content
    assert answer.attachments == []
    assert_message_limits(answer)
    assert await world.store.content_hash() == before


async def test_import_report_in_korean(world):
    """Problems carry message keys: a Korean server reads the whole report in Korean."""
    await world.admin.slash(world.channel, "config language", language="ko")
    bad = GOOD_CSV + b"@everyone,Someone,Show,2020,,\n,Nobody,Show,1800,,\n"
    before = await world.store.content_hash()
    answer = reply(await world.admin.slash(world.channel, "catalog import", file=("songs.csv", bad)))
    assert answer.ephemeral
    assert answer.content.splitlines() == [
        "아무것도 가져오지 않았어요: 파일에 문제가 3개 있어요. 고친 뒤 파일 전체를 다시 가져와 주세요.",
        "• 4번째 줄, 제목(title): 멘션이나 디스코드 서식(@\u200beveryone, @\u200bhere, <@…>, <#…>, <t:…>, "
        "커스텀 이모지, 명령어 멘션)을 넣을 수 없어요",  # escaped: no ping
        "• 5번째 줄, 제목(title): 꼭 필요해요",
        "• 5번째 줄, 연도(year): 1950년에서 2100년 사이의 연도여야 해요",
    ]
    assert_message_limits(answer)
    assert await world.store.content_hash() == before
    # File-level problems too, and JSON entries are counted as songs.
    utf16 = reply(await world.admin.slash(world.channel, "catalog import", file=("songs.csv", GOOD_CSV.decode()
                                                                                 .encode("utf-16"))))
    assert "• 1번째 줄, 파일: UTF-16(" in utf16.content
    js = json.dumps([{"title": "A", "artists": ["B", "B"], "drama": "C"}]).encode()
    entry = reply(await world.admin.slash(world.channel, "catalog import", file=("songs.json", js)))
    assert "• 1번째 노래, 가수(artists): 같은 항목이 두 번 있어요" in entry.content
    # /catalog add shows the same texts without a line number.
    added = await world.admin.slash(world.channel, "catalog add", title="Fine", artist="<@123456789012345678>",
                                    drama="Show")
    assert "• 가수(artists): '<@\u200b123456789012345678>': 멘션" in added.response.content
    assert await world.store.content_hash() == before
    world.env.errors  # noqa: B018


async def test_many_bad_rows_are_summarised_with_a_full_report_file(world):
    rows = "".join(f"Song {i},,Show {i}\n" for i in range(60))
    result = await world.admin.slash(world.channel, "catalog import",
                                     file=("songs.csv", ("title,artists,drama\n" + rows).encode()))
    answer = reply(result)
    assert_message_limits(answer)
    assert "60 problems" in answer.content and "attached report" in answer.content
    [report] = answer.attachments
    text = (await report.read()).decode()
    assert text.count("\n") == 60 and "line 61, artists: is required" in text
    assert await additions(world.store, world.guild.id) == []


async def test_oversized_and_overlong_files_are_refused(world):
    big = b"title,artists,drama\n" + b"x" * 1_000_001
    result = await world.admin.slash(world.channel, "catalog import", file=("songs.csv", big))
    assert result.response.ephemeral and "the limit is 1 MB" in result.response.content
    rows = b"title,artists,drama\n" + b"".join(b"S%d,A,D\n" % i for i in range(5001))
    long = await world.admin.slash(world.channel, "catalog import", file=("songs.csv", rows))
    assert "5001 rows; the limit is 5000" in reply(long).content
    assert await additions(world.store, world.guild.id) == []
    world.env.errors  # noqa: B018


async def test_export_then_import_round_trips(world, simcord_env):
    await world.admin.slash(world.channel, "catalog import", file=("songs.csv", GOOD_CSV))
    await world.admin.slash(world.channel, "catalog add", title="=SUM(A1)", artist="Formula Kid", drama="Sheets",
                            description="Starts like a spreadsheet formula.")
    exported = await world.admin.slash(world.channel, "catalog export")
    answer = reply(exported)
    assert answer.ephemeral and "3 songs" in answer.content
    [attachment] = answer.attachments
    assert attachment.filename.endswith(".csv")
    data = await attachment.read()
    assert next(iter(csv.reader(io.StringIO(data.decode()))))[:3] == ["key", "title", "hangul"]
    assert b"'=SUM(A1)" in data  # a spreadsheet will not run it

    other = simcord_env.create_guild(name="Other Club")
    room = other.create_text_channel("general")
    boss = other.add_member(simcord_env.create_user("boss"),
                            roles=[other.create_role("Admins", permissions=discord.Permissions(manage_guild=True))])
    imported = await boss.slash(room, "catalog import", file=(attachment.filename, data))
    assert "3 new songs" in reply(imported).content
    mine = await world.store.catalog.export_records(world.guild.id)
    theirs = await world.store.catalog.export_records(other.id)
    assert [vars_of(r) for r in mine] == [vars_of(r) for r in theirs]
    # Importing the same file again updates, never duplicates.
    again = await boss.slash(room, "catalog import", file=(attachment.filename, data))
    assert "0 new songs, 3 updated" in reply(again).content


def vars_of(record) -> tuple:
    return (record.key, record.title, record.artists, record.drama, record.year, record.description,
            record.styles, record.moods, record.ballad)


async def test_export_with_no_additions(world):
    result = await world.admin.slash(world.channel, "catalog export")
    assert "has not added any songs" in reply(result).content
    assert reply(result).attachments == []


# -- two servers ---------------------------------------------------------------------------------

async def test_two_servers_never_see_each_others_additions(world, simcord_env):
    other = simcord_env.create_guild(name="Other Club")
    room = other.create_text_channel("general")
    fan = other.add_member(simcord_env.create_user("fan"))
    await world.admin.slash(world.channel, "catalog add", title="Beautiful Days", artist="Lee Mujin",
                            drama="Our Quiet Town")
    assert "Beautiful Days" in await titles_here(world.store, world.guild.id)
    assert "Beautiful Days" not in await titles_here(world.store, other.id)
    here = await world.alice.autocomplete(world.channel, "ost", "query", "beautiful")
    there = await fan.autocomplete(room, "ost", "query", "beautiful")
    assert any("Beautiful Days" in c["name"] for c in here)
    assert not any("Beautiful Days" in c["name"] for c in there)
    missing = await fan.slash(room, "ost", query="Beautiful Days")
    shown = reply(missing)
    assert "Lee Mujin" not in text_of(shown)
    simcord_env.errors  # noqa: B018
