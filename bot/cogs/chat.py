"""Talking to the bot: messages that mention it, replies to its messages, and DMs, answered as a reply
with the same cards as the slash commands (`bot.chat.intents` reads what a message asks for).

Without the privileged Message Content intent Discord still delivers the text of DMs and of messages
that mention the bot (a reply that pings its author mentions it); everything else arrives without
text and is never answered. Never answered either: bots (itself included), webhooks, edits, and
messages that mention only @everyone, @here or a role.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import discord
from discord.ext import commands

from ..catalog.search import Match, strong_matches
from ..catalog.service import RandomFilters
from ..chat.intents import Intent, named_outright, parse
from ..chat.limits import ChatLimits
from ..components import CogRef
from ..errors import UserError
from ..i18n import resolve_language, t
from ..store import StoreUnavailable
from ..ui import cards
from ..ui.quiz import QUIZ_COG
from ._lookup import LOOKUP_KINDS, card_for, no_match
from .meta import help_embed
from .random_pick import pick_reply, random_filters
from .recommend import recommend_card, recommend_from

if TYPE_CHECKING:
    from ..app import OstBot
    from ..tree import OstTree
    from .quiz import Quiz

log = logging.getLogger(__name__)

Reply = tuple[discord.Embed | None, discord.ui.View | None]
_RANDOM = re.compile(cards.RANDOM_TEMPLATE)
_MORE = re.compile(cards.MORE_TEMPLATE)
_DRAMA = re.compile(cards.DRAMA_TEMPLATE)
# What each request counts against: the member cooldown of the matching slash command.
_COOLDOWN_OF = {"lookup": "ost", "random": "random", "another": "random", "recommend": "recommend",
                "like_this": "recommend"}


class QuizStarter(Protocol):
    """What the chat asks of the quiz cog: start a quiz in the message's channel, answering the
    message (a UserError when it may not start there, as /quiz start says)."""

    async def start_from_chat(self, message: discord.Message, rounds: int | None, lang: str) -> None: ...


QUIZ_STARTER: CogRef[QuizStarter] = CogRef(QUIZ_COG.name)
if TYPE_CHECKING:
    _quiz_cog_starts_quizzes: type[QuizStarter] = Quiz  # mypy checks the quiz cog keeps this promise


@dataclass(frozen=True, slots=True)
class CardContext:
    """What one of the bot's cards was drawn with, read back from its buttons and title."""

    filters: RandomFilters | None = None   # a random pick's filters (its "Another" button)
    drama_id: int | None = None            # the song's drama ("More from"), or a drama card's (its pager)
    kind: str | None = None                # "song" or "drama": what the card shows
    title: str | None = None               # its name as shown, "도깨비 (Goblin)" for Korean readers


def card_context(message: discord.Message) -> CardContext:
    filters = drama_id = None
    for row in message.components:
        for child in getattr(row, "children", ()):
            custom_id = getattr(child, "custom_id", None) or ""
            if found := _RANDOM.fullmatch(custom_id):
                filters = RandomFilters(int(found["drama"]) if found["drama"] else None,
                                        int(found["artist"]) if found["artist"] else None,
                                        found["mood"] or None, found["ballads"] == "1")
            elif (found := _MORE.fullmatch(custom_id)) or (found := _DRAMA.fullmatch(custom_id)):
                drama_id = int(found["drama"])
    title = (message.embeds[0].title or "") if message.embeds else ""
    for icon, kind in (("🎵 ", "song"), ("📺 ", "drama")):
        if title.startswith(icon):
            return CardContext(filters, drama_id, kind, title.removeprefix(icon))
    return CardContext(filters, drama_id)


def can_answer_in(channel: discord.abc.Messageable) -> bool:
    """The bot may reply here: post (in threads too), show embeds, and read history (a reply's reference)."""
    guild = getattr(channel, "guild", None)
    if guild is None or guild.me is None:
        return guild is None
    permissions = channel.permissions_for(guild.me)  # type: ignore[attr-defined]
    posting = permissions.send_messages_in_threads if isinstance(channel, discord.Thread) else permissions.send_messages
    return posting and permissions.embed_links and permissions.read_message_history and permissions.view_channel


class Chat(commands.Cog):
    def __init__(self, bot: OstBot) -> None:
        self.bot = bot
        self.limits = ChatLimits()

    # -- who is talking to the bot -----------------------------------------------------------

    def addressed(self, message: discord.Message) -> bool:
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id is not None or message.author.id == me.id:
            return False
        if message.guild is None:
            return True
        # A direct mention of the bot (a pinging reply to it mentions it too); @everyone, @here and
        # role mentions are not in `mentions`.
        return any(user.id == me.id for user in message.mentions)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if not self.addressed(message) or not message.content.strip():
            return  # a reply with its ping off arrives without text: nothing to read
        store = self.bot.store
        if store.closed:
            return
        guild = message.guild
        try:
            await store.refresh()
            settings = await store.guilds.get(guild.id if guild else None)
        except StoreUnavailable as exc:
            log.warning("chat: could not read the settings: %s", exc)
            return
        if guild is not None and not settings.chat_enabled:
            return
        if not self.limits.take(message.channel.id, message.author.id, self.bot.loop.time()):
            log.debug("chat: limit reached in channel %s (member %s)", message.channel.id, message.author.id)
            return
        if not can_answer_in(message.channel):
            log.info("chat: cannot answer in channel %s (missing permissions)", message.channel.id)
            return
        intent = parse(message.content)
        lang = intent.language or resolve_language(
            settings.language, None, str(guild.preferred_locale) if guild else None)
        await self._answer(message, intent, lang, settings.cooldown_seconds)

    async def _answer(self, message: discord.Message, intent: Intent, lang: str, cooldown: int) -> None:
        content = None
        embed = view = None
        try:
            self._cooldown(message, intent.kind, cooldown)
            embed, view = await self.reply_for(message, intent, lang)
        except UserError as error:
            content = t(error.key, lang, **error.params)
        except StoreUnavailable as error:
            log.warning("chat: %s", error)
            content = t("faults.try_again", lang)
        if content is None and embed is None:
            return  # answered already (a quiz announces itself)
        try:
            await message.reply(content=content, embed=embed or discord.utils.MISSING,
                                view=view or discord.utils.MISSING, mention_author=False,
                                allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.warning("chat: the reply in channel %s failed: %s", message.channel.id, exc)

    def _cooldown(self, message: discord.Message, kind: str, seconds: int) -> None:
        """The member cooldown of the matching slash command (shared with it), in servers."""
        name = _COOLDOWN_OF.get(kind)
        if message.guild is None or name is None:
            return
        tree: OstTree = self.bot.tree  # type: ignore[assignment]
        left = tree.cooldowns.hit((message.guild.id, message.author.id, name), seconds, self.bot.loop.time())
        if left > 0:
            raise UserError("error.cooldown", seconds=max(1, math.ceil(left)))

    # -- the answers -------------------------------------------------------------------------

    async def reply_for(self, message: discord.Message, intent: Intent, lang: str) -> Reply:
        """The card for what the message asks (a UserError when there is none to show)."""
        guild_id = message.guild.id if message.guild else None
        intent = await named_outright(intent, message.content, self.bot.catalog, guild_id, LOOKUP_KINDS)
        if intent.kind == "help":
            return help_embed(self.bot.tree, lang, admin=False, intro=t("chat.help_intro", lang)), None
        if intent.kind == "lookup":
            return await self._lookup(intent, guild_id, lang)
        if intent.kind == "recommend":
            return await recommend_card(self.bot, intent.subject, guild_id, lang, mood=intent.mood)
        if intent.kind == "random":
            return await self._random(message, intent, guild_id, lang)
        if intent.kind == "quiz":
            await self._quiz(message, intent, lang)
            return None, None
        if intent.kind in ("another", "like_this"):
            return await self._continue(message, intent, guild_id, lang)
        raise UserError("chat.unknown")

    async def _lookup(self, intent: Intent, guild_id: int | None, lang: str) -> Reply:
        svc = self.bot.catalog
        matches = await svc.resolve(intent.subject, guild_id, intent.kinds) if intent.kinds else []
        matches = matches or await svc.resolve(intent.subject, guild_id, LOOKUP_KINDS)
        if not matches:
            if not intent.kinds:  # a bare word that names nothing: chatter, not a look-up
                raise UserError("chat.unknown")
            raise await no_match(self.bot, intent.subject, guild_id, LOOKUP_KINDS, lang)
        return await card_for(self.bot, matches[0], lang, guild_id, others=strong_matches(matches)[1:])

    async def _random(self, message: discord.Message, intent: Intent, guild_id: int | None, lang: str) -> Reply:
        drama = artist = None
        if intent.subject:
            matches = await self.bot.catalog.resolve(intent.subject, guild_id, ("drama", "artist"))
            if not matches:
                raise await no_match(self.bot, intent.subject, guild_id, ("drama", "artist"), lang)
            drama, artist = (matches[0].ref, None) if matches[0].kind == "drama" else (None, matches[0].ref)
        filters = await random_filters(self.bot, guild_id, lang, drama=drama, artist=artist, mood=intent.mood)
        return await pick_reply(self.bot, message.channel.id, guild_id, filters, lang)

    async def _quiz(self, message: discord.Message, intent: Intent, lang: str) -> None:
        if message.guild is None:
            raise UserError("chat.dm_no_quiz")
        starter = QUIZ_STARTER.find(self.bot)
        if starter is None:  # unloaded: the bot is shutting down
            raise UserError("error.unexpected")
        await starter.start_from_chat(message, intent.rounds, lang)

    async def _continue(self, message: discord.Message, intent: Intent, guild_id: int | None, lang: str) -> Reply:
        """"Another" draws again with the card's filters; "like this" recommends from its song or drama."""
        card = await self._replied_card(message)
        context = card_context(card) if card is not None else CardContext()
        if intent.kind == "another":
            filters = context.filters or await random_filters(self.bot, guild_id, lang)
            return await pick_reply(self.bot, message.channel.id, guild_id, filters, lang)
        shown = await self._card_entry(context, guild_id)
        if shown is None:
            raise UserError("chat.nothing_to_continue")
        return await recommend_from(self.bot, shown, guild_id, lang)

    async def _replied_card(self, message: discord.Message) -> discord.Message | None:
        """The bot's own message this one replies to, if it does."""
        reference = message.reference
        if reference is None or reference.message_id is None:
            return None
        found = reference.resolved or reference.cached_message
        if isinstance(found, discord.Message) and self.bot.user is not None and found.author.id == self.bot.user.id:
            return found
        return None

    async def _card_entry(self, context: CardContext, guild_id: int | None) -> Match | None:
        """The song or drama a card shows: its name resolved among its kind, from the card's drama first."""
        if context.kind is None or context.title is None:
            return None
        svc = self.bot.catalog
        names = [context.title, *(part.strip() for part in context.title.rstrip(")").split(" (", 1))]
        for name in dict.fromkeys(n for n in names if n):
            for match in (await svc.resolve(name, guild_id, (context.kind,)))[:5]:
                if context.drama_id is None or (match.kind == "drama" and match.id == context.drama_id):
                    return match
                song = await svc.song(match.id, guild_id) if match.kind == "song" else None
                if song is not None and song.drama.id == context.drama_id:
                    return match
        return None


async def setup(bot: OstBot) -> None:
    await bot.add_cog(Chat(bot))
