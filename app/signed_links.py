"""Short-lived signed download links: a URL that works without a token until it expires.

A token is ``<body>.<signature>``: body = url-safe base64 of JSON ``{"p": purpose,
"d": data, "e": expiry unix seconds}``, signature = HMAC-SHA256 (key derived from the
pepper, which never leaves the server) over the body, hex. A token signed for one
purpose is refused for any other. A link to a user's own data (``"u"`` in its data) dies with
the account: ``verify_for_open_account`` refuses it once the account is closed (guide 9.1.2).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from models import User

from . import clock, runtime


def _signature(body: str) -> str:
    key = hmac.new(runtime.settings().payment_pepper, b"fenpay-signed-link", hashlib.sha256).digest()
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def sign(purpose: str, data: dict[str, Any], ttl: timedelta) -> tuple[str, datetime]:
    """A token for ``data`` (JSON-serialisable) valid for ``ttl``; returns (token, expires at)."""
    expires = clock.now() + ttl
    payload = {"p": purpose, "d": data, "e": int(expires.timestamp())}
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{body}.{_signature(body)}", expires.replace(microsecond=0)


def verify(purpose: str, token: str | None) -> dict[str, Any] | None:
    """The data of a genuine, unexpired token for ``purpose``; None otherwise."""
    body, _, signature = (token or "").partition(".")
    if not body or not hmac.compare_digest(signature.encode(), _signature(body).encode()):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        return None
    if payload.get("p") != purpose:
        return None
    if datetime.fromtimestamp(int(payload.get("e", 0)), UTC) <= clock.now():
        return None
    data = payload.get("d")
    return data if isinstance(data, dict) else None


async def verify_for_open_account(purpose: str, token: str | None) -> dict[str, Any] | None:
    """``verify``, and the user ``"u"`` of the link's data still exists and is not CLOSED: a
    link made before the account was closed (or erased) shows nothing afterwards."""
    data = verify(purpose, token)
    if data is None:
        return None
    user = await User.get_or_none(id=int(data.get("u", 0)))
    return data if user is not None and user.status != "CLOSED" else None


def url(path: str, token: str) -> str:
    """The absolute link under the server's public URL."""
    return f"{runtime.settings().public_url.rstrip('/')}{path}?token={token}"
