"""GroupWrite: concurrent small writes share statements; each caller still waits for its own."""

from __future__ import annotations

import asyncio

import pytest

from app import db
from app.group_write import GroupWrite

pytestmark = pytest.mark.usefixtures("platform")


class Recorder:
    """A write that records its batches and can be held open like a slow statement."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail_on = fail_on

    async def __call__(self, items: list[int]) -> None:
        self.batches.append(list(items))
        await self.gate.wait()
        if self.fail_on in items:
            raise RuntimeError("database said no")


async def test_items_submitted_together_go_in_one_write_and_every_caller_waits_for_it():
    write = Recorder()
    group = GroupWrite(write)
    await asyncio.gather(*(group.submit(n) for n in range(10)))
    assert write.batches == [list(range(10))]


async def test_items_arriving_while_a_write_runs_go_together_in_the_next_one():
    write = Recorder()
    group = GroupWrite(write)
    write.gate.clear()
    first = asyncio.gather(*(group.submit(n) for n in range(3)))
    while not write.batches:  # the first statement is in flight
        await asyncio.sleep(0)
    later = asyncio.gather(*(group.submit(n) for n in range(3, 8)))
    await asyncio.sleep(0)
    assert not first.done() and not later.done()
    write.gate.set()
    await asyncio.gather(first, later)
    assert write.batches == [[0, 1, 2], [3, 4, 5, 6, 7]]


async def test_a_failed_write_fails_its_callers_and_the_group_keeps_working():
    write = Recorder(fail_on=5)
    group = GroupWrite(write)
    results = await asyncio.gather(*(group.submit(n) for n in range(10)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    await group.submit(42)
    assert write.batches[-1] == [42]


async def test_inside_a_transaction_the_item_is_written_at_once_as_part_of_it():
    write = Recorder()
    group = GroupWrite(write)
    async with db.atomic():
        await group.submit(7)
        assert write.batches == [[7]]


async def test_callers_are_released_when_the_writer_is_cancelled():
    write = Recorder()
    group = GroupWrite(write)
    write.gate.clear()
    waiting = asyncio.ensure_future(group.submit(1))
    while not write.batches:
        await asyncio.sleep(0)
    (queue,) = group._queues.values()
    queue.task.cancel()  # e.g. the event loop shutting down mid-write
    with pytest.raises(asyncio.CancelledError):
        await waiting
    write.gate.set()
    await group.submit(2)  # a new writer starts for later items
    assert write.batches[-1] == [2]
