"""Paying a shop by balance, card, third party and QR code, a transfer to a friend, and the
statement with every filter (date bounds with and without an offset mean one instant)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from .client import PIN, TX_FIELDS, Api, Staff, key

CHINA = timezone(timedelta(hours=8))
STATEMENT = """query($filter: TransactionFilter, $first: Int, $after: String) {
  transactions(filter: $filter, first: $first, after: $after) {
    totalCount edges { cursor node { transactionNo type status amount createdAt } } pageInfo { hasNextPage endCursor }
  }
}"""
QR_STATUS = "subscription($id: ID!) { paymentQrCodeStatus(qrCodeId: $id) { status transaction { transactionNo amount status } } }"


async def numbers(api: Api, token: str, filter: dict) -> list[str]:
    data = await api.ok(STATEMENT, {"filter": filter, "first": 50}, token=token)
    return [edge["node"]["transactionNo"] for edge in data["transactions"]["edges"]]


async def test_pay_four_ways_transfer_and_read_the_statement(api: Api, staff: Staff) -> None:
    owner = await api.new_customer(staff, top_up=None, real_name="赵店主")
    merchant_no = await api.create_merchant(staff, owner)
    payer = await api.new_customer(staff, top_up="1000.00", real_name="钱多多")
    friend = await api.new_customer(staff, top_up=None, real_name="孙朋友")

    by_balance = await api.pay(payer, merchant_no, "12.50", description="午饭")
    assert not by_balance["errors"], by_balance
    assert by_balance["transaction"]["status"] == "SUCCEEDED"
    assert by_balance["account"]["available"] == "987.50"

    by_card = await api.pay(payer, merchant_no, "30.00", "BANK_CARD")
    assert not by_card["errors"] and by_card["transaction"]["status"] == "SUCCEEDED", by_card
    assert (await api.balance(payer))["available"] == "987.50"  # the card paid, not the wallet

    third = await api.pay(payer, merchant_no, "45.00", "THIRD_PARTY")
    assert not third["errors"] and third["transaction"]["status"] == "PENDING", third
    checkout = third["transaction"]["checkoutUrl"]
    assert checkout.startswith(api.server.url), checkout
    assert (await api.http.post(checkout + "/complete")).status_code == 200
    status = (await api.ok(f"query($no: String!) {{ transaction(transactionNo: $no) {{ {TX_FIELDS} }} }}",
                           {"no": third["transaction"]["transactionNo"]}, token=payer.token))["transaction"]["status"]
    assert status == "SUCCEEDED"

    # QR: the shop shows a fixed-amount code and watches it live; the payer scans and pays
    code = (await api.mutate(
        "mutation($input: CreatePaymentQrCodeInput!) { createPaymentQrCode(input: $input) { qrCode { id payload status } errors { code message field } } }",
        {"input": {"amount": "8.80", "description": "咖啡"}}, token=owner.token))["qrCode"]
    assert code["status"] == "ACTIVE"
    async with api.subscription(QR_STATUS, {"id": code["id"]}, token=owner.token) as shop_screen:
        paid = await api.mutate(
            f"mutation($input: PayQrCodeInput!) {{ payQrCode(input: $input) {{ transaction {{ {TX_FIELDS} }} errors {{ code message field }} }} }}",
            {"input": {"payload": code["payload"], "paymentPassword": PIN, "idempotencyKey": key("qr")}}, token=payer.token)
        assert paid["transaction"]["status"] == "SUCCEEDED" and paid["transaction"]["amount"] == "8.80"
        seen = (await shop_screen.next())["paymentQrCodeStatus"]
        assert seen["status"] == "PAID" and seen["transaction"]["transactionNo"] == paid["transaction"]["transactionNo"]
    again = await api.payload(
        "mutation($input: PayQrCodeInput!) { payQrCode(input: $input) { transaction { transactionNo } errors { code field } } }",
        {"input": {"payload": code["payload"], "paymentPassword": PIN, "idempotencyKey": key("qr")}}, token=payer.token)
    assert [e["code"] for e in again["errors"]] == ["QR_CODE_USED"]

    sent = await api.mutate(
        f"mutation($input: TransferInput!) {{ transfer(input: $input) {{ transaction {{ {TX_FIELDS} }} errors {{ code message field }} }} }}",
        {"input": {"recipient": friend.phone, "amount": "100.00", "paymentPassword": PIN, "note": "还你的饭钱",
                   "idempotencyKey": key("transfer")}}, token=payer.token)
    assert sent["transaction"]["status"] == "SUCCEEDED"
    assert (await api.balance(friend))["available"] == "100.00"
    assert (await api.balance(payer))["available"] == str("%.2f" % (1000 - 12.50 - 8.80 - 100))

    # -- the statement: every filter --------------------------------------------------------
    everything = (await api.ok(STATEMENT, {"filter": None, "first": 50}, token=payer.token))["transactions"]
    rows = [edge["node"] for edge in everything["edges"]]
    assert everything["totalCount"] == len(rows) == 6  # card top-up, 4 payments, 1 transfer
    newest_first = [row["createdAt"] for row in rows]
    assert newest_first == sorted(newest_first, reverse=True)
    by_no = {row["transactionNo"]: row for row in rows}
    payments = {no for no, row in by_no.items() if row["type"] == "PAYMENT"}
    assert len(payments) == 4
    token = payer.token
    assert set(await numbers(api, token, {"types": ["PAYMENT"]})) == payments
    assert set(await numbers(api, token, {"types": ["TRANSFER", "TOP_UP"]})) == set(by_no) - payments
    assert set(await numbers(api, token, {"statuses": ["SUCCEEDED"]})) == set(by_no)
    assert await numbers(api, token, {"statuses": ["FAILED"]}) == []
    assert set(await numbers(api, token, {"minAmount": "30.00", "maxAmount": "100.00"})) == {
        no for no, row in by_no.items() if 30 <= float(row["amount"]) <= 100}
    assert await numbers(api, token, {"transactionNo": by_balance["transaction"]["transactionNo"]}) == [
        by_balance["transaction"]["transactionNo"]]
    assert set(await numbers(api, token, {"counterparty": "好邻居"})) == payments
    assert set(await numbers(api, token, {"counterparty": friend.phone[-4:]})) == {sent["transaction"]["transactionNo"]}
    # the friend sees the transfer from the other side
    assert await numbers(api, friend.token, {"types": ["TRANSFER"]}) == [sent["transaction"]["transactionNo"]]

    # paging: two pages of 4 + 2, no overlap
    first = (await api.ok(STATEMENT, {"first": 4}, token=token))["transactions"]
    assert first["pageInfo"]["hasNextPage"]
    second = (await api.ok(STATEMENT, {"first": 4, "after": first["pageInfo"]["endCursor"]}, token=token))["transactions"]
    paged = [e["node"]["transactionNo"] for e in first["edges"] + second["edges"]]
    assert paged == [row["transactionNo"] for row in rows]

    # -- date bounds: one instant whatever offset writes it; no offset = China time -----------
    transfer_no = sent["transaction"]["transactionNo"]
    at = datetime.fromisoformat(by_no[transfer_no]["createdAt"]).astimezone(UTC)
    just_before, just_after = at - timedelta(seconds=1), at + timedelta(seconds=1)
    china = lambda instant: instant.astimezone(CHINA).replace(tzinfo=None).isoformat()  # noqa: E731
    for start in (just_before.isoformat().replace("+00:00", "Z"), just_before.astimezone(CHINA).isoformat(),
                  china(just_before)):
        assert transfer_no in await numbers(api, token, {"from": start}), start
    for start in (just_after.isoformat().replace("+00:00", "Z"), just_after.astimezone(CHINA).isoformat(),
                  china(just_after)):
        assert transfer_no not in await numbers(api, token, {"from": start}), start
    for end in (just_after.isoformat(), just_after.astimezone(CHINA).isoformat(), china(just_after)):
        assert transfer_no in await numbers(api, token, {"to": end}), end
    for end in (just_before.isoformat(), just_before.astimezone(CHINA).isoformat(), china(just_before)):
        assert transfer_no not in await numbers(api, token, {"to": end}), end
    today = at.astimezone(CHINA).date()
    assert set(await numbers(api, token, {"from": today.isoformat()})) == set(by_no)  # a bare date: 00:00 China
    assert await numbers(api, token, {"from": (today + timedelta(days=1)).isoformat()}) == []
    assert await numbers(api, token, {"to": today.isoformat()}) == []
    backwards = await api.request(STATEMENT, {"filter": {"from": just_after.isoformat(), "to": just_before.isoformat()}},
                                  token=token)
    (error,) = backwards["errors"]
    assert error["extensions"]["code"] == "VALIDATION_FAILED" and error["extensions"]["field"] == ["filter", "from"]
