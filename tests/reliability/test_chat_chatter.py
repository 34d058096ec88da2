"""Random chatter through SimCord: hypothesis texts posted by members, some addressed to the bot (a
mention, a DM) and most not. Never an error, never a ping, and never an answer to a message that did
not address the bot; every answer a reply within Discord's limits."""

from __future__ import annotations

import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chat.limits import ChatLimits, Rate
from tests.cogs.chat_helpers import at, bot_messages
from tests.limits import assert_message_limits
from tests.reliability.test_hostile_input import FRAGMENTS, check_errors
from tests.reliability.test_security import assert_no_mentions_allowed

WORDS = [*FRAGMENTS, "like", "같은", "노래", "quiz", "another", "더", "surprise me", "sad", "슬픈", "stay with me",
         "Orbit", "백예린", "help", "도움말", "who sang", "OST", " "]
chatter = st.tuples(
    st.sampled_from(["mention", "mention", "plain", "plain", "plain", "dm", "everyone", "role"]),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), max_size=10).map(" ".join),
)


def samples(count: int) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(chatter)
    def collect(sample: tuple[str, str]) -> None:
        found.append(sample)

    collect()
    return found


async def test_random_chatter_is_answered_only_when_addressed_and_never_pings(simcord_env, world, caplog):
    env, channel = simcord_env, world.channel
    caplog.set_level(logging.ERROR)
    env.bot.get_cog("Chat").limits = ChatLimits(Rate(1000, 1.0), Rate(1000, 1.0))  # the limits have own tests
    role = world.guild.create_role("fans", mentionable=True)
    fan = env.create_user("fan")
    for how, text in samples(60):
        text = text[:1900].strip() or "."  # Discord refuses an empty message
        if how == "dm":
            before = len(bot_messages(env, fan.dm_channel))
            await fan.send_dm(text)
            answers = bot_messages(env, fan.dm_channel)[before:]
            assert len(answers) <= 1
            continue
        content = {"mention": at(env, text), "plain": text, "everyone": "@everyone " + text,
                   "role": f"<@&{role.id}> {text}"}[how]
        before = {m.id for m in bot_messages(env, channel)}
        sent = await world.alice.send(channel, content)
        answers = [m for m in bot_messages(env, channel) if m.id not in before]
        mentions_bot = f"<@{env.bot.user.id}>" in content
        if not mentions_bot:
            assert answers == [], (how, content)
        for answer in answers:
            if answer.reference is not None and answer.reference.message_id == sent.id:
                assert_message_limits(answer)
        quiz = any(word in content.lower() for word in ("quiz", "퀴즈", "trivia"))
        if answers and not quiz:
            assert len(answers) == 1
        if quiz:
            await world.alice.slash(channel, "quiz stop")  # a quiz asked for in the chatter stops at once
        check_errors(env)
    assert_no_mentions_allowed(env)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
