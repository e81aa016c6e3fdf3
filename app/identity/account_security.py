"""Login password reset and change (2.3), phone change (3.2.3) and security questions (3.2.4)."""

from __future__ import annotations

import unicodedata

from tortoise.exceptions import IntegrityError

from models import User
from models.identity import SecurityQuestion

from .. import audit, db, notifier
from ..errors import DomainError, ErrorCode, input_field
from ..masking import mask_phone
from .codes import consume_code
from .login import claim_attempt, clear_failures, locked_error, record_failure
from .password_rules import check_login_password
from .passwords import hash_password, verify_password
from .recipients import require_phone
from .registration import check_confirmation
from .sessions import revoke_all

MAX_SECURITY_QUESTIONS = 3
MAX_QUESTION_LENGTH = 100
MAX_ANSWER_LENGTH = 100


async def confirm_password(user: User, password: str, field: str) -> None:
    """Re-authenticate a signed-in user. Wrong guesses count towards the login lockout."""
    fresh = await User.get(id=user.id)
    if not await claim_attempt(fresh):
        raise locked_error(field)
    if not verify_password(fresh.password_hash, password or ""):
        if await record_failure(fresh):
            raise locked_error(field)
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, "登录密码错误", input_field(field))
    await clear_failures(fresh)


async def change_password(user: User, old: str, new: str, confirmation: str, ip: str | None) -> None:
    check_login_password(new, input_field("newPassword"))
    check_confirmation(new, confirmation)
    await confirm_password(user, old, "oldPassword")
    if old == new:
        raise DomainError(ErrorCode.WEAK_PASSWORD, "新密码不能与原密码相同", input_field("newPassword"))
    await User.filter(id=user.id).update(password_hash=hash_password(new))
    revoked = await revoke_all(user.id)
    await audit.record("password.change", actor_id=user.id, ip=ip, details={"sessionsRevoked": revoked})


async def reset_password(phone: str, code: str, new: str, confirmation: str, ip: str | None) -> None:
    phone = require_phone(phone, input_field("phone"))
    check_login_password(new, input_field("newPassword"))
    check_confirmation(new, confirmation)
    await consume_code(phone, "RESET_PASSWORD", code, input_field("verificationCode"))
    # Only the phone's owner (who just proved it with the code) learns it has no account.
    user = await User.get_or_none(phone=phone)
    if user is None:
        raise DomainError(ErrorCode.NOT_FOUND, "该手机号尚未注册", input_field("phone"))
    # A reset proves who the caller is, so it also lifts a login lock.
    await User.filter(id=user.id).update(
        password_hash=hash_password(new), login_failures=0, login_window_started_at=None, login_locked_until=None
    )
    revoked = await revoke_all(user.id)
    await audit.record("password.reset", actor_id=user.id, ip=ip, details={"sessionsRevoked": revoked})


async def change_phone(user: User, new_phone: str, code: str, password: str, ip: str | None) -> User:
    new_phone = require_phone(new_phone, input_field("newPhone"))
    await confirm_password(user, password, "password")
    if new_phone == user.phone:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "新手机号与当前绑定的手机号相同", input_field("newPhone"))
    await consume_code(new_phone, "CHANGE_PHONE", code, input_field("verificationCode"))
    taken = DomainError(ErrorCode.PHONE_ALREADY_REGISTERED, "该手机号已被其他账户绑定", input_field("newPhone"))
    if await User.filter(phone=new_phone).exists():
        raise taken
    old_phone = user.phone
    try:
        await User.filter(id=user.id).update(phone=new_phone)
    except IntegrityError:
        raise taken from None
    await audit.record(
        "phone.change", actor_id=user.id, ip=ip,
        details={"from": mask_phone(old_phone), "to": mask_phone(new_phone)},
    )
    # Tell the old number, so an unwanted change does not go unnoticed.
    await notifier.send(
        old_phone, "PHONE_CHANGED",
        f"【fenpay】您的账户已改绑手机号 {mask_phone(new_phone)}。如非本人操作，请立即联系客服。",
    )
    return await User.get(id=user.id)


def normalise_answer(answer: str) -> str:
    """Answers match regardless of width, case and spacing ("Ａbc  北京" == "abc 北京")."""
    text = unicodedata.normalize("NFKC", answer or "").casefold()
    return " ".join(text.split())


async def set_security_questions(
    user: User, questions: list[tuple[str, str]], password: str, ip: str | None
) -> int:
    """Replace the user's questions (1 to 3). Answers are stored as argon2 hashes only.

    The questions are an extra check for support staff; no flow accepts them alone
    to recover an account.
    """
    field = input_field("questions")
    if not 1 <= len(questions) <= MAX_SECURITY_QUESTIONS:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请设置 1 至 3 个安全问题", field)
    cleaned: list[tuple[str, str]] = []
    for index, (question, answer) in enumerate(questions):
        text = " ".join((question or "").split())
        normalised = normalise_answer(answer)
        where = ("input", "questions", str(index))
        if not text or len(text) > MAX_QUESTION_LENGTH:
            raise DomainError(ErrorCode.VALIDATION_FAILED, f"问题须为 1-{MAX_QUESTION_LENGTH} 个字", (*where, "question"))
        if not normalised or len(normalised) > MAX_ANSWER_LENGTH:
            raise DomainError(ErrorCode.VALIDATION_FAILED, f"答案须为 1-{MAX_ANSWER_LENGTH} 个字", (*where, "answer"))
        if normalised == normalise_answer(text):
            raise DomainError(ErrorCode.VALIDATION_FAILED, "答案不能与问题相同", (*where, "answer"))
        cleaned.append((text, normalised))
    if len({normalise_answer(q) for q, _ in cleaned}) != len(cleaned):
        raise DomainError(ErrorCode.VALIDATION_FAILED, "安全问题不能重复", field)
    await confirm_password(user, password, "password")
    hashed = [(q, hash_password(a)) for q, a in cleaned]
    async with db.atomic() as conn:
        await SecurityQuestion.filter(user_id=user.id).using_db(conn).delete()
        for position, (question, answer_hash) in enumerate(hashed, start=1):
            await SecurityQuestion.create(
                user_id=user.id, position=position, question=question, answer_hash=answer_hash, using_db=conn
            )
    await audit.record("security_questions.set", actor_id=user.id, ip=ip, details={"count": len(hashed)})
    return len(hashed)


async def security_question_count(user_id: int) -> int:
    return await SecurityQuestion.filter(user_id=user_id).count()
