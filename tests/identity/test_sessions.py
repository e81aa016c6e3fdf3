"""Access tokens (JWT, pinned algorithm and checked claims) and rotating refresh tokens."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest

from app import clock, runtime
from app.identity.tokens import issue_access_token
from models import AuditRecord
from models.identity import RefreshToken
from tests.factories import make_user, token_for
from tests.harness.graphql import user_error_codes
from tests.identity.helpers import REFRESH, VIEWER, login

LOGOUT = "mutation($t: String!) { logout(input: {refreshToken: $t}) { ok errors { code } } }"
CHANGE_PASSWORD = """
mutation { changePassword(input: {oldPassword: "Fen!pay2026", newPassword: "New!pass2580", confirmPassword: "New!pass2580"}) {
  ok errors { code } } }"""


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(user_id: int, **changes) -> dict:
    settings = runtime.settings()
    now = int(clock.now().timestamp())
    claims = {"sub": str(user_id), "typ": "access", "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
              "iat": now, "exp": now + 900}
    claims.update(changes)
    return claims


async def _viewer(gql, token: str):
    return (await gql.ok(VIEWER, token=token))["viewer"]


async def test_valid_token_names_the_user(gql):
    user = await make_user()
    assert await _viewer(gql, token_for(user)) is not None


async def test_alg_none_token_is_refused(gql):
    user = await make_user()
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(user.id))}."
    assert await _viewer(gql, token) is None


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
async def test_token_signed_with_another_algorithm_or_key_is_refused(gql):
    user = await make_user()
    secret = runtime.settings().jwt_secret
    assert await _viewer(gql, jwt.encode(_claims(user.id), secret, algorithm="HS512")) is None
    assert await _viewer(gql, jwt.encode(_claims(user.id), "another-secret-of-enough-length!", algorithm="HS256")) is None


async def test_tampered_token_is_refused(gql):
    victim, attacker = await make_user(), await make_user()
    header, _, signature = token_for(attacker).split(".")
    forged = f"{header}.{_b64(_claims(victim.id))}.{signature}"
    assert await _viewer(gql, forged) is None


async def test_expired_token_is_refused(gql):
    clock.set_now(clock.now())
    user = await make_user()
    token = token_for(user)
    clock.advance(timedelta(minutes=14, seconds=59))
    assert await _viewer(gql, token) is not None
    clock.advance(timedelta(seconds=2))
    assert await _viewer(gql, token) is None


@pytest.mark.parametrize(
    "changes", [{"aud": "someone-else"}, {"iss": "another-issuer"}, {"typ": "refresh"}, {"sub": "not-a-number"}]
)
async def test_wrong_claims_are_refused(gql, changes):
    user = await make_user()
    token = jwt.encode(_claims(user.id, **changes), runtime.settings().jwt_secret, algorithm="HS256")
    assert await _viewer(gql, token) is None


async def test_refresh_token_is_not_an_access_token(gql):
    user = await make_user()
    auth = (await login(gql, user.phone))["auth"]
    assert await _viewer(gql, auth["refreshToken"]) is None
    result = await gql(CHANGE_PASSWORD, token=auth["refreshToken"])
    assert result.error_codes() == ["UNAUTHENTICATED"]


async def test_mutations_that_need_a_user_answer_unauthenticated(gql):
    user = await make_user()
    for token in (None, "garbage", f"{_b64({'alg': 'none'})}.{_b64(_claims(user.id))}."):
        result = await gql(CHANGE_PASSWORD, token=token)
        assert result.error_codes() == ["UNAUTHENTICATED"], token


async def test_refresh_rotates_the_token(gql):
    user = await make_user()
    first = (await login(gql, user.phone))["auth"]
    second = await gql.mutate(REFRESH, {"token": first["refreshToken"]})
    assert second["errors"] == []
    rotated = second["auth"]
    assert rotated["refreshToken"] != first["refreshToken"]
    assert await _viewer(gql, rotated["accessToken"]) is not None
    third = await gql.mutate(REFRESH, {"token": rotated["refreshToken"]})
    assert third["errors"] == []
    # Only hashes are stored.
    stored = {row.token_hash for row in await RefreshToken.all()}
    assert first["refreshToken"] not in stored and len(stored) == 3


async def test_reusing_a_used_refresh_token_revokes_the_whole_family(gql):
    user = await make_user()
    stolen = (await login(gql, user.phone))["auth"]["refreshToken"]
    other_device = (await login(gql, user.phone))["auth"]["refreshToken"]
    legitimate = (await gql.mutate(REFRESH, {"token": stolen}))["auth"]["refreshToken"]
    replay = await gql.mutate(REFRESH, {"token": stolen})
    assert user_error_codes(replay) == ["INVALID_CREDENTIALS"]
    # The successor issued to the legitimate holder is dead too ...
    assert user_error_codes(await gql.mutate(REFRESH, {"token": legitimate})) == ["INVALID_CREDENTIALS"]
    # ... but another sign-in of the same user is untouched.
    assert (await gql.mutate(REFRESH, {"token": other_device}))["errors"] == []
    assert await AuditRecord.filter(action="session.refresh_reuse", subject_user_id=user.id).exists()


async def test_unknown_and_expired_refresh_tokens_are_refused(gql, monkeypatch):
    clock.set_now(clock.now())
    user = await make_user()
    assert user_error_codes(await gql.mutate(REFRESH, {"token": "made-up"})) == ["INVALID_CREDENTIALS"]
    token = (await login(gql, user.phone))["auth"]["refreshToken"]
    clock.advance(timedelta(seconds=runtime.settings().refresh_token_ttl + 1))
    assert user_error_codes(await gql.mutate(REFRESH, {"token": token})) == ["INVALID_CREDENTIALS"]


async def test_logout_revokes_the_refresh_token(gql):
    user = await make_user()
    token = (await login(gql, user.phone))["auth"]["refreshToken"]
    assert await gql.mutate(LOGOUT, {"t": token}) == {"ok": True, "errors": []}
    assert user_error_codes(await gql.mutate(REFRESH, {"token": token})) == ["INVALID_CREDENTIALS"]
    assert await AuditRecord.filter(action="logout", actor_id=user.id).exists()


async def test_password_change_revokes_every_refresh_token(gql):
    user = await make_user()
    tokens = [(await login(gql, user.phone))["auth"] for _ in range(2)]
    assert (await gql.mutate(CHANGE_PASSWORD, token=tokens[0]["accessToken"]))["ok"] is True
    for auth in tokens:
        assert user_error_codes(await gql.mutate(REFRESH, {"token": auth["refreshToken"]})) == ["INVALID_CREDENTIALS"]


async def test_access_token_carries_its_session_family(gql):
    user = await make_user()
    auth = (await login(gql, user.phone))["auth"]
    claims = jwt.decode(auth["accessToken"], options={"verify_signature": False})
    row = await RefreshToken.get(user_id=user.id)
    assert claims["sid"] == row.family
    assert issue_access_token(user.id)[1] == 900
