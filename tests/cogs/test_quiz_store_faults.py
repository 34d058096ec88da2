"""A quiz when the store refuses writes (a full disk), injected at the store (`Store.fail_writes`) with
the engine's own error: players are told their answer was not saved (never "locked in"), a round that
cannot be recorded pauses the quiz with a message saying why, and once writes work again the quiz goes
on by itself (tried again on the loop clock) with every answer given meanwhile counted, or ends with its
standings when it was stopped meanwhile."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest

from bot.cogs.quiz._games import PAUSE_RETRY_MAX, STALL_LIMIT
from tests.cogs.quiz_helpers import button_ids, message_by_id, only_game, player_totals, session_of
from tests.cogs.test_quiz import only_keys
from tests.helpers import text_of

pytestmark = pytest.mark.both_engines

NOT_SAVED = "could not be saved: the bot's database is failing"
PAUSED = "⏸️ **The quiz is paused**: the bot cannot save the results (the database's disk is full)."
GOES_ON = "▶️ Saving works again: the quiz goes on."


def disk_full(engine: str):
    """What each engine raises when its disk is full."""
    if engine == "sqlite":
        return lambda: sqlite3.OperationalError("database or disk is full")
    return lambda: asyncpg.exceptions.DiskFullError('could not extend file "base/16384/2619": '
                                                    "No space left on device")


def lines(channel, text: str) -> list:
    return [m for m in channel.history() if text in (m.content or "")]


async def until_posted(env, channel, text: str) -> None:
    """Advance the loop clock in small steps until `text` is posted (bounded: one longest retry wait)."""
    for _ in range(int(PAUSE_RETRY_MAX / 5) + 2):
        if lines(channel, text):
            return
        await env.advance_time(5)
    raise AssertionError(f"never posted: {text}")


async def test_a_full_disk_pauses_the_quiz_and_it_goes_on_with_every_answer(simcord_env, world, engine, caplog):
    env, ch, store = simcord_env, world.channel, simcord_env.bot.store
    await world.alice.slash(ch, "quiz start", rounds=2, seconds=20)
    session = session_of(env, ch)
    game_id, round1 = session.game_id, ch.last_message
    ids, right = button_ids(round1), session.question.correct
    wrong = (right + 1) % 4
    kept = await world.alice.click(round1, custom_id=ids[wrong])
    assert kept.ephemeral and kept.response.content.startswith("🔒 Locked in")

    store.fail_writes(disk_full(engine))
    for member, option in ((world.bob, right), (world.admin, wrong)):
        receipt = await member.click(round1, custom_id=ids[option])
        assert receipt.ephemeral and NOT_SAVED in receipt.response.content
        assert "Locked in" not in receipt.response.content
    await env.advance_time(24)  # the round's time is up: its record fails
    assert ch.last_message.content.startswith(PAUSED)
    assert message_by_id(ch, round1.id).embeds[0].title == "Round 1 of 2"  # not revealed
    await env.advance_time(3 * PAUSE_RETRY_MAX)  # still failing: no second message, the game waits
    assert len(lines(ch, "The quiz is paused")) == 1
    late = await world.bob.click(round1, custom_id=ids[right])
    assert late.ephemeral and "This round is over" in late.response.content
    assert "the quiz is paused" in caplog.text

    store.fail_writes(None)
    await until_posted(env, ch, GOES_ON)
    revealed = message_by_id(ch, round1.id).embeds[0]
    assert revealed.title == "Round 1 of 2: the answer"
    assert world.bob.mention in text_of(revealed)
    # Bob's right answer, given while the disk was full, is stored with the round.
    assert await player_totals(store, world.guild.id) == {
        world.alice.id: (1, 0, 0), world.bob.id: (1, 1, 150), world.admin.id: (1, 0, 0)}

    await env.advance_time(5)
    round2 = ch.last_message
    assert round2.embeds[0].title == "Round 2 of 2"
    again = await world.bob.click(round2, custom_id=button_ids(round2)[session.question.correct])
    assert again.response.content.startswith("🔒 Locked in")
    await env.advance_time(24)
    assert ch.last_message.embeds[0].title == "🏁 Final standings"
    assert world.bob.mention in text_of(ch.last_message.embeds[0])
    assert await only_game(store, game_id) == ("finished", 2)
    assert env.errors == []


async def test_a_typed_answer_and_a_stop_during_the_pause_in_korean(simcord_env, world, engine, monkeypatch):
    env, ch, store = simcord_env, world.channel, simcord_env.bot.store
    goblin = [await store.catalog.song_by_key(key) for key in ("stay-with-me", "i-will-go-to-you-like-the-first-snow")]
    keys = {f"drama_of_song:{song.id}" for song in goblin}
    only_keys(monkeypatch, lambda q: q.key in keys)  # two rounds, both answered "Goblin"
    await store.guilds.update(world.guild.id, language="ko")
    await world.alice.slash(ch, "quiz start", rounds=2, seconds=20, mode="typed")
    game_id, round1 = session_of(env, ch).game_id, ch.last_message

    store.fail_writes(disk_full(engine))
    shown = await world.bob.click(round1, label="답하기")
    receipt = await world.bob.submit_modal(shown, {"answer": "도깨비"})
    assert receipt.ephemeral and receipt.response.content.startswith("⚠️ 입력한 답(**도깨비**)을 저장하지 못했어요.")
    await env.advance_time(24)
    assert ch.last_message.content.startswith("⏸️ **퀴즈가 잠시 멈췄어요**")
    assert "데이터베이스 디스크가 가득 찼어요" in ch.last_message.content
    stopped = await world.alice.slash(ch, "quiz stop")
    assert not stopped.response.ephemeral
    await env.advance_time(PAUSE_RETRY_MAX)
    assert lines(ch, "멈췄어요") and not lines(ch, "이어서 진행할게요")  # still paused, nothing ended
    game = await store.quiz.game(game_id)
    assert game is not None and game.status == "running"

    store.fail_writes(None)
    await until_posted(env, ch, "다시 저장할 수 있게 됐어요")
    await env.advance_time(1)
    assert ch.last_message.embeds and ch.last_message.embeds[0].title.startswith("🏁")
    assert await only_game(store, game_id) == ("stopped", 1)
    assert await player_totals(store, world.guild.id) == {world.bob.id: (1, 1, 150)}
    assert env.errors == []


async def test_a_round_posted_while_writes_fail_goes_on(simcord_env, world, engine):
    """The fault starts in the pause after a reveal: the next round's post cannot save the game's state
    (a restart aid only), and the round is played all the same."""
    env, ch, store = simcord_env, world.channel, simcord_env.bot.store
    await world.alice.slash(ch, "quiz start", rounds=2, seconds=20)
    session = session_of(env, ch)
    game_id = session.game_id
    await env.advance_time(21)  # round 1: no answers, recorded and revealed
    store.fail_writes(disk_full(engine))
    await env.advance_time(5)
    round2 = ch.last_message
    assert round2.embeds[0].title == "Round 2 of 2"
    receipt = await world.bob.click(round2, custom_id=button_ids(round2)[session.question.correct])
    assert NOT_SAVED in receipt.response.content
    store.fail_writes(None)
    await env.advance_time(21)
    assert ch.last_message.embeds[0].title == "🏁 Final standings"
    assert not lines(ch, "paused")
    assert await only_game(store, game_id) == ("finished", 2)
    # Right, 1 s after the round was posted (4 s after the reveal): 100 + 45 for speed.
    assert await player_totals(store, world.guild.id) == {world.bob.id: (1, 1, 145)}
    assert env.errors == []


async def test_a_pause_longer_than_ten_minutes_ends_the_quiz_with_its_standings(simcord_env, world, engine):
    env, ch, store = simcord_env, world.channel, simcord_env.bot.store
    await world.alice.slash(ch, "quiz start", rounds=3, seconds=20)
    session = session_of(env, ch)
    game_id, round1 = session.game_id, ch.last_message
    store.fail_writes(disk_full(engine))
    receipt = await world.bob.click(round1, custom_id=button_ids(round1)[session.question.correct])
    assert NOT_SAVED in receipt.response.content
    await env.advance_time(24 + STALL_LIMIT + 1)
    assert len(lines(ch, "The quiz is paused")) == 1
    store.fail_writes(None)
    await env.advance_time(PAUSE_RETRY_MAX + 1)
    assert not lines(ch, GOES_ON)  # no new round for players who have long gone
    footer = message_by_id(ch, round1.id).embeds[0].footer.text
    assert footer == "The quiz was paused for more than 10 minutes, too long to go on: final standings below."
    standings = ch.last_message.embeds[0]
    assert standings.title == "🏁 Final standings"
    assert standings.description.startswith("The results could not be saved for more than 10 minutes")
    assert world.bob.mention in standings.description
    assert await only_game(store, game_id) == ("interrupted", 1)
    assert await player_totals(store, world.guild.id) == {world.bob.id: (1, 1, 150)}
    assert env.errors == []
