"""/catalog add's options turned into a validated record."""

from __future__ import annotations

from bot.catalog.additions import record_from_options, split_list, split_tags


def test_lists_and_tags():
    assert split_list("Punch, Chanyeol ;  EXO") == ["Punch", "Chanyeol", "EXO"]
    assert split_list(None) == []
    assert split_tags("piano ballad, longing; R&B, healing") == (["piano ballad", "R&B"], ["longing", "healing"])


def test_a_good_song():
    record, problems = record_from_options(title=" Beautiful  Days ", artists="Lee Mujin", drama="Our Town",
                                           year=2024, tags="longing")
    assert problems == []
    assert (record.title, record.artists, record.moods, record.ballad) == ("Beautiful Days", ["Lee Mujin"],
                                                                           ["longing"], True)


def test_style_words_are_whole_words():
    """"trapped" holds "rap" and "popular" holds "pop", but they are moods, and the song stays a ballad."""
    assert split_tags("popular, trapped feelings, rocky road") == ([], ["popular", "trapped feelings", "rocky road"])
    styles = ["hip hop", "K-pop", "감성 발라드", "mid-tempo"]
    assert split_tags(", ".join(styles)) == (styles, [])
    assert record_from_options(title="A", artists="B", drama="C", tags="trapped, popular")[0].ballad is True


def test_ballad_follows_the_style_tags_unless_given():
    assert record_from_options(title="A", artists="B", drama="C", tags="pop")[0].ballad is False
    assert record_from_options(title="A", artists="B", drama="C", tags="pop", ballad=True)[0].ballad is True


def test_problems_name_the_field():
    record, problems = record_from_options(title="@here", artists="A, A", drama="x" * 101)
    assert record is None
    assert {p.field for p in problems} == {"title", "artists", "drama"}
