"""Korean end to end: an admin sets `/config language ko`, and the bot then speaks Korean."""

from __future__ import annotations

import re

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def visible_text(message) -> str:
    parts = [message.content or ""]
    for embed in message.embeds:
        parts += [embed.title or "", embed.description or "", embed.footer.text or ""]
        parts += [f"{f.name} {f.value}" for f in embed.fields]
    return "\n".join(parts)


async def test_config_language_ko_makes_every_reply_korean(world):
    env = world.env
    await world.admin.slash(world.channel, "config language", language="ko")
    assert (await world.store.guilds.get(world.guild.id)).language == "ko"

    ost = await world.alice.slash(world.channel, "ost", query="goblin")
    ost_text = visible_text(ost.response)
    assert "도깨비 (Goblin)" in ost_text  # Hangul name first
    assert HANGUL.search(ost_text.replace("도깨비", ""))  # labels are Korean too, not only names

    picked = await world.alice.slash(world.channel, "random")
    assert HANGUL.search(visible_text(picked.response))

    help_text = visible_text((await world.alice.slash(world.channel, "help")).response)
    assert "OST 발라드 봇 — 명령어" in help_text
    # The command names a Korean client shows, with Korean option names.
    assert "`/퀴즈 시작 라운드: 5 초: 20`" in help_text and "/quiz" not in help_text
    assert "`/ost 검색어: 도깨비`" in help_text and "K-드라마" not in help_text

    start = await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=20)
    assert HANGUL.search(visible_text(start.response))
    round_message = world.channel.last_message
    assert round_message.embeds[0].title == "라운드 1/1" or HANGUL.search(round_message.embeds[0].title)
    await env.advance_time(25)
    revealed = world.channel.last_message
    assert HANGUL.search(visible_text(revealed))
    assert not env.errors


async def test_auto_language_follows_the_server_setting_back_to_english(world):
    await world.admin.slash(world.channel, "config language", language="ko")
    await world.admin.slash(world.channel, "config language", language="en")
    ost = await world.alice.slash(world.channel, "ost", query="goblin")
    assert not HANGUL.search(ost.response.embeds[0].title.replace("도깨비", ""))


async def test_korean_titles_and_shorthand_find_their_cards_and_choices(world):
    """What a Korean fan types, in /ost and in its autocomplete: official titles with or without
    punctuation and spaces, and the shorthand fans use for dramas."""
    await world.admin.slash(world.channel, "config language", language="ko")
    for query, title in [("말해 뭐해", "🎵 말해! 뭐해? (Talk Love)"), ("다시너를", "🎵 다시 너를 (Once Again)"),
                         ("사불", "📺 사랑의 불시착 (Crash Landing on You)"),
                         ("태후", "📺 태양의 후예 (Descendants of the Sun)"),
                         ("쓸쓸하고 찬란하神", "📺 도깨비 (Goblin)"),
                         ("사랑의불시착", "📺 사랑의 불시착 (Crash Landing on You)")]:
        result = await world.alice.slash(world.channel, "ost", query=query)
        assert result.response.embeds[0].title == title, query
    for typed, first in [("갯차", "📺 갯마을 차차차 (Hometown Cha-Cha-Cha)"), ("사괜", "📺 사이코지만 괜찮아"),
                         ("말해뭐", "🎵 말해! 뭐해? (Talk Love)"), ("영원의군주", "📺 더 킹: 영원의 군주")]:
        choices = await world.alice.autocomplete(world.channel, "ost", "query", typed)
        assert choices and choices[0]["name"].startswith(first), (typed, choices[:2])
        assert len(choices) <= 25 and all(len(c["name"]) <= 100 for c in choices)
    assert not world.env.errors


async def test_a_round_of_lead_actors_names_its_kind_once(world):
    await world.admin.slash(world.channel, "config language", language="ko")
    await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=20, topic="actors")
    round_message = world.channel.last_message
    assert round_message.embeds[0].footer.text == "주연은 누구?"  # not "주연 배우 · 주연 배우"
    assert "'**" in round_message.embeds[0].description  # the drama's title quoted before its particle


async def test_a_groups_card_lists_its_songs_then_its_members_songs_under_their_names(world):
    card = (await world.alice.slash(world.channel, "ost", query="EXO-CBX")).response.embeds[0]
    assert card.description.split("\n") == [
        "• For You — Moon Lovers: Scarlet Heart Ryeo", "",
        "**Sung by its members**", "• Chen: Everytime — Descendants of the Sun"]
    await world.admin.slash(world.channel, "config language", language="ko")
    card = (await world.alice.slash(world.channel, "ost", query="엑소")).response.embeds[0]
    lines = card.description.split("\n")
    assert lines[0] == "**멤버들이 부른 곡**"  # EXO itself sings none of the catalog's songs
    assert "• 첸: Everytime — 태양의 후예 (Descendants of the Sun)" in lines
    assert "• 첸백시: 너를 위해 (For You) — 달의 연인 - 보보경심 려 (Moon Lovers: Scarlet Heart Ryeo)" in lines
