"""statementExport(format: PDF): a signed ten-minute link to a PDF with Chinese text, checked by
reading it back with PDFium (its text, and page 1 rendered to an image); without a CJK font the
request answers PDF_UNAVAILABLE while the CSV still works, and ``fenpay doctor`` names the fix."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlparse

import pypdfium2 as pdfium
import pytest

from app import clock, runtime
from app.ledger.accounts import wallet_of
from app.ops import doctor
from app.statements import pdf_export, pdf_font
from tests.factories import make_user, token_for
from tests.self_service.test_statements import JAN, NOW, _history, _ledger_sum

pytestmark = pytest.mark.skipif(
    not os.environ.get("FENPAY_STATEMENT_PDF_FONT") and not any(p.is_file() for p in pdf_font.DEFAULT_PATHS),
    reason=f"no CJK font: {pdf_font.FIX} (bash .ci/install-browser)",
)

EXPORT = """query($from: String!, $to: String!, $format: StatementExportFormat) {
  statementExport(from: $from, to: $to, format: $format) { csvUrl url format expiresAt } }"""
FEB_START = datetime(2026, 1, 31, 16, 0, tzinfo=UTC)  # 2026-02-01 00:00 in Beijing


def pdf_text(document: bytes) -> list[str]:
    """The text of each page, as PDFium extracts it."""
    pdf = pdfium.PdfDocument(document)
    return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]


def inked_share(document: bytes) -> float:
    """Share of page 1's pixels that are not white, rendered by PDFium at 72 dpi."""
    image = pdfium.PdfDocument(document)[0].render(scale=1).to_pil().convert("L")
    histogram = image.histogram()
    return 1 - sum(histogram[250:]) / (image.width * image.height)


@contextmanager
def font_setting(path: str) -> Iterator[None]:
    rt = runtime.get()
    saved = rt.settings
    rt.settings = dataclasses.replace(saved, statement_pdf_font=path)
    try:
        yield
    finally:
        rt.settings = saved


async def test_the_pdf_shows_the_period_totals_and_every_entry_in_chinese(gql):
    alice, bob, coffee, books = await _history(gql)
    clock.set_now(NOW)
    wallet = await wallet_of(alice.id)
    link = (await gql.ok(EXPORT, {"from": "2026-01-01", "to": "2026-01-31", "format": "PDF"},
                         token=token_for(alice)))["statementExport"]
    assert link["format"] == "PDF" and link["url"] != link["csvUrl"] and "/statements/export.pdf?" in link["url"]
    url = urlparse(link["url"])
    response = await gql.http.get(f"{url.path}?{url.query}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="fenpay-statement-20260101-20260131.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert inked_share(response.content) > 0.01  # drawn, not blank

    # The totals, read independently from the ledger's postings.
    opening = await _ledger_sum(wallet.id, None, datetime(2025, 12, 31, 16, 0, tzinfo=UTC))
    closing = await _ledger_sum(wallet.id, None, FEB_START)
    assert (opening, closing) == (0, 788_71)
    [page] = pdf_text(response.content)
    for label in ("fenpay 账单", "账单期间：2026-01-01 至 2026-01-31（北京时间）", f"账户：{wallet.account_no}",
                  "期初余额", "收入合计", "支出合计", "期末余额", "第 1 页 / 共 1 页"):
        assert label in page, label
    assert "¥0.00 ¥1020.01 ¥231.30 ¥788.71" in page  # opening, income, spending, closing
    # Each entry: China time, type in Chinese, counterparty, signed amount; February's are not there.
    assert "2026-01-10 12:00:00 充值" in page
    assert "付款 街角咖啡" in page and "付款 三味书屋" in page
    for amount in ("+¥1000.00", "-¥12.50", "-¥30.00", "-¥88.80", "-¥100.00", "+¥20.01"):
        assert amount in page, amount
    assert "2026-01-31 23:30:00 转账" in page and "-¥5.00" not in page and "+¥50.00" not in page
    assert bob.phone not in page

    # Only the holder's link works, and only for ten minutes.
    tampered = url.query[:-1] + ("0" if url.query[-1] != "0" else "1")
    assert (await gql.http.get(f"{url.path}?{tampered}")).status_code == 403
    csv_token = urlparse(link["csvUrl"]).query
    assert (await gql.http.get(f"{url.path}?{csv_token}")).status_code == 403  # a CSV link opens no PDF
    clock.set_now(NOW + timedelta(minutes=11))
    assert (await gql.http.get(f"{url.path}?{url.query}")).status_code == 403


async def test_csv_stays_the_default_and_periods_are_checked_for_pdf_too(gql):
    clock.set_now(NOW)
    token = token_for(await make_user())
    default = (await gql.ok(EXPORT, {"from": "2026-11-01", "to": "2026-11-30"}, token=token))["statementExport"]
    assert default["format"] == "CSV" and default["url"] == default["csvUrl"]
    for start, end in (("2026-02-01", "2026-01-01"), ("2026-01-01", "2026-12-01"), ("2026-1-1", "2026-01-31")):
        result = await gql(EXPORT, {"from": start, "to": end, "format": "PDF"}, token=token)
        assert result.error_codes() == ["VALIDATION_FAILED"], (start, end, result)
    assert (await gql(EXPORT, {"from": "2026-11-01", "to": "2026-11-30", "format": "PDF"})).error_codes() == [
        "UNAUTHENTICATED"]


async def test_a_period_with_more_entries_than_a_pdf_shows_asks_for_a_shorter_one_or_the_csv(gql, monkeypatch):
    """Review finding: every download renders the PDF again (about 1.3 ms of CPU an entry), so a
    busy year made a link that cost the server tens of seconds per GET. Above MAX_ENTRIES the
    PDF link is refused (VALIDATION_FAILED on ``to``); the CSV of the same period still works."""
    alice, *_ = await _history(gql)  # six January entries
    clock.set_now(NOW)
    monkeypatch.setattr(pdf_export, "MAX_ENTRIES", 5)
    january = {"from": "2026-01-01", "to": "2026-01-31"}
    refused = await gql(EXPORT, {**january, "format": "PDF"}, token=token_for(alice))
    assert refused.error_codes() == ["VALIDATION_FAILED"], refused
    assert refused.errors[0]["extensions"]["field"] == ["to"] and "CSV" in refused.errors[0]["message"]
    assert (await gql.ok(EXPORT, {**january, "format": "CSV"}, token=token_for(alice)))["statementExport"]["url"]
    monkeypatch.setattr(pdf_export, "MAX_ENTRIES", 6)
    link = (await gql.ok(EXPORT, {**january, "format": "PDF"}, token=token_for(alice)))["statementExport"]["url"]
    url = urlparse(link)
    assert (await gql.http.get(f"{url.path}?{url.query}")).status_code == 200


async def test_an_empty_period_and_many_pages_are_numbered():
    rows = [pdf_export.Row(JAN + timedelta(hours=i), "PAYMENT", f"商户{i}", f"T{i:020d}", -(i + 1)) for i in range(80)]
    statement = pdf_export.StatementPdf(date(2026, 1, 1), date(2026, 1, 31), "6200000000000001", 100_00, 0,
                                        sum(range(1, 81)), rows, NOW)
    font = pdf_font.require_font(runtime.settings())
    pages = pdf_text(pdf_export.render(statement, font))
    assert len(pages) >= 2
    assert [f"第 {n} 页 / 共 {len(pages)} 页" in text for n, text in enumerate(pages, 1)] == [True] * len(pages)
    assert all("时间（北京时间）" in text for text in pages)  # the heading repeats
    assert "商户79" in pages[-1] and "-¥0.80" in pages[-1]
    empty = dataclasses.replace(statement, rows=[], spending=0)
    [text] = pdf_text(pdf_export.render(empty, font))
    assert "本期间没有交易" in text and "¥100.00 ¥0.00 ¥0.00 ¥100.00" in text


async def test_without_a_cjk_font_pdf_requests_are_refused_clearly_and_doctor_names_the_fix(gql):
    clock.set_now(NOW)
    token = token_for(await make_user())
    period = {"from": "2026-11-01", "to": "2026-11-30"}
    made = (await gql.ok(EXPORT, {**period, "format": "PDF"}, token=token))["statementExport"]
    with font_setting("/nonexistent/font.ttf"):
        refused = await gql(EXPORT, {**period, "format": "PDF"}, token=token)
        assert refused.error_codes() == ["PDF_UNAVAILABLE"]
        assert "CSV" in refused.errors[0]["message"]
        assert (await gql.ok(EXPORT, period, token=token))["statementExport"]["csvUrl"]
        url = urlparse(made["url"])  # a link made before the font went missing
        late = await gql.http.get(f"{url.path}?{url.query}")
        assert late.status_code == 503 and late.json()["error"] == "PDF_UNAVAILABLE"
        [finding] = doctor.statement_pdf_font(runtime.settings())
        assert finding.status == doctor.WARN and "fonts-wqy-microhei" in finding.fix
    [finding] = doctor.statement_pdf_font(runtime.settings())
    assert finding.status == doctor.OK
