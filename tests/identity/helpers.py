"""Shared steps of the identity tests: documents, reading sandbox codes, signing up and in."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx

from app import runtime
from tests.factories import DEFAULT_PASSWORD, latest_code, next_phone
from tests.harness.graphql import GraphQLClient

REQUEST_CODE = """
mutation($recipient: String!, $purpose: VerificationPurpose!) {
  requestVerificationCode(input: {recipient: $recipient, purpose: $purpose}) {
    sent retryAfterSeconds errors { code message field }
  }
}"""

REGISTER = """
mutation($input: RegisterInput!) {
  register(input: $input) {
    user { id phone email realNameStatus roles hasPaymentPassword securityQuestionCount account { balance } }
    errors { code message field }
  }
}"""

LOGIN = """
mutation($identifier: String!, $password: String!) {
  login(input: {identifier: $identifier, password: $password}) {
    auth { accessToken refreshToken expiresIn user { id phone } }
    errors { code message field }
  }
}"""

REFRESH = """
mutation($token: String!) {
  refreshSession(input: {refreshToken: $token}) {
    auth { accessToken refreshToken expiresIn user { id } }
    errors { code message field }
  }
}"""

VIEWER = "{ viewer { id phone email hasPaymentPassword securityQuestionCount realNameStatus realName idNumber } }"


async def sandbox_texts(http: httpx.AsyncClient, recipient: str) -> list[dict[str, Any]]:
    response = await http.get("/sandbox/messages", params={"recipient": recipient})
    assert response.status_code == 200, response.text
    return response.json()


async def send_code(gql: GraphQLClient, recipient: str, purpose: str) -> str:
    payload = await gql.mutate(REQUEST_CODE, {"recipient": recipient, "purpose": purpose})
    assert payload["sent"] is True, payload
    return await latest_code(recipient, purpose)


async def register(
    gql: GraphQLClient,
    phone: str | None = None,
    *,
    password: str = DEFAULT_PASSWORD,
    email: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """Register through the API (code included); returns the payload."""
    phone = phone or next_phone()
    code = await send_code(gql, phone, "REGISTER")
    return await register_with_code(gql, phone, code, password=password, email=email, **overrides)


async def register_with_code(
    gql: GraphQLClient, phone: str, code: str, *, password: str = DEFAULT_PASSWORD, email: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    data = {
        "phone": phone,
        "verificationCode": code,
        "password": password,
        "confirmPassword": password,
        "email": email,
        "acceptTerms": True,
        **overrides,
    }
    return await gql.mutate(REGISTER, {"input": data})


async def login(gql: GraphQLClient, identifier: str, password: str = DEFAULT_PASSWORD) -> dict[str, Any]:
    return await gql.mutate(LOGIN, {"identifier": identifier, "password": password})


def change_settings(monkeypatch: Any, **changes: Any) -> None:
    """Run this test with some settings changed (restored afterwards)."""
    rt = runtime.get()
    monkeypatch.setattr(rt, "settings", dataclasses.replace(rt.settings, **changes))
