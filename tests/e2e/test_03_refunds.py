"""Refunds of each original channel, asked for by the payer, approved by staff, the money back
the original way: the wallet at once, the third-party account at once, the card after the
next business day's arrival job (``fenpay jobs run --now T``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .client import Api, Staff

REFUND_FIELDS = "id refundNo amount status completedAt refundTransaction { transactionNo status channel amount expectedArrivalAt }"
REQUEST = f"mutation($input: RequestRefundInput!) {{ requestRefund(input: $input) {{ refund {{ {REFUND_FIELDS} }} errors {{ code message field }} }} }}"
REVIEW = f"mutation($input: ReviewRefundInput!) {{ reviewRefund(input: $input) {{ refund {{ {REFUND_FIELDS} }} errors {{ code message field }} }} }}"
MY_REFUNDS = f"{{ refunds(first: 20) {{ edges {{ node {{ {REFUND_FIELDS} transaction {{ transactionNo channel }} }} }} }} }}"


async def test_refunds_of_each_channel_come_back_the_original_way(api: Api, staff: Staff) -> None:
    owner = await api.new_customer(staff, top_up=None, real_name="周老板")
    merchant_no = await api.create_merchant(staff, owner, "周记面馆")
    payer = await api.new_customer(staff, top_up="500.00", real_name="吴退款")

    paid = {}
    for channel, amount in (("WALLET_BALANCE", "20.00"), ("BANK_CARD", "30.00"), ("THIRD_PARTY", "40.00")):
        payload = await api.pay(payer, merchant_no, amount, channel)
        assert not payload["errors"], payload
        if channel == "THIRD_PARTY":
            assert (await api.http.post(payload["transaction"]["checkoutUrl"] + "/complete")).status_code == 200
        paid[channel] = payload["transaction"]["transactionNo"]
    assert (await api.balance(payer))["available"] == "480.00"

    refunds = {}
    for channel, number in paid.items():
        asked = await api.mutate(REQUEST, {"input": {"transactionNo": number, "reason": "WRONG_AMOUNT",
                                                     "description": "多扣了"}}, token=payer.token)
        assert asked["refund"]["status"] == "PENDING_REVIEW"
        refunds[channel] = asked["refund"]

    queue = (await api.ok("{ refundReviewQueue(first: 50) { edges { node { id } } } }", token=staff.support.token))
    waiting = {edge["node"]["id"] for edge in queue["refundReviewQueue"]["edges"]}
    assert {refund["id"] for refund in refunds.values()} <= waiting
    # a user cannot review
    denied = await api.request(REVIEW, {"input": {"refundId": refunds["WALLET_BALANCE"]["id"], "approve": True}},
                               token=payer.token)
    assert denied.get("errors"), denied

    approved = {}
    for channel, refund in refunds.items():
        approved[channel] = (await api.mutate(REVIEW, {"input": {"refundId": refund["id"], "approve": True,
                                                                 "note": "核实无误"}}, token=staff.support.token))["refund"]
    # balance and third party: back at once, the original way
    for channel in ("WALLET_BALANCE", "THIRD_PARTY"):
        refund = approved[channel]
        assert refund["status"] == "COMPLETED", (channel, refund)
        assert refund["refundTransaction"]["status"] == "SUCCEEDED" and refund["refundTransaction"]["channel"] == channel
    assert (await api.balance(payer))["available"] == "500.00"  # only the balance payment came back to the wallet

    # card: on its way until the bank's arrival the next business day
    card = approved["BANK_CARD"]
    assert card["status"] == "APPROVED", card
    assert card["refundTransaction"]["status"] == "PROCESSING" and card["refundTransaction"]["channel"] == "BANK_CARD"
    arrival = datetime.fromisoformat(card["refundTransaction"]["expectedArrivalAt"])
    assert arrival > datetime.now(UTC)
    report = api.server.run_jobs(arrival + timedelta(minutes=1))
    assert "refund-arrivals" in report, report

    mine = {edge["node"]["transaction"]["channel"]: edge["node"]
            for edge in (await api.ok(MY_REFUNDS, token=payer.token))["refunds"]["edges"]}
    assert {channel: refund["status"] for channel, refund in mine.items()} == {
        "WALLET_BALANCE": "COMPLETED", "BANK_CARD": "COMPLETED", "THIRD_PARTY": "COMPLETED"}
    assert mine["BANK_CARD"]["refundTransaction"]["status"] == "SUCCEEDED"
    assert (await api.balance(payer))["available"] == "500.00"  # the card refund went to the card
    texts = [m["text"] for m in await api.messages(payer.phone) if m["purpose"] == "REFUND"]
    assert any("30.00" in text for text in texts), texts
    # nothing is left to refund
    again = await api.payload(REQUEST, {"input": {"transactionNo": paid["WALLET_BALANCE"], "reason": "WRONG_AMOUNT"}},
                              token=payer.token)
    assert [e["code"] for e in again["errors"]] in (["NOT_REFUNDABLE"], ["REFUND_EXCEEDS_REMAINING"]), again
