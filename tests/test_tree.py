"""The tree's one error handler: friendly ephemeral replies, bugs logged, never a traceback storm."""

from __future__ import annotations

import logging

from discord import app_commands


async def test_a_stale_command_gets_a_friendly_reply_not_a_traceback(world, caplog):
    world.env.bot.tree.remove_command("about")  # Discord still lists it; this bot no longer has it
    with caplog.at_level(logging.INFO, logger="bot.tree"):
        result = await world.alice.slash(world.channel, "about")
    assert result.ephemeral
    assert "Reload Discord" in result.response.content
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(isinstance(e, app_commands.CommandNotFound) for e in world.env.errors)


async def test_an_unexpected_error_is_logged_and_answered_politely(world, caplog):
    world.env.bot.tree.remove_command("about")

    @world.env.bot.tree.command(name="about", description="replaced for the test")
    async def broken(interaction):
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, logger="bot.tree"):
        result = await world.alice.slash(world.channel, "about")
    assert result.ephemeral and "Something went wrong" in result.response.content
    assert "boom" not in result.response.content
    assert any("unhandled error in /about" in r.getMessage() and r.exc_info for r in caplog.records)
    assert [type(getattr(e, "original", e)) for e in world.env.errors] == [RuntimeError]


def test_names_kept_in_the_tree_for_the_quiz_branches_merge():
    """bot.tree re-exports what the quiz branches still import from it (remove with the re-exports)."""
    from bot import components, faults, replies, tree

    assert (tree.describe, tree.is_passing_fault) == (faults.describe, faults.is_passing_fault)
    assert (tree.send_ephemeral, tree.hand_over) == (replies.send_ephemeral, components.hand_over)
