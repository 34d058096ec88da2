"""Song cards kept ready: a card is read from its song's document only while that
document is current, on both engines; a catalog write, in this store or another, makes every document
stale at once, and the next build writes them again."""

from __future__ import annotations

import contextlib

import pytest

from bot.catalog.records import SongRecord
from bot.store import song_cards

pytestmark = pytest.mark.both_engines


async def all_ids(store) -> list[int]:
    return [r[0] for r in await store.fetch("SELECT id FROM songs ORDER BY id")]


def counting_batches(store) -> list[int]:
    """Counts the catalog-table batches (`fetch_many`) the store reads from now on (not the read of the
    documents themselves, a batch of one on `song_cards`)."""
    calls: list[int] = []
    original = store.fetch_many

    async def counted(queries, *args, **kwargs):
        if not all("FROM song_cards" in sql for sql, _ in queries):
            calls.append(1)
        return await original(queries, *args, **kwargs)

    store.fetch_many = counted
    return calls


async def test_documents_give_the_same_cards_without_the_batch(store):
    ids = await all_ids(store)
    from_tables = await store.catalog.song_cards_by_ids(ids)
    assert await store.catalog.card_docs_counts() == (0, len(ids))
    assert await store.catalog.build_card_docs() == len(ids)
    assert await store.catalog.card_docs_counts() == (len(ids), len(ids))
    batches = counting_batches(store)
    from_docs = await store.catalog.song_cards_by_ids(ids)
    assert from_docs == from_tables  # every field, the drama outline, credits, facts and sources
    assert [s.id for s in from_docs] == ids
    assert batches == []  # no catalog-table batch: every card came from its document
    # Asked in another order, with a repeat and an unknown id: the order asked, each once.
    assert [s.id for s in await store.catalog.song_cards_by_ids([ids[2], ids[0], ids[2], 10**9])] == [ids[2], ids[0]]
    assert await store.catalog.build_card_docs() == 0  # nothing missing


async def test_a_catalog_write_makes_every_document_stale_at_once(two_stores):
    store, other = two_stores
    report = await store.catalog.import_records([SongRecord(title="Kept Song", artists=["Gummy"], drama="Goblin")])
    ids = list(report.song_ids)
    await store.catalog.build_card_docs()
    assert [c.name for c in (await store.catalog.song_cards_by_ids(ids))[0].credits] == ["Gummy"]
    # Another process credits the song to someone else: `store` has heard nothing of it yet.
    await other.catalog.import_records([SongRecord(title="Kept Song", artists=["Someone Else"], drama="Goblin")])
    batches = counting_batches(store)
    seen = (await store.catalog.song_cards_by_ids(ids))[0]
    assert [c.name for c in seen.credits] == ["Someone Else"]
    assert batches == [1]  # read from the tables: the document's generation is not the catalog's
    # The next build writes every song again (all are stale), then nothing.
    assert await store.catalog.build_card_docs() == len(await all_ids(store))
    batches.clear()
    again = (await store.catalog.song_cards_by_ids(ids))[0]
    assert again == seen and batches == []
    assert await other.catalog.build_card_docs() == 0


async def test_a_document_of_another_format_is_not_read(two_stores):
    store, newer = two_stores
    ids = await all_ids(store)
    await store.catalog.build_card_docs()
    async with store.transaction() as tx:  # written by a process of an older version
        await tx.execute("UPDATE song_cards SET format = :old, doc = '{}' WHERE song_id = :id",
                         {"old": song_cards.FORMAT - 1, "id": ids[0]})
    batches = counting_batches(store)
    card = (await store.catalog.song_cards_by_ids(ids[:1]))[0]
    assert card.id == ids[0] and card.title and batches == [1]
    # A process started since (a new format comes with a new process) compares every song: written again.
    assert await newer.catalog.build_card_docs() == 1


async def test_after_a_complete_build_a_server_write_costs_the_keeper_its_own_songs_only(two_stores):
    """A server's write marks the documents of the songs it wrote stale (generation 0); the keeper's
    next build reads those few rows by the partial index song_cards_stale instead of comparing every
    song of the catalog with its document (which every other server paid for, benchmarks.noisy)."""
    store, fresh = two_stores
    ids = await all_ids(store)
    assert await store.catalog.build_card_docs() == len(ids)
    async with store.transaction() as tx:  # stale but not marked: only comparing every song finds it
        await tx.execute("UPDATE song_cards SET generation = -1 WHERE song_id = :id", {"id": ids[0]})
    report = await store.catalog.import_records([SongRecord(title="Mine", artists=["Gummy"], drama="Goblin")],
                                                guild_id=9, origin="guild")
    [mine] = report.song_ids
    assert await store.fetchval("SELECT generation FROM song_cards WHERE song_id = :id", {"id": mine}) == 0
    assert await store.catalog.build_card_docs() == 1  # the marked song only: the catalog was not compared
    assert await store.catalog.card_docs_counts() == (len(ids), len(ids) + 1)
    assert await fresh.catalog.build_card_docs() == 1  # a process's first build compares every song
    assert await store.catalog.card_docs_counts() == (len(ids) + 1, len(ids) + 1)
    # Changed again, then removed before the keeper runs: its marked row goes, nothing is written.
    await store.catalog.import_records([SongRecord(title="Mine", artists=["Ailee"], drama="Goblin")],
                                       guild_id=9, origin="guild")
    assert await store.fetchval("SELECT generation FROM song_cards WHERE song_id = :id", {"id": mine}) == 0
    assert await store.additions.remove_addition(9, mine)
    assert await store.catalog.build_card_docs() == 0
    assert await store.fetchval("SELECT count(*) FROM song_cards") == len(ids)


async def test_a_document_that_does_not_read_as_a_song_is_not_shown(store, caplog):
    ids = await all_ids(store)
    await store.catalog.build_card_docs()
    expected = (await store.catalog.song_cards_by_ids(ids[:1]))[0]
    async with store.transaction() as tx:
        await tx.execute("UPDATE song_cards SET doc = '{\"id\": \"x\"}' WHERE song_id = :id", {"id": ids[0]})
    assert (await store.catalog.song_cards_by_ids(ids[:1]))[0] == expected
    assert "does not read as a song" in caplog.text


async def test_an_older_document_never_replaces_a_newer_one(store):
    ids = await all_ids(store)
    await store.catalog.build_card_docs()
    generation = await store.fetchval("SELECT generation FROM song_cards WHERE song_id = :id", {"id": ids[0]})
    async with store.transaction() as tx:  # a slow builder of one generation back writes late
        await tx.execute(song_cards._UPSERT, {"id": ids[0], "generation": generation - 1,
                                              "format": song_cards.FORMAT, "doc": "{}"})
    row = await store.fetchrow("SELECT generation, doc FROM song_cards WHERE song_id = :id", {"id": ids[0]})
    assert row[0] == generation and row[1] != "{}"


async def test_documents_of_deleted_songs_go_with_the_next_build(store):
    await store.catalog.import_records([SongRecord(title="Gone Soon", artists=["Gummy"], drama="Goblin")],
                                       guild_id=77, origin="guild")
    song_id = await store.fetchval("SELECT id FROM songs WHERE title = 'Gone Soon'")
    await store.catalog.build_card_docs()
    assert await store.fetchval("SELECT count(*) FROM song_cards WHERE song_id = :id", {"id": song_id}) == 1
    assert await store.additions.remove_addition(77, song_id)
    assert await store.catalog.song_cards_by_ids([song_id]) == []  # stale at once, and the song is gone
    await store.catalog.build_card_docs()
    assert await store.fetchval("SELECT count(*) FROM song_cards WHERE song_id = :id", {"id": song_id}) == 0
    assert await store.fetchval("SELECT count(*) FROM song_cards") == len(await all_ids(store))


async def test_hiding_a_song_for_one_server_keeps_every_document(store):
    ids = await all_ids(store)
    await store.catalog.build_card_docs()
    generation = store.catalog.generation
    assert await store.additions.hide(77, ids[0])
    assert store.catalog.generation == generation + 1  # what server 77 sees changed: caches drop
    assert await store.catalog.card_docs_counts() == (len(ids), len(ids))  # no card did
    assert await store.catalog.build_card_docs() == 0
    assert await store.additions.unhide(77, ids[0])
    assert await store.catalog.card_docs_counts() == (len(ids), len(ids))


async def test_documents_are_derived_data_outside_the_content_hash(store):
    before = await store.content_hash()
    await store.catalog.build_card_docs()
    assert await store.fetchval("SELECT count(*) FROM song_cards") > 0
    assert "song_cards" not in await store.tables()
    assert await store.content_hash() == before


async def test_a_catalog_write_wakes_the_keeper(store):
    woken: list[int] = []
    store.catalog_watchers.append(lambda: woken.append(store.catalog.generation))
    before = store.catalog.generation
    await store.catalog.import_records([SongRecord(title="New One", artists=["Gummy"], drama="Goblin")])
    assert woken == [before + 1]
    store.heard(None)  # a lost listening connection is back: anything may have changed
    assert len(woken) == 2


async def test_the_keeper_writes_every_document_then_waits_and_a_server_write_wakes_it(store):
    """`CardKeeper` with its own event (the loop `benchmarks.noisy` runs; the bot waits for its
    `catalog_moved` event instead, tested in tests/cogs/test_other_processes.py)."""
    import asyncio

    from bot.store.card_keeper import CardKeeper

    ids = await all_ids(store)
    keeper = CardKeeper(store)
    running = asyncio.create_task(keeper.run())
    try:
        await asyncio.wait_for(keeper.idle.wait(), 30)
        assert keeper.built_at == store.catalog.generation
        assert await store.catalog.card_docs_counts() == (len(ids), len(ids))
        await store.catalog.import_records([SongRecord(title="New One", artists=["Gummy"], drama="Goblin")],
                                           guild_id=7, origin="guild")
        assert not keeper.idle.is_set()  # woken by the write, at once
        await asyncio.wait_for(keeper.idle.wait(), 30)
        assert await store.catalog.card_docs_counts() == (len(ids) + 1, len(ids) + 1)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def test_a_database_without_a_cards_generation_gets_one_and_its_documents(store):
    ids = await all_ids(store)
    async with store.transaction() as tx:
        await tx.execute("DELETE FROM meta WHERE key = 'generation:cards'")
    assert await store.catalog.card_docs_counts() == (0, len(ids))
    assert await store.catalog.build_card_docs() == len(ids)
    assert await store.catalog.card_docs_counts() == (len(ids), len(ids))


async def waiting_or_done(store, task) -> None:
    """A server's write has gone as far as it can while the keeper holds its lock. On PostgreSQL it
    waits at the server for the advisory lock (another process: polled, bounded); on SQLite for the
    writer's lock in this process (its turns on the event loop are enough)."""
    import asyncio

    for _ in range(1000):
        if task.done():
            return
        if store.engine == "postgres":
            if await store.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"):
                return
            await asyncio.sleep(0.01)
        else:
            await asyncio.sleep(0)
    assert store.engine == "sqlite", "the server's write neither finished nor waited for the lock"


@pytest.mark.parametrize("complete_first", [True, False], ids=["marked-only", "every-song"])
async def test_a_document_read_before_a_server_changes_its_song_is_never_kept_after(store, complete_first):
    """The keeper reads a song of a server, then that server changes the song before the keeper writes
    its document. Either way the old document never stands as current: a few marked songs are read
    inside the keeper's transaction, after the lock the server's write takes before marking (the write
    waits, then marks the song again); a complete build's batch, read first, sees the server moved and
    marks the song instead of writing it."""
    import asyncio

    if complete_first:
        await store.catalog.build_card_docs()
    report = await store.catalog.import_records([SongRecord(title="Racing", artists=["Gummy"], drama="Goblin")],
                                                guild_id=5, origin="guild")
    [song_id] = report.song_ids
    cards = store.catalog._cards
    original, read, go_on = cards._read_cards, asyncio.Event(), asyncio.Event()

    async def paused(r, ids):
        songs = await original(r, ids)
        if song_id in ids:
            read.set()
            await go_on.wait()
        return songs

    cards._read_cards = paused
    try:
        building = asyncio.create_task(store.catalog.build_card_docs())
        await asyncio.wait_for(read.wait(), 30)
        changing = asyncio.create_task(store.catalog.import_records(
            [SongRecord(title="Racing", artists=["Ailee"], drama="Goblin")], guild_id=5, origin="guild"))
        if complete_first:  # the keeper holds the lock: the write goes as far as it can, then waits
            await waiting_or_done(store, changing)
        else:  # the keeper holds nothing while it reads: the write is committed before it goes on
            await asyncio.wait_for(changing, 30)
        go_on.set()
        await asyncio.wait_for(asyncio.gather(building, changing), 30)
    finally:
        cards._read_cards = original
    generation = await store.fetchval("SELECT generation FROM song_cards WHERE song_id = :id", {"id": song_id})
    assert generation == 0  # marked: the document read before the change is not current
    [card] = await store.catalog.song_cards_by_ids([song_id], 5)
    assert [c.name for c in card.credits] == ["Ailee"]
    assert await store.catalog.build_card_docs() >= 1
    [card] = await store.catalog.song_cards_by_ids([song_id], 5)
    assert [c.name for c in card.credits] == ["Ailee"]
    assert await store.fetchval("SELECT generation FROM song_cards WHERE song_id = :id", {"id": song_id}) > 0
