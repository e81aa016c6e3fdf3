"""A small unbounded FIFO for one reader: what ``asyncio.Queue`` does, in a fraction of its memory.

An idle ``asyncio.Queue`` holds four deques (items, getters, putters, and the ``Event``
behind ``join``), each allocated with a 64-slot block: about 2.5 KiB before anything is
queued. Every open subscription kept one in the broker and every websocket another in
uvicorn's protocol. A ``Mailbox`` at rest is one object with two empty slots; the buffer
exists only while items wait, the future only while the reader does.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class Mailbox(Generic[T]):
    """Unbounded FIFO with one reader (``get``) and any number of writers (``put_nowait``)."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: deque[T] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: T) -> None:
        """Append ``item`` and wake the reader (never blocks, never raises)."""
        if self._items is None:
            self._items = deque()
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items) if self._items else 0

    async def get(self) -> T:
        """The oldest item, waiting for one if there is none (one reader at a time)."""
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        item = self._items.popleft()
        if not self._items:
            self._items = None  # an idle mailbox keeps no buffer
        return item
