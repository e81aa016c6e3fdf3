"""A download link dies with the account: statement CSV/PDF and personal-data links a user made
before closing the account answer 403 afterwards, on the served fenpay (review of issue 21)."""

from __future__ import annotations

from urllib.parse import urlparse

from .client import PASSWORD, Api

CLOSE = """mutation($input: CloseAccountInput!) { closeAccount(input: $input) {
  ok obligations errors { code message field } } }"""
CSV = """{ statementExport(from: "2026-11-01", to: "2026-11-30") { csvUrl } }"""
PDF = """{ statementExport(from: "2026-11-01", to: "2026-11-30", format: PDF) { url } }"""
ARCHIVE = """mutation($input: ExportMyDataInput!) { exportMyData(input: $input) {
  url errors { code message field } } }"""


async def _get(api: Api, url: str) -> tuple[int, str]:
    parts = urlparse(url)
    response = await api.http.get(f"{parts.path}?{parts.query}")
    return response.status_code, response.headers.get("content-type", "")


async def test_links_made_before_closing_show_nothing_after(api: Api) -> None:
    person = await api.register()
    links = {
        "csv": (await api.ok(CSV, token=person.token))["statementExport"]["csvUrl"],
        "archive": (await api.mutate(ARCHIVE, {"input": {"password": PASSWORD}}, token=person.token))["url"],
    }
    pdf = await api.request(PDF, token=person.token)
    if not pdf.get("errors"):  # a server without a CJK font answers PDF_UNAVAILABLE instead
        links["pdf"] = pdf["data"]["statementExport"]["url"]
    for name, url in links.items():
        assert (await _get(api, url))[0] == 200, name

    code = await api.send_code(person.phone, "CLOSE_ACCOUNT", token=person.token)
    closed = await api.mutate(CLOSE, {"input": {"password": PASSWORD, "verificationCode": code}}, token=person.token)
    assert closed["ok"], closed

    for name, url in links.items():
        assert await _get(api, url) == (403, "application/json"), name
