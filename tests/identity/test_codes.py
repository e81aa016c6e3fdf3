"""Verification codes through requestVerificationCode and the codes' consumers."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import httpx
import pytest

from app import clock
from app.http.asgi import create_app
from models.codes import VerificationCode
from tests.factories import latest_code, make_user, next_phone, token_for
from tests.harness.graphql import user_error_codes
from tests.identity.helpers import REQUEST_CODE, change_settings, register_with_code, sandbox_texts, send_code


async def request(gql, recipient: str, purpose: str = "REGISTER") -> dict:
    return await gql.mutate(REQUEST_CODE, {"recipient": recipient, "purpose": purpose})


async def test_code_is_six_digits_stored_hashed_and_readable_in_the_sandbox(gql, http):
    phone = next_phone()
    payload = await request(gql, phone)
    assert payload == {"sent": True, "retryAfterSeconds": 60, "errors": []}
    messages = await sandbox_texts(http, phone)
    assert len(messages) == 1
    assert set(messages[0]) == {"recipient", "purpose", "text", "code", "sentAt"}
    assert messages[0]["purpose"] == "REGISTER"
    code = await latest_code(phone, "REGISTER")
    assert len(code) == 6 and code.isdigit()
    # the code is a field of its own, the same as the one inside the text
    assert messages[0]["code"] == code and code in messages[0]["text"]
    row = await VerificationCode.get(recipient=phone)
    assert code not in row.code_hash and len(row.code_hash) == 64


async def test_sandbox_messages_are_newest_first(gql, http):
    phone = next_phone()
    await request(gql, phone, "REGISTER")
    await request(gql, phone, "RESET_PASSWORD")
    purposes = [m["purpose"] for m in await sandbox_texts(http, phone)]
    assert purposes == ["RESET_PASSWORD", "REGISTER"]


@pytest.mark.parametrize("raw", ["+86 138 0013 8000", "8613800138000", " 13800138000 "])
async def test_phone_formats_are_normalised_to_eleven_digits(gql, http, raw):
    payload = await request(gql, raw)
    assert payload["sent"] is True
    assert await sandbox_texts(http, "13800138000")


@pytest.mark.parametrize("raw", ["12345678901", "1380013800", "138001380001", "02112345678", "+1 415 555 2671", "abc", ""])
async def test_non_mainland_mobiles_are_refused(gql, raw):
    payload = await request(gql, raw)
    assert payload["sent"] is False
    assert user_error_codes(payload) == ["VALIDATION_FAILED"]
    assert payload["errors"][0]["field"] == ["input", "recipient"]


async def test_email_recipients_are_shape_checked(gql, http):
    ok = await request(gql, "Li.Lei@Example.COM", "RESET_PASSWORD")
    assert ok["sent"] is True
    assert await sandbox_texts(http, "li.lei@example.com")
    for bad in ["li@", "@example.com", "li@example", "li lei@example.com", "li@@example.com"]:
        assert user_error_codes(await request(gql, bad)) == ["VALIDATION_FAILED"], bad


async def test_one_send_per_recipient_and_purpose_per_minute(gql):
    clock.set_now(clock.now())
    phone = next_phone()
    await request(gql, phone)
    clock.advance(timedelta(seconds=20))
    again = await request(gql, phone)
    assert user_error_codes(again) == ["RATE_LIMITED"]
    assert again["sent"] is False
    assert 39 <= again["retryAfterSeconds"] <= 41
    # Another purpose is not held back, and after the minute the same one works again.
    assert (await request(gql, phone, "RESET_PASSWORD"))["sent"] is True
    clock.advance(timedelta(seconds=41))
    assert (await request(gql, phone))["sent"] is True


async def test_daily_cap_per_recipient_and_purpose(gql, monkeypatch):
    change_settings(monkeypatch, code_daily_cap=3)
    clock.set_now(clock.now())
    phone = next_phone()
    for _ in range(3):
        assert (await request(gql, phone))["sent"] is True
        clock.advance(timedelta(seconds=61))
    capped = await request(gql, phone)
    assert user_error_codes(capped) == ["RATE_LIMITED"]
    assert capped["retryAfterSeconds"] > 3600
    # Issue 17: a stranger's requests for one purpose leave the other purposes' codes alone.
    assert (await request(gql, phone, "RESET_PASSWORD"))["sent"] is True
    clock.advance(timedelta(hours=24))
    assert (await request(gql, phone))["sent"] is True


async def test_anonymous_requests_cannot_spend_the_owners_payment_codes(gql, monkeypatch):
    change_settings(monkeypatch, code_daily_cap=3)
    clock.set_now(clock.now())
    user = await make_user()
    for purpose in ("REGISTER", "RESET_PASSWORD", "CHANGE_PHONE", "BIND_BANK_CARD", "RESET_PAYMENT_PASSWORD"):
        for _ in range(3):
            assert (await request(gql, user.phone, purpose))["sent"] is True
            clock.advance(timedelta(seconds=61))
    refused = await request(gql, user.phone, "PAYMENT")
    assert user_error_codes(refused) == ["VALIDATION_FAILED"] and refused["sent"] is False
    other = await make_user()
    foreign = await gql.mutate(REQUEST_CODE, {"recipient": user.phone, "purpose": "PAYMENT"}, token=token_for(other))
    assert user_error_codes(foreign) == ["VALIDATION_FAILED"]
    own = await gql.mutate(REQUEST_CODE, {"recipient": user.phone, "purpose": "PAYMENT"}, token=token_for(user))
    assert own["sent"] is True, own


async def test_per_address_limit(gql, monkeypatch):
    change_settings(monkeypatch, ip_code_limit_per_hour=3)
    clock.set_now(clock.now().replace(minute=10, second=0))
    for _ in range(3):
        assert (await request(gql, next_phone()))["sent"] is True
    limited = await request(gql, next_phone())
    assert user_error_codes(limited) == ["RATE_LIMITED"]
    assert limited["retryAfterSeconds"] == 50 * 60
    # The next hour is a new window.
    clock.advance(timedelta(hours=1))
    assert (await request(gql, next_phone()))["sent"] is True


async def test_code_works_once(gql):
    phone = next_phone()
    code = await send_code(gql, phone, "REGISTER")
    assert (await register_with_code(gql, phone, code))["errors"] == []
    # The same code again is spent (it is checked before anything about the phone is said).
    again = await register_with_code(gql, phone, code)
    assert user_error_codes(again) == ["INVALID_VERIFICATION_CODE"]


async def test_code_expires_after_five_minutes(gql):
    clock.set_now(clock.now())
    late, in_time = next_phone(), next_phone()
    late_code = await send_code(gql, late, "REGISTER")
    in_time_code = await send_code(gql, in_time, "REGISTER")
    clock.advance(timedelta(minutes=4, seconds=59))
    assert (await register_with_code(gql, in_time, in_time_code))["errors"] == []
    clock.advance(timedelta(seconds=2))
    assert user_error_codes(await register_with_code(gql, late, late_code)) == ["INVALID_VERIFICATION_CODE"]


async def test_five_wrong_tries_kill_the_code(gql):
    phone = next_phone()
    code = await send_code(gql, phone, "REGISTER")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        payload = await register_with_code(gql, phone, wrong)
        assert user_error_codes(payload) == ["INVALID_VERIFICATION_CODE"]
        assert payload["errors"][0]["field"] == ["input", "verificationCode"]
    assert user_error_codes(await register_with_code(gql, phone, code)) == ["INVALID_VERIFICATION_CODE"]


async def test_four_wrong_tries_leave_the_code_usable(gql):
    phone = next_phone()
    code = await send_code(gql, phone, "REGISTER")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        await register_with_code(gql, phone, wrong)
    assert (await register_with_code(gql, phone, code))["errors"] == []


async def test_code_for_one_purpose_does_not_serve_another(gql):
    phone = next_phone()
    code = await send_code(gql, phone, "RESET_PASSWORD")
    assert user_error_codes(await register_with_code(gql, phone, code)) == ["INVALID_VERIFICATION_CODE"]


async def test_sandbox_outbox_does_not_exist_in_production(platform):
    settings = dataclasses.replace(platform.settings, mode="production", graphiql=False, introspection=False)
    app = create_app(settings, manage_runtime=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://fenpay.test") as client:
        response = await client.get("/sandbox/messages", params={"recipient": "13800138000"})
    assert response.status_code == 404
