"""Customer service tickets with live replies, signing in on a computer by scanning its QR code
with the phone, and a risk alert that reaches the officer live and ends in a freeze."""

from __future__ import annotations

from .client import PIN, Api, Staff, Subscription, key

TICKET_FIELDS = "id ticketNo status kind messages { id fromStaff body }"
MESSAGES = "subscription($id: ID!) { ticketMessages(ticketId: $id) { id fromStaff body } }"
REPLY = f"mutation($input: ReplyTicketInput!) {{ replyTicket(input: $input) {{ ticket {{ {TICKET_FIELDS} }} errors {{ code message field }} }} }}"
QR_EVENTS = "subscription($id: ID!, $secret: String!) { qrLoginStatus(sessionId: $id, secret: $secret) { status auth { accessToken user { id } } } }"
ALERTS = "subscription { riskAlertRaised { id type level status message user { id } } }"


PROBE = "客服已接入"


async def next_message(view: Subscription) -> dict:
    """The next ticket message that is not a readiness probe."""
    while True:
        message = (await view.next())["ticketMessages"]
        if not message["body"].startswith(PROBE):
            return message


async def until_live(api: Api, ticket_id: str, token: str, views: list[Subscription]) -> None:
    """The server starts listening for a ticket's messages after it checked the ticket (a few
    database reads after the subscribe message), so a message sent at once may predate it.
    Staff send short "connected" notes until every view has received one (no sleeping)."""
    waiting = list(views)
    for attempt in range(20):
        body = f"{PROBE}（{attempt + 1}）"
        await api.mutate(REPLY, {"input": {"ticketId": ticket_id, "body": body}}, token=token)
        for view in list(waiting):
            try:
                while (await view.next(timeout=1.0))["ticketMessages"]["body"] != body:
                    pass
                waiting.remove(view)
            except TimeoutError:
                pass
        if not waiting:
            return
    raise AssertionError("ticketMessages never delivered a message")


async def test_ticket_replies_arrive_live_on_both_sides(api: Api, staff: Staff) -> None:
    person = await api.register()
    ticket = (await api.mutate(
        f"mutation($input: SubmitTicketInput!) {{ submitTicket(input: $input) {{ ticket {{ {TICKET_FIELDS} }} errors {{ code message field }} }} }}",
        {"input": {"kind": "COMPLAINT", "subject": "充值没到账", "body": "昨天线下汇款，今天还没到账"}}, token=person.token))["ticket"]
    assert ticket["status"] == "OPEN" and ticket["kind"] == "COMPLAINT" and len(ticket["messages"]) == 1

    open_tickets = (await api.ok("{ tickets(status: OPEN, first: 50) { edges { node { id } } } }", token=staff.support.token))
    assert ticket["id"] in {edge["node"]["id"] for edge in open_tickets["tickets"]["edges"]}
    async with api.subscription(MESSAGES, {"id": ticket["id"]}, token=person.token) as user_view, \
            api.subscription(MESSAGES, {"id": ticket["id"]}, token=staff.support.token) as staff_view:
        await until_live(api, ticket["id"], staff.support.token, [user_view, staff_view])
        await api.mutate(REPLY, {"input": {"ticketId": ticket["id"], "body": "您好，请提供存款识别码"}}, token=staff.support.token)
        for view in (user_view, staff_view):
            message = await next_message(view)
            assert message == {"id": message["id"], "fromStaff": True, "body": "您好，请提供存款识别码"}
        await api.mutate(REPLY, {"input": {"ticketId": ticket["id"], "body": "识别码是 D123456"}}, token=person.token)
        for view in (staff_view, user_view):
            message = await next_message(view)
            assert (message["fromStaff"], message["body"]) == (False, "识别码是 D123456")
    resolved = await api.mutate(
        f"mutation($input: UpdateTicketStatusInput!) {{ updateTicketStatus(input: $input) {{ ticket {{ {TICKET_FIELDS} }} errors {{ code message field }} }} }}",
        {"input": {"ticketId": ticket["id"], "status": "RESOLVED"}}, token=staff.support.token)
    bodies = [m["body"] for m in resolved["ticket"]["messages"] if not m["body"].startswith(PROBE)]
    assert resolved["ticket"]["status"] == "RESOLVED"
    assert bodies == ["昨天线下汇款，今天还没到账", "您好，请提供存款识别码", "识别码是 D123456"]
    # someone else's ticket stays private
    stranger = await api.register()
    other = await api.request("query($id: ID!) { node(id: $id) { ... on Ticket { ticketNo } } }", {"id": ticket["id"]},
                              token=stranger.token)
    assert not (other.get("data") or {}).get("node"), other


async def input_fields(api: Api, name: str) -> set[str]:
    """The fields of an input type of the served schema (introspection is on in sandbox mode)."""
    data = await api.ok("query($name: String!) { __type(name: $name) { inputFields { name } } }", {"name": name})
    return {field["name"] for field in data["__type"]["inputFields"]}


async def test_computer_signs_in_by_qr_code_confirmed_on_the_phone(api: Api) -> None:
    phone_user = await api.register()
    await api.set_pin(phone_user)
    created = await api.mutate(
        "mutation($input: CreateQrLoginSessionInput!) { createQrLoginSession(input: $input) { session { id payload svg status } secret errors { code message field } } }",
        {"input": {"clientDescription": "Chrome · 上海"}})
    session, secret = created["session"], created["secret"]
    assert session["status"] == "PENDING" and session["svg"].lstrip().startswith("<")
    async with api.subscription(QR_EVENTS, {"id": session["id"], "secret": secret}) as computer:
        assert (await computer.next())["qrLoginStatus"]["status"] == "PENDING"  # the state on subscribing
        scanned = await api.mutate(
            "mutation($input: ScanQrLoginInput!) { scanQrLogin(input: $input) { session { id status } clientDescription errors { code message field } } }",
            {"input": {"payload": session["payload"]}}, token=phone_user.token)
        assert scanned["session"]["status"] == "SCANNED" and scanned["clientDescription"] == "Chrome · 上海"
        assert (await computer.next())["qrLoginStatus"]["status"] == "SCANNED"
        confirm = {"sessionId": session["id"], "approve": True}
        if "paymentPassword" in await input_fields(api, "ConfirmQrLoginInput"):
            confirm["paymentPassword"] = PIN  # approving a sign-in elsewhere asks for the payment password
        await api.mutate(
            "mutation($input: ConfirmQrLoginInput!) { confirmQrLogin(input: $input) { session { status } errors { code message field } } }",
            {"input": confirm}, token=phone_user.token)
        confirmed = (await computer.next())["qrLoginStatus"]
    assert confirmed["status"] == "CONFIRMED" and confirmed["auth"]["user"]["id"] == phone_user.user_id
    viewer = (await api.ok("{ viewer { id } }", token=confirmed["auth"]["accessToken"]))["viewer"]
    assert viewer["id"] == phone_user.user_id


async def test_large_payment_steps_up_alerts_the_officer_live_and_the_officer_freezes(api: Api, staff: Staff) -> None:
    owner = await api.new_customer(staff, top_up=None, real_name="陈掌柜")
    merchant_no = await api.create_merchant(staff, owner, "陈记电器")
    payer = await api.new_customer(staff, top_up="10000.00", real_name="林大额")

    async with api.subscription(ALERTS, token=staff.officer.token) as console:
        asked = await api.pay(payer, merchant_no, "6000.00")
        assert [e["code"] for e in asked["errors"]] == ["VERIFICATION_REQUIRED"], asked
        assert "验证码" in asked["errors"][0]["message"] and "PAYMENT" not in asked["errors"][0]["message"], asked
        code = await api.send_code(payer.phone, "PAYMENT", token=payer.token)
        paid = await api.pay(payer, merchant_no, "6000.00", verificationCode=code)
        assert not paid["errors"] and paid["transaction"]["status"] == "SUCCEEDED", paid
        alert = (await console.next())["riskAlertRaised"]
    assert alert["type"] == "LARGE_AMOUNT" and alert["status"] == "OPEN", alert
    assert alert["user"]["id"] == payer.user_id and "6000.00" in alert["message"], alert
    assert f"{payer.phone[:3]}****{payer.phone[-4:]}" in alert["message"], alert  # named by masked phone, not by id

    acknowledged = await api.mutate(
        "mutation($input: AcknowledgeRiskAlertInput!) { acknowledgeRiskAlert(input: $input) { alert { status } errors { code message field } } }",
        {"input": {"alertId": alert["id"], "note": "电话核实中"}}, token=staff.officer.token)
    assert acknowledged["alert"]["status"] == "ACKNOWLEDGED"
    status = "mutation($input: SetAccountStatusInput!) { setAccountStatus(input: $input) { user { status } errors { code message field } } }"
    frozen = await api.mutate(status, {"input": {"userId": payer.user_id, "status": "FROZEN", "reason": "大额交易核查中"}},
                              token=staff.officer.token)
    assert frozen["user"]["status"] == "FROZEN"
    refused = await api.pay(payer, merchant_no, "1.00")
    assert [e["code"] for e in refused["errors"]] == ["ACCOUNT_FROZEN"], refused
    transfer = await api.payload(
        "mutation($input: TransferInput!) { transfer(input: $input) { transaction { transactionNo } errors { code } } }",
        {"input": {"recipient": owner.phone, "amount": "1.00", "paymentPassword": PIN, "idempotencyKey": key("t")}},
        token=payer.token)
    assert [e["code"] for e in transfer["errors"]] == ["ACCOUNT_FROZEN"], transfer
    assert any(m["purpose"] == "ACCOUNT_STATUS" for m in await api.messages(payer.phone))

    await api.mutate(status, {"input": {"userId": payer.user_id, "status": "NORMAL", "reason": "核查完毕"}},
                     token=staff.officer.token)
    again = await api.pay(payer, merchant_no, "1.00")
    assert not again["errors"] and again["transaction"]["status"] == "SUCCEEDED", again
