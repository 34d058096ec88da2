"""Actors and Korean text in the store, through store methods on both engines: actors seeded
with their names and dramas, Korean text read back, labels, and the name tiers and index."""

from __future__ import annotations

import dataclasses

import pytest

from bot.catalog.search import EXACT
from bot.catalog.seedfile import load_catalog, parse_catalog, shipped_catalog_path
from bot.catalog.text import compact

pytestmark = pytest.mark.both_engines


async def _actor_id(store, name: str) -> int:
    [match] = await store.search.names(compact(name), None, kinds=("actor",))
    assert match.kind == "actor" and match.tier == EXACT
    return match.id


async def _drama(store, key: str):
    # a shipped drama by its key: no store method looks dramas up by key
    drama_id = await store.fetchval("SELECT id FROM dramas WHERE key = ? AND guild_id IS NULL", (key,))
    [drama] = await store.catalog.dramas_by_ids([drama_id])
    return drama


async def test_actors_are_seeded_with_their_names_and_the_dramas_they_lead(store):
    hyun_bin = await _actor_id(store, "현빈")
    assert await _actor_id(store, "Hyun Bin") == hyun_bin
    [actor] = await store.catalog.actors_by_ids([hyun_bin])
    assert (actor.key, actor.name, actor.hangul, actor.alt_names) == ("hyun-bin", "Hyun Bin", "현빈", ())
    leads = [await _drama(store, "secret-garden"), await _drama(store, "crash-landing-on-you")]
    assert actor.dramas == tuple(sorted(d.id for d in leads))
    [moon] = await store.catalog.actors_by_ids([await _actor_id(store, "Mun Kayoung")])
    assert (moon.name, moon.hangul, moon.alt_names) == ("Moon Ga-young", "문가영", ("Mun Kayoung",))
    assert await store.catalog.actors_by_ids([]) == []


async def test_a_drama_lists_its_lead_actors_in_billing_order(store):
    dots = await _drama(store, "descendants-of-the-sun")
    assert [(a.name, a.hangul) for a in dots.actors] == [("Song Joong-ki", "송중기"), ("Song Hye-kyo", "송혜교")]
    assert dots.actors[0].dramas == (dots.id,)
    # A song's drama carries them too (the same reads, batched with the song's).
    song = await store.catalog.song_by_key("always")
    assert song.drama.id == dots.id and song.drama.actors == dots.actors
    goblin = await _drama(store, "goblin")
    assert goblin.actors == () and goblin.lead_actors == ()


async def test_a_song_read_for_its_card_has_the_song_whole_and_its_drama_in_outline(store):
    """`song_cards_by_ids` (what a song card shows, 9 queries instead of 15): the song as
    `songs_by_ids` reads it; its drama's row and names, without song count, facts, sources or actor
    entries, which only the drama card and the quiz use."""
    full = await store.catalog.song_by_key("always")
    [card] = await store.catalog.song_cards_by_ids([full.id])
    drama = full.drama
    assert drama.actors and drama.sources and drama.song_count > 0
    assert card.drama == dataclasses.replace(drama, facts=(), sources=(), song_count=0, actors=())
    assert dataclasses.replace(card, drama=drama) == full
    assert await store.catalog.song_cards_by_ids([]) == []


async def test_korean_text_is_read_back_and_the_untitled_source_keeps_no_title(store):
    song = await store.catalog.song_by_key("orbit")
    assert song.description_ko.startswith("화사가 처음으로 혼자 부른")
    assert song.facts and all(f.text_ko for f in song.facts)
    secret_garden = await _drama(store, "secret-garden")
    assert secret_garden.facts[0].text_ko.startswith("기사에 따르면 2010년 방영 당시")
    [untitled] = [s for s in await store.catalog.sources() if s.key == "dotsun-soundtrack-garbled"]
    assert untitled.title == "" and untitled.untitled
    assert (untitled.about, untitled.about_ko) == ("the Descendants of the Sun soundtrack", "태양의 후예 OST")


async def test_labels_give_hangul_artists_and_an_actors_drama_count(store):
    stay = await store.catalog.song_by_key("stay-with-me")
    hyun_bin = await _actor_id(store, "Hyun Bin")
    labels = await store.search.labels([("song", stay.id), ("actor", hyun_bin)], None)
    assert labels[("song", stay.id)].artists == "Chanyeol & Punch"
    assert labels[("song", stay.id)].artists_ko == "찬열 & 펀치"
    actor = labels[("actor", hyun_bin)]
    assert (actor.name, actor.hangul, actor.song_count) == ("Hyun Bin", "현빈", 2)


async def test_actors_are_in_the_name_tiers_and_the_name_index_for_every_server(store):
    hyun_bin = await _actor_id(store, "Hyun Bin")
    assert [m.id for m in await store.search.names(compact("Hyun"), 77, prefix=True, kinds=("actor",))] == [hyun_bin]
    assert await store.search.visible_ids("actor", [hyun_bin], 77) == {hyun_bin}
    entries = await store.search.build_name_index(lambda names, hidden: [n for n in names if n.kind == "actor"])
    assert {(e.name, e.guild_id, e.is_main) for e in entries if e.id == hyun_bin} == {
        ("Hyun Bin", None, True), ("현빈", None, False)}


async def test_an_actor_dropped_from_the_file_goes_with_its_links(store):
    text = shipped_catalog_path().read_text(encoding="utf-8")
    newer = text.replace('lead_actors = ["Hyun Bin", "Son Ye-jin"]', 'lead_actors = ["Hyun Bin"]')
    newer = newer.replace('[[actors]]\nkey = "son-ye-jin"\nname = "Son Ye-jin"\nhangul = "손예진"\n', "")
    assert newer.count("[[actors]]") == text.count("[[actors]]") - 1
    son = await _actor_id(store, "Son Ye-jin")
    report = await store.catalog.seed(parse_catalog(newer))
    assert report.changed
    assert await store.search.names(compact("손예진"), None, kinds=("actor",)) == []
    assert await store.catalog.actors_by_ids([son]) == []
    cloy = await _drama(store, "crash-landing-on-you")
    assert [a.name for a in cloy.actors] == ["Hyun Bin"]
    # And back: the shipped file again restores the actor and the drama's billing order.
    await store.catalog.seed(load_catalog())
    cloy = await _drama(store, "crash-landing-on-you")
    assert [a.name for a in cloy.actors] == ["Hyun Bin", "Son Ye-jin"]
