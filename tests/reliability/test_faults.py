"""Discord faults through SimCord's `env.inject_error`: 500, 503 and 429 on sending, editing and
follow-ups, and expired (10062) or already-acknowledged (40060) interactions.

What SimCord's faults are: its HTTP client replaces discord.py's `HTTPClient.request` and the
webhook adapter's `request` whole, so an injected fault skips discord.py's own retry loop (which,
against the real API, retries 500/502/504/524 on REST and any 5xx on interaction webhooks up to 5
times, and sleeps through a 429 that carries `retry_after`). Every injected fault reaches the bot at
once, on the first try, as a plain `discord.HTTPException` (not DiscordServerError, not
RateLimited): the first test pins that down. So each case here is what the bot sees when an
outage outlasts discord.py's retries.

Each case checks: how many WARNING+ records (one per failure, no traceback, no ERROR), what the
member sees, what the store holds (scores compared before/after), and that the next command works.
"""

from __future__ import annotations

import logging

import discord
import pytest

from tests.cogs.quiz_helpers import (
    button_ids,
    count,
    message_by_id,
    only_game,
    player_totals,
    quiz_cog,
    rows,
    session_of,
)
from tests.limits import assert_message_limits
from tests.reliability.conftest import swallowed

CALLBACK = "/interactions/*/callback"
PASSING = [500, 503, 429]
TRY_AGAIN = "Discord had trouble delivering my reply just now. Please try again in a moment."


def fault(env, method: str, path: str, status: int, times: int | None = 1, code: int = 0,
          message: str = "injected by test_faults") -> None:
    env.inject_error(method, path, status=status, code=code, message=message, times=times)


def loud(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def assert_logged(caplog, warnings: int) -> None:
    """Exactly `warnings` WARNING records, nothing at ERROR, no traceback anywhere."""
    records = loud(caplog)
    assert [r.levelname for r in records] == ["WARNING"] * warnings, [(r.name, r.getMessage()) for r in records]
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records if r.exc_info]


def assert_lines(caplog, *levels: str) -> None:
    """The INFO-and-above records are exactly `levels` (level names, in order); no traceback anywhere."""
    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert [r.levelname for r in records] == list(levels), [(r.name, r.getMessage()) for r in records]
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records if r.exc_info]


def callbacks(env, since: int) -> int:
    return sum(1 for r in env.http_requests[since:] if r.method == "POST" and r.path.endswith("/callback"))


async def random_card(world):
    """Alice's /random card and the custom_id of its Another button."""
    await world.alice.slash(world.channel, "random")
    card = world.channel.last_message
    another = next(c.custom_id for row in card.components for c in row.children
                   if (c.custom_id or "").startswith("ost:rnd:"))
    return card, another


@pytest.fixture(autouse=True)
def capture(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def settle_setup(env, caplog) -> tuple[int, int]:
    """Forget start-up logs; return (error cursor, request cursor)."""
    caplog.clear()
    return env.error_cursor, len(env.http_requests)


# -- what an injected fault is -------------------------------------------------------------------

@pytest.mark.parametrize("status", PASSING)
async def test_an_injected_fault_skips_discord_py_retries_and_arrives_as_a_plain_http_exception(
        simcord_env, world, status):
    env = simcord_env
    channel = env.bot.get_channel(world.channel.id)
    fault(env, "POST", f"/channels/{world.channel.id}/messages", status)
    before, clock = len(env.http_requests), env.bot.loop.time()
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send("first try")
    assert type(raised.value) is discord.HTTPException  # not DiscordServerError, not RateLimited
    assert raised.value.status == status
    assert len(env.http_requests) - before == 1  # one request: discord.py did not retry
    assert env.bot.loop.time() - clock < 0.5     # and did not sleep (its first retry waits 1 s)
    assert (await channel.send("second try")).content == "second try"  # times=1: gone after one hit


# -- /ost and /random: the reply (interaction callback) ---------------------------------------------

@pytest.mark.parametrize("status", PASSING)
@pytest.mark.parametrize("command,options", [("ost", {"query": "goblin"}), ("random", {})])
async def test_a_failed_reply_is_one_warning_and_a_try_again(simcord_env, world, caplog, command, options, status):
    env = simcord_env
    store_before = await world.store.content_hash()
    errors, _ = settle_setup(env, caplog)
    fault(env, "POST", CALLBACK, status)
    failed = await world.alice.slash(world.channel, command, **options)
    assert failed.ephemeral and failed.response.content == TRY_AGAIN
    assert_logged(caplog, 1)
    assert f"{status} injected by test_faults" in loud(caplog)[0].getMessage()
    assert [type(e) for e in swallowed(env, errors)] == [discord.HTTPException]
    if command == "ost":
        assert await world.store.content_hash() == store_before  # read-only command: nothing written

    worked = await world.bob.slash(world.channel, command, **options)
    assert not worked.ephemeral and worked.response.embeds
    assert_message_limits(worked.response)


async def test_a_reply_failing_twice_is_still_one_warning(simcord_env, world, caplog):
    env = simcord_env
    errors, _ = settle_setup(env, caplog)
    fault(env, "POST", CALLBACK, 503, times=2)  # the card, then the "try again" too
    failed = await world.alice.slash(world.channel, "ost", query="goblin")
    assert failed.response is None
    assert_logged(caplog, 1)
    swallowed(env, errors)
    assert (await world.alice.slash(world.channel, "ost", query="goblin")).response.embeds


@pytest.mark.parametrize("status", PASSING)
async def test_the_another_button_under_a_fault_logs_one_line_and_the_next_click_works(
        simcord_env, world, caplog, status):
    env = simcord_env
    card, another = await random_card(world)
    errors, _ = settle_setup(env, caplog)
    fault(env, "POST", CALLBACK, status)
    clicked = await world.bob.click(card, custom_id=another)
    assert clicked.ephemeral and clicked.response.content == TRY_AGAIN
    assert_logged(caplog, 1)
    assert swallowed(env, errors) == []
    assert world.channel.last_message.id == card.id  # nothing posted

    again = await world.bob.click(card, custom_id=another)
    assert again.response.embeds and not again.ephemeral


async def test_an_admin_button_under_a_passing_fault_says_try_again(simcord_env, world, caplog):
    """Every persistent component goes through the same handler as the look-up buttons."""
    env = simcord_env
    prompt = await world.admin.slash(world.channel, "config reset-scores")
    caplog.clear()
    fault(env, "POST", CALLBACK, 503)
    clicked = await world.admin.click(prompt.response, label="Cancel")
    assert clicked.ephemeral and clicked.response.content == TRY_AGAIN
    assert_logged(caplog, 1)
    again = await world.admin.click(prompt.response, label="Cancel")
    assert again.acknowledged and "Cancelled" in world.channel.last_message.content


# -- expired (10062) and already acknowledged (40060) ------------------------------------------------

EXPIRED = {"status": 404, "code": 10062, "message": "Unknown interaction"}
ACKNOWLEDGED = {"status": 400, "code": 40060, "message": "Interaction has already been acknowledged."}


@pytest.mark.parametrize("kind,level", [(EXPIRED, "INFO"), (ACKNOWLEDGED, "WARNING")])
async def test_an_expired_or_answered_slash_command_is_one_line_and_no_second_try(
        simcord_env, world, caplog, kind, level):
    env = simcord_env
    errors, requests = settle_setup(env, caplog)
    fault(env, "POST", CALLBACK, **kind)
    await world.alice.slash(world.channel, "ost", query="goblin")
    assert callbacks(env, requests) == 1  # no "sorry" attempt on an interaction that cannot take one
    mine = [r for r in caplog.records if r.name == "bot.faults"]
    assert [r.levelname for r in mine] == [level] and str(kind["code"]) in mine[0].getMessage()
    assert_logged(caplog, 1 if level == "WARNING" else 0)
    assert [getattr(e, "code", None) for e in swallowed(env, errors)] == [kind["code"]]
    assert (await world.alice.slash(world.channel, "ost", query="goblin")).response.embeds


@pytest.mark.parametrize("kind,level", [(EXPIRED, "INFO"), (ACKNOWLEDGED, "WARNING"),
                                        ({"status": 500}, "WARNING")])
async def test_autocomplete_that_cannot_answer_is_one_line_without_traceback(simcord_env, world, caplog, kind,
                                                                              level):
    env = simcord_env
    settle_setup(env, caplog)
    fault(env, "POST", CALLBACK, **kind)
    assert await world.alice.autocomplete(world.channel, "ost", "query", "gob") == []
    assert_lines(caplog, level)
    assert "autocomplete for /ost" in caplog.records[-1].getMessage()
    choices = await world.alice.autocomplete(world.channel, "ost", "query", "gob")
    assert any("Goblin" in c["name"] for c in choices)


@pytest.mark.parametrize("kind,level", [(EXPIRED, "INFO"), (ACKNOWLEDGED, "WARNING")])
async def test_an_expired_button_click_is_one_line(simcord_env, world, caplog, kind, level):
    env = simcord_env
    card, another = await random_card(world)
    settle_setup(env, caplog)
    fault(env, "POST", CALLBACK, **kind)
    await world.bob.click(card, custom_id=another)
    assert_lines(caplog, level)
    assert (await world.bob.click(card, custom_id=another)).response.embeds


# -- quizzes: round posts, reveal edits, the start reply, the standings ------------------------------

ROUND_SECONDS = 60  # the longest allowed: SimCord also fires a timer after that much real time
RETRY = 2.0     # bot.cogs.quiz._games.RETRY_WAIT
PAUSE = 4.0     # bot.quiz.game.REVEAL_PAUSE


async def scores(store) -> list[tuple]:
    """Every stored score and round, for before/after comparisons (row by row: no store method reads
    answers by round, nor a round's counts)."""
    return (await rows(store, "SELECT game_id, round, user_id, correct, points, streak FROM quiz_answers "
                              "ORDER BY game_id, round, user_id")
            + await rows(store, "SELECT game_id, number, answers, correct FROM quiz_rounds ORDER BY game_id, number"))




async def start(world, rounds: int):
    started = await world.alice.slash(world.channel, "quiz start", rounds=rounds, seconds=ROUND_SECONDS,
                                      mode="buttons")
    assert not started.ephemeral
    session = session_of(world.env, world.channel)
    assert session is not None
    return session


async def play_round(world, session, *, right: bool = True) -> None:
    """Alice answers the round on screen (right or wrong), Bob answers right."""
    message = world.channel.last_message
    ids = button_ids(message)
    assert ids and ids[0].startswith(f"quiz:a:{session.game_id}:{session.round_number}:")
    correct = session.question.correct
    await world.alice.click(message, custom_id=ids[correct if right else (correct + 1) % 4])
    await world.bob.click(message, custom_id=ids[correct])


def round_title(message) -> str:
    return message.embeds[0].title if message.embeds else ""


def assert_game_gone(env, channel) -> None:
    cog = quiz_cog(env)
    assert cog.games.sessions.for_channel(channel.id) is None and not cog.games.runners


@pytest.mark.parametrize("status", PASSING)
async def test_a_round_post_failing_once_is_retried_and_the_quiz_goes_on(simcord_env, world, caplog, status):
    env = simcord_env
    session = await start(world, rounds=2)
    await play_round(world, session)
    caplog.clear()
    fault(env, "POST", f"/channels/{world.channel.id}/messages", status)
    await env.advance_time(ROUND_SECONDS + PAUSE)       # round 1 revealed; round 2's post fails
    assert round_title(world.channel.last_message) == "Round 1 of 2: the answer"  # no round 2 yet
    assert_logged(caplog, 1)
    assert "round 2" in loud(caplog)[0].getMessage()
    await env.advance_time(RETRY)                        # the one retry, on the loop clock
    assert round_title(world.channel.last_message) == "Round 2 of 2"
    await play_round(world, session, right=False)
    await env.advance_time(ROUND_SECONDS)
    assert world.channel.last_message.embeds[0].title.startswith("🏁")
    assert await only_game(world.store, session.game_id) == ("finished", 2)
    # which round each answer counted in: no store method reads quiz_answers by round
    assert await rows(world.store, "SELECT round, user_id, correct FROM quiz_answers ORDER BY round, user_id") == [
        (1, world.alice.id, 1), (1, world.bob.id, 1), (2, world.alice.id, 0), (2, world.bob.id, 1)]
    assert_game_gone(env, world.channel)
    assert_logged(caplog, 1)


@pytest.mark.parametrize("status", PASSING)
async def test_a_round_post_failing_twice_ends_the_quiz_cleanly_keeping_earned_scores(
        simcord_env, world, caplog, status):
    env = simcord_env
    session = await start(world, rounds=3)
    await play_round(world, session)
    fault(env, "POST", f"/channels/{world.channel.id}/messages", status, times=2)
    await env.advance_time(ROUND_SECONDS)  # round 1 revealed and stored
    earned = await scores(world.store)
    assert len(earned) == 3  # two answers and the round
    caplog.clear()
    await env.advance_time(PAUSE + RETRY + 1)
    assert_logged(caplog, 2)  # the failure, then the failed retry: one line each, no traceback
    assert await scores(world.store) == earned
    assert await only_game(world.store, session.game_id) == ("interrupted", 1)
    assert_game_gone(env, world.channel)
    # The channel is free again.
    again = await world.bob.slash(world.channel, "quiz start", rounds=1, seconds=ROUND_SECONDS)
    assert not again.ephemeral and round_title(world.channel.last_message) == "Round 1 of 1"


@pytest.mark.parametrize("status", PASSING)
async def test_a_reveal_edit_failing_once_is_retried(simcord_env, world, caplog, status):
    env = simcord_env
    session = await start(world, rounds=2)
    round1 = world.channel.last_message
    await play_round(world, session)
    caplog.clear()
    fault(env, "PATCH", f"/channels/{world.channel.id}/messages/{round1.id}", status)
    await env.advance_time(ROUND_SECONDS)
    assert_logged(caplog, 1)
    await env.advance_time(RETRY)
    revealed = message_by_id(world.channel, round1.id)
    assert round_title(revealed) == "Round 1 of 2: the answer"
    assert all(c.disabled for row in revealed.components for c in row.children)
    await env.advance_time(PAUSE)
    assert round_title(world.channel.last_message) == "Round 2 of 2"
    await env.advance_time(ROUND_SECONDS * 2)
    assert await only_game(world.store, session.game_id) == ("finished", 2)
    assert await count(world.store, "quiz_answers") == 2
    assert_logged(caplog, 1)


@pytest.mark.parametrize("status", PASSING)
async def test_a_reveal_that_cannot_be_shown_does_not_end_the_quiz(simcord_env, world, caplog, status):
    env = simcord_env
    session = await start(world, rounds=2)
    round1 = world.channel.last_message
    await play_round(world, session)
    caplog.clear()
    fault(env, "PATCH", f"/channels/{world.channel.id}/messages/{round1.id}", status, times=2)
    await env.advance_time(ROUND_SECONDS)
    earned = await scores(world.store)
    await env.advance_time(RETRY + PAUSE)
    assert_logged(caplog, 2)
    assert round_title(world.channel.last_message) == "Round 2 of 2"  # the quiz went on
    await play_round(world, session)
    await env.advance_time(ROUND_SECONDS)
    assert await only_game(world.store, session.game_id) == ("finished", 2)
    assert set(earned) <= set(await scores(world.store))
    assert await count(world.store, "quiz_answers") == 4
    assert_game_gone(env, world.channel)


@pytest.mark.parametrize("status", PASSING)
async def test_the_final_standings_are_retried_once(simcord_env, world, caplog, status):
    env = simcord_env
    session = await start(world, rounds=1)
    await play_round(world, session)
    caplog.clear()
    fault(env, "POST", f"/channels/{world.channel.id}/messages", status)
    await env.advance_time(ROUND_SECONDS)
    assert await only_game(world.store, session.game_id) == ("finished", 1)  # stored before anything is shown
    assert_logged(caplog, 1)
    await env.advance_time(RETRY)
    assert world.channel.last_message.embeds[0].title.startswith("🏁")
    assert_game_gone(env, world.channel)


@pytest.mark.parametrize("status", PASSING)
async def test_quiz_start_whose_defer_fails_leaves_nothing_behind(simcord_env, world, caplog, status):
    env = simcord_env
    errors, _ = settle_setup(env, caplog)
    fault(env, "POST", CALLBACK, status)
    failed = await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=ROUND_SECONDS)
    assert failed.ephemeral and failed.response.content == TRY_AGAIN
    assert_logged(caplog, 1)
    swallowed(env, errors)
    assert await count(world.store, "quiz_games") == 0
    assert_game_gone(env, world.channel)
    await start(world, rounds=1)


@pytest.mark.parametrize("status", PASSING)
async def test_quiz_start_whose_announcement_edit_fails_still_runs_the_quiz(simcord_env, world, caplog, status):
    """The deferred reply is edited through the interaction webhook (a follow-up route)."""
    env = simcord_env
    errors, _ = settle_setup(env, caplog)
    fault(env, "PATCH", "/webhooks/*/messages/@original", status)
    await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=ROUND_SECONDS)
    assert_logged(caplog, 1)
    assert swallowed(env, errors) == []
    session = session_of(env, world.channel)
    assert session is not None and round_title(world.channel.last_message) == "Round 1 of 1"
    await play_round(world, session)
    await env.advance_time(ROUND_SECONDS)
    assert await only_game(world.store, session.game_id) == ("finished", 1)
    assert await count(world.store, "quiz_answers") == 2
    assert_game_gone(env, world.channel)


@pytest.mark.parametrize("kind", [EXPIRED, {"status": 500}])
async def test_an_answer_whose_receipt_fails_still_counts(simcord_env, world, caplog, kind):
    env = simcord_env
    session = await start(world, rounds=1)
    message = world.channel.last_message
    caplog.clear()
    fault(env, "POST", CALLBACK, **kind)
    await world.alice.click(message, custom_id=button_ids(message)[session.question.correct])
    assert_logged(caplog, 0 if kind is EXPIRED else 1)
    await env.advance_time(ROUND_SECONDS)
    totals = await player_totals(world.store, world.guild.id)
    assert {user: (answers, correct) for user, (answers, correct, _) in totals.items()} == {world.alice.id: (1, 1)}


@pytest.mark.parametrize("kind", [EXPIRED, {"status": 503}])
async def test_the_typed_answer_button_under_a_fault_is_one_line(simcord_env, world, caplog, kind):
    env = simcord_env
    await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=ROUND_SECONDS, mode="typed")
    message = world.channel.last_message
    caplog.clear()
    fault(env, "POST", CALLBACK, **kind)
    clicked = await world.bob.click(message, label="Answer")
    if kind is not EXPIRED:
        assert clicked.ephemeral and clicked.response.content == TRY_AGAIN
    assert_lines(caplog, "INFO" if kind is EXPIRED else "WARNING")
    shown = await world.bob.click(message, label="Answer")
    receipt = await world.bob.submit_modal(shown, {"answer": "anything"})
    assert receipt.ephemeral


# -- the song of the day ----------------------------------------------------------------------------

DAILY_RETRY = 15 * 60  # bot.cogs.daily.RETRY_AFTER


def daily_posts(channel) -> list[discord.Message]:
    return [m for m in channel.history() if "Song of the day" in (m.content or "")]


async def configure_daily_at_two(env, world) -> None:
    """Song of the day at 02:00 UTC; SimCord's clock starts at 2026-01-01 00:00 UTC."""
    saved = await world.admin.slash(world.channel, "config daily", channel=world.channel, hour=2)
    assert saved.response.ephemeral
    await env.advance_time(2 * 3600 - 60)  # 01:59
    assert daily_posts(world.channel) == []


def daily_records(caplog) -> list[str]:
    return [r.levelname for r in caplog.records if r.name == "bot.cogs.daily" and "failed" in r.getMessage()]


@pytest.mark.parametrize("status", PASSING)
async def test_the_daily_post_after_a_passing_fault_is_retried_fifteen_minutes_later(
        simcord_env, world, caplog, status):
    env = simcord_env
    await configure_daily_at_two(env, world)
    caplog.clear()
    fault(env, "POST", f"/channels/{world.channel.id}/messages", status)
    await env.advance_time(120)  # 02:01: due, fails
    assert daily_posts(world.channel) == []
    assert_logged(caplog, 1)
    stored = await world.store.guilds.get(world.guild.id)
    assert stored.daily_error == "send_failed" and stored.daily_last_date is None  # the day is open again
    await env.advance_time(DAILY_RETRY - 120)
    assert daily_posts(world.channel) == []  # not before the 15 minutes
    await env.advance_time(120)
    assert len(daily_posts(world.channel)) == 1
    stored = await world.store.guilds.get(world.guild.id)
    assert stored.daily_error is None and stored.daily_last_date == "2026-01-01"
    assert len(await world.store.daily.posts(world.guild.id)) == 1
    await env.advance_time(6 * 3600)
    assert len(daily_posts(world.channel)) == 1  # once a day
    assert_logged(caplog, 1)


async def test_a_long_outage_on_the_daily_post_is_one_warning_then_quiet_retries(simcord_env, world, caplog):
    env = simcord_env
    await configure_daily_at_two(env, world)
    caplog.clear()
    fault(env, "POST", f"/channels/{world.channel.id}/messages", 503, times=8)  # two hours of 503s
    await env.advance_time(60 + 8 * DAILY_RETRY)
    assert daily_records(caplog) == ["WARNING"] + ["INFO"] * 7  # every retry noted, one warning
    assert_logged(caplog, 1)
    assert len(daily_posts(world.channel)) == 1  # the ninth try, at 04:00
    assert (await world.store.guilds.get(world.guild.id)).daily_error is None
    assert len(await world.store.daily.posts(world.guild.id)) == 1
