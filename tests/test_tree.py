"""The tree's one error handler: friendly ephemeral replies, bugs logged, never a traceback storm."""

from __future__ import annotations

import ast
import importlib
import logging
from pathlib import Path

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


def test_replies_faults_and_hand_overs_are_imported_from_their_own_modules_not_the_tree():
    """The tree kept `describe`, `hand_over`, `is_passing_fault` and `send_ephemeral` as re-exports while
    the quiz branches merged: now every module imports them from faults, components or replies."""
    moved = {"describe": "bot.faults", "is_passing_fault": "bot.faults", "hand_over": "bot.components",
             "send_ephemeral": "bot.replies"}
    root = Path(__file__).resolve().parents[1]
    from_tree = []
    for path in sorted([*(root / "bot").rglob("*.py"), *(root / "tests").rglob("*.py"),
                        *(root / "benchmarks").rglob("*.py")]):
        package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            names = {alias.name for alias in node.names}
            if module == "bot.tree" and names & moved.keys():
                from_tree.append(f"{path.relative_to(root)}:{node.lineno}")
    assert from_tree == []
    tree = importlib.import_module("bot.tree")
    assert not hasattr(tree, "__all__")
    assert not {"describe", "is_passing_fault", "hand_over"} & set(vars(tree))
    for name, home in moved.items():
        assert name in vars(importlib.import_module(home))
