"""Brute force through the public API: login passwords (lockout), payment passwords (5 tries
lock payments for 24 h) and verification codes (5 wrong tries kill the code). A guess that
happens to be right after the limit gets nothing, and nothing moves."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from models import User
from models.wealth import Holding
from tests.factories import DEFAULT_PASSWORD, DEFAULT_PIN, fund, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.identity.helpers import LOGIN, send_code
from tests.wealth.support import PURCHASE, make_product, purchase_input, set_tolerance

RESET_PASSWORD = """
mutation($input: ResetPasswordInput!) { resetPassword(input: $input) { errors { code field } } }
"""
NEW_PASSWORD = "Xin!mima2026"


async def _login(gql, identifier: str, password: str) -> dict:  # noqa: ANN001
    return await gql.mutate(LOGIN, {"identifier": identifier, "password": password})


async def test_login_brute_force_locks_the_account_and_the_right_password_gets_no_token(gql):
    user = await make_user()
    codes = []
    for guess in range(8):
        payload = await _login(gql, user.phone, f"Wrong!pass{guess}")
        assert payload["auth"] is None
        codes.extend(user_error_codes(payload))
    assert codes[:4] == ["INVALID_CREDENTIALS"] * 4
    assert "ACCOUNT_LOCKED" in codes
    right = await _login(gql, user.phone, DEFAULT_PASSWORD)
    assert right["auth"] is None and user_error_codes(right) == ["ACCOUNT_LOCKED"]
    # The lock ends by itself, so a stranger cannot keep the owner out for good.
    clock.set_now(clock.now() + timedelta(minutes=16))
    later = await _login(gql, user.phone, DEFAULT_PASSWORD)
    assert later["auth"] and later["auth"]["accessToken"]


async def test_login_answers_do_not_reveal_whether_a_phone_is_registered(gql):
    user = await make_user()
    known = await _login(gql, user.phone, "Wrong!pass1")
    unknown = await _login(gql, "13912345678", "Wrong!pass1")
    assert known["errors"][0]["code"] == unknown["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert known["errors"][0]["message"] == unknown["errors"][0]["message"]


async def test_payment_password_brute_force_locks_payments_for_a_day_and_moves_nothing(gql):
    user = await make_user()
    await fund(user, 500_000)
    await set_tolerance(user, "C5")
    product = await make_product(min_purchase=100)
    token = token_for(user)
    before = await wallet_balance(user)
    codes = []
    for guess in ("000001", "111112", "222223", "333334", "444445"):
        payload = await gql.mutate(PURCHASE, {"input": purchase_input(product, "100.00", paymentPassword=guess)},
                                   token=token)
        assert payload["holding"] is None
        codes.extend(user_error_codes(payload))
    assert codes[:4] == ["INVALID_PAYMENT_PASSWORD"] * 4
    assert codes[4] == "PAYMENT_PASSWORD_LOCKED"
    right = await gql.mutate(PURCHASE, {"input": purchase_input(product, "100.00", paymentPassword=DEFAULT_PIN)},
                             token=token)
    assert user_error_codes(right) == ["PAYMENT_PASSWORD_LOCKED"] and right["holding"] is None
    assert await wallet_balance(user) == before
    assert await Holding.all().count() == 0
    clock.set_now(clock.now() + timedelta(hours=23))
    still = await gql.mutate(PURCHASE, {"input": purchase_input(product, "100.00")}, token=token_for(user))
    assert user_error_codes(still) == ["PAYMENT_PASSWORD_LOCKED"]
    clock.set_now(clock.now() + timedelta(hours=2))
    after = await gql.mutate(PURCHASE, {"input": purchase_input(product, "100.00")}, token=token_for(user))
    assert after["holding"] is not None, after
    assert (await wallet_balance(user))[0] == before[0] - 10_000


async def test_verification_code_dies_after_five_wrong_tries(gql):
    user = await make_user()
    code = await send_code(gql, user.phone, "RESET_PASSWORD")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        payload = await gql.mutate(RESET_PASSWORD, {"input": {
            "phone": user.phone, "verificationCode": wrong, "newPassword": NEW_PASSWORD,
            "confirmPassword": NEW_PASSWORD}})
        assert user_error_codes(payload) == ["INVALID_VERIFICATION_CODE"]
    right = await gql.mutate(RESET_PASSWORD, {"input": {
        "phone": user.phone, "verificationCode": code, "newPassword": NEW_PASSWORD, "confirmPassword": NEW_PASSWORD}})
    assert user_error_codes(right) == ["INVALID_VERIFICATION_CODE"]
    # The password did not change: the old one still signs in, the new one does not.
    assert (await _login(gql, user.phone, DEFAULT_PASSWORD))["auth"] is not None
    assert (await _login(gql, user.phone, NEW_PASSWORD))["auth"] is None
    refreshed = await User.get(id=user.id)
    assert refreshed.password_hash == user.password_hash


async def test_codes_cannot_be_requested_in_a_flood(gql):
    user = await make_user()
    await send_code(gql, user.phone, "RESET_PASSWORD")
    flood = [
        await gql.mutate(
            "mutation($r: String!) { requestVerificationCode(input: {recipient: $r, purpose: RESET_PASSWORD})"
            " { sent errors { code } } }",
            {"r": user.phone},
        )
        for _ in range(5)
    ]
    assert all(p["sent"] is False and user_error_codes(p) == ["RATE_LIMITED"] for p in flood)
