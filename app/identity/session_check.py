"""Is the sign-in an access token belongs to still live? Checked on every request and every
websocket operation, so logout, a password change or a refresh-token reuse take effect at once.

The source of truth is the ``refresh_tokens`` table: a sign-in (token family) is live while
one of its refresh tokens is neither revoked nor expired. The answer is cached in the shared
key-value store (Redis when configured, so every worker sees the same answer):

- ``session:<family>`` = ``live`` for ``LIVE_CACHE_SECONDS`` after a database check, written
  only if absent, so a check that raced a revocation can never overwrite it;
- revocation writes ``revoked`` unconditionally (for as long as an access token lives), after
  the database update, so every later check refuses the family.

Access tokens without a session id are minted only by tests and tools, never by sign-in.
"""

from __future__ import annotations

import logging

from models.identity import RefreshToken

from .. import clock, runtime

log = logging.getLogger(__name__)

LIVE_CACHE_SECONDS = 60
# Broker topic announcing revoked sign-ins ({"families": [...]}), so every worker closes their
# open sockets at once instead of at its next periodic check.
SESSIONS_ENDED_TOPIC = "sessions-ended"
LIVE = "live"
REVOKED = "revoked"


def _key(family: str) -> str:
    return f"session:{family}"


def _revoked_ttl() -> int:
    """Long enough to outlive every access token issued for the family."""
    return runtime.settings().access_token_ttl + 120


async def is_live(family: str) -> bool:
    """True while the sign-in ``family`` has a refresh token neither revoked nor expired."""
    kv = runtime.get().kv
    cached = await kv.get(_key(family))
    if cached == REVOKED:
        return False
    if cached == LIVE:
        return True
    live = await RefreshToken.filter(family=family, revoked_at=None, expires_at__gt=clock.now()).exists()
    if live:
        await kv.set(_key(family), LIVE, LIVE_CACHE_SECONDS, only_new=True)
        # A revocation may have landed between the read and the write: its marker wins.
        return await kv.get(_key(family)) != REVOKED
    await kv.set(_key(family), REVOKED, _revoked_ttl())
    return False


async def mark_revoked(families: list[str] | set[str]) -> None:
    """Refuse the access tokens of these sign-ins from now on (call after the database update)."""
    kv = runtime.get().kv
    for family in set(families):
        await kv.set(_key(family), REVOKED, _revoked_ttl())
    try:
        await runtime.get().broker.publish(SESSIONS_ENDED_TOPIC, {"families": sorted(set(families))})
    except Exception as exc:  # the marker above already refuses them; sockets then close at their next check
        log.warning("could not announce %d ended sign-in(s): %s", len(set(families)), type(exc).__name__)
