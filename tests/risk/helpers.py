"""Set-up shared by the risk tests: a minimal outgoing movement and a ledger break."""

from __future__ import annotations

from tortoise import connections

from app.events.outbox import unit_of_work
from app.ledger import journal
from app.ledger.accounts import system_account, wallet_of
from app.ledger.numbers import new_number
from app.risk.check import Outgoing, check_outgoing
from models import Transaction, User

ALERTS = """
query($status: AlertStatus, $first: Int, $after: String) {
  riskAlerts(status: $status, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id type level status scope message note user { id phone } transaction { transactionNo } } }
  }
}
"""

ACKNOWLEDGE = """
mutation($input: AcknowledgeRiskAlertInput!) {
  acknowledgeRiskAlert(input: $input) {
    alert { id status note }
    errors { code message field }
  }
}
"""

SET_STATUS = """
mutation($input: SetAccountStatusInput!) {
  setAccountStatus(input: $input) {
    user { id status }
    errors { code message field }
  }
}
"""

RECONCILE = """
mutation { reconcileLedger { report { clean breaks figures { name value } } alert { id type level scope } errors { code } } }
"""


async def withdraw_to_bank(user: User, fen: int) -> Transaction:
    """An outgoing movement as every money flow does it: the risk check, then one journal."""
    wallet = await wallet_of(user.id)
    await check_outgoing(Outgoing(user=user, wallet_id=wallet.id, amount=fen, operation="WITHDRAW"))
    bank = await system_account("BANK_CLEARING")
    async with unit_of_work() as uow:
        tx = await Transaction.create(
            transaction_no=new_number("T"),
            type="WITHDRAWAL",
            status="SUCCEEDED",
            channel="BANK_CARD",
            amount=fen,
            account_id=wallet.id,
            counterparty_name="测试银行",
            using_db=uow.conn,
        )
        await journal.post(uow.conn, [journal.Leg(wallet, -fen), journal.Leg(bank, fen)], transaction_id=tx.id)
    return tx


async def break_ledger(user: User, fen: int = 100) -> None:
    """Make the wallet's stored balance disagree with its postings (what reconciliation catches)."""
    wallet = await wallet_of(user.id)
    conn = connections.get("default")
    await conn.execute_query(
        "UPDATE accounts SET available = available + %d WHERE id = %d" % (fen, wallet.id)
    )
