"""Who may read an account's statement: its owner, a merchant account's owner, and staff."""

from __future__ import annotations

from models import Account, Merchant, User

from ..ledger.accounts import MERCHANT

STAFF_ROLES = frozenset({"SUPPORT", "RISK_OFFICER", "ADMIN"})


async def may_read_statement(viewer: User | None, account: Account) -> bool:
    if viewer is None:
        return False
    if viewer.role_set & STAFF_ROLES:
        return True
    if account.user_id is not None and account.user_id == viewer.id:
        return True
    if account.kind == MERCHANT:
        return await Merchant.filter(account_id=account.id, owner_id=viewer.id).exists()
    return False
