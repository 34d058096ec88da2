"""/help and /about, and Korean command localisations in the synced payload."""

from __future__ import annotations

from tests.helpers import text_of
from tests.limits import assert_message_limits


async def test_help_lists_member_commands_with_examples(world):
    result = await world.alice.slash(world.channel, "help")
    assert result.ephemeral
    text = text_of(result.response)
    assert "`/help`" in text and "`/about`" in text
    assert "For server managers" not in text
    assert_message_limits(result.response)


async def test_help_shows_admin_commands_to_managers_only(world):
    admin_commands = [c for c in world.env.bot.tree.walk_commands()
                      if getattr((c.root_parent or c), "default_permissions", None)
                      and (c.root_parent or c).default_permissions.manage_guild]
    admin_text = text_of((await world.admin.slash(world.channel, "help")).response)
    member_text = text_of((await world.alice.slash(world.channel, "help")).response)
    for command in admin_commands:
        if hasattr(command, "callback"):
            assert f"/{command.qualified_name}" in admin_text
            assert f"/{command.qualified_name}" not in member_text
    if admin_commands:
        assert "For server managers" in admin_text


async def test_about_counts_sources_and_invite(world):
    result = await world.alice.slash(world.channel, "about")
    text = text_of(result.response)
    assert "19 songs · 11 dramas · 28 artists" in text
    assert "0 added by this server" in text
    assert "The Kraze" in text and "Debashree Dutta" in text and "2022-02-14" in text
    assert "applications.commands" in text.replace("+", " ").replace("%20", " ")
    assert_message_limits(result.response)


async def test_help_and_about_in_korean(world):
    await world.store.guilds.update(world.guild.id, language="ko")
    help_text = text_of((await world.alice.slash(world.channel, "help")).response)
    assert "OST 발라드 봇 — 명령어" in help_text and "모든 명령어" in help_text
    about_text = text_of((await world.alice.slash(world.channel, "about")).response)
    assert "노래 19곡" in about_text


async def test_synced_commands_carry_korean_localisations(world):
    commands = world.env.backend.commands.get(None, {})
    by_name = {name: payload for (name, _type), payload in commands.items()}
    assert by_name["help"]["name_localizations"]["ko"] == "도움말"
    assert by_name["about"]["description_localizations"]["ko"].startswith("카탈로그")
