"""The bot factory: start-up, extension loading, and sync only when the commands changed."""

from __future__ import annotations

from bot.app import cog_modules, open_bot


async def test_first_start_syncs_and_faithful_restart_does_not(simcord_env, settings):
    bot = simcord_env.bot
    assert bot.synced_on_start is True
    assert await bot.store.meta.get("command_hash") == await bot.command_hash()

    await bot.close()
    again = await open_bot(settings)
    await simcord_env.restart_bot(again)
    assert again.synced_on_start is False
    assert (await again.store.catalog.counts()).songs == 19


async def test_changed_commands_sync_again(simcord_env, settings):
    bot = simcord_env.bot
    await bot.store.meta.set("command_hash", "stale")
    await bot.close()
    again = await open_bot(settings)
    await simcord_env.restart_bot(again)
    assert again.synced_on_start is True


def test_every_cog_module_is_an_extension():
    import importlib

    for name in cog_modules():
        module = importlib.import_module(name)
        assert callable(getattr(module, "setup", None)), f"{name} has no setup()"


async def test_no_two_commands_collide(simcord_env):
    names = [c.qualified_name for c in simcord_env.bot.tree.walk_commands()]
    assert len(names) == len(set(names))
