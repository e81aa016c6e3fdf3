"""Withdrawal with its quote and next-business-day payout (the payout job run as
``fenpay jobs run --now T``), and wealth: questionnaire, purchase, daily income, redemption,
and a fixed-term product redeemed by the job at maturity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from .client import PIN, TX_FIELDS, Api, Staff, key

QUOTE = "query($amount: Money!, $channel: Channel!) { withdrawalQuote(amount: $amount, channel: $channel) { amount fee netAmount expectedArrivalAt } }"
WITHDRAW = f"mutation($input: WithdrawInput!) {{ withdraw(input: $input) {{ transaction {{ {TX_FIELDS} }} account {{ balance available frozen }} errors {{ code message field }} }} }}"
TRANSACTION = f"query($no: String!) {{ transaction(transactionNo: $no) {{ {TX_FIELDS} }} }}"
PRODUCT = "mutation($input: CreateWealthProductInput!) { createWealthProduct(input: $input) { product { id status termDays } errors { code message field } } }"
PURCHASE = "mutation($input: PurchaseWealthProductInput!) { purchaseWealthProduct(input: $input) { holding { id principal status maturesAt } transaction { transactionNo status amount } errors { code message field } } }"
REDEEM = "mutation($input: RedeemWealthProductInput!) { redeemWealthProduct(input: $input) { holding { id status principal accruedIncome } transaction { transactionNo amount status } errors { code message field } } }"
HOLDINGS = "{ holdings(includeRedeemed: true) { id principal accruedIncome redeemable status product { code } } }"


async def test_withdrawal_is_quoted_then_paid_out_the_next_business_day(api: Api, staff: Staff) -> None:
    person = await api.new_customer(staff, top_up="800.00", real_name="郑提现")
    quote = (await api.ok(QUOTE, {"amount": "100", "channel": "BANK_CARD"}, token=person.token))["withdrawalQuote"]
    assert (quote["amount"], quote["fee"], quote["netAmount"]) == ("100.00", "0.50", "99.50")

    # the quote's arguments are top-level: an error names ["amount"], not ["input", "amount"]
    refused = await api.request(QUOTE, {"amount": "100.50", "channel": "BANK_CARD"}, token=person.token)
    (error,) = refused["errors"]
    assert error["extensions"]["code"] == "AMOUNT_NOT_WHOLE_YUAN" and error["extensions"]["field"] == ["amount"], error

    payload = await api.mutate(WITHDRAW, {"input": {"amount": "100", "channel": "BANK_CARD", "bankCardId": person.card_id,
                                                    "paymentPassword": PIN, "idempotencyKey": key("withdraw")}},
                               token=person.token)
    withdrawal = payload["transaction"]
    assert withdrawal["status"] in ("PENDING", "PROCESSING") and withdrawal["fee"] == "0.50", withdrawal
    assert payload["account"]["available"] == "700.00"
    arrival = datetime.fromisoformat(withdrawal["expectedArrivalAt"])
    assert arrival > datetime.now(UTC) and arrival == datetime.fromisoformat(quote["expectedArrivalAt"])

    report = api.server.run_jobs(arrival - timedelta(hours=1))
    assert "settle-withdrawals" in report, report
    early = (await api.ok(TRANSACTION, {"no": withdrawal["transactionNo"]}, token=person.token))["transaction"]
    assert early["status"] in ("PENDING", "PROCESSING"), early  # not before the arrival time
    api.server.run_jobs(arrival + timedelta(minutes=10))
    paid = (await api.ok(TRANSACTION, {"no": withdrawal["transactionNo"]}, token=person.token))["transaction"]
    assert paid["status"] == "SUCCEEDED" and paid["completedAt"], paid
    assert await api.balance(person) == {"balance": "700.00", "available": "700.00", "frozen": "0.00"}


async def test_wealth_purchase_income_redemption_and_maturity(api: Api, staff: Staff) -> None:
    stamp = datetime.now().strftime("%H%M%S%f")
    fund = (await api.mutate(PRODUCT, {"input": {
        "code": f"E2E-MMF-{stamp}", "name": "零钱宝 E2E", "type": "MONEY_MARKET_FUND", "expectedAnnualReturn": "3.65",
        "riskLevel": "R1", "minPurchase": "1.00", "description": "随存随取", "riskDisclosure": "理财非存款，投资需谨慎"}},
        token=staff.admin.token))["product"]
    term = (await api.mutate(PRODUCT, {"input": {
        "code": f"E2E-FD-{stamp}", "name": "七天定存 E2E", "type": "FIXED_DEPOSIT", "expectedAnnualReturn": "3.65",
        "termDays": 7, "riskLevel": "R1", "minPurchase": "100.00", "description": "七天到期自动赎回",
        "riskDisclosure": "到期前不可赎回"}}, token=staff.admin.token))["product"]
    for product in (fund, term):
        if product["status"] != "ON_SALE":
            await api.mutate("mutation($input: SetWealthProductStatusInput!) { setWealthProductStatus(input: $input) { product { status } errors { code message field } } }",
                             {"input": {"productId": product["id"], "status": "ON_SALE"}}, token=staff.admin.token)

    person = await api.new_customer(staff, top_up=None, real_name="冯理财")
    await api.top_up_by_card(person, "10000.00")
    questions = (await api.ok("{ riskQuestionnaire { id options { id score } } }", token=person.token))["riskQuestionnaire"]
    answers = [{"questionId": q["id"], "optionId": max(q["options"], key=lambda o: o["score"])["id"]} for q in questions]
    assessed = await api.mutate("mutation($input: SubmitRiskAssessmentInput!) { submitRiskAssessment(input: $input) { riskTolerance errors { code message field } } }",
                                {"input": {"answers": answers}}, token=person.token)
    assert assessed["riskTolerance"]

    no_consent = await api.payload(PURCHASE, {"input": {"productId": fund["id"], "amount": "4000.00", "paymentPassword": PIN,
                                                        "acceptRiskDisclosure": False, "idempotencyKey": key("buy")}},
                                   token=person.token)
    assert [e["code"] for e in no_consent["errors"]] == ["RISK_DISCLOSURE_NOT_ACCEPTED"]
    bought = {}
    for product in (fund, term):  # 4,000.00 each: below the single-payment step-up threshold
        payload = await api.mutate(PURCHASE, {"input": {"productId": product["id"], "amount": "4000.00", "paymentPassword": PIN,
                                                        "acceptRiskDisclosure": True, "idempotencyKey": key("buy")}},
                                   token=person.token)
        assert payload["holding"]["status"] == "HOLDING" and payload["transaction"]["status"] == "SUCCEEDED"
        bought[product["id"]] = payload["holding"]
    assert (await api.balance(person))["available"] == "2000.00"

    # income: 4,000.00 at 3.65 % a year is 0.40 a day; the job accrues whole days
    later = datetime.now(UTC) + timedelta(days=3)
    report = api.server.run_jobs(later)
    assert "wealth-income" in report, report
    holdings = {h["id"]: h for h in (await api.ok(HOLDINGS, token=person.token))["holdings"]}
    income = Decimal(holdings[bought[fund["id"]]["id"]]["accruedIncome"])
    assert Decimal("0.80") <= income <= Decimal("1.20") and income % Decimal("0.40") == 0, income
    incomes = (await api.ok("{ transactions(filter: {types: [WEALTH_INCOME]}, first: 50) { edges { node { amount } } } }",
                            token=person.token))["transactions"]["edges"]
    assert sum(Decimal(e["node"]["amount"]) for e in incomes) == income + Decimal(holdings[bought[term["id"]]["id"]]["accruedIncome"])

    # the fixed-term product refuses an early redemption; the open-ended one pays out in full
    early = await api.payload(REDEEM, {"input": {"holdingId": bought[term["id"]]["id"], "paymentPassword": PIN,
                                                 "idempotencyKey": key("redeem")}}, token=person.token)
    assert [e["code"] for e in early["errors"]] == ["INVALID_STATE"], early
    redeemed = await api.mutate(REDEEM, {"input": {"holdingId": bought[fund["id"]]["id"], "paymentPassword": PIN,
                                                   "idempotencyKey": key("redeem")}}, token=person.token)
    assert redeemed["holding"]["status"] == "REDEEMED"
    assert Decimal(redeemed["transaction"]["amount"]) == Decimal("4000.00") + income
    wallet = Decimal((await api.balance(person))["available"])
    assert wallet == Decimal("2000.00") + Decimal("4000.00") + income

    # maturity: the job redeems the fixed-term holding in full
    api.server.run_jobs(datetime.now(UTC) + timedelta(days=9))
    holdings = {h["id"]: h for h in (await api.ok(HOLDINGS, token=person.token))["holdings"]}
    matured = holdings[bought[term["id"]]["id"]]
    assert matured["status"] == "REDEEMED", matured
    final = Decimal((await api.balance(person))["available"])
    assert final - wallet >= Decimal("4002.80"), (final, wallet)  # principal plus 7 days at 0.40
