"""History with the filters of seed 5.1, and a refund asked for in the browser, approved in
the staff console, appearing on the user's screen without a reload."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.factories import fund, make_staff, make_user, token_for

from .browser import open_screen, screenshot
from .setup import create_merchant, pay_merchant


async def test_refund_approved_in_the_console_appears_on_the_users_screen(open_page, require, gql) -> None:  # noqa: ANN001
    require("createMerchant", "pay", "transactions", "transaction", "requestRefund", "refunds",
            "refundReviewQueue", "reviewRefund", "balanceChanged")
    owner = await make_user()
    merchant_no = await create_merchant(gql, owner.phone)
    payer = await make_user()
    await fund(payer, 100_00)
    transaction_no = await pay_merchant(gql, payer, merchant_no, "40.00", "refund-flow-1")

    user = await open_page(token=token_for(payer))
    await open_screen(user, "history")
    row = user.locator(f"[data-testid=tx-row][data-transaction-no='{transaction_no}']")
    await row.get_by_test_id("tx-toggle").click()
    await expect(row.get_by_test_id("tx-refundable")).to_have_text("¥40.00")
    refund = row.get_by_test_id("refund-form")
    await refund.get_by_test_id("input-reason").select_option("WRONG_AMOUNT")
    await refund.get_by_test_id("input-description").fill("多付了钱")
    await refund.get_by_test_id("refund-submit").click()
    await expect(row.get_by_test_id("refund-requested")).to_be_visible()
    mine = user.get_by_test_id("my-refunds").get_by_test_id("refund-row")
    await expect(mine).to_have_count(1)
    await expect(mine).to_have_attribute("data-status", "PENDING_REVIEW")
    await expect(user.get_by_test_id("refunds-live")).to_have_attribute("data-live", "on")

    support = await make_staff("SUPPORT")
    staff = await open_page(token=token_for(support))
    await open_screen(staff, "staff/refunds")
    item = staff.locator(f"[data-testid=refund-queue-item][data-transaction-no='{transaction_no}']")
    await expect(item).to_be_visible()
    await item.get_by_test_id("input-note").fill("核实无误，同意退款")
    await screenshot(staff, "staff-refund-review")
    await item.get_by_test_id("refund-approve").click()
    await expect(staff.get_by_test_id("refund-reviewed")).to_be_visible()

    await expect(mine).to_have_attribute("data-status", re.compile("APPROVED|COMPLETED"))
    # the open transaction keeps its place and shows the new state of its refund
    await expect(row.get_by_test_id("refund-row")).to_have_attribute("data-status", re.compile("APPROVED|COMPLETED"))
    await expect(row.get_by_test_id("tx-refundable")).to_have_text("¥0.00")
    await expect(user.locator("[data-testid=tx-row][data-type=REFUND]")).to_have_count(1)
    await screenshot(user, "history-refund")


async def test_history_filters_and_pages(open_page, require) -> None:  # noqa: ANN001
    require("transactions")
    user = await make_user()
    top_ups = [await fund(user, (index + 1) * 10_00) for index in range(12)]
    page = await open_page(token=token_for(user))
    await open_screen(page, "history")
    rows = page.get_by_test_id("history-list").get_by_test_id("tx-row")
    await expect(page.get_by_test_id("history-total")).to_have_text("共 12 笔")
    await expect(rows).to_have_count(10)
    await page.get_by_test_id("page-next").click()
    await expect(rows).to_have_count(2)
    await expect(page.get_by_test_id("page-next")).to_be_disabled()
    await page.get_by_test_id("page-prev").click()
    await expect(rows).to_have_count(10)

    form = page.get_by_test_id("history-filter")
    await form.get_by_test_id("input-minAmount").fill("50")
    await form.get_by_test_id("input-maxAmount").fill("80.00")
    await page.get_by_test_id("history-search").click()
    await expect(page.get_by_test_id("history-total")).to_have_text("共 4 笔")

    await form.get_by_test_id("input-minAmount").fill("")
    await form.get_by_test_id("input-maxAmount").fill("")
    await form.get_by_test_id("input-transactionNo").fill(top_ups[4].transaction_no)
    await page.get_by_test_id("history-search").click()
    await expect(rows).to_have_count(1)
    await expect(rows.get_by_test_id("tx-no")).to_have_text(top_ups[4].transaction_no)

    await form.get_by_test_id("input-transactionNo").fill("")
    await form.get_by_test_id("input-types-PAYMENT").check()
    await page.get_by_test_id("history-search").click()
    await expect(page.get_by_test_id("history-empty")).to_be_visible()
    await form.get_by_test_id("input-types-PAYMENT").uncheck()
    await form.get_by_test_id("input-types-TOP_UP").check()
    await form.get_by_test_id("input-statuses-SUCCEEDED").check()
    await form.get_by_test_id("input-counterparty").fill("测试银行")
    await page.get_by_test_id("history-search").click()
    await expect(page.get_by_test_id("history-total")).to_have_text("共 12 笔")
    await screenshot(page, "history")
