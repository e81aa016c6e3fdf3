"""Payment passwords (3.2.2): rules, first set, change, reset with a code, and the lockout."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app import clock
from app.errors import DomainError
from app.identity.passwords import hash_payment_password
from app.identity.payment_password import verify_payment_password
from models import AuditRecord, User
from tests.factories import DEFAULT_PIN, make_user, next_id_number, token_for
from tests.harness.graphql import user_error_codes
from tests.identity.helpers import VIEWER, send_code

SET = """
mutation($input: SetPaymentPasswordInput!) { setPaymentPassword(input: $input) { ok errors { code message field } } }"""
RESET = """
mutation($input: ResetPaymentPasswordInput!) { resetPaymentPassword(input: $input) { ok errors { code message field } } }"""


async def _set(gql, user, pin: str, confirm: str | None = None, current: str | None = None) -> dict:
    data = {"paymentPassword": pin, "confirmPaymentPassword": confirm or pin, "currentPaymentPassword": current}
    return await gql.mutate(SET, {"input": data}, token=token_for(user))


async def test_first_set_needs_nothing_more(gql):
    user = await make_user(pin=None)
    assert (await gql.ok(VIEWER, token=token_for(user)))["viewer"]["hasPaymentPassword"] is False
    assert await _set(gql, user, "280715") == {"ok": True, "errors": []}
    assert (await gql.ok(VIEWER, token=token_for(user)))["viewer"]["hasPaymentPassword"] is True
    stored = (await User.get(id=user.id)).payment_password_hash
    assert stored == hash_payment_password(user.id, "280715") and "280715" not in stored
    assert await AuditRecord.filter(action="payment_password.set", actor_id=user.id).exists()


@pytest.mark.parametrize(
    ("pin", "code"),
    [
        ("12345", "VALIDATION_FAILED"),
        ("1234567", "VALIDATION_FAILED"),
        ("12a456", "VALIDATION_FAILED"),
        ("１２８３９４", "VALIDATION_FAILED"),  # full-width digits
        ("777777", "WEAK_PASSWORD"),
        ("123456", "WEAK_PASSWORD"),
        ("345678", "WEAK_PASSWORD"),
        ("567890", "WEAK_PASSWORD"),
        ("987654", "WEAK_PASSWORD"),
        ("210987", "WEAK_PASSWORD"),
    ],
)
async def test_rules(gql, pin, code):
    user = await make_user(pin=None)
    payload = await _set(gql, user, pin)
    assert user_error_codes(payload) == [code]
    assert payload["errors"][0]["field"] == ["input", "paymentPassword"]
    assert (await User.get(id=user.id)).payment_password_hash is None


@pytest.mark.parametrize("pin", ["880315", "031588", "150388", "198803", "988031"])
async def test_birth_date_of_the_verified_id_number_is_refused(gql, pin):
    user = await make_user(pin=None, id_number=next_id_number("19880315"))
    await User.filter(id=user.id).update(birth_date=date(1988, 3, 15))
    assert user_error_codes(await _set(gql, user, pin)) == ["WEAK_PASSWORD"]


async def test_a_date_is_fine_for_someone_not_born_on_it(gql):
    user = await make_user(pin=None, verified=False)
    assert (await _set(gql, user, "880315"))["ok"] is True


async def test_confirmation_must_match(gql):
    user = await make_user(pin=None)
    payload = await _set(gql, user, "280715", "280716")
    assert user_error_codes(payload) == ["PASSWORD_MISMATCH"]
    assert payload["errors"][0]["field"] == ["input", "confirmPaymentPassword"]


async def test_must_differ_from_the_login_password(gql):
    user = await make_user(pin=None, password="280715")
    assert user_error_codes(await _set(gql, user, "280715")) == ["WEAK_PASSWORD"]


async def test_change_needs_the_current_payment_password(gql):
    user = await make_user()
    missing = await _set(gql, user, "280715")
    assert user_error_codes(missing) == ["VALIDATION_FAILED"]
    assert missing["errors"][0]["field"] == ["input", "currentPaymentPassword"]
    wrong = await _set(gql, user, "280715", current="135791")
    assert user_error_codes(wrong) == ["INVALID_PAYMENT_PASSWORD"]
    assert wrong["errors"][0]["field"] == ["input", "currentPaymentPassword"]
    assert await _set(gql, user, "280715", current=DEFAULT_PIN) == {"ok": True, "errors": []}
    await verify_payment_password(await User.get(id=user.id), "280715")
    assert await AuditRecord.filter(action="payment_password.change", actor_id=user.id).exists()


async def test_wrong_current_passwords_lock_payments_for_a_day(gql):
    clock.set_now(clock.now())
    user = await make_user()
    for _ in range(4):
        assert user_error_codes(await _set(gql, user, "280715", current="135791")) == ["INVALID_PAYMENT_PASSWORD"]
    assert user_error_codes(await _set(gql, user, "280715", current="135791")) == ["PAYMENT_PASSWORD_LOCKED"]
    assert user_error_codes(await _set(gql, user, "280715", current=DEFAULT_PIN)) == ["PAYMENT_PASSWORD_LOCKED"]
    with pytest.raises(DomainError) as locked:
        await verify_payment_password(await User.get(id=user.id), DEFAULT_PIN)
    assert locked.value.code.value == "PAYMENT_PASSWORD_LOCKED"
    clock.advance(timedelta(hours=24, seconds=1))
    await verify_payment_password(await User.get(id=user.id), DEFAULT_PIN)


async def _reset(gql, user, code: str, pin: str = "280715", confirm: str | None = None) -> dict:
    data = {"verificationCode": code, "paymentPassword": pin, "confirmPaymentPassword": confirm or pin}
    return await gql.mutate(RESET, {"input": data}, token=token_for(user))


async def test_reset_needs_a_code_sent_to_the_bound_phone_and_lifts_the_lock(gql):
    user = await make_user()
    for _ in range(5):
        await _set(gql, user, "280715", current="135791")
    other = await make_user()
    foreign_code = await send_code(gql, other.phone, "RESET_PAYMENT_PASSWORD")
    assert user_error_codes(await _reset(gql, user, foreign_code)) == ["INVALID_VERIFICATION_CODE"]
    code = await send_code(gql, user.phone, "RESET_PAYMENT_PASSWORD")
    assert user_error_codes(await _reset(gql, user, code, "111111")) == ["WEAK_PASSWORD"]
    assert await _reset(gql, user, code) == {"ok": True, "errors": []}
    await verify_payment_password(await User.get(id=user.id), "280715")
    assert await AuditRecord.filter(action="payment_password.reset", actor_id=user.id).exists()
    assert user_error_codes(await _reset(gql, user, code, "280716")) == ["INVALID_VERIFICATION_CODE"]


async def test_anonymous_callers_cannot_set_or_reset(gql):
    for document, data in (
        (SET, {"paymentPassword": "280715", "confirmPaymentPassword": "280715"}),
        (RESET, {"verificationCode": "123456", "paymentPassword": "280715", "confirmPaymentPassword": "280715"}),
    ):
        assert (await gql(document, {"input": data})).error_codes() == ["UNAUTHENTICATED"]
