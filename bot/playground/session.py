"""One playground session: a simulated server around the real bot, driven one typed line at a time.

The world: one server, a #general text channel, "you" with Manage Server, and any member
`as NAME` creates. Every line goes through SimCord the way a Discord client would send it;
afterwards the session compares the server's messages with what it showed last time and
prints what is new, edited or deleted, so timers (a quiz round ending) show up too.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import random
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands
from simcord import BackendError, Env, MemberActor, SetupError

from ..errors import UserError
from ..i18n import format_duration, resolve_language
from . import chatting, parsing
from .parsing import ParseError
from .render import Card, Names, Output, card_from_message

if TYPE_CHECKING:
    from ..app import OstBot

log = logging.getLogger(__name__)

GUILD_NAME = "OST Playground"
CHANNEL_NAME = "general"
YOU = "you"
BOT_NAME = "OST Ballad Bot"
MAX_WAIT = 7 * 24 * 3600
_NAME = re.compile(r"^[\w.-]{1,32}$")
# The playground's server, channel, roles and members take their ids from milliseconds of their
# own (2020, before anything SimCord hands out from its 2026 clock), so every session gets the
# same ids: otherwise the first start's command sync takes ids and shifts everything after it,
# and the data kept in the database (settings, scores, server songs) would belong to a stranger.
_ID_MS = 157_766_400_000
_MEMBER_ID_SPAN = 1 << 24
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)?$", re.I)
# Errors the bot answers on purpose (bad input, a refused check); SimCord still records them.
_EXPECTED = (UserError, app_commands.CheckFailure, app_commands.CommandOnCooldown,
             app_commands.TransformerError)

HELP = """\
Type what you would type in Discord, one command a line:
  /ost query: goblin          a slash command; options as name: value (a value may have spaces)
  /ost goblin                 the only (or first required) option needs no name
  /quiz start rounds: 3       subcommands as in Discord: /quiz start, /config show
  complete /ost query: gob    the suggestions Discord would show while typing
  click 2  |  click Another   press a button of the latest message that has buttons
  select 1  |  select Ballad  pick from the latest select menu (several: select 1 3)
  (after a form opens)        the next line is its answer, one line per field; cancel closes it
  say hi @bot goblin          post a plain message in the channel (@bot mentions the bot)
  dm 도깨비 OST                send the bot a direct message
  menu "Find OST" 1           run a message menu on the latest message (2: the one before)
  as alice                    act as another member (created on first use, no Manage Server)
  wait 20  |  wait 2m         let time pass (quiz rounds end, timers fire)
  commands                    list the bot's slash commands
  help  |  quit
Lines starting with # are comments."""


@dataclass(slots=True)
class PendingModal:
    """A form the bot opened: its fields are answered one line each."""

    member: MemberActor
    result: Any
    title: str
    fields: list[dict[str, Any]]
    answers: dict[str, str]

    @property
    def next_field(self) -> dict[str, Any]:
        return self.fields[len(self.answers)]


def modal_fields(modal: dict[str, Any]) -> list[dict[str, Any]]:
    """The text inputs of a modal payload, in order, each with its label."""
    found: list[dict[str, Any]] = []

    def visit(node: Any, label: str | None) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item, label)
            return
        if not isinstance(node, dict):
            return
        if node.get("type") == 4:
            found.append({**node, "label": node.get("label") or label or node.get("custom_id")})
            return
        visit(node.get("components"), label)
        visit(node.get("component"), node.get("label") or label)

    visit(modal.get("components"), None)
    return found


@contextlib.contextmanager
def stable_ids(env: Env, key: str) -> Iterator[None]:
    """Everything SimCord creates inside takes ids at the millisecond `key` stands for, in order:
    the same key gives the same ids in every session."""
    backend = env.backend
    allocate = getattr(backend, "_allocate_at", None)
    if allocate is None:  # another SimCord: ids as it hands them out
        yield
        return
    millisecond = _ID_MS if key == "world" else _ID_MS + 1 + zlib.crc32(key.encode()) % _MEMBER_ID_SPAN
    backend.snowflake = lambda: allocate(millisecond)  # type: ignore[method-assign]
    try:
        yield
    finally:
        del backend.snowflake


class SessionNames(Names):
    def __init__(self, env: Env, members: dict[str, MemberActor]) -> None:
        self.env = env
        self.members = members
        self.lang = "en"

    def language(self) -> str:
        return self.lang

    def user(self, user_id: int) -> str:
        for member in self.members.values():
            if member.id == user_id:
                return member.name
        user = self.env.bot.get_user(user_id)
        return user.display_name if user else str(user_id)

    def channel(self, channel_id: int) -> str:
        channel = self.env.bot.get_channel(channel_id)
        return getattr(channel, "name", None) or str(channel_id)

    def role(self, role_id: int) -> str:
        for guild in self.env.bot.guilds:
            role = guild.get_role(role_id)
            if role is not None:
                return role.name
        return str(role_id)

    def now(self) -> dt.datetime:
        return self.env.now()


class Playground:
    """Owns the simulated world and turns typed lines into actions; call `handle(line)`."""

    def __init__(self, env: Env, output: Output, *, real_clock: Callable[[], float] | None = None,
                 files: Path | None = None, seed: int | None = None) -> None:
        self.env = env
        self.output = output
        self.real_clock = real_clock
        self._real_mark = real_clock() if real_clock else 0.0
        self.lock = asyncio.Lock()
        self._shown: dict[int, str] = {}
        self._saved: dict[str, Path] = {}
        self._errors_seen = 0
        self.modal: PendingModal | None = None
        self.files = files
        self.seed = seed
        with stable_ids(env, "world"):
            self.guild = env.create_guild(GUILD_NAME, id=_ID_MS << 22 | (1 << 21))
            self.channel = self.guild.create_text_channel(CHANNEL_NAME)
            managers = self.guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
        you = self._new_member(YOU, roles=[managers])
        self.members: dict[str, MemberActor] = {YOU: you}
        self.current = you
        self.names = SessionNames(env, self.members)
        output.names = self.names

    def _new_member(self, name: str, roles: Sequence[Any] = ()) -> MemberActor:
        """A member whose id depends on the name alone: `as carol` is the same carol every session."""
        with stable_ids(self.env, "member:" + name.lower()):
            user = self.env.create_user(name)
        return self.guild.add_member(user, roles=list(roles))

    def _seed_randomness(self) -> None:
        """With a seed, /random and the quiz draw the same way every run (piped scripts compare)."""
        if self.seed is None:
            return
        bot = cast("OstBot", self.env.bot)
        bot.catalog.bags.rng = random.Random(self.seed)
        quiz = bot.get_cog("Quiz")
        if quiz is not None and hasattr(quiz, "rng"):
            quiz.rng = random.Random(self.seed)

    async def _read_language(self) -> None:
        store = cast("OstBot", self.env.bot).store
        with contextlib.suppress(Exception):  # a closed store at the very end: keep the last one
            setting = (await store.guilds.get(self.guild.id)).language
            self.names.lang = resolve_language(setting, "en-US", "en-US")

    # -- the loop's entry points ---------------------------------------------------------------

    @property
    def prompt(self) -> str:
        if self.modal is not None:
            return f"{self.modal.member.name} [{self.modal.next_field['label']}]> "
        return f"{self.current.name}> "

    async def start(self) -> None:
        async with self.lock:
            await self.env.settle()
            self._seed_randomness()
            await self._read_language()
            self.flush()

    async def handle(self, line: str) -> bool:
        """Run one line; False when the session should end."""
        async with self.lock:
            await self._follow_clock()
            try:
                return await self._dispatch(line.strip())
            except ParseError as exc:
                self.output.problem(str(exc))
            except (SetupError, BackendError) as exc:
                self.output.problem(f"Discord would not allow that: {exc}")
            except TimeoutError as exc:
                self.output.problem(f"The bot did not finish within a few seconds; it may be stuck. {exc}")
            except Exception as exc:  # keep the session alive; the traceback goes to the log
                log.exception("the playground could not run %r", line)
                self.output.problem(f"The playground failed on that line: {type(exc).__name__}: {exc}")
            finally:
                await self._read_language()
                self.flush()
            return True

    async def tick(self) -> None:
        """Let virtual time catch up with the wall clock and show what happened meanwhile."""
        async with self.lock:
            try:
                await self._follow_clock()
            except TimeoutError:
                self.output.problem("The bot did not settle while time passed.")
            self.flush()

    async def _follow_clock(self) -> None:
        if self.real_clock is None:
            return
        now = self.real_clock()
        elapsed, self._real_mark = now - self._real_mark, now
        if elapsed > 0.001:
            await self.env.advance_time(elapsed)

    # -- what the bot did ----------------------------------------------------------------------

    def flush(self) -> None:
        """Print every message that is new, edited or deleted since the last flush."""
        self._report_errors()
        current: dict[int, tuple[str, discord.Message]] = {}
        for channel in self.guild.channels.values():
            # Each member's view: SimCord shows an ephemeral reply only to the one it is for.
            for member in self.members.values():
                try:
                    history = channel.history(viewer=member)
                except (SetupError, BackendError):
                    continue
                for message in history:
                    if message.id not in current:
                        current[message.id] = (self._fingerprint(message), message)
        for message_id in sorted(current):
            fingerprint, message = current[message_id]
            before = self._shown.get(message_id)
            if before == fingerprint:
                continue
            self._shown[message_id] = fingerprint
            self.output.card(self._card(message, "new" if before is None else "edited"))
        for message_id in sorted(set(self._shown) - set(current)):
            del self._shown[message_id]
            self.output.card(Card(id=message_id, status="deleted", author=BOT_NAME))

    @staticmethod
    def _fingerprint(message: discord.Message) -> str:
        def component(c: Any) -> Any:
            try:
                return c.to_dict()
            except Exception:  # a component kind without to_dict: compare its repr
                return repr(c)

        return json.dumps([message.content, [e.to_dict() for e in message.embeds],
                           [component(c) for c in message.components], message.flags.value,
                           [a.filename for a in message.attachments]], sort_keys=True, default=str)

    def _card(self, message: discord.Message, status: str) -> Card:
        bot_user = self.env.bot.user
        author = BOT_NAME if bot_user and message.author.id == bot_user.id else message.author.display_name
        audience = None
        if message.flags.ephemeral:
            metadata = message.interaction_metadata
            who = self.output.names.user(metadata.user.id) if metadata else "the invoker"
            audience = "only you see this" if who == YOU else f"only {who} sees this"
        card = card_from_message(message, status, author, audience)
        if self.files is not None and message.attachments:
            card.attachments = [f"{a.filename} (saved as {self._save(a)})" for a in message.attachments]
        return card

    def _save(self, attachment: discord.Attachment) -> Path:
        """A file the bot sent, written beside the playground database (so it can be opened, or
        imported back with `/catalog import file: PATH`). A later session writes over its files."""
        assert self.files is not None
        saved = self._saved.get(attachment.url)
        if saved is not None:
            return saved
        data = self.env.backend.cdn.get(attachment.url) or b""
        self.files.mkdir(parents=True, exist_ok=True)
        name = Path(attachment.filename).name or "file"
        path = self.files / name
        stem, suffix, number = path.stem, path.suffix, 2
        while path in self._saved.values():  # a second file of that name this session: name-2
            path = self.files / f"{stem}-{number}{suffix}"
            number += 1
        path.write_bytes(data)
        self._saved[attachment.url] = path
        return path

    def _report_errors(self) -> None:
        errors = self.env.errors
        for error in errors[self._errors_seen:]:
            original = getattr(error, "original", error)
            if isinstance(error, _EXPECTED) or isinstance(original, _EXPECTED):
                continue
            self.output.problem(f"the bot raised {type(original).__name__}: {original} (see the log)")
        self._errors_seen = len(errors)

    # -- lines ---------------------------------------------------------------------------------

    async def _dispatch(self, line: str) -> bool:
        if self.modal is not None:
            await self._answer_modal(line)
            return True
        if not line or line.startswith("#"):
            return True
        verb, _, rest = line.partition(" ")
        verb = verb.lower()
        rest = rest.strip()
        if line.startswith("/"):
            await self._slash(line)
        elif verb in ("quit", "exit", "bye"):
            return False
        elif verb in ("help", "?"):
            self.output.note(HELP)
        elif verb == "commands":
            self.output.note("The bot's slash commands:\n" + parsing.command_list(self.commands()))
        elif verb == "complete":
            await self._complete(rest)
        elif verb == "click":
            await self._click(rest)
        elif verb == "select":
            await self._select(rest)
        elif verb in ("say", "dm", "menu"):
            await {"say": chatting.say, "dm": chatting.dm, "menu": chatting.menu}[verb](self, rest)
        elif verb == "as":
            self._switch(rest)
        elif verb == "wait":
            await self._wait(rest)
        else:
            raise ParseError(f"{verb!r} is not something the playground knows. Type help.")
        return True

    def commands(self) -> dict[str, dict[str, Any]]:
        """The bot's chat-input commands as Discord receives them, by name."""
        tree = cast("OstBot", self.env.bot).tree
        return {c.name: c.to_dict(tree) for c in tree.get_commands(type=discord.AppCommandType.chat_input)}

    async def _slash(self, line: str) -> None:
        invocation = parsing.parse_slash(line, self.commands())
        options = parsing.convert(invocation, _WorldResolver(self))
        result = await self.current.slash(self.channel, invocation.name, **options)
        self._after(result)

    async def _complete(self, rest: str) -> None:
        if not rest.startswith("/"):
            raise ParseError("usage: complete /ost query: gob")
        invocation = parsing.parse_slash(rest, self.commands())
        focused = parsing.focused_option(invocation)
        others = parsing.Invocation(invocation.path, invocation.leaf,
                                    {k: v for k, v in invocation.raw.items() if k != focused})
        filled = parsing.convert(others, _WorldResolver(self), require=False)
        choices = await self.current.autocomplete(self.channel, invocation.name, focused,
                                                  invocation.raw[focused], **filled)
        if not choices:
            self.output.note(f"(no suggestions for {focused}: {invocation.raw[focused]!r})")
            return
        lines = [f"suggestions for {focused}:"]
        for number, choice in enumerate(choices, start=1):
            value = "" if str(choice["value"]) == choice["name"] else f"  (value: {choice['value']})"
            lines.append(f"  {number}. {choice['name']}{value}")
        self.output.note("\n".join(lines))

    def _latest(self, has: Callable[[Card], bool], what: str) -> tuple[discord.Message, Card]:
        for message in reversed(self.channel.history(viewer=self.current)):
            card = self._card(message, "new")
            if has(card):
                return message, card
        raise ParseError(f"there is no message with {what} that {self.current.name} can see.")

    async def _click(self, rest: str) -> None:
        if not rest:
            raise ParseError("usage: click NUMBER or click LABEL")
        message, card = self._latest(lambda c: bool(c.buttons), "buttons")
        if rest.isdigit():
            button = next((b for b in card.buttons if b.number == int(rest)), None)
        else:
            wanted = rest.casefold()
            exact = [b for b in card.buttons if b.label.casefold() == wanted]
            partial = [b for b in card.buttons if wanted in b.label.casefold()]
            button = exact[0] if exact else (partial[0] if len(partial) == 1 else None)
        if button is None:
            labels = ", ".join(f"{b.number} {b.label}" for b in card.buttons)
            raise ParseError(f"no button {rest!r} on the latest message with buttons ({labels}).")
        if button.url:
            self.output.note(f"That button is a link: {button.url}")
            return
        if button.disabled:
            raise ParseError(f"the button {button.label!r} is disabled.")
        result = await self.current.click(message, custom_id=button.custom_id)
        self._after(result)

    async def _select(self, rest: str) -> None:
        if not rest:
            raise ParseError("usage: select NUMBER [NUMBER...] or select LABEL")
        message, card = self._latest(lambda c: bool(c.selects), "a select menu")
        menu = next((s for s in card.selects if not s.disabled), card.selects[0])
        if menu.disabled:
            raise ParseError("that select menu is disabled.")
        resolver = _WorldResolver(self)
        values: list[Any]
        if menu.kind != "string":
            finder = {"user": resolver.member, "role": resolver.role, "channel": resolver.channel,
                      "mentionable": resolver.member}[menu.kind]
            values = [finder(word.lstrip("@#")) for word in rest.split()]
        else:
            values = self._option_values(menu, rest)
        result = await self.current.select(message, values, custom_id=menu.custom_id)
        self._after(result)

    @staticmethod
    def _option_values(menu: Any, rest: str) -> list[str]:
        words = rest.replace(",", " ").split()
        if all(w.isdigit() for w in words):
            picked = []
            for word in words:
                option = next((o for o in menu.options if o.number == int(word)), None)
                if option is None:
                    raise ParseError(f"the menu has options 1 to {len(menu.options)}, not {word}.")
                picked.append(option.value)
            return picked
        wanted = rest.casefold()
        for option in menu.options:
            if wanted in (option.label.casefold(), option.value.casefold()):
                return [option.value]
        partial = [o for o in menu.options if wanted in o.label.casefold()]
        if len(partial) == 1:
            return [partial[0].value]
        raise ParseError(f"no single option matches {rest!r}; use its number.")

    def _after(self, result: Any) -> None:
        """Note what a client would show besides messages: a form, or no answer at all."""
        modal = result.modal
        if modal:
            fields = modal_fields(modal)
            if not fields:
                self.output.problem("The bot opened a form the playground cannot fill (no text fields).")
                return
            self.modal = PendingModal(self.current, result, modal.get("title", "form"), fields, {})
            lines = [f"The bot opened a form: {modal.get('title', '')}"]
            for number, item in enumerate(fields, start=1):
                required = "" if item.get("required", True) else " (optional)"
                hint = f" e.g. {item['placeholder']}" if item.get("placeholder") else ""
                lines.append(f"  {number}. {item['label']}{required}{hint}")
            lines.append("Type one line per field (cancel closes the form).")
            self.output.note("\n".join(lines))
        elif not result.acknowledged:
            self.output.problem("The bot did not answer (Discord would say: The application did not respond).")

    async def _answer_modal(self, line: str) -> None:
        modal = self.modal
        assert modal is not None
        if line.strip().lower() == "cancel" and not modal.answers:
            self.modal = None
            self.output.note("Form closed without sending.")
            return
        item = modal.next_field
        modal.answers[item["custom_id"]] = line
        if len(modal.answers) < len(modal.fields):
            return
        self.modal = None
        values = {k: v for k, v in modal.answers.items() if v}
        result = await modal.member.submit_modal(modal.result, values)
        self._after(result)

    def _switch(self, name: str) -> None:
        if not name:
            people = ", ".join(self.members)
            self.output.note(f"You are {self.current.name}. Members: {people}. Switch with: as NAME")
            return
        if not _NAME.match(name):
            raise ParseError("a member name is 1 to 32 letters, digits, dots, dashes or underscores.")
        key = name.lower()
        member = self.members.get(key)
        if member is None:
            member = self._new_member(name)
            self.members[key] = member
            self.output.note(f"{name} joined the server.")
        self.current = member
        self.output.note(f"You are now {member.name}.")

    async def _wait(self, rest: str) -> None:
        match = _DURATION.match(rest)
        if not match:
            raise ParseError("usage: wait SECONDS (or wait 2m, wait 1h)")
        unit = (match.group(2) or "s")[0].lower()
        seconds = float(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[unit]
        if not 0 < seconds <= MAX_WAIT:
            raise ParseError("wait between a moment and 7 days.")
        await self.env.advance_time(seconds)
        self.output.note(f"({format_duration(seconds, smallest='second', always='second')} later)")


class _WorldResolver(parsing.Resolver):
    """Names typed in options, found in the simulated server."""

    def __init__(self, session: Playground) -> None:
        self.session = session

    def member(self, name: str) -> Any:
        key = name.lower()
        if key == "me":
            return self.session.current
        if key in self.session.members:
            return self.session.members[key]
        raise ParseError(f"there is no member {name!r}; members: {', '.join(self.session.members)}")

    def channel(self, name: str) -> Any:
        channels = self.session.guild.channels
        for channel_name, handle in channels.items():
            if channel_name.lower() == name.lower():
                return handle
        raise ParseError(f"there is no channel {name!r}; channels: {', '.join('#' + c for c in channels)}")

    def role(self, name: str) -> Any:
        roles = self.session.guild.roles
        for role_name, handle in roles.items():
            if role_name.lower() == name.lower():
                return handle
        raise ParseError(f"there is no role {name!r}; roles: {', '.join(roles)}")
