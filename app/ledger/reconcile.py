"""Ledger invariants, checked by `fenpay reconcile`, the daily job and the tests:
every journal sums to zero in each currency over two or more postings (a cross-border
payment posts CNY and the merchant's currency, each balanced through the platform's FX
position accounts); RED_PACKET_CLEARING holds exactly the unclaimed, unreturned shares of
the red packets; every wallet equals the sum of
its postings; no wallet is negative; every succeeded transaction has exactly one POST
journal (failed and canceled ones none); a finished transaction holds no money on hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from tortoise import connections

from .. import clock, runtime
from ..db import Conn
from . import sql
from .processing import waiting_longer_than


@dataclass
class Report:
    figures: dict[str, int] = field(default_factory=dict)
    breaks: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.breaks

    def lines(self) -> list[str]:
        out = [f"{name}: {value}" for name, value in self.figures.items()]
        out += [f"BREAK: {b}" for b in self.breaks] or ["ledger clean"]
        return out


async def _scalar(conn: Conn, text: str) -> int:
    rows = await sql.fetch(conn, text)
    value = next(iter(rows[0].values())) if rows else 0
    return int(value or 0)


async def reconcile() -> Report:
    conn = connections.get("default")
    report = Report()
    figures = report.figures
    figures["journals"] = await _scalar(conn, "SELECT COUNT(*) FROM journals")
    figures["postings"] = await _scalar(conn, "SELECT COUNT(*) FROM postings")
    figures["postings_total_fen"] = await _scalar(  # CNY; other currencies: postings_total_<currency>
        conn,
        "SELECT COALESCE(SUM(p.amount), 0) FROM postings p JOIN accounts a ON a.id = p.account_id"
        " WHERE a.currency = 'CNY'",
    )
    figures["wallet_available_fen"] = await _scalar(
        conn, "SELECT COALESCE(SUM(available), 0) FROM accounts WHERE kind = 'WALLET'"
    )
    figures["wallet_frozen_fen"] = await _scalar(
        conn, "SELECT COALESCE(SUM(frozen), 0) FROM accounts WHERE kind = 'WALLET'"
    )
    figures["merchant_balance_fen"] = await _scalar(
        conn,
        "SELECT COALESCE(SUM(p.amount), 0) FROM postings p JOIN accounts a ON a.id = p.account_id"
        " WHERE a.kind = 'MERCHANT' AND a.currency = 'CNY'",
    )
    figures["system_balance_fen"] = await _scalar(
        conn,
        "SELECT COALESCE(SUM(p.amount), 0) FROM postings p JOIN accounts a ON a.id = p.account_id"
        " WHERE a.kind = 'SYSTEM' AND a.currency = 'CNY'",
    )
    figures["succeeded_transactions"] = await _scalar(
        conn, "SELECT COUNT(*) FROM transactions WHERE status = 'SUCCEEDED'"
    )

    unbalanced = await sql.fetch(
        conn,
        "SELECT p.journal_id, a.currency, SUM(p.amount) AS total FROM postings p"
        " JOIN accounts a ON a.id = p.account_id"
        " GROUP BY p.journal_id, a.currency HAVING SUM(p.amount) <> 0",
    )
    for row in unbalanced[:20]:
        report.breaks.append(f"journal {row['journal_id']} sums to {row['total']} {row['currency']}")
    if len(unbalanced) > 20:
        report.breaks.append(f"... and {len(unbalanced) - 20} more unbalanced journal currencies")
    short = await sql.fetch(
        conn, "SELECT journal_id, COUNT(*) AS legs FROM postings GROUP BY journal_id HAVING COUNT(*) < 2"
    )
    for row in short[:20]:
        report.breaks.append(f"journal {row['journal_id']} has {row['legs']} leg")
    for row in await sql.fetch(
        conn,
        "SELECT a.currency, COALESCE(SUM(p.amount), 0) AS total FROM postings p"
        " JOIN accounts a ON a.id = p.account_id WHERE a.currency <> 'CNY' GROUP BY a.currency ORDER BY a.currency",
    ):
        figures[f"postings_total_{str(row['currency']).lower()}"] = int(row["total"] or 0)
    await _red_packet_clearing(conn, report)
    empty = await _scalar(
        conn, "SELECT COUNT(*) FROM journals j WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.journal_id = j.id)"
    )
    if empty:
        report.breaks.append(f"{empty} journals without postings")

    drift = await sql.fetch(
        conn,
        "SELECT a.id, a.available, a.frozen,"
        " COALESCE(SUM(CASE WHEN p.bucket = 'AVAILABLE' THEN p.amount ELSE 0 END), 0) AS posted_available,"
        " COALESCE(SUM(CASE WHEN p.bucket = 'FROZEN' THEN p.amount ELSE 0 END), 0) AS posted_frozen"
        " FROM accounts a LEFT JOIN postings p ON p.account_id = a.id"
        " WHERE a.kind = 'WALLET' GROUP BY a.id, a.available, a.frozen"
        " HAVING a.available <> COALESCE(SUM(CASE WHEN p.bucket = 'AVAILABLE' THEN p.amount ELSE 0 END), 0)"
        " OR a.frozen <> COALESCE(SUM(CASE WHEN p.bucket = 'FROZEN' THEN p.amount ELSE 0 END), 0)",
    )
    for row in drift[:20]:
        report.breaks.append(
            f"wallet {row['id']} holds {row['available']}/{row['frozen']} but postings say"
            f" {row['posted_available']}/{row['posted_frozen']}"
        )
    negative = await _scalar(
        conn, "SELECT COUNT(*) FROM accounts WHERE kind = 'WALLET' AND (available < 0 OR frozen < 0)"
    )
    if negative:
        report.breaks.append(f"{negative} wallets below zero")

    journal_counts = await sql.fetch(
        conn,
        "SELECT t.id, t.status, COUNT(j.id) AS posts FROM transactions t"
        " LEFT JOIN journals j ON j.transaction_id = t.id AND j.kind = 'POST'"
        " GROUP BY t.id, t.status"
        " HAVING (t.status = 'SUCCEEDED' AND COUNT(j.id) <> 1)"
        " OR (t.status IN ('FAILED', 'CANCELED') AND COUNT(j.id) <> 0)",
    )
    for row in journal_counts[:20]:
        report.breaks.append(f"transaction {row['id']} is {row['status']} with {row['posts']} posting journals")
    if len(journal_counts) > 20:
        report.breaks.append(f"... and {len(journal_counts) - 20} more transactions")
    # A finished transaction holds nothing: its HOLD was posted (POST) or released.
    open_holds = await sql.fetch(
        conn,
        "SELECT t.id, t.status, SUM(p.amount) AS held FROM transactions t"
        " JOIN journals j ON j.transaction_id = t.id"
        " JOIN postings p ON p.journal_id = j.id"
        " JOIN accounts a ON a.id = p.account_id"
        " WHERE p.bucket = 'FROZEN' AND a.kind = 'WALLET' AND t.status IN ('SUCCEEDED', 'FAILED', 'CANCELED')"
        " GROUP BY t.id, t.status HAVING SUM(p.amount) <> 0",
    )
    for row in open_holds[:20]:
        report.breaks.append(f"transaction {row['id']} is {row['status']} but still holds {row['held']} on hold")
    await _stale_processing(report)
    figures["breaks"] = len(report.breaks)
    return report


async def _red_packet_clearing(conn: Conn, report: Report) -> None:
    """RED_PACKET_CLEARING equals what the packets still owe: each packet's total less its
    claimed shares and the rest returned to its sender (zero for EMPTY and EXPIRED packets)."""
    held = await _scalar(
        conn,
        "SELECT COALESCE(SUM(p.amount), 0) FROM postings p JOIN accounts a ON a.id = p.account_id"
        " WHERE a.code = 'RED_PACKET_CLEARING'",
    )
    owed = await _scalar(
        conn, "SELECT COALESCE(SUM(amount - claimed_amount - refunded_amount), 0) FROM red_packets"
    )
    report.figures["red_packet_clearing_fen"] = held
    report.figures["red_packets_unclaimed_fen"] = owed
    if held != owed:
        report.breaks.append(f"RED_PACKET_CLEARING holds {held} fen but open red packets owe {owed} fen")


async def _stale_processing(report: Report) -> None:
    """A movement PROCESSING for longer than the maximum age is a break (money held, outcome unknown)."""
    max_age = timedelta(seconds=runtime.settings().processing_max_age_seconds)
    stale = await waiting_longer_than(clock.now(), max_age)
    report.figures["processing_too_long"] = len(stale)
    for waiting in stale[:20]:
        tx = waiting.transaction
        report.breaks.append(
            f"transaction {tx.id} ({tx.type} {tx.channel}, {tx.amount} fen) PROCESSING since"
            f" {waiting.since.isoformat()}, longer than the maximum age"
        )
    if len(stale) > 20:
        report.breaks.append(f"... and {len(stale) - 20} more movements PROCESSING too long")
