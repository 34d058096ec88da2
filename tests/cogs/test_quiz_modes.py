"""The quiz through SimCord, as players use it: hints and skips by vote, elimination, teams, the options
Discord validates and the combinations refused, blank typed answers, and a quiz ending early saying why."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.app import open_bot
from bot.pictures import Entry, Standings, Team, render
from bot.pictures import standings as standings_picture
from bot.quiz.game import JOIN_SECONDS
from tests.cogs.quiz_helpers import button_ids, count, message_by_id, only_game, player_totals, rows, session_of
from tests.cogs.test_quiz import buttons, only_keys
from tests.limits import assert_message_limits

pytestmark = pytest.mark.both_engines


async def type_answer(member, message, text):
    shown = await member.click(message, label="Answer")
    return await member.submit_modal(shown, {"answer": text})


async def picture_bytes(message, name: str) -> bytes:
    """The picture `message` shows in its embed (its one attachment, named `name`)."""
    assert [a.filename for a in message.attachments] == [name]
    assert message.embeds[0].image.url in (f"attachment://{name}", message.attachments[0].url)
    return await message.attachments[0].read()


async def test_a_hint_uncovers_letters_and_costs_points(simcord_env, world, monkeypatch):
    env = simcord_env
    stay = await world.store.catalog.song_by_key("stay-with-me")
    only_keys(monkeypatch, lambda q: q.key == f"drama_of_song:{stay.id}")
    await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=30, mode="typed")
    round1 = world.channel.last_message
    assert "each hint takes 25 points off" in round1.embeds[0].description
    # Nobody has answered yet in this game: the starter may ask on their own (/quiz hint works too).
    hinted = await world.alice.slash(world.channel, "quiz hint")
    assert hinted.ephemeral and "Hint 1 is up" in hinted.response.content
    shown = message_by_id(world.channel, round1.id)
    assert_message_limits(shown)
    assert "💡 Hint 1/3: **G＿＿＿＿＿**" in shown.embeds[0].description
    assert [b.label for b in buttons(shown)] == ["Answer", "Hint (1/3)", "Skip"]

    await type_answer(world.alice, shown, "Goblin")
    await env.advance_time(30)
    revealed = message_by_id(world.channel, round1.id).embeds[0]
    assert f"<@{world.alice.id}> **+125**" in revealed.fields[0].value  # 100 - 25 + 50 (instant)
    assert any("1 hint given: −25 points" in f.value for f in revealed.fields)
    assert await player_totals(world.store, world.guild.id) == {world.alice.id: (1, 1, 125)}


async def test_hints_and_skips_need_a_majority_or_the_starter(simcord_env, world):
    env = simcord_env
    carol = world.guild.add_member(env.create_user("carol"))
    dave = world.guild.add_member(env.create_user("dave"))
    await world.alice.slash(world.channel, "quiz start", rounds=3, seconds=20, mode="typed")
    game_id = session_of(env, world.channel).game_id
    round1 = world.channel.last_message
    for member in (world.alice, world.bob, carol):  # three players in this game
        await type_answer(member, round1, "not it")
    await env.advance_time(24)
    round2 = world.channel.last_message
    assert round2.embeds[0].title == "Round 2 of 3"
    hint_id, skip_id = f"quiz:h:{game_id}:2", f"quiz:s:{game_id}:2"

    vote = await carol.click(round2, custom_id=hint_id)
    assert vote.ephemeral and vote.response.content == "Your vote for a hint counts: 1 of 2 needed."
    again = await carol.click(round2, custom_id=hint_id)
    assert again.response.content == "You already asked for this hint (1 of 2 votes)."
    outsider = await dave.click(round2, custom_id=hint_id)
    assert "Only players who have answered" in outsider.response.content
    assert "💡 Hint" not in message_by_id(world.channel, round2.id).embeds[0].description  # not yet
    given = await world.bob.click(round2, custom_id=hint_id)
    assert "Hint 1 is up" in given.response.content
    assert "💡 Hint 1/3" in message_by_id(world.channel, round2.id).embeds[0].description

    assert (await carol.click(round2, custom_id=skip_id)).response.content == (
        "Your vote to skip counts: 1 of 2 needed.")
    assert "already voted" in (await carol.click(round2, custom_id=skip_id)).response.content
    assert message_by_id(world.channel, round2.id).embeds[0].title == "Round 2 of 3"
    skipped = await world.bob.click(round2, custom_id=skip_id)
    assert not skipped.ephemeral and "The round is skipped" in skipped.response.content
    assert f"<@{world.bob.id}> made it a majority" in skipped.response.content
    await env.advance_time(0)
    revealed = message_by_id(world.channel, round2.id)
    assert revealed.embeds[0].title == "Round 2 of 3: the answer"  # at once, not after the 20 s
    assert any("Skipped by the players" in f.value for f in revealed.embeds[0].fields)
    assert all(b.disabled for b in buttons(revealed)) and len(buttons(revealed)) == 1

    await env.advance_time(4)
    round3 = world.channel.last_message
    assert round3.embeds[0].title == "Round 3 of 3"
    alone = await world.alice.click(round3, custom_id=f"quiz:s:{game_id}:3")  # the starter decides alone
    assert not alone.ephemeral
    assert alone.response.content.startswith(f"⏭️ <@{world.alice.id}> skipped the round (as the quiz's starter")
    await env.advance_time(0)
    assert world.channel.last_message.embeds[0].title == "🏁 Final standings"
    assert await only_game(world.store, game_id) == ("finished", 3)


async def test_a_hint_in_a_buttons_quiz_is_refused_kindly(simcord_env, world):
    await world.alice.slash(world.channel, "quiz start", rounds=2, seconds=20)
    refused = await world.bob.slash(world.channel, "quiz hint")
    assert refused.ephemeral and "Hints are for typed rounds" in refused.response.content


async def test_elimination_until_the_last_player_standing(simcord_env, world):
    env = simcord_env
    carol = world.guild.add_member(env.create_user("carol"))
    await world.alice.slash(world.channel, "quiz start", rounds=6, seconds=10, style="elimination", lives=2)
    start = world.channel.history()[-2] if len(world.channel.history()) > 1 else None
    assert start is not None and "everyone starts with **2** lives" in start.embeds[0].description
    session = session_of(env, world.channel)
    round1 = world.channel.last_message
    ids = button_ids(round1)
    right, wrong = session.question.correct, (session.question.correct + 1) % 4
    await world.alice.click(round1, custom_id=ids[right])
    await world.bob.click(round1, custom_id=ids[wrong])
    await carol.click(round1, custom_id=ids[right])
    await env.advance_time(10)
    notes = message_by_id(world.channel, round1.id).embeds[0].fields
    assert any(f"💔 Lost a life: <@{world.bob.id}>" in f.value for f in notes)
    await env.advance_time(4)

    round2 = world.channel.last_message
    assert f"<@{world.bob.id}> ❤️1" in round2.embeds[0].fields[0].value  # who is still standing, with lives
    ids = button_ids(round2)
    right, wrong = session.question.correct, (session.question.correct + 1) % 4
    await world.alice.click(round2, custom_id=ids[right])
    await world.bob.click(round2, custom_id=ids[wrong])   # his last life
    await env.advance_time(10)                            # carol misses: 1 life left
    await env.advance_time(4)

    round3 = world.channel.last_message
    ids = button_ids(round3)
    out = await world.bob.click(round3, custom_id=ids[0])
    assert out.ephemeral and "out of lives" in out.response.content
    newcomer = await world.admin.click(round3, custom_id=ids[0])
    assert "cannot take new players" in newcomer.response.content
    await world.alice.click(round3, custom_id=ids[session.question.correct])
    await carol.click(round3, custom_id=ids[(session.question.correct + 1) % 4])  # carol's last life
    await env.advance_time(10)
    revealed = message_by_id(world.channel, round3.id).embeds[0]
    assert revealed.footer.text == "Only one player is left standing: final standings below."
    final = world.channel.last_message.embeds[0]
    assert final.title == "🏁 Final standings"
    lines = final.description.splitlines()
    assert f"Last player standing: <@{world.alice.id}>" in final.description
    assert lines[-3].startswith(f"1. <@{world.alice.id}>") and lines[-3].endswith("❤️ 2")
    assert lines[-2].startswith(f"2. <@{carol.id}>") and lines[-2].endswith(" · out")
    assert lines[-1].startswith(f"3. <@{world.bob.id}>") and lines[-1].endswith(" · out")
    # the picture: the podium with the lives left, drawn from the same standings and the names seen
    totals = await player_totals(world.store, world.guild.id)
    expected = Standings(world.guild.name, "en", "elimination", tuple(
        Entry(rank, member.name, member.id, totals[member.id][2], correct=totals[member.id][1],
              answered=totals[member.id][0], lives=lives)
        for rank, (member, lives) in enumerate(((world.alice, 2), (carol, 0), (world.bob, 0)), 1)))
    assert await picture_bytes(world.channel.last_message, "standings.png") == render(expected)
    # the game's style and lives as stored: store.quiz.game does not read them
    assert await rows(world.store, "SELECT status, rounds_played, style, lives FROM quiz_games") == [
        ("finished", 3, "elimination", 2)]


async def test_teams_pick_with_buttons_or_join_and_points_add_up(simcord_env, world):
    env = simcord_env
    carol = world.guild.add_member(env.create_user("carol"))
    await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=10, style="teams", teams=2)
    picking = world.channel.last_message
    assert picking.embeds[0].title == "👥 Pick your team"
    assert [b.label for b in buttons(picking)] == ["🔴 Red", "🔵 Blue"]
    game_id = session_of(env, world.channel).game_id
    joined = await world.alice.click(picking, custom_id=f"quiz:j:{game_id}:0")
    assert joined.ephemeral and joined.response.content == "You joined 🔴 Red."
    await world.bob.click(picking, custom_id=f"quiz:j:{game_id}:1")
    by_command = await carol.slash(world.channel, "quiz join", team=2)
    assert by_command.response.content == "You joined 🔵 Blue."
    no_team = await carol.slash(world.channel, "quiz join", team=4)
    assert "no such team" in no_team.response.content
    assert f"<@{carol.id}>" in message_by_id(world.channel, picking.id).embeds[0].fields[1].value

    await env.advance_time(JOIN_SECONDS)
    round1 = world.channel.last_message
    assert round1.embeds[0].title == "Round 1 of 1"
    assert all(b.disabled for b in buttons(message_by_id(world.channel, picking.id)))
    session = session_of(env, world.channel)
    ids = button_ids(round1)
    right, wrong = session.question.correct, (session.question.correct + 1) % 4
    for member in (world.alice, world.bob, world.admin):  # the admin has no team: joins Red (the smaller)
        await member.click(round1, custom_id=ids[right])
    await carol.click(round1, custom_id=ids[wrong])
    locked = await world.alice.slash(world.channel, "quiz join", team=2)
    assert "cannot change teams" in locked.response.content
    await env.advance_time(10)
    final = world.channel.last_message.embeds[0]
    assert_message_limits(world.channel.last_message)
    text = final.description
    assert "1. 🔴 Red: **300** points (2 correct)" in text
    assert "2. 🔵 Blue: **150** points (1 correct)" in text
    red, blue = text.split("2. 🔵 Blue")
    assert f"<@{world.alice.id}>" in red and f"<@{world.admin.id}>" in red
    assert f"<@{world.bob.id}>" in blue and f"<@{carol.id}>" in blue
    image = Image.open(io.BytesIO(await picture_bytes(world.channel.last_message, "standings.png")))
    two = Team(0, 0, 0, (Entry(1, "", 1, 0), Entry(2, "", 2, 0)))
    assert image.height == standings_picture.height(Standings("", "en", "teams", (), (two, two)))  # two teams of two


async def test_option_combinations_are_refused_clearly(simcord_env, world):
    env = simcord_env
    one = await world.alice.slash(world.channel, "quiz start", rounds=1, style="elimination")
    assert one.ephemeral and "needs at least 2 rounds" in one.response.content
    lives = await world.alice.slash(world.channel, "quiz start", lives=3)
    assert lives.ephemeral and "`lives` is for the elimination style" in lives.response.content
    teams = await world.alice.slash(world.channel, "quiz start", style="elimination", teams=3)
    assert teams.ephemeral and "`teams` is for the teams style" in teams.response.content
    assert len(env.errors) == 3
    assert await count(world.store, "quiz_games") == 0
    # Discord itself refuses values out of range (app_commands.Range): the command never runs.
    options = {o.name: o for o in env.bot.tree.get_command("quiz").get_command("start").parameters}
    assert (options["lives"].min_value, options["lives"].max_value) == (1, 10)
    assert (options["teams"].min_value, options["teams"].max_value) == (2, 4)
    assert [c.value for c in options["style"].choices] == ["classic", "elimination", "teams"]


async def test_a_blank_typed_answer_is_refused_not_locked_in(simcord_env, world):
    env = simcord_env
    await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=30, mode="typed")
    round1 = world.channel.last_message
    blank = await type_answer(world.bob, round1, "\u200b \u3164\u2800")
    assert blank.ephemeral and "That answer is empty" in blank.response.content
    real = await type_answer(world.bob, round1, "something")
    assert "Locked in" in real.response.content
    await env.advance_time(30)
    totals = await player_totals(world.store, world.guild.id)
    assert {user: answers for user, (answers, _, _) in totals.items()} == {world.bob.id: 1}


async def test_a_stopped_quiz_never_says_that_was_the_last_round(simcord_env, world):
    env = simcord_env
    await world.alice.slash(world.channel, "quiz start", rounds=5, seconds=20)
    round1 = world.channel.last_message
    await world.alice.slash(world.channel, "quiz stop")
    await env.advance_time(0)
    footer = message_by_id(world.channel, round1.id).embeds[0].footer.text
    assert footer == "The quiz was stopped: final standings below."
    assert "last round" not in footer


async def test_korean_texts_for_hints_and_teams(simcord_env, world, monkeypatch):
    env = simcord_env
    stay = await world.store.catalog.song_by_key("stay-with-me")
    only_keys(monkeypatch, lambda q: q.key == f"drama_of_song:{stay.id}")
    await world.store.guilds.update(world.guild.id, language="ko")
    await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=30, mode="typed")
    round1 = world.channel.last_message
    assert [b.label for b in buttons(round1)] == ["답하기", "힌트 (0/3)", "건너뛰기"]
    await world.alice.slash(world.channel, "quiz hint")
    assert "💡 힌트 1/3: **도＿＿**" in message_by_id(world.channel, round1.id).embeds[0].description
    await env.advance_time(30)
    await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=10, style="teams", teams=3)
    picking = world.channel.last_message
    assert [b.label for b in buttons(picking)] == ["🔴 빨강 팀", "🔵 파랑 팀", "🟢 초록 팀"]


async def test_an_elimination_quiz_keeps_lives_and_teams_their_members_over_a_restart(simcord_env, world, settings):
    """A faithful restart (a new bot on the same database) in the middle of an elimination round and
    during a team game's picking: lives, answers and team members come back."""
    env = simcord_env
    await world.alice.slash(world.channel, "quiz start", rounds=4, seconds=20, style="elimination", lives=2)
    session = session_of(env, world.channel)
    round1 = world.channel.last_message
    ids = button_ids(round1)
    await world.alice.click(round1, custom_id=ids[session.question.correct])
    await world.bob.click(round1, custom_id=ids[(session.question.correct + 1) % 4])
    await env.advance_time(24)
    round2 = world.channel.last_message
    await world.bob.click(round2, custom_id=button_ids(round2)[(session.question.correct + 1) % 4])  # his last life
    await env.advance_time(2)

    await env.bot.close()
    await env.restart_bot(await open_bot(settings))
    await env.advance_time(0)
    resumed = session_of(env, world.channel)
    assert resumed.players[world.bob.id].lives == 1 and resumed.has_answered(world.bob.id)
    await world.alice.click(round2, custom_id=button_ids(round2)[resumed.question.correct])
    await env.advance_time(18)
    assert "Only one player is left standing" in message_by_id(world.channel, round2.id).embeds[0].footer.text
    assert f"Last player standing: <@{world.alice.id}>" in world.channel.last_message.embeds[0].description

    other = world.guild.create_text_channel("teams")
    await world.alice.slash(other, "quiz start", rounds=1, seconds=10, style="teams")
    game_id = session_of(env, other).game_id
    picking = other.last_message
    await world.bob.click(picking, custom_id=f"quiz:j:{game_id}:1")
    await env.advance_time(5)
    await env.bot.close()
    await env.restart_bot(await open_bot(settings))
    await env.advance_time(0)
    assert session_of(env, other).players[world.bob.id].team == 1
    joined = await world.alice.click(picking, custom_id=f"quiz:j:{game_id}:0")  # the old message still works
    assert joined.response.content == "You joined 🔴 Red."
    assert f"<@{world.alice.id}>" in message_by_id(other, picking.id).embeds[0].fields[0].value  # and shows it
    await env.advance_time(JOIN_SECONDS - 5)
    assert other.last_message.embeds[0].title == "Round 1 of 1"  # the picking went on for its 15 s left
    assert all(b.disabled for b in buttons(message_by_id(other, picking.id)))  # and then closed, as without one
