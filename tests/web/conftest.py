"""Fixtures of the browser tests: a real fenpay server, Chromium, and the server's capabilities.

Scenarios that need a part of the API the server does not serve yet skip with the
missing field names (``require(...)``), so the suite stays green while capabilities land.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio

from tests.harness.server import Server, run_server

from .browser import CHROMIUM, CHROMIUM_ARGS

ROOT_FIELDS = """{
  query: __type(name: "Query") { fields { name } }
  mutation: __type(name: "Mutation") { fields { name } }
  subscription: __type(name: "Subscription") { fields { name } }
}"""


@pytest.fixture(scope="session")
def web_server(test_env, platform) -> Iterator[Server]:  # noqa: ANN001
    with run_server(test_env) as server:
        yield server


@pytest.fixture(scope="session")
def capabilities(web_server: Server) -> frozenset[str]:
    """Names of every Query, Mutation and Subscription field the running server has."""
    response = httpx.post(f"{web_server.http_url}/graphql", json={"query": ROOT_FIELDS}, timeout=10)
    data = response.json()["data"]
    return frozenset(field["name"] for root in data.values() if root for field in root["fields"])


@pytest.fixture
def require(capabilities: frozenset[str]):  # noqa: ANN201
    """``require("topUp", "balanceChanged")`` skips the test unless the server has them all."""

    def check(*names: str) -> None:
        missing = sorted(set(names) - capabilities)
        if missing:
            pytest.skip(f"server does not serve {', '.join(missing)} yet")

    return check


@pytest_asyncio.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium: .ci/install-browser)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture
async def open_page(browser, web_server: Server):  # noqa: ANN001, ANN201
    """``await open_page(token=..., phone=...)``: a page in its own browser context.

    Contexts close after the test; a JavaScript exception on any page fails it.
    """
    from .browser import new_page

    pages = []

    async def make(*, token: str | None = None, phone: str | None = None):  # noqa: ANN202
        page = await new_page(browser, web_server.http_url, token=token, phone=phone)
        pages.append(page)
        return page

    yield make
    errors = [error for page in pages for error in page.console_errors]
    for page in pages:
        await page.context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
