"""A complaint without a staff reply 24 hours after submission raises one risk alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app import clock
from app.jobs.registry import run_once
from models.risk import RiskAlert
from tests.factories import make_staff, make_user, token_for

from .documents import reply, set_status, submitted

SUBMITTED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _submit_at(gql, user, **fields):  # noqa: ANN001, ANN202
    clock.set_now(SUBMITTED_AT)
    try:
        return await submitted(gql, token_for(user), **fields)
    finally:
        clock.set_now(None)


async def _alerts() -> list[RiskAlert]:
    return list(await RiskAlert.filter(type="COMPLAINT_UNANSWERED").order_by("id"))


async def test_unanswered_complaint_raises_one_alert_after_24_hours(gql):
    user = await make_user()
    ticket = await _submit_at(gql, user, kind="COMPLAINT", subject="商户拒绝退款")
    await run_once(SUBMITTED_AT + timedelta(hours=23, minutes=59))
    assert await _alerts() == []
    await run_once(SUBMITTED_AT + timedelta(hours=24, seconds=1))
    (alert,) = await _alerts()
    assert alert.level == "MEDIUM"
    assert alert.scope == f"USER:{user.id}"
    assert alert.user_id == user.id
    assert ticket["ticketNo"] in alert.message
    await run_once(SUBMITTED_AT + timedelta(hours=30))
    assert len(await _alerts()) == 1


async def test_feedback_and_answered_or_closed_complaints_raise_nothing(gql):
    user = await make_user()
    await _submit_at(gql, user, kind="FEEDBACK")
    answered = await _submit_at(gql, user, kind="COMPLAINT")
    closed = await _submit_at(gql, user, kind="COMPLAINT")
    clock.set_now(SUBMITTED_AT + timedelta(hours=2))
    assert (await reply(gql, token_for(await make_staff("SUPPORT")), answered["id"], "已收到"))["errors"] == []
    assert not (await set_status(gql, token_for(user), closed["id"], "CLOSED")).errors
    clock.set_now(None)
    await run_once(SUBMITTED_AT + timedelta(hours=48))
    assert await _alerts() == []


async def test_an_owner_follow_up_is_not_a_staff_reply(gql):
    user = await make_user()
    ticket = await _submit_at(gql, user, kind="COMPLAINT")
    clock.set_now(SUBMITTED_AT + timedelta(hours=1))
    assert (await reply(gql, token_for(user), ticket["id"], "请尽快处理"))["errors"] == []
    clock.set_now(None)
    await run_once(SUBMITTED_AT + timedelta(hours=25))
    assert len(await _alerts()) == 1
