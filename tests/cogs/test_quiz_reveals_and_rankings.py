"""The quiz through SimCord: every right answer accepted when typed and named at the reveal, a quiz
shorter than asked says so when it starts, a fact shown after its round, and /quiz leaderboard and
/quiz stats (by wins or correct answers; accuracy by topic, best streak, wins)."""

from __future__ import annotations

import random

import pytest

import bot.quiz.questions as questions_module
from tests.cogs.quiz_helpers import button_ids, message_by_id, player_totals, rows, session_of
from tests.cogs.test_quiz import only_keys
from tests.limits import assert_message_limits

pytestmark = pytest.mark.both_engines


async def test_typed_duet_accepts_either_singer_and_the_reveal_names_both(simcord_env, world, monkeypatch):
    """Stay with Me is sung by Punch and Chanyeol; typed in, each is right."""
    env = simcord_env
    stay = await world.store.catalog.song_by_key("stay-with-me")
    only_keys(monkeypatch, lambda q: q.key == f"artist_of_song:{stay.id}")
    carol = world.guild.add_member(env.create_user("carol"))
    await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=30, mode="typed", topic="singers")
    round1 = world.channel.last_message
    for member, text in {world.alice: "punch", world.bob: "찬열", carol: "Ailee"}.items():
        shown = await member.click(round1, label="Answer")
        await member.submit_modal(shown, {"answer": text})
    await env.advance_time(30)
    revealed = message_by_id(world.channel, round1.id).embeds[0]
    totals = await player_totals(world.store, world.guild.id)
    stored = {user: correct for user, (answers, correct, _) in totals.items() if answers == 1}
    assert stored == {world.alice.id: 1, world.bob.id: 1, carol.id: 0}
    answer_lines = revealed.description.split("\n\n", 1)[1]
    assert "**Chanyeol**" in answer_lines and "**Punch**" in answer_lines


async def test_a_quiz_with_fewer_questions_than_rounds_says_so_at_the_start(simcord_env, world):
    env = simcord_env
    pool = await world.store.quiz.question_pool(world.guild.id)
    years = len(questions_module.candidate_questions(pool, ["year_of_song"], random.Random(1)))
    assert 1 < years < 20
    start = await world.alice.slash(world.channel, "quiz start", rounds=20, seconds=10, topic="years")
    body = start.response.embeds[0].description
    assert f"**{years}** rounds" in body
    assert (f"Only **{years}** rounds instead of 20: the catalog has {years} questions on release years."
            in body)
    assert session_of(env, world.channel).total_rounds == years
    await world.alice.slash(world.channel, "quiz stop")
    await env.advance_time(30)

    await world.store.guilds.update(world.guild.id, language="ko")
    korean = await world.alice.slash(world.channel, "quiz start", rounds=20, seconds=10, topic="years")
    assert (f"20라운드 대신 **{years}**라운드만 진행해요: 카탈로그에 발매 연도 문제가 {years}개뿐이에요."
            in korean.response.embeds[0].description)
    await world.alice.slash(world.channel, "quiz stop")
    await env.advance_time(30)
    # As many rounds as asked: no such line.
    full = await world.alice.slash(world.channel, "quiz start", rounds=2, seconds=10, topic="years")
    assert "대신" not in full.response.embeds[0].description


# -- /quiz leaderboard by wins or correct answers, /quiz stats by topic ---------------------------

async def one_round(env, channel, starter, topic, right, wrong=()):
    """A 1-round quiz of `topic`: the members in `right` answer right at once (in that order), those in
    `wrong` answer wrong; then time runs out and the quiz finishes."""
    await starter.slash(channel, "quiz start", rounds=1, seconds=10, topic=topic)
    session = session_of(env, channel)
    message = channel.last_message
    ids = button_ids(message)
    for member in right:
        await member.click(message, custom_id=ids[session.question.correct])
        await env.advance_time(2)
    for member in wrong:
        await member.click(message, custom_id=ids[(session.question.correct + 1) % 4])
    await env.advance_time(10)
    assert session_of(env, channel) is None


async def test_leaderboard_by_wins_and_correct_answers_and_stats_by_topic(simcord_env, world):
    env = simcord_env
    alice, bob = world.alice, world.bob
    await one_round(env, world.channel, alice, "years", right=[alice, bob])   # Alice first: her win
    await one_round(env, world.channel, alice, "actors", right=[bob], wrong=[alice])
    await one_round(env, world.channel, alice, "actors", right=[bob, alice])
    # A stopped quiz has no winner, though its points count.
    await alice.slash(world.channel, "quiz start", rounds=3, seconds=10, topic="years")
    session = session_of(env, world.channel)
    await alice.click(world.channel.last_message, custom_id=button_ids(world.channel.last_message)[
        session.question.correct])
    await alice.slash(world.channel, "quiz stop")
    await env.advance_time(15)
    # every game's status in order of play: this test does not keep the games' ids for store.quiz.game
    assert await rows(world.store, "SELECT status FROM quiz_games ORDER BY id") == [
        ("finished",), ("finished",), ("finished",), ("stopped",)]

    by_wins = await alice.slash(world.channel, "quiz leaderboard", by="wins")
    embed = by_wins.response.embeds[0]
    assert_message_limits(by_wins.response)
    assert embed.title == "🏆 Quiz leaderboard: all time, by wins"
    lines = embed.description.splitlines()
    assert lines[0].startswith(f"1. <@{bob.id}>: **2** wins · ")
    assert lines[1].startswith(f"2. <@{alice.id}>: **1** win · ")
    assert "quiz played to its end" in embed.footer.text

    by_correct = await alice.slash(world.channel, "quiz leaderboard", by="correct", period="week")
    lines = by_correct.response.embeds[0].description.splitlines()
    assert lines[0].startswith(f"1. <@{bob.id}>: **3** correct of 3 · accuracy 100%")
    assert lines[1].startswith(f"2. <@{alice.id}>: **3** correct of 4 · accuracy 75%")
    by_points = await alice.slash(world.channel, "quiz leaderboard")
    assert by_points.response.embeds[0].title == "🏆 Quiz leaderboard: all time"  # points: the default

    stats = await alice.slash(world.channel, "quiz stats")
    fields = {f.name: f.value for f in stats.response.embeds[0].fields}
    assert fields["Wins"] == "1" and fields["Best streak"] == "1"
    assert fields["Accuracy by topic"].splitlines() == [
        "release years: **100%** (2 of 2)", "lead actors: **50%** (1 of 2)"]
    assert_message_limits(stats.response)

    await world.store.guilds.update(world.guild.id, language="ko")
    korean = await alice.slash(world.channel, "quiz leaderboard", by="wins")
    embed = korean.response.embeds[0]
    assert embed.title == "🏆 퀴즈 순위: 전체 기간, 우승 기준"
    assert embed.description.splitlines()[0].startswith(f"1. <@{bob.id}>: **2**승")
    assert "동점이면 모두 우승" in embed.footer.text
    mine = await alice.slash(world.channel, "quiz stats")
    fields = {f.name: f.value for f in mine.response.embeds[0].fields}
    assert fields["우승"] == "1"
    assert fields["주제별 정답률"].splitlines()[0] == "발매 연도: **100%** (2문제 중 2개)"


# -- "Did you know?" after a clue -----------------------------------------------------------------

async def clue_round(env, world, monkeypatch, song_key):
    song = await world.store.catalog.song_by_key(song_key)
    only_keys(monkeypatch, lambda q: q.kind == "song_from_fact" and q.song_id == song.id)
    await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=10, topic="facts")
    round1 = world.channel.last_message
    clue = session_of(env, world.channel).question.clue
    await env.advance_time(10)
    return song, clue, message_by_id(world.channel, round1.id).embeds[0]


async def test_did_you_know_after_a_clue_adds_another_fact_of_the_song(simcord_env, world, monkeypatch):
    song, clue, revealed = await clue_round(simcord_env, world, monkeypatch, "stay-with-me")
    fact = next(f.value for f in revealed.fields if f.name == "Did you know?")
    told = fact.split("\n-# ")[0]
    assert told in {f.text for f in song.facts} and told != clue and "＿" not in told
    assert "**Stay with Me**" in revealed.description


async def test_a_clue_about_a_song_with_one_fact_stands_alone(simcord_env, world, monkeypatch):
    """Christmas Tree has a single fact: its clue round has no "Did you know?" rather than the clue
    again; the clue's article is still named."""
    song, clue, revealed = await clue_round(simcord_env, world, monkeypatch, "christmas-tree")
    assert len(song.facts) == 1 and "Billboard" in clue
    assert "Did you know?" not in [f.name for f in revealed.fields]
    assert "-# Clue from “Enjoy Love Ballads with The Top 10 Romantic OSTs from K-dramas”" in revealed.description
