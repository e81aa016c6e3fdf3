"""Work a request starts after its commit and does not wait for: a webhook's first attempt, a
message's first send. Tracked per process, so that shutdown lets it finish (or cancels it)
before the database and the broker close, instead of leaving it to fail on a closed pool."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)

_running: set[asyncio.Task[Any]] = set()


def spawn(work: Coroutine[Any, Any, None], *, name: str) -> asyncio.Task[None]:
    """Run ``work`` in the background of this process; the task is held until it ends. ``work``
    must handle its own failures (a job retries what it could not do)."""
    task = asyncio.get_running_loop().create_task(work, name=name)
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


async def settle(timeout: float | None = None) -> None:  # noqa: ASYNC109 - a grace period, not an I/O timeout
    """Wait until the background work of this loop has ended (what it starts meanwhile too);
    after ``timeout`` seconds the rest is cancelled. Shutdown calls it; tests use it instead of
    sleeping."""
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout
    while True:
        mine = [task for task in _running if task.get_loop() is loop and not task.done()]
        if not mine:
            return
        left = None if deadline is None else max(deadline - loop.time(), 0)
        done, pending = await asyncio.wait(mine, timeout=left)
        if pending and left is not None and loop.time() >= deadline:  # type: ignore[operator]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            log.warning("shutdown cancelled %d background task(s) still running", len(pending))
            return
