"""Black-box end-to-end suite: the real ``fenpay serve`` in a subprocess, driven over HTTP and
websockets only (no in-process app, no fakes, no monkeypatching).

One server per test session, on the backend the run selects: SQLite with one process by
default; PostgreSQL + Redis with ``--workers 2`` when FENPAY_TEST_DATABASE_URL and
FENPAY_TEST_REDIS_URL are set (a fresh database is created and dropped). After every test
the server's new output is checked for tracebacks and logging errors.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from tests.harness.database import create_test_database, drop_test_database

from . import server as served_fenpay
from .client import Api, Staff, make_staff


@pytest.fixture(autouse=True)
def clean_state() -> None:
    """Overrides the in-process harness's fixture: this suite never touches the database itself."""
    return None


@pytest.fixture(scope="session")
def fenpay() -> Iterator[served_fenpay.ServedFenpay]:
    pg_server = os.environ.get("FENPAY_TEST_DATABASE_URL")
    redis_url = os.environ.get("FENPAY_TEST_REDIS_URL")
    database_url = create_test_database(pg_server) if pg_server else None
    data_dir = served_fenpay.new_data_dir()
    try:
        served = served_fenpay.start(data_dir, database_url=database_url, redis_url=redis_url)
        try:
            yield served
        finally:
            served_fenpay.stop(served)
        excerpt = served_fenpay.forbidden_excerpt(served.output())
        assert excerpt is None, f"the server printed a traceback or logging error:\n{excerpt}"
    finally:
        served_fenpay.remove_data_dir(data_dir)
        if pg_server and database_url:
            drop_test_database(pg_server, database_url)


@pytest.fixture(autouse=True)
def server_output_is_clean(fenpay: served_fenpay.ServedFenpay) -> Iterator[None]:
    """Fail the test during which the server printed a traceback or a logging error."""
    fenpay.new_output()
    yield
    excerpt = served_fenpay.forbidden_excerpt(fenpay.new_output())
    assert excerpt is None, f"the server printed a traceback or logging error during this test:\n{excerpt}"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def api(fenpay: served_fenpay.ServedFenpay) -> AsyncIterator[Api]:
    async with Api.connect(fenpay) as client:
        yield client


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def staff(api: Api) -> Staff:
    """One staff member per role, created with ``fenpay create-staff`` and signed in."""
    return await make_staff(api)
