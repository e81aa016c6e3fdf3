"""Withdrawal with its fee quote, transfer, wealth (questionnaire, purchase, redemption), help."""

from __future__ import annotations

from playwright.async_api import expect

from tests.factories import DEFAULT_PIN, card_number, fund, latest_code, make_staff, make_user, token_for

from .browser import open_screen, screenshot

CREATE_PRODUCT = """mutation($input: CreateWealthProductInput!) {
  createWealthProduct(input: $input) { product { id code } errors { code message } }
}"""
REQUEST_CODE = """mutation($input: RequestVerificationCodeInput!) { requestVerificationCode(input: $input) { sent errors { code } } }"""
ADD_CARD = """mutation($input: AddBankCardInput!) { addBankCard(input: $input) { bankCard { id } errors { code message } } }"""


async def bind_card(gql, user) -> None:  # noqa: ANN001
    """Bind a sandbox card through the API (the card screen is driven in test_wallet_flow)."""
    from app import crypto

    token = token_for(user)
    sent = await gql.mutate(REQUEST_CODE, {"input": {"recipient": user.phone, "purpose": "BIND_BANK_CARD"}}, token=token)
    assert sent["sent"], sent
    payload = await gql.mutate(ADD_CARD, {"input": {
        "cardNumber": card_number("621700", length=19), "holderName": "张三",
        "idNumber": crypto.decrypt(user.id_number_enc), "phone": user.phone,
        "verificationCode": await latest_code(user.phone, "BIND_BANK_CARD"),
    }}, token=token)
    assert not payload["errors"], payload


async def test_withdrawal_shows_the_fee_quote_before_confirming(open_page, require, gql) -> None:  # noqa: ANN001
    require("withdrawalQuote", "withdraw", "addBankCard", "requestVerificationCode")
    user = await make_user()
    await fund(user, 500_00)
    await bind_card(gql, user)
    page = await open_page(token=token_for(user))
    await open_screen(page, "withdraw")
    form = page.get_by_test_id("withdraw-form")
    await form.get_by_test_id("input-amount").fill("100")
    await form.get_by_test_id("input-channel").select_option("BANK_CARD")
    await expect(page.get_by_test_id("withdraw-confirm")).to_be_hidden()
    await page.get_by_test_id("withdraw-quote-submit").click()
    await expect(page.get_by_test_id("quote-fee")).to_have_text("¥0.50")
    await expect(page.get_by_test_id("quote-net")).to_have_text("¥99.50")
    await screenshot(page, "withdraw-quote")
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("withdraw-confirm").click()
    done = page.get_by_test_id("withdraw-done")
    await expect(done).to_be_visible()
    assert await done.get_attribute("data-status") in ("PENDING", "PROCESSING", "SUCCEEDED")

    # changing the channel asks for a new quote (third-party: 1 %)
    await form.get_by_test_id("input-channel").select_option("THIRD_PARTY")
    await expect(page.get_by_test_id("withdraw-quote")).to_be_hidden()
    await page.get_by_test_id("withdraw-quote-submit").click()
    await expect(page.get_by_test_id("quote-fee")).to_have_text("¥1.00")


async def test_transfer_to_a_phone_number(open_page, require) -> None:  # noqa: ANN001
    require("transfer")
    sender, receiver = await make_user(), await make_user()
    await fund(sender, 100_00)
    page = await open_page(token=token_for(sender))
    await open_screen(page, "transfer")
    form = page.get_by_test_id("transfer-form")
    await form.get_by_test_id("input-recipient").fill(receiver.phone)
    await form.get_by_test_id("input-amount").fill("12.34")
    await form.get_by_test_id("input-note").fill("还你的车费")
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("transfer-submit").click()
    await expect(page.get_by_test_id("transfer-done")).to_have_attribute("data-status", "SUCCEEDED")
    await form.get_by_test_id("input-amount").fill("1000")
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("transfer-submit").click()
    await expect(form.locator("[data-error-code=INSUFFICIENT_FUNDS]")).to_be_visible()


async def test_wealth_questionnaire_purchase_and_redemption(open_page, require, gql) -> None:  # noqa: ANN001
    require("createWealthProduct", "wealthProducts", "riskQuestionnaire", "submitRiskAssessment",
            "purchaseWealthProduct", "holdings", "redeemWealthProduct")
    admin = await make_staff("ADMIN")
    for code, name, kind, level in (("MMF001", "零钱宝货币基金", "MONEY_MARKET_FUND", "R1"), ("BOND090", "稳健债券 90 天", "BOND", "R3")):
        payload = await gql.mutate(CREATE_PRODUCT, {"input": {
            "code": code, "name": name, "type": kind, "expectedAnnualReturn": "2.10" if level == "R1" else "3.60",
            "termDays": None if level == "R1" else 90, "riskLevel": level, "minPurchase": "100.00",
            "description": f"{name}，测试产品", "riskDisclosure": "理财非存款，产品有风险，投资须谨慎。",
        }}, token=token_for(admin))
        assert not payload["errors"], payload
    user = await make_user()
    await fund(user, 1_000_00)
    page = await open_page(token=token_for(user))
    await open_screen(page, "wealth")
    products = page.get_by_test_id("product-list").get_by_test_id("product")
    await expect(products).to_have_count(2)

    filters = page.get_by_test_id("wealth-filter")
    await filters.get_by_test_id("input-types-MONEY_MARKET_FUND").check()
    await page.get_by_test_id("wealth-filter-submit").click()
    await expect(products).to_have_count(1)

    quiz = page.get_by_test_id("risk-quiz")
    for question in await quiz.get_by_test_id("quiz-question").all():
        await question.locator("input[type=radio]").first.check()
    await page.get_by_test_id("quiz-submit").click()
    await expect(page.get_by_test_id("quiz-result")).to_contain_text("C")
    await expect(page.get_by_test_id("risk-tolerance")).to_have_text(__import__("re").compile(r"^C[1-5]$"))

    product = page.locator("[data-testid=product][data-code=MMF001]")
    await product.get_by_test_id("product-open").click()
    purchase = product.get_by_test_id("purchase-form")
    await expect(purchase.get_by_test_id("risk-disclosure")).to_contain_text("投资须谨慎")
    await purchase.get_by_test_id("input-amount").fill("200")
    await purchase.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("purchase-submit").click()
    await expect(purchase.locator("[data-error-code=RISK_DISCLOSURE_NOT_ACCEPTED]")).to_be_visible()
    await purchase.get_by_test_id("input-acceptRiskDisclosure").check()
    await purchase.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("purchase-submit").click()
    await expect(product.get_by_test_id("purchase-done")).to_be_visible()
    holding = page.get_by_test_id("holding-list").get_by_test_id("holding")
    await expect(holding).to_have_count(1)
    await screenshot(page, "wealth")

    await holding.get_by_test_id("holding-redeem").click()
    redeem = holding.get_by_test_id("redeem-form")
    await redeem.get_by_test_id("input-amount").fill("50")
    await redeem.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await redeem.get_by_test_id("redeem-submit").click()
    await expect(page.get_by_test_id("redeem-done")).to_contain_text("¥50.00")
