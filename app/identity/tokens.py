"""Access tokens: short-lived JWTs with a pinned algorithm and checked claims."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import jwt

from .. import clock, runtime

ALGORITHM = "HS256"
ACCESS = "access"


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    session_id: str | None
    expires_at: int = 0
    """Unix seconds after which the token is refused."""


def issue_access_token(user_id: int, session_id: str | None = None) -> tuple[str, int]:
    """Return (token, seconds to expiry)."""
    settings = runtime.settings()
    now = clock.now()
    ttl = settings.access_token_ttl
    claims = {
        "sub": str(user_id),
        "typ": ACCESS,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()) - 5,
        "exp": int((now + timedelta(seconds=ttl)).timestamp()),
        "jti": secrets.token_urlsafe(12),
    }
    if session_id:
        claims["sid"] = session_id
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM), ttl


def decode_access_token(token: str) -> AccessClaims | None:
    """Claims of a valid access token, or None for anything forged, expired or of another kind.

    The signature and claim checks of a token string are remembered per process (its answer
    never changes for the same secret); expiry is checked on every call against ``app.clock``,
    and revocation by the session check (``session_check.is_live``) on every request."""
    settings = runtime.settings()
    claims = _verified(token, settings.jwt_secret, settings.jwt_audience, settings.jwt_issuer)
    if claims is None or claims.expires_at <= clock.now().timestamp():
        return None
    return claims


@lru_cache(maxsize=8192)
def _verified(token: str, secret: str, audience: str, issuer: str) -> AccessClaims | None:
    """The token's claims when signed with ``secret`` for this audience and issuer (expiry unchecked)."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            # Expiry is checked below against the injectable clock, so tests can move time.
            options={
                "require": ["exp", "iat", "sub", "iss", "aud", "typ"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.PyJWTError:
        return None
    if claims.get("typ") != ACCESS:
        return None
    exp = claims.get("exp")
    if not isinstance(exp, int):
        return None
    try:
        return AccessClaims(user_id=int(claims["sub"]), session_id=claims.get("sid"), expires_at=exp)
    except (TypeError, ValueError):
        return None
