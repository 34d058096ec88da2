"""A bystander cannot run someone else's quiz: a member who never answers, neither its starter nor a
manager, asks for a hint and a skip at the start of every round, before anyone has answered and after;
each ask is refused privately and changes nothing: no hint on the round, no skip, full points for the
players. A manager who does not play still decides alone."""

from __future__ import annotations

import pytest

from tests.cogs.quiz_helpers import message_by_id, only_game, player_totals, session_of
from tests.cogs.test_quiz import buttons, only_keys
from tests.cogs.test_quiz_modes import type_answer

pytestmark = pytest.mark.both_engines

HINT_REFUSED = "Only players who have answered in this quiz can ask for a hint (or the starter, or a manager)."
SKIP_REFUSED = ("Only players who have answered in this quiz and are still in it can vote to skip "
                "(or the starter, or a manager).")


async def carol_tries_to_run_the_round(carol, channel, round_message, game_id: int) -> None:
    number = len([m for m in channel.history() if m.embeds and m.embeds[0].title.startswith("Round ")])
    before = len(list(channel.history()))
    for custom_id, refused in ((f"quiz:h:{game_id}:{number}", HINT_REFUSED),
                               (f"quiz:s:{game_id}:{number}", SKIP_REFUSED)):
        result = await carol.click(round_message, custom_id=custom_id)
        assert result.ephemeral and result.response.content == refused
    by_command = await carol.slash(channel, "quiz hint")
    assert by_command.ephemeral and by_command.response.content == HINT_REFUSED
    assert len(list(channel.history())) == before  # nothing public
    shown = message_by_id(channel, round_message.id)
    assert "💡" not in shown.embeds[0].description
    assert [b.label for b in buttons(shown)] == ["Answer", "Hint (0/3)", "Skip"]


async def test_a_member_who_never_answers_cannot_hint_or_skip(simcord_env, world, monkeypatch):
    env, ch = simcord_env, world.channel
    goblin = [await world.store.catalog.song_by_key(key)
              for key in ("stay-with-me", "i-will-go-to-you-like-the-first-snow")]
    keys = {f"drama_of_song:{song.id}" for song in goblin}
    only_keys(monkeypatch, lambda q: q.key in keys)  # two rounds, both answered "Goblin"
    carol = world.guild.add_member(env.create_user("carol"))
    await world.alice.slash(ch, "quiz start", rounds=2, seconds=20, mode="typed")
    session = session_of(env, ch)
    game_id = session.game_id

    round1 = ch.last_message
    await carol_tries_to_run_the_round(carol, ch, round1, game_id)  # nobody has answered yet
    await type_answer(world.bob, round1, "Goblin")
    await carol_tries_to_run_the_round(carol, ch, round1, game_id)  # bob has: still nothing for carol
    await env.advance_time(24)
    revealed = message_by_id(ch, round1.id).embeds[0]
    assert revealed.title == "Round 1 of 2: the answer"
    assert not any("hint" in f.value.lower() or "Skipped" in f.value for f in revealed.fields)

    round2 = ch.last_message
    assert round2.embeds[0].title == "Round 2 of 2"
    await carol_tries_to_run_the_round(carol, ch, round2, game_id)
    await type_answer(world.bob, round2, "Goblin")
    await env.advance_time(24)
    assert ch.last_message.embeds[0].title == "🏁 Final standings"
    # Bob's two answers, each at once and with no hint: 150 + (150 + 10 for his streak).
    assert await player_totals(world.store, world.guild.id) == {world.bob.id: (2, 2, 310)}
    assert await only_game(world.store, game_id) == ("finished", 2)
    env.errors.clear()  # carol's /quiz hint: answered, and recorded by the tree


async def test_a_manager_who_does_not_play_still_decides_alone(simcord_env, world):
    env, ch = simcord_env, world.channel
    await world.alice.slash(ch, "quiz start", rounds=2, seconds=20, mode="typed")
    game_id = session_of(env, ch).game_id
    round1 = ch.last_message
    hinted = await world.admin.click(round1, custom_id=f"quiz:h:{game_id}:1")
    assert hinted.ephemeral and "Hint 1 is up" in hinted.response.content
    skipped = await world.admin.click(round1, custom_id=f"quiz:s:{game_id}:1")
    assert not skipped.ephemeral and "skipped the round (as the quiz's starter or a manager)" in (
        skipped.response.content)
    await env.advance_time(0)
    assert message_by_id(ch, round1.id).embeds[0].title == "Round 1 of 2: the answer"
    assert env.errors == []
