"""Turn a typed line like `/quiz start rounds: 3 seconds: 15` into a command path and typed options.

The commands and their options come from the bot's own command tree, as the payloads
Discord receives (`command.to_dict(tree)`), so the playground always knows exactly what the
bot offers. Plain Python: no discord or SimCord import, so it is unit-tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..i18n.commands import command_entry
from ..i18n.commands import table as command_table

# Discord's application command option types.
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11
TYPE_NAMES = {
    STRING: "text", INTEGER: "whole number", BOOLEAN: "true/false", USER: "member", CHANNEL: "channel",
    ROLE: "role", MENTIONABLE: "member or role", NUMBER: "number", ATTACHMENT: "file path",
}
_SUBCOMMAND_TYPES = (SUB_COMMAND, SUB_COMMAND_GROUP)
_MARKER = re.compile(r"(?<!\S)([^\s:\"]+):")
_LEADING_MARKER = re.compile(r"^\s*([A-Za-z_][\w-]*):(?=\s|$)")
_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}
_QUOTES = {'"': '"', "“": "”"}


class ParseError(ValueError):
    """The line cannot become a command; the message says why and what exists instead."""


@dataclass(frozen=True, slots=True)
class Invocation:
    """A parsed slash command: `path` like ("quiz", "start") and its raw option texts."""

    path: tuple[str, ...]
    leaf: Mapping[str, Any]
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return " ".join(self.path)

    def option(self, name: str) -> Mapping[str, Any]:
        return next(o for o in _options(self.leaf) if o["name"] == name)


class Resolver:
    """Finds members, channels, roles and files by name; the session supplies the real one."""

    def member(self, name: str) -> Any:
        raise ParseError(f"there is no member named {name!r}")

    def channel(self, name: str) -> Any:
        raise ParseError(f"there is no channel named {name!r}")

    def role(self, name: str) -> Any:
        raise ParseError(f"there is no role named {name!r}")

    def attachment(self, path: str) -> tuple[str, bytes]:
        file = Path(path).expanduser()
        try:
            return file.name, file.read_bytes()
        except OSError as exc:
            raise ParseError(f"cannot read the file {path!r}: {exc.strerror or exc}") from None


# -- the command table ------------------------------------------------------------------------


def _options(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(node.get("options") or [])


def _children(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [o for o in _options(node) if o.get("type") in _SUBCOMMAND_TYPES]


def leaves(commands: Mapping[str, Mapping[str, Any]]) -> list[tuple[tuple[str, ...], Mapping[str, Any]]]:
    """Every invocable command path with its spec, in name order: (("quiz", "start"), spec)."""
    found: list[tuple[tuple[str, ...], Mapping[str, Any]]] = []

    def visit(node: Mapping[str, Any], path: tuple[str, ...]) -> None:
        children = _children(node)
        if not children:
            found.append((path, node))
        for child in sorted(children, key=lambda c: c["name"]):
            visit(child, (*path, child["name"]))

    for name in sorted(commands):
        visit(commands[name], (name,))
    return found


def describe_option(option: Mapping[str, Any]) -> str:
    """`rounds: 1-20`, `mode: buttons|typing`, `query: text` — one option for a usage line."""
    kind = option.get("type", STRING)
    if option.get("choices"):
        shown = "|".join(str(c["name"]) for c in option["choices"][:8])
        what = shown + ("|…" if len(option["choices"]) > 8 else "")
    elif kind in (INTEGER, NUMBER) and ("min_value" in option or "max_value" in option):
        what = f"{option.get('min_value', '…')}-{option.get('max_value', '…')}"
    else:
        what = TYPE_NAMES.get(kind, "value")
    return f"{option['name']}: {what}"


def usage(path: Iterable[str], leaf: Mapping[str, Any]) -> str:
    """`/quiz start [rounds: 1-20] [seconds: 10-60]`: required options bare, optional in brackets."""
    parts = ["/" + " ".join(path)]
    for option in _options(leaf):
        text = describe_option(option)
        parts.append(text if option.get("required") else f"[{text}]")
    return " ".join(parts)


def command_list(commands: Mapping[str, Mapping[str, Any]], under: tuple[str, ...] = ()) -> str:
    lines = [f"  {usage(path, leaf)}" for path, leaf in leaves(commands) if path[: len(under)] == under]
    return "\n".join(lines) if lines else "  (the bot has no slash commands yet)"


# -- parsing -----------------------------------------------------------------------------------


def parse_slash(line: str, commands: Mapping[str, Mapping[str, Any]]) -> Invocation:
    """Parse `/name [sub ...] [value] [option: value ...]` against the command table."""
    text = line.strip()
    if not text.startswith("/"):
        raise ParseError("a slash command starts with '/'")
    rest = text[1:]
    words: list[str] = []
    match = re.match(r"\s*(\S+)", rest)
    if not match or match.group(1).endswith(":"):
        raise ParseError("which command? These exist:\n" + command_list(commands))
    root_name = match.group(1).lower()
    rest = rest[match.end():]
    root_name = next((name for name in commands if _korean(name).get("name") == root_name), root_name)
    node = commands.get(root_name)
    if node is None:
        raise ParseError(f"there is no command /{root_name}. These exist:\n" + command_list(commands))
    words.append(root_name)
    while _children(node):
        match = re.match(r"\s*(\S+)", rest)
        word = match.group(1).lower() if match else ""
        child = next((c for c in _children(node) if word in (c["name"], _korean(
            " ".join((*words, c["name"]))).get("name"))), None)
        if child is None:
            where = "/" + " ".join(words)
            said = f"{where} has no subcommand {word!r}" if word else f"{where} needs a subcommand"
            raise ParseError(f"{said}. These exist:\n" + command_list(commands, tuple(words)))
        words.append(child["name"])
        rest = rest[match.end():] if match else ""
        node = child
    path = tuple(words)
    return Invocation(path, node, split_options(rest, path, node))


def _korean(qualified_name: str) -> dict[str, Any]:
    """The Korean names of a command path and its options (bot/i18n/commands_ko.toml)."""
    return command_entry(qualified_name)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] in _QUOTES and value[-1] == _QUOTES[value[0]]:
        return value[1:-1]
    return value


def _positional_target(leaf: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Where a bare value goes: the only option, else the first required one, else the first."""
    options = _options(leaf)
    if not options:
        return None
    required = [o for o in options if o.get("required")]
    return required[0] if required else options[0]


def split_options(text: str, path: tuple[str, ...], leaf: Mapping[str, Any]) -> dict[str, str]:
    """`rounds: 3 seconds: 15` -> {"rounds": "3", "seconds": "15"}; a value may contain spaces.

    A `word:` inside a value counts as the next option only when `word` is one of this
    command's options, so `/random drama: Re: Love` keeps its colon; put a value in double
    quotes to keep an option name in it literally.
    """
    known = {o["name"].lower(): o["name"] for o in _options(leaf)}
    # Korean clients type the localised option names (`/퀴즈 시작 라운드: 3`).
    for option_name, entry in _korean(" ".join(path)).get("options", {}).items():
        if option_name in known.values() and entry.get("name"):
            known[entry["name"].lower()] = option_name
    name = "/" + " ".join(path)
    raw: dict[str, str] = {}
    current: str | None = None
    start = 0
    while True:
        value_start = len(text) - len(text[start:].lstrip())
        search_from = value_start
        if value_start < len(text) and text[value_start] in _QUOTES:
            close = text.find(_QUOTES[text[value_start]], value_start + 1)
            if close != -1:
                search_from = close + 1
        marker = next((m for m in _MARKER.finditer(text, search_from) if m.group(1).lower() in known), None)
        end = marker.start() if marker else len(text)
        value = text[start:end].strip()
        if current is None:
            if value:
                leading = _LEADING_MARKER.match(value)
                if leading and leading.group(1).lower() not in known:
                    raise ParseError(f"{name} has no option {leading.group(1)!r}. {_options_help(path, leaf)}")
                target = _positional_target(leaf)
                if target is None:
                    raise ParseError(f"{name} takes no options.")
                raw[target["name"]] = _unquote(value)
        else:
            if not value:
                raise ParseError(f"{current}: needs a value. {_options_help(path, leaf)}")
            if current in raw:
                raise ParseError(f"{current}: is given twice.")
            raw[current] = _unquote(value)
        if marker is None:
            return raw
        current = known[marker.group(1).lower()]
        start = marker.end()


def _options_help(path: tuple[str, ...], leaf: Mapping[str, Any]) -> str:
    if not _options(leaf):
        return f"/{' '.join(path)} takes no options."
    return "Usage: " + usage(path, leaf)


# -- typed values ------------------------------------------------------------------------------


def _choice(option: Mapping[str, Any], text: str) -> Any:
    folded = text.casefold()
    korean = command_table().get("choices", {})
    for choice in option["choices"]:
        names = (str(choice["name"]), str(choice["value"]), str(korean.get(str(choice["value"]), "")))
        if folded in (n.casefold() for n in names if n):
            return choice["value"]
    listed = ", ".join(str(c["name"]) for c in option["choices"])
    raise ParseError(f"{option['name']}: {text!r} is not one of the choices: {listed}")


def _number(option: Mapping[str, Any], text: str, kind: Callable[[str], Any], what: str) -> Any:
    try:
        value = kind(text.replace("_", ""))
    except ValueError:
        extra = ""
        stray = _MARKER.search(text)
        if stray and stray.group(1)[0].isalpha():
            extra = f" (there is no option {stray.group(1)!r})"
        raise ParseError(f"{option['name']}: {text!r} is not {what}{extra}") from None
    low, high = option.get("min_value"), option.get("max_value")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ParseError(f"{option['name']}: must be from {low if low is not None else '…'} "
                         f"to {high if high is not None else '…'}, not {text}")
    return value


def convert(invocation: Invocation, resolver: Resolver, *, require: bool = True) -> dict[str, Any]:
    """Typed option values for SimCord: ints, bools, members, channels, roles, files."""
    values: dict[str, Any] = {}
    for name, text in invocation.raw.items():
        option = invocation.option(name)
        kind = option.get("type", STRING)
        if option.get("choices") and kind in (STRING, INTEGER, NUMBER):
            values[name] = _choice(option, text)
        elif kind == STRING:
            low, high = option.get("min_length"), option.get("max_length")
            if low is not None and len(text) < low:
                raise ParseError(f"{name}: needs at least {low} characters")
            if high is not None and len(text) > high:
                raise ParseError(f"{name}: takes at most {high} characters, not {len(text)}")
            values[name] = text
        elif kind == INTEGER:
            values[name] = _number(option, text, int, "a whole number")
        elif kind == NUMBER:
            values[name] = _number(option, text, float, "a number")
        elif kind == BOOLEAN:
            folded = text.casefold()
            if folded not in _TRUE | _FALSE:
                raise ParseError(f"{name}: say true or false, not {text!r}")
            values[name] = folded in _TRUE
        elif kind == USER:
            values[name] = resolver.member(text.lstrip("@"))
        elif kind == CHANNEL:
            values[name] = resolver.channel(text.lstrip("#"))
        elif kind == ROLE:
            values[name] = resolver.role(text.lstrip("@"))
        elif kind == MENTIONABLE:
            try:
                values[name] = resolver.member(text.lstrip("@"))
            except ParseError:
                values[name] = resolver.role(text.lstrip("@"))
        elif kind == ATTACHMENT:
            values[name] = resolver.attachment(text)
        else:
            raise ParseError(f"{name}: the playground cannot fill this kind of option")
    if require:
        missing = [o["name"] for o in _options(invocation.leaf) if o.get("required") and o["name"] not in values]
        if missing:
            raise ParseError(f"{', '.join(missing)}: required. Usage: {usage(invocation.path, invocation.leaf)}")
    return values


def focused_option(invocation: Invocation) -> str:
    """The option `complete` asks about: the last one typed that has autocomplete."""
    typed = [name for name in invocation.raw if invocation.option(name).get("autocomplete")]
    if typed:
        return typed[-1]
    able = [o["name"] for o in _options(invocation.leaf) if o.get("autocomplete")]
    if not able:
        raise ParseError(f"/{invocation.name} has no option with suggestions.")
    raise ParseError(f"type the start of a value, e.g. complete /{invocation.name} {able[0]}: gob")


# -- talking to the bot: say, dm, menu ------------------------------------------------------------

_BOT_MENTION = re.compile(r"(?<![\w<])@bot\b", re.IGNORECASE)
_MENU_LINE = re.compile(r'^\s*(?:"([^"]+)"|“([^”]+)”|(\S+))\s+(\d{1,4})\s*$')


def with_bot_mentions(text: str, bot_id: int) -> str:
    """`@bot` written in a `say` line becomes a mention of the bot, as Discord's client sends it."""
    return _BOT_MENTION.sub(f"<@{bot_id}>", text)


def parse_menu(rest: str) -> tuple[str, int]:
    """`"Find OST" 2` -> ("Find OST", 2): a message menu's name and which latest message (1 = the latest)."""
    found = _MENU_LINE.match(rest)
    if found is None or int(found[4]) < 1:
        raise ParseError('usage: menu "Find OST" N (N = 1 for the latest message, 2 for the one before)')
    return found[1] or found[2] or found[3], int(found[4])
