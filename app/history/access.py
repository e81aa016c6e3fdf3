"""Who may read an account's statement: its owner, a merchant account's owner, and staff."""

from __future__ import annotations

from models import Account, Merchant, User

from ..identity.roles import STAFF_ROLES
from ..ledger.accounts import MERCHANT


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
