"""live_messages: a subscription that says when it is live, so nothing published after that is missed."""

from __future__ import annotations

import asyncio

from app import runtime
from app.events.live import MARKER_KEY, live_messages
from app.events.outbox import unit_of_work
from app.payments.qr_codes import create_code
from app.payments.qr_events import emit_paid
from app.payments.qr_watch import watch_code
from tests.factories import make_merchant


async def test_an_event_published_right_after_going_live_arrives_and_markers_never_do():
    stream = live_messages("test-topic")
    assert await asyncio.wait_for(stream.__anext__(), 10) is None  # live
    await runtime.get().broker.publish("test-topic", {"n": 1})
    await runtime.get().broker.publish("test-topic", {MARKER_KEY: "someone else's marker"})
    await runtime.get().broker.publish("test-topic", {"n": 2})
    assert await asyncio.wait_for(stream.__anext__(), 10) == {"n": 1}
    assert await asyncio.wait_for(stream.__anext__(), 10) == {"n": 2}
    await stream.aclose()


async def test_watching_a_code_starts_with_its_state_and_skips_what_it_already_showed():
    _, owner = await make_merchant()
    code = await create_code(owner, amount=None, description=None, expires_in_seconds=None)
    watch = watch_code(code.id)
    first = await asyncio.wait_for(watch.__anext__(), 10)
    assert (first.status, first.transaction_id) == ("ACTIVE", None)
    async with unit_of_work() as uow:
        await emit_paid(uow, code.id, 41)
    async with unit_of_work() as uow:
        await emit_paid(uow, code.id, 41)  # the same news twice (e.g. an outbox resend)
        await emit_paid(uow, code.id, 42)  # a second payment of this open code
    assert [(s.status, s.transaction_id) for s in [
        await asyncio.wait_for(watch.__anext__(), 10), await asyncio.wait_for(watch.__anext__(), 10)
    ]] == [("PAID", 41), ("PAID", 42)]
    await watch.aclose()
