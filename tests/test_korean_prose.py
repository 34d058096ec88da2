"""Korean as a Korean writer writes it: every Korean message and catalog text in 해요체, titles quoted
so that no particle glues onto a title, no Latin words but proper names and titles, and the command
names a Korean client shows."""

from __future__ import annotations

import re

import pytest

from bot.catalog.seedfile import load_catalog
from bot.i18n import catalog as messages
from bot.i18n.commands import command_entry, table

SEED = load_catalog()
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# A quoted title: an apostrophe between two letters (Don't) belongs to the title.
QUOTED = re.compile(r"'(?:[^'\n]|(?<=[A-Za-z])'(?=[A-Za-z]))+'")
PLACEHOLDER = re.compile(r"\{[^}]*\}")
CODE = re.compile(r"`[^`]*`|<[^>]*>|“[^”]*”")  # code, Discord markup, and quoted titles (“Orbit 같은 노래”)
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.&+\-/]*")

# Latin words a Korean text may hold: proper names the catalog writes in Latin letters, formats
# and identifiers a user types or sees as they are, and abbreviations Korean readers use as words.
ALLOWED_LATIN = {
    # abbreviations read as words in Korean
    "OST", "TV", "SBS", "TOP", "R&B", "MB", "CSV", "JSON", "TOML", "UTF-8", "UTF-16", "ms", "SG",
    # names written in Latin letters (the article's spelling of an actor, time zones, a key)
    "Mun", "Kayoung", "Asia/Seoul", "Europe/London", "UTC", "Ctrl+R", "everyone", "here", "MusicBrainz", "ID",
    "musicbrainz.org", "musicbrainz.org/release", "DM", "CC0", "Cover", "Art", "Archive",
    # what a user types or a file holds, as it is
    "True", "False", "true", "false", "YYYY-MM-DD", "xlsx", "songs.csv", "ost",
    "title", "hangul", "alt_titles", "artists", "drama", "year", "release_date", "description",
    "styles", "moods", "ballad", "key", "songs", "cover_url", "recordings", "http", "https",
}


def titles() -> set[str]:
    """Every song and drama title of the shipped catalog, in every spelling it has."""
    names = {name for s in SEED.songs for name in (s.title, s.hangul, *s.titles) if name}
    names |= {name for d in SEED.dramas for name in (d.name, d.hangul, *d.names) if name}
    return names


def korean_catalog_texts() -> list[tuple[str, str]]:
    texts = [(s.key, s.description_ko) for s in SEED.songs if s.description_ko]
    texts += [(e.key, f.text_ko) for section in (SEED.songs, SEED.dramas, SEED.artists) for e in section
              for f in e.facts if f.text_ko]
    return texts


def korean_messages() -> dict[str, str]:
    found = dict(messages()["ko"])
    for path, entry in table()["commands"].items():
        if "description" in entry:  # a message menu (Find OST) has a name only
            found[f"commands.{path}.description"] = entry["description"]
        for option, fields in entry.get("options", {}).items():
            found[f"commands.{path}.{option}"] = fields["description"]
    return found


def latin_words(text: str) -> set[str]:
    bare = CODE.sub(" ", PLACEHOLDER.sub(" ", text))
    return {w.rstrip(".-/") for w in LATIN_WORD.findall(bare)} - {""}


def test_catalog_korean_has_no_latin_words_but_titles_and_names():
    strays = {}
    for key, text in korean_catalog_texts():
        extra = latin_words(QUOTED.sub(" ", text)) - ALLOWED_LATIN
        if extra:
            strays[key] = (text, extra)
    assert not strays
    # Not vacuous: English titles stand in the Korean texts, quoted.
    assert any("'Christmas Tree'" in text for _, text in korean_catalog_texts())


def test_korean_messages_have_no_latin_words_but_names_and_formats():
    strays = {key: extra for key, text in korean_messages().items()
              if (extra := latin_words(text) - ALLOWED_LATIN)}
    assert not strays


def test_no_title_stands_unquoted_in_korean_catalog_prose():
    """A title stands inside quotes ('너를 위해'가), so its particle never reads as part of it."""
    known = sorted(titles(), key=len, reverse=True)
    unquoted = {}
    for key, text in korean_catalog_texts():
        outside = QUOTED.sub(" ", text)
        found = [title for title in known if re.search(rf"(?<![\w가-힣]){re.escape(title)}", outside)]
        if found:
            unquoted[key] = (text, found)
    assert not unquoted
    assert "첸백시의 '너를 위해'가" in " ".join(text for _, text in korean_catalog_texts())


def test_titles_in_korean_messages_are_quoted_before_their_particles():
    glued = {key: text for key, text in messages()["ko"].items()
             if re.search(r"\{(song|drama|name|answer)\}\**[가-힣(]", text)}
    assert not glued
    assert "'**{song}**'이(가)" in messages()["ko"]["quiz.q.drama_of_song"]


def test_korean_is_written_in_haeyo_style():
    """Sentences end the 해요체 way (…요.), never 합니다/한다."""
    for key, text in korean_catalog_texts():
        assert text.endswith(("요.", "요!", "요?")), (key, text)
        assert not re.search(r"(합니다|습니다|한다\.|이다\.)", text), (key, text)
    formal = {key: text for key, text in korean_messages().items() if re.search(r"(합니다|습니다)", text)}
    assert not formal


@pytest.mark.parametrize("word", ["K-드라마", "K-pop", "보컬 킹", "품질이 보장", "한국의 가장 큰", "흠잡을 데 없는",
                                  "전부 아니면 전무", "출신"])
def test_calques_are_gone(word):
    everything = [text for _, text in korean_catalog_texts()] + list(korean_messages().values())
    assert not [text for text in everything if word in text]


def test_quiz_clue_and_letter_hint_have_their_own_words():
    ko = messages()["ko"]
    assert "단서" in ko["quiz.kind.song_from_fact"] and "단서" in ko["quiz.q.song_from_fact"]
    assert "단서" in ko["quiz.reveal.clue_source"]
    assert "힌트" in ko["quiz.button.hint"] and "힌트" in ko["quiz.hint.line"]
    assert not [key for key in ko if "clue" in key and "힌트" in ko[key]]


def test_mood_tags_are_adjectives():
    ko = messages()["ko"]
    moods = {m for s in SEED.songs for m in s.moods}
    names = {mood: ko[f"tag.{mood}"] for mood in moods}
    # An adjective before a noun ends on ㄴ (로맨틱한, 그리운, 설레는): the 28-letter cycle of Hangul finals.
    assert not [name for name in names.values() if (ord(name[-1]) - 0xAC00) % 28 != 4], names
    assert names["devoted"] == "한결같은"
    assert len(set(names.values())) == len(names)  # 뭉클한 and 감상적인 stay apart


def test_korean_texts_name_commands_as_a_korean_client_shows_them():
    """"/퀴즈 시작", not "/quiz start": a Korean reader's command picker shows the Korean names."""
    roots = {path for path in table()["commands"] if " " not in path and command_entry(path)["name"] != path}
    english = re.compile(r"/(" + "|".join(sorted(roots)) + r")\b")
    assert "quiz" in roots and "ost" not in roots
    assert not {key: text for key, text in korean_messages().items() if english.search(text)}


def korean_path(qualified_name: str) -> str:
    parts = qualified_name.split()
    return "/" + " ".join(command_entry(" ".join(parts[:i + 1]))["name"] for i in range(len(parts)))


def test_help_examples_use_the_korean_command_and_option_names():
    """What /help shows a Korean reader is what the Korean client's command picker shows."""
    examples = {path: entry["example_ko"] for path, entry in table()["commands"].items() if "example_ko" in entry}
    assert examples["quiz start"].startswith("/퀴즈 시작 ") and examples["config language"].startswith("/설정 언어 ")
    for path, text in examples.items():
        command = korean_path(path)
        assert text == command or text.startswith(command + " "), (path, text)
        options = {fields["name"] for fields in command_entry(path).get("options", {}).values()}
        used = re.findall(r"(\S+):", text[len(command):])
        assert set(used) <= options, (path, text, used)
