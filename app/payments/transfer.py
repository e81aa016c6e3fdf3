"""transfer: from one user's wallet to another's, found by phone or account number.

One transaction, seen OUT by the sender and IN by the recipient; both get balanceChanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models import Account, User

from ..errors import DomainError, ErrorCode, input_field
from ..identity import recipient_lookups
from ..identity.payment_password import verify_payment_password
from ..ledger import idempotency, kernel
from ..ledger.accounts import WALLET, wallet_of
from ..ledger.journal import Leg
from ..ledger.kernel import Key, MoneyResult, Movement, Notice
from ..ledger.vocabulary import TransactionType
from ..risk.check import Outgoing, screen
from .parties import person_party
from .validation import optional_text, positive_amount

OPERATION = "transfer"
_PHONE = re.compile(r"^1\d{10}$")
_ACCOUNT_NO = re.compile(r"^\d{16}$")


@dataclass(frozen=True)
class TransferRequest:
    recipient: str
    amount: int
    payment_password: str
    idempotency_key: str
    verification_code: str | None = None
    note: str | None = None

    def digest(self) -> str:
        return idempotency.request_hash(
            OPERATION,
            {"recipient": normalise_recipient(self.recipient), "amount": self.amount, "note": self.note},
        )


def normalise_recipient(text: str) -> str:
    value = re.sub(r"[\s-]", "", text or "")
    if value.startswith("+86"):
        value = value[3:]
    return value


async def find_recipient(text: str) -> tuple[User, Account]:
    """The recipient's user and wallet, by 11-digit mobile number or 16-digit account number."""
    value = normalise_recipient(text)
    not_found = DomainError(ErrorCode.NOT_FOUND, "收款人不存在", input_field("recipient"))
    if _PHONE.match(value):
        user = await User.get_or_none(phone=value)
        if user is None or user.status == "CLOSED":
            raise not_found
        return user, await wallet_of(user.id)
    if _ACCOUNT_NO.match(value):
        wallet = await Account.get_or_none(account_no=value, kind=WALLET)
        if wallet is None or wallet.user_id is None:
            raise not_found
        user = await User.get(id=wallet.user_id)
        if user.status == "CLOSED":
            raise not_found
        return user, wallet
    raise DomainError(
        ErrorCode.VALIDATION_FAILED, "请输入收款人的手机号或 16 位账号", input_field("recipient")
    )


async def transfer(sender: User, request: TransferRequest) -> MoneyResult:
    idempotency.validate_key(request.idempotency_key)
    amount = positive_amount(request.amount)
    note = optional_text(request.note, 100, "note")
    # The payment password first: a locked or wrong PIN never reaches the recipient look-up,
    # whose NOT_FOUND would tell which phones are registered (also rate-limited per user).
    await verify_payment_password(sender, request.payment_password)
    recipient, recipient_wallet = await recipient_lookups.limited(sender.id, find_recipient, request.recipient)
    if recipient.id == sender.id:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "不能转账给自己", input_field("recipient"))

    key = Key(sender.id, request.idempotency_key, OPERATION, request.digest())
    if (first := await kernel.earlier(key)) is not None:
        return first

    wallet = await wallet_of(sender.id)
    risk = Outgoing(user=sender, wallet_id=wallet.id, amount=amount, operation="TRANSFER",
                    verification_code=request.verification_code)
    rule = await screen(risk)
    counterparty, initiator = person_party(recipient), person_party(sender)
    return await kernel.move(
        Movement(
            type=TransactionType.TRANSFER, account=wallet, amount=amount, key=key, risk=risk, allow_rule=rule,
            legs=(Leg(wallet, -amount), Leg(recipient_wallet, amount)),
            counterparty_account_id=recipient_wallet.id,
            counterparty_name=counterparty.name, counterparty_ref=counterparty.ref,
            initiator_name=initiator.name, initiator_ref=initiator.ref,
            description=note,
            notices=(
                Notice(wallet, -amount, sms_phone=sender.phone),
                Notice(recipient_wallet, amount, sms_phone=recipient.phone),
            ),
        )
    )
