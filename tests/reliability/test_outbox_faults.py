"""A committed unit of work never reports failure because of what happens after the commit.

Found by the bank test: marking events published is a second statement after the commit;
when the database connection dropped right then, the error reached the client as an
"Internal error" for a payment that had gone through."""

from __future__ import annotations

from datetime import timedelta

from app import clock, runtime
from app.events import outbox
from app.events.outbox import unit_of_work
from models import OutboxEvent


async def test_a_failed_mark_after_commit_is_not_an_error_and_the_sweeper_resends(monkeypatch):
    async def unreachable(ids: list[int]) -> None:
        raise ConnectionError("connection was closed in the middle of operation")

    received = []
    real_publish = runtime.get().broker.publish

    async def recording_publish(topic, message):  # noqa: ANN001, ANN202
        received.append(message["eventId"])
        await real_publish(topic, message)

    monkeypatch.setattr(runtime.get().broker, "publish", recording_publish)
    monkeypatch.setattr(outbox, "_mark_published", unreachable)
    async with unit_of_work() as uow:
        await uow.emit("reliability:probe", {"n": 1})
    (event,) = await OutboxEvent.filter(topic="reliability:probe")
    assert event.published_at is None
    assert received == [event.id]

    monkeypatch.undo()
    clock.set_now(clock.now() + timedelta(seconds=30))
    assert await outbox.sweep() == 1
    await event.refresh_from_db()
    assert event.published_at is not None


async def test_a_failing_after_commit_callback_does_not_fail_the_caller():
    ran = []

    async def broken() -> None:
        raise RuntimeError("notifier down")

    async def fine() -> None:
        ran.append(True)

    async with unit_of_work() as uow:
        await uow.emit("reliability:probe", {"n": 2})
        uow.after_commit(broken)
        uow.after_commit(fine)
    assert ran == [True]
    assert await OutboxEvent.filter(topic="reliability:probe").count() == 1
