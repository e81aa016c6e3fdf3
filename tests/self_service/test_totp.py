"""The dynamic token (TOTP) through the API: enrolment, sign-in, window, replay, recovery
codes, lockout, turning it off, and the step-up of large payments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

from app import clock
from app.identity.codes import send_code
from models import AuditRecord, User
from models.risk import RiskAlert
from models.totp import TotpCredential, TotpRecoveryCode
from tests.factories import (
    DEFAULT_PASSWORD,
    DEFAULT_PIN,
    fund,
    latest_code,
    make_merchant,
    make_user,
    token_for,
    wallet_balance,
)
from tests.payments.support import PAY
from tests.self_service.totp_steps import (
    BEGIN,
    CONFIRM,
    DISABLE,
    ENABLED,
    code_now,
    codes,
    enroll,
    login,
)

# 10:00:05 in Beijing: 5 s into a 30 s step, so "now" is far from a step boundary.
NOW = datetime(2026, 11, 30, 2, 0, 5, tzinfo=UTC)
STEP = timedelta(seconds=30)


async def test_enrolment_is_off_until_confirmed_and_needs_the_password(gql):
    clock.set_now(NOW)
    user = await make_user()
    token = token_for(user)
    wrong = await gql.mutate(BEGIN, {"password": "not-it"}, token=token)
    assert codes(wrong) == [("INVALID_CREDENTIALS", ["input", "password"])] and wrong["enrollment"] is None

    begun = (await gql.mutate(BEGIN, {"password": DEFAULT_PASSWORD}, token=token))["enrollment"]
    uri = urlparse(begun["uri"])
    params = parse_qs(uri.query)
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert params["issuer"] == ["fenpay"] and params["secret"] == [begun["secret"]]
    assert params.get("digits", ["6"]) == ["6"] and params.get("period", ["30"]) == ["30"]
    assert params.get("algorithm", ["SHA1"]) == ["SHA1"]
    assert begun["qrSvg"].startswith("<svg") and user.phone not in begun["uri"]
    # The secret is stored encrypted.
    stored = await TotpCredential.get(user_id=user.id)
    assert begun["secret"] not in stored.secret_enc

    # Not on yet: sign-in needs no code, the viewer says off.
    assert (await gql.ok(ENABLED, token=token))["viewer"]["totpEnabled"] is False
    assert (await login(gql, user))["errors"] == []

    bad = await gql.mutate(CONFIRM, {"code": code_now(begun["secret"], 2)}, token=token)
    assert codes(bad) == [("INVALID_TOTP_CODE", ["input", "code"])] and bad["recoveryCodes"] is None
    assert (await gql.ok(ENABLED, token=token))["viewer"]["totpEnabled"] is False

    confirmed = await gql.mutate(CONFIRM, {"code": code_now(begun["secret"])}, token=token)
    recovery = confirmed["recoveryCodes"]
    assert confirmed["errors"] == [] and len(recovery) == 10 and len(set(recovery)) == 10
    assert (await gql.ok(ENABLED, token=token))["viewer"]["totpEnabled"] is True
    hashes = {r.code_hash for r in await TotpRecoveryCode.filter(user_id=user.id)}
    assert len(hashes) == 10 and not any(code.replace("-", "") in h or code in h for code in recovery for h in hashes)
    assert await AuditRecord.filter(action="totp.enabled", actor_id=user.id).exists()

    again = await gql.mutate(BEGIN, {"password": DEFAULT_PASSWORD}, token=token)
    assert codes(again) == [("INVALID_STATE", ["input", "password"])]


async def test_signing_in_needs_a_current_code_once_on(gql):
    clock.set_now(NOW)
    user = await make_user()
    secret, _ = await enroll(gql, user)

    assert codes(await login(gql, user)) == [("TOTP_REQUIRED", ["input", "totpCode"])]
    # A wrong password is still the password's error, whatever the code.
    assert codes(await login(gql, user, code_now(secret, 1), password="wrong-pass")) == [
        ("INVALID_CREDENTIALS", ["input", "password"])]
    # The code that confirmed enrolment was used: refused.
    assert codes(await login(gql, user, code_now(secret))) == [("INVALID_TOTP_CODE", ["input", "totpCode"])]

    clock.set_now(NOW + STEP)
    done = await login(gql, user, code_now(secret))
    assert done["errors"] == [] and done["auth"]["accessToken"]
    # Replay of the same code inside its window: refused.
    assert codes(await login(gql, user, code_now(secret))) == [("INVALID_TOTP_CODE", ["input", "totpCode"])]


async def test_codes_one_step_either_side_are_accepted_and_no_further(gql):
    clock.set_now(NOW)
    user = await make_user()
    secret, _ = await enroll(gql, user)  # uses step s

    later = NOW + 10 * STEP  # now at step s+10
    clock.set_now(later)
    assert codes(await login(gql, user, code_now(secret, -2, later))) == [("INVALID_TOTP_CODE", ["input", "totpCode"])]
    assert codes(await login(gql, user, code_now(secret, 2, later))) == [("INVALID_TOTP_CODE", ["input", "totpCode"])]
    assert (await login(gql, user, code_now(secret, -1, later)))["errors"] == []  # previous step
    assert (await login(gql, user, code_now(secret, 1, later)))["errors"] == []  # next step
    # After the step s+11 code was used, the s+10 code (older) is refused too.
    assert codes(await login(gql, user, code_now(secret, 0, later))) == [("INVALID_TOTP_CODE", ["input", "totpCode"])]


async def test_recovery_codes_sign_in_once_each(gql):
    clock.set_now(NOW)
    user = await make_user()
    _, recovery = await enroll(gql, user)
    first, second = recovery[0], recovery[1]
    assert (await login(gql, user, first))["errors"] == []
    assert codes(await login(gql, user, first)) == [("INVALID_TOTP_CODE", ["input", "totpCode"])]
    # Typed in lower case without the hyphen still works (once).
    assert (await login(gql, user, second.replace("-", "").lower()))["errors"] == []
    assert codes(await login(gql, user, second)) == [("INVALID_TOTP_CODE", ["input", "totpCode"])]
    assert await TotpRecoveryCode.filter(user_id=user.id, used_at__not_isnull=True).count() == 2


async def test_five_wrong_codes_lock_the_token_for_a_day(gql):
    clock.set_now(NOW)
    user = await make_user()
    secret, recovery = await enroll(gql, user)
    clock.set_now(NOW + 5 * STEP)
    wrong = "000000" if code_now(secret) != "000000" else "111111"
    for remaining in (4, 3, 2, 1):
        refused = await login(gql, user, wrong)
        assert codes(refused) == [("INVALID_TOTP_CODE", ["input", "totpCode"])]
        assert f"还可尝试 {remaining} 次" in refused["errors"][0]["message"]
    assert codes(await login(gql, user, wrong)) == [("TOTP_LOCKED", ["input", "totpCode"])]
    # Locked: the right code and a recovery code are refused too.
    assert codes(await login(gql, user, code_now(secret))) == [("TOTP_LOCKED", ["input", "totpCode"])]
    assert codes(await login(gql, user, recovery[0])) == [("TOTP_LOCKED", ["input", "totpCode"])]
    assert await RiskAlert.filter(type="TOTP_ATTEMPTS", user_id=user.id).count() == 1

    clock.set_now(NOW + timedelta(hours=24, minutes=5))
    assert (await login(gql, user, code_now(secret)))["errors"] == []


async def test_a_right_code_resets_the_count(gql):
    clock.set_now(NOW)
    user = await make_user()
    secret, _ = await enroll(gql, user)
    for n in range(1, 5):
        clock.set_now(NOW + n * 3 * STEP)
        for _ in range(4):
            assert codes(await login(gql, user, "999999" if code_now(secret) != "999999" else "888888"))[0][0] == (
                "INVALID_TOTP_CODE")
        assert (await login(gql, user, code_now(secret)))["errors"] == []
    assert (await TotpCredential.get(user_id=user.id)).locked_until is None


async def test_turning_it_off_needs_the_password_and_a_code(gql):
    clock.set_now(NOW)
    user = await make_user()
    secret, recovery = await enroll(gql, user)
    token = token_for(user)
    clock.set_now(NOW + STEP)
    assert codes(await gql.mutate(DISABLE, {"password": "nope-nope1", "code": code_now(secret)}, token=token)) == [
        ("INVALID_CREDENTIALS", ["input", "password"])]
    assert codes(await gql.mutate(DISABLE, {"password": DEFAULT_PASSWORD, "code": "12345678"}, token=token)) == [
        ("INVALID_TOTP_CODE", ["input", "code"])]
    assert (await gql.ok(ENABLED, token=token))["viewer"]["totpEnabled"] is True
    off = await gql.mutate(DISABLE, {"password": DEFAULT_PASSWORD, "code": recovery[3]}, token=token)
    assert off == {"ok": True, "errors": []}
    assert (await gql.ok(ENABLED, token=token))["viewer"]["totpEnabled"] is False
    assert not await TotpRecoveryCode.exists(user_id=user.id)
    assert (await login(gql, user))["errors"] == []
    assert codes(await gql.mutate(DISABLE, {"password": DEFAULT_PASSWORD, "code": code_now(secret)}, token=token)) == [
        ("INVALID_STATE", ["input", "code"])]


async def test_signed_out_callers_cannot_enrol(gql):
    result = await gql(BEGIN, {"password": DEFAULT_PASSWORD})
    assert result.errors and result.error_codes() == ["UNAUTHENTICATED"]


def _pay(merchant_no: str, key: str, code: str | None) -> dict:
    return {"input": {"merchantNo": merchant_no, "amount": "6000.00", "channel": "WALLET_BALANCE",
                      "paymentPassword": DEFAULT_PIN, "idempotencyKey": key, "verificationCode": code}}


async def test_large_payments_take_the_current_code_instead_of_an_sms_code(gql):
    clock.set_now(NOW)
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 20_000_00)
    secret, recovery = await enroll(gql, payer)
    token = token_for(payer)
    clock.set_now(NOW + STEP)
    code = code_now(secret)

    paid = await gql.mutate(PAY, _pay(merchant.merchant_no, "a", code), token=token)
    assert paid["errors"] == [] and paid["transaction"]["status"] == "SUCCEEDED"
    assert await wallet_balance(payer) == (14_000_00, 0)
    # The same code again (a new payment): refused, nothing moves.
    replay = await gql.mutate(PAY, _pay(merchant.merchant_no, "b", code), token=token)
    assert codes(replay) == [("INVALID_VERIFICATION_CODE", ["input", "verificationCode"])]
    # A recovery code is for signing in, not for payments.
    assert codes(await gql.mutate(PAY, _pay(merchant.merchant_no, "c", recovery[0]), token=token)) == [
        ("INVALID_VERIFICATION_CODE", ["input", "verificationCode"])]
    assert await wallet_balance(payer) == (14_000_00, 0)
    # An SMS code still works for a user with the token.
    await send_code(payer.phone, "PAYMENT")
    sms = await gql.mutate(PAY, _pay(merchant.merchant_no, "d", await latest_code(payer.phone, "PAYMENT")), token=token)
    assert sms["errors"] == [] and await wallet_balance(payer) == (8_000_00, 0)


async def test_wrong_step_up_codes_count_towards_the_token_lock(gql):
    clock.set_now(NOW)
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 20_000_00)
    secret, _ = await enroll(gql, payer)
    token = token_for(payer)
    clock.set_now(NOW + STEP)
    wrong = "000000" if code_now(secret) != "000000" else "111111"
    for n in range(4):
        refused = await gql.mutate(PAY, _pay(merchant.merchant_no, f"w{n}", wrong), token=token)
        assert codes(refused) == [("INVALID_VERIFICATION_CODE", ["input", "verificationCode"])]
    locked = await gql.mutate(PAY, _pay(merchant.merchant_no, "w5", wrong), token=token)
    assert codes(locked) == [("TOTP_LOCKED", ["input", "verificationCode"])]
    # Locked: even the right code is no longer taken as a step-up code, and sign-in is locked.
    right = await gql.mutate(PAY, _pay(merchant.merchant_no, "r", code_now(secret)), token=token)
    assert codes(right)[0][0] in ("INVALID_VERIFICATION_CODE", "TOTP_LOCKED")
    assert await wallet_balance(payer) == (20_000_00, 0)
    assert codes(await login(gql, payer, code_now(secret))) == [("TOTP_LOCKED", ["input", "totpCode"])]
    assert (await User.get(id=payer.id)).status == "NORMAL"
