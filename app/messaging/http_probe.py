"""Reachability check of an HTTP provider, for `fenpay doctor` (any answer means reachable)."""

from __future__ import annotations

import httpx

from .. import outbound_http
from .channels import DeliveryError


async def probe(method: str, url: str, *, label: str, timeout: float,  # noqa: ASYNC109 (handed to httpx)
                transport: httpx.AsyncBaseTransport | None = None) -> str:
    """``"<label> <url> answers (<status>)"``; raises ``DeliveryError`` when nothing answers."""
    try:
        async with outbound_http.client(timeout=timeout, transport=transport) as client:
            response = await client.request(method, url)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{label} {url} unreachable: {type(exc).__name__}") from exc
    return f"{label} {url} answers ({response.status_code})"
