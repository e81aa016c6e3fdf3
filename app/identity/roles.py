"""User roles (seed 1.4): every user is a USER; merchants, support staff, risk officers and
administrators carry further roles in ``users.roles`` (space-separated)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    USER = "USER"
    MERCHANT = "MERCHANT"
    SUPPORT = "SUPPORT"
    RISK_OFFICER = "RISK_OFFICER"
    ADMIN = "ADMIN"


# Staff see every account's statement and every ticket, and may be made by `fenpay create-staff`.
STAFF_ROLES: frozenset[Role] = frozenset({Role.SUPPORT, Role.RISK_OFFICER, Role.ADMIN})
# Who reviews refund requests.
REFUND_REVIEWER_ROLES: frozenset[Role] = frozenset({Role.SUPPORT, Role.ADMIN})
# Who reviews risk alerts and account status.
RISK_ROLES: frozenset[Role] = frozenset({Role.RISK_OFFICER, Role.ADMIN})
ADMIN_ROLES: frozenset[Role] = frozenset({Role.ADMIN})
MERCHANT_ROLES: frozenset[Role] = frozenset({Role.MERCHANT})
