"""Sign-in sessions: a short-lived JWT access token plus an opaque refresh token.

Refresh tokens are random, stored as SHA-256 hashes, and rotated on every use.
The tokens of one sign-in share a family; presenting a token that was already
used means it leaked (or was replayed), so the whole family is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from models import User
from models.identity import RefreshToken

from .. import audit, clock, runtime
from ..db import Conn
from ..errors import DomainError, ErrorCode
from . import session_check
from .tokens import issue_access_token

FIELD = ("input", "refreshToken")


@dataclass(frozen=True)
class SignedIn:
    user: User
    access_token: str
    refresh_token: str
    expires_in: int


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _new_refresh_token(user_id: int, family: str, ip: str | None, conn: Conn | None = None) -> str:
    token = secrets.token_urlsafe(32)
    await RefreshToken.create(
        user_id=user_id,
        family=family,
        token_hash=_hash(token),
        expires_at=clock.now() + timedelta(seconds=runtime.settings().refresh_token_ttl),
        ip=ip,
        using_db=conn,
    )
    return token


async def start_session(user: User, ip: str | None, conn: Conn | None = None) -> SignedIn:
    """A fresh token family for a completed sign-in."""
    family = secrets.token_hex(16)
    refresh = await _new_refresh_token(user.id, family, ip, conn)
    access, ttl = issue_access_token(user.id, family)
    return SignedIn(user=user, access_token=access, refresh_token=refresh, expires_in=ttl)


def _invalid() -> DomainError:
    return DomainError(ErrorCode.INVALID_CREDENTIALS, "登录已失效，请重新登录", FIELD)


async def revoke_family(family: str) -> int:
    """End one sign-in: its refresh tokens and, at once, its access tokens (see session_check)."""
    revoked = await RefreshToken.filter(family=family, revoked_at=None).update(revoked_at=clock.now())
    await session_check.mark_revoked([family])
    return revoked


async def revoke_all(user_id: int) -> int:
    """Sign the user out everywhere (password change or reset), QR-made sign-ins included."""
    now = clock.now()
    revoked = await RefreshToken.filter(user_id=user_id, revoked_at=None).update(revoked_at=now)
    families = await RefreshToken.filter(user_id=user_id, revoked_at=now).values_list("family", flat=True)
    await session_check.mark_revoked(set(cast("list[str]", families)))
    return revoked


async def refresh(token: str, ip: str | None) -> SignedIn:
    """Rotate: the presented token is used up and its successor returned with a new access token."""
    now = clock.now()
    row = await RefreshToken.get_or_none(token_hash=_hash(token or ""))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise _invalid()
    if row.used_at is not None:
        await _reuse_detected(row, ip)
        raise _invalid()
    # Only one of two concurrent uses of the same token may win.
    claimed = await RefreshToken.filter(id=row.id, used_at=None, revoked_at=None).update(used_at=now)
    if claimed != 1:
        await _reuse_detected(row, ip)
        raise _invalid()
    user = await User.get_or_none(id=row.user_id)
    if user is None:
        raise _invalid()
    successor = await _new_refresh_token(user.id, row.family, ip)
    access, ttl = issue_access_token(user.id, row.family)
    return SignedIn(user=user, access_token=access, refresh_token=successor, expires_in=ttl)


async def _reuse_detected(row: RefreshToken, ip: str | None) -> None:
    revoked = await revoke_family(row.family)
    await audit.record(
        "session.refresh_reuse", actor_id=None, subject_user_id=row.user_id, ip=ip,
        details={"family": row.family, "revoked": revoked},
    )


async def logout(token: str, ip: str | None) -> None:
    """Revoke the sign-in the token belongs to. Unknown tokens are ignored (nothing to reveal)."""
    row = await RefreshToken.get_or_none(token_hash=_hash(token or ""))
    if row is None:
        return
    await revoke_family(row.family)
    await audit.record("logout", actor_id=row.user_id, ip=ip, details={"family": row.family})
