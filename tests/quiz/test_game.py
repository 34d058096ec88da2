"""Issue 15's rules without Discord or storage: hint votes, skips, elimination, teams, blank answers, the game
state kept for a restart, what a resumed game does, and the game loop on the event loop's clock."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.catalog.models import Fact, Source
from bot.quiz.game import JOIN_SECONDS, RESUME_LIMIT, Game, decode_questions, encode_questions, resume_plan
from bot.quiz.matching import is_blank
from bot.quiz.questions import Name, Question
from bot.quiz.scoring import HINT_COST, MAX_HINTS
from bot.quiz.session import EndReason, Join, Outcome, QuizSession, Vote


def question(n: int = 0, answer: str = "Bravo") -> Question:
    return Question(key=f"q{n}", kind="drama_of_song", options=(Name("A"), Name(answer, "브라보"), Name("C"),
                                                                Name("D")), correct=1, accepted=(answer, "브라보"))


def session(rounds: int = 3, mode: str = "buttons", **kwargs) -> QuizSession:
    return QuizSession(game_id=1, guild_id=2, channel_id=3, starter_id=4, mode=mode, seconds=20, topic="any",
                       questions=[question(i) for i in range(rounds)], **kwargs)


# -- hint votes ------------------------------------------------------------------------------

def test_hints_need_a_majority_of_players_or_the_starter_and_cost_points():
    s = session(mode="typed")
    s.open_round(0.0)
    assert s.vote_hint(50, privileged=False) is Vote.PASSED  # nobody has answered yet: whoever asks
    for user in (10, 11, 12):
        s.answer_text(user, 1, "wrong", 1.0)
    s.close_round()
    s.open_round(30.0)
    assert s.hints == 0
    assert s.vote_hint(99, privileged=False) is Vote.NOT_PLAYER  # not a player of this game
    assert s.vote_hint(10, privileged=False) is Vote.COUNTED
    assert s.vote_hint(10, privileged=False) is Vote.ALREADY     # a second click does not count twice
    assert s.votes("hint") == (1, 2)
    assert s.answer_text(12, 2, "Bravo", 30.0) is Outcome.LOCKED  # before any hint: full points
    assert s.vote_hint(11, privileged=False) is Vote.PASSED      # 2 of 3 players
    assert s.hints == 1
    assert s.vote_hint(4, privileged=True) is Vote.PASSED        # the starter (or a manager) alone
    assert s.answer_text(10, 2, "Bravo", 30.0) is Outcome.LOCKED
    result = s.close_round()
    points = {a.user_id: a.points for a in result.answers}
    assert points[12].base == 100 and points[10].base == 100 - 2 * HINT_COST
    assert result.hints == 2


def test_no_hints_in_buttons_mode_nor_beyond_the_last():
    s = session(mode="buttons")
    s.open_round(0.0)
    assert s.vote_hint(4, privileged=True) is Vote.NOT_NOW
    t = session(mode="typed")
    t.open_round(0.0)
    for _ in range(MAX_HINTS):
        assert t.vote_hint(4, privileged=True) is Vote.PASSED
    assert t.vote_hint(4, privileged=True) is Vote.NOT_NOW


# -- skips ------------------------------------------------------------------------------------

def test_a_majority_of_active_players_skips_and_a_second_click_does_not_count():
    s = session()
    s.open_round(0.0)
    for user in (10, 11, 12, 13):
        s.answer_option(user, 1, 0, 1.0)
    s.close_round()
    s.open_round(30.0)
    assert s.vote_skip(10, privileged=False) is Vote.COUNTED
    assert s.vote_skip(10, privileged=False) is Vote.ALREADY
    assert s.vote_skip(11, privileged=False) is Vote.COUNTED     # 2 of 4 is not a majority
    assert s.vote_skip(99, privileged=False) is Vote.NOT_PLAYER
    assert not s.skipped
    assert s.vote_skip(12, privileged=False) is Vote.PASSED      # 3 of 4
    assert s.skipped and s.vote_skip(13, privileged=False) is Vote.NOT_NOW
    assert s.close_round().skipped


def test_the_starter_skips_alone():
    s = session()
    s.open_round(0.0)
    assert s.vote_skip(4, privileged=True) is Vote.PASSED


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


def test_a_skipped_round_costs_no_life_for_not_answering():
    s = session(rounds=5, style="elimination", lives=1)
    s.open_round(0.0)
    s.answer_option(10, 1, 1, 0.0)
    s.answer_option(11, 1, 1, 0.0)
    s.close_round()
    s.open_round(30.0)
    s.vote_skip(4, privileged=True)
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


# -- what is kept for a restart ------------------------------------------------------------------

def test_questions_and_state_survive_json_and_the_open_round_resumes_with_its_answers():
    fact = Fact("story", "A fact.", Source("src", "Title", publisher="P"), text_ko="사실.")
    questions = [Question("k", "song_from_fact", (Name("A", "에이"), Name("B")), 1, ("B", "비"), subject=Name("S"),
                          clue="c ＿＿", fact=fact, song_id=5, subjects=frozenset({"x", "y"})),
                 question(1)]
    data = json.loads(json.dumps(encode_questions(questions)))
    assert decode_questions(data) == questions

    s = session(rounds=3, mode="typed", style="elimination", lives=2)
    s.open_round(0.0)
    s.answer_text(10, 1, "Bravo", 2.0)
    s.answer_text(11, 1, "nope", 3.0)
    s.close_round()
    s.open_round(30.0)
    s.vote_hint(4, privileged=True)
    s.answer_text(10, 2, "Bravo", 35.0)
    kept_answer = s.answer_of(10)
    state = json.loads(json.dumps(s.snapshot()))

    back = session(rounds=3, mode="typed", style="elimination", lives=2)
    back.restore(state, now=1000.0, elapsed=6.0)
    back.restore_answer(kept_answer)
    assert back.round_number == 2 and back.round_open and back.hints == 1
    assert back.round_started_at == 994.0
    assert back.players[11].lives == 1 and back.players[10].points == s.players[10].points
    assert back.answer_text(10, 2, "Bravo", 1001.0) is Outcome.ALREADY  # the kept answer is still theirs
    assert back.answer_text(11, 2, "Bravo", 1001.0) is Outcome.LOCKED
    result = back.close_round()
    assert {a.user_id for a in result.answers} == {10, 11}
    assert result.answers[0].points == kept_answer.points  # scored as when it was given


def test_what_a_restarted_bot_does_with_a_running_game():
    open_round = {"round": 2, "open": True}
    go_on = resume_plan(open_round, 20, down_for=30.0, round_elapsed=5.0, joining_elapsed=None,
                        channel_exists=True)
    assert go_on.end is None and go_on.round_left == 15.0 and go_on.elapsed == 5.0
    late = resume_plan(open_round, 20, down_for=90.0, round_elapsed=80.0, joining_elapsed=None,
                       channel_exists=True)
    assert late.end is None and late.round_left == 0.0 and late.elapsed == 20.0  # closes at once
    assert resume_plan(open_round, 20, down_for=RESUME_LIMIT + 1, round_elapsed=1.0, joining_elapsed=None,
                       channel_exists=True).end is EndReason.EXPIRED
    assert resume_plan(open_round, 20, down_for=1.0, round_elapsed=1.0, joining_elapsed=None,
                       channel_exists=False).end is EndReason.INTERRUPTED
    between = resume_plan({"round": 2, "open": False}, 20, down_for=1.0, round_elapsed=None,
                          joining_elapsed=None, channel_exists=True)
    assert between.end is None and between.round_left is None
    teams = resume_plan({"round": 0, "open": False}, 20, down_for=1.0, round_elapsed=None,
                        joining_elapsed=5.0, channel_exists=True)
    assert teams.joining_left == JOIN_SECONDS - 5.0


# -- the loop -----------------------------------------------------------------------------------------

class Recorder:
    def __init__(self) -> None:
        self.events: list[str] = []

    async def post_teams(self, game):
        self.events.append("teams")

    async def post_round(self, game):
        self.events.append(f"post {game.session.round_number}")

    async def round_posted(self, game):
        pass

    async def record(self, game, result):
        self.events.append(f"record {result.number}{' skipped' if result.skipped else ''}")

    async def reveal(self, game, result):
        pass

    async def finish(self, game):
        self.events.append(f"finish {game.session.end_reason.value}")


async def test_the_game_loop_plays_rounds_and_a_skip_wakes_it():
    s = session(rounds=2)
    game = Game(s)
    table = Recorder()
    task = asyncio.create_task(game.run(table))
    await asyncio.sleep(0)
    assert table.events == ["post 1"]
    s.answer_option(10, 1, 1, game.now())
    s.vote_skip(4, privileged=True)
    game.wake()
    await asyncio.sleep(0.01)
    assert table.events == ["post 1", "record 1 skipped"]
    s.stop()
    game.wake()
    await asyncio.wait_for(task, 1.0)
    assert table.events[-1] == "finish stopped"


async def test_a_resumed_game_closes_a_round_whose_time_ran_out_at_once():
    s = session(rounds=2)
    s.restore({"round": 1, "open": True, "idle": 0, "players": []}, now=0.0, elapsed=20.0)
    table = Recorder()
    game = Game(s, resumed=True, round_left=0.0)
    task = asyncio.create_task(game.run(table))
    await asyncio.sleep(0.01)
    assert table.events == ["record 1"]  # no wait: recorded at once, now in the pause before round 2
    s.stop()
    game.wake()
    await asyncio.wait_for(task, 1.0)
    assert table.events == ["record 1", "finish stopped"]
