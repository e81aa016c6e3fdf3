"""HMAC-SHA256 request signatures: ``t=<unix seconds>,v1=<hex>`` over ``"<t>." + body``.

The same scheme fenpay accepts from channels and sends to merchants, used here for the
generic SMS gateway.
"""

from __future__ import annotations

import hashlib
import hmac


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
