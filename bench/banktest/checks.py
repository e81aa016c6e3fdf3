"""The invariants checked after a bank test, straight from the database.

- conservation: wallets + merchant + system accounts total the same as before;
- no wallet below zero;
- reference model: every wallet and merchant ends at its start plus the ok calls touching
  it, and nothing else (a call the client saw fail, or never resolved, moved nothing);
- every ok call's transaction exists exactly once, succeeded, with one posting journal;
- every call that was unknown at some point ended exactly once (or not at all, if failed);
- the run's succeeded transfers and payments are exactly the ok calls (no phantom money);
- every subscriber that stayed connected received the balanceChanged of every committed
  transaction touching its wallet, nothing of anyone else's, and no unmarked duplicates.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import asyncpg

RUN_TYPES = ("TRANSFER", "PAYMENT", "TOP_UP")
CARD_KINDS = ("topup", "cardpay")  # through the sandbox bank: they count once SUCCEEDED


@dataclass
class Snapshot:
    wallets: dict[int, tuple[int, int, int]]
    """account id -> (user id, available, frozen)."""
    merchants: dict[str, tuple[int, int]]
    """merchant number -> (account id, balance from postings)."""
    grand_total: int
    wallet_total: int
    merchant_total: int
    system_total: int
    max_transaction_id: int
    phones: dict[str, int]
    """phone -> user id."""


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""
    examples: list[Any] = field(default_factory=list)


async def _connect(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(url.replace("postgres://", "postgresql://"))


async def snapshot(url: str) -> Snapshot:
    conn = await _connect(url)
    try:
        wallets = {
            r["id"]: (r["user_id"], r["available"], r["frozen"])
            for r in await conn.fetch("SELECT id, user_id, available, frozen FROM accounts WHERE kind = 'WALLET'")
        }
        merchants = {
            r["merchant_no"]: (r["account_id"], r["balance"])
            for r in await conn.fetch(
                "SELECT m.merchant_no, m.account_id, COALESCE(SUM(p.amount), 0) AS balance FROM merchants m"
                " LEFT JOIN postings p ON p.account_id = m.account_id GROUP BY m.merchant_no, m.account_id"
            )
        }
        totals = await conn.fetchrow(
            "SELECT"
            " (SELECT COALESCE(SUM(available + frozen), 0) FROM accounts WHERE kind = 'WALLET') AS wallets,"
            " (SELECT COALESCE(SUM(p.amount), 0) FROM postings p JOIN accounts a ON a.id = p.account_id"
            "   WHERE a.kind = 'MERCHANT') AS merchants,"
            " (SELECT COALESCE(SUM(p.amount), 0) FROM postings p JOIN accounts a ON a.id = p.account_id"
            "   WHERE a.kind = 'SYSTEM') AS system,"
            " (SELECT COALESCE(MAX(id), 0) FROM transactions) AS max_tx"
        )
        phones = {r["phone"]: r["id"] for r in await conn.fetch("SELECT id, phone FROM users")}
    finally:
        await conn.close()
    return Snapshot(
        wallets=wallets,
        merchants=merchants,
        grand_total=int(totals["wallets"] + totals["merchants"] + totals["system"]),
        wallet_total=int(totals["wallets"]),
        merchant_total=int(totals["merchants"]),
        system_total=int(totals["system"]),
        max_transaction_id=int(totals["max_tx"]),
        phones=phones,
    )


async def run_checks(url: str, before: Snapshot, calls: list[dict[str, Any]],
                     listeners: list[dict[str, Any]]) -> tuple[list[Check], dict[str, Any]]:
    after = await snapshot(url)
    conn = await _connect(url)
    try:
        run_rows = await conn.fetch(
            # One grouped pass over journals (journals.transaction_id has no index: a correlated
            # count per transaction was quadratic and took minutes after a 5-minute run).
            "SELECT t.id, t.transaction_no, t.type, t.status, t.amount, t.account_id, t.counterparty_account_id,"
            " COALESCE(p.posts, 0) AS posts"
            " FROM transactions t LEFT JOIN (SELECT transaction_id, COUNT(*) AS posts FROM journals"
            " WHERE kind = 'POST' GROUP BY transaction_id) p ON p.transaction_id = t.id WHERE t.id > $1",
            before.max_transaction_id,
        )
        keys = await conn.fetch(
            "SELECT r.user_id, r.key, r.transaction_id, t.transaction_no, t.status FROM idempotency_records r"
            " LEFT JOIN transactions t ON t.id = r.transaction_id WHERE r.key LIKE 'bt-%'"
        )
        touching = await conn.fetch(
            "SELECT DISTINCT p.account_id, t.transaction_no FROM postings p JOIN journals j ON j.id = p.journal_id"
            " JOIN transactions t ON t.id = j.transaction_id"
            " WHERE t.id > $1 AND j.kind = 'POST' AND t.status = 'SUCCEEDED'",
            before.max_transaction_id,
        )
    finally:
        await conn.close()

    checks: list[Check] = []
    figures: dict[str, Any] = {}

    checks.append(Check("the load ran", any(c["outcome"] == "ok" for c in calls), f"{len(calls)} calls"))

    # Conservation and sign.
    total_after = after.grand_total
    checks.append(Check("conservation (wallets + merchants + system)", total_after == before.grand_total,
                        f"before {before.grand_total}, after {total_after}"))
    negative = [aid for aid, (_, available, frozen) in after.wallets.items() if available < 0 or frozen < 0]
    checks.append(Check("no wallet below zero", not negative, f"{len(negative)} negative", negative[:10]))

    # Reference model.
    wallet_of_user = {uid: aid for aid, (uid, _, _) in after.wallets.items()}
    expected = {aid: available for aid, (_, available, _) in before.wallets.items()}
    expected_merchant = {no: balance for no, (_, balance) in before.merchants.items()}
    final_status = {r["transaction_no"]: r["status"] for r in run_rows}
    for call in calls:
        if call["outcome"] != "ok":
            continue
        if call["kind"] in CARD_KINDS:  # the card pays: the wallet is credited (top-up) or untouched
            if final_status.get(call["transaction_no"]) == "SUCCEEDED":
                if call["kind"] == "topup":
                    expected[wallet_of_user[call["payer"]]] += call["amount_fen"]
                else:
                    expected_merchant[call["payee"]] += call["amount_fen"]
            continue
        expected[wallet_of_user[call["payer"]]] -= call["amount_fen"]
        if call["kind"] == "transfer":
            expected[wallet_of_user[before.phones[call["payee"]]]] += call["amount_fen"]
        else:
            expected_merchant[call["payee"]] += call["amount_fen"]
    wallet_drift = [(aid, expected[aid], after.wallets[aid][1]) for aid in expected
                    if expected[aid] != after.wallets[aid][1]]
    merchant_drift = [(no, expected_merchant[no], after.merchants[no][1]) for no in expected_merchant
                      if expected_merchant[no] != after.merchants[no][1]]
    checks.append(Check("reference model: every wallet = start + its ok calls", not wallet_drift,
                        f"{len(wallet_drift)} wallets differ", wallet_drift[:10]))
    checks.append(Check("reference model: every merchant = start + its ok payments", not merchant_drift,
                        f"{len(merchant_drift)} merchants differ", merchant_drift[:10]))

    # Each ok call: its transaction once, succeeded, one posting journal, matching amount.
    by_no = defaultdict(list)
    for row in run_rows:
        by_no[row["transaction_no"]].append(row)
    ok_calls = [c for c in calls if c["outcome"] == "ok"]
    bad_ok = []
    for call in ok_calls:
        if call["kind"] in CARD_KINDS:
            continue  # a card call may end FAILED (0092): bench/banktest/rails.py checks how each ended
        rows = by_no.get(call["transaction_no"], [])
        if len(rows) != 1 or rows[0]["status"] != "SUCCEEDED" or rows[0]["posts"] != 1 \
                or rows[0]["amount"] != call["amount_fen"]:
            bad_ok.append((call["key"], call["transaction_no"], [dict(r) for r in rows]))
    ok_numbers = Counter(c["transaction_no"] for c in ok_calls)
    shared = [no for no, n in ok_numbers.items() if n > 1]
    checks.append(Check("every ok call's transaction exists exactly once", not bad_ok and not shared,
                        f"{len(bad_ok)} missing or wrong, {len(shared)} shared by two calls", (bad_ok + shared)[:10]))

    # Calls that were unknown at some point.
    record_of = {(r["user_id"], r["key"]): r for r in keys}
    retried = [c for c in calls if any(a.startswith("unknown") for a in c["attempts"])]
    unresolved = [c["key"] for c in retried if c["outcome"] == "unknown"]
    wrong_end = []
    for call in retried:
        record = record_of.get((call["payer"], call["key"]))
        if call["outcome"] == "ok":
            if record is None or record["transaction_no"] != call["transaction_no"]:
                wrong_end.append((call["key"], "ok but the key's record names another transaction"))
        elif call["outcome"] == "failed" and record is not None and record["status"] == "SUCCEEDED":
            wrong_end.append((call["key"], f"failed but {record['transaction_no']} succeeded under its key"))
    checks.append(Check("every retried unknown call resolved", not unresolved,
                        f"{len(retried)} retried, {len(unresolved)} still unknown", unresolved[:10]))
    checks.append(Check("every retried unknown call ended exactly once", not wrong_end,
                        f"{len(wrong_end)} inconsistent", wrong_end[:10]))

    # No phantom money: the run's succeeded transfers and payments are exactly the ok calls.
    succeeded = {r["transaction_no"] for r in run_rows if r["type"] in RUN_TYPES and r["status"] == "SUCCEEDED"}
    phantom = sorted(succeeded - set(ok_numbers))
    checks.append(Check("no transaction without an ok call", not phantom,
                        f"{len(succeeded)} succeeded in the run, {len(phantom)} not claimed by any call", phantom[:10]))

    # Subscribers.
    expected_events: dict[int, set[str]] = defaultdict(set)
    for row in touching:
        expected_events[row["account_id"]].add(row["transaction_no"])
    lost_total, duplicate_total, foreign_total, errored_total = 0, 0, 0, 0
    stayed = 0
    sub_examples: list[Any] = []
    for listener in listeners:
        if listener["dropped_at"] is not None:
            sub_examples.append((listener["user_id"], "dropped", listener["drop_reason"]))
            continue
        stayed += 1
        wallet = wallet_of_user[listener["user_id"]]
        want = expected_events.get(wallet, set())
        got = Counter(e["transactionNo"] for e in listener["events"])
        lost = want - set(got)
        foreign = [no for no in got if no not in want]
        duplicates = []
        for no, n in got.items():
            if n > 1:
                ids = {e["eventId"] for e in listener["events"] if e["transactionNo"] == no}
                if len(ids) != 1 or None in ids:
                    duplicates.append(no)
        lost_total += len(lost)
        duplicate_total += len(duplicates)
        foreign_total += len(foreign)
        errored_total += len(listener["errors"])
        if lost or duplicates or foreign or listener["errors"]:
            sub_examples.append((listener["user_id"], sorted(lost)[:3], duplicates[:3], foreign[:3],
                                 listener["errors"][:2]))
    dropped = len(listeners) - stayed
    checks.append(Check("subscribers stayed connected", bool(listeners) and dropped == 0,
                        f"{stayed} of {len(listeners)} stayed",
                        [e for e in sub_examples if e[1] == "dropped"][:5]))
    checks.append(Check(
        "subscribers received every balanceChanged of their wallet",
        lost_total == 0 and duplicate_total == 0 and foreign_total == 0 and errored_total == 0,
        f"{lost_total} lost, {duplicate_total} unmarked duplicates, {foreign_total} not theirs, "
        f"{errored_total} with errors",
        [e for e in sub_examples if e[1] != "dropped"][:5],
    ))

    figures.update(
        grand_total_before=before.grand_total,
        grand_total_after=total_after,
        wallet_total_before=before.wallet_total,
        wallet_total_after=after.wallet_total,
        merchant_total_before=before.merchant_total,
        merchant_total_after=after.merchant_total,
        succeeded_in_run=len(succeeded),
        lost_or_duplicated_money_fen=sum(abs(e - a) for _, e, a in wallet_drift)
        + sum(abs(e - a) for _, e, a in merchant_drift),
        events_expected=sum(len(expected_events.get(wallet_of_user[lst["user_id"]], ())) for lst in listeners
                            if lst["dropped_at"] is None),
        events_received=sum(len(lst["events"]) for lst in listeners if lst["dropped_at"] is None),
        events_marked_repeats=sum(len(lst["events"]) - len({e["eventId"] for e in lst["events"]})
                                  for lst in listeners if lst["dropped_at"] is None),
        events_lost=lost_total,
        events_duplicated_unmarked=duplicate_total,
        subscribers_dropped=dropped,
        unresolved_calls=len(unresolved),
    )
    return checks, figures
