"""The exact and prefix tiers run in memory (NameIndex.names); the store's SQL tiers
(`search_repo.names`) are the oracle they must agree with, visibility included."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalog import search as search_module
from bot.catalog.records import SongRecord
from bot.catalog.search import KINDS, NameEntry, NameIndex
from bot.catalog.service import CatalogService
from bot.catalog.text import compact

pytestmark = pytest.mark.both_engines

GUILD, OTHER = 501, 502


async def _prepared(store):
    """The shipped catalog, plus a server addition with a shipped-like name and a hidden song."""
    await store.catalog.import_records([SongRecord(key="guild-beauty", title="Beautiful Life", artists=["Crush"],
                                                   drama="Goblin", ballad=True)], guild_id=GUILD)
    song_id = (await store.catalog.visible_song_ids(None))[0]  # the first shipped song
    await store.additions.hide(GUILD, song_id)
    service = CatalogService(store)
    return service, {guild: await service.names_for(guild) for guild in (None, GUILD, OTHER)}


def _refs(matches):
    return sorted((m.kind, m.id, m.tier) for m in matches)


async def test_in_memory_tiers_agree_with_sql_for_every_name_and_prefix(store):
    _service, indexes = await _prepared(store)
    # every stored name, hidden and foreign ones too: no store method lists them
    names = [r[0] for table in ("song_titles", "drama_names", "artist_names")
             for r in await store.fetch(f"SELECT name FROM {table}")]
    queries = {compact(n) for n in names} | {compact(n)[:k] for n in names for k in (1, 2, 4)}
    checked = 0
    for norm in sorted(q for q in queries if q):
        for guild in (None, GUILD, OTHER):
            for prefix in (False, True):
                sql = await store.search.names(norm, guild, prefix=prefix, kinds=KINDS, limit=500)
                memory = indexes[guild].names(norm, guild, KINDS, prefix=prefix, limit=500)
                assert _refs(memory) == _refs(sql), (norm, guild, prefix)
                checked += 1
    assert checked > 500


async def test_hidden_and_foreign_entries_stay_out_of_look_ups(store):
    service, indexes = await _prepared(store)
    [hidden_line] = await store.additions.hidden(GUILD)
    hidden, title = hidden_line.id, hidden_line.title
    assert indexes[None].sees("song", hidden, None) and not indexes[GUILD].sees("song", hidden, GUILD)
    assert indexes[OTHER].sees("song", hidden, OTHER)
    assert hidden in [m.id for m in await service.search(title, None)]
    assert hidden not in [m.id for m in await service.search(title, GUILD)]
    assert await service.song(hidden, GUILD) is None
    added = (await store.additions.additions(GUILD))[0].id
    assert await service.song(added, OTHER) is None and (await service.song(added, GUILD)).title == "Beautiful Life"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from("abegilnorstuy 가나다랑사"), max_size=6))
async def test_in_memory_tiers_agree_with_sql_on_generated_text(store, text):
    index = await CatalogService(store).index()
    norm = compact(text)
    for prefix in (False, True):
        assert _refs(index.names(norm, None, KINDS, prefix=prefix, limit=500)) == \
            _refs(await store.search.names(norm, None, prefix=prefix, kinds=KINDS, limit=500))


async def test_cached_cards_follow_catalog_writes(store):
    service = CatalogService(store)
    goblin = (await service.resolve("goblin", None, ("drama",)))[0]
    before = await service.drama(goblin.id, GUILD)
    await store.catalog.import_records([SongRecord(key="extra", title="A New Goblin Song", artists=["Crush"],
                                                   drama="Goblin", ballad=True)], guild_id=GUILD)
    after = await service.drama(goblin.id, GUILD)
    assert len(after[1]) == len(before[1]) + 1
    assert "A New Goblin Song" in [m.name for m in await service.search("a new goblin", GUILD)]


def _edits(text: str, at: int) -> list[str]:
    """One typo at `at`: a letter changed, dropped, doubled, or swapped with the next."""
    out = [text[:at] + "x" + text[at + 1:], text[:at] + text[at + 1:], text[:at] + text[at] + text[at:]]
    if at + 1 < len(text):
        out.append(text[:at] + text[at + 1] + text[at] + text[at + 2:])
    return out


async def test_typo_buckets_never_miss_a_one_typo_name(store):
    """The bucketed typo search compares far fewer names than a full scan; for any name with one
    typo (even in its first two letters) it finds what a full scan finds."""
    index = await CatalogService(store).index()
    checked = 0
    for position, norm in enumerate(index._norms):
        entry = index._match(position, 0, 0.0)  # the entry (kind, id) this name belongs to
        if len(norm) < 6:
            continue
        for at in (0, 1, len(norm) // 2):
            for typo in _edits(norm, at):
                full = {(m.kind, m.id) for m in index.fuzzy(typo, None, limit=200, everywhere=True)}
                if (entry.kind, entry.id) not in full:
                    continue
                assert (entry.kind, entry.id) in {(m.kind, m.id) for m in index.fuzzy(typo, None, limit=200)}, typo
                checked += 1
    assert checked > 300


def test_one_typo_range_look_ups_hold_the_name_wherever_the_typo_is():
    names = ["Descendants of the Sun", "Crash Landing on You", "Hotel del Luna", "Moon Lovers Scarlet Heart Ryeo"]
    index = NameIndex.build([NameEntry("drama", i, name) for i, name in enumerate(names)] +
                            [NameEntry("song", 100 + i, f"Filler Song Number {i}") for i in range(300)])
    for position, name in enumerate(names):
        squeezed = index._norms[position].replace(" ", "")
        for at in range(len(squeezed)):
            for typo in _edits(squeezed, at):
                near = index._one_typo_positions(typo)
                assert near is not None and position in near, (name, typo)
    assert index._one_typo_positions("abc") is None  # too short to narrow anything down


async def test_look_ups_answer_from_sql_while_the_first_index_builds(store, monkeypatch):
    """Start-up of a big catalog: nobody waits for the name index (Discord allows 3 s)."""
    release = threading.Event()
    real_build = search_module.NameIndex.build

    def slow_build(*args, **kwargs):
        release.wait(timeout=30)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(search_module.NameIndex, "build", slow_build)
    service = CatalogService(store)
    service.start_index()
    try:
        goblin = await service.resolve("goblin", None)
        assert [(m.kind, m.tier) for m in goblin][:1] == [("drama", 0)]
        assert (await service.drama(goblin[0].id, None))[0].name == "Goblin"
        assert await service.search("gobiln", None) == []        # typos need the index
        assert await service.suggest("gobiln", None) == []
        assert service._build is not None and not service._build.done()
    finally:
        release.set()
    await service._build
    assert [m.name for m in await service.search("gobiln", None)][:1] == ["Goblin"]  # nothing stale was cached
