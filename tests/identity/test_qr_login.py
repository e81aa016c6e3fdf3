"""QR login (2.2.3) in-process: the page's subscription, the phone's scan and confirmation."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from app import clock
from app.jobs.registry import run_once
from models import AuditRecord
from models.identity import QrLoginSession
from schema.context import Context
from schema.node import to_global_id
from schema.root import schema
from tests.factories import make_user, token_for
from tests.harness.graphql import user_error_codes
from tests.identity.helpers import VIEWER
from tests.identity.qr_documents import CONFIRM, CREATE, SCAN, STATUS


class Watcher:
    """The web page's side: a subscription run in-process against the schema."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    async def next(self, timeout: float = 8.0) -> dict[str, Any]:
        result = await asyncio.wait_for(self.stream.__anext__(), timeout)
        assert not result.errors, result.errors
        return result.data["qrLoginStatus"]

    async def ended(self, timeout: float = 8.0) -> bool:
        try:
            await asyncio.wait_for(self.stream.__anext__(), timeout)
        except StopAsyncIteration:
            return True
        return False


async def watch(session_id: str, secret: str) -> Watcher:
    stream = await schema.subscribe(
        STATUS, variable_values={"id": session_id, "secret": secret}, context_value=Context(client_ip="10.1.2.3")
    )
    return Watcher(stream)


async def create(gql, description: str | None = "Chrome 浏览器 · 上海") -> dict[str, Any]:
    payload = await gql.mutate(CREATE, {"d": description})
    assert payload["errors"] == []
    return payload


async def test_create_is_anonymous_and_returns_a_code_and_a_secret(gql):
    clock.set_now(datetime(2026, 11, 5, 9, 0, 0))
    payload = await create(gql)
    session = payload["session"]
    assert session["status"] == "PENDING"
    assert session["payload"].startswith("fenpay://qr-login?token=")
    assert session["svg"].startswith("<svg") and "</svg>" in session["svg"]
    assert session["expiresAt"].startswith("2026-11-05T09:02:00")
    assert len(payload["secret"]) >= 40
    row = await QrLoginSession.get()
    assert payload["secret"] not in row.secret_hash


async def test_confirmed_login_pushes_every_step_and_tokens_once(gql):
    phone_user = await make_user()
    created = await create(gql)
    session_id, secret = created["session"]["id"], created["secret"]
    page = await watch(session_id, secret)
    assert (await page.next())["status"] == "PENDING"

    scanned = await gql.mutate(SCAN, {"p": created["session"]["payload"]}, token=token_for(phone_user))
    assert scanned["errors"] == []
    assert scanned["clientDescription"] == "Chrome 浏览器 · 上海"
    assert scanned["session"]["status"] == "SCANNED"
    event = await page.next()
    assert event["status"] == "SCANNED" and event["auth"] is None

    confirmed = await gql.mutate(CONFIRM, {"id": session_id, "approve": True}, token=token_for(phone_user))
    assert confirmed["session"]["status"] == "CONFIRMED"
    event = await page.next()
    assert event["status"] == "CONFIRMED"
    auth = event["auth"]
    assert auth["user"]["id"] == to_global_id("User", phone_user.id)
    assert (await gql.ok(VIEWER, token=auth["accessToken"]))["viewer"]["id"] == auth["user"]["id"]
    assert await page.ended()

    # A second page holding the secret sees the outcome but no tokens.
    late = await watch(session_id, secret)
    event = await late.next()
    assert event["status"] == "CONFIRMED" and event["auth"] is None
    assert await late.ended()

    confirm_record = await AuditRecord.get(action="qr_login.confirm")
    assert confirm_record.actor_id == phone_user.id and confirm_record.details["approved"] is True
    login_record = await AuditRecord.get(action="login.success")
    assert login_record.details["method"] == "QR_CODE" and login_record.ip == "10.1.2.3"


async def test_two_pages_with_the_secret_get_the_tokens_once_between_them(gql):
    phone_user = await make_user()
    created = await create(gql)
    session_id, secret = created["session"]["id"], created["secret"]
    pages = [await watch(session_id, secret) for _ in range(2)]
    for page in pages:
        assert (await page.next())["status"] == "PENDING"
    await gql.mutate(SCAN, {"p": created["session"]["payload"]}, token=token_for(phone_user))
    await gql.mutate(CONFIRM, {"id": session_id, "approve": True}, token=token_for(phone_user))
    finals = []
    for page in pages:
        event = await page.next()
        while event["status"] != "CONFIRMED":
            event = await page.next()
        finals.append(event)
    assert sorted(e["auth"] is not None for e in finals) == [False, True]


async def test_declined_login_pushes_rejected_without_tokens(gql):
    phone_user = await make_user()
    created = await create(gql)
    page = await watch(created["session"]["id"], created["secret"])
    assert (await page.next())["status"] == "PENDING"
    await gql.mutate(SCAN, {"p": created["session"]["payload"]}, token=token_for(phone_user))
    assert (await page.next())["status"] == "SCANNED"
    declined = await gql.mutate(CONFIRM, {"id": created["session"]["id"], "approve": False}, token=token_for(phone_user))
    assert declined["session"]["status"] == "REJECTED"
    event = await page.next()
    assert event == {**event, "status": "REJECTED", "auth": None}
    assert await page.ended()
    record = await AuditRecord.get(action="qr_login.confirm")
    assert record.details["approved"] is False
    assert not await AuditRecord.filter(action="login.success").exists()


@pytest.mark.parametrize("wrong", ["secret", "session"])
async def test_wrong_secret_or_session_gets_an_error(gql, wrong):
    created = await create(gql)
    session_id, secret = created["session"]["id"], created["secret"]
    if wrong == "secret":
        secret = secret[:-2] + ("aa" if not secret.endswith("aa") else "bb")
    else:
        session_id = to_global_id("QrLoginSession", 999_999)
    stream = await schema.subscribe(STATUS, variable_values={"id": session_id, "secret": secret},
                                    context_value=Context(client_ip="10.1.2.3"))
    result = await asyncio.wait_for(stream.__anext__(), 5)
    assert result.errors and not result.data
    assert result.errors[0].extensions["code"] == "NOT_FOUND"


async def test_expiry_is_pushed_when_the_time_comes(gql):
    start = clock.now()
    clock.set_now(start)
    phone_user = await make_user()
    created = await create(gql)
    page = await watch(created["session"]["id"], created["secret"])
    assert (await page.next())["status"] == "PENDING"
    # Not yet: the sweep leaves a live session alone.
    await run_once(start + timedelta(seconds=119))
    assert (await QrLoginSession.get()).status == "PENDING"
    await run_once(start + timedelta(seconds=120))
    assert (await QrLoginSession.get()).status == "EXPIRED"
    clock.set_now(start + timedelta(seconds=120))
    event = await page.next()
    assert event["status"] == "EXPIRED" and event["auth"] is None
    assert await page.ended()
    scan = await gql.mutate(SCAN, {"p": created["session"]["payload"]}, token=token_for(phone_user))
    assert user_error_codes(scan) == ["QR_CODE_EXPIRED"]


async def test_the_subscription_itself_expires_the_session_on_time(gql, monkeypatch):
    """No sweep and no scan: the waiting subscription marks the session EXPIRED at its instant."""
    from app.identity import qr_login

    monkeypatch.setattr(qr_login, "SESSION_TTL", timedelta(milliseconds=300))
    created = await create(gql)
    page = await watch(created["session"]["id"], created["secret"])
    assert (await page.next())["status"] == "PENDING"
    assert (await page.next(timeout=5))["status"] == "EXPIRED"
    assert (await QrLoginSession.get()).status == "EXPIRED"


async def test_scanning_an_expired_code_is_refused_and_tells_the_page(gql):
    clock.set_now(clock.now())
    phone_user = await make_user()
    created = await create(gql)
    page = await watch(created["session"]["id"], created["secret"])
    assert (await page.next())["status"] == "PENDING"
    clock.advance(timedelta(seconds=121))
    scan = await gql.mutate(SCAN, {"p": created["session"]["payload"]}, token=token_for(phone_user))
    assert user_error_codes(scan) == ["QR_CODE_EXPIRED"]
    assert (await page.next())["status"] == "EXPIRED"


async def test_confirming_after_expiry_is_refused(gql):
    clock.set_now(clock.now())
    phone_user = await make_user()
    created = await create(gql)
    await gql.mutate(SCAN, {"p": created["session"]["payload"]}, token=token_for(phone_user))
    clock.advance(timedelta(seconds=121))
    confirm = await gql.mutate(CONFIRM, {"id": created["session"]["id"], "approve": True}, token=token_for(phone_user))
    assert user_error_codes(confirm) == ["QR_CODE_EXPIRED"]
    assert (await QrLoginSession.get()).status == "EXPIRED"


async def test_a_session_is_used_once(gql):
    phone_user, other = await make_user(), await make_user()
    created = await create(gql)
    payload, session_id = created["session"]["payload"], created["session"]["id"]
    assert (await gql.mutate(SCAN, {"p": payload}, token=token_for(phone_user)))["errors"] == []
    assert user_error_codes(await gql.mutate(SCAN, {"p": payload}, token=token_for(phone_user))) == ["QR_CODE_USED"]
    assert user_error_codes(await gql.mutate(SCAN, {"p": payload}, token=token_for(other))) == ["QR_CODE_USED"]
    # Only the phone that scanned may answer.
    stranger = await gql.mutate(CONFIRM, {"id": session_id, "approve": True}, token=token_for(other))
    assert user_error_codes(stranger) == ["NOT_FOUND"]
    assert (await gql.mutate(CONFIRM, {"id": session_id, "approve": True}, token=token_for(phone_user)))["errors"] == []
    again = await gql.mutate(CONFIRM, {"id": session_id, "approve": False}, token=token_for(phone_user))
    assert user_error_codes(again) == ["QR_CODE_USED"]


async def test_confirm_needs_a_scan_first_and_scan_needs_a_real_code(gql):
    phone_user = await make_user()
    created = await create(gql)
    unscanned = await gql.mutate(CONFIRM, {"id": created["session"]["id"], "approve": True}, token=token_for(phone_user))
    assert user_error_codes(unscanned) == ["NOT_FOUND"]
    for bogus in ["fenpay://qr-login?token=doesnotexist12345", "https://evil.example/", ""]:
        assert user_error_codes(await gql.mutate(SCAN, {"p": bogus}, token=token_for(phone_user))) == ["NOT_FOUND"]


async def test_phone_side_needs_a_signed_in_user(gql):
    created = await create(gql)
    assert (await gql(SCAN, {"p": created["session"]["payload"]})).error_codes() == ["UNAUTHENTICATED"]
    assert (await gql(CONFIRM, {"id": created["session"]["id"], "approve": True})).error_codes() == ["UNAUTHENTICATED"]


async def test_subscribing_late_starts_from_the_current_step(gql):
    phone_user = await make_user()
    created = await create(gql)
    await gql.mutate(SCAN, {"p": created["session"]["payload"]}, token=token_for(phone_user))
    page = await watch(created["session"]["id"], created["secret"])
    assert (await page.next())["status"] == "SCANNED"
    await gql.mutate(CONFIRM, {"id": created["session"]["id"], "approve": True}, token=token_for(phone_user))
    event = await page.next()
    assert event["status"] == "CONFIRMED" and event["auth"] is not None


async def test_description_defaults_and_is_trimmed(gql):
    phone_user = await make_user()
    created = await create(gql, None)
    scanned = await gql.mutate(SCAN, {"p": created["session"]["payload"]}, token=token_for(phone_user))
    assert scanned["clientDescription"] == "未知设备"
    long = await create(gql, "浏览器 " * 100)
    scanned = await gql.mutate(SCAN, {"p": long["session"]["payload"]}, token=token_for(phone_user))
    assert len(scanned["clientDescription"]) == 200
