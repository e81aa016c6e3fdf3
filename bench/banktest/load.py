"""Load worker processes: transfers, payments and (some) card top-ups and card payments
through GraphQL, every call recorded. Card calls use the sandbox bank's normal, 0091 (acts,
then times out) and 0092 (times out, does nothing) cards: they answer PROCESSING and are
finished by the recovery job (bench/banktest/rails.py checks how they ended).

Each call ends as ``ok`` (a transaction came back), ``failed`` (a business UserError such as
INSUFFICIENT_FUNDS) or ``unknown`` (timeout, dropped connection, 5xx, "Internal error",
SERVICE_UNAVAILABLE). An
unknown call is sent again later with the same idempotency key and the same input until it
resolves; the record keeps every attempt's outcome.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.httpclient import HttpConnection

PAY = (
    "mutation Pay($input: PayInput!) { pay(input: $input) {"
    " transaction { transactionNo status amount } errors { code } } }"
)
TOP_UP = (
    "mutation TopUp($input: TopUpInput!) { topUp(input: $input) {"
    " transaction { transactionNo status amount } errors { code } } }"
)
TRANSFER = (
    "mutation Transfer($input: TransferInput!) { transfer(input: $input) {"
    " transaction { transactionNo status amount } errors { code } } }"
)

OK, FAILED, UNKNOWN = "ok", "failed", "unknown"


@dataclass
class Party:
    user_id: int
    phone: str
    token: str
    cards: dict[str, str] = field(default_factory=dict)
    """Card suffix (1111, 0091, 0092) -> the card's global id."""


@dataclass
class Call:
    key: str
    kind: str  # "transfer" | "pay" | "topup" | "cardpay"
    payer: int
    payee: str  # recipient phone or merchant number
    amount_fen: int
    outcome: str = UNKNOWN
    transaction_no: str | None = None
    error_code: str | None = None
    attempts: list[str] = field(default_factory=list)
    """Outcome label of each attempt, e.g. ["unknown:ReadTimeout", "ok"]."""
    last_attempt: float = 0.0
    card: str | None = None
    """For card calls: the card's suffix."""

    @property
    def was_unknown(self) -> bool:
        return any(a.startswith(UNKNOWN) for a in self.attempts)


@dataclass
class Plan:
    """What one load process does (picklable)."""

    host: str
    port: int
    parties: list[Party]
    merchant_nos: list[str]
    pin: str
    seconds: float
    settle_seconds: float
    clients: int
    seed: int
    pay_share: float = 0.3
    card_share: float = 0.06
    timeout: float = 8.0
    retry_after: float = 1.0


def _fen_text(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


# More than any wallet holds: these calls must fail (INSUFFICIENT_FUNDS) and move nothing.
OVERDRAFT_FEN = 10_000_000_000


def _amount(rng: random.Random) -> int:
    """Mostly small amounts, some larger, and now and then one no wallet can cover."""
    draw = rng.random()
    if draw < 0.03:
        return OVERDRAFT_FEN
    if draw < 0.13:
        return rng.randrange(10_000, 200_000)
    return rng.randrange(1, 3_000)


def _variables(call: Call, pin: str, cards: dict[str, str]) -> dict[str, Any]:
    if call.kind == "topup":
        return {"input": {"amount": _fen_text(call.amount_fen), "channel": "BANK_CARD",
                          "bankCardId": cards[call.card or ""], "idempotencyKey": call.key}}
    if call.kind == "cardpay":
        return {"input": {"merchantNo": call.payee, "amount": _fen_text(call.amount_fen), "channel": "BANK_CARD",
                          "bankCardId": cards[call.card or ""], "paymentPassword": pin, "idempotencyKey": call.key}}
    if call.kind == "pay":
        return {"input": {"merchantNo": call.payee, "amount": _fen_text(call.amount_fen), "channel": "WALLET_BALANCE",
                          "paymentPassword": pin, "idempotencyKey": call.key}}
    return {"input": {"recipient": call.payee, "amount": _fen_text(call.amount_fen), "paymentPassword": pin,
                      "idempotencyKey": call.key}}


def classify(status: int, body: dict[str, Any], field_name: str) -> tuple[str, str | None, str | None]:
    """(outcome, transaction number, error label)."""
    if status >= 500:
        return UNKNOWN, None, f"http-{status}"
    if status != 200:
        return UNKNOWN, None, f"http-{status}"  # unexpected: kept unknown and retried, reported below
    if body.get("errors"):
        return UNKNOWN, None, "graphql-error:" + str(body["errors"][0].get("message", ""))[:60]
    payload = (body.get("data") or {}).get(field_name)
    if not payload:
        return UNKNOWN, None, "no-payload"
    if payload.get("errors"):
        code = payload["errors"][0]["code"]
        if code == "SERVICE_UNAVAILABLE":  # a dependency failed: retry with the same key
            return UNKNOWN, None, code
        return FAILED, None, code
    transaction = payload.get("transaction") or {}
    if transaction.get("transactionNo"):
        return OK, transaction["transactionNo"], None
    return UNKNOWN, None, "no-transaction"


class Client:
    def __init__(self, plan: Plan, index: int, rng: random.Random, calls: list[Call], stats: dict[str, int]) -> None:
        self.plan, self.index, self.rng, self.calls, self.stats = plan, index, rng, calls, stats
        self.conn = HttpConnection(plan.host, plan.port)
        self.pending: list[Call] = []
        self.serial = 0

    def _new_call(self) -> Call:
        plan, rng = self.plan, self.rng
        payer = plan.parties[rng.randrange(len(plan.parties))]
        self.serial += 1
        key = f"bt-{plan.seed}-{self.index}-{self.serial}"
        if payer.cards and rng.random() < plan.card_share:
            card = sorted(payer.cards)[rng.randrange(len(payer.cards))]
            if rng.random() < 0.5:
                call = Call(key, "topup", payer.user_id, "", rng.randrange(10, 500) * 100, card=card)
            else:
                payee = plan.merchant_nos[rng.randrange(len(plan.merchant_nos))]
                call = Call(key, "cardpay", payer.user_id, payee, rng.randrange(1, 3_000), card=card)
        elif rng.random() < plan.pay_share:
            payee = plan.merchant_nos[rng.randrange(len(plan.merchant_nos))]
            call = Call(key, "pay", payer.user_id, payee, _amount(rng))
        else:
            other = payer
            while other.user_id == payer.user_id:
                other = plan.parties[rng.randrange(len(plan.parties))]
            call = Call(key, "transfer", payer.user_id, other.phone, _amount(rng))
        self.calls.append(call)
        return call

    async def attempt(self, call: Call) -> None:
        plan = self.plan
        party = next(p for p in plan.parties if p.user_id == call.payer)
        token = party.token
        document, field_name = {
            "pay": (PAY, "pay"), "cardpay": (PAY, "pay"), "topup": (TOP_UP, "topUp"),
        }.get(call.kind, (TRANSFER, "transfer"))
        call.last_attempt = time.monotonic()
        try:
            status, body = await asyncio.wait_for(
                self.conn.post_json("/graphql",
                                    {"query": document, "variables": _variables(call, plan.pin, party.cards)},
                                    {"Authorization": f"Bearer {token}"}),
                timeout=plan.timeout,
            )
            outcome, number, label = classify(status, body, field_name)
        except Exception as exc:  # noqa: BLE001 - every transport failure is an unknown outcome
            self.conn.close()
            outcome, number, label = UNKNOWN, None, type(exc).__name__
        call.attempts.append(outcome if label is None else f"{outcome}:{label}")
        self.stats[outcome] = self.stats.get(outcome, 0) + 1
        call.outcome, call.transaction_no, call.error_code = outcome, number, label if outcome == FAILED else None
        if outcome == UNKNOWN:
            if call not in self.pending:
                self.pending.append(call)
        elif call in self.pending:
            self.pending.remove(call)

    def _due(self) -> Call | None:
        now = time.monotonic()
        for call in self.pending:
            if now - call.last_attempt >= self.plan.retry_after:
                return call
        return None

    async def run(self, deadline: float, settle_deadline: float) -> None:
        while time.monotonic() < deadline:
            await self.attempt(self._due() or self._new_call())
        # Load is over: resolve what is still unknown (the faults have stopped by then).
        while self.pending and time.monotonic() < settle_deadline:
            due = self._due()
            if due is None:
                await asyncio.sleep(0.2)
                continue
            await self.attempt(due)
        self.conn.close()


async def _run(plan: Plan, start_at: float) -> tuple[list[Call], dict[str, int]]:
    rng = random.Random(plan.seed)
    calls: list[Call] = []
    stats: dict[str, int] = {}
    await asyncio.sleep(max(0.0, start_at - time.time()))
    deadline = time.monotonic() + plan.seconds
    settle_deadline = deadline + plan.settle_seconds
    clients = [Client(plan, i, random.Random(rng.random()), calls, stats) for i in range(plan.clients)]
    await asyncio.gather(*(c.run(deadline, settle_deadline) for c in clients))
    return calls, stats


def load_process(plan: Plan, start_at: float, conn) -> None:  # noqa: ANN001
    """Child-process entry: run the plan, send back every call record."""
    calls, stats = asyncio.run(_run(plan, start_at))
    conn.send(([asdict(c) for c in calls], stats))
    conn.close()
