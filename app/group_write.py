"""Group writes: many concurrent small writes of one kind become one statement.

Like a database's group commit: the first caller starts writing its item; items that other
requests submit while that statement runs wait and go together in the next one. Every caller
still waits until its own item is written (or gets the statement's error), so nothing changes
for the caller except that under load the database sees one short transaction for a batch
instead of one per request. Used for the autocommit writes around a payment (risk decisions,
outbox "published" marks), each of which would otherwise cost a commit of its own.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from .db import inside_transaction

T = TypeVar("T")


class _LoopQueue(Generic[T]):
    def __init__(self) -> None:
        self.waiting: list[tuple[T, asyncio.Future[None]]] = []
        self.writing = False
        self.task: asyncio.Task[None] | None = None  # held so the running drain is not collected


class GroupWrite(Generic[T]):
    def __init__(self, write: Callable[[list[T]], Awaitable[None]]) -> None:
        self._write = write
        # One queue per event loop: futures belong to the loop that created them.
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopQueue[T]] = (
            weakref.WeakKeyDictionary()
        )

    async def submit(self, item: T) -> None:
        if inside_transaction():
            # Part of the caller's transaction, as before (and the writer task, which copies
            # the first caller's context, must never run inside someone's transaction).
            await self._write([item])
            return
        loop = asyncio.get_running_loop()
        queue = self._queues.setdefault(loop, _LoopQueue())
        done: asyncio.Future[None] = loop.create_future()
        queue.waiting.append((item, done))
        if not queue.writing:
            queue.writing = True
            queue.task = loop.create_task(self._drain(queue))
        await done

    async def _drain(self, queue: _LoopQueue[T]) -> None:
        batch: list[tuple[T, asyncio.Future[None]]] = []
        try:
            while queue.waiting:
                batch, queue.waiting = queue.waiting, []
                try:
                    await self._write([item for item, _ in batch])
                except Exception as exc:  # each waiting caller sees the failure of its write
                    _settle(batch, exc)
                else:
                    _settle(batch, None)
                batch = []
        finally:
            queue.writing = False
            # Cancelled mid-write (shutdown): no caller may wait for ever.
            for _, done in [*batch, *queue.waiting]:
                done.cancel()
            queue.waiting = []


def _settle(batch: list[tuple[T, asyncio.Future[None]]], error: Exception | None) -> None:
    for _, done in batch:
        if done.done():  # the caller gave up (cancelled)
            continue
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)
