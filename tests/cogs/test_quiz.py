"""/quiz through SimCord: full games, typed answers, stop rights, one quiz per channel, the quiz
ending itself, leaderboards and stats, restarts and interrupted quizzes."""

from __future__ import annotations

import discord
import pytest
from simcord.backend.errors import SetupError

import bot.quiz.questions as questions_module
from bot.app import open_bot
from bot.quiz.game import encode_questions
from bot.quiz.questions import Name, Question
from bot.quiz.scoring import score_answer
from bot.quiz.session import Answer, QuizSession, RoundResult
from bot.store import Store
from tests.cogs.quiz_helpers import (
    button_ids,
    count,
    game_state,
    message_by_id,
    only_game,
    player_totals,
    rows,
    session_of,
)
from tests.limits import assert_message_limits

pytestmark = pytest.mark.both_engines


def buttons(message) -> list:
    return [child for row in message.components for child in row.children]


def only_keys(monkeypatch, wanted):
    """Let the real generator make its questions, then keep only `wanted(question)` ones."""
    original = questions_module.candidate_questions

    def filtered(pool, kinds, rng):
        return [q for q in original(pool, kinds, rng) if wanted(q)]

    monkeypatch.setattr(questions_module, "candidate_questions", filtered)


# -- a full game -------------------------------------------------------------------------------

async def test_full_game_with_four_members(simcord_env, world):
    env = simcord_env
    carol = world.guild.add_member(env.create_user("carol"))
    start = await world.alice.slash(world.channel, "quiz start", rounds=2, seconds=20)
    assert not start.ephemeral
    assert "**2** rounds" in start.response.embeds[0].description
    session = session_of(env, world.channel)
    game_id = session.game_id

    round1 = world.channel.last_message
    assert_message_limits(round1)
    assert round1.embeds[0].title == "Round 1 of 2"
    assert "<t:" in round1.embeds[0].description  # the countdown, as a relative timestamp
    ids = button_ids(round1)
    assert ids == [f"quiz:a:{game_id}:1:{i}" for i in range(4)] + [f"quiz:s:{game_id}:1"]  # four options, Skip
    right = session.question.correct
    wrong = (right + 1) % 4

    locked = await world.alice.click(round1, custom_id=ids[right])
    assert locked.ephemeral and "Locked in" in locked.response.content
    assert (await world.bob.click(round1, custom_id=ids[wrong])).ephemeral
    await env.advance_time(5)
    assert (await world.admin.click(round1, custom_id=ids[right])).ephemeral
    again = await world.admin.click(round1, custom_id=ids[wrong])
    assert again.ephemeral and again.response.content == "You already answered this round."
    # nothing is scored before the reveal; each locked-in answer is already kept, once
    assert await count(world.store, "quiz_answers") == 0
    assert await count(world.store, "quiz_pending_answers") == 3

    await env.advance_time(15)
    revealed = message_by_id(world.channel, round1.id)
    assert_message_limits(revealed)
    embed = revealed.embeds[0]
    assert embed.title == "Round 1 of 2: the answer"
    assert session.questions[0].answer.text in embed.description
    got_it = embed.fields[0].value
    assert f"<@{world.alice.id}> **+150**" in got_it          # instant: 100 + 50
    assert f"<@{world.admin.id}> **+138**" in got_it          # after 5 of 20 s: 100 + 38
    assert str(world.bob.id) not in got_it and str(carol.id) not in got_it
    assert any("Wrong answers: 1" in f.value for f in embed.fields)
    fact = next((f for f in embed.fields if f.name == "Did you know?"), None)
    if session.questions[0].fact is not None:
        assert fact is not None and "Source:" in fact.value
    assert all(b.disabled for b in buttons(revealed))
    assert buttons(revealed)[right].style is discord.ButtonStyle.success
    assert await player_totals(world.store, world.guild.id) == {world.alice.id: (1, 1, 150), world.bob.id: (1, 0, 0),
                                                         world.admin.id: (1, 1, 138)}
    streaks = [(await world.store.quiz.player_stats(world.guild.id, member.id)).best_streak
               for member in (world.alice, world.bob, world.admin)]
    assert streaks == [1, 0, 1]

    with pytest.raises(SetupError, match="disabled"):  # a late click cannot even happen
        await carol.click(revealed, custom_id=ids[right])

    await env.advance_time(4)  # the pause, then round 2
    round2 = world.channel.last_message
    assert round2.id != round1.id and round2.embeds[0].title == "Round 2 of 2"
    ids2 = button_ids(round2)
    right2 = session.question.correct
    await world.alice.click(round2, custom_id=ids2[right2])
    await env.advance_time(20)

    final = world.channel.last_message
    assert final.embeds[0].title == "🏁 Final standings"
    lines = final.embeds[0].description.splitlines()
    assert lines[2] == f"1. <@{world.alice.id}>: **310** points (2 correct, best streak 2)"  # 150 + 150 + 10
    assert lines[3].startswith(f"2. <@{world.admin.id}>: **138** points")
    assert lines[4].startswith(f"3. <@{world.bob.id}>: **0** points")
    assert str(carol.id) not in final.embeds[0].description
    assert session_of(env, world.channel) is None
    assert await only_game(world.store, game_id) == ("finished", 2)
    assert (await player_totals(world.store, world.guild.id))[world.alice.id][2] == 310


# -- typed mode --------------------------------------------------------------------------------

async def test_typed_mode_accepts_aliases_hangul_and_typos_but_not_near_misses(simcord_env, world, monkeypatch):
    env = simcord_env
    stay = await world.store.catalog.song_by_key("stay-with-me")
    only_keys(monkeypatch, lambda q: q.key == f"drama_of_song:{stay.id}")
    carol = world.guild.add_member(env.create_user("carol"))
    dave = world.guild.add_member(env.create_user("dave"))

    await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=30, mode="typed")
    round1 = world.channel.last_message
    assert "Stay with Me" in round1.embeds[0].description
    assert [b.label for b in buttons(round1)] == ["Answer", "Hint (0/3)", "Skip"]

    typed = {world.alice: "도깨비", world.bob: "guardian: the lonely & great god", world.admin: "Gobln",
             carol: "Gob", dave: "Secret Garden"}
    for member, text in typed.items():
        shown = await member.click(round1, label="Answer")
        assert shown.modal is not None and shown.modal["title"] == "Your answer"
        receipt = await member.submit_modal(shown, {"answer": text})
        assert receipt.ephemeral and "Locked in" in receipt.response.content
    again = await world.alice.click(round1, label="Answer")
    assert again.modal is None and again.response.content == "You already answered this round."

    await env.advance_time(30)
    revealed = message_by_id(world.channel, round1.id)
    assert "**Goblin**" in revealed.embeds[0].description
    winners = revealed.embeds[0].fields[0].value
    for member in (world.alice, world.bob, world.admin):
        assert f"<@{member.id}>" in winners
    for member in (carol, dave):
        assert f"<@{member.id}>" not in winners
    assert all(b.disabled for b in buttons(revealed))
    totals = await player_totals(world.store, world.guild.id)
    stored = {user: correct for user, (answers, correct, _) in totals.items() if answers == 1}
    assert stored == {world.alice.id: 1, world.bob.id: 1, world.admin.id: 1, carol.id: 0, dave.id: 0}


# -- who may stop ------------------------------------------------------------------------------

async def test_stop_rights(simcord_env, world):
    env = simcord_env
    await world.alice.slash(world.channel, "quiz start", rounds=5, seconds=20)
    games = [session_of(env, world.channel).game_id]
    refused = await world.bob.slash(world.channel, "quiz stop")
    assert refused.ephemeral and "can stop it" in refused.response.content
    assert len(env.errors) == 1
    assert session_of(env, world.channel) is not None
    await env.advance_time(24)
    assert world.channel.last_message.embeds[0].title == "Round 2 of 5"  # the quiz went on

    stopped = await world.admin.slash(world.channel, "quiz stop")  # Manage Server
    assert not stopped.ephemeral and "stopped the quiz" in stopped.response.content
    final = world.channel.last_message
    assert final.embeds[0].title == "🏁 Final standings" and "stopped" in final.embeds[0].description
    assert await only_game(world.store, games[0]) == ("stopped", 2)

    # the bot-manager role, once an admin sets it
    dj = world.guild.create_role("DJ")
    dave = world.guild.add_member(env.create_user("dave"), roles=[dj])
    await world.store.guilds.update(world.guild.id, manager_role_id=dj.id)
    await world.bob.slash(world.channel, "quiz start", rounds=3, seconds=10)
    games.append(session_of(env, world.channel).game_id)
    assert (await dave.slash(world.channel, "quiz stop")).ephemeral is False
    assert session_of(env, world.channel) is None

    # the starter
    await world.bob.slash(world.channel, "quiz start", rounds=3, seconds=10)
    games.append(session_of(env, world.channel).game_id)
    await env.advance_time(14)  # stop during round 2
    assert (await world.bob.slash(world.channel, "quiz stop")).ephemeral is False
    assert session_of(env, world.channel) is None
    assert await count(world.store, "quiz_games") == 3
    assert [(await game_state(world.store, game))[0] for game in games] == ["stopped", "stopped", "stopped"]

    nothing = await world.bob.slash(world.channel, "quiz stop")
    assert nothing.ephemeral and nothing.response.content == "There is no quiz running in this channel."
    assert len(env.errors) == 2


# -- one quiz per channel, and the server's quiz channel ----------------------------------------

async def test_one_quiz_per_channel(simcord_env, world):
    env = simcord_env
    await world.alice.slash(world.channel, "quiz start", rounds=2, seconds=10)
    running = session_of(env, world.channel)
    second = await world.bob.slash(world.channel, "quiz start")
    assert second.ephemeral and "already running" in second.response.content
    assert f"/{world.channel.id}/{running.message_id}" in second.response.content
    assert len(env.errors) == 1
    other = world.guild.create_text_channel("other")
    elsewhere = await world.bob.slash(other, "quiz start", rounds=1, seconds=10)
    assert not elsewhere.ephemeral
    assert session_of(env, other) is not None
    assert len(await world.store.quiz.running_game_ids()) == 2


async def test_quiz_channel_setting_and_defaults(simcord_env, world):
    env = simcord_env
    games = world.guild.create_text_channel("quiz-games")
    await world.store.guilds.update(world.guild.id, quiz_channel_id=games.id, quiz_rounds=3, quiz_seconds=15,
                                    quiz_mode="typed")
    refused = await world.alice.slash(world.channel, "quiz start")
    assert refused.ephemeral and f"<#{games.id}>" in refused.response.content
    assert len(env.errors) == 1
    assert await count(world.store, "quiz_games") == 0
    started = await world.alice.slash(games, "quiz start")
    assert "**3** rounds, **15** s each, type the answer" in started.response.embeds[0].description
    assert [b.label for b in buttons(games.last_message)] == ["Answer", "Hint (0/3)", "Skip"]


async def test_quiz_ends_itself_when_no_one_plays(simcord_env, world):
    env = simcord_env
    await world.alice.slash(world.channel, "quiz start", rounds=5, seconds=10)
    game_id = session_of(env, world.channel).game_id
    await env.advance_time(10)
    assert "No answers this round." in world.channel.last_message.embeds[0].fields[0].value
    await env.advance_time(4 + 10)
    final = world.channel.last_message
    assert final.embeds[0].title == "🏁 Final standings"
    assert "no one is playing" in final.embeds[0].description
    # The last reveal says why the quiz ends early, never "that was the last round" .
    last_reveal = [m for m in world.channel.history() if m.embeds and "the answer" in m.embeds[0].title][-1]
    assert last_reveal.embeds[0].footer.text == "No one is playing, so the quiz ends early: final standings below."
    assert session_of(env, world.channel) is None
    assert await only_game(world.store, game_id) == ("idle", 2)
    await env.advance_time(60)
    assert world.channel.last_message.id == final.id  # nothing more was posted


async def test_a_deleted_round_message_does_not_break_the_quiz(simcord_env, world):
    env = simcord_env
    await world.alice.slash(world.channel, "quiz start", rounds=2, seconds=60)
    round1 = world.channel.last_message
    assert round1.id == session_of(env, world.channel).message_id
    game_id = session_of(env, world.channel).game_id
    mods = world.guild.create_role("Mods", permissions=discord.Permissions(manage_messages=True))
    moderator = world.guild.add_member(env.create_user("mod"), roles=[mods])
    await moderator.delete(round1)
    stop = await world.alice.slash(world.channel, "quiz stop")
    assert "stopped the quiz" in stop.response.content
    # "Final standings follow": the game is woken only once the stop reply is out.
    posted = list(world.channel.history())
    at = next(i for i, message in enumerate(posted) if "stopped the quiz" in (message.content or ""))
    assert [embed.title for message in posted[at + 1:] for embed in message.embeds] == ["🏁 Final standings"]
    assert (await only_game(world.store, game_id))[0] == "stopped"
    assert env.errors == []


# -- leaderboards and stats --------------------------------------------------------------------

async def play_one_round(env, channel, starter, winners):
    await starter.slash(channel, "quiz start", rounds=1, seconds=10)
    session = session_of(env, channel)
    message = channel.last_message
    for member in winners:
        await member.click(message, custom_id=button_ids(message)[session.question.correct])
    await env.advance_time(10)


async def test_leaderboard_periods_and_stats(simcord_env, world):
    env = simcord_env
    await play_one_round(env, world.channel, world.alice, [world.alice])
    for _day in range(8):  # more than a week later (a day at a time: other cogs wake up meanwhile)
        await env.advance_time(24 * 3600)
    await play_one_round(env, world.channel, world.alice, [world.bob])
    await play_one_round(env, world.channel, world.alice, [world.bob, world.alice])

    week = await world.alice.slash(world.channel, "quiz leaderboard", period="week")
    lines = week.response.embeds[0].description.splitlines()
    assert lines[0] == f"1. <@{world.bob.id}>: **300** pts · games 2 · accuracy 100%"
    assert lines[1] == f"2. <@{world.alice.id}>: **150** pts · games 1 · accuracy 100%"
    month = await world.alice.slash(world.channel, "quiz leaderboard", period="month")
    assert month.response.embeds[0].description.splitlines()[0] == (
        f"1. <@{world.alice.id}>: **300** pts · games 2 · accuracy 100%")
    everything = await world.alice.slash(world.channel, "quiz leaderboard")
    assert "all time" in everything.response.embeds[0].title
    assert len(everything.response.embeds[0].description.splitlines()) == 2

    stats = await world.alice.slash(world.channel, "quiz stats", member=world.bob)
    embed = stats.response.embeds[0]
    # The member's name once: the author line, no mention of the same member below it.
    assert embed.author.name == world.bob.name and not embed.description and not stats.response.content
    fields = {f.name: f.value for f in stats.response.embeds[0].fields}
    assert (fields["Games"], fields["Answered"], fields["Correct"], fields["Accuracy"]) == ("2", "2", "2", "100%")
    assert fields["Points"] == "300" and fields["Best streak"] == "1"
    assert fields["Favourite drama"] != "none"
    mine = await world.alice.slash(world.channel, "quiz stats")
    assert {f.name: f.value for f in mine.response.embeds[0].fields}["Points"] == "300"
    nobody = await world.alice.slash(world.channel, "quiz stats", member=world.admin)
    assert nobody.ephemeral and "has not played" in nobody.response.content


async def test_leaderboard_top_ten_and_the_callers_own_rank(simcord_env, world):
    env = simcord_env
    store = world.store
    now = env.now()
    game = await store.quiz.create_game(guild_id=world.guild.id, channel_id=world.channel.id, started_by=1,
                                        mode="buttons", topic="any", rounds=1, seconds=20, now=now)
    question = Question("year_of_song:1", "year_of_song", (Name("1"), Name("2"), Name("3"), Name("4")), 0, ("1",))
    answers = [Answer(9000 + i, True, float(i), score_answer(True, float(i), 20, 1), 1, "1") for i in range(12)]
    answers.append(Answer(world.bob.id, False, 1.0, score_answer(False, 1.0, 20, 0), 0, "2"))
    await store.quiz.record_round(game, world.guild.id, world.channel.id, RoundResult(1, question, tuple(answers)),
                                  now, end_status="finished")
    board = await world.bob.slash(world.channel, "quiz leaderboard", period="all")
    embed = board.response.embeds[0]
    assert len(embed.description.splitlines()) == 10
    assert embed.fields[0].name == "Your rank"
    assert embed.fields[0].value.startswith(f"13. <@{world.bob.id}>: **0** pts")
    assert_message_limits(board.response)


# -- restarts ----------------------------------------------------------------------------------

async def test_scores_survive_a_faithful_restart(simcord_env, world, settings):
    env = simcord_env
    await play_one_round(env, world.channel, world.alice, [world.alice, world.bob])
    before = await world.alice.slash(world.channel, "quiz leaderboard")
    await env.bot.close()
    await env.restart_bot(await open_bot(settings))
    after = await world.alice.slash(world.channel, "quiz leaderboard")
    assert after.response.embeds[0].description == before.response.embeds[0].description
    assert "**150**" in after.response.embeds[0].description


async def test_a_restart_mid_round_resumes_the_quiz_and_counts_every_answer_once(simcord_env, world, settings):
    """The round open at the restart goes on with its remaining time; the answer given before
    the restart counts, and so do answers given after it; nothing is lost or doubled."""
    env = simcord_env
    carol = world.guild.add_member(env.create_user("carol"))
    await world.alice.slash(world.channel, "quiz start", rounds=3, seconds=20)
    session = session_of(env, world.channel)
    game_id = session.game_id
    round1 = world.channel.last_message
    await world.alice.click(round1, custom_id=button_ids(round1)[session.question.correct])
    await env.advance_time(24)
    round2 = world.channel.last_message
    assert round2.embeds[0].title == "Round 2 of 3"
    right2 = session.question.correct
    await world.bob.click(round2, custom_id=button_ids(round2)[right2])  # before the restart: +150
    await env.advance_time(5)
    await env.bot.close()
    await env.restart_bot(await open_bot(settings))
    await env.advance_time(0)
    resumed = session_of(env, world.channel)
    assert resumed is not None and resumed is not session and resumed.game_id == game_id
    notice = world.channel.last_message
    assert notice.content.startswith("▶️ The bot is back") and "Round 2 has 15 s left" in notice.content
    assert (await only_game(world.store, game_id))[0] == "running"

    # The old round message's buttons reach the resumed game; Bob's answer is still his.
    again = await world.bob.click(round2, custom_id=button_ids(round2)[right2])
    assert again.response.content == "You already answered this round."
    late = await carol.click(round2, custom_id=button_ids(round2)[right2])
    assert "Locked in" in late.response.content
    await env.advance_time(14)
    assert message_by_id(world.channel, round2.id).embeds[0].title == "Round 2 of 3"  # 1 s left
    await env.advance_time(1)
    revealed = message_by_id(world.channel, round2.id).embeds[0]
    assert revealed.title == "Round 2 of 3: the answer"
    assert f"<@{world.bob.id}> **+150**" in revealed.fields[0].value
    assert f"<@{carol.id}> **+138**" in revealed.fields[0].value   # 5 s into the round: 100 + 38
    await env.advance_time(4 + 20)
    final = world.channel.last_message
    assert final.embeds[0].title == "🏁 Final standings"
    assert await only_game(world.store, game_id) == ("finished", 3)
    # which round each answer counted in: no store method reads quiz_answers by round
    answers = await rows(world.store, "SELECT round, user_id, points FROM quiz_answers ORDER BY round, user_id")
    assert sorted(answers) == sorted([(1, world.alice.id, 150), (2, world.bob.id, 150), (2, carol.id, 138)])
    assert await count(world.store, "quiz_pending_answers") == 0


async def test_a_round_whose_time_ran_out_while_down_closes_at_once_with_its_answers(simcord_env, world, settings):
    env = simcord_env
    await world.alice.slash(world.channel, "quiz start", rounds=2, seconds=20)
    session = session_of(env, world.channel)
    round1 = world.channel.last_message
    await world.bob.click(round1, custom_id=button_ids(round1)[session.question.correct])
    await env.bot.close()
    await env.advance_time(60)  # down for a minute: the round's 20 s are long gone
    await env.restart_bot(await open_bot(settings))
    await env.advance_time(0)
    revealed = message_by_id(world.channel, round1.id).embeds[0]
    assert revealed.title == "Round 1 of 2: the answer"
    assert f"<@{world.bob.id}> **+150**" in revealed.fields[0].value
    await env.advance_time(4)
    assert world.channel.last_message.embeds[0].title == "Round 2 of 2"
    await env.advance_time(20)
    assert await only_game(world.store, session.game_id) == ("finished", 2)
    # the round the answer counted in: no store method reads quiz_answers by round
    assert await rows(world.store, "SELECT round, user_id FROM quiz_answers") == [(1, world.bob.id)]


async def test_a_quiz_down_for_over_ten_minutes_ends_with_its_standings(simcord_env, world, settings):
    env = simcord_env
    await world.alice.slash(world.channel, "quiz start", rounds=3, seconds=20)
    session = session_of(env, world.channel)
    round1 = world.channel.last_message
    await world.bob.click(round1, custom_id=button_ids(round1)[session.question.correct])
    await env.bot.close()
    await env.advance_time(11 * 60)
    await env.restart_bot(await open_bot(settings))
    await env.advance_time(0)
    final = world.channel.last_message
    assert final.embeds[0].title == "🏁 Final standings"
    assert "more than 10 minutes" in final.embeds[0].description
    assert f"1. <@{world.bob.id}>: **150** points" in final.embeds[0].description
    assert session_of(env, world.channel) is None
    assert await only_game(world.store, session.game_id) == ("interrupted", 1)
    assert await player_totals(world.store, world.guild.id) == {world.bob.id: (1, 1, 150)}
    await env.advance_time(60)
    assert world.channel.last_message.id == final.id  # the old game posts nothing more
    assert not (await world.bob.slash(world.channel, "quiz start", rounds=1, seconds=10)).ephemeral


async def test_a_quiz_whose_channel_is_gone_ends_at_the_next_start(simcord_env, world, settings):
    env = simcord_env
    store = world.store
    question = Question("year_of_song:1", "year_of_song", (Name("1"), Name("2"), Name("3"), Name("4")), 0, ("1",))
    state = QuizSession(0, world.guild.id, 424242, world.alice.id, "buttons", 20, "any", [question]).snapshot()
    game = await store.quiz.create_game(guild_id=world.guild.id, channel_id=424242, started_by=world.alice.id,
                                        mode="buttons", topic="any", rounds=1, seconds=20, now=env.now(),
                                        questions=encode_questions([question]), state=state)
    await env.bot.close()
    await env.restart_bot(await open_bot(settings))
    await env.advance_time(0)
    assert (await game_state(world.store, game))[0] == "interrupted"
    assert env.errors == []


async def test_buttons_of_an_interrupted_quiz_answer_kindly(simcord_env, world, settings):
    """A game the store marked interrupted while the bot was down (one that could not be resumed) is not
    resumed; a click on its buttons says so and points to `/quiz start`."""
    env = simcord_env
    await world.alice.slash(world.channel, "quiz start", rounds=3, seconds=20)
    game_id = session_of(env, world.channel).game_id
    round1 = world.channel.last_message
    await env.bot.close()
    store = await Store.open(settings.database)
    try:
        async with store.transaction() as tx:
            await tx.execute("UPDATE quiz_games SET status = 'interrupted'")
    finally:
        await store.close()
    await env.restart_bot(await open_bot(settings))
    await env.advance_time(0)
    assert session_of(env, world.channel) is None
    assert (await only_game(world.store, game_id))[0] == "interrupted"
    clicked = await world.bob.click(message_by_id(world.channel, round1.id), custom_id=button_ids(round1)[0])
    assert clicked.ephemeral and clicked.response.content == (
        "This quiz was interrupted when the bot restarted. Start a new one with `/quiz start`.")


# -- Korean ------------------------------------------------------------------------------------

async def test_korean_server_sees_korean_text_and_hangul_names_first(simcord_env, world, monkeypatch):
    env = simcord_env
    stay = await world.store.catalog.song_by_key("stay-with-me")
    only_keys(monkeypatch, lambda q: q.key == f"drama_of_song:{stay.id}")
    await world.store.guilds.update(world.guild.id, language="ko")
    start = await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=10)
    assert start.response.embeds[0].title == "🎵 OST 퀴즈"
    round1 = world.channel.last_message
    assert round1.embeds[0].title == "1라운드 중 1라운드"
    assert "도깨비 (Goblin)" in [b.label for b in buttons(round1)]
    session = session_of(env, world.channel)
    locked = await world.bob.click(round1, custom_id=button_ids(round1)[session.question.correct])
    assert locked.response.content.startswith("🔒 '**도깨비 (Goblin)**'로")
    await env.advance_time(10)
    assert "정답: **도깨비 (Goblin)**" in message_by_id(world.channel, round1.id).embeds[0].description
    assert world.channel.last_message.embeds[0].title == "🏁 최종 순위"
    board = await world.alice.slash(world.channel, "quiz leaderboard", period="week")
    assert board.response.embeds[0].title == "🏆 퀴즈 순위: 최근 7일"


async def test_empty_leaderboard(simcord_env, world):
    board = await world.alice.slash(world.channel, "quiz leaderboard", period="month")
    assert board.response.embeds[0].description == (
        "No quiz results for the last 30 days yet. Start one with `/quiz start`!")


async def test_no_quiz_where_the_bot_cannot_post(simcord_env, world):
    env = simcord_env
    muted = world.guild.create_text_channel("muted", overwrites={
        env.bot.user: discord.PermissionOverwrite(send_messages=False)})
    refused = await world.alice.slash(muted, "quiz start")
    assert refused.ephemeral and "send_messages" in refused.response.content
    assert len(env.errors) == 1
    assert await count(world.store, "quiz_games") == 0


async def test_typed_lead_actor_answers_take_the_hangul_name(simcord_env, world, monkeypatch):
    """`손예진` is Son Ye-jin (and 현빈 Hyun Bin), typed in a lead-actor round."""
    env = simcord_env
    drama = (await world.store.catalog.song_by_key("here-i-am-again")).drama
    assert drama.key == "crash-landing-on-you"
    drama_id = drama.id
    only_keys(monkeypatch, lambda q: q.key == f"lead_actor:{drama_id}")
    carol = world.guild.add_member(env.create_user("carol"))
    await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=30, mode="typed", topic="actors")
    round1 = world.channel.last_message
    for member, text in {world.alice: "손예진", world.bob: "현빈", carol: "송혜교"}.items():
        shown = await member.click(round1, label="Answer")
        await member.submit_modal(shown, {"answer": text})
    await env.advance_time(30)
    revealed = message_by_id(world.channel, round1.id).embeds[0]
    winners = revealed.fields[0].value
    assert f"<@{world.alice.id}>" in winners and f"<@{world.bob.id}>" in winners
    assert f"<@{carol.id}>" not in winners
    # Either lead is right, and the reveal names both (whichever was the question's option).
    answer_lines = revealed.description.split("\n\n", 1)[1]
    assert "**Hyun Bin**" in answer_lines and "**Son Ye-jin**" in answer_lines
    assert "Also right:" in answer_lines


async def test_a_new_process_leaves_a_quiz_its_live_owner_plays_and_takes_it_over_once_it_stops(
        simcord_env, world, settings):
    """A rolling deploy starts the new process while the old one still plays (README): the new one must not
    play the same quiz too. Once the old process stops and leaves the fleet table, the new one's next
    heartbeat takes the quiz over."""
    env = simcord_env
    await world.alice.slash(world.channel, "quiz start", rounds=3, seconds=20)
    game_id = session_of(env, world.channel).game_id
    now = env.now()
    await world.store.fleet.heartbeat(host="old", pid=1, shard_count=None, shard_ids="", guilds=1, version="old",
                                      started_at=now, now=now)  # the old process, alive
    old_token = world.store.token
    await env.bot.close()  # (a process without heartbeats of its own keeps the row written above)
    await env.restart_bot(await open_bot(settings))
    await env.advance_time(0)
    new = env.bot.store
    assert [process.id for process in await new.fleet.processes()] == [old_token]
    assert session_of(env, world.channel) is None  # not resumed: its owner is alive
    assert await count(new, "quiz_games") == 1
    assert [(game.game_id, game.owner) for game in await new.quiz.running_games()] == [(game_id, old_token)]

    # the old process stops and leaves the fleet table (its own fleet.forget(); its store is closed)
    async with new.transaction() as tx:
        await tx.execute("DELETE FROM processes WHERE id = ?", (old_token,))
    # What the heartbeat loop's `dispatch("fleet_beat")` runs after each beat (awaited here: a task the
    # test body dispatches itself is not one SimCord waits for).
    await env.bot.get_cog("Quiz").on_fleet_beat()
    await env.advance_time(0)
    resumed = session_of(env, world.channel)
    assert resumed is not None and resumed.game_id == game_id
    assert [(game.game_id, game.owner) for game in await new.quiz.running_games()] == [(game_id, new.token)]


async def test_answer_clicks_are_routed_by_custom_id_once_and_kindly_when_the_quiz_is_unloaded(simcord_env, world):
    """Answer options are plain buttons routed to the cog by custom id (a listener of the quiz
    extension): one listener however often the extension is reloaded, and a click while the quiz is
    unloaded gets the friendly private message, not silence."""
    from bot.cogs.quiz._routing import route_by_custom_id

    env = simcord_env
    await world.alice.slash(world.channel, "quiz start", rounds=2, seconds=20)
    message = world.channel.last_message
    ids = button_ids(message)
    await env.bot.reload_extension("bot.cogs.quiz")
    routes = [f for f in env.bot.extra_events.get("on_interaction", []) if f.__name__ == route_by_custom_id.__name__]
    assert len(routes) == 1
    await env.bot.unload_extension("bot.cogs.quiz")
    assert not [f for f in env.bot.extra_events.get("on_interaction", [])
                if f.__name__ == route_by_custom_id.__name__]
    await env.bot.load_extension("bot.cogs.quiz")
    await env.bot.remove_cog("Quiz")  # the listener stays, the cog is gone (as while the bot closes)
    gone = await world.bob.click(message, custom_id=ids[0])
    assert gone.ephemeral and gone.response.content.startswith("Something went wrong on my side")
    assert not gone.followups


async def test_a_store_that_hangs_on_an_answer_does_not_hold_the_reply_past_discords_deadline(
        simcord_env, world, monkeypatch, caplog):
    """The answer is written before the receipt, but a click waits for its write at most KEEP_WAIT
    seconds (Discord drops a reply after 3): then the player is told "locked in" (it counts in this
    process) and the write is made again in the background, before the round is recorded."""
    import asyncio

    from bot.cogs.quiz._answers import AnswerWrites

    env = simcord_env
    await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=20)
    session = session_of(env, world.channel)
    message = world.channel.last_message
    ids = button_ids(message)
    repo = env.bot.store.quiz
    real = repo.add_answer
    calls = []

    async def slow_once(game_id, round_number, answer):
        calls.append(env.bot.loop.time())
        if len(calls) == 1:
            await asyncio.sleep(10 * AnswerWrites.KEEP_WAIT)  # a store that hangs (stopped at the deadline)
        await real(game_id, round_number, answer)

    monkeypatch.setattr(repo, "add_answer", slow_once)
    receipt = await world.bob.click(message, custom_id=ids[session.question.correct])
    assert receipt.ephemeral and "Locked in" in receipt.response.content
    assert len(calls) == 2 and calls[1] - calls[0] == pytest.approx(AnswerWrites.KEEP_WAIT, abs=0.05)
    assert "written in the background" in caplog.text
    assert await count(world.store, "quiz_pending_answers") == 1
    await env.advance_time(20)
    assert await count(world.store, "quiz_answers") == 1
