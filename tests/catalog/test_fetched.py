"""catalog.fetched: a release turned into the songs a fetch adds, validated like /catalog add."""

from __future__ import annotations

import pytest

from bot.catalog.fetched import MAX_SONGS, FetchRefused, left_out_counts, plan_fetch, singer, song_titles

from ..fetch_helpers import CHANYEOL, NEW_SINGER, PART1, PART2, PUNCH, big_release, goblin_part1, release, track


def test_a_release_becomes_songs_with_latin_titles_first_and_instrumentals_left_out():
    plan = plan_fetch([goblin_part1()])
    assert plan.drama == "도깨비"
    assert [(s.record.title, s.record.hangul) for s in plan.songs] == [("Stay With Me", ""),
                                                                       ("Winter Letter", "겨울 편지")]
    assert [x.name for x in plan.songs[0].singers] == ["Chanyeol", "Punch"]
    assert plan.songs[0].singers[0].names == ("Chanyeol", "찬열")
    assert [(x.title, x.reason) for x in plan.left_out] == [("Stay With Me (Inst.)", "fetch.left.instrumental")]
    assert plan.songs[1].record.release_date == "2016-12-03" and plan.songs[1].record.year == 2016
    assert plan.releases[0].url == f"https://musicbrainz.org/release/{PART1}"


def test_instrumentals_are_kept_when_asked():
    plan = plan_fetch([release(PART1, track("MR", CHANYEOL, n=1, instrumental=True))], instrumentals=True)
    assert [s.record.title for s in plan.songs] == ["MR"]


@pytest.mark.parametrize("title", ["@everyone listen", "<@123456789012345678>", "**Loud**", "[click](https://x.y)",
                                   "x" * 101])
def test_titles_breaking_the_catalog_rules_are_left_out_with_their_problem(title):
    plan = plan_fetch([release(PART1, track(title, CHANYEOL, n=1), track("Fine", PUNCH, n=2))])
    assert [s.record.title for s in plan.songs] == ["Fine"]
    (left,) = plan.left_out
    assert left.reason == "fetch.left.invalid" and left.problem is not None and left.problem.field == "title"


def test_a_singer_alias_with_markup_is_dropped_and_the_singer_kept():
    kept = singer(type(CHANYEOL)("찬열", ("**Chanyeol**", "Park Chanyeol")))
    assert kept.name == "Park Chanyeol" and kept.names == ("Park Chanyeol", "찬열")


def test_hangul_only_and_latin_only_titles():
    assert song_titles(track("겨울", NEW_SINGER)) == ("겨울", None, [])
    assert song_titles(track("Beautiful", NEW_SINGER, latin="Beautiful")) == ("Beautiful", None, [])
    assert song_titles(track("Beautiful", NEW_SINGER, latin="Areumdaun")) == ("Beautiful", None, ["Areumdaun"])


def test_the_same_recording_on_two_parts_is_planned_once():
    same = "a0000000-0000-4000-8000-0000000000aa"
    plan = plan_fetch([release(PART1, track("노래", NEW_SINGER, n=1, recording=same)),
                       release(PART2, track("노래", NEW_SINGER, n=4, recording=same), title="도깨비 OST Part 2")])
    assert len(plan.songs) == 1 and [x.reason for x in plan.left_out] == ["fetch.left.twice"]


def test_at_most_a_hundred_songs_and_a_note_for_tracks_never_read():
    plan = plan_fetch([big_release(250)])
    assert len(plan.songs) == MAX_SONGS and plan.capped
    assert left_out_counts(plan.left_out) == {"fetch.left.limit": 150}
    huge = big_release(3)
    unread = plan_fetch([type(huge)(**{**{f: getattr(huge, f) for f in huge.__dataclass_fields__},
                                       "track_count": 700})])
    assert unread.capped and left_out_counts(unread.left_out) == {"fetch.left.unread": 1}
    assert unread.left_out[-1].params == {"count": 697}


def test_the_drama_option_names_the_drama_outright():
    plan = plan_fetch([goblin_part1()], drama="Guardian")
    assert {s.record.drama for s in plan.songs} == {"Guardian"}


def test_nothing_or_a_bad_drama_name_refuses_the_whole_fetch():
    with pytest.raises(FetchRefused) as nothing:
        plan_fetch([])
    assert nothing.value.key == "fetch.error.nothing"
    with pytest.raises(FetchRefused) as bad:
        plan_fetch([goblin_part1()], drama="@everyone")
    assert bad.value.key == "fetch.error.bad_drama"


def test_a_track_without_singers_is_left_out():
    plan = plan_fetch([release(PART1, track("Nobody", n=1))])
    assert plan.songs == () and plan.left_out[0].reason == "fetch.left.no_singer"


def test_a_singer_credited_twice_is_one_singer():
    plan = plan_fetch([release(PART1, track("둘이서", CHANYEOL, PUNCH, CHANYEOL, n=1))])
    assert [x.name for x in plan.songs[0].singers] == ["Chanyeol", "Punch"] and plan.left_out == ()


def test_a_release_title_with_markup_is_not_kept_as_the_source_title():
    plan = plan_fetch([release(PART1, track("노래", NEW_SINGER, n=1), title="**도깨비** @everyone OST")])
    assert plan.releases[0].title == "도깨비 OST" and plan.songs[0].release.title == "도깨비 OST"
