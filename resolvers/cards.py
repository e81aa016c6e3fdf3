"""Bank card mutations and the BankCard node."""

from __future__ import annotations

from app import crypto
from app.cards import service
from models import BankCard

from .context import RequestContext


async def add_bank_card(
    ctx: RequestContext, *, card_number: str, holder_name: str, id_number: str, phone: str, verification_code: str
) -> tuple[BankCard, str]:
    user = await ctx.require_viewer()
    card = await service.add_bank_card(
        user,
        card_number=card_number,
        holder_name=holder_name,
        id_number=id_number,
        phone=phone,
        verification_code=verification_code,
        ip=ctx.client_ip,
    )
    return card, crypto.decrypt(card.holder_name_enc)


async def remove_bank_card(ctx: RequestContext, card_id: int | None, payment_password: str) -> None:
    user = await ctx.require_viewer()
    await service.remove_bank_card(user, card_id, payment_password, ip=ctx.client_ip)


async def card_node(ctx: RequestContext, card_id: int) -> tuple[BankCard, str] | None:
    """The card for its owner only."""
    viewer_id = ctx.viewer_id
    if viewer_id is None:
        return None
    card = await BankCard.get_or_none(id=card_id, user_id=viewer_id)
    return (card, crypto.decrypt(card.holder_name_enc)) if card else None
