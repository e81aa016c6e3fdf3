"""Against the real ``fenpay serve`` (two workers on PostgreSQL + Redis, one on SQLite): the
statement PDF fetched through its signed link, read back with PDFium (page 1 rendered, its text
holding the Chinese labels and the ledger's exact totals), and a closed account's wallet
refusing a payment into it (ACCOUNT_CLOSED) with ``fenpay reconcile`` clean; no traceback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio

from app import clock
from app.business_days import CHINA
from app.identity.codes import send_code
from app.ledger.accounts import wallet_of
from tests.factories import DEFAULT_PASSWORD, DEFAULT_PIN, fund, latest_code, make_user, token_for
from tests.harness.fenpay_serve import Served, fenpay_serve
from tests.harness.graphql import GraphQLClient, user_error_codes
from tests.self_service.test_statement_pdf import EXPORT, inked_share, pdf_text
from tests.self_service.test_statement_pdf import pytestmark as needs_font
from tests.self_service.test_statements import _ledger_sum
from tests.social.support import PAY_PART, REQUEST, fenpay_reconcile

pytestmark = needs_font
TRANSFER = """mutation($input: TransferInput!) { transfer(input: $input) { transaction { id } errors { code field } } }"""
CLOSE = """mutation($password: String!, $code: String) { closeAccount(input: {password: $password,
  verificationCode: $code}) { ok obligations errors { code } } }"""


@pytest.fixture(scope="module")
def served(test_env, platform) -> Iterator[Served]:  # noqa: ANN001
    with fenpay_serve(test_env) as server:
        yield server
    assert "Traceback" not in server.output(), server.output()


@pytest_asyncio.fixture
async def api(served: Served) -> AsyncIterator[GraphQLClient]:
    async with httpx.AsyncClient(base_url=served.http_url, timeout=60) as client:
        yield GraphQLClient(client)


async def test_the_statement_pdf_through_the_real_server_holds_the_ledger_totals(api, test_env):
    clock.set_now(None)
    alice, bob = await make_user(), await make_user()
    await fund(alice, 300_00)
    moved = await api.mutate(TRANSFER, {"input": {"recipient": bob.phone, "amount": "12.34",
                                                  "paymentPassword": DEFAULT_PIN, "idempotencyKey": "pdf-1"}},
                             token=token_for(alice))
    assert moved["errors"] == []
    today = datetime.now(UTC).astimezone(CHINA).date()
    link = (await api.ok(EXPORT, {"from": today.isoformat(), "to": today.isoformat(), "format": "PDF"},
                         token=token_for(alice)))["statementExport"]
    assert link["url"].startswith(api.http.base_url.scheme + "://") or link["url"].startswith("/")
    path = link["url"][link["url"].index("/statements/"):]
    response = await api.http.get(path)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert inked_share(response.content) > 0.01

    wallet = await wallet_of(alice.id)
    start = datetime(today.year, today.month, today.day, tzinfo=CHINA)
    closing = await _ledger_sum(wallet.id, None, start + timedelta(days=1))
    assert closing == 287_66
    [page] = pdf_text(response.content)
    assert "期初余额 收入合计 支出合计 期末余额" in page
    assert "¥0.00 ¥300.00 ¥12.34 ¥287.66" in page
    assert "充值" in page and "转账" in page and "+¥300.00" in page and "-¥12.34" in page
    assert "第 1 页 / 共 1 页" in page


async def test_paying_into_a_closed_account_through_the_real_server_is_refused(api, test_env):
    clock.set_now(None)
    requester, payer = await make_user(), await make_user()
    await fund(payer, 20_00)
    made = await api.mutate(REQUEST, {"input": {"payers": [{"recipient": payer.phone, "amount": "5.00"}]}},
                            token=token_for(requester))
    assert made["errors"] == []
    await send_code(requester.phone, "CLOSE_ACCOUNT")
    closed = await api.mutate(CLOSE, {"password": DEFAULT_PASSWORD, "code": await latest_code(requester.phone,
                                                                                               "CLOSE_ACCOUNT")},
                              token=token_for(requester))
    assert closed == {"ok": True, "obligations": [], "errors": []}
    paid = await api.mutate(PAY_PART, {"input": {"itemId": made["payRequest"]["items"][0]["id"],
                                                 "paymentPassword": DEFAULT_PIN, "idempotencyKey": "closed-1"}},
                            token=token_for(payer))
    assert user_error_codes(paid) == ["ACCOUNT_CLOSED"]
    balance = await api.ok("{ viewer { account { available } } }", token=token_for(payer))
    assert balance["viewer"]["account"]["available"] == "20.00"
    result = fenpay_reconcile(test_env)
    assert result.returncode == 0, result.stdout + result.stderr
