"""Clients for fenpay's outbound HTTP: merchants' webhooks, SMS providers' HTTP APIs and the
reachability probes of `fenpay doctor`.

Building a TLS context loads the whole CA bundle (about 50 ms of CPU with certifi's); a client
made per webhook run or per message paid that each time, on the request's worker. One context
per process, made on first use, is shared by every client (an ``SSLContext`` may serve many
connections at once)."""

from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default verification (certifi's CA bundle), built once per process."""
    return httpx.create_ssl_context()


def client(*, timeout: float, transport: httpx.AsyncBaseTransport | None = None, **options: Any) -> httpx.AsyncClient:  # noqa: ASYNC109 - handed to httpx
    """An ``httpx.AsyncClient`` verifying TLS with the shared context; ``options`` as httpx's."""
    return httpx.AsyncClient(timeout=timeout, transport=transport, verify=tls_context(), **options)
