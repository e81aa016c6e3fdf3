"""Field resolvers of the User type that reach into other capabilities."""

from __future__ import annotations

from app import audit, crypto
from app.identity import account_security, id_photos, totp
from models import Account, BankCard, Merchant, User
from models.identity import RealNameReview

from . import loaders
from .context import RequestContext


async def wallet(user: User) -> Account:
    """The user's wallet (the wallets-by-user loader); DoesNotExist without one."""
    return await loaders.must(loaders.current().wallets_by_user, user.id)


async def bank_cards(user: User) -> list[tuple[BankCard, str]]:
    """The user's cards with their decrypted holder names (masked by the type)."""
    cards = await BankCard.filter(user_id=user.id).order_by("id")
    return [(card, crypto.decrypt(card.holder_name_enc)) for card in cards]


async def merchant(user: User) -> Merchant | None:
    """The user's first merchant, if any (merchants-by-owner loader: one query for a list of users)."""
    return await loaders.current().merchants_by_owner.load(user.id)


def real_name(user: User) -> str | None:
    return crypto.decrypt(user.real_name_enc) if user.real_name_enc else None


def id_number(user: User) -> str | None:
    return crypto.decrypt(user.id_number_enc) if user.id_number_enc else None


async def totp_enabled(user: User) -> bool:
    return await totp.is_enabled(user.id)


async def security_question_count(user: User) -> int:
    return await account_security.security_question_count(user.id)


def review_real_name(review: RealNameReview) -> str:
    return crypto.decrypt(review.real_name_enc)


def review_id_number(review: RealNameReview) -> str:
    return crypto.decrypt(review.id_number_enc)


def review_photo_urls(review: RealNameReview) -> list[str]:
    return [
        f"/staff/real-name-reviews/{review.id}/photos/{kind}"
        for kind, path in id_photos.paths_of(review).items()
        if path is not None
    ]


async def review_subject(review: RealNameReview) -> User:
    """The user a real-name review is about (users loader: one query for a page of reviews)."""
    return await loaders.must(loaders.current().users, review.user_id)


async def reveal_for_review(ctx: RequestContext, review: RealNameReview, what: str) -> str:
    """The unmasked real name (``what="realName"``) or ID number (``"idNumber"``) of a review, for
    the staff member who must compare it with the photos; every reveal is audited
    (``real_name.reveal``, actor, subject user, review and field)."""
    viewer = await ctx.require_viewer()
    value = review_real_name(review) if what == "realName" else review_id_number(review)
    await audit.record(
        "real_name.reveal", actor_id=viewer.id, subject_user_id=review.user_id, ip=ctx.client_ip,
        details={"reviewId": review.id, "field": what},
    )
    return value
