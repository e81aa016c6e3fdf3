"""Password reset and change (2.3)."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from models import AuditRecord
from tests.factories import DEFAULT_PASSWORD, make_user, next_phone, token_for
from tests.harness.graphql import user_error_codes
from tests.identity.helpers import REFRESH, login, send_code

RESET = """
mutation($input: ResetPasswordInput!) { resetPassword(input: $input) { ok errors { code message field } } }"""
CHANGE = """
mutation($input: ChangePasswordInput!) { changePassword(input: $input) { ok errors { code message field } } }"""
NEW = "Tea#house7319"


async def _reset(gql, phone: str, code: str, new: str = NEW, confirm: str | None = None) -> dict:
    return await gql.mutate(RESET, {"input": {
        "phone": phone, "verificationCode": code, "newPassword": new, "confirmPassword": confirm or new}})


async def test_reset_with_phone_and_code(gql):
    user = await make_user()
    old_session = (await login(gql, user.phone))["auth"]["refreshToken"]
    code = await send_code(gql, user.phone, "RESET_PASSWORD")
    assert await _reset(gql, user.phone, code) == {"ok": True, "errors": []}
    assert user_error_codes(await login(gql, user.phone, DEFAULT_PASSWORD)) == ["INVALID_CREDENTIALS"]
    assert (await login(gql, user.phone, NEW))["errors"] == []
    # Every earlier session ends.
    assert user_error_codes(await gql.mutate(REFRESH, {"token": old_session})) == ["INVALID_CREDENTIALS"]
    record = await AuditRecord.get(action="password.reset")
    assert record.actor_id == user.id and record.ip == "127.0.0.7"


async def test_reset_needs_the_right_code(gql):
    user = await make_user()
    code = await send_code(gql, user.phone, "RESET_PASSWORD")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert user_error_codes(await _reset(gql, user.phone, wrong)) == ["INVALID_VERIFICATION_CODE"]
    register_code = await send_code(gql, next_phone(), "REGISTER")
    assert user_error_codes(await _reset(gql, user.phone, register_code)) == ["INVALID_VERIFICATION_CODE"]
    assert (await login(gql, user.phone, DEFAULT_PASSWORD))["errors"] == []


async def test_reset_applies_the_password_rule_before_spending_the_code(gql):
    user = await make_user()
    code = await send_code(gql, user.phone, "RESET_PASSWORD")
    assert user_error_codes(await _reset(gql, user.phone, code, "abc123")) == ["WEAK_PASSWORD"]
    assert user_error_codes(await _reset(gql, user.phone, code, NEW, "Tea#house7318")) == ["PASSWORD_MISMATCH"]
    assert (await _reset(gql, user.phone, code))["ok"] is True


async def test_reset_lifts_a_login_lock(gql):
    user = await make_user()
    for _ in range(5):
        await login(gql, user.phone, "Wrong!pass99")
    assert user_error_codes(await login(gql, user.phone)) == ["ACCOUNT_LOCKED"]
    code = await send_code(gql, user.phone, "RESET_PASSWORD")
    assert (await _reset(gql, user.phone, code))["ok"] is True
    assert (await login(gql, user.phone, NEW))["errors"] == []


async def test_reset_for_an_unregistered_phone_tells_only_the_code_holder(gql):
    phone = next_phone()
    code = await send_code(gql, phone, "RESET_PASSWORD")
    assert user_error_codes(await _reset(gql, phone, code)) == ["NOT_FOUND"]


async def _change(gql, token: str, old: str = DEFAULT_PASSWORD, new: str = NEW, confirm: str | None = None) -> dict:
    return await gql.mutate(CHANGE, {"input": {"oldPassword": old, "newPassword": new, "confirmPassword": confirm or new}},
                            token=token)


async def test_change_with_the_old_password(gql):
    user = await make_user()
    assert await _change(gql, token_for(user)) == {"ok": True, "errors": []}
    assert (await login(gql, user.phone, NEW))["errors"] == []
    assert user_error_codes(await login(gql, user.phone, DEFAULT_PASSWORD)) == ["INVALID_CREDENTIALS"]
    assert await AuditRecord.filter(action="password.change", actor_id=user.id).exists()


async def test_change_refuses_a_wrong_old_password_weak_or_mismatched_new_one(gql):
    user = await make_user()
    token = token_for(user)
    wrong = await _change(gql, token, old="Wrong!pass99")
    assert user_error_codes(wrong) == ["INVALID_CREDENTIALS"]
    assert wrong["errors"][0]["field"] == ["input", "oldPassword"]
    assert user_error_codes(await _change(gql, token, new="123456")) == ["WEAK_PASSWORD"]
    assert user_error_codes(await _change(gql, token, confirm="Tea#house7318")) == ["PASSWORD_MISMATCH"]
    assert user_error_codes(await _change(gql, token, new=DEFAULT_PASSWORD)) == ["WEAK_PASSWORD"]
    assert (await login(gql, user.phone, DEFAULT_PASSWORD))["errors"] == []


async def test_guessing_the_old_password_locks_like_login(gql):
    clock.set_now(clock.now())
    user = await make_user()
    token = token_for(user)
    for _ in range(4):
        assert user_error_codes(await _change(gql, token, old="Wrong!pass99")) == ["INVALID_CREDENTIALS"]
    assert user_error_codes(await _change(gql, token, old="Wrong!pass99")) == ["ACCOUNT_LOCKED"]
    assert user_error_codes(await _change(gql, token)) == ["ACCOUNT_LOCKED"]
    clock.advance(timedelta(minutes=15, seconds=1))
    assert (await _change(gql, token_for(user)))["ok"] is True
