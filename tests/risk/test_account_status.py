"""setAccountStatus: RISK_OFFICER and ADMIN freeze, mark abnormal and unfreeze with a reason.
Frozen users sign in and read but move no money out; money still comes in."""

from __future__ import annotations

import pytest

from app.errors import DomainError, ErrorCode
from app.notifier import sandbox_messages
from models import AuditRecord, User
from models.risk import RiskDecision
from schema.node import to_global_id
from tests.factories import fund, make_staff, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.risk.helpers import SET_STATUS, withdraw_to_bank

# Tests here may run first: the database must be up before the per-test clean-up.
pytestmark = pytest.mark.usefixtures("platform")

VIEWER = "{ viewer { status account { available } } }"


def _input(user: User, status: str, reason: str = "疑似盗用，冻结核查") -> dict:
    return {"input": {"userId": to_global_id("User", user.id), "status": status, "reason": reason}}


async def test_freeze_blocks_money_out_but_not_in_or_reading(gql):
    user = await make_user()
    await fund(user, 20_000)
    officer = await make_staff("RISK_OFFICER")

    frozen = await gql.mutate(SET_STATUS, _input(user, "FROZEN"), token=token_for(officer))
    assert frozen["errors"] == []
    assert frozen["user"] == {"id": to_global_id("User", user.id), "status": "FROZEN"}
    stored = await User.get(id=user.id)
    assert stored.status == "FROZEN" and stored.status_reason == "疑似盗用，冻结核查"

    with pytest.raises(DomainError) as refused:
        await withdraw_to_bank(stored, 5_000)
    assert refused.value.code is ErrorCode.ACCOUNT_FROZEN
    assert await wallet_balance(user) == (20_000, 0)
    decision = await RiskDecision.filter(user_id=user.id).order_by("-id").first()
    assert (decision.outcome, decision.rule) == ("REJECT", "ACCOUNT_STATUS")

    await fund(user, 1_000)  # money may still come in
    assert await wallet_balance(user) == (21_000, 0)

    # Signing in and reading still work for the frozen user.
    data = await gql.ok(VIEWER, token=token_for(stored))
    assert data["viewer"] == {"status": "FROZEN", "account": {"available": "210.00"}}

    unfrozen = await gql.mutate(SET_STATUS, _input(user, "NORMAL", "核查完毕，解除冻结"), token=token_for(officer))
    assert unfrozen["user"]["status"] == "NORMAL"
    await withdraw_to_bank(await User.get(id=user.id), 5_000)
    assert await wallet_balance(user) == (16_000, 0)


async def test_abnormal_also_blocks_money_out(gql):
    user = await make_user()
    await fund(user, 10_000)
    payload = await gql.mutate(SET_STATUS, _input(user, "ABNORMAL", "异常登录地点"), token=token_for(await make_staff("ADMIN")))
    assert payload["user"]["status"] == "ABNORMAL"
    with pytest.raises(DomainError) as refused:
        await withdraw_to_bank(await User.get(id=user.id), 1_000)
    assert refused.value.code is ErrorCode.ACCOUNT_FROZEN
    assert await wallet_balance(user) == (10_000, 0)


async def test_status_change_is_audited_and_the_user_is_told(gql):
    user = await make_user()
    officer = await make_staff("RISK_OFFICER")
    await gql.mutate(SET_STATUS, _input(user, "FROZEN"), token=token_for(officer))
    await gql.mutate(SET_STATUS, _input(user, "NORMAL", "误报"), token=token_for(officer))

    records = await AuditRecord.filter(action="ACCOUNT_STATUS_SET").order_by("id")
    assert [(r.actor_id, r.subject_user_id, r.ip) for r in records] == [(officer.id, user.id, "127.0.0.7")] * 2
    assert [r.details for r in records] == [
        {"from": "NORMAL", "to": "FROZEN", "reason": "疑似盗用，冻结核查"},
        {"from": "FROZEN", "to": "NORMAL", "reason": "误报"},
    ]
    messages = await sandbox_messages(user.phone)
    assert [m["purpose"] for m in messages] == ["ACCOUNT_STATUS", "ACCOUNT_STATUS"]
    newest, oldest = messages
    assert "已被冻结" in oldest["text"] and "95188" in oldest["text"]
    assert "已恢复正常" in newest["text"]


async def test_only_risk_officers_and_admins_set_status(gql):
    user = await make_user()
    assert (await gql(SET_STATUS, _input(user, "FROZEN"))).error_codes() == ["UNAUTHENTICATED"]
    for who in (await make_user(), await make_staff("SUPPORT")):
        result = await gql(SET_STATUS, _input(user, "FROZEN"), token=token_for(who))
        assert result.error_codes() == ["FORBIDDEN"]
    assert (await User.get(id=user.id)).status == "NORMAL"
    assert not await AuditRecord.exists()
    assert await sandbox_messages(user.phone) == []


@pytest.mark.parametrize(
    ("reason", "status", "code", "field"),
    [
        ("", "FROZEN", "VALIDATION_FAILED", "reason"),
        ("   ", "FROZEN", "VALIDATION_FAILED", "reason"),
        ("原" * 201, "FROZEN", "VALIDATION_FAILED", "reason"),
        ("已是正常", "NORMAL", "INVALID_STATE", "status"),
    ],
)
async def test_bad_requests_change_nothing(gql, reason, status, code, field):
    user = await make_user()
    payload = await gql.mutate(SET_STATUS, _input(user, status, reason), token=token_for(await make_staff("ADMIN")))
    assert user_error_codes(payload) == [code]
    assert payload["errors"][0]["field"] == ["input", field]
    assert payload["user"] is None
    assert (await User.get(id=user.id)).status == "NORMAL"
    assert not await AuditRecord.exists()


async def test_unknown_user_and_own_account(gql):
    officer = await make_staff("RISK_OFFICER")
    token = token_for(officer)
    missing = await gql.mutate(
        SET_STATUS, {"input": {"userId": to_global_id("User", 99999), "status": "FROZEN", "reason": "核查"}}, token=token
    )
    assert user_error_codes(missing) == ["NOT_FOUND"]
    own = await gql.mutate(SET_STATUS, _input(officer, "FROZEN"), token=token)
    assert user_error_codes(own) == ["VALIDATION_FAILED"]
    assert (await User.get(id=officer.id)).status == "NORMAL"
