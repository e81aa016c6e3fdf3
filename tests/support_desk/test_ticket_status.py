"""Status rules and replies: staff move tickets freely, owners may only close theirs,
closed tickets take no replies, staff replies notify the owner."""

from __future__ import annotations

from models import AuditRecord, SandboxMessage
from models.support import Ticket
from tests.factories import make_staff, make_user, token_for
from tests.harness.graphql import user_error_codes

from .documents import REPLY, reply, set_status, submitted


async def _status(gql, token, ticket_id, status):  # noqa: ANN001, ANN202
    result = await set_status(gql, token, ticket_id, status)
    assert not result.errors, result.errors
    return result.data["updateTicketStatus"]


async def test_staff_move_a_ticket_through_every_status_and_may_reopen(gql):
    owner = await make_user()
    ticket = await submitted(gql, token_for(owner))
    staff = await make_staff("SUPPORT")
    token = token_for(staff)
    for status in ("IN_PROGRESS", "RESOLVED", "CLOSED", "OPEN", "CLOSED"):
        payload = await _status(gql, token, ticket["id"], status)
        assert payload["errors"] == []
        assert payload["ticket"]["status"] == status
    assert (await Ticket.get(ticket_no=ticket["ticketNo"])).status == "CLOSED"
    changes = await AuditRecord.filter(action="ticket.status").order_by("id")
    assert [(a.details["from"], a.details["to"]) for a in changes] == [
        ("OPEN", "IN_PROGRESS"), ("IN_PROGRESS", "RESOLVED"), ("RESOLVED", "CLOSED"),
        ("CLOSED", "OPEN"), ("OPEN", "CLOSED"),
    ]
    assert {(a.actor_id, a.subject_user_id) for a in changes} == {(staff.id, owner.id)}


async def test_asking_for_the_current_status_changes_nothing(gql):
    owner = await make_user()
    ticket = await submitted(gql, token_for(owner))
    payload = await _status(gql, token_for(await make_staff("ADMIN")), ticket["id"], "OPEN")
    assert payload["ticket"]["status"] == "OPEN"
    assert payload["ticket"]["updatedAt"] == ticket["updatedAt"]
    assert await AuditRecord.filter(action="ticket.status").count() == 0


async def test_owner_may_close_their_own_ticket(gql):
    owner = await make_user()
    token = token_for(owner)
    ticket = await submitted(gql, token)
    payload = await _status(gql, token, ticket["id"], "CLOSED")
    assert payload["errors"] == []
    assert payload["ticket"]["status"] == "CLOSED"


async def test_owner_may_not_set_any_other_status(gql):
    owner = await make_user()
    token = token_for(owner)
    ticket = await submitted(gql, token)
    for status in ("IN_PROGRESS", "RESOLVED", "OPEN"):
        result = await set_status(gql, token, ticket["id"], status)
        assert result.error_codes() == ["FORBIDDEN"], status
    await _status(gql, token, ticket["id"], "CLOSED")
    # Reopening a closed ticket is for staff too.
    assert (await set_status(gql, token, ticket["id"], "OPEN")).error_codes() == ["FORBIDDEN"]
    assert (await Ticket.get(ticket_no=ticket["ticketNo"])).status == "CLOSED"


async def test_a_stranger_cannot_close_someone_elses_ticket(gql):
    owner, stranger = await make_user(), await make_user()
    ticket = await submitted(gql, token_for(owner))
    result = await set_status(gql, token_for(stranger), ticket["id"], "CLOSED")
    payload = result.data["updateTicketStatus"]
    assert payload["ticket"] is None
    assert user_error_codes(payload) == ["NOT_FOUND"]
    assert payload["errors"][0]["field"] == ["input", "ticketId"]
    assert (await Ticket.get(ticket_no=ticket["ticketNo"])).status == "OPEN"
    assert (await set_status(gql, None, ticket["id"], "CLOSED")).error_codes() == ["UNAUTHENTICATED"]


async def test_unknown_or_malformed_ticket_ids_are_not_found(gql):
    token = token_for(await make_staff("ADMIN"))
    for ticket_id in ("VGlja2V0Ojk5OTk", "not-an-id", "VXNlcjox"):  # Ticket:9999, garbage, User:1
        payload = (await set_status(gql, token, ticket_id, "CLOSED")).data["updateTicketStatus"]
        assert user_error_codes(payload) == ["NOT_FOUND"], ticket_id
        assert user_error_codes(await reply(gql, token, ticket_id, "你好")) == ["NOT_FOUND"]


async def test_closed_ticket_takes_no_replies_from_anyone(gql):
    owner = await make_user()
    ticket = await submitted(gql, token_for(owner))
    staff_token = token_for(await make_staff("SUPPORT"))
    await _status(gql, token_for(owner), ticket["id"], "CLOSED")
    for token in (token_for(owner), staff_token):
        payload = await reply(gql, token, ticket["id"], "还在吗？")
        assert payload["ticket"] is None
        assert user_error_codes(payload) == ["INVALID_STATE"]
    node = await Ticket.get(ticket_no=ticket["ticketNo"])
    assert await node.messages.all().count() == 1


async def test_staff_reply_moves_open_to_in_progress_and_notifies_the_owner(gql):
    owner = await make_user()
    ticket = await submitted(gql, token_for(owner), kind="COMPLAINT", subject="扣款两次")
    payload = await reply(gql, token_for(await make_staff("SUPPORT")), ticket["id"], "您好，我们正在核实")
    assert payload["errors"] == []
    assert payload["ticket"]["status"] == "IN_PROGRESS"
    assert [(m["fromStaff"], m["body"]) for m in payload["ticket"]["messages"]] == [
        (False, "充值后余额没有变化"), (True, "您好，我们正在核实"),
    ]
    sms = await SandboxMessage.filter(recipient=owner.phone, purpose="TICKET_REPLY")
    assert len(sms) == 1
    assert ticket["ticketNo"] in sms[0].text
    assert "投诉" in sms[0].text


async def test_owner_reply_notifies_nobody_and_reopens_a_resolved_ticket(gql):
    owner = await make_user()
    token = token_for(owner)
    ticket = await submitted(gql, token)
    staff_token = token_for(await make_staff("RISK_OFFICER"))
    await _status(gql, staff_token, ticket["id"], "RESOLVED")
    payload = await reply(gql, token, ticket["id"], "问题还没解决")
    assert payload["ticket"]["status"] == "OPEN"
    assert payload["ticket"]["messages"][-1] == {**payload["ticket"]["messages"][-1], "fromStaff": False}
    assert await SandboxMessage.filter(purpose="TICKET_REPLY").count() == 0


async def test_reply_body_is_bounded(gql):
    owner = await make_user()
    token = token_for(owner)
    ticket = await submitted(gql, token)
    for body in ("", "   ", "字" * 2001):
        payload = await reply(gql, token, ticket["id"], body)
        assert user_error_codes(payload) == ["VALIDATION_FAILED"]
        assert payload["errors"][0]["field"] == ["input", "body"]
    assert (await gql(REPLY, {"input": {"ticketId": ticket["id"], "body": "x"}})).error_codes() == ["UNAUTHENTICATED"]


async def test_staff_writing_on_their_own_ticket_write_as_its_owner(gql):
    staff = await make_staff("SUPPORT")
    token = token_for(staff)
    ticket = await submitted(gql, token)
    payload = await reply(gql, token, ticket["id"], "补充说明")
    assert payload["ticket"]["messages"][-1]["fromStaff"] is False
    assert payload["ticket"]["status"] == "OPEN"
