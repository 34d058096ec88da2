"""The terminal around a playground session: read lines, keep the clock, print, quit.

Lines are read in a daemon thread so the event loop keeps running while you think. With a
terminal on stdin, virtual time follows the wall clock (a quiz round ends while you type);
with piped input it moves only on `wait`, so a script gives the same output every run.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import discord

from ..config import Settings
from .render import Output, PlainOutput, RichOutput

if TYPE_CHECKING:
    from .session import Playground

log = logging.getLogger(__name__)

TICK_SECONDS = 0.25


class LineReader:
    """Lines from a stream, one per `read()`, read in a daemon thread; None at the end."""

    def __init__(self, stream: TextIO, *, interactive: bool) -> None:
        self.stream = stream
        self.interactive = interactive
        self._want = threading.Event()
        self._prompt = ""
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._run, name="playground-input", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            self._want.wait()
            self._want.clear()
            try:
                if self.interactive:
                    line: str | None = input(self._prompt)
                else:
                    text = self.stream.readline()
                    line = text.rstrip("\r\n") if text else None
            except (EOFError, OSError, ValueError):
                line = None
            self._loop.call_soon_threadsafe(self._queue.put_nowait, line)
            if line is None:
                return

    async def read(self, prompt: str) -> str | None:
        self._prompt = prompt
        self._want.set()
        return await self._queue.get()

    def stop(self) -> None:
        """Make a pending `read()` return None (Ctrl-C)."""
        self._queue.put_nowait(None)


def choose_output(stream: TextIO | None = None) -> Output:
    stream = stream or sys.stdout
    if stream.isatty():
        from rich.console import Console

        return RichOutput(Console(file=stream, highlight=False))
    return PlainOutput(stream)


async def _ticker(session, output: Output) -> None:
    while True:
        await asyncio.sleep(TICK_SECONDS)
        await session.tick()
        output.resume_prompt(_typed_so_far())


def _typed_so_far() -> str:
    try:
        import readline
    except ImportError:
        return ""
    return readline.get_line_buffer()


async def play(settings: Settings, *, stdin: TextIO | None = None, output: Output | None = None,
               real_time: bool | None = None, banner: bool = True, seed: int | None = None) -> int:
    """Run a playground session until `quit` or the end of input; returns the exit status."""
    import simcord

    from ..app import open_bot
    from .session import CHANNEL_NAME, GUILD_NAME, YOU, Playground

    stdin = stdin or sys.stdin
    interactive = stdin.isatty()
    real_time = interactive if real_time is None else real_time
    output = output or choose_output()
    # No token and no dev server: nothing leaves the process.
    settings = dataclasses.replace(settings, token=None, dev_guild_id=None)
    bot = await open_bot(settings)
    bot.offline = True
    # strict_sync=False: SimCord starts empty each run, while the database remembers the last
    # sync, so the bot may (rightly) not sync; SimCord then registers the commands on first use.
    async with simcord.run(bot, strict_sync=False, check_errors=False) as env:
        try:
            # With the clock manual (piped input), randomness is seeded too (0 unless --seed says):
            # the same script prints the same thing every time.
            if seed is None and not real_time:
                seed = 0
            files = Path(settings.database_path).parent / "playground-files"
            session = Playground(env, output, real_clock=time.perf_counter if real_time else None,
                                 files=files, seed=seed)
            if banner:
                output.note(
                    f"OST Ballad Bot playground: the real bot on a simulated Discord server, offline.\n"
                    f"Server {GUILD_NAME!r}, channel #{CHANNEL_NAME}; you are {YOU!r} with Manage Server. "
                    f"Data: {settings.database_path}; files the bot sends go to {files}\n"
                    f"Try /ost goblin, /random, /quiz start rounds: 1. Type help for more, quit to leave.")
            await session.start()
            reader = LineReader(stdin, interactive=interactive)
            loop = asyncio.get_running_loop()
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signal.SIGINT, reader.stop)
            ticker = asyncio.create_task(_ticker(session, output)) if real_time else None
            try:
                await _read_lines(session, reader, output, interactive=interactive)
            finally:
                if ticker is not None:
                    ticker.cancel()
                    await asyncio.gather(ticker, return_exceptions=True)
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.remove_signal_handler(signal.SIGINT)
            output.note("Bye. Your playground data stay in " + str(settings.database_path))
        finally:
            await bot.close()
    return 0


async def _read_lines(session: Playground, reader: LineReader, output: Output, *, interactive: bool) -> None:
    """Hand each line read to the session until `quit` or the end of input."""
    while True:
        if interactive:
            output.waiting_prompt = session.prompt
        line = await reader.read(session.prompt)
        output.waiting_prompt = None
        if line is None:
            if interactive:
                output.note("")  # Ctrl-D or Ctrl-C left the cursor after the prompt
            return
        if not interactive:
            output.echo(session.prompt, line)
        if not await session.handle(line):
            return


def setup_logging(settings: Settings) -> None:
    """Only warnings and errors by default: the transcript is what the bot says."""
    level = logging.DEBUG if settings.log_level == "DEBUG" else logging.WARNING
    discord.utils.setup_logging(level=level, root=True)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_quiet_simulation_noise)


_NOISE = ("voice will NOT be supported", "Guilds intent seems to be disabled")


def _quiet_simulation_noise(record: logging.LogRecord) -> bool:
    """Drop start-up warnings that are about the simulation, not the bot (no voice, SimCord's state)."""
    return not (record.name.startswith("discord.") and any(n in record.getMessage() for n in _NOISE))


def run(settings: Settings, **options) -> int:
    setup_logging(settings)
    if sys.stdin.isatty():
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - line editing and history for input()
    return asyncio.run(play(settings, **options))
