"""Quizzes at scale: N concurrent quizzes with P players each answering every round.

All quizzes start at once (the worst case: every reveal falls on the same instant). Each
round, every player clicks one answer button; the clicks arrive open-loop at a fixed rate
(`--pace` seconds for all of a round's clicks), with a floor interaction after every tenth
click so the floor is measured under the same load. Then the loop clock jumps to the
deadline and all rounds close and reveal together. A sampler measures event-loop lag the
whole time; store writes (transactions) are counted by wrapping the store's two write doors.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import re
import time
from contextlib import asynccontextmanager
from typing import Any

from .child import answer_buttons, peak_rss_kb, start
from .harness import ClockLoop, Harness, LagSampler, Outcome

_ANSWER = re.compile(r"quiz:a:(?P<game>\d+):(?P<round>\d+):(?P<option>\d)")


class WriteCounter:
    """Counts committed write transactions (every write goes through `store.transaction`)."""

    def __init__(self, store: Any) -> None:
        self.count = 0
        self.times: list[float] = []
        transaction = store.transaction
        counter = self

        @asynccontextmanager
        async def counted_transaction():
            async with transaction() as tx:
                yield tx
            counter.count += 1
            counter.times.append(time.perf_counter())

        store.transaction = counted_transaction

    def between(self, low: float, high: float) -> int:
        return sum(1 for t in self.times if low <= t <= high)


class StandingsWatch:
    """Counts the final standings messages posted (and those showing their picture) until `expected`."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.posted = 0
        self.pictures = 0
        self.last: float | None = None
        self.done = asyncio.Event()

    def watch(self, message: dict[str, Any]) -> None:
        embeds = message.get("embeds") or []
        if not embeds or "Final standings" not in str(embeds[0].get("title", "")):
            return
        self.posted += 1
        self.pictures += str((embeds[0].get("image") or {}).get("url", "")).startswith("attachment://")
        self.last = time.perf_counter()
        if self.posted >= self.expected:
            self.done.set()


def round_of(message: dict[str, Any], h: Harness) -> int | None:
    for custom_id in answer_buttons(h, message):
        match = _ANSWER.fullmatch(custom_id)
        if match:
            return int(match["round"])
    return None


async def collect_rounds(h: Harness, channels: list[int], round_number: int, limit: float = 60.0
                         ) -> dict[int, dict[str, Any]]:
    """Wait until every channel shows the question of `round_number`; its message per channel."""
    found: dict[int, dict[str, Any]] = {}
    deadline = time.perf_counter() + limit
    while len(found) < len(channels):
        for channel_id in channels:
            if channel_id in found:
                continue
            message = h.world.last_message(channel_id)
            if message is not None and round_of(message, h) == round_number:
                found[channel_id] = message
        if len(found) < len(channels):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"round {round_number}: only {len(found)} of {len(channels)} quizzes posted")
            await asyncio.sleep(0.002)
    return found


async def quiz_load(args: argparse.Namespace) -> dict[str, Any]:
    quizzes, players, rounds, seconds = args.quizzes, args.players, args.rounds, 60
    h = await start(False, args.db, channels=1 + quizzes, url=args.url)
    if h.bot.tree.get_command("quiz") is None:
        await h.close()
        return {"status": "not measured: command not built yet"}
    h.world.record_calls = False
    loop = asyncio.get_running_loop()
    assert isinstance(loop, ClockLoop)
    writes = WriteCounter(h.bot.store)
    lag = LagSampler()
    lag.start()
    rng = random.Random(5)
    channels = h.world.channel_ids[1:1 + quizzes]
    errors_before = len(h.errors.records)

    began = time.perf_counter()
    starts: list[float] = []
    for q, channel_id in enumerate(channels):
        payload = h.world.slash("quiz", {"rounds": rounds, "seconds": seconds, "mode": "buttons"},
                                user_id=h.user(1000 + q * players), channel_id=channel_id, subcommand="start")
        starts.append((await h.run(payload, collect=False)).seconds)
    started_all = time.perf_counter()

    standings = StandingsWatch(quizzes)
    h.world.watchers.append(standings.watch)
    clicks: list[float] = []
    floors: list[float] = []
    reveals: list[float] = []
    storms: list[dict[str, float]] = []
    click_lags: list[float] = []
    storm_lags: list[float] = []
    for round_number in range(1, rounds + 1):
        messages = await collect_rounds(h, channels, round_number)
        await loop.wait_for_timers(quizzes, 1.0, seconds + 1.0)
        plan: list[tuple[str, dict[str, Any]]] = []
        for q, channel_id in enumerate(channels):
            message = messages[channel_id]
            buttons = answer_buttons(h, message)
            for p in range(players):
                plan.append(("click", h.world.click(message, rng.choice(buttons),
                                                    user_id=h.user(1000 + q * players + p))))
        rng.shuffle(plan)
        with_floor: list[tuple[str, dict[str, Any]]] = []
        for k, item in enumerate(plan):
            with_floor.append(item)
            if k % 10 == 0:
                with_floor.append(("floor", h.world.slash("floor", user_id=h.user(k % 8))))

        async def one(kind: str, payload: dict[str, Any]) -> None:
            outcome: Outcome = await h.run(payload, collect=False)
            (clicks if kind == "click" else floors).append(outcome.seconds)

        lag_mark = len(lag.lags)
        phase_start = time.perf_counter()
        tasks = []
        step = args.pace / max(1, len(with_floor))
        for k, (kind, payload) in enumerate(with_floor):
            delay = phase_start + k * step - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(kind, payload)))
        await asyncio.gather(*tasks)
        click_lags += lag.lags[lag_mark:]

        # The deadline: every round closes, writes its results and reveals at once.
        await loop.wait_for_timers(quizzes, 0.5, seconds + 1.0)
        pending = {int(m["id"]) for m in messages.values()}
        revealed_at: dict[int, float] = {}
        all_revealed = asyncio.Event()

        def watch(message: dict[str, Any], pending=pending, revealed_at=revealed_at, done=all_revealed) -> None:
            message_id = int(message["id"])
            if message_id in pending and not answer_buttons(h, message) and message_id not in revealed_at:
                revealed_at[message_id] = time.perf_counter()
                if len(revealed_at) == len(pending):
                    done.set()

        h.world.watchers.append(watch)
        lag_mark = len(lag.lags)
        writes_before = writes.count
        storm_start = time.perf_counter()
        loop.advance(seconds + 0.05)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_revealed.wait(), 60)
        storm_end = max(revealed_at.values(), default=time.perf_counter())
        h.world.watchers.remove(watch)
        reveals += [t - storm_start for t in revealed_at.values()]
        storm_lags += lag.lags[lag_mark:]
        storms.append({"round": round_number, "seconds": storm_end - storm_start, "revealed": len(revealed_at),
                       "writes": writes.count - writes_before})
        if round_number < rounds:
            # The pause after a reveal, then the next question.
            await loop.wait_for_timers(quizzes, 0.5, 10.0)
            loop.advance(10.0)
    # The last reveal is followed by the final standings (a new message per channel, with its picture).
    lag_mark = len(lag.lags)
    standings_start = time.perf_counter()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(standings.done.wait(), 60)
    await asyncio.sleep(0.2)
    finished = time.perf_counter()
    standings_lags = lag.lags[lag_mark:]
    h.world.watchers.remove(standings.watch)
    await lag.stop()
    errors = h.errors.messages()[errors_before:]
    result = {
        "status": "ok", "quizzes": quizzes, "players": players, "rounds": rounds, "pace": args.pace,
        "start": starts, "click": clicks, "floor": floors, "reveal": reveals, "storms": storms,
        "lag": lag.lags, "click_lag": click_lags, "storm_lag": storm_lags,
        "writes": writes.count, "seconds": finished - began, "start_seconds": started_all - began,
        "standings": standings.posted, "standings_pictures": standings.pictures,
        "standings_seconds": (standings.last or standings_start) - standings_start, "standings_lag": standings_lags,
        "peak_rss_kb": peak_rss_kb(), "errors": errors[:5], "error_count": len(errors),
    }
    await h.close()
    return result
