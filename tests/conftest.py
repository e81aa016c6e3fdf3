"""Test harness: one database per test run (SQLite by default; PostgreSQL and Redis when
FENPAY_TEST_DATABASE_URL / FENPAY_TEST_REDIS_URL are set), emptied before every test.

Fixtures:
- ``gql``: call the GraphQL API in-process over HTTP (httpx ASGI transport).
- ``server``: a real uvicorn process on a free port (see tests/harness/server.py).
- factories in tests/factories.py make users, tokens and balances directly.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from app import clock, runtime
from app.settings import load_settings
from tests.harness.database import create_test_database, drop_test_database, empty_all_tables
from tests.harness.graphql import GraphQLClient

TEST_DATA_DIR = Path(tempfile.mkdtemp(prefix="fenpay-test-"))
PG_URL = os.environ.get("FENPAY_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("FENPAY_TEST_REDIS_URL")


def pytest_report_header(config: pytest.Config) -> str:
    return f"fenpay backends: database={'postgres' if PG_URL else 'sqlite'} broker={'redis' if REDIS_URL else 'in-process'}"


@pytest.fixture(scope="session")
def test_env() -> dict[str, str]:
    """Environment shared by the in-process app and any server subprocess."""
    env = {
        "FENPAY_MODE": "sandbox",
        "FENPAY_DATA_DIR": str(TEST_DATA_DIR),
        "FENPAY_REDIS_PREFIX": f"fenpay-test-{secrets.token_hex(4)}:",
    }
    if PG_URL:
        env["FENPAY_DATABASE_URL"] = create_test_database(PG_URL)
    else:
        env["FENPAY_DATABASE_URL"] = f"sqlite://{TEST_DATA_DIR / 'test.sqlite3'}"
    if REDIS_URL:
        env["FENPAY_REDIS_URL"] = REDIS_URL
    os.environ.update(env)
    yield env
    if PG_URL:
        drop_test_database(PG_URL, env["FENPAY_DATABASE_URL"])


@pytest_asyncio.fixture(scope="session")
async def platform(test_env: dict[str, str]) -> AsyncIterator[runtime.Runtime]:
    rt = await runtime.start(load_settings(), migrate=True)
    yield rt
    await runtime.stop()


@pytest_asyncio.fixture(autouse=True)
async def clean_state(platform: runtime.Runtime) -> AsyncIterator[None]:
    """Every test starts with empty tables (plus reference data), real time and no rate limits."""
    from app import bootstrap

    clock.set_now(None)
    await empty_all_tables()
    await platform.kv.clear()
    await bootstrap.ensure_reference_data()
    yield
    clock.set_now(None)


@pytest.fixture(scope="session")
def asgi_app(platform: runtime.Runtime):  # noqa: ANN201
    from app.http.asgi import create_app

    return create_app(platform.settings, manage_runtime=False)


@pytest_asyncio.fixture
async def http(asgi_app) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    transport = httpx.ASGITransport(app=asgi_app, client=("127.0.0.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://fenpay.test") as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)
