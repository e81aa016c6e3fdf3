"""Transaction history and refunds: queries, mutations, and ``node`` for Refund."""

from __future__ import annotations

import strawberry

from models import Account
from resolvers import history as history_resolvers
from resolvers import refunds as refund_resolvers

from ..context import Info
from ..errors import returns_payload
from ..money.types import TransactionConnection, TransactionType
from ..node import from_global_id, register_node
from ..pagination import to_connection
from ..permissions import REFUND_REVIEWERS, SIGNED_IN
from .types import (
    RefundConnection,
    RefundPayload,
    RefundType,
    RequestRefundInput,
    ReviewRefundInput,
    TransactionFilter,
)


async def account_transactions(
    info: Info,
    account: Account,
    filter: TransactionFilter | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> TransactionConnection:
    """``Account.transactions``: rows as this account sees them (direction, counterparty)."""
    page = await history_resolvers.account_statement(
        info.context, account, filter, first=first, after=after, last=last, before=before
    )
    return to_connection(page, lambda tx: TransactionType.from_model(tx, account.id))


@register_node("Refund")
async def _load_refund(info: Info, pk: int) -> RefundType | None:
    refund = await refund_resolvers.visible_refund(info.context, pk)
    return RefundType.from_model(refund) if refund else None


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=SIGNED_IN,
        description="The viewer's wallet transactions of the last three months, newest first.",
    )
    async def transactions(
        self,
        info: Info,
        filter: TransactionFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> TransactionConnection:
        wallet = await history_resolvers.my_wallet(info.context)
        return await account_transactions(info, wallet, filter, first, after, last, before)

    @strawberry.field(permission_classes=SIGNED_IN, description="The viewer's refund requests, newest first.")
    async def refunds(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> RefundConnection:
        page = await refund_resolvers.my_refunds(info.context, first=first, after=after)
        return to_connection(page, RefundType.from_model)

    @strawberry.field(
        permission_classes=REFUND_REVIEWERS,
        description="Staff only (SUPPORT, ADMIN): pending refunds, earliest review deadline first.",
    )
    async def refund_review_queue(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> RefundConnection:
        page = await refund_resolvers.review_queue(first=first, after=after)
        return to_connection(page, RefundType.from_model)


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(RefundPayload)
    async def request_refund(self, info: Info, input: RequestRefundInput) -> RefundPayload:
        refund = await refund_resolvers.request_refund(info.context, input)
        return RefundPayload(refund=RefundType.from_model(refund), errors=[])

    @strawberry.mutation(permission_classes=REFUND_REVIEWERS, description="Staff only (SUPPORT, ADMIN).")
    @returns_payload(RefundPayload)
    async def review_refund(self, info: Info, input: ReviewRefundInput) -> RefundPayload:
        refund_id = from_global_id(input.refund_id, "Refund")
        refund = await refund_resolvers.review_refund(info.context, refund_id, input)
        return RefundPayload(refund=RefundType.from_model(refund), errors=[])
