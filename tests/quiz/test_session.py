"""The round/session state machine, without Discord or storage, and its rules: hints, skips, elimination,
teams, blank answers."""

from __future__ import annotations

import pytest

from bot.quiz.matching import is_blank
from bot.quiz.scoring import HINT_COST, MAX_HINTS
from bot.quiz.session import EndReason, Join, Outcome, SessionRegistry, Vote
from tests.quiz.helpers import session


def test_one_answer_per_member_per_round_and_closed_rounds():
    s = session()
    s.open_round(100.0)
    assert s.answer_option(10, 1, 1, 100.0) is Outcome.LOCKED
    assert s.answer_option(10, 1, 0, 101.0) is Outcome.ALREADY
    assert s.answer_option(11, 2, 1, 101.0) is Outcome.CLOSED   # not this round
    assert s.answer_option(11, 1, 7, 101.0) is Outcome.CLOSED   # no such option
    result = s.close_round()
    assert [a.user_id for a in result.winners] == [10]
    assert result.winners[0].points.total == 150
    assert s.answer_option(12, 1, 1, 102.0) is Outcome.CLOSED


def test_streaks_speed_and_standings():
    s = session(3)
    s.open_round(0.0)
    s.answer_option(10, 1, 1, 0.0)      # right, instantly: 150
    s.answer_option(11, 1, 0, 1.0)      # wrong
    s.close_round()
    s.open_round(30.0)
    s.answer_option(10, 2, 1, 40.0)     # right after 10 s, streak 2: 100 + 25 + 10
    s.answer_option(11, 2, 1, 30.0)     # right, instantly: 150
    s.close_round()
    s.open_round(60.0)                  # 10 misses this round: streak broken
    s.answer_option(11, 3, 1, 80.0)     # right at the deadline, streak 2: 100 + 0 + 10
    result = s.close_round()
    assert result.answers[0].streak == 2
    alice, bob = s.players[10], s.players[11]
    assert (alice.points, alice.correct, alice.answered, alice.streak, alice.best_streak) == (285, 2, 2, 0, 2)
    assert (bob.points, bob.correct, bob.answered, bob.best_streak) == (260, 2, 3, 2)
    assert [p.user_id for p in s.standings()] == [10, 11]
    assert s.end_reason is EndReason.FINISHED and s.over


def test_two_empty_rounds_end_the_quiz():
    s = session(5)
    s.open_round(0.0)
    s.close_round()
    assert not s.over
    s.open_round(1.0)
    s.answer_option(10, 2, 0, 1.0)
    s.close_round()
    s.open_round(2.0)
    s.close_round()
    assert not s.over
    s.open_round(3.0)
    s.close_round()
    assert s.end_reason is EndReason.IDLE


def test_typed_answers_use_the_accepted_names():
    s = session(1, mode="typed")
    s.open_round(0.0)
    assert s.answer_text(10, 1, "브라보", 1.0) is Outcome.LOCKED
    assert s.answer_text(11, 1, "bread", 1.0) is Outcome.LOCKED
    assert s.answer_text(10, 1, "bravo", 1.0) is Outcome.ALREADY
    result = s.close_round()
    assert [(a.user_id, a.correct) for a in result.answers] == [(10, True), (11, False)]


def test_stop_ends_after_the_round_in_progress():
    s = session(3)
    s.open_round(0.0)
    s.stop()
    s.close_round()
    assert s.end_reason is EndReason.STOPPED


def test_registry_by_channel_and_game():
    registry = SessionRegistry()
    s = session()
    registry.add(s)
    assert registry.for_channel(3) is s and registry.for_game(1) is s and len(registry) == 1
    try:
        registry.add(session())
        raise AssertionError("a second quiz in one channel must be refused")
    except KeyError:
        pass
    registry.remove(s)
    assert registry.for_channel(3) is None and registry.for_game(1) is None


# -- hint votes ------------------------------------------------------------------------------

def test_hints_need_a_majority_of_players_or_the_starter_and_cost_points():
    s = session(mode="typed")
    s.open_round(0.0)
    assert s.vote_hint(50) is Vote.NOT_PLAYER  # nobody has answered yet: a bystander decides nothing
    for user in (10, 11, 12):
        s.answer_text(user, 1, "wrong", 1.0)
    s.close_round()
    s.open_round(30.0)
    assert s.hints == 0
    assert s.vote_hint(99) is Vote.NOT_PLAYER  # not a player of this game
    assert s.vote_hint(10) is Vote.COUNTED
    assert s.vote_hint(10) is Vote.ALREADY     # a second click does not count twice
    assert s.votes("hint") == (1, 2)
    assert s.answer_text(12, 2, "Bravo", 30.0) is Outcome.LOCKED  # before any hint: full points
    assert s.vote_hint(11) is Vote.PASSED      # 2 of 3 players
    assert s.hints == 1
    assert s.vote_hint(4) is Vote.PASSED        # the starter (or a manager) alone
    assert s.answer_text(10, 2, "Bravo", 30.0) is Outcome.LOCKED
    result = s.close_round()
    points = {a.user_id: a.points for a in result.answers}
    assert points[12].base == 100 and points[10].base == 100 - 2 * HINT_COST
    assert result.hints == 2


def test_a_game_paused_too_long_is_stored_as_interrupted():
    assert EndReason.STALLED.status == "interrupted"
    s = session()
    s.open_round(0.0)
    s.close_round()
    s.end(EndReason.STALLED)
    assert s.over and s.end_reason is EndReason.STALLED
    s.end(EndReason.STOPPED)  # the first reason stays
    assert s.end_reason is EndReason.STALLED


def test_a_bystander_who_never_answers_cannot_hint_or_skip():
    s = session(mode="typed")
    s.open_round(0.0)
    carol = 50
    # Before anyone has answered there is no one to outvote her, yet her ask decides nothing.
    assert s.vote_hint(carol) is Vote.NOT_PLAYER and s.vote_skip(carol) is Vote.NOT_PLAYER
    assert s.hints == 0 and not s.skipped and s.votes("hint") == (0, 1) and s.votes("skip") == (0, 1)
    s.answer_text(10, 1, "wrong", 1.0)
    assert s.vote_hint(carol) is Vote.NOT_PLAYER and s.vote_skip(carol) is Vote.NOT_PLAYER
    s.close_round()
    s.open_round(30.0)
    assert s.vote_hint(carol) is Vote.NOT_PLAYER and s.vote_skip(carol) is Vote.NOT_PLAYER
    assert s.hints == 0 and not s.skipped
    # The one player who has answered is a majority on their own.
    assert s.vote_hint(10) is Vote.PASSED and s.vote_skip(10) is Vote.PASSED


def test_the_starter_and_a_manager_decide_alone_even_before_anyone_answers():
    s = session(mode="typed")
    s.open_round(0.0)
    assert s.decides_alone(4, manager=False) and s.decides_alone(60, manager=True)
    assert not s.decides_alone(50, manager=False)
    assert s.vote_hint(4) is Vote.PASSED                   # the starter
    assert s.vote_hint(60, manager=True) is Vote.PASSED    # a manager who never plays
    assert s.hints == 2
    assert s.vote_skip(60, manager=True) is Vote.PASSED and s.skipped


def test_a_player_knocked_out_no_longer_votes():
    s = session(rounds=3, mode="typed", style="elimination", lives=1)
    s.open_round(0.0)
    for user in (10, 11, 12):
        s.answer_text(user, 1, "Bravo" if user != 12 else "wrong", 1.0)
    s.close_round()
    assert s.is_out(12)
    s.open_round(30.0)
    assert s.vote_skip(12) is Vote.NOT_PLAYER and s.vote_hint(12) is Vote.NOT_PLAYER
    assert s.vote_skip(10) is Vote.COUNTED and s.votes("skip") == (1, 2)


def test_no_hints_in_buttons_mode_nor_beyond_the_last():
    s = session(mode="buttons")
    s.open_round(0.0)
    assert s.vote_hint(4) is Vote.NOT_NOW
    t = session(mode="typed")
    t.open_round(0.0)
    for _ in range(MAX_HINTS):
        assert t.vote_hint(4) is Vote.PASSED
    assert t.vote_hint(4) is Vote.NOT_NOW


# -- skips ------------------------------------------------------------------------------------

def test_a_majority_of_active_players_skips_and_a_second_click_does_not_count():
    s = session()
    s.open_round(0.0)
    for user in (10, 11, 12, 13):
        s.answer_option(user, 1, 0, 1.0)
    s.close_round()
    s.open_round(30.0)
    assert s.vote_skip(10) is Vote.COUNTED
    assert s.vote_skip(10) is Vote.ALREADY
    assert s.vote_skip(11) is Vote.COUNTED     # 2 of 4 is not a majority
    assert s.vote_skip(99) is Vote.NOT_PLAYER
    assert not s.skipped
    assert s.vote_skip(12) is Vote.PASSED      # 3 of 4
    assert s.skipped and s.vote_skip(13) is Vote.NOT_NOW
    assert s.close_round().skipped


def test_the_starter_skips_alone():
    s = session()
    s.open_round(0.0)
    assert s.vote_skip(4) is Vote.PASSED


# -- elimination --------------------------------------------------------------------------------

def test_elimination_costs_lives_and_the_last_player_standing_wins():
    s = session(rounds=10, style="elimination", lives=2)
    s.open_round(0.0)
    s.answer_option(10, 1, 1, 0.0)   # right
    s.answer_option(11, 1, 0, 0.0)   # wrong: 1 life left
    s.answer_option(12, 1, 1, 0.0)
    result = s.close_round()
    assert result.lost_life == (11,) and s.players[11].lives == 1
    s.open_round(30.0)
    s.answer_option(10, 2, 1, 30.0)
    # 11 does not answer: out; 12 answers wrong: 1 life left
    s.answer_option(12, 2, 2, 30.0)
    result = s.close_round()
    assert set(result.lost_life) == {11, 12} and result.knocked_out == (11,)
    assert not s.over
    s.open_round(60.0)
    assert s.answer_option(11, 3, 1, 60.0) is Outcome.OUT     # no lives left
    assert s.answer_option(77, 3, 1, 60.0) is Outcome.LATE    # players are out: no newcomers
    s.answer_option(10, 3, 1, 60.0)
    s.answer_option(12, 3, 0, 60.0)  # wrong: out
    s.close_round()
    assert s.end_reason is EndReason.ELIMINATED and EndReason.ELIMINATED.status == "finished"
    standings = s.standings()
    assert [p.user_id for p in standings] == [10, 12, 11]   # the survivor, then who lasted longest
    assert [p.lives for p in standings] == [2, 0, 0]
    assert s.champion() is s.players[10]


def test_no_champion_when_the_rounds_run_out_with_several_standing():
    """Seen in the playground: two players both on two lives at the last round were told "Last player
    standing: you". The game ended because its rounds did, with no one left standing alone."""
    s = session(rounds=1, style="elimination", lives=2)
    s.open_round(0.0)
    s.answer_option(10, 1, 0, 0.0)  # wrong: 1 life left
    s.answer_option(11, 1, 0, 0.0)
    s.close_round()
    assert s.end_reason is EndReason.FINISHED and s.champion() is None
    classic = session(rounds=1)
    classic.open_round(0.0)
    classic.answer_option(10, 1, 1, 0.0)
    classic.close_round()
    assert classic.champion() is None  # not an elimination game


def test_a_skipped_round_costs_no_life_for_not_answering():
    s = session(rounds=5, style="elimination", lives=1)
    s.open_round(0.0)
    s.answer_option(10, 1, 1, 0.0)
    s.answer_option(11, 1, 1, 0.0)
    s.close_round()
    s.open_round(30.0)
    s.vote_skip(4)
    result = s.close_round()
    assert result.lost_life == () and not s.over


def test_a_lone_player_plays_until_their_lives_run_out():
    s = session(rounds=5, style="elimination", lives=1)
    s.open_round(0.0)
    s.answer_option(10, 1, 1, 0.0)
    s.close_round()
    assert not s.over           # alone and standing: the game goes on
    s.open_round(30.0)
    s.answer_option(10, 2, 0, 30.0)
    s.close_round()
    assert s.end_reason is EndReason.ELIMINATED


# -- teams ------------------------------------------------------------------------------------

def test_teams_add_up_points_and_answering_without_a_team_joins_the_smallest():
    s = session(rounds=2, style="teams", team_count=2)
    assert s.join_team(10, 0, 0.0) is Join.JOINED
    assert s.join_team(11, 0, 0.0) is Join.JOINED
    assert s.join_team(11, 0, 0.0) is Join.ALREADY
    assert s.join_team(12, 1, 0.0) is Join.JOINED
    assert s.join_team(12, 5, 0.0) is Join.NO_TEAMS
    s.open_round(0.0)
    s.answer_option(10, 1, 1, 0.0)   # 150
    s.answer_option(11, 1, 1, 0.0)   # 150
    s.answer_option(12, 1, 1, 0.0)   # 150
    s.answer_option(13, 1, 1, 0.0)   # no team: joins Blue, the smaller
    s.close_round()
    assert s.players[13].team == 1
    assert s.join_team(10, 1, 1.0) is Join.LOCKED   # answered for Red already
    red, blue = sorted(s.team_standings(), key=lambda t: t.team)
    assert (red.points, blue.points) == (300, 300)
    assert [p.user_id for p in red.members] == [10, 11]
    with pytest.raises(ValueError):
        session(style="teams", team_count=5)
    assert session().join_team(10, 0, 0.0) is Join.NO_TEAMS


# -- blank answers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200c\u200d", "\u3164", "\u2800\u2800", "\t\n", "\u115f\u1160",
                                  "\ufeff", "\u00a0"])
def test_a_typed_answer_that_shows_nothing_is_refused_and_the_member_may_answer_again(text):
    assert is_blank(text)
    s = session(mode="typed")
    s.open_round(0.0)
    assert s.answer_text(10, 1, text, 0.0) is Outcome.BLANK
    assert not s.has_answered(10)
    assert s.answer_text(10, 1, "Bravo", 1.0) is Outcome.LOCKED
