"""Paying or declining one's part of a request to pay.

Paying is a transfer (payer -> requester) through the money kernel, with the payment
password, the risk screen and limits, and an idempotency key; in the same transaction one
conditional UPDATE moves the item PENDING -> PAID (and links the transfer), so a part is
paid at most once: a second payment of it, or one after the request expired, rolls back with
INVALID_STATE and moves nothing (also when it lost the race at its balance check). Declining is one conditional UPDATE PENDING -> DECLINED.
When no item is PENDING any more the request is SETTLED.
"""

from __future__ import annotations

from dataclasses import dataclass

from models import User
from models.pay_requests import PayRequest, PayRequestItem

from .. import clock
from ..db import Conn
from ..errors import DomainError, ErrorCode
from ..events.outbox import UnitOfWork, unit_of_work
from ..identity.payment_password import verify_payment_password
from ..ledger import idempotency, kernel, sql
from ..ledger.accounts import wallet_of
from ..ledger.journal import Leg
from ..ledger.kernel import Key, MoneyResult, Movement, Notice
from ..ledger.vocabulary import TransactionType
from ..payments.parties import person_party
from ..risk.check import Outgoing, screen
from .live import emit_changed

OPERATION = "pay-request"
FIELD = ("input", "itemId")


@dataclass(frozen=True)
class PayPart:
    item_id: int | None
    payment_password: str
    idempotency_key: str
    verification_code: str | None = None

    def digest(self) -> str:
        return idempotency.request_hash(OPERATION, {"item": self.item_id})


async def own_item(payer: User, item_id: int | None) -> PayRequestItem:
    item = await PayRequestItem.get_or_none(id=item_id, payer_id=payer.id) if item_id is not None else None
    if item is None:
        raise DomainError(ErrorCode.NOT_FOUND, "收款请求不存在", FIELD)
    return item


def _closed(item: PayRequestItem, request: PayRequest) -> DomainError | None:
    if item.status != "PENDING":
        return DomainError(ErrorCode.INVALID_STATE, f"这笔收款请求已{_STATUS_TEXT.get(item.status, '结束')}", FIELD)
    if request.expires_at <= clock.now() or request.status != "OPEN":
        return DomainError(ErrorCode.INVALID_STATE, "这笔收款请求已过期", FIELD)
    return None


_STATUS_TEXT = {"PAID": "支付", "DECLINED": "拒绝", "EXPIRED": "过期"}


async def _settle(conn: Conn, item: PayRequestItem, status: str, transaction_id: int | None) -> None:
    """PENDING -> ``status`` for a live request, else INVALID_STATE (rolls the caller back)."""
    now = clock.now()
    rows = await sql.fetch(
        conn,
        "UPDATE pay_request_items SET status = ?, transaction_id = ?, settled_at = ?"
        " WHERE id = ? AND status = 'PENDING'"
        " AND EXISTS (SELECT 1 FROM pay_requests r WHERE r.id = request_id AND r.status = 'OPEN' AND r.expires_at > ?)"
        " RETURNING id",
        status, transaction_id, now, item.id, now,
    )
    if not rows:
        fresh = await PayRequestItem.get(id=item.id, using_db=conn)
        error = _closed(fresh, await PayRequest.get(id=item.request_id, using_db=conn))
        raise error or DomainError(ErrorCode.INVALID_STATE, "这笔收款请求已结束", FIELD)
    await sql.execute(
        conn,
        "UPDATE pay_requests SET status = 'SETTLED' WHERE id = ? AND status = 'OPEN'"
        " AND NOT EXISTS (SELECT 1 FROM pay_request_items i WHERE i.request_id = ? AND i.status = 'PENDING')",
        item.request_id, item.request_id,
    )


async def pay_item(payer: User, part: PayPart) -> tuple[PayRequestItem, MoneyResult]:
    """Pay one's part; returns the item and the transfer. Errors: NOT_FOUND, INVALID_STATE,
    the payment password's, the risk errors, INSUFFICIENT_FUNDS, IDEMPOTENCY_KEY_REUSED,
    ACCOUNT_CLOSED (the requester closed their account)."""
    idempotency.validate_key(part.idempotency_key)
    item = await own_item(payer, part.item_id)
    request = await PayRequest.get(id=item.request_id)
    key = Key(payer.id, part.idempotency_key, OPERATION, part.digest())
    await verify_payment_password(payer, part.payment_password)
    if (first := await kernel.earlier(key)) is not None:
        return await PayRequestItem.get(id=item.id), first
    if (error := _closed(item, request)) is not None:
        raise error
    requester = await User.get(id=request.requester_id)
    wallet, requester_wallet = await wallet_of(payer.id), await wallet_of(requester.id)
    risk = Outgoing(user=payer, wallet_id=wallet.id, amount=item.amount, operation="TRANSFER",
                    verification_code=part.verification_code)
    rule = await screen(risk)

    async def mark_paid(uow: UnitOfWork, tx, _balances) -> None:  # noqa: ANN001
        await _settle(uow.conn, item, "PAID", tx.id)
        await emit_changed(uow, request.id, [payer.id])

    counterparty, initiator = person_party(requester), person_party(payer)
    try:
        result = await kernel.move(
            Movement(
                type=TransactionType.TRANSFER, account=wallet, amount=item.amount, key=key, risk=risk, allow_rule=rule,
                legs=(Leg(wallet, -item.amount), Leg(requester_wallet, item.amount)),
                counterparty_account_id=requester_wallet.id,
                counterparty_name=counterparty.name, counterparty_ref=counterparty.ref,
                initiator_name=initiator.name, initiator_ref=initiator.ref,
                description=request.note or "AA 收款", reference_id=item.id,
                notices=(
                    Notice(wallet, -item.amount, sms_phone=payer.phone),
                    Notice(requester_wallet, item.amount, sms_phone=requester.phone),
                ),
                after=mark_paid,
            )
        )
    except DomainError as refused:
        if refused.code is ErrorCode.ACCOUNT_CLOSED:  # the requester closed their account meanwhile
            raise DomainError(ErrorCode.ACCOUNT_CLOSED, "发起收款的账户已注销，无法付款", FIELD) from None
        # A concurrent payment of this part may have won while this one failed its balance or a
        # limit (checked before the part's UPDATE): say the part is paid, not that check's error.
        closed = _closed(await PayRequestItem.get(id=item.id), await PayRequest.get(id=request.id))
        if closed is not None:
            raise closed from None
        raise
    return await PayRequestItem.get(id=item.id), result


async def decline_item(payer: User, item_id: int | None) -> PayRequestItem:
    """Decline one's part: NOT_FOUND, INVALID_STATE (already paid, declined or expired)."""
    item = await own_item(payer, item_id)
    async with unit_of_work() as uow:
        await _settle(uow.conn, item, "DECLINED", None)
        await emit_changed(uow, item.request_id, [payer.id])
    return await PayRequestItem.get(id=item.id)
