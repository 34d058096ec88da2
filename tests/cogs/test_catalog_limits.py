"""A server's own catalog has limits: OST_MAX_SERVER_SONGS songs (an add or an import that would
pass it is refused whole, with a clear message) and OST_CATALOG_WRITES_PER_MINUTE writes a minute
(refused privately, saying when to try again)."""

from __future__ import annotations

import dataclasses

import discord
import pytest

from tests.cogs.admin_helpers import reply

pytestmark = pytest.mark.both_engines

THREE_SONGS = (b"title,artists,drama\nOne,Gummy,Goblin\nTwo,Gummy,Goblin\nThree,Gummy,Goblin\n")


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, max_server_songs=4, catalog_writes_per_minute=3)


async def own_songs(world) -> list[str]:
    return sorted(r.title for r in await world.store.catalog.export_records(world.guild.id))


async def test_the_song_limit_refuses_an_import_whole_and_an_add(world):
    await world.admin.slash(world.channel, "catalog add", title="First", artist="Gummy", drama="Snow Road")
    await world.admin.slash(world.channel, "catalog add", title="Second", artist="Gummy", drama="Snow Road")
    before = await world.store.content_hash()
    answer = reply(await world.admin.slash(world.channel, "catalog import", file=("songs.csv", THREE_SONGS)))
    assert answer.ephemeral
    assert answer.content == ("Nothing was added: a server can add at most 4 songs of its own, and this one has 2, "
                              "so 3 more would be too many. Remove some with /catalog remove first.")
    assert await world.store.content_hash() == before and await own_songs(world) == ["First", "Second"]
    await world.env.advance_time(61)  # a new minute: the refusal is the limit's, not the rate's
    await world.admin.slash(world.channel, "catalog add", title="Third", artist="Gummy", drama="Snow Road")
    await world.admin.slash(world.channel, "catalog add", title="Fourth", artist="Gummy", drama="Snow Road")
    await world.admin.slash(world.channel, "config language", language="ko")
    await world.env.advance_time(61)
    refused = await world.admin.slash(world.channel, "catalog add", title="Fifth", artist="Gummy", drama="Snow Road")
    assert refused.response.ephemeral and "서버마다 노래를 4곡까지 추가할 수 있는데" in refused.response.content
    assert await own_songs(world) == ["First", "Fourth", "Second", "Third"]
    assert len(world.env.errors) == 2  # the two refusals, answered by the error handler


async def test_writes_per_minute_are_limited_and_the_reply_says_when_to_retry(world):
    for n in range(3):
        await world.admin.slash(world.channel, "catalog add", title=f"Song {n}", artist="Gummy", drama="Snow Road")
    await world.env.advance_time(20)
    refused = await world.admin.slash(world.channel, "catalog remove", song="Song 0")
    assert refused.response.ephemeral
    assert refused.response.content == ("This server changed its catalog many times in the last minute. "
                                        "Try again in 40 seconds.")
    assert await own_songs(world) == ["Song 0", "Song 1", "Song 2"]
    other = world.env.create_guild(name="Quiet Club")  # another server is not held back
    admins = other.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
    manager = other.add_member(world.env.create_user("manager"), roles=[admins])
    channel = other.create_text_channel("general")
    done = await manager.slash(channel, "catalog add", title="Elsewhere", artist="Gummy", drama="Snow Road")
    assert "Added" in reply(done).content
    await world.env.advance_time(41)
    removed = await world.admin.slash(world.channel, "catalog remove", song="Song 0")
    assert "Removed" in removed.response.content
    assert len(world.env.errors) == 1


@pytest.mark.parametrize("engine", ["sqlite"])  # a real full disk: SQLite's page limit (PostgreSQL's: the test below)
async def test_an_import_on_a_full_disk_says_the_disk_is_full(world, engine):
    writer = world.store.db._writer  # the connection of every write transaction
    [(pages,)] = await writer.execute_fetchall("PRAGMA page_count")
    await writer.execute_fetchall(f"PRAGMA max_page_count = {pages}")  # not one page more: the disk is full
    before = await world.store.content_hash()
    rows = "".join(f"Song number {n},Singer {n},Drama {n}\n" for n in range(400))
    answer = reply(await world.admin.slash(world.channel, "catalog import",
                                           file=("songs.csv", ("title,artists,drama\n" + rows).encode())))
    assert answer.ephemeral and answer.content.startswith("Nothing was saved: the bot's disk is full.")
    assert "something went wrong" not in answer.content.lower()
    assert await world.store.content_hash() == before
    assert len(world.env.errors) == 1


@pytest.mark.parametrize("engine", ["postgres"])
async def test_an_import_on_a_full_postgresql_disk_says_the_disk_is_full(world, engine):
    """The server's own disk-full error (SQLSTATE 53100, what PostgreSQL sends when it cannot extend a
    file), raised by the real server from a trigger in the middle of the import's transaction: the
    bot maps the error asyncpg gives it, and the rows written before it are rolled back."""
    async with world.store.db.transaction() as tx:
        await tx.execute("CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                         "IF (SELECT count(*) FROM songs WHERE guild_id IS NOT NULL) >= 200 THEN "
                         "RAISE EXCEPTION 'could not extend file \"base/16384/16385\": No space left on device' "
                         "USING ERRCODE = 'disk_full'; END IF; RETURN NEW; END $$")
        await tx.execute("CREATE TRIGGER disk_full BEFORE INSERT ON songs FOR EACH ROW EXECUTE FUNCTION disk_full()")
    before = await world.store.content_hash()
    rows = "".join(f"Song number {n},Singer {n},Drama {n}\n" for n in range(400))
    answer = reply(await world.admin.slash(world.channel, "catalog import",
                                           file=("songs.csv", ("title,artists,drama\n" + rows).encode())))
    assert answer.ephemeral and answer.content.startswith("Nothing was saved: the bot's disk is full.")
    assert await world.store.content_hash() == before and await own_songs(world) == []
    assert len(world.env.errors) == 1
