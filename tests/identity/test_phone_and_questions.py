"""Phone change (3.2.3) and security questions (3.2.4)."""

from __future__ import annotations

from argon2 import PasswordHasher

from models import AuditRecord, User
from models.identity import SecurityQuestion
from tests.factories import DEFAULT_PASSWORD, make_user, next_phone, token_for
from tests.harness.graphql import user_error_codes
from tests.identity.helpers import VIEWER, login, sandbox_texts, send_code

CHANGE_PHONE = """
mutation($input: ChangePhoneInput!) { changePhone(input: $input) {
  user { id phone } errors { code message field } } }"""
SET_QUESTIONS = """
mutation($input: SetSecurityQuestionsInput!) { setSecurityQuestions(input: $input) { ok errors { code message field } } }"""


async def _change(gql, user, new_phone: str, code: str, password: str = DEFAULT_PASSWORD) -> dict:
    data = {"newPhone": new_phone, "verificationCode": code, "password": password}
    return await gql.mutate(CHANGE_PHONE, {"input": data}, token=token_for(user))


async def test_change_phone_with_password_and_code_to_the_new_phone(gql, http):
    user = await make_user()
    old_phone, new_phone = user.phone, next_phone()
    code = await send_code(gql, new_phone, "CHANGE_PHONE")
    payload = await _change(gql, user, new_phone, code)
    assert payload["errors"] == []
    assert payload["user"]["phone"] == f"{new_phone[:3]}****{new_phone[-4:]}"
    assert (await User.get(id=user.id)).phone == new_phone
    assert (await login(gql, new_phone))["errors"] == []
    assert user_error_codes(await login(gql, old_phone)) == ["INVALID_CREDENTIALS"]
    record = await AuditRecord.get(action="phone.change")
    assert record.actor_id == user.id and old_phone not in str(record.details) and new_phone not in str(record.details)
    # The old number hears about it.
    assert (await sandbox_texts(http, old_phone))[0]["purpose"] == "PHONE_CHANGED"


async def test_change_phone_refusals(gql):
    user = await make_user()
    taken = await make_user()
    new_phone = next_phone()
    code = await send_code(gql, new_phone, "CHANGE_PHONE")
    wrong_password = await _change(gql, user, new_phone, code, "Wrong!pass99")
    assert user_error_codes(wrong_password) == ["INVALID_CREDENTIALS"]
    assert wrong_password["errors"][0]["field"] == ["input", "password"]
    assert user_error_codes(await _change(gql, user, "12345", code)) == ["VALIDATION_FAILED"]
    assert user_error_codes(await _change(gql, user, user.phone, code)) == ["VALIDATION_FAILED"]
    # A code sent to the current phone does not prove the new one.
    own_code = await send_code(gql, user.phone, "CHANGE_PHONE")
    assert user_error_codes(await _change(gql, user, new_phone, own_code)) == ["INVALID_VERIFICATION_CODE"]
    taken_code = await send_code(gql, taken.phone, "CHANGE_PHONE")
    assert user_error_codes(await _change(gql, user, taken.phone, taken_code)) == ["PHONE_ALREADY_REGISTERED"]
    assert (await User.get(id=user.id)).phone == user.phone
    assert (await _change(gql, user, new_phone, code))["errors"] == []


async def _questions(gql, user, questions, password: str = DEFAULT_PASSWORD) -> dict:
    return await gql.mutate(SET_QUESTIONS, {"input": {"questions": questions, "password": password}},
                            token=token_for(user))


async def test_set_security_questions_stores_normalised_hashed_answers(gql):
    user = await make_user()
    questions = [{"question": "您母亲的姓名？", "answer": "  王 　芳 "}, {"question": "您的小学名称？", "answer": "Hope School"}]
    assert await _questions(gql, user, questions) == {"ok": True, "errors": []}
    assert (await gql.ok(VIEWER, token=token_for(user)))["viewer"]["securityQuestionCount"] == 2
    rows = await SecurityQuestion.filter(user_id=user.id).order_by("position")
    assert [r.question for r in rows] == ["您母亲的姓名？", "您的小学名称？"]
    hasher = PasswordHasher()
    assert rows[0].answer_hash.startswith("$argon2id$") and "王" not in rows[0].answer_hash
    assert hasher.verify(rows[0].answer_hash, "王 芳")
    assert hasher.verify(rows[1].answer_hash, "hope school")
    # Setting again replaces the set.
    assert (await _questions(gql, user, [{"question": "您的出生城市？", "answer": "杭州"}]))["ok"] is True
    assert await SecurityQuestion.filter(user_id=user.id).count() == 1
    assert await AuditRecord.filter(action="security_questions.set", actor_id=user.id).count() == 2


async def test_security_question_refusals(gql):
    user = await make_user()
    one = {"question": "您的出生城市？", "answer": "杭州"}
    assert user_error_codes(await _questions(gql, user, [])) == ["VALIDATION_FAILED"]
    four = [{"question": f"问题 {i}？", "answer": f"答案 {i}"} for i in range(4)]
    assert user_error_codes(await _questions(gql, user, four)) == ["VALIDATION_FAILED"]
    blank = await _questions(gql, user, [{"question": "您的出生城市？", "answer": "   "}])
    assert user_error_codes(blank) == ["VALIDATION_FAILED"]
    assert blank["errors"][0]["field"] == ["input", "questions", "0", "answer"]
    assert user_error_codes(await _questions(gql, user, [one, dict(one)])) == ["VALIDATION_FAILED"]
    assert user_error_codes(await _questions(gql, user, [one], "Wrong!pass99")) == ["INVALID_CREDENTIALS"]
    assert await SecurityQuestion.filter(user_id=user.id).count() == 0


async def test_security_questions_alone_cannot_recover_an_account():
    """Security answers are accepted in one place only: setting them, signed in and with the password."""
    from graphql import GraphQLInputObjectType, get_named_type

    from schema.root import schema

    type_map = schema._schema.type_map
    takes_answers = {
        name for name, t in type_map.items()
        if isinstance(t, GraphQLInputObjectType) and "answer" in t.fields
    }
    assert takes_answers == {"SecurityQuestionInput"}
    users = {
        name for name, t in type_map.items()
        if isinstance(t, GraphQLInputObjectType)
        and any(get_named_type(f.type).name == "SecurityQuestionInput" for f in t.fields.values())
    }
    assert users == {"SetSecurityQuestionsInput"}
    assert "password" in type_map["SetSecurityQuestionsInput"].fields
