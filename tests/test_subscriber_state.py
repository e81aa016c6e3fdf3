"""What an idle subscriber holds: the small replacements for asyncio.Queue / Event, the session
watch's timer, the lean websocket protocol and the websocket shortcut past Starlette's middleware.

README "Performance" has the memory per idle subscriber they bring; these tests pin the
behaviour each replacement must keep.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc

import pytest
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from app.events.mailbox import Mailbox
from app.http.ws_server import LeanWebSocketProtocol, WritableFlag


async def test_mailbox_is_fifo_wakes_its_reader_and_keeps_no_buffer_when_idle():
    box: Mailbox[int] = Mailbox()
    assert box.empty() and box._items is None
    reader = asyncio.ensure_future(box.get())
    await asyncio.sleep(0)
    assert not reader.done()
    box.put_nowait(1)
    box.put_nowait(2)
    assert await asyncio.wait_for(reader, 5) == 1
    assert box.qsize() == 1
    assert await box.get() == 2
    assert box.empty() and box._items is None and box._waiter is None


async def test_a_cancelled_read_leaves_the_mailbox_usable():
    box: Mailbox[str] = Mailbox()
    reader = asyncio.ensure_future(box.get())
    await asyncio.sleep(0)
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    box.put_nowait("after")
    assert await asyncio.wait_for(box.get(), 5) == "after"


def test_an_idle_mailbox_costs_a_fraction_of_an_asyncio_queue():
    def cost(make) -> int:  # noqa: ANN001
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            kept = [make() for _ in range(200)]
            size = (tracemalloc.get_traced_memory()[0] - before) // len(kept)
        finally:
            tracemalloc.stop()
        return size

    queue, box = cost(asyncio.Queue), cost(Mailbox)
    assert box * 10 < queue, (box, queue)


async def test_writable_flag_blocks_writers_while_paused_and_releases_every_one():
    flag = WritableFlag()
    assert flag.is_set()
    await asyncio.wait_for(flag.wait(), 1)  # set: returns at once
    flag.clear()
    writers = [asyncio.ensure_future(flag.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in writers)
    writers[0].cancel()  # one writer gone: the others still wake
    flag.set()
    await asyncio.wait_for(asyncio.gather(*writers[1:]), 5)
    assert flag._waiters is None


def test_fenpay_serve_runs_the_lean_websocket_protocol():
    from app.cli import uvicorn_options
    from app.settings import load_settings

    options = uvicorn_options(load_settings(), workers=1, log_level="warning")
    assert options["ws"] == "app.http.ws_server:LeanWebSocketProtocol"
    assert options["ws_per_message_deflate"] is False
    assert issubclass(LeanWebSocketProtocol, WebSocketsSansIOProtocol)
