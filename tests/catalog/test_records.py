"""bot.catalog.records: import rows validated per line and field (through the file reader), all or nothing;
each problem carries a message key that renders in either language. File formats: test_recordfiles.py."""

from __future__ import annotations

from bot.catalog.recordfiles import parse_records
from bot.ui.admin import problem_line

HEADER = "title,artists,drama,year,description,styles,moods,ballad\n"


def test_bad_rows_are_reported_by_line_and_field_and_nothing_is_returned():
    data = (HEADER
            + "Good Song,Ailee,Goblin,2017,,,,true\n"
            + ",Ailee,Goblin,,,,,\n"
            + "Ping,@everyone,Goblin,,,,,\n"
            + "Old,Ailee,Goblin,1800,,,,maybe\n").encode()
    records, problems = parse_records(data, "songs.csv")
    assert records == []
    found = {(p.line, p.field) for p in problems}
    assert {(3, "title"), (4, "artists"), (5, "year"), (5, "ballad")} <= found
    assert all(p.line != 2 for p in problems)


def test_problems_carry_message_keys_and_render_in_either_language():
    data = (HEADER + "Song,Ailee; @here,Goblin,,,,,\n").encode()
    [problem] = parse_records(data, "songs.csv")[1]
    assert (problem.line, problem.field, problem.key, problem.item) == (2, "artists", "admin.problem.mentions",
                                                                        "@here")
    assert problem_line(problem, "en") == (
        "line 2, artists: '@here' must not contain mentions or Discord markup "
        "(@everyone, @here, <@…>, <#…>, <t:…>, custom emoji, command mentions)")
    assert problem_line(problem, "ko") == (
        "2번째 줄, 가수(artists): '@here': 멘션이나 디스코드 서식(@everyone, @here, <@…>, <#…>, <t:…>, "
        "커스텀 이모지, 명령어 멘션)을 넣을 수 없어요")
    assert problem_line(problem, "ko", with_line=False).startswith("가수(artists): ")
    # Control characters in quoted file text are shown, not sent raw.
    [bad] = parse_records((HEADER + "Song,Ai\x07lee,Goblin,,,,,\n").encode(), "songs.csv")[1]
    assert "'Ai\\u0007lee'" in problem_line(bad, "en")


def test_a_cover_and_recordings_are_read_and_checked():
    """What an export keeps of a fetched song: its cover's address and its MusicBrainz recordings."""
    header = "title,artists,drama,cover_url,recordings\n"
    mbid, other = "a0000000-0000-4000-8000-000000000001", "B0000000-0000-4000-8000-000000000002"
    [record], problems = parse_records(
        (header + f"Song,Ailee,Goblin, https://coverartarchive.org/release/x/1-250.jpg ,{mbid}; {other}\n").encode(),
        "songs.csv")
    assert problems == []
    assert record.cover_url == "https://coverartarchive.org/release/x/1-250.jpg"
    assert record.recordings == [mbid, other.lower()]
    bad = {(p.field, p.key) for p in parse_records((
        header
        + "One,Ailee,Goblin,javascript:alert(1),\n"
        + "Two,Ailee,Goblin,https://exa mple.org/a.jpg,\n"
        + "Three,Ailee,Goblin,https:///no-host.jpg,\n"
        + f"Four,Ailee,Goblin,,not-an-id; {mbid}\n"
        + f"Five,Ailee,Goblin,,{mbid};{mbid.upper()}\n").encode(), "songs.csv")[1]}
    assert bad == {("cover_url", "admin.problem.bad_address"), ("recordings", "admin.problem.bad_mbid"),
                   ("recordings", "admin.problem.duplicate_entries")}
    [problem] = parse_records((header + "One,Ailee,Goblin,ftp://x.org/a.jpg,\n").encode(), "songs.csv")[1]
    assert problem_line(problem, "ko") == (
        "2번째 줄, 커버 주소(cover_url): https://(또는 http://)로 시작하고 띄어쓰기가 없는 웹 주소여야 해요")
