"""Matching and ranking: the pure helpers, the name index, and the whole look-up over the seeded
catalog (every song, every drama name, every artist name, Hangul, typos, hostile text)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.catalog.search import (
    EXACT,
    FUZZY,
    PREFIX,
    WORDS,
    Match,
    NameEntry,
    NameIndex,
    fast_normalize,
    fuzzy_cutoff,
    merge,
    parse_ref,
    search_words,
    strong_matches,
)
from bot.catalog.seedfile import load_catalog
from bot.catalog.service import CatalogService
from bot.catalog.text import normalize
from bot.store.postgres import PostgresDialect
from bot.store.sqlite import SqliteDialect

pytestmark = pytest.mark.both_engines

SEED = load_catalog()
HOSTILE = ['"', "*", "NEAR(", "NEAR(a b)", "'; DROP TABLE songs; --", "@everyone", "@here <@123>",
           "goblin\u200b\u200d", "\u202egoblin\u202c", "\u200b\u200b", "a OR b", "title:goblin", "^goblin",
           "-goblin", "(", ")", "{title}: x", "\\", "%", "_", "' OR 1=1 --", "x" * 100, "가" * 100, "🎵" * 50]


@pytest.fixture
async def service(store):
    return CatalogService(store)


async def ids_by_key(store, table: str) -> dict[str, int]:
    """Every shipped entry's id by key: no store method lists them."""
    return {r[0]: r[1] for r in await store.fetch(f"SELECT key, id FROM {table} WHERE guild_id IS NULL")}


# -- pure helpers ---------------------------------------------------------------------------

def fts_query(text: str, dialect=SqliteDialect) -> str | None:
    words = search_words(text)
    return dialect.search_expression(words) if words else None


@pytest.mark.parametrize("text", HOSTILE)
def test_fts_query_quotes_every_word(text):
    expression = fts_query(text)
    if expression is None:
        return
    for token in expression.split(" "):
        assert token.startswith('"') and token.rstrip("*").endswith('"')
        assert '"' not in token.rstrip("*")[1:-1]


@pytest.mark.parametrize("text", HOSTILE)
def test_postgres_search_expression_quotes_every_word(text):
    expression = fts_query(text, PostgresDialect)
    if expression is None:
        return
    for token in expression.split(" & "):
        body = token.removesuffix(":*")
        assert body.startswith("'") and body.endswith("'")
        assert "'" not in body[1:-1].replace("''", "") and "\\" not in body


def test_fts_query_prefixes_the_last_word_only():
    assert fts_query("Crash Landing on yo") == '"crash" "landing" "on" "yo"*'
    assert fts_query("Crash Landing on yo", PostgresDialect) == "'crash' & 'landing' & 'on' & 'yo':*"
    assert fts_query("  ") is None
    assert fts_query('"*"') is None


def test_parse_ref_accepts_only_the_id_form():
    assert parse_ref("song:12") == ("song", 12)
    assert parse_ref(" drama:3 ") == ("drama", 3)
    assert parse_ref("artist:x") is None
    assert parse_ref("song: 12") is None
    assert parse_ref("Goblin") is None


def test_typo_tolerance_grows_with_length():
    assert fuzzy_cutoff("air") is None
    assert fuzzy_cutoff("gobln") is not None
    assert fuzzy_cutoff("descendants of the sun") > 80


def test_merge_keeps_each_entry_at_its_best_place():
    merged = merge([[Match("drama", 1, EXACT)], [Match("song", 2, WORDS), Match("drama", 1, WORDS)]])
    assert [(m.kind, m.id, m.tier) for m in merged] == [("drama", 1, EXACT), ("song", 2, WORDS)]
    assert len(merge([[Match("song", i, FUZZY) for i in range(40)]], limit=25)) == 25


def test_strong_matches_are_the_best_tier_or_close_fuzzy_scores():
    prefix = [Match("song", 1, PREFIX), Match("song", 2, PREFIX), Match("song", 3, WORDS)]
    assert [m.id for m in strong_matches(prefix)] == [1, 2]
    fuzzy = [Match("song", 1, FUZZY, 95), Match("song", 2, FUZZY, 93), Match("song", 3, FUZZY, 85)]
    assert [m.id for m in strong_matches(fuzzy)] == [1, 2]
    assert strong_matches([]) == []


def test_name_index_words_and_fuzzy_respect_owners():
    index = NameIndex.build([
        NameEntry("drama", 1, "Descendants of the Sun"),
        NameEntry("artist", 2, "Ha Sung-woon"),
        NameEntry("drama", 3, "Private Sun", guild_id=99),
    ])
    assert [m.id for m in index.words("sun", None)] == [1, 2]
    assert [m.id for m in index.words("sun", 99)][:2] == [3, 1]  # short whole-word name first
    assert [m.id for m in index.fuzzy("decendants of the sun", None)] == [1]
    assert index.fuzzy("air", None) == []
    assert [m.id for m in index.words("sun", None, kinds=("artist",))] == [2]


# -- whole look-ups over the seeded catalog -------------------------------------------------

async def test_every_song_is_found_first_by_each_title(service, store):
    ids = await ids_by_key(store, "songs")
    for song in SEED.songs:
        for title in [song.title, *([song.hangul] if song.hangul else []), *song.titles]:
            found = await service.search(title, None)
            assert found, title
            assert (found[0].kind, found[0].id) == ("song", ids[song.key]), title


async def test_every_drama_is_found_first_by_each_name(service, store):
    ids = await ids_by_key(store, "dramas")
    for drama in SEED.dramas:
        for name in [drama.name, *([drama.hangul] if drama.hangul else []), *drama.names]:
            found = await service.search(name, None)
            assert (found[0].kind, found[0].id) == ("drama", ids[drama.key]), name


async def test_every_artist_is_found_first_by_each_name(service, store):
    ids = await ids_by_key(store, "artists")
    for artist in SEED.artists:
        for name in [artist.name, *([artist.hangul] if artist.hangul else []), *artist.names]:
            found = await service.search(name, None)
            assert (found[0].kind, found[0].id) == ("artist", ids[artist.key]), name


@pytest.mark.parametrize(("query", "kind", "name"), [
    ("도깨비", "drama", "Goblin"),
    ("태양의 후예", "drama", "Descendants of the Sun"),
    ("태양의후예", "drama", "Descendants of the Sun"),
    ("거미", "artist", "Gummy"),
    ("첫눈처럼", "song", "I Will Go to You Like the First Snow"),
    ("decendants of the sun", "drama", "Descendants of the Sun"),
    ("crash landing on yuo", "drama", "Crash Landing on You"),
    ("CRASH   landing, on YOU!", "drama", "Crash Landing on You"),
    ("stay with mee", "song", "Stay with Me"),
    ("orbti", "song", "Orbit"),
    ("chanyoel", "artist", "Chanyeol"),
    ("kwill", "artist", "K.Will"),
    ("Its okay to not be okay", "drama", "It's Okay to Not Be Okay"),
    ("gob\u200blin", "drama", "Goblin"),
    ("\u202egoblin\u202c", "drama", "Goblin"),
    ("Gôblin", "drama", "Goblin"),
    ("sun", "drama", "Descendants of the Sun"),
    ("landing", "drama", "Crash Landing on You"),
    ("descend", "drama", "Descendants of the Sun"),
])
async def test_lookups_hangul_typos_and_noise(service, store, query, kind, name):
    found = await service.search(query, None)
    assert found, query
    label = (await service.labels(found[:1], None))[0]
    assert (label.kind, label.name) == (kind, name)


async def test_group_names_find_member_songs_by_words(service, store):
    found = await service.search("exo", None)
    labels = await service.labels(found, None)
    assert (labels[0].kind, labels[0].name) == ("artist", "EXO")
    assert {"Stay with Me", "Everytime", "For You"} <= {label.name for label in labels if label.kind == "song"}


async def test_ranking_puts_exact_before_prefix_before_words(service):
    found = await service.search("always", None)
    labels = await service.labels(found, None)
    assert labels[0].name == "Always" and found[0].tier == EXACT
    assert "Here Always" in [label.name for label in labels[1:]]
    found = await service.search("here", None)
    assert [m.tier for m in found[:2]] == [PREFIX, PREFIX]
    assert len(strong_matches(found)) == 2


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_text_never_raises_and_changes_nothing(service, store, text):
    before = await store.content_hash()
    await service.search(text, None)
    await service.search(text, 42, ("drama",))
    await service.suggest(text, None)
    await service.resolve(text, None)
    assert await store.content_hash() == before
    assert await store.integrity_check() == "ok"


async def test_nothing_found_offers_at_most_three_suggestions(service):
    assert await service.search("zzqx", None) == []
    assert await service.search("chachacha", None) == []
    suggestions = await service.labels(await service.suggest("chachacha", None), None)
    assert 1 <= len(suggestions) <= 3
    assert suggestions[0].name == "Hometown Cha-Cha-Cha"


async def test_resolve_takes_ids_and_free_text_alike(service, store):
    ids = await ids_by_key(store, "dramas")
    by_id = await service.resolve(f"drama:{ids['goblin']}", None)
    by_text = await service.resolve("goblin", None)
    assert by_id[0].ref == by_text[0].ref == f"drama:{ids['goblin']}"
    assert (await service.resolve(f"drama:{ids['goblin']}", None, ("artist",))) == []  # wrong kind: text search
    assert await service.resolve("song:999999", None) == []


async def test_empty_query_gives_a_mixed_starting_list(service):
    starters = await service.starters(None)
    assert {m.kind for m in starters} == {"song", "drama", "artist"}
    assert len(starters) == 25
    labels = await service.labels(starters, None)
    dramas = [label for label in labels if label.kind == "drama"]
    assert dramas[0].name == "Descendants of the Sun" and dramas[0].song_count == 8


async def test_a_server_sees_its_own_additions_and_not_its_hidden_songs(service, store):
    from bot.catalog.records import SongRecord

    await store.catalog.import_records([SongRecord(title="Secret Song", artists=["Nobody Known"], drama="Our Show")],
                                       guild_id=7, origin="guild")
    assert (await service.search("secret song", 7))[0].kind == "song"
    assert await service.search("secret song", 8) == []
    assert await service.search("our show", 8) == []
    assert (await service.search("our show", 7))[0].kind == "drama"
    orbit = (await service.search("orbit", 7))[0]
    assert await store.additions.hide(7, orbit.id)  # (bumps the catalog generation)
    assert orbit.ref not in [m.ref for m in await service.search("orbit", 7)]
    assert orbit.ref not in [m.ref for m in await service.search("orbti", 7)]
    assert (await service.search("orbit", 8))[0].ref == orbit.ref


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_fast_normalize_equals_normalize_on_ascii(text):
    assert fast_normalize(text) == normalize(text)


def test_fast_normalize_handles_every_seed_name():
    names = [e.name for e in SEED.dramas + SEED.artists] + [s.title for s in SEED.songs]
    names += [n for e in SEED.dramas + SEED.artists for n in e.names]
    assert [fast_normalize(n) for n in names] == [normalize(n) for n in names]
