"""Korean readers get Korean (descriptions, facts, tags, reasons, uptime), actors with
their Hangul names, quiet "did you mean", song menus under cards, moods by common words, plurals."""

from __future__ import annotations

import random
import re

from bot.catalog.seedfile import load_catalog
from bot.quiz.matching import answer_key
from bot.quiz.questions import candidate_questions
from tests.cogs.test_ost import components, ost, user_errors
from tests.helpers import text_of

HANGUL = re.compile(r"[\uac00-\ud7a3]")
SEED = load_catalog()


async def test_every_shipped_song_has_its_description_and_facts_in_korean(world):
    await world.store.guilds.update(world.guild.id, language="ko")
    for song in SEED.songs:
        assert song.description_ko and all(f.text_ko for f in song.facts)
        result = await ost(world.alice, world.channel, song.title)
        embed = result.response.embeds[0]
        assert embed.description == song.description_ko.replace("*", "\\*")
        tags = next(f.value for f in embed.fields if f.name == "태그")
        assert not re.search(r"[A-Za-z]", tags.replace("R&B", "")), tags  # "파워 발라드", not "power ballad"
        assert "출처" in embed.footer.text and "Source" not in embed.footer.text


async def test_the_untitled_article_is_never_given_a_title(world):
    about = await world.alice.slash(world.channel, "about")
    sources = next(f.value for f in about.response.embeds[0].fields if f.name == "Sources")
    assert "untitled article on the Descendants of the Sun soundtrack" in sources
    assert "Setting the Tone" not in sources and sources.count("“") == 2
    await world.store.guilds.update(world.guild.id, language="ko")
    about = await world.alice.slash(world.channel, "about")
    fields = {f.name: f.value for f in about.response.embeds[0].fields}
    assert "태양의 후예 OST에 관한 제목 없는 기사" in fields["출처"]
    assert re.fullmatch(r"\d+시간 \d+분", fields["가동 시간"])  # not "0h 0m"
    assert "노래 19곡" in fields["카탈로그"]


async def test_a_servers_own_song_without_korean_falls_back_to_english(world):
    await world.admin.slash(world.channel, "catalog add", title="Snowfall", artist="Ailee", drama="Goblin",
                            description="A quiet winter song.")
    await world.store.guilds.update(world.guild.id, language="ko")
    result = await ost(world.alice, world.channel, "Snowfall")
    assert result.response.embeds[0].description == "A quiet winter song."


async def test_actors_are_found_in_english_and_hangul_with_their_dramas(world):
    for query in ("hyun bin", "현빈", "Hyun-Bin"):
        result = await ost(world.alice, world.channel, query)
        embed = result.response.embeds[0]
        assert embed.title == "🎭 Hyun Bin (현빈)", query
        dramas = [f.name for f in embed.fields]
        assert dramas == ["📺 Secret Garden (시크릿 가든)", "📺 Crash Landing on You (사랑의 불시착)"]
        assert "That Woman" in embed.fields[0].value and "Here I Am Again" in embed.fields[1].value
    select = next(c for c in components(result.response) if c.get("custom_id") == "ost:pick:songs")
    opened = await world.bob.select(result.response, [select["options"][0]["value"]], custom_id="ost:pick:songs")
    assert opened.ephemeral and opened.response.embeds[0].title == "🎵 That Woman"
    choices = await world.alice.autocomplete(world.channel, "ost", "query", "손예")
    assert {"name": "🎭 Son Ye-jin · 1 drama", "value": choices[0]["value"]} in choices
    await world.store.guilds.update(world.guild.id, language="ko")
    korean = await ost(world.alice, world.channel, "song joong ki")
    assert korean.response.embeds[0].title == "🎭 송중기 (Song Joong-ki)"
    drama = await ost(world.alice, world.channel, "crash landing on you")
    leads = next(f.value for f in drama.response.embeds[0].fields if f.name == "주연")
    assert leads == "현빈 (Hyun Bin), 손예진 (Son Ye-jin)"
    assert not world.env.errors


async def test_did_you_mean_stays_quiet_when_nothing_is_close(world):
    for query, kinds in (("song joong ki", {"artist": "song joong ki"}), ("@everyone", {"artist": "@everyone"})):
        result = await world.alice.slash(world.channel, "random", **kinds)
        assert "Did you mean" not in result.response.content, query
        assert "Ha Sung-woon" not in result.response.content and "Everytime" not in result.response.content
    result = await world.alice.slash(world.channel, "ost", query="@everyone")
    assert "Everytime" not in result.response.content and "Did you mean" not in result.response.content
    result = await world.alice.slash(world.channel, "ost", query="chachacha")
    assert "Hometown Cha-Cha-Cha" in result.response.content  # a close name is still offered
    assert user_errors(world.env) == ["ost.random.no_artist"] * 2 + ["ost.none", "ost.none_suggest"]


async def test_drama_and_artist_cards_open_any_of_their_songs(world):
    for query, count in (("Descendants of the Sun", 8), ("Punch", 2)):
        result = await ost(world.alice, world.channel, query)
        select = next(c for c in components(result.response) if c.get("custom_id") == "ost:pick:songs")
        assert len(select["options"]) == count
        opened = await world.bob.select(result.response, [select["options"][-1]["value"]], custom_id="ost:pick:songs")
        assert opened.ephemeral and opened.response.embeds[0].title.startswith("🎵 ")
    assert not world.env.errors


async def test_random_mood_understands_common_words_and_lists_every_mood(world):
    sad = await world.alice.slash(world.channel, "random", mood="sad", ballads_only=False)
    assert not sad.ephemeral
    moods = {f.value for f in sad.response.embeds[0].fields if f.name == "Style"}.pop()
    assert {"heartbreak", "tragic", "poignant", "bittersweet", "angst", "desperate"} & set(moods.split(" · "))
    calm = await world.alice.slash(world.channel, "random", mood="calm")
    assert not calm.ephemeral
    await world.store.guilds.update(world.guild.id, language="ko")
    korean = await world.alice.slash(world.channel, "random", mood="파워 발라드")
    assert not korean.ephemeral and "파워 발라드" in text_of(korean.response.embeds[0])
    none = await world.alice.slash(world.channel, "random", mood="grumpy")
    listed = none.response.content.split(": ", 1)[1]
    mood_tags = {m for s in SEED.songs for m in s.moods}
    assert "…" not in listed and len(listed.split(", ")) == len(mood_tags)
    assert "그리운" in listed and "longing" not in listed
    assert user_errors(world.env) == ["ost.random.no_mood"]


def test_lead_actor_questions_accept_hangul_names_and_show_them():
    from bot.catalog.models import Actor, Drama, Song

    def drama(i: int, leads: tuple[tuple[str, str], ...]) -> Drama:
        actors = tuple(Actor(i * 10 + n, f"a{i}{n}", name, hangul, (), (i,)) for n, (name, hangul) in enumerate(leads))
        return Drama(i, f"d{i}", f"Drama {i}", lead_actors=tuple(a.name for a in actors), actors=actors)

    dramas = [drama(1, (("Hyun Bin", "현빈"), ("Son Ye-jin", "손예진"))), drama(2, (("Lee Min-ho", "이민호"),)),
              drama(3, (("Kim Go-eun", "김고은"),)), drama(4, (("Seo Ye-ji", "서예지"),))]
    songs = [Song(i, f"s{i}", f"Song {i}", d, (), "") for i, d in enumerate(dramas, start=1)]
    from bot.quiz.questions import QuestionPool

    questions = candidate_questions(QuestionPool(songs), ["lead_actor"], random.Random(4))
    first = next(q for q in questions if q.drama_id == 1)
    assert answer_key("손예진") in {answer_key(a) for a in first.accepted}
    assert answer_key("현빈") in {answer_key(a) for a in first.accepted}
    assert first.answer.hangul in ("현빈", "손예진")
    assert all(o.hangul for o in first.options)


async def test_plurals_in_english(world):
    csv = b"title,artists,drama\nSnowfall,Ailee,Goblin\n"
    result = await world.admin.slash(world.channel, "catalog import", file=("one.csv", csv))
    reply = result.followups[-1] if result.followups else result.response
    assert "1 new song," in reply.content and "song(s)" not in reply.content
    exported = await world.admin.slash(world.channel, "catalog export")
    reply = exported.followups[-1] if exported.followups else exported.response
    assert "This server's 1 song," in reply.content
    bad = await world.admin.slash(world.channel, "catalog import", file=("bad.csv", b"title,artists,drama\n,,\n"))
    reply = bad.followups[-1] if bad.followups else bad.response
    assert "problem(s)" not in reply.content and re.search(r"has \d+ problems?\.", reply.content)

