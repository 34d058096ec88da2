"""The conversion of MusicBrainz JSON into songs, and what a manager's query means. Pure functions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.musicbrainz.models import Query
from bot.musicbrainz.releases import (
    BadQuery,
    cover_from_json,
    credit_phrase,
    drama_name,
    drama_parts,
    is_instrumental,
    original_release_id,
    parse_query,
    prefer_originals,
    pseudo_release_id,
    release_from_json,
    singers_from_credit,
    summaries_from_search,
    vocal_tracks,
)

FIXTURES = Path(__file__).parent / "fixtures"
PART9 = "d0cca009-0000-4000-8000-000000000009"
PART9_LATIN = "d0cca009-0000-4000-8000-00000000a7a9"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# --- Queries --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "query"), [
    (PART9, Query("release", PART9)),
    (PART9.upper(), Query("release", PART9)),
    (f"  {PART9}  ", Query("release", PART9)),
    (f"https://musicbrainz.org/release/{PART9}", Query("release", PART9)),
    (f"https://musicbrainz.org/release/{PART9}/cover-art", Query("release", PART9)),
    (f"musicbrainz.org/release/{PART9}?tab=x", Query("release", PART9)),
    (f"http://beta.musicbrainz.org/release-group/{PART9}", Query("release_group", PART9)),
    (f"https://www.musicbrainz.org/release-group/{PART9}#top", Query("release_group", PART9)),
    ("도깨비", Query("words", "도깨비")),
    ("  Hotel   del Luna OST ", Query("words", "Hotel del Luna OST")),
    ("Mr. Sunshine", Query("words", "Mr. Sunshine")),
    ("Goblin OST Part.4", Query("words", "Goblin OST Part.4")),
])
def test_a_query_is_an_mbid_a_release_or_release_group_url_or_words(text, query):
    assert parse_query(text) == query


@pytest.mark.parametrize(("text", "key", "params"), [
    ("", "musicbrainz.empty_query", {}),
    ("   ", "musicbrainz.empty_query", {}),
    ("x" * 201, "musicbrainz.query_too_long", {"limit": 200}),
    ("https://www.discogs.com/release/123", "musicbrainz.other_site", {"site": "discogs.com"}),
    ("https://open.spotify.com/album/4aw", "musicbrainz.other_site", {"site": "open.spotify.com"}),
    ("youtu.be/dQw4w9WgXcQ", "musicbrainz.other_site", {"site": "youtu.be"}),
    ("www.melon.com/album/detail.htm?albumId=1", "musicbrainz.other_site", {"site": "melon.com"}),
    ("https://musicbrainz.org.evil.example/release/" + PART9, "musicbrainz.other_site",
     {"site": "musicbrainz.org.evil.example"}),
    (f"https://musicbrainz.org/artist/{PART9}", "musicbrainz.other_entity", {"entity": "artist"}),
    (f"https://musicbrainz.org/recording/{PART9}", "musicbrainz.other_entity", {"entity": "recording"}),
    ("https://musicbrainz.org/release/not-an-id", "musicbrainz.bad_url", {}),
    ("https://musicbrainz.org/", "musicbrainz.bad_url", {}),
])
def test_a_query_that_names_no_ost_is_refused_with_a_message_key(text, key, params):
    with pytest.raises(BadQuery) as caught:
        parse_query(text)
    assert caught.value.key == key and caught.value.params == params


# --- The drama's name -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "drama"), [
    ("도깨비 OST Part 4", "도깨비"),
    ("도깨비 OST Part.3", "도깨비"),
    ("도깨비 OST Special", "도깨비"),
    ("도깨비 OST", "도깨비"),
    ("(tvN 드라마) 도깨비 OST Part 1", "도깨비"),
    ("도깨비 (tvN 금토드라마) OST Part. 2", "도깨비"),
    ("(SBS 주말드라마) 시크릿 가든 OST Part.3", "시크릿 가든"),
    ("[KBS2 수목드라마] 태양의 후예 OST Part 1", "태양의 후예"),
    ("드라마 '호텔 델루나' OST", "호텔 델루나"),
    ("호텔 델루나 O.S.T Pt. 10", "호텔 델루나"),
    ("Goblin (Original Television Soundtrack), Pt. 4", "Goblin"),
    ("Crash Landing on You (Original Television Soundtrack) Special", "Crash Landing on You"),
    ("Hotel del Luna OST Vol. 2", "Hotel del Luna"),
    ("그 해 우리는 사운드트랙", "그 해 우리는"),
    ("Mr. Sunshine OST Part 5", "Mr. Sunshine"),
    ("응답하라 1988 OST Part 3", "응답하라 1988"),
    ("도깨비", "도깨비"),
])
def test_the_drama_is_the_release_group_title_without_the_soundtrack_words(title, drama):
    assert drama_name(title) == drama


# --- Instrumentals --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "instrumental"), [
    ("Stay With Me (Inst.)", True),
    ("Stay With Me (Inst)", True),
    ("Stay With Me - Inst.", True),
    ("Stay With Me (Instrumental)", True),
    ("그 여자 (MR)", True),
    ("그 여자 MR", True),
    ("그 여자 (반주)", True),
    ("Stay With Me", False),
    ("Mr. 시크릿", False),
    ("Mr. Sunshine", False),
    ("Instinct", False),
    ("Instant Love", False),
    ("Mrs. Cop", False),
])
def test_instrumentals_are_recognised_by_their_title(title, instrumental):
    assert is_instrumental(title) is instrumental


# --- Singers from the artist credit ---------------------------------------------------------------------

def test_a_joined_credit_gives_each_singer_with_latin_aliases():
    release = fixture("release-goblin-part1.json")
    credit = release["artist-credit"]
    assert credit_phrase(credit) == "찬열 & 펀치"
    singers = singers_from_credit(credit)
    assert [s.name for s in singers] == ["찬열", "펀치"]
    assert singers[0].latin == ("Chanyeol", "Park Chanyeol")
    assert singers[1].latin == ("Punch",)
    assert singers[0].mbid == "a1000001-0000-4000-8000-000000000001"
    assert [s.hangul for s in singers] == ["찬열", "펀치"]


def test_a_latin_artist_gets_its_hangul_name_from_a_korean_alias():
    credit = [{"name": "Punch", "joinphrase": "", "artist": {
        "id": "p", "name": "Punch", "sort-name": "Punch",
        "aliases": [{"name": "펀치 (가수)", "locale": None, "primary": None},
                    {"name": "펀치", "locale": "ko", "primary": True}]}}]
    (singer,) = singers_from_credit(credit)
    assert (singer.name, singer.latin, singer.hangul) == ("Punch", (), "펀치")


def test_a_featuring_credit_gives_each_singer_and_a_sort_name_stands_in_for_a_missing_alias():
    credit = fixture("release-goblin-part4.json")["artist-credit"]
    assert credit_phrase(credit) == "헤이즈 (feat. 한수지)"
    heize, han = singers_from_credit(credit)
    assert (heize.name, heize.latin) == ("헤이즈", ("Heize",))  # the search hint "Heyz" is no name
    assert (han.name, han.latin) == ("한수지", ("Han Suji",))  # no alias: the sort name "Han, Suji"


def test_a_latin_credited_name_keeps_no_copy_of_itself_and_a_singer_credited_twice_counts_once():
    aliases = [{"name": "Ailee", "locale": "en", "primary": True}]
    credit = [
        {"name": "Ailee", "joinphrase": " & ",
         "artist": {"id": "x1", "name": "에일리", "sort-name": "Ailee", "aliases": aliases}},
        {"name": "Ailee", "joinphrase": "", "artist": {"id": "x1", "name": "에일리", "sort-name": "Ailee"}},
    ]
    (singer,) = singers_from_credit(credit)
    assert singer.name == "Ailee" and singer.latin == () and singer.hangul == "에일리"


# --- Releases -------------------------------------------------------------------------------------------

def test_a_release_becomes_songs_with_latin_titles_from_its_pseudo_release():
    data = fixture("release-goblin-part9.json")
    assert pseudo_release_id(data) == PART9_LATIN
    release = release_from_json(data, pseudo=fixture("release-goblin-part9-latin.json"), cover_url="c.jpg")
    assert (release.mbid, release.title, release.date) == (PART9, "도깨비 OST Part 9", "2017-01-07")
    assert (release.release_group_title, release.drama) == ("도깨비 OST Part 9", "도깨비")
    assert release.url == f"https://musicbrainz.org/release/{PART9}"
    assert release.cover_url == "c.jpg" and release.track_count == 2
    song, inst = release.tracks
    assert (song.title, song.latin_title, song.instrumental) == ("첫눈처럼 너에게 가겠다",
                                                                "I Will Go to You Like the First Snow", False)
    assert [s.name for s in song.singers] == ["에일리"] and song.singers[0].latin == ("Ailee",)
    assert (song.disc, song.position, song.length_ms) == (1, 1, 231000)
    assert release.recording_url(song) == "https://musicbrainz.org/recording/e1000009-0000-4000-8000-000000000001"
    assert inst.instrumental and vocal_tracks(release) == (song,)
    assert release.singers == ("에일리",)


def test_without_its_pseudo_release_a_hangul_title_has_no_latin_title():
    release = release_from_json(fixture("release-goblin-part9.json"), pseudo=None, cover_url=None)
    assert release.tracks[0].latin_title == "" and release.cover_url is None


def test_the_recording_alias_gives_the_latin_title_and_mr_or_the_disambiguation_marks_an_instrumental():
    release = release_from_json(fixture("release-secret-garden-part3.json"), pseudo=None, cover_url=None)
    assert release.drama == "시크릿 가든"
    woman, mr, theme = release.tracks
    assert (woman.title, woman.latin_title) == ("그 여자", "That Woman")
    assert woman.singers[0].latin == ("Baek Ji-young", "Baek Jiyoung")
    assert mr.instrumental and not theme.instrumental
    assert [t.title for t in vocal_tracks(release)] == ["그 여자", "Mr. 시크릿"]


def test_a_latin_title_needs_no_latin_copy_and_a_release_without_a_date_takes_its_groups():
    data = fixture("release-goblin-part1.json")
    data = {**data, "date": None}
    release = release_from_json(data, pseudo=None, cover_url=None)
    assert release.tracks[0].title == "Stay With Me" and release.tracks[0].latin_title == ""
    assert release.date == "2016-12-03"
    assert [s.name for s in release.tracks[0].singers] == ["찬열", "펀치"]


def test_every_track_of_a_long_release_is_kept_and_counted():
    data = fixture("release-goblin-box.json")
    medium = data["media"][0]
    medium["tracks"] = [{**medium["tracks"][0], "position": n, "title": f"테마 {n}"} for n in range(1, 321)]
    medium["track-count"] = 320
    release = release_from_json(data, pseudo=None, cover_url=None)
    assert len(release.tracks) == release.track_count == 320 and release.tracks[-1].position == 320


def test_a_release_without_relations_has_no_pseudo_release():
    assert pseudo_release_id(fixture("release-goblin-part1.json")) is None
    assert pseudo_release_id({}) is None


# --- Search answers and covers --------------------------------------------------------------------------

def test_a_search_answer_becomes_summaries_best_score_first():
    summaries = summaries_from_search(fixture("search-goblin.json"))
    assert [s.score for s in summaries] == [100, 100, 98, 90, 71]
    first = summaries[0]
    assert (first.title, first.drama, first.date, first.track_count) == ("도깨비 OST Part 1", "도깨비", "2016-12-03", 2)
    assert first.singers == ("찬열", "펀치")
    assert summaries[2].singers == ("헤이즈", "한수지")
    assert summaries[3].is_pseudo and summaries[3].title == "Goblin OST Part 9"
    assert summaries[4].track_count == 320 and not summaries[4].is_pseudo
    assert summaries_from_search(fixture("search-empty.json")) == []


def test_a_browse_is_read_like_a_search_with_full_scores():
    summaries = summaries_from_search(fixture("browse-d0cca0f1-0000-4000-8000-000000000001.json"))
    assert [s.score for s in summaries] == [100, 100]
    assert {s.release_group_title for s in summaries} == {"도깨비 OST Part 1"}
    assert [s.track_count for s in summaries] == [2, 2]


def test_a_pseudo_release_gives_way_to_its_original_in_a_list():
    summaries = summaries_from_search(fixture("search-goblin.json"))
    assert "Goblin OST Part 9" not in [s.title for s in prefer_originals(summaries)]
    alone = [s for s in summaries if s.is_pseudo]
    assert prefer_originals(alone) == alone  # its original not listed: kept


@pytest.mark.parametrize("drama", ["도깨비", "Goblin", "goblin ost"])
def test_a_dramas_parts_are_one_original_release_per_release_group_oldest_first(drama):
    parts = drama_parts(summaries_from_search(fixture("search-goblin.json")), drama)
    if drama == "도깨비":
        assert [p.title for p in parts] == ["도깨비 OST Part 1", "도깨비 OST Part 4", "도깨비 OST Part 9",
                                            "도깨비 OST Complete Box"]
    else:  # found through the Latin pseudo-release's title; its original release is the part
        assert [p.title for p in parts] == ["도깨비 OST Part 9"]


def test_a_pseudo_release_names_its_original():
    latin = fixture("release-goblin-part9-latin.json")
    assert original_release_id(latin) == PART9
    assert original_release_id(fixture("release-goblin-part9.json")) is None


def test_the_cover_is_the_front_images_250_px_thumbnail():
    listing = fixture(f"cover-{PART9}.json")
    assert cover_from_json(listing, PART9, "https://caa.example") == listing["images"][0]["thumbnails"]["250"]
    no_thumbs = {"images": [{"front": True, "thumbnails": {}}]}
    assert cover_from_json(no_thumbs, PART9, "https://caa.example/") == f"https://caa.example/release/{PART9}/front-250"
    assert cover_from_json({"images": [{"front": False, "thumbnails": {"250": "b.jpg"}}]}, PART9, "x") is None


# --- Any input ------------------------------------------------------------------------------------------

@given(st.text(max_size=300))
def test_any_text_is_a_query_or_a_refusal_with_a_known_key(text):
    try:
        query = parse_query(text)
    except BadQuery as refused:
        assert refused.key in {"musicbrainz.empty_query", "musicbrainz.query_too_long", "musicbrainz.other_site",
                               "musicbrainz.other_entity", "musicbrainz.bad_url"}
    else:
        assert query.value and query.value == query.value.strip()


@given(st.text(max_size=120))
def test_any_release_group_title_gives_a_drama_name_when_it_has_one(title):
    name = drama_name(title)
    assert name == name.strip() and (name or not title.strip())
