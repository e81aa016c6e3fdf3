"""Forged, expired and misdirected tokens: ``viewer`` is null and signed-in fields answer
UNAUTHENTICATED, over HTTP and on websocket handshakes."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest

from app import clock, runtime
from app.identity.tokens import issue_access_token
from tests.factories import make_user, token_for
from tests.identity.helpers import REFRESH, login

VIEWER = "{ viewer { id phone } }"
SIGNED_IN = "{ holdings { id } }"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(user_id: int, **override: object) -> dict:
    settings = runtime.settings()
    now = int(clock.now().timestamp())
    claims = {
        "sub": str(user_id),
        "typ": "access",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now - 5,
        "exp": now + 600,
        "jti": "attack",
    }
    claims.update(override)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict, key: str | None = None, algorithm: str = "HS256", headers: dict | None = None) -> str:
    return jwt.encode(claims, key or runtime.settings().jwt_secret, algorithm=algorithm, headers=headers)


FORGERIES = {
    "alg none": lambda uid: f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(uid))}.",
    "alg none, upper case": lambda uid: f"{_b64({'alg': 'NONE', 'typ': 'JWT'})}.{_b64(_claims(uid))}.",
    "wrong key": lambda uid: _sign(_claims(uid), key="not-the-server-secret-but-long-enough"),
    "HS512 with the right key": lambda uid: _sign(_claims(uid), algorithm="HS512"),
    "wrong audience": lambda uid: _sign(_claims(uid, aud="someone-else")),
    "wrong issuer": lambda uid: _sign(_claims(uid, iss="evil")),
    "no audience": lambda uid: _sign(_claims(uid, aud=None)),
    "no expiry": lambda uid: _sign(_claims(uid, exp=None)),
    "expired": lambda uid: _sign(_claims(uid, exp=int(clock.now().timestamp()) - 1)),
    "refresh type": lambda uid: _sign(_claims(uid, typ="refresh")),
    "no type": lambda uid: _sign(_claims(uid, typ=None)),
    "subject not a number": lambda uid: _sign(_claims(uid, sub="admin")),
    "subject of a missing user": lambda uid: _sign(_claims(uid + 10_000)),
    "tampered payload": lambda uid: _tamper(token_for_id(uid), uid + 1),
    "signature stripped": lambda uid: token_for_id(uid).rsplit(".", 1)[0] + ".",
    "garbage": lambda uid: "not.a.jwt",
    "empty": lambda uid: "",
    "kid injection": lambda uid: _sign(_claims(uid), key="x" * 32, headers={"kid": "../../dev/null"}),
}


def token_for_id(user_id: int) -> str:
    return issue_access_token(user_id)[0]


def _tamper(token: str, other_id: int) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = str(other_id)
    return f"{header}.{_b64(claims)}.{signature}"


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("name", list(FORGERIES))
async def test_forged_tokens_give_no_viewer(gql, name):
    victim = await make_user()
    await make_user()  # a second user, so "tampered payload" names someone real
    token = FORGERIES[name](victim.id)
    result = await gql(VIEWER, headers={"Authorization": f"Bearer {token}"})
    assert result.data == {"viewer": None}, (name, result)
    guarded = await gql(SIGNED_IN, headers={"Authorization": f"Bearer {token}"})
    assert guarded.error_codes() == ["UNAUTHENTICATED"], (name, guarded)
    assert victim.phone not in json.dumps(guarded)


async def test_a_genuine_token_works_so_the_forgeries_are_meaningful(gql):
    user = await make_user()
    result = await gql(VIEWER, token=token_for(user))
    assert result.data["viewer"]["id"]


async def test_token_expires_when_the_clock_moves(gql):
    user = await make_user()
    token = token_for(user)
    assert (await gql(VIEWER, token=token)).data["viewer"] is not None
    clock.set_now(clock.now() + timedelta(seconds=runtime.settings().access_token_ttl + 1))
    assert (await gql(VIEWER, token=token)).data == {"viewer": None}
    assert (await gql(SIGNED_IN, token=token)).error_codes() == ["UNAUTHENTICATED"]


@pytest.mark.parametrize("scheme", ["Basic", "Token", "bearer", "Bearer  "])
async def test_authorization_schemes(gql, scheme):
    user = await make_user()
    token = token_for(user)
    result = await gql(VIEWER, headers={"Authorization": f"{scheme} {token}"})
    expect_viewer = scheme.strip().lower() == "bearer"
    assert (result.data["viewer"] is not None) == expect_viewer, scheme


async def test_a_refresh_token_is_not_an_access_token_and_vice_versa(gql):
    user = await make_user()
    auth = (await login(gql, user.phone))["auth"]
    refresh = auth["refreshToken"]
    as_access = await gql(VIEWER, headers={"Authorization": f"Bearer {refresh}"})
    assert as_access.data == {"viewer": None}
    assert (await gql(SIGNED_IN, headers={"Authorization": f"Bearer {refresh}"})).error_codes() == ["UNAUTHENTICATED"]
    as_refresh = await gql.mutate(REFRESH, {"token": auth["accessToken"]})
    assert as_refresh["auth"] is None and as_refresh["errors"]
    # The genuine pair still works as intended.
    assert (await gql(VIEWER, token=auth["accessToken"])).data["viewer"]["id"]
    assert (await gql.mutate(REFRESH, {"token": refresh}))["auth"]["accessToken"]
