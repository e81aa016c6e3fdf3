"""Registration (2.1) and the login password rule (3.2.1)."""

from __future__ import annotations

import pytest

from app.compliance.documents import CURRENT_VERSION
from models import Account, AuditRecord, User
from tests.factories import latest_code, make_user, next_phone
from tests.harness.graphql import user_error_codes
from tests.identity.helpers import REGISTER, register, register_with_code, send_code


async def test_register_creates_user_and_wallet_and_returns_no_tokens(gql):
    phone = next_phone()
    payload = await register(gql, phone, email="Wang.Fang@Example.com")
    assert payload["errors"] == []
    user = payload["user"]
    assert user["phone"] == f"{phone[:3]}****{phone[-4:]}"
    assert user["email"] == "w***@example.com"  # the anonymous caller sees it masked
    assert user["realNameStatus"] == "UNVERIFIED"
    assert user["roles"] == ["USER"]
    assert user["hasPaymentPassword"] is False
    assert user["securityQuestionCount"] == 0
    assert user["account"] == {"balance": "0.00"}
    row = await User.get(phone=phone)
    assert row.email == "wang.fang@example.com"
    assert row.terms_version == CURRENT_VERSION
    assert row.password_hash.startswith("$argon2id$")
    assert await Account.filter(user_id=row.id, kind="WALLET").count() == 1
    # The payload type has no tokens at all.
    result = await gql("mutation { register(input: {phone: \"1\", verificationCode: \"1\", password: \"1\","
                       " confirmPassword: \"1\", acceptTerms: true}) { auth { accessToken } } }")
    assert result.errors and "auth" in result.errors[0]["message"]


async def test_registration_is_audited(gql):
    phone = next_phone()
    await register(gql, phone)
    user = await User.get(phone=phone)
    record = await AuditRecord.get(action="user.register")
    assert record.actor_id == user.id
    assert record.ip == "127.0.0.7"
    assert record.details["termsVersion"] == CURRENT_VERSION


@pytest.mark.parametrize(
    "password",
    [
        "Ab1!x",  # too short
        "Abcdefgh1!Abcdefgh1!x",  # 21 characters
        "Fenpay2026x",  # no special character
        "Fen!pay!Fen",  # no digit
        "2026!9713#5",  # no letter
        "Fen pay!2026",  # a space
        "Fen!pay2026é",  # outside the allowed characters
        "P@ssw0rd",  # a famous one
        "Password2024!",  # common word with digits
        "Qwerty!2580",  # keyboard word
        "Wx!123456",  # ascending digits
        "Zq!98765x",  # descending digits
        "Mn!abcd59",  # ascending letters
        "Tr7!qwer",  # keyboard run
        "Gt!aaaa29",  # repeated characters
        "a1!a1!a1!",  # three distinct characters
    ],
)
async def test_weak_passwords_are_refused(gql, password):
    payload = await register(gql, password=password)
    assert user_error_codes(payload) == ["WEAK_PASSWORD"], password
    assert payload["errors"][0]["field"] == ["input", "password"]
    assert await User.all().count() == 0


@pytest.mark.parametrize("password", ["Fen!pay2026", "x7#Kp9$2m", "Lu0-zhou_88"])
async def test_strong_passwords_are_accepted(gql, password):
    assert (await register(gql, password=password))["errors"] == []


async def test_password_confirmation_must_match(gql):
    payload = await register(gql, confirmPassword="Fen!pay2027")
    assert user_error_codes(payload) == ["PASSWORD_MISMATCH"]
    assert payload["errors"][0]["field"] == ["input", "confirmPassword"]
    assert await User.all().count() == 0


async def test_terms_must_be_accepted(gql):
    payload = await register(gql, acceptTerms=False)
    assert user_error_codes(payload) == ["TERMS_NOT_ACCEPTED"]
    assert payload["errors"][0]["field"] == ["input", "acceptTerms"]
    assert await User.all().count() == 0


async def test_phone_already_registered(gql):
    existing = await make_user()
    payload = await register(gql, existing.phone)
    assert user_error_codes(payload) == ["PHONE_ALREADY_REGISTERED"]
    assert await User.all().count() == 1


async def test_email_already_registered_whatever_its_case(gql):
    await make_user(email="zhao.lei@example.com")
    payload = await register(gql, email="ZHAO.LEI@example.com")
    assert user_error_codes(payload) == ["EMAIL_ALREADY_REGISTERED"]
    assert payload["errors"][0]["field"] == ["input", "email"]
    assert await User.all().count() == 1


async def test_malformed_email_is_refused(gql):
    payload = await register(gql, email="not-an-email")
    assert user_error_codes(payload) == ["VALIDATION_FAILED"]
    assert payload["errors"][0]["field"] == ["input", "email"]


async def test_wrong_code_creates_nothing(gql):
    phone = next_phone()
    code = await send_code(gql, phone, "REGISTER")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert user_error_codes(await register_with_code(gql, phone, wrong)) == ["INVALID_VERIFICATION_CODE"]
    assert await User.all().count() == 0


async def test_phone_in_international_form_registers_the_national_number(gql):
    await send_code(gql, "13912345678", "REGISTER")
    payload = await gql.mutate(REGISTER, {"input": {
        "phone": "+86 139 1234 5678", "verificationCode": await latest_code("13912345678", "REGISTER"),
        "password": "Fen!pay2026", "confirmPassword": "Fen!pay2026", "acceptTerms": True,
    }})
    assert payload["errors"] == []
    assert await User.filter(phone="13912345678").exists()
