"""Red packets, requests to pay and wealth suggestions in the web app: each screen against the
real server, other users acting through the API of that same server (so their events reach
the screen's subscriptions), and the server's state checked through the API."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
from playwright.async_api import expect

from app import clock
from app.masking import mask_name
from tests.factories import DEFAULT_PIN, fund, make_user, token_for, wallet_balance
from tests.wealth.support import make_product, set_tolerance

from .browser import open_screen, screenshot

CLAIM = """mutation($input: ClaimRedPacketInput!) { claimRedPacket(input: $input) {
  claim { seq amount } errors { code } } }"""
PACKET = """query($no: String!) { redPacket(packetNo: $no) {
  amount count claimedCount claimedAmount status mode forOnePerson greeting claims { seq amount claimerName } } }"""
MY_CLAIM = "query($no: String!) { redPacket(packetNo: $no) { myClaim { amount } } }"
MY_REQUESTS = "query { myPayRequests { requestNo amount note status items { amount status payerName } } }"
PAY_PART = """mutation($input: PayPayRequestInput!) { payPayRequest(input: $input) { item { status } errors { code } } }"""
INBOX = "query { payRequestsToMe(status: null) { id amount status request { requestNo } } }"
SUGGESTIONS = "query { wealthSuggestions { enabled items { product { code riskLevel } } } }"
HOLDINGS = "query { holdings { principal product { code } } }"


async def api(server: Any, query: str, variables: dict, token: str) -> dict:
    """A call to the server the browser is connected to (its events reach the page's subscriptions)."""
    async with httpx.AsyncClient(base_url=server.http_url, timeout=30) as http:
        response = await http.post("/graphql", json={"query": query, "variables": variables},
                                   headers={"Authorization": f"Bearer {token}"})
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


def fen(amount: str) -> int:
    return int(Decimal(amount.replace("¥", "")) * 100)


async def test_a_group_red_packet_is_sent_and_its_claims_arrive_live(open_page, require, gql, web_server) -> None:  # noqa: ANN001
    require("sendRedPacket", "claimRedPacket", "redPacket", "myRedPackets", "redPacketUpdates")
    sender = await make_user(real_name="钱多多")
    await fund(sender, 200_00)
    claimers = [await make_user(real_name=name) for name in ("李四", "王五", "赵六")]
    page = await open_page(token=token_for(sender), phone=sender.phone)
    await open_screen(page, "red-packets")

    send = page.get_by_test_id("rp-send-form")
    await send.get_by_test_id("input-mode-RANDOM").check()
    await send.get_by_test_id("input-amount").fill("10")
    await send.get_by_test_id("input-count").fill("3")
    await send.get_by_test_id("input-greeting").fill("新年快乐")
    await send.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("rp-send-submit").click()
    watch = page.get_by_test_id("rp-watch")
    await expect(watch.get_by_test_id("rp-status")).to_have_attribute("data-status", "OPEN")
    await expect(watch.get_by_test_id("rp-no-claims")).to_be_visible()
    await expect(page.get_by_test_id("rp-live")).to_have_attribute("data-live", "on")
    packet_no = await watch.get_attribute("data-packet-no")
    assert packet_no
    link = await page.get_by_test_id("rp-link").input_value()
    assert link.endswith(f"#/red-packet/{packet_no}")
    await expect(page.get_by_test_id("rp-mine-row").filter(has_text="0/3")).to_have_count(1)
    assert await wallet_balance(sender) == (190_00, 0)  # the total is held from the wallet at once

    # two people claim through the API: the sender's screen shows each claim arrive
    for count, (claimer, claimer_name) in enumerate(zip(claimers[:2], ["李四", "王五"], strict=False), 1):
        made = (await api(web_server, CLAIM, {"input": {"packetNo": packet_no}}, token_for(claimer)))["claimRedPacket"]
        assert made["errors"] == [] and made["claim"]["seq"] == count
        await expect(watch.get_by_test_id("rp-claim")).to_have_count(count)
        await expect(watch.get_by_test_id("rp-claim").nth(count - 1).get_by_test_id("rp-claimer")).to_have_text(mask_name(claimer_name))
        await expect(watch.get_by_test_id("rp-claim").nth(count - 1).get_by_test_id("rp-claim-amount")).to_have_text(
            f"¥{made['claim']['amount']}")
    await expect(watch.get_by_test_id("rp-progress")).to_contain_text("2/3")

    # the third opens the shared link in the browser
    other = await open_page(token=token_for(claimers[2]), phone=claimers[2].phone)
    await other.goto(link)
    await other.get_by_test_id("screen-red-packet").wait_for()
    await expect(other.get_by_test_id("rp-greeting")).to_have_text("新年快乐")
    await expect(other.get_by_test_id("red-packet")).to_contain_text("钱**")
    await other.get_by_test_id("rp-open").click()
    got = other.get_by_test_id("rp-got-amount")
    await expect(got).to_be_visible()
    mine = (await gql.ok(MY_CLAIM, {"no": packet_no}, token=token_for(claimers[2])))["redPacket"]["myClaim"]
    await expect(got).to_have_text(f"¥{mine['amount']}")
    await expect(other.get_by_test_id("rp-status")).to_have_attribute("data-status", "EMPTY")
    await screenshot(other, "red-packet-open")

    # the sender sees the last claim and the packet empty, live
    await expect(watch.get_by_test_id("rp-claim")).to_have_count(3)
    await expect(watch.get_by_test_id("rp-status")).to_have_attribute("data-status", "EMPTY")
    await expect(page.get_by_test_id("rp-mine-row").filter(has_text="3/3")).to_have_count(1)
    await screenshot(page, "red-packet-send")
    state = (await gql.ok(PACKET, {"no": packet_no}, token=token_for(sender)))["redPacket"]
    assert (state["mode"], state["count"], state["claimedCount"], state["status"], state["greeting"]) == ("RANDOM", 3, 3, "EMPTY", "新年快乐")
    shares = [fen(c["amount"]) for c in state["claims"]]
    assert sum(shares) == 10_00 and min(shares) >= 1
    shown = [fen(text) for text in await watch.get_by_test_id("rp-claim-amount").all_inner_texts()]
    assert shown == shares

    # a late claimer opening the link is told it is all gone
    late = await make_user()
    late_page = await open_page(token=token_for(late))
    await open_screen(late_page, f"red-packet/{packet_no}")
    await expect(late_page.get_by_test_id("rp-status")).to_have_attribute("data-status", "EMPTY")
    await expect(late_page.get_by_test_id("rp-open")).to_have_count(0)


async def test_a_red_packet_for_one_person_is_even_and_only_they_can_open_it(open_page, require, gql) -> None:  # noqa: ANN001
    require("sendRedPacket", "claimRedPacket", "redPacket")
    sender = await make_user()
    await fund(sender, 50_00)
    friend = await make_user(real_name="孙悟空")
    page = await open_page(token=token_for(sender))
    await open_screen(page, "red-packets")
    send = page.get_by_test_id("rp-send-form")
    await expect(send.get_by_test_id("input-recipient")).to_be_hidden()
    await send.get_by_test_id("input-target-ONE").check()
    await send.get_by_test_id("input-recipient").fill(friend.phone)
    await send.get_by_test_id("input-mode-EVEN").check()
    await send.get_by_test_id("input-amount").fill("8.88")
    await send.get_by_test_id("input-count").fill("1")
    await send.get_by_test_id("input-paymentPassword").fill("975312")
    await page.get_by_test_id("rp-send-submit").click()
    await expect(send.locator("[data-error-code=INVALID_PAYMENT_PASSWORD]")).to_be_visible()
    assert await wallet_balance(sender) == (50_00, 0)  # refused: nothing held
    await send.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("rp-send-submit").click()
    watch = page.get_by_test_id("rp-watch")
    await expect(watch.get_by_test_id("rp-status")).to_have_attribute("data-status", "OPEN")
    packet_no = await watch.get_attribute("data-packet-no")

    # someone else following the link finds nothing to open
    stranger_page = await open_page(token=token_for(await make_user()))
    await open_screen(stranger_page, f"red-packet/{packet_no}")
    await expect(stranger_page.get_by_test_id("rp-not-found")).to_be_visible()

    # the friend pastes the link into the open form and gets all of it
    friend_page = await open_page(token=token_for(friend))
    await open_screen(friend_page, "red-packets")
    await friend_page.get_by_test_id("rp-open-form").get_by_test_id("input-link").fill(
        await page.get_by_test_id("rp-link").input_value())
    await friend_page.get_by_test_id("rp-open-link-submit").click()
    await friend_page.get_by_test_id("screen-red-packet").wait_for()
    await friend_page.get_by_test_id("rp-open").click()
    await expect(friend_page.get_by_test_id("rp-got-amount")).to_have_text("¥8.88")
    await expect(watch.get_by_test_id("rp-claim")).to_have_count(1)
    await expect(watch.get_by_test_id("rp-claimer")).to_have_text("孙**")
    assert await wallet_balance(friend) == (8_88, 0)
    state = (await gql.ok(PACKET, {"no": packet_no}, token=token_for(sender)))["redPacket"]
    assert (state["mode"], state["forOnePerson"], state["claimedCount"], state["status"]) == ("EVEN", True, 1, "EMPTY")
    # opening it again shows the share already taken, no second claim
    await friend_page.reload()
    await expect(friend_page.get_by_test_id("rp-got-amount")).to_have_text("¥8.88")
    await expect(friend_page.get_by_test_id("rp-open")).to_have_count(0)


async def test_a_split_bill_arrives_live_and_the_requester_sees_who_paid(open_page, require, gql, web_server) -> None:  # noqa: ANN001
    require("requestPayment", "payPayRequest", "declinePayRequest", "myPayRequests", "payRequestsInbox", "payRequestUpdates")
    requester = await make_user(real_name="周瑜")
    payers = [await make_user(real_name=name) for name in ("吴用", "郑和", "冯七")]
    for payer in payers:
        await fund(payer, 100_00)

    # the first and last payer have the screen open before the request exists
    first = await open_page(token=token_for(payers[0]))
    await open_screen(first, "pay-requests")
    await expect(first.get_by_test_id("pr-inbox-live")).to_have_attribute("data-live", "on")
    await expect(first.get_by_test_id("pr-inbox-empty")).to_be_visible()
    last = await open_page(token=token_for(payers[2]))
    await open_screen(last, "pay-requests")
    await expect(last.get_by_test_id("pr-inbox-live")).to_have_attribute("data-live", "on")

    page = await open_page(token=token_for(requester))
    await open_screen(page, "pay-requests")
    create = page.get_by_test_id("pr-create-form")
    await create.get_by_test_id("input-split-EVEN").check()
    await create.get_by_test_id("input-total").fill("90.01")
    await page.get_by_test_id("pr-add-payer").click()
    await page.get_by_test_id("pr-add-payer").click()
    recipients = create.get_by_test_id("pr-payer-recipient")
    for index, payer in enumerate(payers):
        await recipients.nth(index).fill(payer.phone)
    await expect(create.get_by_test_id("pr-payer-amount").first).to_be_hidden()
    await create.get_by_test_id("input-note").fill("火锅 AA")
    await page.get_by_test_id("pr-create-submit").click()
    await expect(page.get_by_test_id("pr-created-notice")).to_contain_text("¥90.01")
    row = page.get_by_test_id("pr-sent-row").first
    await expect(row.get_by_test_id("pr-part")).to_have_count(3)
    await expect(row.get_by_test_id("pr-sent-progress")).to_contain_text("0/3")
    await expect(row.get_by_test_id("pr-sent-live")).to_have_attribute("data-live", "on")
    made = (await gql.ok(MY_REQUESTS, token=token_for(requester)))["myPayRequests"][0]
    assert (made["amount"], made["note"], made["status"]) == ("90.01", "火锅 AA", "OPEN")
    assert [i["amount"] for i in made["items"]] == ["30.01", "30.00", "30.00"]

    # pushed to the first payer, who pays with the payment password
    item = first.get_by_test_id("pr-inbox-item")
    await expect(item).to_have_count(1)
    await expect(item.get_by_test_id("pr-item-amount")).to_have_text("¥30.01")
    await expect(item.get_by_test_id("pr-note")).to_have_text("火锅 AA")
    await expect(item.get_by_test_id("pr-requester")).to_contain_text("周*")
    await screenshot(first, "pay-request-inbox")
    await item.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await item.get_by_test_id("pr-pay-submit").click()
    await expect(first.get_by_test_id("pr-paid")).to_contain_text("¥30.01")
    await expect(first.get_by_test_id("pr-inbox-empty")).to_be_visible()
    assert await wallet_balance(payers[0]) == (100_00 - 30_01, 0)
    await expect(row.get_by_test_id("pr-sent-progress")).to_contain_text("1/3")

    # the second pays through the API: the requester's screen shows it live
    part = (await gql.ok(INBOX, token=token_for(payers[1])))["payRequestsToMe"][0]
    paid = (await api(web_server, PAY_PART, {"input": {"itemId": part["id"], "paymentPassword": DEFAULT_PIN,
                                                       "idempotencyKey": "web-pr-2"}}, token_for(payers[1])))
    assert paid["payPayRequest"]["errors"] == []
    await expect(row.get_by_test_id("pr-sent-progress")).to_contain_text("2/3")
    second_part = row.get_by_test_id("pr-part").filter(has_text="郑*")
    await expect(second_part.get_by_test_id("pr-part-status")).to_have_text("已付款")

    # the third declines on their screen
    declined = last.get_by_test_id("pr-inbox-item")
    await expect(declined).to_have_count(1)
    await declined.get_by_test_id("pr-decline-submit").click()
    await expect(last.get_by_test_id("pr-declined")).to_be_visible()
    await expect(last.get_by_test_id("pr-inbox-empty")).to_be_visible()
    third_part = row.get_by_test_id("pr-part").filter(has_text="冯*")
    await expect(third_part).to_have_attribute("data-status", "DECLINED")
    await expect(row.get_by_test_id("pr-sent-progress")).to_contain_text("2/3")
    await screenshot(page, "pay-requests")
    final = (await gql.ok(MY_REQUESTS, token=token_for(requester)))["myPayRequests"][0]
    assert sorted(i["status"] for i in final["items"]) == ["DECLINED", "PAID", "PAID"]
    assert await wallet_balance(payers[2]) == (100_00, 0)
    assert await wallet_balance(requester) == (60_01, 0)


async def test_a_request_with_fixed_amounts(open_page, require, gql) -> None:  # noqa: ANN001
    require("requestPayment", "myPayRequests")
    requester = await make_user()
    payers = [await make_user(real_name=name) for name in ("陈平", "韩信")]
    page = await open_page(token=token_for(requester))
    await open_screen(page, "pay-requests")
    create = page.get_by_test_id("pr-create-form")
    await create.get_by_test_id("input-split-FIXED").check()
    await expect(create.get_by_test_id("input-total")).to_be_hidden()
    await page.get_by_test_id("pr-add-payer").click()
    for index, (payer, amount) in enumerate(zip(payers, ["12.50", "7"], strict=False)):
        await create.get_by_test_id("pr-payer-recipient").nth(index).fill(payer.phone)
        await create.get_by_test_id("pr-payer-amount").nth(index).fill(amount)
    await page.get_by_test_id("pr-create-submit").click()
    await expect(page.get_by_test_id("pr-created-notice")).to_contain_text("¥19.50")
    made = (await gql.ok(MY_REQUESTS, token=token_for(requester)))["myPayRequests"][0]
    assert [(i["amount"], i["payerName"]) for i in made["items"]] == [
        ("12.50", "陈*"), ("7.00", "韩*")]

    # asking oneself is refused and shown; nothing is created
    await create.get_by_test_id("pr-payer-recipient").first.fill(requester.phone)
    await create.get_by_test_id("pr-payer-amount").first.fill("1")
    await page.get_by_test_id("pr-create-submit").click()
    await expect(page.get_by_test_id("pr-create-form-error")).to_have_attribute("data-error-code", "VALIDATION_FAILED")
    assert len((await gql.ok(MY_REQUESTS, token=token_for(requester)))["myPayRequests"]) == 1


async def test_suggestions_on_the_wealth_page_fit_and_can_be_turned_off(open_page, require, gql) -> None:  # noqa: ANN001
    require("wealthSuggestions", "setWealthSuggestions", "purchaseWealthProduct")
    start = clock.now()
    clock.set_now(start - timedelta(days=100))
    user = await make_user()
    await fund(user, 3000_00)  # sits untouched for 100 days
    clock.set_now(None)
    await set_tolerance(user, "C2")
    fit = await make_product(code=f"WEB-FIT-{user.id}", name="稳稳 30 天", term_days=30, risk_level="R2",
                             rate="9.90", min_purchase=100_00)
    risky = await make_product(code=f"WEB-RISKY-{user.id}", name="高波动基金", risk_level="R4", rate="19.00", min_purchase=1_00)
    token = token_for(user)
    page = await open_page(token=token)
    await open_screen(page, "wealth")

    card = page.get_by_test_id("suggestions")
    await expect(card.get_by_test_id("suggestions-switch")).to_be_checked()
    suggestion = card.locator(f"[data-testid=suggestion][data-code='{fit.code}']")
    await expect(suggestion).to_be_visible()
    await expect(suggestion.get_by_test_id("suggestion-reason")).to_contain_text("闲置")
    await expect(card.locator(f"[data-code='{risky.code}']")).to_have_count(0)
    for risk in await card.get_by_test_id("suggestion").evaluate_all("rows => rows.map(r => r.dataset.risk)"):
        assert risk in ("R1", "R2"), risk  # never above the user's tolerance (C2)
    await expect(card.get_by_test_id("suggestions-habits")).to_contain_text("¥3000.00")
    await screenshot(page, "wealth-suggestions")

    # buy straight from the suggestion
    await suggestion.get_by_test_id("suggestion-buy").click()
    buy = suggestion.get_by_test_id("purchase-form")
    await buy.get_by_test_id("input-amount").fill("100")
    await buy.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await buy.get_by_test_id("input-acceptRiskDisclosure").check()
    await buy.get_by_test_id("purchase-submit").click()
    await expect(suggestion.get_by_test_id("purchase-done")).to_be_visible()
    holdings = (await gql.ok(HOLDINGS, token=token))["holdings"]
    assert [(h["product"]["code"], h["principal"]) for h in holdings] == [(fit.code, "100.00")]

    # the switch turns them off (on the server too) and back on
    await card.get_by_test_id("suggestions-switch").uncheck()
    await expect(card.get_by_test_id("suggestions-off")).to_be_visible()
    await expect(card.get_by_test_id("suggestion")).to_have_count(0)
    assert (await gql.ok(SUGGESTIONS, token=token))["wealthSuggestions"] == {"enabled": False, "items": []}
    await page.reload()
    await expect(page.get_by_test_id("suggestions-off")).to_be_visible()
    await expect(page.get_by_test_id("suggestions-switch")).not_to_be_checked()
    await page.get_by_test_id("suggestions-switch").check()
    await expect(page.locator(f"[data-testid=suggestion][data-code='{fit.code}']")).to_be_visible()
    assert (await gql.ok(SUGGESTIONS, token=token))["wealthSuggestions"]["enabled"] is True


async def test_suggestions_appear_once_the_risk_assessment_is_taken(open_page, require) -> None:  # noqa: ANN001
    require("wealthSuggestions", "submitRiskAssessment")
    start = clock.now()
    clock.set_now(start - timedelta(days=100))
    user = await make_user()
    await fund(user, 800_00)
    clock.set_now(None)
    safe = await make_product(code=f"WEB-SAFE-{user.id}", name="活期宝", risk_level="R1", rate="8.80", min_purchase=1_00)
    page = await open_page(token=token_for(user))
    await open_screen(page, "wealth")
    card = page.get_by_test_id("suggestions")
    await expect(card.get_by_test_id("suggestions-no-tolerance")).to_be_visible()
    await expect(card.get_by_test_id("suggestion")).to_have_count(0)
    quiz = page.get_by_test_id("risk-quiz")
    for question in await quiz.get_by_test_id("quiz-question").all():
        await question.locator("input[type=radio]").first.check()
    await page.get_by_test_id("quiz-submit").click()
    await expect(page.get_by_test_id("quiz-result")).to_contain_text("C")
    await expect(card.locator(f"[data-testid=suggestion][data-code='{safe.code}']")).to_be_visible()
    await expect(card.get_by_test_id("suggestions-no-tolerance")).to_have_count(0)
