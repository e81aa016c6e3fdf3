"""Risk alerts: staff-only listing with a status filter and Relay pagination, node access,
acknowledging and closing, and the reconciliation-break alert (job, command, mutation)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.errors import DomainError
from app.identity.payment_password import verify_payment_password
from app.jobs.registry import run_once
from app.ledger.accounts import MERCHANT, open_account
from app.risk.alerts import raise_alert
from models import AuditRecord, Merchant
from models.risk import RiskAlert
from schema.node import to_global_id
from tests.factories import fund, make_staff, make_user, token_for
from tests.harness.graphql import user_error_codes
from tests.risk.helpers import ACKNOWLEDGE, ALERTS, RECONCILE, break_ledger

# Tests here may run first: the database must be up before the per-test clean-up.
pytestmark = pytest.mark.usefixtures("platform")


async def _alerts(gql, token, **variables):  # noqa: ANN001, ANN003, ANN202
    return (await gql.ok(ALERTS, variables, token=token))["riskAlerts"]


async def test_only_staff_list_alerts(gql):
    await raise_alert("VELOCITY", "HIGH", "频繁付款", user_id=(await make_user()).id)
    anonymous = await gql(ALERTS)
    assert anonymous.error_codes() == ["UNAUTHENTICATED"]
    user = await gql(ALERTS, token=token_for(await make_user()))
    assert user.error_codes() == ["FORBIDDEN"]
    assert user.data is None or user.data.get("riskAlerts") is None
    for role in ("SUPPORT", "RISK_OFFICER", "ADMIN"):
        listed = await _alerts(gql, token_for(await make_staff(role)))
        assert listed["totalCount"] == 1, role
        assert listed["edges"][0]["node"]["type"] == "VELOCITY"


async def test_alert_fields_show_user_transaction_and_readable_scope(gql):
    user = await make_user()
    top_up = await fund(user, 10_000)
    await raise_alert("LARGE_AMOUNT", "MEDIUM", "大额交易", user_id=user.id, transaction_id=top_up.id)
    owner = await make_user()
    account = await open_account(MERCHANT, "测试商户", user_id=None)
    merchant = await Merchant.create(merchant_no="M000123", name="好味餐厅", category="餐饮", owner=owner, account=account)
    await raise_alert("MERCHANT_NEGATIVE_BALANCE", "HIGH", "商户余额为负", merchant_id=merchant.id)
    await raise_alert("RECONCILIATION_BREAK", "CRITICAL", "对账不平")
    listed = await _alerts(gql, token_for(await make_staff("SUPPORT")))
    nodes = [e["node"] for e in listed["edges"]]
    assert [n["type"] for n in nodes] == ["RECONCILIATION_BREAK", "MERCHANT_NEGATIVE_BALANCE", "LARGE_AMOUNT"]
    platform, shop, person = nodes
    assert platform["scope"] == "平台" and platform["level"] == "CRITICAL" and platform["user"] is None
    assert shop["scope"] == "商户 好味餐厅（M000123）"
    assert person["scope"] == f"用户 {user.phone[:3]}****{user.phone[-4:]}"
    assert person["user"]["id"] == to_global_id("User", user.id)
    assert person["transaction"]["transactionNo"] == top_up.transaction_no
    assert person["status"] == "OPEN" and person["level"] == "MEDIUM"


async def test_status_filter_and_pagination_newest_first(gql):
    token = token_for(await make_staff("RISK_OFFICER"))
    ids = []
    for n in range(5):
        alert = await raise_alert("VELOCITY", "HIGH", f"第 {n} 条")
        ids.append(alert.id)
    await RiskAlert.filter(id=ids[1]).update(status="CLOSED")
    await RiskAlert.filter(id=ids[3]).update(status="ACKNOWLEDGED")

    first = await _alerts(gql, token, first=2)
    assert first["totalCount"] == 5
    assert [e["node"]["message"] for e in first["edges"]] == ["第 4 条", "第 3 条"]
    assert first["pageInfo"]["hasNextPage"] is True
    second = await _alerts(gql, token, first=2, after=first["pageInfo"]["endCursor"])
    assert [e["node"]["message"] for e in second["edges"]] == ["第 2 条", "第 1 条"]
    third = await _alerts(gql, token, first=2, after=second["pageInfo"]["endCursor"])
    assert [e["node"]["message"] for e in third["edges"]] == ["第 0 条"]
    assert third["pageInfo"]["hasNextPage"] is False

    open_only = await _alerts(gql, token, status="OPEN")
    assert [e["node"]["message"] for e in open_only["edges"]] == ["第 4 条", "第 2 条", "第 0 条"]
    assert open_only["totalCount"] == 3
    closed = await _alerts(gql, token, status="CLOSED")
    assert [e["node"]["message"] for e in closed["edges"]] == ["第 1 条"]
    acknowledged = await _alerts(gql, token, status="ACKNOWLEDGED")
    assert [e["node"]["status"] for e in acknowledged["edges"]] == ["ACKNOWLEDGED"]


async def test_node_resolves_alerts_for_staff_only(gql):
    alert = await raise_alert("VELOCITY", "HIGH", "频繁付款")
    query = "query($id: ID!) { node(id: $id) { ... on RiskAlert { type level } } }"
    variables = {"id": to_global_id("RiskAlert", alert.id)}
    assert (await gql.ok(query, variables))["node"] is None
    assert (await gql.ok(query, variables, token=token_for(await make_user())))["node"] is None
    staff = await gql.ok(query, variables, token=token_for(await make_staff("SUPPORT")))
    assert staff["node"] == {"type": "VELOCITY", "level": "HIGH"}


async def test_a_real_trigger_appears_in_the_list(gql):
    """Five wrong payment passwords raise PAYMENT_PASSWORD_ATTEMPTS, which staff then see."""
    user = await make_user()
    for _ in range(5):
        with pytest.raises(DomainError):
            await verify_payment_password(user, "000000")
    listed = await _alerts(gql, token_for(await make_staff("RISK_OFFICER")))
    (edge,) = listed["edges"]
    assert edge["node"]["type"] == "PAYMENT_PASSWORD_ATTEMPTS"
    assert edge["node"]["user"]["id"] == to_global_id("User", user.id)


async def test_dedupe_key_makes_one_alert():
    first = await raise_alert("REFUND_OVERDUE", "MEDIUM", "退款超期", dedupe_key="refund-overdue:7")
    again = await raise_alert("REFUND_OVERDUE", "MEDIUM", "退款超期", dedupe_key="refund-overdue:7")
    assert first is not None and again is None
    assert await RiskAlert.filter(type="REFUND_OVERDUE").count() == 1


# ---- acknowledging and closing


async def test_acknowledge_then_close_with_note_and_audit(gql):
    user = await make_user()
    alert = await raise_alert("VELOCITY", "HIGH", "频繁付款", user_id=user.id)
    officer = await make_staff("RISK_OFFICER")
    token = token_for(officer)
    alert_id = to_global_id("RiskAlert", alert.id)

    acked = await gql.mutate(ACKNOWLEDGE, {"input": {"alertId": alert_id, "note": "已联系用户"}}, token=token)
    assert acked["errors"] == []
    assert acked["alert"] == {"id": alert_id, "status": "ACKNOWLEDGED", "note": "已联系用户"}

    again = await gql.mutate(ACKNOWLEDGE, {"input": {"alertId": alert_id}}, token=token)
    assert user_error_codes(again) == ["INVALID_STATE"]

    no_note = await gql.mutate(ACKNOWLEDGE, {"input": {"alertId": alert_id, "close": True}}, token=token)
    assert user_error_codes(no_note) == ["VALIDATION_FAILED"]
    assert no_note["errors"][0]["field"] == ["input", "note"]

    closed = await gql.mutate(
        ACKNOWLEDGE, {"input": {"alertId": alert_id, "close": True, "note": "确认为本人操作"}}, token=token
    )
    assert closed["alert"]["status"] == "CLOSED"
    stored = await RiskAlert.get(id=alert.id)
    assert stored.status == "CLOSED" and stored.handled_by == officer.id and stored.note == "确认为本人操作"

    for attempt in ({"alertId": alert_id}, {"alertId": alert_id, "close": True, "note": "再关一次"}):
        refused = await gql.mutate(ACKNOWLEDGE, {"input": attempt}, token=token)
        assert user_error_codes(refused) == ["INVALID_STATE"]
        assert refused["alert"] is None
    assert (await RiskAlert.get(id=alert.id)).note == "确认为本人操作"

    records = await AuditRecord.filter(actor_id=officer.id).order_by("id")
    assert [r.action for r in records] == ["RISK_ALERT_ACKNOWLEDGED", "RISK_ALERT_CLOSED"]
    assert all(r.subject_user_id == user.id and r.ip == "127.0.0.7" for r in records)
    assert records[1].details["note"] == "确认为本人操作"
    assert records[1].details["alertId"] == alert.id


async def test_open_alert_may_be_closed_directly_by_admin(gql):
    alert = await raise_alert("RECONCILIATION_BREAK", "CRITICAL", "对账不平")
    payload = await gql.mutate(
        ACKNOWLEDGE,
        {"input": {"alertId": to_global_id("RiskAlert", alert.id), "close": True, "note": "已修复"}},
        token=token_for(await make_staff("ADMIN")),
    )
    assert payload["alert"]["status"] == "CLOSED"


async def test_only_risk_officers_and_admins_handle_alerts(gql):
    alert = await raise_alert("VELOCITY", "HIGH", "频繁付款")
    variables = {"input": {"alertId": to_global_id("RiskAlert", alert.id)}}
    assert (await gql(ACKNOWLEDGE, variables)).error_codes() == ["UNAUTHENTICATED"]
    for role in ("USER", "SUPPORT"):
        who = await make_user() if role == "USER" else await make_staff(role)
        assert (await gql(ACKNOWLEDGE, variables, token=token_for(who))).error_codes() == ["FORBIDDEN"]
    assert (await RiskAlert.get(id=alert.id)).status == "OPEN"
    assert await AuditRecord.all().count() == 0


async def test_unknown_alert_is_not_found(gql):
    token = token_for(await make_staff("RISK_OFFICER"))
    for alert_id in (to_global_id("RiskAlert", 999), to_global_id("User", 1), "garbage"):
        payload = await gql.mutate(ACKNOWLEDGE, {"input": {"alertId": alert_id}}, token=token)
        assert user_error_codes(payload) == ["NOT_FOUND"]
        assert payload["errors"][0]["field"] == ["input", "alertId"]


# ---- reconciliation breaks


async def test_clean_reconciliation_raises_nothing(gql):
    await fund(await make_user(), 5_000)
    payload = await gql.mutate(RECONCILE, token=token_for(await make_staff("ADMIN")))
    assert payload["report"]["clean"] is True and payload["alert"] is None
    figures = {f["name"]: f["value"] for f in payload["report"]["figures"]}
    assert figures["wallet_available_fen"] == "5000"
    assert await RiskAlert.all().count() == 0


async def test_reconciliation_break_raises_critical_platform_alert(gql):
    user = await make_user()
    await fund(user, 5_000)
    await break_ledger(user)
    admin = await make_staff("ADMIN")
    payload = await gql.mutate(RECONCILE, token=token_for(admin))
    assert payload["report"]["clean"] is False
    assert payload["alert"]["type"] == "RECONCILIATION_BREAK"
    assert payload["alert"]["level"] == "CRITICAL" and payload["alert"]["scope"] == "平台"
    stored = await RiskAlert.get(type="RECONCILIATION_BREAK")
    assert stored.scope == "PLATFORM" and "5100/0" in stored.message
    record = await AuditRecord.get(action="LEDGER_RECONCILED")
    assert record.actor_id == admin.id and record.details["breaks"] == 1


async def test_reconcile_mutation_is_admin_only(gql):
    for role in ("SUPPORT", "RISK_OFFICER"):
        result = await gql(RECONCILE, token=token_for(await make_staff(role)))
        assert result.error_codes() == ["FORBIDDEN"]


async def test_daily_reconcile_job_raises_the_alert():
    user = await make_user()
    await fund(user, 1_000)
    results = dict(await run_once(datetime(2026, 11, 30, 2, 0, tzinfo=UTC)))
    assert results["reconcile"] == "ledger clean"
    # (From November the calendar job may raise its own alert about next year's make-up days.)
    assert not await RiskAlert.filter(type="RECONCILIATION_BREAK").exists()
    await break_ledger(user)
    results = dict(await run_once(datetime(2026, 12, 1, 2, 0, tzinfo=UTC)))
    assert results["reconcile"].startswith("1 breaks")
    alert = await RiskAlert.get(type="RECONCILIATION_BREAK")
    assert alert.level == "CRITICAL" and alert.scope == "PLATFORM" and alert.status == "OPEN"


async def test_reconcile_command_raises_the_alert(test_env):
    user = await make_user()
    await fund(user, 1_000)
    await break_ledger(user, 7)
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "reconcile"],
        cwd=Path(__file__).resolve().parents[2], env={**os.environ, **test_env},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "BREAK: wallet" in result.stdout and "raised CRITICAL alert" in result.stdout
    alert = await RiskAlert.get(type="RECONCILIATION_BREAK")
    assert alert.level == "CRITICAL" and alert.scope == "PLATFORM" and "1007/0" in alert.message
