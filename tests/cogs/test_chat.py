"""Talking to the bot through SimCord: mentions, replies to its cards and DMs in English and Korean,
the same cards as the slash commands, silence where it must be silent, /config chat and the limits."""

from __future__ import annotations

import logging

import discord
import pytest

from bot.catalog.records import SongRecord
from bot.i18n import t
from tests.cogs.chat_helpers import assert_quiet_reply, at, bot_messages, custom_ids, dm, reply_without_ping, say
from tests.helpers import text_of
from tests.limits import assert_message_limits


def title(message) -> str:
    return message.embeds[0].title


# -- what it understands, and the cards it answers with -----------------------------------------

async def test_a_mention_is_answered_with_the_ost_card_as_a_quiet_reply(simcord_env, world):
    env = simcord_env
    sent = await world.alice.send(world.channel, at(env, "goblin"))
    answer = bot_messages(env, world.channel)[-1]
    assert_quiet_reply(env, answer, sent)
    slash = (await world.bob.slash(world.channel, "ost", query="goblin")).response
    assert answer.embeds[0].to_dict() == slash.embeds[0].to_dict()
    assert custom_ids(answer) == custom_ids(slash)  # the same buttons and menus, so every click works
    assert env.errors == []


async def test_look_ups_in_english_and_korean(simcord_env, world):
    env, alice, channel = simcord_env, world.alice, world.channel
    assert title(await say(env, alice, channel, at(env, "who sang stay with me"))) == "🎵 Stay with Me"
    korean = await say(env, alice, channel, at(env, "도깨비 OST"))
    assert title(korean).startswith("📺 도깨비") and "첫눈처럼 너에게 가겠다" in text_of(korean)
    assert "백예린" in title(await say(env, alice, channel, at(env, "백예린 노래")))
    actor = await say(env, alice, channel, at(env, "현빈 드라마"))
    assert "현빈" in title(actor) and "사랑의 불시착" in text_of(actor)
    assert title(await say(env, alice, channel, at(env, "goblni"))).startswith("📺 Goblin")  # a typo, as /ost
    assert title(await say(env, world.bob, channel, at(env, "This Love"))) == "🎵 This Love"  # a name, not a mood
    assert env.errors == []


async def test_recommendations_with_a_mood_in_both_languages(simcord_env, world):
    env, alice, channel = simcord_env, world.alice, world.channel
    english = await say(env, alice, channel, at(env, "something sad like Stay with Me"))
    assert title(english) == "Songs like Stay with Me"
    assert custom_ids(english) == ["ost:pick"]
    assert title(await say(env, alice, channel, at(env, "songs like Orbit"))) == "Songs like Orbit"
    korean = await say(env, alice, channel, at(env, "도깨비 같은 슬픈 노래 추천해줘"))
    assert "도깨비 (Goblin)" in title(korean) and title(korean).endswith("비슷한 곡")
    assert env.errors == []


async def test_random_picks_with_filters(simcord_env, world):
    env, alice, channel = simcord_env, world.alice, world.channel
    pick = await say(env, alice, channel, at(env, "surprise me"))
    assert title(pick).startswith("🎵 ") and any(i.startswith("ost:rnd::::") or i.startswith("ost:rnd:")
                                                for i in custom_ids(pick))
    sad = await say(env, alice, channel, at(env, "a sad one"))
    assert "ost:rnd:::1:sad" in custom_ids(sad)
    happy = await say(env, world.bob, channel, at(env, "a happy one"))  # as /random mood: happy answers
    assert happy.content == (await world.bob.slash(channel, "random", mood="happy")).response.content
    fluttering = await say(env, alice, channel, at(env, "설레는 노래"))
    assert "ost:rnd:::1:love" in custom_ids(fluttering) and "가수" in text_of(fluttering)
    anything = await say(env, alice, channel, at(env, "아무거나"))
    assert title(anything).startswith("🎵 ") and "드라마" in text_of(anything)
    # only the slash command's refusal, answered privately: the chat answers its own in the reply
    assert [getattr(getattr(e, "original", e), "key", None) for e in env.errors] == ["ost.random.empty_ballads"]


async def test_help_and_anything_else_in_the_message_language(simcord_env, world):
    env, alice, channel = simcord_env, world.alice, world.channel
    english = await say(env, alice, channel, at(env, "what can you do"))
    assert english.embeds[0].description.startswith(t("chat.help_intro", "en")) and "/ost" in text_of(english)
    korean = await say(env, alice, channel, at(env, "도움말"))
    assert korean.embeds[0].description.startswith(t("chat.help_intro", "ko"))
    assert (await say(env, alice, channel, at(env, "hello there"))).content == t("chat.unknown", "en")
    assert (await say(env, alice, channel, at(env, "안녕하세요 반가워요"))).content == t("chat.unknown", "ko")
    assert (await say(env, alice, channel, at(env, ""))).content == t("chat.unknown", "en")  # the server's
    assert env.errors == []


def reply_to(env, channel, message):
    return next(m for m in bot_messages(env, channel) if m.reference and m.reference.message_id == message.id)


async def test_a_quiz_starts_in_the_channel_where_quiz_start_could(simcord_env, world):
    env, channel = simcord_env, world.channel
    asked = await world.alice.send(channel, at(env, "quiz 3 rounds"))
    started = reply_to(env, channel, asked)
    assert_quiet_reply(env, started, asked)
    assert started.embeds and bot_messages(env, channel)[-1].id != started.id  # the first round follows
    busy = await world.bob.send(channel, at(env, "퀴즈 하자"))
    assert reply_to(env, channel, busy).content.startswith(t("quiz.error.running", "ko", link=""))
    await world.alice.slash(channel, "quiz stop")
    quiz_room = world.guild.create_text_channel("quiz-room")
    await world.admin.slash(channel, "config quiz", channel=quiz_room)
    elsewhere = await say(env, world.alice, channel, at(env, "퀴즈 하자"))
    assert elsewhere.content == t("quiz.error.wrong_channel", "ko", channel=f"<#{quiz_room.id}>")
    assert env.errors == []


# -- replies to its cards -----------------------------------------------------------------------

async def test_another_keeps_the_filters_and_like_this_recommends_from_the_song(simcord_env, world):
    env, alice, channel = simcord_env, world.alice, world.channel
    card = await say(env, alice, channel, at(env, "a sad one"))
    filters = next(i for i in custom_ids(card) if i.startswith("ost:rnd:"))
    again = await say(env, world.bob, channel, "another", reply_to=card)  # a reply pings its author: the bot
    assert filters in custom_ids(again) and title(again) != title(card)
    korean = await say(env, alice, channel, "다른 거", reply_to=again)
    assert filters in custom_ids(korean) and title(korean) not in (title(card), title(again))
    song = title(korean).removeprefix("🎵 ")  # "첫눈처럼 너에게 가겠다 (I Will Go to You Like the First Snow)"
    english = song.rstrip(")").split(" (")[-1]
    like = await say(env, alice, channel, "like this", reply_to=korean)
    assert title(like) == f"Songs like {english}"
    more = await say(env, alice, channel, "이런 노래 더", reply_to=korean)
    assert title(more).endswith("비슷한 곡") and song.split(" (")[0] in title(more)
    assert env.errors == []


async def test_a_slash_commands_card_continues_when_the_reply_mentions_the_bot(simcord_env, world):
    env, channel = simcord_env, world.channel
    card = (await world.alice.slash(channel, "random", drama="Descendants of the Sun")).response
    # SimCord delivers a plain reply to an interaction's message without its text (no mention): silence.
    assert await say(env, world.bob, channel, "one more", reply_to=card) is None
    again = await say(env, world.bob, channel, at(env, "one more"), reply_to=card)
    assert next(i for i in custom_ids(card) if i.startswith("ost:rnd:")) in custom_ids(again)
    drama = await say(env, world.bob, channel, at(env, "goblin"))
    like = await say(env, world.bob, channel, "more like this", reply_to=drama)
    assert title(like) == "Songs like Goblin"
    assert env.errors == []


# -- DMs ----------------------------------------------------------------------------------------

async def test_dms_look_up_recommend_and_pick_from_the_shared_catalog(simcord_env, world):
    env = simcord_env
    user = env.create_user("fan")
    assert title(await dm(env, user, "stay with me")) == "🎵 Stay with Me"
    assert title(await dm(env, user, "Orbit 같은 노래")).endswith("비슷한 곡")
    assert title(await dm(env, user, "surprise me")).startswith("🎵 ")
    assert (await dm(env, user, "quiz 5 rounds")).content == t("chat.dm_no_quiz", "en")
    await world.store.catalog.import_records([SongRecord(title="Club Anthem", artists=["Gummy"], drama="Goblin")],
                                             guild_id=world.guild.id, origin="guild")
    assert title(await say(env, world.alice, world.channel, at(env, "who sang club anthem"))) == "🎵 Club Anthem"
    assert "Club Anthem" not in text_of(await dm(env, user, "who sang club anthem"))  # no server's own songs
    assert env.errors == []


# -- silence --------------------------------------------------------------------------------------

async def test_silent_unless_a_member_addresses_it(simcord_env, world):
    env, channel = simcord_env, world.channel
    other_bot = world.guild.add_member(env.create_user("otherbot", bot=True))
    assert await say(env, other_bot, channel, at(env, "goblin")) is None
    hook = world.guild.create_webhook(channel)
    await hook.send(at(env, "goblin"))
    assert await say(env, world.alice, channel, "goblin") is None  # not addressed (and arrives without text)
    assert await say(env, world.alice, channel, "@everyone goblin") is None
    role = world.guild.create_role("fans", mentionable=True)
    assert await say(env, world.alice, channel, f"<@&{role.id}> goblin") is None
    plain = await world.alice.send(channel, "stay with me")
    await world.alice.edit(plain, at(env, "stay with me"))  # an edit is never answered
    card = await say(env, world.alice, channel, at(env, "goblin"))
    await reply_without_ping(env, world.alice, channel, card, "another")  # arrives without text
    assert len(bot_messages(env, channel)) == 1
    assert env.errors == []


@pytest.mark.both_engines
async def test_config_chat_turns_it_off_and_on(simcord_env, world):
    env, channel = simcord_env, world.channel
    off = await world.admin.slash(channel, "config chat", enabled=False)
    assert off.ephemeral and off.response.content == t("chat.config.off", "en")
    assert await say(env, world.alice, channel, at(env, "goblin")) is None
    assert title(await dm(env, env.create_user("fan"), "goblin")).startswith("📺")  # DMs are no server's
    await world.admin.slash(channel, "config chat", enabled=True)
    assert await say(env, world.alice, channel, at(env, "goblin")) is not None
    assert (await world.store.guilds.get(world.guild.id)).chat_enabled


async def test_a_channel_where_it_may_not_post_gets_nothing_and_one_log_line(simcord_env, world, caplog):
    env = simcord_env
    muted = world.guild.create_text_channel(
        "muted", overwrites={env.bot.user: discord.PermissionOverwrite(send_messages=False)})
    caplog.set_level(logging.INFO, logger="bot.cogs.chat")
    assert await say(env, world.alice, muted, at(env, "goblin")) is None
    assert len([r for r in caplog.records if "cannot answer" in r.getMessage()]) == 1
    assert env.errors == []


# -- limits -------------------------------------------------------------------------------------

async def test_a_member_flood_meets_the_limit_then_silence_until_the_window_passes(simcord_env, world):
    env, alice, channel = simcord_env, world.alice, world.channel
    answers = [await say(env, alice, channel, at(env, "surprise me")) for _ in range(8)]
    assert sum(a is not None for a in answers) == 5
    assert await say(env, world.bob, channel, at(env, "goblin")) is not None  # someone else is still answered
    await env.advance_time(31)
    assert await say(env, alice, channel, at(env, "goblin")) is not None


async def test_a_channel_flood_meets_the_channel_limit(simcord_env, world):
    env, channel = simcord_env, world.channel
    members = [world.guild.add_member(env.create_user(f"m{n}")) for n in range(7)]
    answers = [await say(env, m, channel, at(env, "goblin")) for m in members for _ in range(2)]
    assert sum(a is not None for a in answers) == 12
    other = world.guild.create_text_channel("other")
    assert await say(env, members[0], other, at(env, "goblin")) is not None


async def test_the_member_cooldown_applies_as_for_the_commands(simcord_env, world):
    env, channel = simcord_env, world.channel
    await world.admin.slash(channel, "config random", cooldown=30)
    assert (await say(env, world.alice, channel, at(env, "goblin"))).embeds
    refused = await say(env, world.alice, channel, at(env, "orbit"))
    assert refused.content == t("error.cooldown", "en", seconds=30) and not refused.embeds
    assert (await world.alice.slash(channel, "ost", query="orbit")).ephemeral  # shared with /ost
    assert [getattr(e, "key", None) for e in env.errors] == ["error.cooldown"]  # the command's, not the chat's


# -- Find OST -----------------------------------------------------------------------------------

async def test_find_ost_shows_what_a_message_names_privately(simcord_env, world):
    env, channel = simcord_env, world.channel
    said = await world.alice.send(channel, "I cried at Stay with Me last night")
    found = await world.bob.context_menu(channel, "Find OST", said)
    assert found.ephemeral and [e.title for e in found.response.embeds] == ["🎵 Stay with Me"]
    assert "ost:more:" in " ".join(custom_ids(found.response))
    korean = await world.alice.send(channel, "도깨비에서 백예린 노래가 제일 좋아")
    both = await world.bob.context_menu(channel, "Find OST", korean)
    titles = [e.title for e in both.response.embeds]
    assert both.ephemeral and titles[0].startswith("📺 Goblin") and "Baek Yerin" in titles[1]
    assert "ost:pick" in custom_ids(both.response)
    assert_message_limits(both.response)
    nothing = await world.bob.context_menu(channel, "Find OST", await world.alice.send(channel, "good morning"))
    assert nothing.ephemeral and nothing.response.content == t("chat.find.none", "en")
    assert [getattr(getattr(e, "original", e), "key", None) for e in env.errors] == ["chat.find.none"]


async def test_find_ost_shows_five_cards_and_a_menu_of_every_match(world):
    channel = world.channel
    said = await world.alice.send(channel, "Goblin, Orbit, Gummy, Ailee, Hyun Bin, Always and Punch")
    found = await world.bob.context_menu(channel, "Find OST", said)
    assert len(found.response.embeds) == 5
    assert_message_limits(found.response)
    menu = next(c for row in found.response.components for c in row["components"] if c.get("custom_id") == "ost:pick")
    assert len(menu["options"]) == 7
    opened = await world.bob.select(found.response, custom_id="ost:pick", values=[menu["options"][6]["value"]])
    assert opened.ephemeral and opened.response.embeds


async def test_find_ost_is_a_message_menu_named_in_korean_too(simcord_env):
    synced = {name: payload for (name, _type), payload in simcord_env.backend.commands.get(None, {}).items()}
    menu = synced["Find OST"]
    assert menu["type"] == discord.AppCommandType.message.value
    assert menu["name_localizations"]["ko"] == "OST 찾기"
