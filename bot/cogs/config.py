"""/config: a server's settings (quiz defaults, /random, cooldowns, song of the day, roles, language)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from ..access import bot_permissions_in, interaction_is_admin, interaction_is_manager, missing_post_permissions
from ..catalog.daily import first_handled_date, next_post_at, parse_timezone, timezone_suggestions
from ..checks import settings_for_check
from ..errors import UserError
from ..i18n import t
from ..ui.admin import RESET_COG, ResetScoresButton, reset_view, settings_embed
from ..ui.text import safe
from .daily import DAILY

if TYPE_CHECKING:
    from ..app import OstBot
    from ..store.guild_repo import GuildSettings

log = logging.getLogger(__name__)

RESET_WINDOW = 60.0
def permission_names(names: list[str], lang: str) -> str:
    return ", ".join(t(f"admin.perm.{name}", lang) for name in names)


def require_posting(channel: discord.TextChannel, lang: str) -> None:
    """Refuse a channel the bot cannot post cards in, naming what it lacks there."""
    missing = missing_post_permissions(bot_permissions_in(channel))
    if missing:
        raise UserError("admin.error.cannot_post", channel=channel.mention, permissions=permission_names(missing, lang))


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ConfigCog(commands.GroupCog, name=RESET_COG.name, group_name="config",
                group_description="Server settings for OST Ballad Bot (Manage Server)"):
    def __init__(self, bot: OstBot) -> None:
        self.bot = bot
        # Prompt message id -> the task that greys it out after 60 s (best effort; the press
        # itself is checked against Discord's timestamps).
        self._reset_expiry: dict[int, asyncio.Task] = {}
        super().__init__()

    async def cog_unload(self) -> None:
        for task in self._reset_expiry.values():
            task.cancel()
        self._reset_expiry.clear()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        settings = await settings_for_check(self.bot.store, interaction.guild_id)
        if not interaction_is_manager(interaction, settings):
            raise UserError("admin.error.not_manager")
        return True

    async def _settings(self, interaction: discord.Interaction) -> tuple[GuildSettings, str]:
        assert interaction.guild_id is not None
        return await self.bot.store.guilds.get(interaction.guild_id), await self.bot.language_for(interaction)

    def _next_post(self, settings: GuildSettings):
        if settings.daily_channel_id is None or settings.daily_hour is None:
            return None
        zone = parse_timezone(settings.daily_timezone)
        if zone is None:
            return None
        return next_post_at(discord.utils.utcnow(), settings.daily_hour, zone, settings.daily_last_date)

    def _wake_daily(self) -> None:
        if (daily := DAILY.find(self.bot)) is not None:  # by name: discord.py loads each cog module afresh
            daily.wake()

    # -- /config show ----------------------------------------------------------------------

    @app_commands.command(name="show", description="Show every setting of this server")
    async def config_show(self, interaction: discord.Interaction) -> None:
        settings, lang = await self._settings(interaction)
        assert interaction.guild is not None
        embed = settings_embed(settings, interaction.guild, lang, self._next_post(settings))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # -- /config quiz ----------------------------------------------------------------------

    @app_commands.command(name="quiz", description="Defaults for /quiz start, and where quizzes may run")
    @app_commands.describe(
        rounds="Questions per quiz (1-20)",
        seconds="Seconds to answer each question (10-60)",
        mode="Answer with buttons (multiple choice) or by typing",
        channel="Allow quizzes only in this channel",
        clear_channel="Allow quizzes in every channel again",
    )
    async def config_quiz(self, interaction: discord.Interaction,
                          rounds: app_commands.Range[int, 1, 20] | None = None,
                          seconds: app_commands.Range[int, 10, 60] | None = None,
                          mode: Literal["buttons", "typed"] | None = None,
                          channel: discord.TextChannel | None = None,
                          clear_channel: bool | None = None) -> None:
        settings, lang = await self._settings(interaction)
        if channel is not None and clear_channel:
            raise UserError("admin.error.channel_and_clear")
        changes: dict[str, object] = {}
        if rounds is not None:
            changes["quiz_rounds"] = rounds
        if seconds is not None:
            changes["quiz_seconds"] = seconds
        if mode is not None:
            changes["quiz_mode"] = mode
        if channel is not None:
            require_posting(channel, lang)
            changes["quiz_channel_id"] = channel.id
        if clear_channel:
            changes["quiz_channel_id"] = None
        if not changes:
            raise UserError("admin.error.nothing_to_change")
        settings = await self.bot.store.guilds.update(settings.guild_id, **changes)
        where = (t("admin.show.anywhere", lang) if settings.quiz_channel_id is None
                 else f"<#{settings.quiz_channel_id}>")
        await interaction.response.send_message(
            t("admin.quiz.saved", lang, rounds=settings.quiz_rounds, seconds=settings.quiz_seconds,
              mode=t(f"admin.mode.{settings.quiz_mode}", lang), channel=where), ephemeral=True)

    # -- /config random --------------------------------------------------------------------

    @app_commands.command(name="random", description="The default for /random, and a cooldown for /random, /ost, "
                                                      "/recommend")
    @app_commands.describe(
        ballads_only="/random picks only ballads unless a member asks otherwise",
        cooldown="Seconds a member waits between uses of /random, /ost and /recommend (0 = none)",
    )
    async def config_random(self, interaction: discord.Interaction, ballads_only: bool | None = None,
                            cooldown: app_commands.Range[int, 0, 3600] | None = None) -> None:
        settings, lang = await self._settings(interaction)
        changes: dict[str, object] = {}
        if ballads_only is not None:
            changes["random_ballads_only"] = int(ballads_only)
        if cooldown is not None:
            changes["cooldown_seconds"] = cooldown
        if not changes:
            raise UserError("admin.error.nothing_to_change")
        settings = await self.bot.store.guilds.update(settings.guild_id, **changes)
        cooldown_text = (t("admin.show.cooldown_none", lang) if settings.cooldown_seconds == 0
                         else t("admin.show.cooldown_seconds", lang, seconds=settings.cooldown_seconds))
        await interaction.response.send_message(
            t("admin.random.saved", lang,
              ballads=t("admin.yes", lang) if settings.random_ballads_only else t("admin.no", lang),
              cooldown=cooldown_text), ephemeral=True)

    # -- /config daily, daily-off ----------------------------------------------------------

    @app_commands.command(name="daily", description="Post a song of the day in a channel at an hour")
    @app_commands.describe(channel="Where to post the song of the day", hour="Hour of the day (0-23), local time",
                           timezone="Time zone, e.g. Asia/Seoul (default: the current one, UTC at first)")
    async def config_daily(self, interaction: discord.Interaction, channel: discord.TextChannel,
                           hour: app_commands.Range[int, 0, 23],
                           timezone: app_commands.Range[str, 1, 64] | None = None) -> None:
        settings, lang = await self._settings(interaction)
        zone_name = settings.daily_timezone if timezone is None else timezone
        zone = parse_timezone(zone_name)
        if zone is None:
            raise UserError("admin.error.bad_timezone", timezone=safe(zone_name, 64))
        require_posting(channel, lang)
        now = discord.utils.utcnow()
        last_posted = await self.bot.store.daily.last_post(settings.guild_id)
        handled = first_handled_date(now, hour, zone, last_posted)
        settings = await self.bot.store.guilds.update(
            settings.guild_id, daily_channel_id=channel.id, daily_hour=hour, daily_timezone=zone.key,
            daily_error=None, daily_last_date=handled)
        self._wake_daily()
        when = int(next_post_at(now, hour, zone, handled).timestamp())
        await interaction.response.send_message(
            t("admin.daily.saved", lang, channel=channel.mention, hour=f"{hour:02d}:00", timezone=zone.key,
              when=f"<t:{when}:F> (<t:{when}:R>)"), ephemeral=True)

    @config_daily.autocomplete("timezone")
    async def config_daily_timezone(self, interaction: discord.Interaction, current: str
                                    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=zone, value=zone) for zone in timezone_suggestions(current[:64])]

    @app_commands.command(name="daily-off", description="Stop the song of the day")
    async def config_daily_off(self, interaction: discord.Interaction) -> None:
        settings, lang = await self._settings(interaction)
        if settings.daily_channel_id is None:
            raise UserError("admin.error.daily_already_off")
        await self.bot.store.guilds.update(settings.guild_id, daily_channel_id=None, daily_hour=None, daily_error=None)
        self._wake_daily()
        await interaction.response.send_message(t("admin.daily.off", lang), ephemeral=True)

    # -- /config manager-role ----------------------------------------------------------------

    @app_commands.command(name="manager-role", description="A role that may manage quizzes without Manage Server")
    @app_commands.describe(role="Members with this role may stop any quiz and use the admin commands")
    async def config_manager_role(self, interaction: discord.Interaction, role: discord.Role) -> None:
        settings, lang = await self._settings(interaction)
        # Only Manage Server may decide who else manages: otherwise a manager could hand the
        # role to everyone.
        if not interaction_is_admin(interaction):
            raise UserError("error.no_permission")
        if role.is_default():
            raise UserError("admin.error.everyone_role")
        await self.bot.store.guilds.update(settings.guild_id, manager_role_id=role.id)
        await interaction.response.send_message(t("admin.manager.saved", lang, role=role.mention), ephemeral=True)

    @app_commands.command(name="manager-role-clear", description="Remove the bot-manager role")
    async def config_manager_role_clear(self, interaction: discord.Interaction) -> None:
        settings, lang = await self._settings(interaction)
        if not interaction_is_admin(interaction):
            raise UserError("error.no_permission")
        if settings.manager_role_id is None:
            raise UserError("admin.error.no_manager_role")
        await self.bot.store.guilds.update(settings.guild_id, manager_role_id=None)
        await interaction.response.send_message(t("admin.manager.cleared", lang), ephemeral=True)

    # -- /config language --------------------------------------------------------------------

    @app_commands.command(name="language", description="The language of the bot's replies in this server")
    @app_commands.describe(language="auto: each member's Discord language, then the server's, then English")
    async def config_language(self, interaction: discord.Interaction,
                              language: Literal["auto", "en", "ko"]) -> None:
        settings, _ = await self._settings(interaction)
        await self.bot.store.guilds.update(settings.guild_id, language=language)
        lang = await self.bot.language_for(interaction, language)
        await interaction.response.send_message(
            t("admin.language.saved", lang, language=t(f"admin.language.{language}", lang)), ephemeral=True)

    # -- /config chat ------------------------------------------------------------------------

    @app_commands.command(name="chat", description="Let members talk to the bot: mentions, replies and DMs")
    @app_commands.describe(enabled="On: the bot answers messages that mention it or reply to it (default)")
    async def config_chat(self, interaction: discord.Interaction, enabled: bool) -> None:
        settings, lang = await self._settings(interaction)
        await self.bot.store.guilds.update(settings.guild_id, chat_enabled=enabled)
        await interaction.response.send_message(t("chat.config.on" if enabled else "chat.config.off", lang),
                                                ephemeral=True)

    # -- /config reset-scores ------------------------------------------------------------------

    @app_commands.command(name="reset-scores", description="Clear this server's quiz scores (asks first)")
    async def config_reset_scores(self, interaction: discord.Interaction) -> None:
        _, lang = await self._settings(interaction)
        await interaction.response.send_message(
            t("admin.reset.prompt", lang, user=interaction.user.mention, seconds=int(RESET_WINDOW)),
            view=reset_view(interaction.user.id, lang))
        try:
            message = await interaction.original_response()
        except discord.HTTPException:
            return
        self._reset_expiry[message.id] = asyncio.create_task(self._expire_reset(interaction, message.id, lang))

    async def _expire_reset(self, interaction: discord.Interaction, message_id: int, lang: str) -> None:
        try:
            await asyncio.sleep(RESET_WINDOW)
            self._reset_expiry.pop(message_id, None)
            await interaction.edit_original_response(content=t("admin.reset.expired", lang), view=None)
        except discord.HTTPException as exc:
            log.info("could not grey out reset prompt %s: %s", message_id, exc)
        finally:
            self._reset_expiry.pop(message_id, None)

    async def reset_confirmed(self, interaction: discord.Interaction, action: str, user_id: int) -> None:
        """A press on a reset prompt's button (see ui.admin.ResetScoresButton)."""
        lang = await self.bot.language_for(interaction)
        if interaction.guild_id is None or interaction.message is None:
            return
        if interaction.user.id != user_id:
            await interaction.response.send_message(t("admin.reset.not_yours", lang, user=f"<@{user_id}>"),
                                                    ephemeral=True)
            return
        settings = await self.bot.store.guilds.get(interaction.guild_id)
        age = (interaction.created_at - interaction.message.created_at).total_seconds()
        if action == "yes" and age <= RESET_WINDOW and not interaction_is_manager(interaction, settings):
            # Manage Server (or the manager role) was taken away since the prompt: refuse privately
            # and leave the prompt to expire, as if the button had not been pressed.
            log.info("server %s: %s pressed reset without the permission", interaction.guild_id, user_id)
            await interaction.response.send_message(t("admin.error.not_manager", lang), ephemeral=True)
            return
        task = self._reset_expiry.pop(interaction.message.id, None)
        if task is not None:
            task.cancel()
        if action == "no":
            await interaction.response.edit_message(content=t("admin.reset.cancelled", lang), view=None)
        elif age > RESET_WINDOW:
            await interaction.response.edit_message(content=t("admin.reset.expired", lang), view=None)
        else:
            cleared = await self.bot.store.quiz.clear_scores(interaction.guild_id)
            log.info("quiz scores of server %s reset by %s (%d rows)", interaction.guild_id, user_id, cleared)
            await interaction.response.edit_message(
                content=t("admin.reset.done", lang, user=interaction.user.mention), view=None)


async def setup(bot: OstBot) -> None:
    bot.add_dynamic_items(ResetScoresButton)
    cog = ConfigCog(bot)
    RESET_COG.serves(cog)  # mypy: the cog answers what its buttons ask
    await bot.add_cog(cog)
