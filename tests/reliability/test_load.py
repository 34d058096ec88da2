"""Load through SimCord: 50 members answering one round (back to back, then in the same instant,
with one member's double click), 20 quizzes in 20 channels, and one member flooding /random and
/ost past the server's cooldown, with every event-loop callback timed (`loop_lag`, see conftest)."""

from __future__ import annotations

import time

import pytest

from bot.errors import UserError
from bot.quiz.game import REVEAL_PAUSE
from tests.cogs.quiz_helpers import button_ids, player_totals, quiz_cog, session_of
from tests.limits import assert_message_limits
from tests.reliability.conftest import click, dispatch_at_once, slash


async def test_the_lag_meter_sees_a_callback_that_blocks_the_loop(simcord_env, world, loop_lag, monkeypatch):
    """Calibration: a command whose code holds the loop for 120 ms of CPU is caught and named."""
    bot = simcord_env.bot
    original = bot.language_for

    async def slow_language_for(interaction):
        end = time.thread_time() + 0.120
        while time.thread_time() < end:
            pass
        return await original(interaction)

    await world.alice.slash(world.channel, "help")
    assert 0 < loop_lag.max < 0.100
    monkeypatch.setattr(bot, "language_for", slow_language_for)
    await world.alice.slash(world.channel, "help")
    assert loop_lag.max >= 0.120 and "CommandTree" in loop_lag.worst[0].what, loop_lag.report()
    assert loop_lag.by_wall.max >= 0.120
    with pytest.raises(AssertionError, match="blocked the event loop"):
        loop_lag.assert_below()


async def answer_rows(store) -> dict[tuple[int, int, int], int]:
    """How often each (game, round, player) was stored: no store method reads answers by round."""
    rows = await store.fetch("SELECT game_id, round, user_id, COUNT(*) FROM quiz_answers "
                                "GROUP BY game_id, round, user_id")
    return {(int(g), int(r), int(u)): n for g, r, u, n in rows}


async def test_fifty_members_one_round_back_to_back(simcord_env, world, loop_lag):
    env = simcord_env
    members = [world.guild.add_member(env.create_user(f"fan{i}")) for i in range(50)]
    await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=60)
    session = session_of(env, world.channel)
    game_id, right = session.game_id, session.question.correct
    round_message = world.channel.last_message
    ids = button_ids(round_message)
    results = [await m.click(round_message, custom_id=ids[right if i % 2 == 0 else (right + 1) % 4])
               for i, m in enumerate(members)]
    double = [await world.bob.click(round_message, custom_id=ids[right]),
              await world.bob.click(round_message, custom_id=ids[(right + 1) % 4])]
    await env.advance_time(61)
    assert all(r.ephemeral for r in results)
    assert sorted("Locked in" in r.response.content for r in double) == [False, True]
    assert await answer_rows(world.store) == {**{(game_id, 1, m.id): 1 for m in members}, (game_id, 1, world.bob.id): 1}
    assert session_of(env, world.channel) is None
    assert_message_limits(world.channel.last_message)
    loop_lag.assert_below()


async def test_fifty_clicks_and_a_double_click_in_the_same_instant(simcord_env, world, loop_lag):
    """All 52 clicks of a round are emitted before the bot handles any: 52 handler tasks run
    interleaved. Each member is scored once per round; the double click locks in once."""
    env = simcord_env
    members = [world.guild.add_member(env.create_user(f"fan{i}")) for i in range(50)]
    await world.alice.slash(world.channel, "quiz start", rounds=2, seconds=60)
    session = session_of(env, world.channel)
    game_id = session.game_id
    bob_locked = []
    for number in (1, 2):
        message = world.channel.last_message
        assert session.round_number == number and message.id == session.message_id
        right, ids = session.question.correct, button_ids(message)
        batch = [click(m, message, ids[right if i % 2 == 0 else (right + 1) % 4]) for i, m in enumerate(members)]
        batch += [click(world.bob, message, ids[right]), click(world.bob, message, ids[(right + 2) % 4])]
        results, pending_together = await dispatch_at_once(env, batch)
        assert pending_together >= len(batch)  # every handler existed before any of them ran
        assert all(r.ephemeral for r in results)
        assert all("Locked in" in r.response.content for r in results[:50])
        bob = [r.response.content for r in results[50:]]
        assert sorted("Locked in" in c for c in bob) == [False, True], bob
        assert any("already" in c for c in bob), bob
        bob_locked.append(next(i for i, c in enumerate(bob) if "Locked in" in c))
        await env.advance_time(60 + (REVEAL_PAUSE if number == 1 else 1))
    assert env.errors == []
    assert await answer_rows(world.store) == {
        (game_id, n, u): 1 for n in (1, 2) for u in [m.id for m in members] + [world.bob.id]}
    # Scored once per round: every right answer at the same instant earns the same points.
    totals = {user: (correct, points) for user, (_, correct, points) in
              (await player_totals(world.store, world.guild.id)).items()}
    winners = {totals[m.id] for i, m in enumerate(members) if i % 2 == 0}
    assert len(winners) == 1 and next(iter(winners))[0] == 2
    assert {totals[m.id] for i, m in enumerate(members) if i % 2 == 1} == {(0, 0)}
    bob_right = [locked == 0 for locked in bob_locked]  # his first click was the right option
    assert totals[world.bob.id][0] == sum(bob_right)
    assert session_of(env, world.channel) is None
    assert (await world.store.quiz.game(game_id)).status == "finished"
    loop_lag.assert_below()


async def test_twenty_quizzes_in_twenty_channels_at_once(simcord_env, world, loop_lag):
    """20 /quiz start in the same instant, then each round all 40 players' clicks in one instant."""
    env = simcord_env
    rounds, seconds = 3, 60  # long rounds: a virtual timer also fires after that much real time
    channels = [world.guild.create_text_channel(f"quiz-{i}") for i in range(20)]
    players = [(world.guild.add_member(env.create_user(f"p{i}a")), world.guild.add_member(env.create_user(f"p{i}b")))
               for i in range(20)]
    starts, pending = await dispatch_at_once(
        env, [slash(a, c, "quiz start", rounds=rounds, seconds=seconds) for (a, _), c in zip(players, channels,
                                                                                              strict=True)])
    assert pending >= 20 and all(not r.ephemeral for r in starts)
    cog = quiz_cog(env)
    sessions = [cog.games.sessions.for_channel(c.id) for c in channels]
    assert all(s is not None for s in sessions)  # all twenty run together
    assert len({s.game_id for s in sessions}) == 20
    for number in range(1, rounds + 1):
        batch = []
        for session, (a, b), channel in zip(sessions, players, channels, strict=True):
            assert session.round_number == number and session.round_open
            message = channel.last_message
            assert message.id == session.message_id
            ids = button_ids(message)
            batch += [click(a, message, ids[session.question.correct]),
                      click(b, message, ids[(session.question.correct + 1) % 4])]
        results, pending = await dispatch_at_once(env, batch)
        assert pending >= 40 and all("Locked in" in r.response.content for r in results)
        await env.advance_time(seconds + (REVEAL_PAUSE if number < rounds else 1))
    assert env.errors == []
    assert all(cog.games.sessions.for_channel(c.id) is None for c in channels)
    expected = {(s.game_id, n, p.id): 1 for s, pair in zip(sessions, players, strict=True)
                for n in range(1, rounds + 1) for p in pair}
    assert await answer_rows(world.store) == expected  # every answer stored once, no round lost
    # each game's rounds as stored beside its status: no store method counts a game's rounds
    played = await world.store.fetch("SELECT status, rounds_played, (SELECT COUNT(*) FROM quiz_rounds r "
                                        "WHERE r.game_id = g.id) FROM quiz_games g")
    assert [tuple(r) for r in played] == [("finished", rounds, rounds)] * 20
    for channel in channels:
        assert channel.last_message.embeds[0].title == "🏁 Final standings"
    loop_lag.assert_below()


async def test_one_member_flooding_random_and_ost_meets_the_cooldown(simcord_env, world, loop_lag):
    env, ch, alice, bob = simcord_env, world.channel, world.alice, world.bob
    await world.admin.slash(ch, "config random", cooldown=30)
    first = await alice.slash(ch, "random")
    assert not first.ephemeral and first.response.embeds
    store_before, posts_before = await world.store.content_hash(), len(ch.history())

    # Back to back: refused privately, with the time left.
    again = [await alice.slash(ch, "random") for _ in range(5)]
    assert all(r.ephemeral and r.response.content == "Slow down a little: try again in 30 s." for r in again)
    # In one instant: 20 /ost and 20 more /random from her, and bob's own /random and /ost.
    batch = [slash(alice, ch, "ost", query="goblin") for _ in range(20)]
    batch += [slash(alice, ch, "random") for _ in range(20)]
    batch += [slash(bob, ch, "random"), slash(bob, ch, "ost", query="goblin")]
    results, pending = await dispatch_at_once(env, batch)
    assert pending >= len(batch)
    public = [i for i, r in enumerate(results) if not r.ephemeral]
    assert public == [0, 40, 41], public  # her first /ost only, and bob unaffected
    refused = [r for i, r in enumerate(results) if i not in public]
    assert all(r.response.content.startswith("Slow down a little: try again in ") for r in refused)
    assert len(ch.history()) == posts_before + 3  # no other public post
    assert await world.store.content_hash() == store_before  # refusals write nothing

    refusals = [e for e in env.errors if isinstance(e, UserError)]
    assert len(refusals) == 5 + 39 and {e.key for e in refusals} == {"error.cooldown"}
    assert len(env.errors) == len(refusals)  # reading env.errors acknowledges them
    cursor = env.error_cursor

    await env.advance_time(30)
    later = await alice.slash(ch, "random")
    assert not later.ephemeral and later.response.embeds
    assert not (await alice.slash(ch, "ost", query="goblin")).ephemeral
    assert env.errors_since(cursor) == ()
    loop_lag.assert_below()
