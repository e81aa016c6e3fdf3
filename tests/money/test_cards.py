"""Binding and removing bank cards through the API."""

from __future__ import annotations

from app.identity.codes import send_code
from models import AuditRecord, BankCard, SandboxMessage
from tests.factories import DEFAULT_PIN, card_number, fund, latest_code, make_user, next_phone, token_for
from tests.harness.graphql import user_error_codes
from tests.money.support import ADD_CARD, REMOVE_CARD, bind_card, card_input, withdraw


async def test_binding_a_card_shows_bank_and_masked_number_only(gql):
    user = await make_user()
    number = card_number("622202")
    variables = {"input": await card_input(user, number)}
    payload = await gql.mutate(ADD_CARD, variables, token=token_for(user))
    assert payload["errors"] == []
    card = payload["bankCard"]
    assert card["bankName"] == "中国工商银行"
    assert card["maskedNumber"] == number[:6] + "******" + number[-4:]
    assert card["last4"] == number[-4:]
    assert card["holderName"] == "张*"
    assert card["isDefault"] is True
    stored = await BankCard.get(user_id=user.id)
    assert number not in stored.number_enc and stored.masked_number == card["maskedNumber"]
    data = await gql.ok("{ viewer { bankCards { id last4 } } }", token=token_for(user))
    assert data["viewer"]["bankCards"] == [{"id": card["id"], "last4": number[-4:]}]
    assert await AuditRecord.filter(action="BANK_CARD_ADDED", actor_id=user.id).count() == 1


async def test_bank_name_comes_from_the_bin_with_a_generic_fallback(gql):
    user = await make_user()
    merchants_bank = await gql.mutate(
        ADD_CARD, {"input": await card_input(user, card_number("622588"))}, token=token_for(user)
    )
    unknown = await gql.mutate(
        ADD_CARD, {"input": await card_input(user, card_number("777777"))}, token=token_for(user)
    )
    assert merchants_bank["bankCard"]["bankName"] == "招商银行"
    assert unknown["bankCard"]["bankName"] == "银行卡"
    assert unknown["bankCard"]["isDefault"] is False  # the first card stays the default


async def test_unverified_user_cannot_bind(gql):
    user = await make_user(verified=False)
    variables = {"input": {
        "cardNumber": card_number(), "holderName": "张三", "idNumber": "110105194912310021",
        "phone": next_phone(), "verificationCode": "123456",
    }}
    payload = await gql.mutate(ADD_CARD, variables, token=token_for(user))
    assert user_error_codes(payload) == ["REAL_NAME_REQUIRED"]
    assert await BankCard.all().count() == 0


async def test_number_failing_luhn_is_refused(gql):
    user = await make_user()
    number = card_number()
    broken = number[:-1] + str((int(number[-1]) + 1) % 10)
    payload = await gql.mutate(ADD_CARD, {"input": await card_input(user, broken)}, token=token_for(user))
    assert user_error_codes(payload) == ["INVALID_CARD_NUMBER"]
    assert payload["errors"][0]["field"] == ["input", "cardNumber"]


async def test_holder_and_id_number_must_match_the_verified_identity(gql):
    user = await make_user(real_name="张三")
    wrong_name = await card_input(user, card_number())
    wrong_name["holderName"] = "李四"
    payload = await gql.mutate(ADD_CARD, {"input": wrong_name}, token=token_for(user))
    assert user_error_codes(payload) == ["VALIDATION_FAILED"]
    assert payload["errors"][0]["field"] == ["input", "holderName"]
    wrong_id = await card_input(user, card_number())
    wrong_id["idNumber"] = "110105194912310999"
    payload = await gql.mutate(ADD_CARD, {"input": wrong_id}, token=token_for(user))
    assert payload["errors"][0]["field"] == ["input", "idNumber"]
    assert await BankCard.all().count() == 0


async def test_code_goes_to_the_reserved_phone_and_must_be_right(gql):
    user = await make_user()
    reserved = next_phone()
    await send_code(reserved, "BIND_BANK_CARD")
    assert await SandboxMessage.filter(recipient=reserved, purpose="BIND_BANK_CARD").count() == 1
    code = await latest_code(reserved, "BIND_BANK_CARD")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    bad = await gql.mutate(
        ADD_CARD, {"input": await card_input(user, card_number(), phone=reserved, code=wrong)}, token=token_for(user)
    )
    assert user_error_codes(bad) == ["INVALID_VERIFICATION_CODE"]
    good = await gql.mutate(
        ADD_CARD, {"input": await card_input(user, card_number(), phone=reserved, code=code)}, token=token_for(user)
    )
    assert good["errors"] == []


async def test_a_card_binds_once_across_all_users(gql):
    first, second = await make_user(), await make_user()
    number = card_number()
    await bind_card(gql, first, number)
    spaced = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    again = await gql.mutate(ADD_CARD, {"input": await card_input(second, spaced)}, token=token_for(second))
    assert user_error_codes(again) == ["VALIDATION_FAILED"]
    assert await BankCard.filter(user_id=second.id).count() == 0


async def test_cvv_is_never_accepted(gql):
    user = await make_user()
    variables = {"input": {**await card_input(user, card_number()), "cvv": "123"}}
    result = await gql(ADD_CARD, variables, token=token_for(user))
    assert result.errors and not result.data
    assert await BankCard.all().count() == 0


async def test_anonymous_cannot_bind(gql):
    result = await gql(ADD_CARD, {"input": {
        "cardNumber": card_number(), "holderName": "张三", "idNumber": "1", "phone": "13800000000",
        "verificationCode": "000000",
    }})
    assert result.error_codes() == ["UNAUTHENTICATED"]


async def test_removal_needs_the_payment_password(gql):
    user = await make_user()
    first = await bind_card(gql, user)
    second = await bind_card(gql, user)
    wrong = await gql.mutate(
        REMOVE_CARD, {"input": {"bankCardId": first, "paymentPassword": "000000"}}, token=token_for(user)
    )
    assert user_error_codes(wrong) == ["INVALID_PAYMENT_PASSWORD"] and wrong["ok"] is False
    assert await BankCard.filter(user_id=user.id).count() == 2
    right = await gql.mutate(
        REMOVE_CARD, {"input": {"bankCardId": first, "paymentPassword": DEFAULT_PIN}}, token=token_for(user)
    )
    assert right == {"ok": True, "errors": []}
    data = await gql.ok("{ viewer { bankCards { id isDefault } } }", token=token_for(user))
    assert data["viewer"]["bankCards"] == [{"id": second, "isDefault": True}]


async def test_someone_elses_card_cannot_be_removed_or_seen(gql):
    owner, stranger = await make_user(), await make_user()
    card = await bind_card(gql, owner)
    payload = await gql.mutate(
        REMOVE_CARD, {"input": {"bankCardId": card, "paymentPassword": DEFAULT_PIN}}, token=token_for(stranger)
    )
    assert user_error_codes(payload) == ["NOT_FOUND"]
    query = "query($id: ID!) { node(id: $id) { ... on BankCard { last4 } } }"
    assert (await gql.ok(query, {"id": card}, token=token_for(stranger)))["node"] is None
    assert (await gql.ok(query, {"id": card}))["node"] is None
    assert (await gql.ok(query, {"id": card}, token=token_for(owner)))["node"] is not None


async def test_card_with_a_pending_withdrawal_stays_bound(gql):
    user = await make_user()
    card = await bind_card(gql, user)
    await fund(user, 10_000)
    assert (await withdraw(gql, user, "60", card=card))["errors"] == []
    payload = await gql.mutate(
        REMOVE_CARD, {"input": {"bankCardId": card, "paymentPassword": DEFAULT_PIN}}, token=token_for(user)
    )
    assert user_error_codes(payload) == ["INVALID_STATE"]
    assert await BankCard.filter(user_id=user.id).count() == 1
