"""``closeAccount`` (PIPL article 47; the guide's privacy policy 10.2): a user closes their
own account.

Refused while money or obligations remain, each named (``Obligation``): a balance,
money on hold, wealth holdings, pending refunds, movements still in progress, open
tickets, an owned merchant, red packets still open (their unclaimed rest returns to the
wallet). Money that arrives anyway is refused by the ledger (``journal.post``:
ACCOUNT_CLOSED), so a movement that began before the closure cannot credit the closed wallet. Otherwise, in one database transaction: the account is
marked CLOSED (staff see it so; its access tokens sign nobody in, its refresh tokens
are revoked; transfers cannot find it), login is disabled (an unusable password hash,
no payment password, no dynamic token, no security questions, no bank cards), the
phone and email are removed from the user row (the phone kept only encrypted in the
retention record), codes and messages sent to the phone are deleted. The ledger,
transactions and audit trail stay as they are (counterparties appear there masked),
so reconciliation is unaffected. The real name and ID number, which the law requires
to be kept for five years, stay encrypted until the retention job
(``privacy-retention``) erases them with the photos, the retained phone and the
user's ticket messages once ``closed_account_retention_days`` have passed.

Errors: INVALID_CREDENTIALS / ACCOUNT_LOCKED (password), VERIFICATION_REQUIRED,
INVALID_VERIFICATION_CODE or INVALID_TOTP_CODE (the second factor),
ACCOUNT_HAS_OBLIGATIONS (``ObligationsRemain`` with the list).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import Enum

from tortoise.transactions import in_transaction

from models import Account, BankCard, Merchant, Refund, Transaction, User
from models.codes import VerificationCode
from models.identity import RealNameReview, RefreshToken, SecurityQuestion
from models.notify import SandboxMessage
from models.payees import SavedPayee
from models.privacy import ClosedAccount
from models.red_packets import RedPacket
from models.support import Ticket, TicketMessage
from models.totp import TotpCredential, TotpRecoveryCode
from models.wealth import Holding

from .. import audit, clock, crypto, runtime
from ..db import Conn
from ..errors import DomainError, ErrorCode, input_field
from ..identity import id_photos, totp
from ..identity.codes import consume_code
from ..ledger import sql
from ..ledger.vocabulary import TransactionStatus

CLOSED = "CLOSED"


class Obligation(str, Enum):
    BALANCE = "BALANCE"
    FROZEN_FUNDS = "FROZEN_FUNDS"
    WEALTH_HOLDINGS = "WEALTH_HOLDINGS"
    PENDING_REFUNDS = "PENDING_REFUNDS"
    PENDING_TRANSACTIONS = "PENDING_TRANSACTIONS"
    OPEN_TICKETS = "OPEN_TICKETS"
    MERCHANT = "MERCHANT"
    OPEN_RED_PACKETS = "OPEN_RED_PACKETS"


OBLIGATION_TEXT = {
    Obligation.BALANCE: "账户仍有余额，请先提现",
    Obligation.FROZEN_FUNDS: "账户有冻结资金",
    Obligation.WEALTH_HOLDINGS: "仍持有理财产品，请先赎回",
    Obligation.PENDING_REFUNDS: "有处理中的退款申请",
    Obligation.PENDING_TRANSACTIONS: "有处理中的交易（如提现）",
    Obligation.OPEN_TICKETS: "有未关闭的客服工单",
    Obligation.MERCHANT: "名下有商户，请先注销商户",
    Obligation.OPEN_RED_PACKETS: "有未领完的红包，过期退回后再注销",
}


class ObligationsRemain(DomainError):
    """The account cannot be closed yet; ``obligations`` names every reason."""

    def __init__(self, obligations: list[Obligation]) -> None:
        text = "；".join(OBLIGATION_TEXT[o] for o in obligations)
        super().__init__(ErrorCode.ACCOUNT_HAS_OBLIGATIONS, f"暂不能注销：{text}", None)
        self.obligations = obligations


async def obligations(user_id: int, conn: Conn | None = None) -> list[Obligation]:
    """What still ties the user to fenpay, in a fixed order (empty: the account may close)."""
    found: list[Obligation] = []
    wallets = await Account.filter(user_id=user_id).using_db(conn)
    if any(w.available > 0 for w in wallets):
        found.append(Obligation.BALANCE)
    if any(w.held > 0 for w in wallets):
        found.append(Obligation.FROZEN_FUNDS)
    if await Holding.filter(user_id=user_id).exclude(status="REDEEMED").using_db(conn).exists():
        found.append(Obligation.WEALTH_HOLDINGS)
    if await Refund.filter(user_id=user_id, status__in=["PENDING_REVIEW", "APPROVED"]).using_db(conn).exists():
        found.append(Obligation.PENDING_REFUNDS)
    wallet_ids = [w.id for w in wallets]
    if wallet_ids and await Transaction.filter(
        account_id__in=wallet_ids, status__in=[TransactionStatus.PENDING, TransactionStatus.PROCESSING]
    ).using_db(conn).exists():
        found.append(Obligation.PENDING_TRANSACTIONS)
    if await Ticket.filter(user_id=user_id, status__in=["OPEN", "IN_PROGRESS"]).using_db(conn).exists():
        found.append(Obligation.OPEN_TICKETS)
    if await Merchant.filter(owner_id=user_id).using_db(conn).exists():
        found.append(Obligation.MERCHANT)
    if await RedPacket.filter(sender_id=user_id, status="OPEN").using_db(conn).exists():
        found.append(Obligation.OPEN_RED_PACKETS)  # what nobody claims returns to this wallet
    return found


async def _second_factor(user: User, code: str | None) -> None:
    """The dynamic token's current code when it is on, or a CLOSE_ACCOUNT SMS code."""
    field = input_field("verificationCode")
    if not (code or "").strip():
        raise DomainError(ErrorCode.VERIFICATION_REQUIRED, "请输入短信验证码或动态口令", field)
    if await totp.accept_step_up_code(user, code or "", field):
        return
    try:
        await consume_code(user.phone, "CLOSE_ACCOUNT", code or "", field)
    except DomainError:
        locked = await totp.count_step_up_failure(user, field)
        if locked is not None:
            raise locked from None
        raise


def _placeholder_phone(user_id: int) -> str:
    """A unique value for the (unique, non-null) phone column that is no phone number."""
    return f"closed-{user_id}"


async def close_account(user: User, password: str, code: str | None, ip: str | None) -> None:
    """Close the viewer's own account (see the module docstring)."""
    from ..identity.account_security import confirm_password

    await confirm_password(user, password, "password")
    remaining = await obligations(user.id)
    if remaining:
        raise ObligationsRemain(remaining)
    await _second_factor(user, code)
    now = clock.now()
    phone = user.phone
    async with in_transaction() as conn:
        # Lock the wallets (fixed id order) so no movement lands between the check and the close.
        for wallet_id in sorted(await Account.filter(user_id=user.id).using_db(conn).values_list("id", flat=True)):
            await sql.fetch(conn, "UPDATE accounts SET available = available WHERE id = ? RETURNING id", wallet_id)
        remaining = await obligations(user.id, conn)
        if remaining:
            raise ObligationsRemain(remaining)
        closed = await User.filter(id=user.id).exclude(status=CLOSED).using_db(conn).update(
            status=CLOSED,
            status_reason="CLOSED_BY_USER",
            phone=_placeholder_phone(user.id),
            email=None,
            password_hash="!closed:" + secrets.token_hex(16),
            payment_password_hash=None,
            terms_version=None,
            risk_tolerance=None,
        )
        if closed != 1:
            raise DomainError(ErrorCode.INVALID_STATE, "账户已注销", None)
        await ClosedAccount.create(
            user_id=user.id,
            phone_enc=crypto.encrypt(phone),
            closed_at=now,
            erase_after=now + timedelta(days=runtime.settings().closed_account_retention_days),
            using_db=conn,
        )
        await RefreshToken.filter(user_id=user.id, revoked_at=None).using_db(conn).update(revoked_at=now)
        await SecurityQuestion.filter(user_id=user.id).using_db(conn).delete()
        await TotpRecoveryCode.filter(user_id=user.id).using_db(conn).delete()
        await TotpCredential.filter(user_id=user.id).using_db(conn).delete()
        await BankCard.filter(user_id=user.id).using_db(conn).delete()
        await SavedPayee.filter(user_id=user.id).using_db(conn).delete()
        await VerificationCode.filter(recipient=phone).using_db(conn).delete()
        await SandboxMessage.filter(recipient=phone).using_db(conn).delete()
        await audit.record("account.closed", actor_id=user.id, ip=ip, conn=conn)


async def erase_due(now: datetime) -> int:
    """The retention job: erase what was kept of accounts closed long enough ago; returns how many."""
    due = await ClosedAccount.filter(erased_at=None, erase_after__lte=now).order_by("id")
    erased = 0
    for record in due:
        photos: list[str] = []
        async with in_transaction() as conn:
            claimed = await ClosedAccount.filter(id=record.id, erased_at=None).using_db(conn).update(
                erased_at=now, phone_enc=None
            )
            if claimed != 1:
                continue
            for review in await RealNameReview.filter(user_id=record.user_id).using_db(conn):
                photos += [p for p in id_photos.paths_of(review).values() if p]
            await RealNameReview.filter(user_id=record.user_id).using_db(conn).delete()
            await User.filter(id=record.user_id).using_db(conn).update(
                real_name_enc=None, id_number_enc=None, id_number_index=None, birth_date=None
            )
            ticket_ids = await Ticket.filter(user_id=record.user_id).using_db(conn).values_list("id", flat=True)
            if ticket_ids:
                await TicketMessage.filter(ticket_id__in=ticket_ids, from_staff=False).using_db(conn).update(
                    body="（用户已注销，内容已删除）"
                )
                await Ticket.filter(id__in=ticket_ids).using_db(conn).update(subject="（已删除）")
            await audit.record("account.erased", actor_id=None, subject_user_id=record.user_id, conn=conn)
        id_photos.remove(photos)
        erased += 1
    return erased

