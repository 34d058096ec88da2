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
