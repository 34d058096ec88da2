"""bot.quiz.game, without Discord or storage: the game state kept for a restart, what a resumed game
does, and the game loop on the event loop's clock. The session's rules (hints, skips, elimination, teams,
blank answers) are tested in test_session.py."""

from __future__ import annotations

import asyncio
import json

from bot.catalog.models import Fact, Source
from bot.quiz.game import JOIN_SECONDS, RESUME_LIMIT, Game, decode_questions, encode_questions, resume_plan
from bot.quiz.questions import Name, Question
from bot.quiz.session import EndReason, Outcome
from tests.quiz.helpers import question, session

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
    s.vote_hint(4)
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
    s.vote_skip(4)
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
