"""The money kernel: the one way a movement of money is written.

A service DESCRIBES its movement as a ``Movement`` (type, the wallet it belongs to, the
journal legs, parties, channel, idempotency ``Key`` and, for money going out, the risk
``Outgoing``) and calls ``move``. ``move`` does, in ONE database transaction:

1. take the wallet row lock when limits apply or a credit is announced (PostgreSQL
   ``SELECT ... FOR UPDATE``; SQLite a no-op ``UPDATE``, which takes the database write lock;
   fenpay's SQLite transactions are also serialized per process);
2. evaluate the risk limits from figures read under that lock (``risk.check.limit_refusal``:
   unverified lifetime cap, daily outgoing per China day, velocity) and, for money announced
   to arrive later (``incoming``: a top-up before its channel is asked), the maximum wallet
   balance;
3. write the Transaction row (the only place movements' transaction rows are written);
4. post the journal (``journal.post``: one conditional UPDATE per wallet in account-id order;
   merchant and system accounts only receive postings, so they are never locked; credited
   wallets are kept at or below ``Settings.max_wallet_balance_fen``);
5. store the idempotency key with its result (one statement at the end; a concurrent
   duplicate waits on the unique index, finds the key taken, rolls back and answers the
   first result);
6. run the service's own writes (``after``) and queue the outbox events (``notices``).

The ALLOW risk decision is written with the movement (a refusal's decision after the rollback).
On PostgreSQL steps 3 to 6 but ``after`` are ONE statement (``one_statement``: the last wallet's
conditional UPDATE, the Transaction row, journal and postings, the key, the ALLOW decision, the
``balanceChanged`` events and the balance SMS, as data-modifying CTEs); the journal's other
wallets are moved before it, one conditional UPDATE each in account-id order. For a movement with
one wallet and no cross-border limit the same statement reads the risk figures of step 2: it is
sent after the lock was granted, so its snapshot holds every earlier movement of the wallet (a
statement that itself waited for the lock would keep its older snapshot), and a refusal judged from
them rolls back what it wrote. SQLite sends the steps one by one.

Anything refused rolls the whole transaction back: nothing half written. A limit refusal is
then recorded as a risk decision and raised (``risk.check.refuse``). A replay of a key with
the same request answers the first result (``earlier`` before any side effect, and again on
every refusal, since a concurrent duplicate may have committed meanwhile); the key with
another request is IDEMPOTENCY_KEY_REUSED.

Errors raised by ``move`` (all ``DomainError``): INSUFFICIENT_FUNDS, AMOUNT_TOO_LARGE,
ACCOUNT_CLOSED (``journal.post`` credits no closed account's wallet), LIMIT_EXCEEDED / REAL_NAME_REQUIRED / RISK_REJECTED (limits), IDEMPOTENCY_KEY_REUSED, and
whatever ``after`` raises.

Usage (a wallet payment)::

    key = Key(user.id, request.idempotency_key, "pay", digest)
    if (first := await kernel.earlier(key)) is not None:
        return first
    risk = Outgoing(user=user, wallet_id=wallet.id, amount=amount, operation="PAY", ...)
    rule = await check.screen(risk)          # status, real name, step-up (outside)
    return await kernel.move(Movement(
        type=TransactionType.PAYMENT, account=wallet, amount=amount, key=key, risk=risk, allow_rule=rule,
        legs=(Leg(wallet, -amount), Leg(merchant.account, amount)),
        counterparty_account_id=merchant.account_id, counterparty_name=..., ...,
        notices=(Notice(wallet, -amount, sms_phone=user.phone),),
    ))

A movement on an external rail is recorded with ``status`` PROCESSING/PENDING and no legs
(or a HOLD), the channel is called with no transaction open, and the outcome is written by
the service's completion (``journal.post`` in a ``unit_of_work``), using ``remember_failure``
so a replay of the key fails the way the first request did.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn

import orjson

from models import Account, IdempotencyRecord, OutboxEvent, Transaction

from .. import clock, notifier, runtime
from ..db import Conn
from ..errors import DomainError, ErrorCode
from ..events.outbox import UnitOfWork, unit_of_work
from ..money import format_fen
from ..ops import metrics, tracing
from ..risk.check import (
    Outgoing,
    Refusal,
    allowed_decision,
    count_allowed,
    judge,
    limit_refusal,
    refuse,
    spending_from,
    spending_query,
)
from . import idempotency, journal, one_statement, sql
from .accounts import Balance, wallet_of
from .events import balance_payload, balance_sms, balance_sms_parts, balance_topic, emit_balance_changed
from .finished import finished
from .numbers import new_number
from .vocabulary import FINAL_STATUSES, Channel, TransactionStatus

SUCCEEDED = TransactionStatus.SUCCEEDED
WALLET_BALANCE = Channel.WALLET_BALANCE


@dataclass(frozen=True)
class MoneyResult:
    """What every money mutation answers: the transaction, and the caller's wallet as it is
    after the movement (its ``available``/``held`` are the committed balances)."""

    transaction: Transaction
    account: Account
    replayed: bool = False
    """True when this is an earlier request's result (same key): the caller must not act
    on it again (e.g. call the channel a second time)."""
    balance: Balance | None = None
    """The wallet's balance as the movement's journal wrote it, or as read after it (fen);
    None when not known without a read. Payloads answer balance fields from it, so asking for
    them costs no statement."""

    @property
    def wallet(self) -> Account:
        return self.account


@dataclass(frozen=True)
class Key:
    """An idempotency key as one user used it for one operation on one request (``digest``,
    from ``idempotency.request_hash``; secrets never part of it)."""

    user_id: int
    key: str
    operation: str
    digest: str


@dataclass(frozen=True)
class Notice:
    """A ``balanceChanged`` event (and optionally the owner's balance SMS) for a wallet the
    journal changed; ``delta`` is the signed change of its available balance in fen.
    ``sms_text`` builds the SMS from the wallet's balance after the movement (default text
    when None, no SMS when ``sms_phone`` is None)."""

    account: Account
    delta: int
    sms_phone: str | None = None
    sms_text: Callable[[Balance], str] | None = None


AfterWrite = Callable[[UnitOfWork, Transaction, dict[int, Balance]], Awaitable[None]]
"""Extra writes of the service in the movement's transaction (a holding, a QR code marked
paid, an audit entry); may raise a DomainError to roll the movement back."""


@dataclass(frozen=True)
class Movement:
    """One movement of money, described by the service that wants it.

    ``account`` is the user wallet the transaction belongs to (the payer's for money going
    out, the receiver's for top-ups and redemptions). ``legs`` is the journal posted now
    (none for a movement that waits for a channel; a HOLD moves available -> held). Amounts
    are integer fen.
    """

    type: str
    """PAYMENT, TRANSFER, TOP_UP, WITHDRAWAL, WEALTH_PURCHASE, WEALTH_REDEMPTION, ..."""
    account: Account
    amount: int
    key: Key | None = None
    legs: tuple[journal.Leg, ...] = ()
    journal_kind: str = journal.POST
    memo: str | None = None
    status: str = SUCCEEDED
    channel: str = WALLET_BALANCE
    fee: int = 0
    risk: Outgoing | None = None
    """The payer's outgoing check: the limits are evaluated under the wallet lock."""
    allow_rule: str = "DEFAULT"
    """The rule ``risk.check.screen`` returned, recorded with ALLOW once committed."""
    incoming: int = 0
    """Money announced to arrive later into ``account`` (fen): it and the wallet's other open
    top-ups must fit under the maximum wallet balance, checked under the lock."""
    cap_balance: bool = True
    """Keep wallets credited by ``legs`` at or below the maximum wallet balance."""
    counterparty_account_id: int | None = None
    counterparty_name: str | None = None
    counterparty_ref: str | None = None
    initiator_name: str | None = None
    initiator_ref: str | None = None
    description: str | None = None
    reference_id: int | None = None
    related_transaction_id: int | None = None
    """The transaction this one answers (a refund's original payment)."""
    bank_card_id: int | None = None
    external_ref: str | None = None
    checkout_url: str | None = None
    expected_arrival_at: datetime | None = None
    transaction_no: str | None = None
    """Set when the service must know the number before the write (a new one otherwise)."""
    notices: tuple[Notice, ...] = field(default=())
    after: AfterWrite | None = None


class _KeyAlreadyUsed(Exception):
    """Raised inside the transaction to roll it back when a duplicate committed first."""

    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__("idempotency key already used")
        self.record = record


class _Refused(Exception):
    """Raised inside the transaction to roll it back when a limit says no."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.rule)
        self.refusal = refusal


def success_result(transaction: Transaction) -> dict[str, Any]:
    """What the key stores for a movement that was recorded: ``{"transactionId": id}``."""
    return {"transactionId": transaction.id}


async def replay(record: IdempotencyRecord, user_id: int) -> MoneyResult:
    """The first result of a key: raises its stored error, else the transaction as it is now
    and the user's wallet."""
    idempotency.raise_stored_error(record)
    transaction = await Transaction.get(id=record.transaction_id)
    wallet = await wallet_of(user_id)
    return MoneyResult(transaction, wallet, replayed=True, balance=Balance(wallet.available, wallet.held))


async def earlier(key: Key) -> MoneyResult | None:
    """The first result when ``key`` was already used for this request (call it before any
    side effect: password check, risk screen, channel). IDEMPOTENCY_KEY_REUSED for another
    request. ``move`` stays the authority for concurrent first uses."""
    record = await idempotency.find(key.user_id, key.key, key.operation, key.digest)
    return await replay(record, key.user_id) if record is not None else None


async def current(transaction_id: int, account_id: int) -> MoneyResult:
    """A movement's result read again (after its channel answered)."""
    return MoneyResult(await Transaction.get(id=transaction_id), await Account.get(id=account_id))


async def remember_failure(key: Key, transaction_id: int, error: DomainError, conn: Conn | None = None) -> None:
    """Store ``error`` under the key of a recorded movement that then failed (a channel
    declined), so a replay fails the same way; call it in the transaction that marks it FAILED."""
    result = {"transactionId": transaction_id, **idempotency.error_result(error)}
    await IdempotencyRecord.filter(user_id=key.user_id, key=key.key).using_db(conn).update(
        transaction_id=transaction_id, result=result
    )


async def fail(key: Key, transaction_id: int, from_statuses: tuple[str, ...], error: DomainError) -> NoReturn:
    """A recorded movement that moved no money failed (its channel refused): mark it FAILED if it
    is still in one of ``from_statuses`` (none: leave the status), store ``error`` under its key
    for replays, in one transaction; then raise ``error``."""
    async with unit_of_work() as uow:
        if from_statuses:
            moved = await Transaction.filter(id=transaction_id, status__in=from_statuses).using_db(uow.conn).update(
                status=TransactionStatus.FAILED, completed_at=clock.now()
            )
            if moved:
                await finished(uow.conn, transaction_id, TransactionStatus.FAILED)
        await remember_failure(key, transaction_id, error, uow.conn)
    raise error


def _too_large(room: int) -> DomainError:
    return DomainError(
        ErrorCode.AMOUNT_TOO_LARGE,
        f"超出账户余额上限：本次最多还能转入 {format_fen(max(room, 0))} 元",
        ("input", "amount"),
    )


async def lock_wallet(conn: Conn, account_id: int) -> None:
    """Take the wallet's row lock for the rest of the transaction (fixed order: a movement
    locks its own wallet first, then ``journal.post`` locks wallets in id order)."""
    if conn.capabilities.dialect == "postgres":
        await sql.fetch(conn, "SELECT id FROM accounts WHERE id = ? FOR UPDATE", account_id)
    else:
        await sql.execute(conn, "UPDATE accounts SET available = available WHERE id = ?", account_id)


async def _check_room(conn: Conn, account_id: int, incoming: int, maximum: int) -> None:
    """Under the wallet lock: balance + open top-ups + ``incoming`` must stay <= ``maximum``."""
    rows = await sql.fetch(
        conn,
        "SELECT a.available + a.frozen + COALESCE((SELECT SUM(t.amount) FROM transactions t"
        " WHERE t.account_id = a.id AND t.type = 'TOP_UP' AND t.status IN ('PENDING', 'PROCESSING')), 0)"
        " AS committed FROM accounts a WHERE a.id = ?",
        account_id,
    )
    committed = int(rows[0]["committed"]) if rows else 0
    if committed + incoming > maximum:
        raise _too_large(maximum - committed)


async def _write(uow: UnitOfWork, m: Movement) -> tuple[Transaction, dict[int, Balance]]:
    if not isinstance(m.amount, int) or m.amount <= 0:
        raise ValueError(f"a movement's amount is positive integer fen: {m.amount!r}")
    conn = uow.conn
    maximum = runtime.settings().max_wallet_balance_fen
    if m.risk is not None or m.incoming:
        await lock_wallet(conn, m.account.id)
    one = conn.capabilities.dialect == "postgres"
    inline = one and _figures_inline(m)
    if m.risk is not None and not inline:
        refusal = await limit_refusal(conn, m.risk)
        if refusal is not None:
            raise _Refused(refusal)
    if m.incoming:
        await _check_room(conn, m.account.id, m.incoming, maximum)
    tx = _transaction(m)
    if one:
        balances = await _write_one_statement(uow, m, tx, maximum if m.cap_balance else None, inline)
    else:
        balances = await _write_each(uow, m, tx, maximum if m.cap_balance else None)
    if m.after is not None:
        await m.after(uow, tx, balances)
    return tx, balances


def _figures_inline(m: Movement) -> bool:
    """Whether the limits are judged from figures read by the movement's own statement (PostgreSQL;
    sent after the wallet lock, so its snapshot holds every earlier movement of the wallet). Not for
    a cross-border payment (its year's total is one more read) nor for a journal moving another
    wallet before the statement (the limits are judged before any money moves)."""
    if m.risk is None or m.risk.cross_border_limit_fen is not None:
        return False
    return not m.legs or len(journal.wallet_changes(list(m.legs))) <= 1


def _transaction(m: Movement) -> Transaction:
    """The movement's Transaction row, not yet written."""
    return Transaction(
        transaction_no=m.transaction_no or new_number("T"),
        type=m.type,
        status=m.status,
        channel=m.channel,
        amount=m.amount,
        fee=m.fee,
        account_id=m.account.id,
        counterparty_account_id=m.counterparty_account_id,
        counterparty_name=m.counterparty_name,
        counterparty_ref=m.counterparty_ref,
        initiator_name=m.initiator_name,
        initiator_ref=m.initiator_ref,
        description=m.description,
        reference_id=m.reference_id,
        related_transaction_id=m.related_transaction_id,
        bank_card_id=m.bank_card_id,
        external_ref=m.external_ref,
        checkout_url=m.checkout_url,
        expected_arrival_at=m.expected_arrival_at,
        completed_at=clock.now() if m.status in FINAL_STATUSES else None,
    )


async def _write_each(uow: UnitOfWork, m: Movement, tx: Transaction, cap: int | None) -> dict[int, Balance]:
    """SQLite: the transaction row, journal, key, events and messages as separate statements."""
    conn = uow.conn
    await tx.save(using_db=conn, force_create=True)
    if m.risk is not None:
        await allowed_decision(m.risk, m.allow_rule).save(using_db=conn, force_create=True)
    balances: dict[int, Balance] = {}
    if m.legs:
        balances = await journal.post(
            conn, list(m.legs), kind=m.journal_kind, transaction_id=tx.id, memo=m.memo, max_wallet_balance=cap,
        )
    if m.key is not None:
        taken = await idempotency.record_once(
            conn, m.key.user_id, m.key.key, m.key.operation, m.key.digest,
            transaction_id=tx.id, result=success_result(tx),
        )
        if taken is not None:
            raise _KeyAlreadyUsed(taken)
    for notice in m.notices:
        balance = balances.get(notice.account.id)
        if balance is None:
            raise ValueError(f"notice for account {notice.account.id}, which the journal did not change")
        await emit_balance_changed(
            uow, notice.account, balance, notice.delta, transaction_id=tx.id,
            sms_phone=notice.sms_phone, sms_text=notice.sms_text(balance) if notice.sms_text else None,
        )
    return balances


async def _write_one_statement(
    uow: UnitOfWork, m: Movement, tx: Transaction, cap: int | None, inline_figures: bool
) -> dict[int, Balance]:
    """PostgreSQL: the journal's wallets but the last by id (one conditional UPDATE each, in id
    order), then the last wallet, the transaction row, journal, key, ALLOW decision,
    ``balanceChanged`` events and balance messages in one statement (``one_statement``), which
    also reads the risk figures when ``inline_figures``."""
    conn = uow.conn
    legs = list(m.legs)
    ordered = journal.wallet_changes(legs) if legs else []
    balances: dict[int, Balance] = {}
    for account_id, delta in ordered[:-1]:
        balances[account_id] = await journal._move_wallet(conn, account_id, *delta, max_total=cap)
    last = ordered[-1] if ordered else None
    rows = _rows(m, balances, last[0] if last is not None else None)
    risk = m.risk
    figures: one_statement.Computed | None = None
    if risk is not None and inline_figures:
        figures = spending_query(risk, clock.now())

    def check_figures(row: dict[str, Any]) -> None:
        refusal = judge(risk, spending_from(row)) if risk is not None else None
        if refusal is not None:
            raise _Refused(refusal)

    written = await one_statement.write(
        conn, tx, wallet=last, legs=legs, kind=m.journal_kind, memo=m.memo, now=clock.now(), max_total=cap,
        rows=[row for row, _ in rows], figures=figures, check_figures=check_figures if figures else None,
    )
    if last is not None and written.balance is not None:
        balances[last[0]] = written.balance
    await journal._refuse_closed(conn, ordered)
    for (row, notice), row_id in zip(rows, written.row_ids, strict=True):
        if isinstance(row.instance, IdempotencyRecord) and row_id is None:
            assert m.key is not None
            raise _KeyAlreadyUsed(
                await idempotency.taken(conn, m.key.user_id, m.key.key, m.key.operation, m.key.digest)
            )
        if isinstance(row.instance, OutboxEvent) and notice is not None:
            balance = balances[notice.account.id]
            row.instance.payload.update(available=balance.available, frozen=balance.held, transactionId=tx.id)
            row.instance.id = row_id
            row.instance._saved_in_db = True
            uow.events.append(row.instance)
    for notice in m.notices:  # a message of the service's own wording, from the balance just written
        if notice.sms_phone and notice.sms_text is not None and last is not None and notice.account.id == last[0]:
            balance = balances[notice.account.id]
            await notifier.send(notice.sms_phone, "BALANCE", notice.sms_text(balance), conn=conn)
    return balances


_TRANSACTION_ID: one_statement.Computed = ("tx.id", ())
_WALLET_BALANCE = "jsonb_build_object('transactionId', tx.id, 'available', wallet.available, 'frozen', wallet.frozen)"


def _rows(
    m: Movement, balances: dict[int, Balance], last_wallet: int | None
) -> list[tuple[one_statement.Row, Notice | None]]:
    """The key, events and messages written in the movement's statement, each with the notice it
    comes from. ``balances`` holds the wallets already moved; ``last_wallet``'s balance is the
    statement's own (``wallet``), so its event and default message are SQL over it. A message of
    the service's own wording for that wallet is written after the statement (it needs the
    balance in Python)."""
    rows: list[tuple[one_statement.Row, Notice | None]] = []
    if m.risk is not None:
        rows.append((one_statement.Row(allowed_decision(m.risk, m.allow_rule)), None))
    if m.key is not None:
        idempotency.validate_key(m.key.key)
        record = IdempotencyRecord(user_id=m.key.user_id, key=m.key.key, operation=m.key.operation,
                                   request_hash=m.key.digest)
        computed = {"transaction_id": _TRANSACTION_ID, "result": ("jsonb_build_object('transactionId', tx.id)", ())}
        rows.append((one_statement.Row(record, computed, on_conflict="(user_id, key) DO NOTHING"), None))
    for notice in m.notices:
        account = notice.account
        statement_wallet = account.id == last_wallet
        if not statement_wallet and account.id not in balances:
            raise ValueError(f"notice for account {account.id}, which the journal did not change")
        balance = balances.get(account.id, Balance(0, 0))
        payload = balance_payload(account, balance, notice.delta, None)
        merged = _WALLET_BALANCE if statement_wallet else "jsonb_build_object('transactionId', tx.id)"
        event = OutboxEvent(topic=balance_topic(account.id), payload=payload)
        rows.append((one_statement.Row(
            event, {"payload": ("?::jsonb || " + merged, (orjson.dumps(payload).decode(),))},
            uses_wallet=statement_wallet,
        ), notice))
        if not notice.sms_phone:
            continue
        if not statement_wallet:
            text = notice.sms_text(balance) if notice.sms_text else balance_sms(account, notice.delta, balance.available)
            rows.append((one_statement.Row(notifier.unsaved_message(notice.sms_phone, "BALANCE", text)), None))
        elif notice.sms_text is None:
            prefix, suffix = balance_sms_parts(account, notice.delta)
            message = notifier.unsaved_message(notice.sms_phone, "BALANCE", prefix + suffix)
            text_sql = ("? || " + one_statement.fen_text("wallet.available") + " || ?", (prefix, suffix))
            rows.append((one_statement.Row(message, {"text": text_sql}, uses_wallet=True), None))
    return rows


async def _first_result(key: Key | None) -> MoneyResult | None:
    if key is None:
        return None
    record = await idempotency.find(key.user_id, key.key, key.operation, key.digest)
    return await replay(record, key.user_id) if record is not None else None


Describe = Callable[[UnitOfWork], Awaitable[Movement]]
"""Describes a movement inside its transaction, after the service locked its own rows."""


async def move(m: Movement) -> MoneyResult:
    """Write the movement in one database transaction (see the module docstring); returns the
    transaction and ``m.account`` with its balance after the movement."""

    async def described(_uow: UnitOfWork) -> Movement:
        return m

    return await move_described(m.key, described)


async def move_described(key: Key | None, describe: Describe) -> MoneyResult:
    """``move`` for a movement that can only be described inside its transaction (the amount
    of a redemption depends on the holding, locked and brought up to date there):
    ``describe(uow)`` returns the Movement, whose ``key`` must be ``key``, or raises a
    DomainError; anything it wrote rolls back with the movement."""
    described: list[Movement] = []
    try:
        async with unit_of_work() as uow:
            m = await describe(uow)
            if m.key != key:
                raise ValueError("the described movement must carry the key it was started with")
            described.append(m)
            tx, balances = await _write(uow, m)
    except _KeyAlreadyUsed as used:
        assert key is not None
        return await replay(used.record, key.user_id)
    except _Refused as refused:
        if (first := await _first_result(key)) is not None:
            return first
        risk = described[0].risk
        assert risk is not None
        await refuse(risk, refused.refusal)
    except DomainError:
        if (first := await _first_result(key)) is not None:
            return first
        raise
    if m.risk is not None:
        count_allowed(m.allow_rule)  # the decision was written with the movement
    metrics.MONEY_MOVEMENTS.labels(tx.type, tx.status).inc()
    tracing.annotate(transaction_no=tx.transaction_no)
    after = balances.get(m.account.id)
    if after is not None:
        m.account.available, m.account.held = after.available, after.held
    return MoneyResult(tx, m.account, balance=after)


async def write(uow: UnitOfWork, m: Movement) -> tuple[Transaction, dict[int, Balance]]:
    """The movement's rows and journal inside the caller's transaction, for jobs that hold their
    own locks (daily income, redemption at maturity). No idempotency key and no limits here:
    both answer by rolling back the kernel's own transaction (use ``move`` for those).
    Returns the transaction and the new balances of the wallets the journal changed."""
    if m.key is not None or m.risk is not None:
        raise ValueError("a movement with a key or limits goes through move()")
    tx, balances = await _write(uow, m)

    async def count() -> None:  # only once committed: the caller may still roll back
        metrics.MONEY_MOVEMENTS.labels(tx.type, tx.status).inc()

    uow.after_commit(count)
    return tx, balances
