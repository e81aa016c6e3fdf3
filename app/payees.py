"""Saved payees and recent recipients for transfers (the transfer screen's shortcuts).

A payee is another user's wallet, found the way a transfer finds it (11-digit mobile
number or 16-digit account number) and shown the way a transfer shows it (masked real
name or phone); the saved row keeps only the wallet id and the user's own alias, so no
one else's phone number is stored in the user's data. The wallet's account number is
given back in full: it is what a transfer takes as ``recipient``. A closed recipient is
shown as closed and cannot be paid. Recent recipients are derived from the user's
succeeded transfers, newest first, one per recipient.

Errors: VALIDATION_FAILED (recipient shape, self, alias too long, more than MAX_PAYEES),
NOT_FOUND (unknown or closed recipient, or not the user's payee).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from models import Account, Transaction, User
from models.payees import SavedPayee

from . import audit
from .errors import DomainError, ErrorCode, input_field
from .ledger.accounts import wallet_of
from .ledger.vocabulary import TransactionStatus, TransactionType
from .payments.parties import person_party
from .payments.transfer import find_recipient

MAX_PAYEES = 50
MAX_ALIAS = 30
RECENT_SCAN = 200


@dataclass(frozen=True)
class PayeeView:
    id: int
    alias: str | None
    name: str
    masked_phone: str | None
    account_no: str
    closed: bool
    created_at: datetime


@dataclass(frozen=True)
class RecentRecipient:
    name: str
    masked_phone: str | None
    account_no: str
    last_amount: int
    last_transferred_at: datetime


async def _view(row: SavedPayee, wallet: Account, owner: User) -> PayeeView:
    party = person_party(owner)
    closed = owner.status == "CLOSED"
    return PayeeView(
        id=row.id,
        alias=row.alias,
        name="已注销用户" if closed else party.name,
        masked_phone=None if closed else party.ref,
        account_no=wallet.account_no,
        closed=closed,
        created_at=row.created_at,
    )


async def list_payees(user: User) -> list[PayeeView]:
    rows = await SavedPayee.filter(user_id=user.id).order_by("-id")
    wallets = {a.id: a for a in await Account.filter(id__in=[r.payee_account_id for r in rows])}
    owners = {u.id: u for u in await User.filter(id__in=[w.user_id for w in wallets.values()])}
    return [await _view(r, wallets[r.payee_account_id], owners[wallets[r.payee_account_id].user_id]) for r in rows]


async def add_payee(user: User, recipient: str, alias: str | None, ip: str | None) -> PayeeView:
    label = (alias or "").strip() or None
    if label is not None and len(label) > MAX_ALIAS:
        raise DomainError(ErrorCode.VALIDATION_FAILED, f"备注最多 {MAX_ALIAS} 个字", input_field("alias"))
    owner, wallet = await find_recipient(recipient)
    if owner.id == user.id:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "不能添加自己为收款人", input_field("recipient"))
    existing = await SavedPayee.get_or_none(user_id=user.id, payee_account_id=wallet.id)
    if existing is not None:
        if existing.alias != label:
            await SavedPayee.filter(id=existing.id).update(alias=label)
            existing = await SavedPayee.get(id=existing.id)
        return await _view(existing, wallet, owner)
    if await SavedPayee.filter(user_id=user.id).count() >= MAX_PAYEES:
        raise DomainError(ErrorCode.VALIDATION_FAILED, f"最多保存 {MAX_PAYEES} 个收款人", input_field("recipient"))
    try:
        row = await SavedPayee.create(user_id=user.id, payee_account_id=wallet.id, alias=label)
    except IntegrityError:  # a concurrent add of the same payee won
        row = await SavedPayee.get(user_id=user.id, payee_account_id=wallet.id)
    await audit.record("payee.add", actor_id=user.id, ip=ip, details={"payeeId": row.id})
    return await _view(row, wallet, owner)


async def remove_payee(user: User, payee_id: int, ip: str | None) -> None:
    removed = await SavedPayee.filter(id=payee_id, user_id=user.id).delete()
    if not removed:
        raise DomainError(ErrorCode.NOT_FOUND, "收款人不存在", input_field("payeeId"))
    await audit.record("payee.remove", actor_id=user.id, ip=ip, details={"payeeId": payee_id})


RECENT_MAX = 20


async def recent_recipients(user: User, limit: int) -> list[RecentRecipient]:
    """The last ``limit`` (1..20) distinct recipients of the user's succeeded transfers, newest
    first. Errors: VALIDATION_FAILED (field ``first``) outside 1..20."""
    if not 1 <= limit <= RECENT_MAX:
        raise DomainError(ErrorCode.VALIDATION_FAILED, f"first 须在 1 到 {RECENT_MAX} 之间", ("first",))
    wallet = await wallet_of(user.id)
    rows = await Transaction.filter(
        account_id=wallet.id, type=TransactionType.TRANSFER, status=TransactionStatus.SUCCEEDED, counterparty_account_id__not_isnull=True
    ).order_by("-id").limit(RECENT_SCAN)
    latest: dict[int, Transaction] = {}
    for tx in rows:
        if tx.counterparty_account_id is None:  # excluded by the filter; narrows the type
            continue
        latest.setdefault(tx.counterparty_account_id, tx)
        if len(latest) == limit:
            break
    accounts = {a.id: a for a in await Account.filter(id__in=list(latest))}
    owners = {u.id: u for u in await User.filter(id__in=[a.user_id for a in accounts.values()])}
    out = []
    for account_id, tx in latest.items():
        account = accounts[account_id]
        if owners[account.user_id].status == "CLOSED":
            continue
        out.append(RecentRecipient(
            name=tx.counterparty_name or "",
            masked_phone=tx.counterparty_ref,
            account_no=account.account_no,
            last_amount=tx.amount,
            last_transferred_at=tx.created_at,
        ))
    return out
