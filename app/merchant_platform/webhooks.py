"""Webhook endpoints of a merchant: create (the signing secret shown once), list, delete.

URL rules: ``https`` only in production (``http`` also in sandbox mode); in production the
host must not be or resolve to a private, loopback, link-local, reserved or multicast
address (WEBHOOK_URL_INVALID), and the delivery job checks that again before each send.
"""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
import socket
from urllib.parse import urlsplit

from models.merchant_platform_events import WebhookDelivery, WebhookEndpoint

from .. import audit, clock, crypto, runtime
from ..errors import DomainError, ErrorCode, input_field
from .events import EVENT_TYPES

MAX_ENDPOINTS_PER_MERCHANT = 10
MAX_URL_LENGTH = 500
SECRET_PREFIX = "whsec_"


def _invalid_url(message: str) -> DomainError:
    return DomainError(ErrorCode.WEBHOOK_URL_INVALID, message, input_field("url"))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def _addresses(host: str, port: int) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout=5)
    except (TimeoutError, OSError) as exc:
        raise _invalid_url("无法解析通知地址的主机名") from exc
    return sorted({str(info[4][0]) for info in infos})


async def check_webhook_url(url: str, *, sandbox: bool) -> str:
    """The URL, trimmed, when a webhook may be sent to it; raises DomainError(WEBHOOK_URL_INVALID).

    ``sandbox``: http and private-network targets allowed (local test receivers).
    """
    url = (url or "").strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise _invalid_url(f"通知地址不能为空，且不超过 {MAX_URL_LENGTH} 个字符")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _invalid_url("通知地址格式不正确") from exc
    allowed = ("https", "http") if sandbox else ("https",)
    if parts.scheme not in allowed:
        raise _invalid_url("通知地址必须使用 https" if not sandbox else "通知地址必须是 http 或 https 地址")
    if not parts.hostname or parts.username or parts.password or parts.fragment:
        raise _invalid_url("通知地址需要主机名，且不能包含用户名、密码或片段")
    if not sandbox:
        host = parts.hostname
        if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
            raise _invalid_url("通知地址不能指向内网")
        addresses = await _addresses(host, port or 443)
        if not addresses or not all(_is_public(address) for address in addresses):
            raise _invalid_url("通知地址不能指向内网")
    return url


def _events(events: list[str]) -> list[str]:
    chosen = [event for event in EVENT_TYPES if event in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请至少选择一种通知事件", input_field("events"))
    return chosen


async def create_endpoint(
    merchant_id: int, url: str, events: list[str], *, actor_id: int | None, ip: str | None = None
) -> tuple[WebhookEndpoint, str]:
    """A new enabled endpoint and its signing secret (``whsec_`` + 43 characters; only returned here)."""
    url = await check_webhook_url(url, sandbox=runtime.settings().sandbox)
    chosen = _events(events)
    if await WebhookEndpoint.filter(merchant_id=merchant_id, deleted_at=None).count() >= MAX_ENDPOINTS_PER_MERCHANT:
        raise DomainError(
            ErrorCode.LIMIT_EXCEEDED, f"每个商户最多 {MAX_ENDPOINTS_PER_MERCHANT} 个通知地址", input_field("url")
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint = await WebhookEndpoint.create(
        merchant_id=merchant_id, url=url, events=chosen, secret_encrypted=crypto.encrypt(secret)
    )
    await audit.record(
        "WEBHOOK_ENDPOINT_CREATED", actor_id=actor_id, ip=ip,
        details={"merchantId": merchant_id, "endpointId": endpoint.id, "url": url, "events": chosen},
    )
    return endpoint, secret


def endpoint_secret(endpoint: WebhookEndpoint) -> str:
    return crypto.decrypt(endpoint.secret_encrypted)


async def live_endpoints(merchant_id: int) -> list[WebhookEndpoint]:
    """The merchant's endpoints that are not deleted (enabled or disabled), oldest first."""
    return await WebhookEndpoint.filter(merchant_id=merchant_id, deleted_at=None).order_by("id")


async def merchant_endpoint(merchant_id: int, endpoint_id: int, field: str = "endpointId") -> WebhookEndpoint:
    endpoint = await WebhookEndpoint.get_or_none(id=endpoint_id, merchant_id=merchant_id, deleted_at=None)
    if endpoint is None:
        raise DomainError(ErrorCode.NOT_FOUND, "通知地址不存在", input_field(field))
    return endpoint


async def delete_endpoint(
    merchant_id: int, endpoint_id: int, *, actor_id: int | None, ip: str | None = None
) -> None:
    """Delete (soft: the delivery log keeps pointing at it); its pending deliveries stop."""
    endpoint = await merchant_endpoint(merchant_id, endpoint_id)
    now = clock.now()
    await WebhookEndpoint.filter(id=endpoint.id).update(deleted_at=now, enabled=False)
    await WebhookDelivery.filter(endpoint_id=endpoint.id, status="PENDING").update(
        status="FAILED", next_attempt_at=None
    )
    await audit.record(
        "WEBHOOK_ENDPOINT_DELETED", actor_id=actor_id, ip=ip,
        details={"merchantId": merchant_id, "endpointId": endpoint.id, "url": endpoint.url},
    )
