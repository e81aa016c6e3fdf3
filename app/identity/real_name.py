"""Real-name verification (8.1.2): the user submits name, resident ID number and optional
photos; staff approve or reject. Name and number are encrypted at rest; a keyed blind
index keeps one ID number to one verified account."""

from __future__ import annotations

import re
from datetime import date

from stdnum.cn import ric
from stdnum.exceptions import ValidationError
from tortoise.exceptions import IntegrityError

from models import User
from models.identity import RealNameReview

from .. import audit, clock, crypto, db, notifier
from ..errors import DomainError, ErrorCode, input_field
from . import id_photos

ID_INDEX_PURPOSE = "id_number"
PHOTO_FIELDS = {"id_card_front": "idCardFront", "id_card_back": "idCardBack", "selfie": "selfieWithIdCard"}
_NAME = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff·•A-Za-z]+(?: [A-Za-z]+)*$")
QUEUE_LIMIT = 200


def normalise_id_number(raw: str) -> str:
    return (raw or "").strip().replace(" ", "").upper()


def check_id_number(raw: str) -> tuple[str, date]:
    """(normalised number, birth date) of a valid GB 11643 resident ID number."""
    field = input_field("idNumber")
    number = normalise_id_number(raw)
    try:
        ric.validate(number)
        birth = ric.get_birth_date(number)
    except ValidationError:
        raise DomainError(ErrorCode.INVALID_ID_NUMBER, "身份证号码无效，请核对后重新输入", field) from None
    if birth > clock.now().date() or birth.year < 1900:
        raise DomainError(ErrorCode.INVALID_ID_NUMBER, "身份证号码中的出生日期无效", field)
    return number, birth


def check_real_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not 2 <= len(name) <= 50 or not _NAME.match(name):
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请输入身份证上的真实姓名", input_field("realName"))
    return name


def _already_verified_elsewhere() -> DomainError:
    return DomainError(
        ErrorCode.INVALID_ID_NUMBER, "该身份证号已在其他账户完成实名认证", input_field("idNumber")
    )


async def submit(user: User, real_name: str, id_number: str, photos: dict[str, bytes | None], ip: str | None) -> User:
    fresh = await User.get(id=user.id)
    if fresh.real_name_status == "VERIFIED":
        raise DomainError(ErrorCode.INVALID_STATE, "您已完成实名认证")
    if fresh.real_name_status == "PENDING":
        raise DomainError(ErrorCode.INVALID_STATE, "您的实名认证正在审核中，请耐心等待")
    name = check_real_name(real_name)
    number, birth = check_id_number(id_number)
    index = crypto.blind_index(number, ID_INDEX_PURPOSE)
    if await User.filter(id_number_index=index).exclude(id=fresh.id).exists():
        raise _already_verified_elsewhere()
    kinds = {
        key: id_photos.check_image(data, input_field(PHOTO_FIELDS[key]))
        for key, data in photos.items()
        if data is not None
    }
    stored = {key: id_photos.store(photos[key], kind) for key, kind in kinds.items()}  # type: ignore[arg-type]
    try:
        async with db.atomic() as conn:
            review = await RealNameReview.create(
                user_id=fresh.id,
                real_name_enc=crypto.encrypt(name),
                id_number_enc=crypto.encrypt(number),
                id_number_index=index,
                birth_date=birth,
                id_card_front_path=stored.get("id_card_front"),
                id_card_back_path=stored.get("id_card_back"),
                selfie_path=stored.get("selfie"),
                using_db=conn,
            )
            # The user sees the (masked) submitted identity while it waits; the blind
            # index and the birth date only become the user's on approval.
            await User.filter(id=fresh.id).using_db(conn).update(
                real_name_status="PENDING", real_name_enc=review.real_name_enc, id_number_enc=review.id_number_enc
            )
    except BaseException:
        id_photos.remove(list(stored.values()))
        raise
    await audit.record(
        "real_name.submit", actor_id=fresh.id, ip=ip, details={"reviewId": review.id, "photos": sorted(stored)}
    )
    return await User.get(id=fresh.id)


async def review(staff: User, review_id: int | None, approve: bool, note: str | None, ip: str | None) -> User:
    field = input_field("reviewId")
    row = await RealNameReview.get_or_none(id=review_id) if review_id else None
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, "实名认证申请不存在", field)
    if row.user_id == staff.id:
        raise DomainError(ErrorCode.INVALID_STATE, "不能审核自己的实名认证申请", field)
    if row.status != "PENDING":
        raise DomainError(ErrorCode.INVALID_STATE, "该申请已审核", field)
    note = (note or "").strip() or None
    if note is not None and len(note) > 500:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "备注不能超过 500 字", input_field("note"))
    if not approve and note is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "驳回时请填写原因，用户将收到该说明", input_field("note"))
    now = clock.now()
    decided = DomainError(ErrorCode.INVALID_STATE, "该申请已审核", field)
    if approve and await User.filter(id_number_index=row.id_number_index).exclude(id=row.user_id).exists():
        raise _already_verified_elsewhere()
    try:
        async with db.atomic() as conn:
            changed = await RealNameReview.filter(id=row.id, status="PENDING").using_db(conn).update(
                status="VERIFIED" if approve else "REJECTED", note=note, reviewer_id=staff.id, reviewed_at=now
            )
            if changed != 1:
                raise decided
            if approve:
                await User.filter(id=row.user_id).using_db(conn).update(
                    real_name_status="VERIFIED",
                    real_name_enc=row.real_name_enc,
                    id_number_enc=row.id_number_enc,
                    id_number_index=row.id_number_index,
                    birth_date=row.birth_date,
                )
            else:
                await User.filter(id=row.user_id, real_name_status="PENDING").using_db(conn).update(
                    real_name_status="REJECTED"
                )
    except IntegrityError:
        raise _already_verified_elsewhere() from None
    user = await User.get(id=row.user_id)
    await audit.record(
        "real_name.review", actor_id=staff.id, subject_user_id=user.id, ip=ip,
        details={"reviewId": row.id, "approved": approve, "note": note},
    )
    text = (
        "【fenpay】您的实名认证已通过审核。"
        if approve
        else f"【fenpay】您的实名认证未通过审核：{note}。请修改后重新提交。"
    )
    await notifier.send(user.phone, "REAL_NAME_REVIEW", text)
    return user


async def pending_reviews() -> list[RealNameReview]:
    """Oldest first, so the queue is worked in order of arrival."""
    return list(await RealNameReview.filter(status="PENDING").order_by("id").limit(QUEUE_LIMIT))


async def review_for_staff(review_id: int) -> RealNameReview | None:
    return await RealNameReview.get_or_none(id=review_id)
