"""Login by phone or email (2.2), the account lock and the per-address limits."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from app.identity import login as login_service
from models import AuditRecord
from models.risk import RiskAlert
from tests.factories import DEFAULT_PASSWORD, make_user, next_phone
from tests.harness.graphql import user_error_codes
from tests.identity.helpers import VIEWER, change_settings, login


async def test_login_by_phone_gives_working_tokens(gql):
    user = await make_user()
    payload = await login(gql, user.phone)
    assert payload["errors"] == []
    auth = payload["auth"]
    assert auth["expiresIn"] == 900
    assert auth["refreshToken"] and auth["refreshToken"] != auth["accessToken"]
    viewer = await gql.ok(VIEWER, token=auth["accessToken"])
    assert viewer["viewer"]["id"] == auth["user"]["id"]


async def test_login_by_email_in_any_case_and_by_international_phone(gql):
    user = await make_user(email="sun.li@example.com")
    assert (await login(gql, "Sun.Li@Example.com"))["errors"] == []
    assert (await login(gql, f"+86 {user.phone}"))["errors"] == []


async def test_unknown_identifier_and_wrong_password_answer_the_same(gql):
    user = await make_user()
    wrong_password = await login(gql, user.phone, "Wrong!pass99")
    unknown_phone = await login(gql, next_phone(), DEFAULT_PASSWORD)
    unknown_email = await login(gql, "nobody@example.com", DEFAULT_PASSWORD)
    malformed = await login(gql, "not a phone", DEFAULT_PASSWORD)
    assert wrong_password["auth"] is None
    assert wrong_password["errors"] == unknown_phone["errors"] == unknown_email["errors"] == malformed["errors"]
    assert user_error_codes(wrong_password) == ["INVALID_CREDENTIALS"]


async def test_five_failures_lock_the_account_for_fifteen_minutes(gql):
    clock.set_now(clock.now())
    user = await make_user()
    for _ in range(5):
        assert user_error_codes(await login(gql, user.phone, "Wrong!pass99")) == ["INVALID_CREDENTIALS"]
        clock.advance(timedelta(minutes=1))
    locked = await login(gql, user.phone, DEFAULT_PASSWORD)
    assert user_error_codes(locked) == ["ACCOUNT_LOCKED"]
    assert locked["auth"] is None
    clock.advance(timedelta(minutes=13))
    assert user_error_codes(await login(gql, user.phone, DEFAULT_PASSWORD)) == ["ACCOUNT_LOCKED"]
    clock.advance(timedelta(minutes=2))
    assert (await login(gql, user.phone, DEFAULT_PASSWORD))["errors"] == []


async def test_failures_spread_beyond_fifteen_minutes_do_not_lock(gql):
    clock.set_now(clock.now())
    user = await make_user()
    for _ in range(4):
        await login(gql, user.phone, "Wrong!pass99")
    clock.advance(timedelta(minutes=16))
    for _ in range(4):
        await login(gql, user.phone, "Wrong!pass99")
    assert (await login(gql, user.phone, DEFAULT_PASSWORD))["errors"] == []


async def test_a_success_clears_earlier_failures(gql):
    user = await make_user()
    for _ in range(4):
        await login(gql, user.phone, "Wrong!pass99")
    assert (await login(gql, user.phone))["errors"] == []
    for _ in range(4):
        await login(gql, user.phone, "Wrong!pass99")
    assert (await login(gql, user.phone))["errors"] == []


async def test_per_address_limit_stops_attempts(gql, monkeypatch):
    change_settings(monkeypatch, ip_login_limit_per_hour=3)
    clock.set_now(clock.now().replace(minute=30, second=0))
    user = await make_user()
    for _ in range(3):
        await login(gql, next_phone(), "Wrong!pass99")
    limited = await login(gql, user.phone)
    assert user_error_codes(limited) == ["RATE_LIMITED"]
    assert limited["auth"] is None
    clock.advance(timedelta(minutes=30))
    assert (await login(gql, user.phone))["errors"] == []


async def test_failing_on_many_accounts_from_one_address_raises_one_spray_alert(gql):
    clock.set_now(clock.now().replace(minute=5, second=0))
    users = [await make_user() for _ in range(3)]
    for user in users:
        await login(gql, user.phone, "Wrong!pass99")
        await login(gql, user.phone, "Wrong!pass99")  # the same account twice counts once
    for _ in range(login_service.SPRAY_DISTINCT_ACCOUNTS - len(users) - 1):
        await login(gql, next_phone(), "Wrong!pass99")
    assert await RiskAlert.filter(type="LOGIN_SPRAY").count() == 0
    await login(gql, "someone@example.com", "Wrong!pass99")
    alerts = await RiskAlert.filter(type="LOGIN_SPRAY")
    assert len(alerts) == 1
    assert alerts[0].level == "HIGH" and alerts[0].scope == "PLATFORM"
    assert "127.0.0.7" in alerts[0].message
    for _ in range(3):
        await login(gql, next_phone(), "Wrong!pass99")
    assert await RiskAlert.filter(type="LOGIN_SPRAY").count() == 1


async def test_every_login_success_and_failure_is_audited(gql):
    user = await make_user()
    await login(gql, user.phone)
    await login(gql, user.phone, "Wrong!pass99")
    await login(gql, "13700000000", "Wrong!pass99")
    success = await AuditRecord.filter(action="login.success")
    failures = await AuditRecord.filter(action="login.failure").order_by("id")
    assert [(r.actor_id, r.ip, r.details["method"]) for r in success] == [(user.id, "127.0.0.7", "PASSWORD")]
    assert [(f.subject_user_id, f.details["reason"]) for f in failures] == [
        (user.id, "WRONG_PASSWORD"),
        (None, "UNKNOWN_IDENTIFIER"),
    ]
    assert failures[1].details["identifier"] == "137****0000"
    assert all(f.ip == "127.0.0.7" for f in failures)


async def test_passwords_are_case_sensitive(gql):
    user = await make_user()
    assert user_error_codes(await login(gql, user.phone, DEFAULT_PASSWORD.lower())) == ["INVALID_CREDENTIALS"]
