"""/config: who may configure, each setting, validation, persistence, cooldowns, reset-scores."""

from __future__ import annotations

import discord
import pytest
from simcord import SetupError

from bot.app import open_bot
from bot.errors import UserError
from tests.cogs.admin_helpers import allow_command, record_score, reply, set_role_permissions
from tests.helpers import text_of
from tests.limits import assert_message_limits

pytestmark = pytest.mark.both_engines

ADMIN_COMMANDS = ("config show", "config quiz", "config random", "config daily", "config daily-off",
                  "config manager-role", "config manager-role-clear", "config reset-scores", "config language",
                  "config chat")


def refusals(env) -> list[UserError]:
    return [e for e in env.errors if isinstance(e, UserError)]


# -- who may configure ------------------------------------------------------------------------

async def test_config_is_hidden_from_members_without_manage_server(world):
    assert "config show" in world.admin.available_commands(world.channel)
    visible = world.alice.available_commands(world.channel)
    assert not any(name.startswith(("config", "catalog")) for name in visible)
    with pytest.raises(SetupError, match="not visible"):
        await world.alice.slash(world.channel, "config show")


async def test_payload_marks_config_guild_only_and_manage_server(simcord_env):
    config = simcord_env.bot.tree.get_command("config")
    payload = config.to_dict(simcord_env.bot.tree)
    assert int(payload["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    assert payload["contexts"] == [0] or payload.get("dm_permission") is False
    assert {c["name"] for c in payload["options"]} == {name.split()[1] for name in ADMIN_COMMANDS}


@pytest.mark.parametrize(("command", "options"), [
    ("config show", {}),
    ("config quiz", {"rounds": 3}),
    ("config random", {"cooldown": 30}),
    ("config daily", {"hour": 9}),
    ("config daily-off", {}),
    ("config manager-role", {}),
    ("config manager-role-clear", {}),
    ("config chat", {"enabled": False}),
    ("config reset-scores", {}),
    ("config language", {"language": "ko"}),
])
async def test_a_stale_client_without_manage_server_is_refused_and_nothing_changes(world, command, options):
    # The server let alice's client show /config (Integrations), but she has no Manage Server.
    await allow_command(world.env, world.guild, "config", world.alice)
    if command == "config daily":
        options = {**options, "channel": world.channel}
    if command == "config manager-role":
        options = {"role": world.guild.create_role("Mods")}
    before = await world.store.content_hash()
    result = await world.alice.slash(world.channel, command, **options)
    assert result.response.ephemeral
    assert "Manage Server" in result.response.content
    assert result.response.components == []
    assert await world.store.content_hash() == before
    assert [e.key for e in refusals(world.env)] == ["admin.error.not_manager"]


async def test_losing_manage_server_takes_effect_at_once(world, simcord_env):
    mods = world.guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
    carol = world.guild.add_member(simcord_env.create_user("carol"), roles=[mods])
    await allow_command(simcord_env, world.guild, "config", mods)
    ok = await carol.slash(world.channel, "config random", cooldown=5)
    assert "5 s" in ok.response.content
    set_role_permissions(simcord_env, world.guild, mods, discord.Permissions.none())
    refused = await carol.slash(world.channel, "config random", cooldown=60)
    assert refused.response.ephemeral and "Manage Server" in refused.response.content
    assert (await world.store.guilds.get(world.guild.id)).cooldown_seconds == 5
    assert len(refusals(simcord_env)) == 1


async def test_manager_role_may_configure_but_not_choose_managers(world, simcord_env):
    masters = world.guild.create_role("Quiz Masters")
    dana = world.guild.add_member(simcord_env.create_user("dana"), roles=[masters])
    await allow_command(simcord_env, world.guild, "config", masters)
    before = await dana.slash(world.channel, "config show")
    assert "Manage Server" in before.response.content  # no manager role yet

    saved = await world.admin.slash(world.channel, "config manager-role", role=masters)
    assert masters.mention in saved.response.content and saved.response.ephemeral
    assert (await world.store.guilds.get(world.guild.id)).manager_role_id == masters.id

    shown = await dana.slash(world.channel, "config show")
    assert shown.response.embeds and masters.mention in text_of(shown.response)
    escalate = await dana.slash(world.channel, "config manager-role", role=world.guild.default_role)
    assert "Manage Server" in escalate.response.content
    cleared = await dana.slash(world.channel, "config manager-role-clear")
    assert "Manage Server" in cleared.response.content
    assert (await world.store.guilds.get(world.guild.id)).manager_role_id == masters.id
    simcord_env.errors  # noqa: B018  (the refusals above are expected)

    gone = await world.admin.slash(world.channel, "config manager-role-clear")
    assert gone.response.ephemeral
    assert (await world.store.guilds.get(world.guild.id)).manager_role_id is None


async def test_everyone_is_not_a_manager_role(world):
    result = await world.admin.slash(world.channel, "config manager-role", role=world.guild.default_role)
    assert "@everyone" in result.response.content and result.response.ephemeral
    assert (await world.store.guilds.get(world.guild.id)).manager_role_id is None
    world.env.errors  # noqa: B018


# -- settings ---------------------------------------------------------------------------------

async def test_quiz_settings_keep_what_is_left_out(world):
    quizzes = world.guild.create_text_channel("quizzes")
    first = await world.admin.slash(world.channel, "config quiz", rounds=10, mode="typed")
    assert first.response.ephemeral and "10" in first.response.content
    await world.admin.slash(world.channel, "config quiz", seconds=30, channel=quizzes)
    settings = await world.store.guilds.get(world.guild.id)
    assert (settings.quiz_rounds, settings.quiz_seconds, settings.quiz_mode, settings.quiz_channel_id) == (
        10, 30, "typed", quizzes.id)
    cleared = await world.admin.slash(world.channel, "config quiz", clear_channel=True)
    assert "any channel" in cleared.response.content
    assert (await world.store.guilds.get(world.guild.id)).quiz_channel_id is None


async def test_quiz_settings_are_validated(world, simcord_env):
    with pytest.raises(SetupError):  # Discord's client enforces the range
        await world.admin.slash(world.channel, "config quiz", rounds=21)
    hidden = world.guild.create_text_channel(
        "staff", overwrites={simcord_env.bot.user: discord.PermissionOverwrite(send_messages=False)})
    before = await world.store.content_hash()
    result = await world.admin.slash(world.channel, "config quiz", rounds=3, channel=hidden)
    assert result.response.ephemeral and "Send Messages" in result.response.content
    nothing = await world.admin.slash(world.channel, "config quiz")
    assert "Nothing to change" in nothing.response.content
    assert await world.store.content_hash() == before
    simcord_env.errors  # noqa: B018


async def test_random_settings(world):
    result = await world.admin.slash(world.channel, "config random", ballads_only=False, cooldown=45)
    assert result.response.ephemeral and "45 s" in result.response.content
    settings = await world.store.guilds.get(world.guild.id)
    assert settings.random_ballads_only is False and settings.cooldown_seconds == 45


async def test_show_lists_every_setting(world):
    quizzes = world.guild.create_text_channel("quizzes")
    role = world.guild.create_role("Quiz Masters")
    await world.admin.slash(world.channel, "config quiz", rounds=7, seconds=15, channel=quizzes)
    await world.admin.slash(world.channel, "config random", cooldown=20)
    await world.admin.slash(world.channel, "config manager-role", role=role)
    await world.admin.slash(world.channel, "config daily", channel=world.channel, hour=21, timezone="Asia/Seoul")
    result = await world.admin.slash(world.channel, "config show")
    assert result.response.ephemeral
    assert_message_limits(result.response)
    shown = text_of(result.response)
    for expected in ("Rounds: 7", "Seconds per question: 15", quizzes.mention, "20 s", role.mention,
                     world.channel.mention, "21:00", "Asia/Seoul", "Next post: <t:", "Language"):
        assert expected in shown, expected


async def test_language_setting_switches_replies_to_korean(world):
    result = await world.admin.slash(world.channel, "config language", language="ko")
    assert "한국어" in result.response.content
    shown = await world.admin.slash(world.channel, "config show")
    assert "퀴즈 기본값" in text_of(shown.response)
    assert (await world.store.guilds.get(world.guild.id)).language == "ko"
    refused = await world.admin.slash(world.channel, "config quiz")
    assert "바꿀 내용이 없어요" in refused.response.content
    world.env.errors  # noqa: B018


async def test_settings_survive_a_restart(world, simcord_env, settings):
    await world.admin.slash(world.channel, "config quiz", rounds=12, mode="typed")
    await world.admin.slash(world.channel, "config random", ballads_only=False, cooldown=90)
    await world.admin.slash(world.channel, "config language", language="ko")
    await simcord_env.bot.close()
    await simcord_env.restart_bot(await open_bot(settings))
    stored = await simcord_env.bot.store.guilds.get(world.guild.id)
    assert (stored.quiz_rounds, stored.quiz_mode, stored.random_ballads_only, stored.cooldown_seconds,
            stored.language) == (12, "typed", False, 90, "ko")
    shown = await world.admin.slash(world.channel, "config show")
    assert "12" in text_of(shown.response) and "90초" in text_of(shown.response)


async def test_daily_settings_are_validated(world, simcord_env):
    before = await world.store.content_hash()
    bad_zone = await world.admin.slash(world.channel, "config daily", channel=world.channel, hour=9,
                                       timezone="Mars/Olympus_Mons")
    assert bad_zone.response.ephemeral and "Mars/Olympus" in bad_zone.response.content
    muted = world.guild.create_text_channel(
        "muted", overwrites={simcord_env.bot.user: discord.PermissionOverwrite(embed_links=False)})
    no_embeds = await world.admin.slash(world.channel, "config daily", channel=muted, hour=9)
    assert "Embed Links" in no_embeds.response.content
    with pytest.raises(SetupError):
        await world.admin.slash(world.channel, "config daily", channel=world.channel, hour=24)
    assert await world.store.content_hash() == before
    simcord_env.errors  # noqa: B018


async def test_timezone_autocomplete(world):
    choices = await world.admin.autocomplete(world.channel, "config daily", "timezone", "seoul")
    assert {"name": "Asia/Seoul", "value": "Asia/Seoul"} in choices
    assert len(choices) <= 25
    everything = await world.admin.autocomplete(world.channel, "config daily", "timezone", "a")
    assert len(everything) == 25


# -- cooldowns --------------------------------------------------------------------------------

async def test_cooldown_per_member_and_autocomplete_does_not_count(world, simcord_env):
    await world.admin.slash(world.channel, "config random", cooldown=30)
    for _ in range(3):
        await world.alice.autocomplete(world.channel, "random", "drama", "gob")
    first = await world.alice.slash(world.channel, "random")
    assert "Slow down" not in text_of(first.response)
    again = await world.alice.slash(world.channel, "random")
    assert again.response.ephemeral and "try again in 30 s" in again.response.content
    other = await world.bob.slash(world.channel, "random")
    assert "Slow down" not in text_of(other.response)
    await simcord_env.advance_time(20)
    still = await world.alice.slash(world.channel, "random")
    assert "try again in 10 s" in still.response.content
    await simcord_env.advance_time(11)
    later = await world.alice.slash(world.channel, "random")
    assert "Slow down" not in text_of(later.response)
    assert [e.key for e in refusals(simcord_env)] == ["error.cooldown", "error.cooldown"]


async def test_no_cooldown_by_default(world):
    for _ in range(3):
        result = await world.alice.slash(world.channel, "random")
        assert "Slow down" not in text_of(result.response)


# -- reset-scores -----------------------------------------------------------------------------

async def test_reset_scores_asks_the_invoker_and_expires(world, simcord_env):
    prompt = await world.admin.slash(world.channel, "config reset-scores")
    assert not prompt.response.ephemeral
    assert "cannot be undone" in prompt.response.content
    labels = [c["label"] for row in prompt.response.components for c in row["components"]]
    assert labels == ["Reset scores", "Cancel"]
    stranger = await world.bob.click(prompt.response, label="Reset scores")
    assert stranger.response.ephemeral and world.admin.mention in stranger.response.content
    await simcord_env.advance_time(61)
    # The prompt greyed itself out; a press that still arrives is refused too.
    message = world.channel.last_message
    assert "expired" in message.content and message.components == []


async def test_reset_scores_cancel(world):
    prompt = await world.admin.slash(world.channel, "config reset-scores")
    cancelled = await world.admin.click(prompt.response, label="Cancel")
    assert "Cancelled" in world.channel.last_message.content
    assert cancelled.acknowledged


async def test_reset_scores_clears_this_servers_scores_only(world, simcord_env):
    other = simcord_env.create_guild(name="Other Club")
    await record_score(world.store, world.guild.id, world.channel.id, world.alice.id)
    await record_score(world.store, other.id, 42, world.alice.id)
    prompt = await world.admin.slash(world.channel, "config reset-scores")
    done = await world.admin.click(prompt.response, label="Reset scores")
    assert "reset every quiz score" in done.response.content and done.response.components == []
    assert not done.response.ephemeral
    assert await world.store.quiz.leaderboard(world.guild.id) == []
    assert len(await world.store.quiz.leaderboard(other.id)) == 1


async def test_a_press_after_sixty_seconds_is_refused_even_after_a_restart(world, simcord_env, settings):
    await record_score(world.store, world.guild.id, world.channel.id, world.alice.id)
    prompt = await world.admin.slash(world.channel, "config reset-scores")
    # A restart loses the task that greys the prompt out; the buttons are still there.
    await simcord_env.bot.close()
    await simcord_env.restart_bot(await open_bot(settings))
    await simcord_env.advance_time(61)
    late = await world.admin.click(prompt.response, label="Reset scores")
    assert "expired" in late.response.content and late.response.components == []
    assert len(await simcord_env.bot.store.quiz.leaderboard(world.guild.id)) == 1


async def test_a_confirmation_within_the_window_after_a_restart_still_works(world, simcord_env, settings):
    await record_score(world.store, world.guild.id, world.channel.id, world.alice.id)
    prompt = await world.admin.slash(world.channel, "config reset-scores")
    await simcord_env.bot.close()
    await simcord_env.restart_bot(await open_bot(settings))
    await simcord_env.advance_time(30)
    done = await world.admin.click(prompt.response, label="Reset scores")
    assert "reset every quiz score" in done.response.content
    assert await simcord_env.bot.store.quiz.leaderboard(world.guild.id) == []


# -- quizzes (the quiz cog reads these settings) ------------------------------------------------

async def test_quiz_channel_restriction(world):
    quizzes = world.guild.create_text_channel("quizzes")
    await world.admin.slash(world.channel, "config quiz", channel=quizzes, rounds=1)
    elsewhere = await world.alice.slash(world.channel, "quiz start")
    assert elsewhere.response.ephemeral and quizzes.mention in elsewhere.response.content
    started = await world.alice.slash(quizzes, "quiz start")
    assert not reply(started).ephemeral
    await world.alice.slash(quizzes, "quiz stop")
    world.env.errors  # noqa: B018


async def test_the_manager_role_may_stop_anyones_quiz(world, simcord_env):
    masters = world.guild.create_role("Quiz Masters")
    dana = world.guild.add_member(simcord_env.create_user("dana"), roles=[masters])
    await world.bob.slash(world.channel, "quiz start", rounds=3)
    refused = await dana.slash(world.channel, "quiz stop")
    assert refused.response.ephemeral and "bot-manager role" in refused.response.content
    await world.admin.slash(world.channel, "config manager-role", role=masters)
    stopped = await dana.slash(world.channel, "quiz stop")
    assert not stopped.response.ephemeral and "stopped the quiz" in stopped.response.content
    simcord_env.errors  # noqa: B018
