"""QR login (2.2.3): a web page shows a code, the signed-in phone app scans and confirms it,
and the page, which proves itself with a secret only it knows, receives tokens once.

Status moves PENDING -> SCANNED -> CONFIRMED | REJECTED, or to EXPIRED 120 s after
creation. Every change is published (after commit, through the outbox) on the
session's topic; the page's subscription relays them in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import io
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

import segno

from models import User
from models.identity import QrLoginSession

from .. import audit, clock, runtime
from ..errors import DomainError, ErrorCode, input_field
from ..events import stream
from ..events.outbox import unit_of_work
from .address_limits import count_request
from .payment_password import verify_payment_password
from .session_check import is_live
from .sessions import SignedIn, start_session

SESSION_TTL = timedelta(seconds=120)
PAYLOAD_PREFIX = "fenpay://qr-login?token="
_PAYLOAD = re.compile(r"^fenpay://qr-login\?token=([A-Za-z0-9_-]{16,64})$")
MAX_DESCRIPTION = 200
# How often a waiting subscription re-reads the session in case an event was missed.
POLL_SECONDS = 3.0
TERMINAL = frozenset({"CONFIRMED", "REJECTED", "EXPIRED"})
_RANK = {"PENDING": 0, "SCANNED": 1, "CONFIRMED": 2, "REJECTED": 2, "EXPIRED": 2}


@dataclass(frozen=True)
class QrLoginUpdate:
    """One status change as the subscriber sees it; ``signed_in`` only on the delivering CONFIRMED."""

    status: str
    session: QrLoginSession
    signed_in: SignedIn | None = None


def topic(session_id: int) -> str:
    return f"qr-login:{session_id}"


def payload_of(session: QrLoginSession) -> str:
    return PAYLOAD_PREFIX + session.token


@lru_cache(maxsize=256)
def svg_of(payload: str) -> str:
    out = io.BytesIO()
    segno.make(payload, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return out.getvalue().decode()


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def _set_status(session: QrLoginSession, expected: set[str], **changes: Any) -> bool:
    """Move the session on if it is still in one of ``expected``; publish the change after commit."""
    async with unit_of_work() as uow:
        moved = await QrLoginSession.filter(id=session.id, status__in=sorted(expected)).using_db(uow.conn).update(
            **changes
        )
        if moved:
            await uow.emit(topic(session.id), {"status": changes["status"]})
    return moved == 1


async def create(description: str | None, ip: str | None) -> tuple[QrLoginSession, str]:
    """A new session and its secret (returned once, kept only hashed)."""
    await count_request("qr-login", ip, runtime.settings().ip_login_limit_per_hour, None)
    text = " ".join((description or "").split())[:MAX_DESCRIPTION] or "未知设备"
    secret = secrets.token_urlsafe(32)
    session = await QrLoginSession.create(
        token=secrets.token_urlsafe(24),
        secret_hash=_hash_secret(secret),
        client_description=text,
        client_ip=ip,
        expires_at=clock.now() + SESSION_TTL,
    )
    return session, secret


async def expire_if_due(session: QrLoginSession) -> QrLoginSession:
    """The session, marked EXPIRED (and the change published) once its time is up."""
    if session.status in ("PENDING", "SCANNED") and clock.now() >= session.expires_at:
        await _set_status(session, {"PENDING", "SCANNED"}, status="EXPIRED")
        return await QrLoginSession.get(id=session.id)
    return session


def _expired() -> DomainError:
    return DomainError(ErrorCode.QR_CODE_EXPIRED, "二维码已过期，请在网页上刷新二维码")


def _used() -> DomainError:
    return DomainError(ErrorCode.QR_CODE_USED, "二维码已被使用")


async def scan(user: User, payload: str, ip: str | None, signed_in_as: str | None = None) -> QrLoginSession:
    """The phone read the code: SCANNED, and the phone learns what is asking (clientDescription).
    ``signed_in_as`` is the scanning sign-in (token family); only it may confirm."""
    match = _PAYLOAD.match((payload or "").strip())
    session = await QrLoginSession.get_or_none(token=match.group(1)) if match else None
    if session is None:
        raise DomainError(ErrorCode.NOT_FOUND, "无法识别的登录二维码", input_field("payload"))
    session = await expire_if_due(session)
    if session.status == "EXPIRED":
        raise _expired()
    if session.status != "PENDING":
        raise _used()
    if not await _set_status(session, {"PENDING"}, status="SCANNED", scanned_by_id=user.id,
                             scanned_by_session=signed_in_as, scanned_at=clock.now()):
        raise _used()
    await audit.record("qr_login.scan", actor_id=user.id, ip=ip, details={"sessionId": session.id})
    return await QrLoginSession.get(id=session.id)


async def confirm(
    user: User,
    session_id: int | None,
    approve: bool,
    ip: str | None,
    *,
    payment_password: str | None = None,
    signed_in_as: str | None = None,
) -> QrLoginSession:
    """The phone's answer: CONFIRMED (the page gets tokens) or REJECTED.

    Only the sign-in that scanned may answer (another session of the same user gets
    NOT_FOUND), and approving needs the user's payment password: an access token alone
    (stolen from a log or a browser) must not turn into a new 30-day sign-in.
    Errors: NOT_FOUND, QR_CODE_EXPIRED, QR_CODE_USED, and those of ``verify_payment_password``.
    """
    session = await QrLoginSession.get_or_none(id=session_id) if session_id else None
    if session is None or session.scanned_by_id != user.id or session.scanned_by_session != signed_in_as:
        raise DomainError(ErrorCode.NOT_FOUND, "登录请求不存在", input_field("sessionId"))
    if approve:
        await verify_payment_password(user, payment_password, input_field("paymentPassword"))
    session = await expire_if_due(session)
    if session.status == "EXPIRED":
        raise _expired()
    if session.status != "SCANNED":
        raise _used()
    status = "CONFIRMED" if approve else "REJECTED"
    if not await _set_status(session, {"SCANNED"}, status=status, decided_at=clock.now()):
        raise _used()
    await audit.record(
        "qr_login.confirm", actor_id=user.id, ip=ip,
        details={"sessionId": session.id, "approved": approve, "clientIp": session.client_ip},
    )
    return await QrLoginSession.get(id=session.id)


async def authorised_session(session_id: int | None, secret: str) -> QrLoginSession:
    """The session, if ``secret`` is the one handed to its creator."""
    session = await QrLoginSession.get_or_none(id=session_id) if session_id else None
    expected = session.secret_hash if session else _hash_secret(secrets.token_urlsafe(32))
    if not hmac.compare_digest(expected, _hash_secret(secret or "")) or session is None:
        raise DomainError(ErrorCode.NOT_FOUND, "登录会话不存在或密钥错误", ("sessionId",))
    return session


async def _deliver_tokens(session: QrLoginSession, ip: str | None) -> SignedIn | None:
    """Sign the page in, once per session however many subscribers hold the secret."""
    claimed = await QrLoginSession.filter(id=session.id, status="CONFIRMED", delivered_at=None).update(
        delivered_at=clock.now()
    )
    if claimed != 1 or session.scanned_by_id is None:
        return None
    if session.scanned_by_session is not None and not await is_live(session.scanned_by_session):
        return None  # the confirming sign-in was revoked since (logout, password change)
    user = await User.get(id=session.scanned_by_id)
    signed_in = await start_session(user, ip)
    await audit.record(
        "login.success", actor_id=user.id, ip=ip, details={"method": "QR_CODE", "sessionId": session.id}
    )
    return signed_in


def _steps(current: QrLoginSession, status: str, rank: int) -> list[str]:
    """The statuses to announce to a subscriber at ``rank`` that now sees ``status``.

    A final status of a scanned session implies SCANNED came first; a subscriber that
    saw PENDING but missed SCANNED is told it too, so it sees every step in order. (A
    subscriber's first update is just the current status.)
    """
    steps = []
    if _RANK[status] == 2 and rank == 0 and current.scanned_at is not None:
        steps.append("SCANNED")
    if _RANK[status] > rank:
        steps.append(status)
    return steps


async def watch(session: QrLoginSession, ip: str | None) -> AsyncIterator[QrLoginUpdate]:
    """Every status change of an (already authorised) session, ending with a final status.

    The first update is the current status. Changes come from the event stream; the
    session is also re-read every few seconds in case an event was missed, and at
    the instant it expires (by ``app.clock``) it is marked EXPIRED here.
    """
    events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    source = stream.subscribe(topic(session.id))

    async def pump() -> None:
        async for message in source:
            events.put_nowait(message)

    pump_task = asyncio.create_task(pump())
    await asyncio.sleep(0)  # let the pump register its topic before the first read
    rank = -1
    try:
        current = await expire_if_due(await QrLoginSession.get(id=session.id))
        status = current.status
        while True:
            for step in _steps(current, status, rank):
                rank = _RANK[step]
                signed_in = await _deliver_tokens(current, ip) if step == "CONFIRMED" else None
                yield QrLoginUpdate(status=step, session=current, signed_in=signed_in)
            if status in TERMINAL:
                return
            remaining = (current.expires_at - clock.now()).total_seconds()
            try:
                message = await asyncio.wait_for(events.get(), timeout=min(max(remaining, 0.0) + 0.05, POLL_SECONDS))
            except TimeoutError:
                message = None
            announced = message.get("status") if message else None
            if announced in _RANK and _RANK[announced] <= rank:
                continue  # a repeat of what was already announced
            current = await expire_if_due(await QrLoginSession.get(id=session.id))
            # An announced step is shown even if the row has already moved further.
            status = announced if announced in _RANK else current.status
    finally:
        pump_task.cancel()
        with contextlib.suppress(BaseException):
            await pump_task


async def expire_due_sessions() -> int:
    """Mark every session past its time EXPIRED and publish it (the scheduled sweep)."""
    due = await QrLoginSession.filter(status__in=["PENDING", "SCANNED"], expires_at__lte=clock.now())
    count = 0
    for session in due:
        if await _set_status(session, {"PENDING", "SCANNED"}, status="EXPIRED"):
            count += 1
    return count


async def purge_old_sessions(older_than: timedelta = timedelta(days=1)) -> int:
    return await QrLoginSession.filter(created_at__lt=clock.now() - older_than).delete()
