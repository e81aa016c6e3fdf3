"""Cross-border payments through the public API (issue 22, capability 3): locked quotes, one
journal balanced per currency, refunds at the original rate, the annual limit, JPY rounding,
the staff path to a merchant's currency, and ``reconcile`` per currency."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta

import pytest

from app import clock, runtime
from app.ledger import sql
from app.ledger.reconcile import reconcile
from app.settings import ConfigurationError, load_settings
from models import Account, Journal, Posting, Transaction
from models.audit import AuditRecord
from tests.factories import fund, make_staff, make_user, token_for, wallet_balance
from tests.fx.support import (
    CREATE_QR,
    HISTORY,
    PAY,
    PAY_QR,
    QUOTE,
    REQUEST_REFUND,
    REVIEW_REFUND,
    SET_CURRENCY,
    USAGE,
    foreign_merchant,
    pay_input,
    pay_qr_input,
    quote_input,
)


async def _balances_by_code() -> dict[str, int]:
    rows = await sql.fetch(
        __import__("tortoise").connections.get("default"),
        "SELECT a.code, COALESCE(SUM(p.amount), 0) AS total FROM accounts a"
        " LEFT JOIN postings p ON p.account_id = a.id WHERE a.code LIKE 'FX_POSITION_%' GROUP BY a.code",
    )
    return {row["code"]: int(row["total"]) for row in rows}


async def _account_total(account_id: int) -> int:
    return sum(p.amount for p in await Posting.filter(account_id=account_id))


async def _quote(gql, token: str, **fields) -> dict:  # noqa: ANN001
    payload = (await gql.ok(QUOTE, quote_input(**fields), token=token))["createFxQuote"]
    assert payload["errors"] == [], payload
    return payload["quote"]


async def test_locked_quote_pays_a_usd_merchant_with_a_journal_balanced_per_currency(gql):
    merchant, _owner, _admin = await foreign_merchant(gql, "USD", "纽约咖啡")
    payer = await make_user()
    await fund(payer, 500_00)
    token = token_for(payer)

    quote = await _quote(gql, token, merchantNo=merchant.merchant_no, amount="100.00", amountCurrency="CNY")
    # 100.00 CNY / 7.10 = 14.0845... USD, half-up to the cent.
    assert quote["cnyAmount"] == "100.00" and quote["merchantAmount"] == "14.08"
    assert quote["merchantCurrency"] == "USD" and quote["rate"] == "7.100000" and quote["used"] is False

    paid = (await gql.ok(PAY, pay_input(merchant.merchant_no, "100.00", "fx-1", quote["id"]), token=token))["pay"]
    assert paid["errors"] == [], paid
    assert paid["transaction"]["fx"] == {"cnyAmount": "100.00", "merchantAmount": "14.08",
                                         "merchantCurrency": "USD", "rate": "7.100000"}
    assert paid["account"]["available"] == "400.00"

    tx = await Transaction.get(transaction_no=paid["transaction"]["transactionNo"])
    journal = await Journal.get(transaction_id=tx.id)
    per_currency: dict[str, int] = {}
    for posting in await Posting.filter(journal_id=journal.id):
        account = await Account.get(id=posting.account_id)
        per_currency[account.currency] = per_currency.get(account.currency, 0) + posting.amount
    assert per_currency == {"CNY": 0, "USD": 0}
    assert await _account_total(merchant.account_id) == 1408  # cents, in the merchant's currency
    assert await _balances_by_code() == {"FX_POSITION_CNY": 100_00, "FX_POSITION_USD": -1408,
                                         "FX_POSITION_EUR": 0, "FX_POSITION_HKD": 0, "FX_POSITION_JPY": 0}

    # A replay of the key answers the same payment; the quote pays nothing else.
    again = (await gql.ok(PAY, pay_input(merchant.merchant_no, "100.00", "fx-1", quote["id"]), token=token))["pay"]
    assert again["transaction"]["transactionNo"] == paid["transaction"]["transactionNo"]
    reused = (await gql.ok(PAY, pay_input(merchant.merchant_no, "100.00", "fx-2", quote["id"]), token=token))["pay"]
    assert [e["code"] for e in reused["errors"]] == ["FX_QUOTE_USED"]
    assert reused["errors"][0]["field"] == ["input", "fxQuoteId"]
    assert await wallet_balance(payer) == (400_00, 0)

    history = (await gql.ok(HISTORY, token=token))["transactions"]["edges"]
    assert [e["node"]["fx"]["merchantAmount"] for e in history if e["node"]["type"] == "PAYMENT"] == ["14.08"]
    report = await reconcile()
    assert report.clean, report.breaks
    assert report.figures["postings_total_usd"] == 0


async def test_expired_quote_and_missing_quote_are_refused_and_change_nothing(gql):
    merchant, _owner, _admin = await foreign_merchant(gql, "EUR", "巴黎面包")
    payer, stranger = await make_user(), await make_user()
    await fund(payer, 300_00)
    token = token_for(payer)
    clock.set_now(clock.now())
    quote = await _quote(gql, token, merchantNo=merchant.merchant_no, amount="10.00", amountCurrency="EUR")
    assert quote["cnyAmount"] == "77.00" and quote["merchantAmount"] == "10.00"

    none = (await gql.ok(PAY, pay_input(merchant.merchant_no, "77.00", "k-0", None), token=token))["pay"]
    assert [(e["code"], e["field"]) for e in none["errors"]] == [("FX_QUOTE_REQUIRED", ["input", "fxQuoteId"])]
    card = pay_input(merchant.merchant_no, "77.00", "k-1", quote["id"])
    card["input"]["channel"] = "BANK_CARD"
    assert [e["code"] for e in (await gql.ok(PAY, card, token=token))["pay"]["errors"]] == ["VALIDATION_FAILED"]
    wrong = (await gql.ok(PAY, pay_input(merchant.merchant_no, "70.00", "k-2", quote["id"]), token=token))["pay"]
    assert [(e["code"], e["field"]) for e in wrong["errors"]] == [("VALIDATION_FAILED", ["input", "amount"])]
    theirs = (await gql.ok(PAY, pay_input(merchant.merchant_no, "77.00", "k-3", quote["id"]),
                           token=token_for(stranger)))["pay"]
    assert [e["code"] for e in theirs["errors"]] == ["NOT_FOUND"]

    clock.advance(timedelta(seconds=61))  # past the 60 s validity
    late = (await gql.ok(PAY, pay_input(merchant.merchant_no, "77.00", "k-4", quote["id"]), token=token))["pay"]
    assert [(e["code"], e["field"]) for e in late["errors"]] == [("FX_QUOTE_EXPIRED", ["input", "fxQuoteId"])]
    assert await wallet_balance(payer) == (300_00, 0)
    assert await _account_total(merchant.account_id) == 0
    assert await Transaction.filter(type="PAYMENT").count() == 0


async def test_jpy_has_no_minor_unit_and_rounds_half_up_to_the_yen(gql):
    merchant, owner, _admin = await foreign_merchant(gql, "JPY", "大阪烧")
    payer = await make_user()
    await fund(payer, 1000_00)
    token, owner_token = token_for(payer), token_for(owner)

    # 100.00 CNY / 0.0475 = 2105.26... yen -> 2105; 1 yen is 0.0475 CNY.
    quote = await _quote(gql, token, merchantNo=merchant.merchant_no, amount="100.00")
    assert (quote["cnyAmount"], quote["merchantAmount"], quote["rate"]) == ("100.00", "2105", "0.047500")
    # 1501 yen = 71.2975 CNY -> 71.30 (half-up to the fen).
    by_yen = await _quote(gql, token, merchantNo=merchant.merchant_no, amount="1501", amountCurrency="JPY")
    assert (by_yen["cnyAmount"], by_yen["merchantAmount"]) == ("71.30", "1501")
    bad = (await gql.ok(QUOTE, quote_input(merchantNo=merchant.merchant_no, amount="15.5", amountCurrency="JPY"),
                        token=token))["createFxQuote"]
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [("INVALID_AMOUNT", ["input", "amount"])]
    other = (await gql.ok(QUOTE, quote_input(merchantNo=merchant.merchant_no, amount="1", amountCurrency="USD"),
                          token=token))["createFxQuote"]
    assert [e["code"] for e in other["errors"]] == ["CURRENCY_NOT_SUPPORTED"]

    # A fixed-amount code of the JPY merchant: whole yen only.
    half = (await gql.ok(CREATE_QR, {"input": {"amount": "1500.50"}}, token=owner_token))["createPaymentQrCode"]
    assert [e["code"] for e in half["errors"]] == ["INVALID_AMOUNT"]
    code = (await gql.ok(CREATE_QR, {"input": {"amount": "1500.00"}}, token=owner_token))["createPaymentQrCode"]
    payload = code["qrCode"]["payload"]
    fixed = await _quote(gql, token, payload=payload)
    assert (fixed["cnyAmount"], fixed["merchantAmount"]) == ("71.25", "1500")

    unquoted = (await gql.ok(PAY_QR, pay_qr_input(payload, "q-0", None), token=token))["payQrCode"]
    assert [e["code"] for e in unquoted["errors"]] == ["FX_QUOTE_REQUIRED"]
    wrong_code = (await gql.ok(PAY_QR, pay_qr_input(payload, "q-1", quote["id"]), token=token))["payQrCode"]
    assert [e["code"] for e in wrong_code["errors"]] == ["VALIDATION_FAILED"]  # made by number, not for the code
    paid = (await gql.ok(PAY_QR, pay_qr_input(payload, "q-2", fixed["id"]), token=token))["payQrCode"]
    assert paid["errors"] == [], paid
    assert paid["transaction"]["fx"]["merchantAmount"] == "1500"
    assert paid["account"]["available"] == "928.75"
    assert await _account_total(merchant.account_id) == 1500
    report = await reconcile()
    assert report.clean, report.breaks


async def _refund(gql, payer_token: str, staff_token: str, transaction_no: str, amount: str) -> None:  # noqa: ANN001
    asked = (await gql.ok(REQUEST_REFUND, {"input": {"transactionNo": transaction_no, "amount": amount,
                                                     "reason": "WRONG_AMOUNT"}}, token=payer_token))["requestRefund"]
    assert asked["errors"] == [], asked
    done = (await gql.ok(REVIEW_REFUND, {"input": {"refundId": asked["refund"]["id"], "approve": True}},
                         token=staff_token))["reviewRefund"]
    assert done["errors"] == [] and done["refund"]["status"] == "COMPLETED", done


async def test_refunds_convert_back_at_the_original_rate_without_rounding_drift(gql):
    merchant, _owner, _admin = await foreign_merchant(gql, "USD")
    payer = await make_user()
    await fund(payer, 200_00)
    token, staff = token_for(payer), token_for(await make_staff("ADMIN"))
    quote = await _quote(gql, token, merchantNo=merchant.merchant_no, amount="100.00")
    paid = (await gql.ok(PAY, pay_input(merchant.merchant_no, "100.00", "r-1", quote["id"]), token=token))["pay"]
    number = paid["transaction"]["transactionNo"]
    assert await _account_total(merchant.account_id) == 1408

    await _refund(gql, token, staff, number, "30.00")  # 30% of 14.08 USD = 4.224 -> 4.22
    assert await _account_total(merchant.account_id) == 1408 - 422
    assert await wallet_balance(payer) == (130_00, 0)
    await _refund(gql, token, staff, number, "70.00")  # the rest: exactly what is left, 9.86
    assert await _account_total(merchant.account_id) == 0
    assert await wallet_balance(payer) == (200_00, 0)
    assert await _balances_by_code() == {"FX_POSITION_CNY": 0, "FX_POSITION_USD": 0, "FX_POSITION_EUR": 0,
                                         "FX_POSITION_HKD": 0, "FX_POSITION_JPY": 0}
    refunds = [e["node"] for e in (await gql.ok(HISTORY, token=token))["transactions"]["edges"]
               if e["node"]["type"] == "REFUND"]
    assert sorted((r["amount"], r["fx"]["merchantAmount"], r["fx"]["rate"]) for r in refunds) == [
        ("30.00", "4.22", "7.100000"), ("70.00", "9.86", "7.100000")
    ]
    report = await reconcile()
    assert report.clean, report.breaks


async def test_annual_cross_border_limit_counts_the_year_and_refuses_beyond_it(gql, platform, monkeypatch):
    # USD 100.00 a year = 710.00 CNY at the sandbox rate.
    monkeypatch.setattr(platform, "settings", replace(platform.settings, fx_annual_limit_usd_cents=100_00))
    merchant, _owner, _admin = await foreign_merchant(gql, "HKD", "香港茶餐厅")
    payer = await make_user()
    await fund(payer, 2000_00)
    token = token_for(payer)
    first = await _quote(gql, token, merchantNo=merchant.merchant_no, amount="500.00")
    assert (await gql.ok(PAY, pay_input(merchant.merchant_no, "500.00", "a-1", first["id"]), token=token))[
        "pay"]["errors"] == []
    second = await _quote(gql, token, merchantNo=merchant.merchant_no, amount="210.01")
    over = (await gql.ok(PAY, pay_input(merchant.merchant_no, "210.01", "a-2", second["id"]), token=token))["pay"]
    assert [(e["code"], e["field"]) for e in over["errors"]] == [("LIMIT_EXCEEDED", ["input", "amount"])]
    usage = (await gql.ok(USAGE, token=token))["crossBorderUsage"]
    assert usage == {"year": usage["year"], "usedCny": "500.00", "limitCny": "710.00", "remainingCny": "210.00"}
    exact = await _quote(gql, token, merchantNo=merchant.merchant_no, amount="210.00")
    assert (await gql.ok(PAY, pay_input(merchant.merchant_no, "210.00", "a-3", exact["id"]), token=token))[
        "pay"]["errors"] == []
    assert await wallet_balance(payer) == (1290_00, 0)
    # A new China calendar year starts the count again.
    clock.set_now(clock.now().replace(year=clock.now().year + 1, month=1, day=1, hour=0) + timedelta(hours=1))
    fresh = (await gql.ok(USAGE, token=token_for(payer)))["crossBorderUsage"]
    assert fresh["usedCny"] == "0.00"


async def test_staff_set_a_merchant_currency_only_before_it_moved_money_and_it_is_audited(gql):
    merchant, owner, admin = await foreign_merchant(gql, "CNY", "小店")
    denied = await gql(SET_CURRENCY, {"input": {"merchantNo": merchant.merchant_no, "currency": "HKD"}},
                       token=token_for(owner))
    assert denied.errors  # not staff
    done = (await gql.ok(SET_CURRENCY, {"input": {"merchantNo": merchant.merchant_no, "currency": "HKD"}},
                         token=admin))["setMerchantCurrency"]
    assert done["errors"] == [] and done["merchant"]["currency"] == "HKD"
    assert await AuditRecord.filter(action="MERCHANT_CURRENCY_SET").count() == 1

    payer = await make_user()
    await fund(payer, 100_00)
    quote = await _quote(gql, token_for(payer), merchantNo=merchant.merchant_no, amount="9.10")
    assert quote["merchantAmount"] == "10.00"
    assert (await gql.ok(PAY, pay_input(merchant.merchant_no, "9.10", "s-1", quote["id"]),
                         token=token_for(payer)))["pay"]["errors"] == []
    late = (await gql.ok(SET_CURRENCY, {"input": {"merchantNo": merchant.merchant_no, "currency": "CNY"}},
                         token=admin))["setMerchantCurrency"]
    assert [(e["code"], e["field"]) for e in late["errors"]] == [("INVALID_STATE", ["input", "currency"])]
    assert (await Account.get(id=merchant.account_id)).currency == "HKD"


async def test_a_cny_merchant_needs_no_quote_and_foreign_orders_are_refused(gql):
    from app.errors import DomainError
    from app.merchant_platform.orders import NewOrder, create_order
    from tests.factories import make_merchant

    cny_merchant, _ = await make_merchant()
    payer = await make_user()
    token = token_for(payer)
    refused = (await gql.ok(QUOTE, quote_input(merchantNo=cny_merchant.merchant_no, amount="1.00"),
                            token=token))["createFxQuote"]
    assert [e["code"] for e in refused["errors"]] == ["VALIDATION_FAILED"]
    foreign, _owner, _admin = await foreign_merchant(gql, "EUR")
    with pytest.raises(DomainError) as raised:
        await create_order(foreign, NewOrder(out_trade_no="o-1", amount=100))
    assert raised.value.code.value == "CURRENCY_NOT_SUPPORTED"


async def test_without_a_rate_source_quotes_are_refused(gql, platform, monkeypatch):
    merchant, _owner, _admin = await foreign_merchant(gql, "USD")
    monkeypatch.setattr(platform, "settings", replace(platform.settings, fx_rate_source="none"))
    payload = (await gql.ok(QUOTE, quote_input(merchantNo=merchant.merchant_no, amount="1.00"),
                            token=token_for(await make_user())))["createFxQuote"]
    assert [e["code"] for e in payload["errors"]] == ["FX_UNAVAILABLE"]


def test_production_never_serves_sandbox_rates(monkeypatch, tmp_path):
    monkeypatch.setenv("FENPAY_MODE", "production")
    monkeypatch.setenv("FENPAY_FX_RATE_SOURCE", "sandbox")
    with pytest.raises(ConfigurationError, match="FENPAY_FX_RATE_SOURCE"):
        from app.settings import _fx_rate_source

        _fx_rate_source(sandbox=False)
    monkeypatch.delenv("FENPAY_FX_RATE_SOURCE")
    from app.settings import _fx_rate_source

    assert _fx_rate_source(sandbox=False) == "none"
    assert load_settings is not None and runtime is not None


async def _post_raw(debit_code: str, credit_code: str, amount: int) -> None:
    """Two postings written past the kernel (as a bug or a hand edit would)."""
    from app.events.outbox import unit_of_work
    from app.ledger.accounts import system_account

    first, second = await system_account(debit_code), await system_account(credit_code)
    async with unit_of_work() as uow:
        journal = await Journal.create(kind="ADJUST", using_db=uow.conn)
        await Posting.create(journal_id=journal.id, account_id=first.id, bucket="AVAILABLE", amount=amount,
                             using_db=uow.conn)
        await Posting.create(journal_id=journal.id, account_id=second.id, bucket="AVAILABLE", amount=-amount,
                             using_db=uow.conn)


async def test_a_journal_summing_to_zero_across_currencies_is_a_break():
    from tests.conftest import PG_URL

    if PG_URL:  # the database itself refuses it at COMMIT (migration 2_balanced_per_currency)
        with pytest.raises(Exception, match="is not balanced: its (CNY postings sum to -5|USD postings sum to 5)$"):
            await _post_raw("FX_POSITION_USD", "BANK_CLEARING", 5)
        assert await Journal.all().count() == 0
        return
    await _post_raw("FX_POSITION_USD", "BANK_CLEARING", 5)
    report = await reconcile()
    assert any("sums to 5 USD" in b for b in report.breaks), report.breaks
    assert any("sums to -5 CNY" in b for b in report.breaks), report.breaks


async def test_reconcile_ties_the_red_packet_clearing_to_the_open_packets():
    await _post_raw("RED_PACKET_CLEARING", "BANK_CLEARING", 7)  # money no packet owes
    report = await reconcile()
    assert report.breaks == ["RED_PACKET_CLEARING holds 7 fen but open red packets owe 0 fen"]
    assert report.figures["red_packet_clearing_fen"] == 7 and report.figures["red_packets_unclaimed_fen"] == 0


async def test_merchant_daily_statement_and_user_history_show_both_currencies(gql):
    from datetime import datetime

    from app.merchant_platform.statements import build_ended_days
    from models.merchant_platform_money import MerchantStatement

    clock.set_now(datetime(2026, 11, 30, 4, 0, tzinfo=UTC))  # 12:00 China time
    merchant, owner, _admin = await foreign_merchant(gql, "JPY", "京都茶屋")
    payer = await make_user()
    await fund(payer, 500_00)
    token, staff = token_for(payer), token_for(await make_staff("ADMIN"))
    quote = await _quote(gql, token, merchantNo=merchant.merchant_no, amount="3000", amountCurrency="JPY")
    assert quote["cnyAmount"] == "142.50"
    paid = (await gql.ok(PAY, pay_input(merchant.merchant_no, "142.50", "d-1", quote["id"]), token=token))["pay"]
    await _refund(gql, token, staff, paid["transaction"]["transactionNo"], "47.50")  # a third: 1000 yen

    clock.set_now(datetime(2026, 11, 30, 17, 0, tzinfo=UTC))  # after the China day ended
    assert await build_ended_days(clock.now()) >= 1
    query = """{ viewer { merchant { statement(date: "2026-11-30") {
      currency grossInCurrency refundInCurrency ledgerChangeInCurrency grossCny refundCny orderCount
    } } } }"""
    statement = (await gql.ok(query, token=token_for(owner)))["viewer"]["merchant"]["statement"]
    assert statement == {"currency": "JPY", "grossInCurrency": "3000", "refundInCurrency": "1000",
                         "ledgerChangeInCurrency": "2000", "grossCny": "142.50", "refundCny": "47.50",
                         "orderCount": 1}
    csv_text = (await MerchantStatement.get(merchant_id=merchant.id)).csv
    lines = [line.split(",") for line in csv_text.lstrip("\ufeff").strip().split("\r\n")]
    assert lines[0][-2:] == ["currency", "cnyAmount"]
    assert [(r[0], r[5], r[-2], r[-1]) for r in lines[1:]] == [
        ("ORDER", "3000", "JPY", "142.50"), ("REFUND", "-1000", "JPY", "-47.50"), ("TOTAL", "2000", "JPY", "95.00"),
    ]
    history = (await gql.ok(HISTORY, token=token_for(payer)))["transactions"]["edges"]
    both = sorted((e["node"]["type"], e["node"]["amount"], e["node"]["fx"]["merchantAmount"])
                  for e in history if e["node"]["fx"])
    assert both == [("PAYMENT", "142.50", "3000"), ("REFUND", "47.50", "1000")]
