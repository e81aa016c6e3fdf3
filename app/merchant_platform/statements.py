"""Daily statements (对账单): one China calendar day of a merchant account.

The day-end job builds, once per merchant and ended China day, the statement from the
postings of the merchant account that day, so it ties to the ledger by
construction: every journal that changed the account becomes rows whose amounts sum to
the account's change in that journal.

Rows (``type``): ORDER (+ the order's gross amount), FEE (- the fee the platform kept on
it; + a fee returned with a refund), REFUND (- the refunded amount), PAYOUT (- money
paid out to the owner's card), ADJUSTMENT (anything else that moved the account), then
one TOTAL row (the day's net change of the account). The CSV is UTF-8 with a BOM, amounts
in yuan with two decimals, served at a signed URL valid ``CSV_URL_TTL``.

A merchant paid in another currency (cross-border, ``app/fx/``) has its rows in that
currency (``amount`` with the currency's minor-unit decimals; JPY none) and, in the
``currency`` and ``cnyAmount`` columns, the currency and what the payer paid or got back in
CNY; no fees are taken on cross-border payments. CNY merchants' rows repeat the amount there.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tortoise.exceptions import IntegrityError

from models import Account, Journal, Merchant, Posting, Transaction
from models.merchant_platform import MerchantRefund, Order
from models.merchant_platform_money import MerchantStatement

from .. import clock, runtime
from ..business_days import CHINA, china_date
from ..errors import DomainError, ErrorCode
from ..fx.currencies import CNY, format_minor
from ..ledger.vocabulary import TransactionType
from ..money import format_fen

CSV_URL_TTL = timedelta(minutes=10)
CSV_COLUMNS = (
    "type", "time", "transactionNo", "outTradeNo", "outRefundNo", "amount", "description", "currency", "cnyAmount",
)
# How many ended days a job run (re)builds when missing (a worker that was down catches up).
CATCH_UP_DAYS = 7
PAYMENT_TYPES = ("PAYMENT",)
REFUND_TYPES = ("REFUND", "MERCHANT_REFUND")


@dataclass(frozen=True)
class StatementRow:
    type: str
    at: datetime
    transaction_no: str
    amount: int
    out_trade_no: str = ""
    out_refund_no: str = ""
    description: str = ""
    cny_amount: int | None = None
    """CNY fen of a cross-border row (None: the row is in CNY already)."""


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise DomainError(ErrorCode.VALIDATION_FAILED, "日期格式应为 YYYY-MM-DD", ("date",)) from None


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a China calendar day, in UTC."""
    start = datetime.combine(day, time(0, 0), tzinfo=CHINA).astimezone(UTC)
    return start, start + timedelta(days=1)


def last_ended_day(now: datetime) -> date:
    return china_date(now) - timedelta(days=1)


@dataclass(frozen=True)
class MerchantNumbers:
    """The merchant's own numbers of a transaction: its order's outTradeNo, its refund's outRefundNo."""

    out_trade_no: str = ""
    out_refund_no: str = ""


async def _merchant_numbers(transaction_ids: set[int]) -> dict[int, MerchantNumbers]:
    orders = await Order.filter(transaction_id__in=transaction_ids).values("id", "transaction_id", "out_trade_no")
    refunds = await MerchantRefund.filter(transaction_id__in=transaction_ids).values(
        "transaction_id", "out_refund_no", "order_id"
    )
    refunded_orders = {
        row["id"]: row["out_trade_no"]
        for row in await Order.filter(id__in={r["order_id"] for r in refunds}).values("id", "out_trade_no")
    } if refunds else {}
    numbers = {int(o["transaction_id"]): MerchantNumbers(out_trade_no=o["out_trade_no"]) for o in orders}
    for r in refunds:
        numbers[int(r["transaction_id"])] = MerchantNumbers(
            out_trade_no=refunded_orders.get(r["order_id"], ""), out_refund_no=r["out_refund_no"]
        )
    return numbers


def _foreign_rows(net: int, tx: Transaction, base: dict) -> list[StatementRow]:
    """A foreign-currency account's journal: the net in its currency, the payer's CNY beside it."""
    if tx.type in PAYMENT_TYPES and net > 0:
        return [StatementRow("ORDER", amount=net, description=tx.description or "", cny_amount=tx.amount, **base)]
    if tx.type in REFUND_TYPES and net < 0:
        return [StatementRow("REFUND", amount=net, description=tx.description or "", cny_amount=-tx.amount, **base)]
    return [StatementRow("ADJUSTMENT", amount=net, description=tx.description or tx.type, **base)]


def _rows_of_journal(
    net: int, journal: Journal, tx: Transaction | None, numbers: MerchantNumbers, currency: str = CNY
) -> list[StatementRow]:
    at = journal.created_at
    if tx is None:
        return [StatementRow("ADJUSTMENT", at, "", net, description=journal.memo or "")]
    base = dict(at=at, transaction_no=tx.transaction_no, out_trade_no=numbers.out_trade_no,
                out_refund_no=numbers.out_refund_no)
    if currency != CNY:
        return _foreign_rows(net, tx, base)
    if tx.type == TransactionType.PAYOUT:
        return [StatementRow("PAYOUT", amount=net, description=tx.description or "", **base)]
    if tx.type in PAYMENT_TYPES and net > 0:
        rows = [StatementRow("ORDER", amount=tx.amount, description=tx.description or "", **base)]
        if net != tx.amount:
            rows.append(StatementRow("FEE", amount=net - tx.amount, description="商户手续费", **base))
        return rows
    if tx.type in REFUND_TYPES and net < 0:
        rows = [StatementRow("REFUND", amount=-tx.amount, description=tx.description or "", **base)]
        if net != -tx.amount:
            rows.append(StatementRow("FEE", amount=net + tx.amount, description="退款退回手续费", **base))
        return rows
    return [StatementRow("ADJUSTMENT", amount=net, description=tx.description or tx.type, **base)]


async def statement_rows(account_id: int, day: date) -> list[StatementRow]:
    """The day's rows from the postings of ``account_id`` (journals that net to zero, such as a
    payout's hold, are left out). Their amounts sum to the account's change that day."""
    start, end = day_bounds(day)
    currency = (await Account.get(id=account_id)).currency
    postings = await Posting.filter(account_id=account_id, created_at__gte=start, created_at__lt=end).values(
        "journal_id", "amount"
    )
    nets: dict[int, int] = {}
    for posting in postings:
        nets[posting["journal_id"]] = nets.get(posting["journal_id"], 0) + int(posting["amount"])
    journal_ids = [journal_id for journal_id, net in nets.items() if net != 0]
    if not journal_ids:
        return []
    journals = {j.id: j for j in await Journal.filter(id__in=journal_ids)}
    tx_ids = {j.transaction_id for j in journals.values() if j.transaction_id}
    transactions = {t.id: t for t in await Transaction.filter(id__in=tx_ids)} if tx_ids else {}
    numbers = await _merchant_numbers(tx_ids) if tx_ids else {}
    rows: list[StatementRow] = []
    for journal_id in sorted(journal_ids):
        journal = journals[journal_id]
        tx_id = journal.transaction_id
        rows.extend(_rows_of_journal(
            nets[journal_id], journal, transactions.get(tx_id), numbers.get(tx_id or 0, MerchantNumbers()), currency
        ))
    return rows


def render_csv(rows: list[StatementRow], currency: str = CNY) -> str:
    """UTF-8 text with a BOM: a header, one line per row, then the TOTAL line (amounts in
    ``currency``, the merchant account's; ``cnyAmount`` in yuan)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        cny = row.amount if currency == CNY else row.cny_amount
        writer.writerow([
            row.type, row.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"), row.transaction_no,
            row.out_trade_no, row.out_refund_no, format_minor(row.amount, currency), row.description,
            currency, "" if cny is None else format_fen(cny),
        ])
    total_cny = sum((row.amount if currency == CNY else row.cny_amount or 0) for row in rows)
    writer.writerow(["TOTAL", "", "", "", "", format_minor(sum(row.amount for row in rows), currency),
                     "当日结算账户净变动", currency, format_fen(total_cny)])
    return out.getvalue()


async def build_statement(merchant: Merchant, day: date) -> MerchantStatement:
    """Build (once) and store the statement of ``merchant`` for ``day``; returns the stored one."""
    existing = await MerchantStatement.get_or_none(merchant_id=merchant.id, day=day.isoformat())
    if existing is not None:
        return existing
    rows = await statement_rows(merchant.account_id, day)
    currency = (await Account.get(id=merchant.account_id)).currency
    fees_taken = -sum(row.amount for row in rows if row.type == "FEE" and row.amount < 0)
    try:
        return await MerchantStatement.create(
            merchant_id=merchant.id,
            day=day.isoformat(),
            order_count=sum(1 for row in rows if row.type == "ORDER"),
            gross=sum(row.amount for row in rows if row.type == "ORDER"),
            refunds=-sum(row.amount for row in rows if row.type == "REFUND"),
            fees=fees_taken,
            payouts=-sum(row.amount for row in rows if row.type == "PAYOUT"),
            ledger_change=sum(row.amount for row in rows),
            currency=currency,
            gross_cny=sum(row.amount if currency == CNY else row.cny_amount or 0 for row in rows if row.type == "ORDER"),
            refunds_cny=-sum(
                row.amount if currency == CNY else row.cny_amount or 0 for row in rows if row.type == "REFUND"
            ),
            csv=render_csv(rows, currency),
        )
    except IntegrityError:  # another worker built it first
        return await MerchantStatement.get(merchant_id=merchant.id, day=day.isoformat())


async def build_ended_days(now: datetime) -> int:
    """Build the missing statements of the last ``CATCH_UP_DAYS`` ended China days; how many were built."""
    last = last_ended_day(now)
    days = [last - timedelta(days=back) for back in range(CATCH_UP_DAYS)]
    built = 0
    merchants = await Merchant.all().order_by("id")
    existing = set(
        await MerchantStatement.filter(day__in=[d.isoformat() for d in days]).values_list("merchant_id", "day")
    )
    for merchant in merchants:
        for day in days:
            if (merchant.id, day.isoformat()) in existing or day_bounds(day)[1] <= merchant.created_at:
                continue
            await build_statement(merchant, day)
            built += 1
    return built


async def statement_of(merchant_id: int, day_text: str) -> MerchantStatement | None:
    """The statement of that day, or None before the day-end job built it."""
    day = parse_day(day_text)
    return await MerchantStatement.get_or_none(merchant_id=merchant_id, day=day.isoformat())


def _url_key() -> bytes:
    return hashlib.sha256(b"fenpay-statement-url:" + runtime.settings().jwt_secret.encode()).digest()


def _signature(merchant_no: str, day: str, expires: int) -> str:
    return hmac.new(_url_key(), f"{merchant_no}:{day}:{expires}".encode(), hashlib.sha256).hexdigest()


def csv_url(merchant_no: str, day: str) -> str:
    """Absolute, signed download URL of the day's CSV, valid ``CSV_URL_TTL`` (no token needed)."""
    expires = int((clock.now() + CSV_URL_TTL).timestamp())
    base = runtime.settings().public_url.rstrip("/")
    return f"{base}/merchant-statements/{merchant_no}/{day}.csv?expires={expires}&signature={_signature(merchant_no, day, expires)}"


def url_is_valid(merchant_no: str, day: str, expires: str, signature: str) -> bool:
    try:
        expires_at = int(expires)
    except (TypeError, ValueError):
        return False
    if expires_at < int(clock.now().timestamp()):
        return False
    return hmac.compare_digest(_signature(merchant_no, day, expires_at), signature or "")


async def csv_download(merchant_no: str, day: str, expires: str, signature: str) -> tuple[int, str]:
    """(HTTP status, body) for a download request: 403 bad or expired link, 404 no statement."""
    if not url_is_valid(merchant_no, day, expires, signature):
        return 403, "link invalid or expired"
    merchant = await Merchant.get_or_none(merchant_no=merchant_no)
    statement = await MerchantStatement.get_or_none(merchant_id=merchant.id, day=day) if merchant else None
    if statement is None:
        return 404, "statement not found"
    return 200, statement.csv

