"""Shard settings and ownership: parsed and validated once, a clear message naming the variable."""

from __future__ import annotations

import pytest

from bot.app import OstBot, ShardedOstBot, create_bot
from bot.config import ConfigError, Settings
from bot.sharding import Member, Shards, fleet_guilds, fleet_problems, format_shard_ids, parse_shard_ids, shard_of
from bot.store import Store

URL = "postgresql://ost@db/ost"


@pytest.mark.parametrize(("text", "ids"), [("0-3", (0, 1, 2, 3)), ("4,5,7", (4, 5, 7)), (" 6 , 0-1", (0, 1, 6)),
                                           ("2", (2,))])
def test_shard_ids_read_like_people_write_them(text, ids):
    assert parse_shard_ids(text) == ids
    assert parse_shard_ids(format_shard_ids(ids)) == ids


@pytest.mark.parametrize("text", ["", "a", "1-", "3-1", "1,1", "0-2,2", "-1", "1.5"])
def test_bad_shard_ids_are_refused(text):
    with pytest.raises(ValueError):
        parse_shard_ids(text)


def test_a_guild_belongs_to_the_shard_discord_says():
    guild = (1234 << 22) | 77  # the shard comes from the timestamp bits of the id
    assert shard_of(guild, 8) == 1234 % 8
    shards = Shards(8, (1234 % 8,))
    assert shards.owns(guild) and not Shards(8, ((1234 + 1) % 8,)).owns(guild)
    assert Shards().owns(guild) and Shards().syncs_commands  # unsharded: everything
    assert Shards(4, (2, 3)).syncs_commands is False and Shards(4, (0, 1)).syncs_commands


@pytest.mark.parametrize(("env", "words"), [
    ({"OST_SHARD_COUNT": "x"}, "OST_SHARD_COUNT"),
    ({"OST_SHARD_COUNT": "0"}, "OST_SHARD_COUNT"),
    ({"OST_SHARD_IDS": "0-1"}, "OST_SHARD_COUNT"),
    ({"OST_SHARD_COUNT": "4", "OST_SHARD_IDS": "3-5", "OST_DATABASE_URL": URL}, "between 0 and 3"),
    ({"OST_SHARD_COUNT": "4", "OST_SHARD_IDS": "1,1", "OST_DATABASE_URL": URL}, "OST_SHARD_IDS"),
    ({"OST_SHARD_COUNT": "4", "OST_SHARD_IDS": "zero", "OST_DATABASE_URL": URL}, "OST_SHARD_IDS"),
    # Several processes on one SQLite file: refused (SQLite is one process).
    ({"OST_SHARD_COUNT": "4", "OST_SHARD_IDS": "0-1"}, "SQLite"),
])
def test_bad_shard_settings_name_the_variable(env, words):
    with pytest.raises(ConfigError, match=words):
        Settings.from_env(env, dotenv_path=None)


async def test_shard_settings_pick_the_client(tmp_path):
    store = await Store.open(tmp_path / "a.db")  # what the bot is handed; the choice of client ignores it
    try:
        assert type(create_bot(Settings(database_path=tmp_path / "a.db"), store)) is OstBot
        whole = create_bot(Settings(database_path=tmp_path / "a.db", shard_count=2), store)  # SQLite: all shards
        assert isinstance(whole, ShardedOstBot) and whole.shard_count == 2 and whole.shard_ids == [0, 1]
        part = create_bot(Settings.from_env({"OST_SHARD_COUNT": "4", "OST_SHARD_IDS": "2-3", "OST_DATABASE_URL": URL},
                                            dotenv_path=None), store)
        assert isinstance(part, ShardedOstBot) and part.shard_ids == [2, 3]
        assert part.owns_guild((6 << 22) | 1) and not part.owns_guild((5 << 22) | 1)
    finally:
        await store.close()


def test_fleet_problems_name_missing_and_doubled_shards():
    a = Member("a", 4, (0, 1), 10, 5.0)
    b = Member("b", 4, (2, 3), 7, 5.0)
    assert fleet_problems([a, b], stale_after=90) == []
    assert fleet_guilds([a, b], stale_after=90) == 17
    silent = Member("b", 4, (2, 3), 7, 600.0)
    assert fleet_problems([a, silent], stale_after=90) == ["no live process owns shard 2-3 of 4"]
    overlap = Member("c", 4, (1, 2), 3, 1.0)  # a rolling deploy: the new process before the old one stopped
    assert fleet_problems([a, b, overlap], stale_after=90) == [
        "shard 1 of 4 is owned by 2 live processes: a, c", "shard 2 of 4 is owned by 2 live processes: b, c"]
    assert "disagree on the shard count" in fleet_problems([a, Member("d", 8, (2,), 1, 1.0)], 90)[0]
    assert fleet_problems([], 90) == ["no live process"]
