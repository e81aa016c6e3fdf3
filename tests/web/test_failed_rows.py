"""Money that never moved is not shown as money: a FAILED row carries no sign and no colour."""

from __future__ import annotations

from playwright.async_api import expect

from tests.factories import card_number, fund, make_user, token_for
from tests.money.support import bind_card, top_up

from .browser import open_screen


async def test_a_failed_top_up_is_struck_through_not_a_green_plus(open_page, require, gql) -> None:  # noqa: ANN001
    require("topUp", "addBankCard")
    user = await make_user()
    await fund(user, 50_00)
    declined = await bind_card(gql, user, card_number(ending="0002"))
    refused = await top_up(gql, user, "20", card=declined)
    assert [e["code"] for e in refused["errors"]] == ["CHANNEL_DECLINED"]

    page = await open_page(token=token_for(user), phone=user.phone)
    await open_screen(page, "home")
    rows = page.get_by_test_id("recent-transactions").get_by_test_id("tx-row")
    await expect(rows).to_have_count(2)
    failed = page.locator("[data-testid=tx-row][data-status=FAILED]").get_by_test_id("tx-amount")
    await expect(failed).to_have_text("¥20.00")
    await expect(failed).to_have_class("tx-amount tx-amount-void")
    done = page.locator("[data-testid=tx-row][data-status=SUCCEEDED]").get_by_test_id("tx-amount")
    await expect(done).to_have_text("+¥50.00")
