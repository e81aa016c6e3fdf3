"""Shared steps of the dynamic-token tests: documents and enrolling a user through the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.identity.totp import code_at, current_step
from tests.factories import DEFAULT_PASSWORD, token_for

BEGIN = """
mutation($password: String!) { beginTotpEnrollment(input: {password: $password}) {
  enrollment { secret uri qrSvg } errors { code message field } } }"""
CONFIRM = """
mutation($code: String!) { confirmTotpEnrollment(input: {code: $code}) {
  recoveryCodes errors { code message field } } }"""
DISABLE = """
mutation($password: String!, $code: String!) { disableTotp(input: {password: $password, code: $code}) {
  ok errors { code message field } } }"""
LOGIN = """
mutation($identifier: String!, $password: String!, $totpCode: String) {
  login(input: {identifier: $identifier, password: $password, totpCode: $totpCode}) {
    auth { accessToken user { id } } errors { code message field } } }"""
ENABLED = "{ viewer { totpEnabled } }"


def code_now(secret: str, offset_steps: int = 0, at: datetime | None = None) -> str:
    """The code an authenticator app shows ``offset_steps`` steps from now (or from ``at``)."""
    return code_at(secret, current_step(at) + offset_steps)


async def enroll(gql: Any, user: Any) -> tuple[str, list[str]]:
    """Begin and confirm enrolment with the current code; returns (secret, recovery codes)."""
    token = token_for(user)
    begun = await gql.mutate(BEGIN, {"password": DEFAULT_PASSWORD}, token=token)
    assert begun["errors"] == [], begun
    secret = begun["enrollment"]["secret"]
    confirmed = await gql.mutate(CONFIRM, {"code": code_now(secret)}, token=token)
    assert confirmed["errors"] == [], confirmed
    return secret, confirmed["recoveryCodes"]


async def login(gql: Any, user: Any, totp_code: str | None = None, password: str = DEFAULT_PASSWORD) -> dict:
    return await gql.mutate(LOGIN, {"identifier": user.phone, "password": password, "totpCode": totp_code})


def codes(payload: dict) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]
