"""Submitting tickets (seed 8.3), listing them, and strangers reading nothing."""

from __future__ import annotations

from models.support import Ticket, TicketMessage
from tests.factories import fund, make_staff, make_user, token_for, transfer
from tests.harness.graphql import user_error_codes

from .documents import MY_TICKETS, NODE, STAFF_TICKETS, SUBMIT, reply, submit, submitted


async def test_submit_feedback_without_a_transaction(gql):
    user = await make_user()
    ticket = await submitted(gql, token_for(user), kind="FEEDBACK", subject="  建议增加夜间模式 ", body="希望 APP 支持夜间模式")
    assert ticket["kind"] == "FEEDBACK"
    assert ticket["status"] == "OPEN"
    assert ticket["subject"] == "建议增加夜间模式"
    assert ticket["ticketNo"].startswith("TK")
    assert ticket["transaction"] is None
    assert [(m["fromStaff"], m["body"]) for m in ticket["messages"]] == [(False, "希望 APP 支持夜间模式")]


async def test_ticket_numbers_are_unique(gql):
    user = await make_user()
    numbers = {(await submitted(gql, token_for(user)))["ticketNo"] for _ in range(3)}
    assert len(numbers) == 3


async def test_complaint_about_own_transaction_shows_it_from_the_owner_side(gql):
    user = await make_user()
    top_up = await fund(user, 10_000)
    ticket = await submitted(gql, token_for(user), kind="COMPLAINT", transactionNo=top_up.transaction_no)
    assert ticket["kind"] == "COMPLAINT"
    assert ticket["transaction"] == {
        "transactionNo": top_up.transaction_no, "type": "TOP_UP", "direction": "IN", "amount": "100.00",
    }


async def test_the_receiving_side_of_a_transfer_may_name_it(gql):
    sender, recipient = await make_user(), await make_user()
    await fund(sender, 5_000)
    sent = await transfer(sender, recipient, 2_000)
    ticket = await submitted(gql, token_for(recipient), kind="COMPLAINT", transactionNo=sent.transaction_no)
    # The recipient sees money coming in; the sender would see it going out.
    assert ticket["transaction"]["direction"] == "IN"
    sender_ticket = await submitted(gql, token_for(sender), transactionNo=sent.transaction_no)
    assert sender_ticket["transaction"]["direction"] == "OUT"


async def test_someone_elses_transaction_is_not_found_and_nothing_is_written(gql):
    owner, stranger = await make_user(), await make_user()
    top_up = await fund(owner, 10_000)
    for number in (top_up.transaction_no, "T20260101000000000000"):
        payload = await submit(gql, token_for(stranger), kind="COMPLAINT", transactionNo=number)
        assert payload["ticket"] is None
        assert payload["errors"][0]["code"] == "NOT_FOUND"
        assert payload["errors"][0]["field"] == ["input", "transactionNo"]
    assert await Ticket.all().count() == 0
    assert await TicketMessage.all().count() == 0


async def test_subject_and_body_lengths_are_bounded_and_blank_is_refused(gql):
    token = token_for(await make_user())
    cases = [
        ({"subject": ""}, "subject"),
        ({"subject": "   "}, "subject"),
        ({"subject": "问" * 101}, "subject"),
        ({"body": ""}, "body"),
        ({"body": " \n\t "}, "body"),
        ({"body": "长" * 2001}, "body"),
    ]
    for fields, bad in cases:
        payload = await submit(gql, token, **fields)
        assert user_error_codes(payload) == ["VALIDATION_FAILED"], fields
        assert payload["errors"][0]["field"] == ["input", bad]
    assert await Ticket.all().count() == 0
    longest = await submitted(gql, token, subject="问" * 100, body="长" * 2000)
    assert len(longest["subject"]) == 100
    assert len(longest["messages"][0]["body"]) == 2000


async def test_submitting_needs_a_signed_in_user(gql):
    result = await gql(SUBMIT, {"input": {"kind": "FEEDBACK", "subject": "s", "body": "b"}})
    assert result.error_codes() == ["UNAUTHENTICATED"]


async def test_my_tickets_lists_only_own_newest_first_with_pages(gql):
    user, other = await make_user(), await make_user()
    token = token_for(user)
    for n in range(3):
        await submitted(gql, token, subject=f"第{n}个问题")
    await submitted(gql, token_for(other), subject="别人的问题")
    first = (await gql.ok(MY_TICKETS, {"first": 2}, token=token))["myTickets"]
    assert first["totalCount"] == 3
    assert [e["node"]["subject"] for e in first["edges"]] == ["第2个问题", "第1个问题"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (await gql.ok(MY_TICKETS, {"first": 2, "after": first["pageInfo"]["endCursor"]}, token=token))["myTickets"]
    assert [e["node"]["subject"] for e in rest["edges"]] == ["第0个问题"]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_my_tickets_needs_sign_in(gql):
    assert (await gql(MY_TICKETS)).error_codes() == ["UNAUTHENTICATED"]


async def test_staff_list_every_ticket_by_status(gql):
    one, two = await make_user(), await make_user()
    first = await submitted(gql, token_for(one), subject="甲")
    await submitted(gql, token_for(two), subject="乙", kind="COMPLAINT")
    admin = await make_staff("ADMIN")
    await reply(gql, token_for(admin), first["id"], "正在处理")  # OPEN -> IN_PROGRESS
    for role in ("SUPPORT", "RISK_OFFICER", "ADMIN"):
        token = token_for(await make_staff(role))
        everything = (await gql.ok(STAFF_TICKETS, token=token))["tickets"]
        assert [e["node"]["subject"] for e in everything["edges"]] == ["乙", "甲"]
        open_only = (await gql.ok(STAFF_TICKETS, {"status": "OPEN"}, token=token))["tickets"]
        assert [e["node"]["subject"] for e in open_only["edges"]] == ["乙"]
        in_progress = (await gql.ok(STAFF_TICKETS, {"status": "IN_PROGRESS"}, token=token))["tickets"]
        assert in_progress["totalCount"] == 1


async def test_users_cannot_list_all_tickets(gql):
    user = await make_user()
    await submitted(gql, token_for(user))
    assert (await gql(STAFF_TICKETS, token=token_for(user))).error_codes() == ["FORBIDDEN"]
    assert (await gql(STAFF_TICKETS)).error_codes() == ["UNAUTHENTICATED"]


async def test_node_shows_a_ticket_to_its_owner_and_staff_only(gql):
    owner, stranger = await make_user(), await make_user()
    top_up = await fund(owner, 10_000)
    ticket = await submitted(gql, token_for(owner), kind="COMPLAINT", transactionNo=top_up.transaction_no)
    mine = (await gql.ok(NODE, {"id": ticket["id"]}, token=token_for(owner)))["node"]
    assert mine["__typename"] == "Ticket"
    assert mine["ticketNo"] == ticket["ticketNo"]
    staff = (await gql.ok(NODE, {"id": ticket["id"]}, token=token_for(await make_staff("SUPPORT"))))["node"]
    assert staff["transaction"]["transactionNo"] == top_up.transaction_no
    assert (await gql.ok(NODE, {"id": ticket["id"]}, token=token_for(stranger)))["node"] is None
    assert (await gql.ok(NODE, {"id": ticket["id"]}))["node"] is None


async def test_strangers_read_nothing(gql):
    owner, stranger = await make_user(), await make_user()
    ticket = await submitted(gql, token_for(owner), body="我的私人问题")
    token = token_for(stranger)
    assert (await gql.ok(MY_TICKETS, token=token))["myTickets"] == {
        "totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": [],
    }
    payload = await reply(gql, token, ticket["id"], "偷看一下")
    assert payload["ticket"] is None
    assert user_error_codes(payload) == ["NOT_FOUND"]
    assert await TicketMessage.all().count() == 1
