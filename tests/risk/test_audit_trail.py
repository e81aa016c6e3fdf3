"""The audit trail: ADMIN-only query per user (newest first, paginated), and records that
cannot be changed or deleted, neither through the models nor with SQL."""

from __future__ import annotations

import pytest
from tortoise import connections

from app import audit
from models import AuditRecord
from models.audit import AppendOnlyViolation
from schema.node import to_global_id
from tests.factories import make_staff, make_user, token_for
from tests.risk.helpers import SET_STATUS

# Tests here may run first: the database must be up before the per-test clean-up.
pytestmark = pytest.mark.usefixtures("platform")

AUDIT_LOG = """
query($userId: ID!, $first: Int, $after: String) {
  auditLog(userId: $userId, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id action ip details actor { id } subjectUser { id } } }
  }
}
"""


async def test_admin_reads_a_users_trail_newest_first(gql):
    user = await make_user()
    other = await make_user()
    officer = await make_staff("RISK_OFFICER")
    admin = await make_staff("ADMIN")
    await audit.record("LOGIN", actor_id=user.id, ip="10.0.0.1")
    await audit.record("LOGIN", actor_id=other.id, ip="10.0.0.2")
    for status, reason in (("FROZEN", "核查"), ("NORMAL", "解除")):
        payload = await gql.mutate(
            SET_STATUS,
            {"input": {"userId": to_global_id("User", user.id), "status": status, "reason": reason}},
            token=token_for(officer),
        )
        assert payload["errors"] == []

    token = token_for(admin)
    variables = {"userId": to_global_id("User", user.id), "first": 2}
    page = (await gql.ok(AUDIT_LOG, variables, token=token))["auditLog"]
    assert page["totalCount"] == 3
    nodes = [e["node"] for e in page["edges"]]
    assert [(n["action"], n["details"]) for n in nodes] == [
        ("ACCOUNT_STATUS_SET", {"from": "FROZEN", "to": "NORMAL", "reason": "解除"}),
        ("ACCOUNT_STATUS_SET", {"from": "NORMAL", "to": "FROZEN", "reason": "核查"}),
    ]
    assert nodes[0]["actor"]["id"] == to_global_id("User", officer.id)
    assert nodes[0]["subjectUser"]["id"] == to_global_id("User", user.id)
    assert page["pageInfo"]["hasNextPage"] is True
    rest = (await gql.ok(AUDIT_LOG, {**variables, "after": page["pageInfo"]["endCursor"]}, token=token))["auditLog"]
    assert [(e["node"]["action"], e["node"]["ip"]) for e in rest["edges"]] == [("LOGIN", "10.0.0.1")]
    assert rest["pageInfo"]["hasNextPage"] is False

    # Reading someone's trail is itself recorded (and shows up in it next time).
    viewed = await AuditRecord.filter(action="AUDIT_TRAIL_VIEWED").order_by("id")
    assert [(r.actor_id, r.subject_user_id) for r in viewed] == [(admin.id, user.id)] * 2
    # The officer's own trail lists the actions they took.
    officer_page = (await gql.ok(AUDIT_LOG, {"userId": to_global_id("User", officer.id)}, token=token))["auditLog"]
    assert [e["node"]["action"] for e in officer_page["edges"]] == ["ACCOUNT_STATUS_SET", "ACCOUNT_STATUS_SET"]


async def test_audit_log_is_admin_only(gql):
    user = await make_user()
    variables = {"userId": to_global_id("User", user.id)}
    assert (await gql(AUDIT_LOG, variables)).error_codes() == ["UNAUTHENTICATED"]
    for who in (user, await make_staff("SUPPORT"), await make_staff("RISK_OFFICER")):
        assert (await gql(AUDIT_LOG, variables, token=token_for(who))).error_codes() == ["FORBIDDEN"]
    assert not await AuditRecord.exists()


async def test_unknown_user_is_not_found(gql):
    result = await gql(AUDIT_LOG, {"userId": to_global_id("User", 4242)}, token=token_for(await make_staff("ADMIN")))
    assert result.error_codes() == ["NOT_FOUND"]


async def test_node_gives_audit_records_to_admins_only(gql):
    user = await make_user()
    await audit.record("LOGIN", actor_id=user.id)
    record = await AuditRecord.get(action="LOGIN")
    query = "query($id: ID!) { node(id: $id) { ... on AuditRecord { action } } }"
    variables = {"id": to_global_id("AuditRecord", record.id)}
    for who in (user, await make_staff("RISK_OFFICER")):
        assert (await gql.ok(query, variables, token=token_for(who)))["node"] is None
    assert (await gql.ok(query, variables, token=token_for(await make_staff("ADMIN"))))["node"] == {"action": "LOGIN"}


async def test_records_cannot_be_changed_or_deleted_through_the_models():
    await audit.record("LOGIN", actor_id=1, details={"how": "password"})
    record = await AuditRecord.get(action="LOGIN")
    record.action = "NOTHING_HAPPENED"
    attempts = [
        record.save,
        record.delete,
        lambda: AuditRecord.filter(id=record.id).update(action="X"),
        lambda: AuditRecord.filter(id=record.id).delete(),
        lambda: AuditRecord.all().delete(),
        lambda: AuditRecord.bulk_update([record], fields=["action"]),
        lambda: AuditRecord.update_or_create(id=record.id, defaults={"action": "X"}),
    ]
    for attempt in attempts:
        with pytest.raises(AppendOnlyViolation):
            await attempt()
    stored = await AuditRecord.get(id=record.id)
    assert (stored.action, stored.details) == ("LOGIN", {"how": "password"})
    assert await AuditRecord.all().count() == 1


async def test_the_database_refuses_updates_and_deletes():
    await audit.record("LOGIN", actor_id=1)
    conn = connections.get("default")
    with pytest.raises(Exception, match="append-only"):
        await conn.execute_query("UPDATE audit_records SET action = 'FORGED'")
    with pytest.raises(Exception, match="append-only"):
        await conn.execute_query("DELETE FROM audit_records")
    rows = await conn.execute_query_dict("SELECT action FROM audit_records")
    assert [r["action"] for r in rows] == ["LOGIN"]
