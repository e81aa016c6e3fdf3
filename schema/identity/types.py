"""The User type and identity enums."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from app.masking import mask_email, mask_id_number, mask_name, mask_phone
from models import User
from resolvers import users as user_resolvers

from ..money.types import AccountStatusEnum, AccountType, BankCardType
from ..node import Node, to_global_id


@strawberry.enum(name="Role")
class RoleEnum(Enum):
    USER = "USER"
    MERCHANT = "MERCHANT"
    SUPPORT = "SUPPORT"
    RISK_OFFICER = "RISK_OFFICER"
    ADMIN = "ADMIN"


@strawberry.enum(name="RealNameStatus")
class RealNameStatusEnum(Enum):
    UNVERIFIED = "UNVERIFIED"
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    REJECTED = "REJECTED"


@strawberry.type(name="User")
class UserType(Node):
    _model: strawberry.Private[User]
    id: strawberry.ID
    phone: str = strawberry.field(description="Masked, e.g. 138****8000.")
    real_name_status: RealNameStatusEnum
    roles: list[RoleEnum]
    status: AccountStatusEnum
    has_payment_password: bool
    risk_tolerance: str | None = strawberry.field(
        description="C1 (most cautious) to C5; null until the risk assessment is taken."
    )
    created_at: datetime

    @classmethod
    def from_model(cls, user: User) -> UserType:
        return cls(
            _model=user,
            id=to_global_id("User", user.id),
            phone=mask_phone(user.phone),
            real_name_status=RealNameStatusEnum(user.real_name_status),
            roles=[RoleEnum(r) for r in sorted(user.role_set)],
            status=AccountStatusEnum(user.status),
            has_payment_password=user.payment_password_hash is not None,
            risk_tolerance=user.risk_tolerance,
            created_at=user.created_at,
        )

    @strawberry.field
    async def email(self, info: strawberry.Info) -> str | None:
        """The full address for its owner; masked for anyone else (staff)."""
        email = self._model.email
        if email is None:
            return None
        return email if info.context.viewer_id == self._model.id else mask_email(email)

    @strawberry.field(description="Masked, e.g. 张*.")
    def real_name(self) -> str | None:
        name = user_resolvers.real_name(self._model)
        return mask_name(name) if name else None

    @strawberry.field(description="Masked, e.g. 1101**********1234.")
    def id_number(self) -> str | None:
        number = user_resolvers.id_number(self._model)
        return mask_id_number(number) if number else None

    @strawberry.field
    async def account(self) -> AccountType:
        return AccountType.from_model(await user_resolvers.wallet(self._model))

    @strawberry.field
    async def bank_cards(self) -> list[BankCardType]:
        return [BankCardType.from_model(card, holder) for card, holder in await user_resolvers.bank_cards(self._model)]

    @strawberry.field(description="The merchant this user owns, if any.")
    async def merchant(
        self,
    ) -> Annotated["MerchantType", strawberry.lazy("schema.payments.types")] | None:
        from ..payments.types import MerchantType

        merchant = await user_resolvers.merchant(self._model)
        return MerchantType.from_model(merchant) if merchant else None
