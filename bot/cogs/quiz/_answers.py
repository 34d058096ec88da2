"""Answers written to the store as they are given, before the player is told "locked in"."""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable

from ...quiz.session import Answer
from ...store.quiz_repo import QuizRepo

log = logging.getLogger(__name__)


class Kept(enum.Enum):
    """What became of an answer's write, for the player's receipt."""

    STORED = "stored"            # in the store: "locked in"
    UNDER_WAY = "under_way"      # slow: still being written in the background; "locked in"
    FAILED = "failed"            # the store refused it (an error): the player is told it was not saved


class AnswerWrites:
    """Answers are written to the store as they are given, before the player is told "locked in": an
    answer a player saw accepted counts after any restart, a crash included. One statement each, by the
    store's quickest path (`Store.append`). A write still on its way when its round closes is waited for
    (recording the round moves the round's kept answers), and so is every one at shutdown.

    A click waits for its write at most KEEP_WAIT seconds (a store that hangs must not make the reply
    miss Discord's 3-second deadline): then the write starts again in the background and the player is
    answered. A write that fails (an error: a full disk, a lost database) is not retried here: the player is
    told it was not saved, and the answer, still in the session, is written with its round's record, which
    waits for the store to work again (`GameRunner.record`). It counts in this process either way."""

    KEEP_WAIT = 1.5

    def __init__(self, repo_of: Callable[[], QuizRepo]) -> None:
        self._repo_of = repo_of
        self._writing: dict[int, set[asyncio.Future[None]]] = {}
        self._background: set[asyncio.Task[Kept]] = set()

    async def keep(self, game_id: int, round_number: int, answer: Answer) -> Kept:
        """Write the answer, waiting at most KEEP_WAIT seconds: stored, under way, or failed."""
        return await self._write(game_id, round_number, answer, self._track(game_id), wait=self.KEEP_WAIT)

    def _track(self, game_id: int) -> asyncio.Future[None]:
        """A write of this game under way, until the future is done (see `settled`)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._writing.setdefault(game_id, set()).add(done)
        return done

    async def _write(self, game_id: int, round_number: int, answer: Answer, done: asyncio.Future[None], *,
                     wait: float | None) -> Kept:
        try:
            async with asyncio.timeout(wait):
                await self._repo_of().add_answer(game_id, round_number, answer)
            return Kept.STORED
        except TimeoutError:  # the write was stopped at the deadline; it is made again (kept once, whatever)
            log.warning("quiz %s: an answer took over %.1f s to write; it is written in the background",
                        game_id, wait)
            task = asyncio.create_task(self._write(game_id, round_number, answer, self._track(game_id), wait=None),
                                       name=f"quiz-{game_id}-answer")
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return Kept.UNDER_WAY
        except Exception as exc:  # it still counts in this process, and goes with its round's record
            log.warning("quiz %s: an answer was not kept in the store: %s: %s", game_id, type(exc).__name__, exc)
            return Kept.FAILED
        finally:
            writing = self._writing.get(game_id, set())
            writing.discard(done)
            if not writing:
                self._writing.pop(game_id, None)
            done.set_result(None)

    async def settled(self, game_id: int | None = None) -> None:
        """Returns once every answer write under way (of this game, or of every game) is over."""
        while under_way := [f for game, futures in self._writing.items() if game_id in (None, game) for f in futures]:
            await asyncio.wait(under_way)
