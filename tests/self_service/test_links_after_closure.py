"""Signed download links die with the account (issue 21, review): a statement CSV or PDF link
or a personal-data archive link made before the user closed the account answers 403
LINK_INVALID_OR_EXPIRED afterwards, though it has not expired; links of other users still work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest

from app import clock, runtime, signed_links
from app.errors import DomainError
from app.privacy import export
from app.statements import csv_export, pdf_font
from tests.factories import DEFAULT_PASSWORD, make_user, token_for
from tests.self_service.test_closed_wallet import _close

NOW = datetime(2026, 11, 30, 2, 0, 5, tzinfo=UTC)
CSV = """{ statementExport(from: "2026-11-01", to: "2026-11-30") { csvUrl } }"""
PDF = """{ statementExport(from: "2026-11-01", to: "2026-11-30", format: PDF) { url } }"""
ARCHIVE = """mutation($password: String!) { exportMyData(input: {password: $password}) {
  url errors { code message field } } }"""


async def _links(gql, user) -> dict[str, str]:  # noqa: ANN001
    token = token_for(user)
    links = {
        "csv": (await gql.ok(CSV, token=token))["statementExport"]["csvUrl"],
        "archive": (await gql.mutate(ARCHIVE, {"password": DEFAULT_PASSWORD}, token=token))["url"],
    }
    if _font_available():
        links["pdf"] = (await gql.ok(PDF, token=token))["statementExport"]["url"]
    return links


def _font_available() -> bool:
    try:
        pdf_font.require_font(runtime.settings())
    except DomainError:  # PDF_UNAVAILABLE: this machine has no CJK font; CSV and archive still checked
        return False
    return True


async def _get(gql, url: str):  # noqa: ANN001
    parts = urlparse(url)
    return await gql.http.get(f"{parts.path}?{parts.query}")


async def test_links_made_before_closing_the_account_show_nothing_after(gql):
    clock.set_now(NOW)
    leaving, staying = await make_user(), await make_user()
    mine, theirs = await _links(gql, leaving), await _links(gql, staying)
    for name, url in mine.items():
        assert (await _get(gql, url)).status_code == 200, name

    closed = await _close(gql, leaving)
    assert closed["ok"], closed

    for name, url in mine.items():
        response = await _get(gql, url)
        assert response.status_code == 403, (name, response.status_code)
        assert response.json() == {"error": "LINK_INVALID_OR_EXPIRED"}, name
    for name, url in theirs.items():
        assert (await _get(gql, url)).status_code == 200, name


@pytest.mark.parametrize("kind", ["csv", "archive"])
async def test_a_link_naming_no_user_is_refused(gql, kind):  # noqa: ANN001
    clock.set_now(NOW)
    purpose, path = {"csv": (csv_export.PURPOSE, csv_export.PATH), "archive": (export.PURPOSE, export.PATH)}[kind]
    token, _ = signed_links.sign(purpose, {"u": 987654, "f": "2026-11-01", "t": "2026-11-30"}, timedelta(minutes=10))
    response = await gql.http.get(f"{path}?token={token}")
    assert response.status_code == 403 and response.json() == {"error": "LINK_INVALID_OR_EXPIRED"}
