"""Merchant types."""

from __future__ import annotations

import strawberry

from models import Merchant
from resolvers import payments_fields

from ..money.types import AccountType
from ..node import Node, to_global_id


@strawberry.type(name="Merchant")
class MerchantType(Node):
    _model: strawberry.Private[Merchant]
    id: strawberry.ID
    merchant_no: str
    name: str
    category: str

    @classmethod
    def from_model(cls, merchant: Merchant) -> MerchantType:
        return cls(
            _model=merchant,
            id=to_global_id("Merchant", merchant.id),
            merchant_no=merchant.merchant_no,
            name=merchant.name,
            category=merchant.category,
        )

    @strawberry.field(
        description="The merchant's settlement account; visible to its owner and staff only (null otherwise)."
    )
    async def account(self, info: strawberry.Info) -> AccountType | None:
        account = await payments_fields.settlement_account(info.context, self._model)
        return AccountType.from_model(account) if account else None
