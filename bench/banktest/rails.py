"""External rails in the bank test: card top-ups and card payments through the sandbox bank,
with cards whose calls time out after the bank acted (``0091``) or without it acting (``0092``).

``seed_cards`` binds one card of each kind to every seeded user (set-up, straight into the
database). After the load, ``run_recovery`` runs the jobs once at an instant past the grace
period (`fenpay jobs run --now`), as the every-minute ``rail-recovery`` job would, and
``check_rails`` verifies, from the database:

- every card call ended final as its card says (normal and 0091 SUCCEEDED, 0092 FAILED)
  with one posting journal when SUCCEEDED and none when FAILED; a call the bank never saw
  (timed out or cut off by a fault before the bank acted) ends FAILED, and at least one
  0091 call (the bank acted, its answer was lost) ended SUCCEEDED through recovery;
- no movement is PROCESSING any more (so none older than the maximum age);
- the bank and the ledger agree: every charge the sandbox bank made has exactly one
  succeeded movement of that amount, and every succeeded card movement was charged.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

NORMAL, DONE_THEN_TIMEOUT, TIMEOUT = "1111", "0091", "0092"
SUFFIXES = (NORMAL, DONE_THEN_TIMEOUT, TIMEOUT)
EXPECTED_END = {NORMAL: "SUCCEEDED", DONE_THEN_TIMEOUT: "SUCCEEDED", TIMEOUT: "FAILED"}
"""How each card's movement ends after recovery; a normal card whose call timed out before the bank
did anything ends FAILED (checked against the bank's own record)."""
KINDS = ("topup", "cardpay")
ROOT = Path(__file__).resolve().parents[2]


def luhn_number(prefix: str, suffix: str, length: int = 16) -> str:
    """A Luhn-valid card number: ``prefix`` + one check-fixing digit + filler + ``suffix``."""
    from app.cards.numbers import luhn_valid

    filler = "0" * (length - len(prefix) - len(suffix) - 1)
    for digit in "0123456789":
        number = f"{prefix}{digit}{filler}{suffix}"
        if luhn_valid(number):
            return number
    raise AssertionError("unreachable: one digit always fixes the Luhn sum")


async def seed_cards(users: list[tuple[int, str]]) -> dict[int, dict[str, str]]:
    """Bind a normal, a 0091 and a 0092 card to each user; user id -> {suffix: card global id}."""
    from app import crypto
    from app.masking import mask_card
    from models import BankCard
    from schema.node import to_global_id

    cards: dict[int, dict[str, str]] = {}
    for index, (user_id, phone) in enumerate(users):
        mine = {}
        for suffix in SUFFIXES:
            number = luhn_number(f"622{index:06d}", suffix)
            card = await BankCard.create(
                user_id=user_id, bank_name="中国工商银行", number_enc=crypto.encrypt(number),
                number_index=crypto.blind_index(number, "card_number"), masked_number=mask_card(number),
                last4=number[-4:], holder_name_enc=crypto.encrypt("压测用户"), reserved_phone=phone,
            )
            mine[suffix] = to_global_id("BankCard", card.id)
        cards[user_id] = mine
    return cards


def run_recovery(env: dict[str, str], grace_seconds: int = 120) -> str:
    """`fenpay jobs run --now` past the grace period: every stuck card movement is asked about."""
    instant = datetime.now(UTC) + timedelta(seconds=grace_seconds + 60)
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "jobs", "run", "--now", instant.isoformat()],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=300,
    )
    line = next((ln for ln in done.stdout.splitlines() if "rail-recovery" in ln), done.stdout[-300:])
    if done.returncode != 0:
        raise RuntimeError(f"fenpay jobs run failed: {done.stderr[-2000:]}")
    return line.strip()


async def check_rails(url: str, after_id: int, calls: list[dict[str, Any]]) -> tuple[list[Any], dict[str, Any]]:
    from .checks import Check

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://"))
    try:
        rows = await conn.fetch(
            "SELECT t.transaction_no, t.type, t.status, t.amount, t.channel, COALESCE(p.posts, 0) AS posts"
            " FROM transactions t LEFT JOIN (SELECT transaction_id, COUNT(*) AS posts FROM journals"
            " WHERE kind = 'POST' GROUP BY transaction_id) p ON p.transaction_id = t.id"
            " WHERE t.id > $1 AND t.channel = 'BANK_CARD'",
            after_id,
        )
        processing = int(await conn.fetchval("SELECT COUNT(*) FROM transactions WHERE status = 'PROCESSING'"))
        charges = await conn.fetch(
            "SELECT reference, amount FROM sandbox_channel_operations"
            " WHERE provider = 'sandbox-bank' AND operation = 'CHARGE' AND status = 'SUCCEEDED'"
        )
    finally:
        await conn.close()
    by_no = {r["transaction_no"]: r for r in rows}
    charged = {r["reference"]: int(r["amount"]) for r in charges}
    rail_calls = [c for c in calls if c["kind"] in KINDS and c["outcome"] == "ok"]
    wrong = []
    unseen = 0
    for call in rail_calls:
        row = by_no.get(call["transaction_no"])
        want = EXPECTED_END[call["card"]]
        if call["card"] != TIMEOUT and call["transaction_no"] not in charged:
            # The bank never acted: the call timed out on a loaded machine before it reached the bank,
            # or an injected fault cut it off first (a killed worker, or a database backend ended
            # while the sandbox bank, which keeps its records in the same database, was writing).
            # FAILED is then the truthful end; the bank-vs-ledger check below ties both ways.
            want = "FAILED"
            unseen += 1
        if row is None or row["status"] != want or row["posts"] != (1 if want == "SUCCEEDED" else 0):
            wrong.append((call["key"], call["card"], dict(row) if row else None))
    succeeded = {no: int(r["amount"]) for no, r in by_no.items() if r["status"] == "SUCCEEDED"}
    bank_vs_ledger = sorted(set(charged.items()) ^ set(succeeded.items()))
    checks = [
        Check("card calls ended as their cards say (0091 SUCCEEDED, 0092 FAILED)", bool(rail_calls) and not wrong,
              f"{len(rail_calls)} card calls, {len(wrong)} wrong", wrong[:10]),
        Check("a 0091 call the bank acted on ended SUCCEEDED through recovery",
              any(c["card"] == DONE_THEN_TIMEOUT and c["transaction_no"] in charged
                  and by_no.get(c["transaction_no"], {}).get("status") == "SUCCEEDED" for c in rail_calls),
              f"{unseen} card calls the bank never saw"),
        Check("no PROCESSING movement after the recovery job", processing == 0, f"{processing} PROCESSING"),
        Check("the sandbox bank's charges equal the succeeded card movements", not bank_vs_ledger,
              f"{len(charged)} charges, {len(succeeded)} succeeded, {len(bank_vs_ledger)} differ",
              bank_vs_ledger[:10]),
    ]
    by_card = {s: sum(1 for c in rail_calls if c["card"] == s) for s in SUFFIXES}
    figures = {
        "card_calls_ok": len(rail_calls),
        "card_calls_by_suffix": by_card,
        "card_calls_the_bank_never_saw": unseen,
        "processing_after_recovery": processing,
        "bank_charged_fen": sum(charged.values()),
        "card_movements_succeeded_fen": sum(succeeded.values()),
        "bank_vs_ledger_differences": len(bank_vs_ledger),
    }
    return checks, figures
