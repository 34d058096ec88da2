"""Show what the bot posts as a terminal would: plain text for pipes and files, rich for a terminal.

A `Card` is one message as a reader sees it (content, embeds, numbered buttons, select menus,
who may see it, whether it is new, edited or deleted). `PlainOutput` and `RichOutput` print
cards and the playground's own notes. Discord markdown (bold, italics, code, spoilers,
escapes) and mentions (`<@id>`, `<#id>`, `<t:unix:R>`) become readable text.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TextIO

import discord

# -- cards -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ButtonInfo:
    number: int
    label: str
    custom_id: str | None
    style: str = "secondary"
    disabled: bool = False
    url: str | None = None


@dataclass(frozen=True, slots=True)
class OptionInfo:
    number: int
    label: str
    value: str
    description: str | None = None
    default: bool = False


@dataclass(frozen=True, slots=True)
class SelectInfo:
    custom_id: str
    kind: str  # string, user, role, channel, mentionable
    placeholder: str | None
    options: tuple[OptionInfo, ...]
    min_values: int = 1
    max_values: int = 1
    disabled: bool = False


@dataclass(slots=True)
class Card:
    id: int
    status: str  # "new", "edited" or "deleted"
    author: str
    audience: str | None = None  # "only alice sees this"
    content: str = ""
    embeds: list[discord.Embed] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # components-v2 text displays
    buttons: list[ButtonInfo] = field(default_factory=list)
    selects: list[SelectInfo] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    loading: bool = False


_SELECT_KINDS = {
    discord.ComponentType.string_select: "string", discord.ComponentType.user_select: "user",
    discord.ComponentType.role_select: "role", discord.ComponentType.channel_select: "channel",
    discord.ComponentType.mentionable_select: "mentionable",
}


def _walk_components(components: list[Any]) -> list[Any]:
    """Every leaf component in display order, inside rows, containers and sections."""
    out: list[Any] = []
    for component in components:
        children = getattr(component, "children", None)
        if isinstance(children, list) and not isinstance(component, discord.SelectMenu):
            out.extend(_walk_components(children))
            accessory = getattr(component, "accessory", None)
            if accessory is not None:
                out.append(accessory)
        else:
            out.append(component)
    return out


def card_from_message(message: discord.Message, status: str, author: str, audience: str | None) -> Card:
    card = Card(id=message.id, status=status, author=author, audience=audience, content=message.content or "",
                embeds=list(message.embeds), attachments=[a.filename for a in message.attachments],
                loading=message.flags.loading)
    number = 0
    for component in _walk_components(list(message.components)):
        if isinstance(component, discord.Button):
            number += 1
            emoji = f"{component.emoji} " if component.emoji else ""
            card.buttons.append(ButtonInfo(number, (emoji + (component.label or "")).strip() or "(button)",
                                           component.custom_id, component.style.name, component.disabled,
                                           component.url))
        elif isinstance(component, discord.SelectMenu):
            options = tuple(
                OptionInfo(i, (f"{o.emoji} " if o.emoji else "") + o.label, o.value, o.description, o.default)
                for i, o in enumerate(component.options, start=1))
            card.selects.append(SelectInfo(component.custom_id or "", _SELECT_KINDS.get(component.type, "string"),
                                           component.placeholder, options, component.min_values,
                                           component.max_values, component.disabled))
        elif isinstance(component, discord.TextDisplay):
            card.texts.append(component.content)
    return card


# -- Discord markdown -> styled segments ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    styles: frozenset[str] = frozenset()
    url: str | None = None


class Names:
    """Turns ids in mentions into names; the session gives one backed by the simulated server."""

    def user(self, user_id: int) -> str:
        return str(user_id)

    def channel(self, channel_id: int) -> str:
        return str(channel_id)

    def role(self, role_id: int) -> str:
        return str(role_id)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def language(self) -> str:
        """The reader's language ("en" or "ko"), as Discord would show relative times."""
        return "en"


# Discord's markdown, parsed here rather than by markdown-it-py or rich.markdown (both tried):
# CommonMark's flanking rules leave `**{song}**을(를)` unbolded when a Korean particle follows, as 21 of
# the bot's 760 message and catalog strings do, and it has no `__underline__`, `||spoilers||`, `-#`
# subtext or mentions; the plugins to fix that were as long as this parser.
_PAIRS = {"**": "bold", "__": "underline", "~~": "strike", "||": "spoiler"}
_LINK = re.compile(r"\[([^\]\n]+)\]\(<?(https?://[^)\s>]+)>?\)")
_MENTION = re.compile(r"<@!?(\d+)>|<@&(\d+)>|<#(\d+)>|<t:(-?\d+)(?::([tTdDfFsSR]))?>|<a?:(\w+):\d+>|</([^:>]+):\d+>")


_KO_UNITS = {"day": "일", "hour": "시간", "minute": "분", "second": "초"}


def _relative(seconds: float, lang: str = "en") -> str:
    """"in 15 seconds" / "15초 후", as Discord shows `<t:...:R>` to a reader of that language."""
    amount = abs(seconds)
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        if amount >= size or size == 1:
            count = round(amount / size)
            if lang == "ko":
                return f"{count}{_KO_UNITS[unit]} {'후' if seconds > 0 else '전'}"
            text = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {text}" if seconds > 0 else f"{text} ago"
    return "now"


def _timestamp(unix: int, style: str | None, names: Names) -> str:
    try:
        moment = dt.datetime.fromtimestamp(unix, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return str(unix)
    if style == "R":
        return _relative((moment - names.now()).total_seconds(), names.language())
    formats = {"t": "%H:%M", "T": "%H:%M:%S", "d": "%Y-%m-%d", "D": "%d %B %Y", "F": "%A %d %B %Y %H:%M"}
    return moment.strftime(formats.get(style or "f", "%d %B %Y %H:%M")) + " UTC"


def _mention(match: re.Match[str], names: Names) -> Segment:
    user, role, channel, unix, style, emoji, slash = match.groups()
    if user:
        return Segment("@" + names.user(int(user)), frozenset({"mention"}))
    if role:
        return Segment("@" + names.role(int(role)), frozenset({"mention"}))
    if channel:
        return Segment("#" + names.channel(int(channel)), frozenset({"mention"}))
    if unix:
        return Segment(_timestamp(int(unix), style, names), frozenset({"time"}))
    if emoji:
        return Segment(f":{emoji}:")
    return Segment("/" + slash, frozenset({"mention"}))


def _inline(line: str, base: frozenset[str], names: Names) -> list[Segment]:
    out: list[Segment] = []
    styles = set(base)
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            out.append(Segment("".join(buffer), frozenset(styles)))
            buffer.clear()

    i = 0
    while i < len(line):
        char = line[i]
        pair = line[i:i + 2]
        if char == "\\" and i + 1 < len(line) and not line[i + 1].isalnum() and not line[i + 1].isspace():
            buffer.append(line[i + 1])
            i += 2
        elif char == "`":
            ticks = 3 if line.startswith("```", i) else 1
            close = line.find("`" * ticks, i + ticks)
            if close == -1:
                buffer.append(char)
                i += 1
                continue
            flush()
            out.append(Segment(line[i + ticks:close], frozenset(styles | {"code"})))
            i = close + ticks
        elif pair in _PAIRS:
            style = _PAIRS[pair]
            if style in styles or line.find(pair, i + 2) != -1:
                flush()
                styles.symmetric_difference_update({style})
            else:
                buffer.append(pair)
            i += 2
        elif char in "*_" and _toggles_italic(line, i, "italic" in styles):
            flush()
            styles.symmetric_difference_update({"italic"})
            i += 1
        elif char == "[" and (link := _LINK.match(line, i)):
            flush()
            out.append(Segment(link.group(1), frozenset(styles | {"link"}), link.group(2)))
            i = link.end()
        elif char == "<" and (mention := _MENTION.match(line, i)):
            flush()
            found = _mention(mention, names)
            out.append(Segment(found.text, frozenset(styles | found.styles)))
            i = mention.end()
        else:
            buffer.append(char)
            i += 1
    flush()
    return out


def _toggles_italic(line: str, i: int, is_open: bool) -> bool:
    char = line[i]
    before = line[i - 1] if i else " "
    after = line[i + 1] if i + 1 < len(line) else " "
    if is_open:
        return not before.isspace() and (char == "*" or not after.isalnum())
    if after.isspace() or (char == "_" and before.isalnum()):
        return False
    return line.find(char, i + 1) != -1


def discord_markdown(text: str, names: Names) -> list[list[Segment]]:
    """Lines of styled segments: headings, `-#` subtext, quotes, lists, code blocks, inline styles."""
    lines: list[list[Segment]] = []
    in_code = False
    for raw in text.split("\n"):
        if raw.strip().startswith("```"):
            rest = raw.strip()[3:]
            if not in_code and rest.endswith("```") and len(rest) >= 3:
                lines.append([Segment(rest[:-3], frozenset({"code"}))])
                continue
            in_code = not in_code
            continue
        if in_code:
            lines.append([Segment(raw, frozenset({"code"}))])
            continue
        base: set[str] = set()
        prefix: list[Segment] = []
        line = raw
        heading = re.match(r"^(#{1,3}) (.*)$", line)
        if heading:
            base.add("heading")
            line = heading.group(2)
        elif line.startswith("-# "):
            base.add("subtext")
            line = line[3:]
        if line.startswith("> "):
            prefix.append(Segment("│ ", frozenset({"quote"})))
            line = line[2:]
        bullet = re.match(r"^(\s*)[-*] (.*)$", line)
        if bullet:
            prefix.append(Segment(bullet.group(1) + "• "))
            line = bullet.group(2)
        lines.append(prefix + _inline(line, frozenset(base), names))
    return lines


def plain_text(text: str, names: Names) -> str:
    """Discord markdown as plain text: markers gone, escapes undone, mentions named, links shown."""
    rendered = []
    for line in discord_markdown(text, names):
        rendered.append("".join(s.text + (f" ({s.url})" if s.url and s.url != s.text else "") for s in line))
    return "\n".join(rendered)


# -- outputs -----------------------------------------------------------------------------------


def _header(card: Card) -> str:
    parts = [card.author]
    if card.status == "edited":
        parts.append("edited")
    if card.audience:
        parts.append(card.audience)
    return " · ".join(parts)


def _embed_lines(embed: discord.Embed, text: Callable[[str], str]) -> list[str]:
    lines: list[str] = []
    if embed.author and embed.author.name:
        lines.append(text(embed.author.name))
    if embed.title:
        lines.append(text(embed.title))
    if embed.url:
        lines.append(f"<{embed.url}>")
    if embed.description:
        lines.extend(text(embed.description).split("\n"))
    for embed_field in embed.fields:
        name = text(embed_field.name or "")
        indent = "  " if _visible(name) else ""
        if indent:
            lines.append(f"{name}:")
        lines.extend(indent + line for line in text(embed_field.value or "").split("\n"))
    if embed.image and embed.image.url:
        lines.append(f"[image {embed.image.url}]")
    if embed.thumbnail and embed.thumbnail.url:
        lines.append(f"[thumbnail {embed.thumbnail.url}]")
    footer = embed.footer.text if embed.footer else None
    if footer or embed.timestamp:
        stamp = embed.timestamp.strftime("%Y-%m-%d %H:%M UTC") if embed.timestamp else ""
        lines.append("-- " + " · ".join(p for p in (text(footer or ""), stamp) if p))
    return lines


def _visible(text: str) -> bool:
    """False for the zero-width "blank" names bots use for untitled embed fields."""
    return bool(text.strip().strip("\u200b\u200c\u200d\u2060\ufeff").strip())


def _button_text(button: ButtonInfo) -> str:
    extra = " (disabled)" if button.disabled else ""
    link = f" -> {button.url}" if button.url else ""
    return f"[{button.number} {button.label}{link}{extra}]"


def _select_lines(select: SelectInfo, text: Callable[[str], str]) -> list[str]:
    how = "choose 1" if select.max_values == 1 else f"choose {select.min_values}-{select.max_values}"
    what = {"user": "a member", "role": "a role", "channel": "a channel", "mentionable": "a member or role"}
    title = text(select.placeholder) if select.placeholder else "menu"
    head = f"menu: {title} ({how}{', disabled' if select.disabled else ''})"
    if select.kind != "string":
        return [head + f": select {what[select.kind].split()[-1]} NAME"]
    lines = [head]
    for option in select.options:
        description = f" - {text(option.description)}" if option.description else ""
        lines.append(f"  {option.number}. {text(option.label)}{description}{' (default)' if option.default else ''}")
    return lines


class Output:
    """Where the playground writes; `PlainOutput` or `RichOutput`."""

    def __init__(self, names: Names | None = None) -> None:
        self.names = names or Names()
        # Set while a terminal prompt waits for input: output arriving then (a timer fired)
        # starts on a new line, and `resume_prompt` shows the prompt again afterwards.
        self.waiting_prompt: str | None = None
        self._interrupted = False

    def _interrupt(self) -> None:
        if self.waiting_prompt is not None and not self._interrupted:
            self._interrupted = True
            self._raw("\n")

    def resume_prompt(self, typed: str = "") -> None:
        if self._interrupted and self.waiting_prompt is not None:
            self._interrupted = False
            self._raw(self.waiting_prompt + typed)

    def _raw(self, text: str) -> None:
        raise NotImplementedError

    def text(self, value: str) -> str:
        return plain_text(value, self.names)

    def card(self, card: Card) -> None:
        raise NotImplementedError

    def note(self, text: str) -> None:
        raise NotImplementedError

    def problem(self, text: str) -> None:
        raise NotImplementedError

    def echo(self, prompt: str, line: str) -> None:
        self.note(f"{prompt}{line}")


class PlainOutput(Output):
    def __init__(self, stream: TextIO | None = None, names: Names | None = None) -> None:
        super().__init__(names)
        self.stream = stream or sys.stdout

    def _raw(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def _write(self, text: str) -> None:
        self._interrupt()
        self._raw(text + "\n")

    def card(self, card: Card) -> None:
        self._write(self.card_text(card))

    def card_text(self, card: Card) -> str:
        if card.status == "deleted":
            return f"--- {card.author}: message deleted ---"
        lines = [f"--- {_header(card)} ---"]
        if card.loading:
            lines.append("(thinking…)")
        if card.content:
            lines.extend(self.text(card.content).split("\n"))
        for embed in card.embeds:
            lines.extend("| " + line for line in _embed_lines(embed, self.text))
        for value in card.texts:
            lines.extend(self.text(value).split("\n"))
        lines.extend(f"[file {name}]" for name in card.attachments)
        if card.buttons:
            lines.append("buttons: " + " ".join(_button_text(b) for b in card.buttons))
        for select in card.selects:
            lines.extend(_select_lines(select, self.text))
        return "\n".join(lines)

    def note(self, text: str) -> None:
        self._write(text)

    def problem(self, text: str) -> None:
        self._write(f"! {text}")


class RichOutput(Output):
    """Panels with colours for a terminal."""

    _BUTTON_STYLES: ClassVar[dict[str, str]] = {
        "primary": "bold white on blue", "success": "bold white on green", "danger": "bold white on red",
        "secondary": "bold on grey30", "link": "underline blue"}
    _SEGMENT_STYLES: ClassVar[dict[str, str]] = {
        "bold": "bold", "italic": "italic", "underline": "underline", "strike": "strike", "code": "cyan",
        "spoiler": "reverse", "mention": "bold blue", "time": "magenta", "link": "underline blue",
        "heading": "bold", "subtext": "dim", "quote": "dim"}

    def __init__(self, console: Any = None, names: Names | None = None) -> None:
        from rich.console import Console

        super().__init__(names)
        self.console = console or Console(highlight=False)

    def _raw(self, text: str) -> None:
        self.console.file.write(text)
        self.console.file.flush()

    def _print(self, renderable: Any) -> None:
        self._interrupt()
        self.console.print(renderable)

    def styled(self, value: str) -> Any:
        from rich.text import Text

        result = Text()
        for index, line in enumerate(discord_markdown(value, self.names)):
            if index:
                result.append("\n")
            for segment in line:
                style = " ".join(self._SEGMENT_STYLES[s] for s in sorted(segment.styles) if s in self._SEGMENT_STYLES)
                if segment.url:
                    style = f"{style} link {segment.url}".strip()
                result.append(segment.text, style=style or None)
        return result

    def card(self, card: Card) -> None:
        from rich.panel import Panel
        from rich.text import Text

        if card.status == "deleted":
            self._print(Text(f"✗ {card.author}: message deleted", style="dim"))
            return
        parts: list[Any] = []
        if card.loading:
            parts.append(Text("thinking…", style="dim italic"))
        if card.content:
            parts.append(self.styled(card.content))
        for embed in card.embeds:
            parts.append(self._embed(embed))
        for value in card.texts:
            parts.append(self.styled(value))
        for name in card.attachments:
            parts.append(Text(f"📎 {name}", style="cyan"))
        if card.buttons:
            row = Text()
            for button in card.buttons:
                style = "dim strike" if button.disabled else self._BUTTON_STYLES.get(button.style, "bold")
                row.append(f" {button.number} {button.label} ", style=style)
                if button.url:
                    row.append(f" {button.url}", style="underline blue")
                row.append("  ")
            parts.append(row)
        for select in card.selects:
            parts.append(Text("\n".join(_select_lines(select, self.text)), style="dim" if select.disabled else ""))
        from rich.console import Group

        border = "yellow" if card.audience else ("magenta" if card.status == "edited" else "blue")
        title = Text(_header(card), style="bold")
        self._print(Panel(Group(*parts) if parts else Text(""), title=title, title_align="left",
                          border_style=border, expand=False))

    def _embed(self, embed: discord.Embed) -> Any:
        from rich.console import Group
        from rich.panel import Panel
        from rich.text import Text

        parts: list[Any] = []
        if embed.author and embed.author.name:
            parts.append(Text(self.text(embed.author.name), style="dim"))
        if embed.title:
            title = self.styled(embed.title)
            title.stylize("bold")
            parts.append(title)
        if embed.description:
            parts.append(self.styled(embed.description))
        for embed_field in embed.fields:
            name = self.styled(embed_field.name or "")
            name.stylize("bold")
            if _visible(name.plain):
                parts.append(name)
            parts.append(self.styled(embed_field.value or ""))
        footer = embed.footer.text if embed.footer else None
        if footer:
            parts.append(Text(self.text(footer), style="dim"))
        colour = f"#{embed.colour.value:06x}" if embed.colour else "grey50"
        return Panel(Group(*parts), border_style=colour, expand=False)

    def note(self, text: str) -> None:
        from rich.text import Text

        self._print(Text(text, style="dim"))

    def problem(self, text: str) -> None:
        from rich.text import Text

        self._print(Text(text, style="bold red"))

    def echo(self, prompt: str, line: str) -> None:
        from rich.text import Text

        self._print(Text(prompt + line, style="bold green"))
