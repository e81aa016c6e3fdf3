"""A period of the wallet's statement as a PDF with Chinese text (guide 5.1, 8.1.5), behind
the same kind of signed ten-minute link as the CSV.

Contents (A4, fpdf2, the CJK font of ``pdf_font`` embedded as a subset): the period in China
days, the wallet's account number, 期初余额 / 收入合计 / 支出合计 / 期末余额, then one row per
ledger entry of the period, oldest first (as the CSV and the monthly statement): time in
China time, type in Chinese, counterparty (as the owner sees it, masked as stored), transaction
number and the amount as ``+¥12.50`` / ``-¥12.50``; the table's heading repeats on every page
and each page is numbered 第 n 页 / 共 m 页. Amounts are formatted from integer fen.

Errors: PDF_UNAVAILABLE (field ``format``) when the server has no CJK font; the period's
VALIDATION_FAILED as for the CSV, and VALIDATION_FAILED (field ``to``) when the period holds more
than MAX_ENTRIES entries: rendering costs the server about 1.3 ms of CPU an entry at every
download, so a longer period asks for a shorter one or the CSV.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from .. import clock, runtime, signed_links
from ..business_days import CHINA
from ..errors import DomainError, ErrorCode
from ..ledger.accounts import wallet_of
from ..money import format_fen
from . import pdf_font
from .csv_export import LINK_TTL, ExportLink, export_period
from .entries import Period, balance_before, china_midnight, wallet_entries

PURPOSE = "statement-pdf"
PATH = "/statements/export.pdf"
FONT = "cjk"
TYPE_TEXT = {
    "TOP_UP": "充值",
    "WITHDRAWAL": "提现",
    "PAYMENT": "付款",
    "TRANSFER": "转账",
    "REFUND": "退款",
    "WEALTH_PURCHASE": "理财申购",
    "WEALTH_REDEMPTION": "理财赎回",
    "WEALTH_INCOME": "理财收益",
    "PAYOUT": "商户提现",
    "RED_PACKET": "发红包",
    "RED_PACKET_CLAIM": "领红包",
    "RED_PACKET_REFUND": "红包退回",
    "ADJUSTMENT": "调账",
}
HEADING = ("时间（北京时间）", "类型", "对方", "交易单号", "金额")
WIDTHS = (36, 20, 54, 42, 28)  # mm, 180 in all: A4 less 15 mm margins
MAX_ENTRIES = 2000
"""Entries one PDF may show (about 2.6 s of the server's CPU to render, some 40 pages)."""


@dataclass(frozen=True)
class Row:
    at: datetime
    type: str
    counterparty: str
    transaction_no: str
    net: int
    """Fen; positive = money in."""


@dataclass(frozen=True)
class StatementPdf:
    """What the document shows (amounts in fen)."""

    first: date
    last: date
    account_no: str
    opening: int
    income: int
    spending: int
    rows: list[Row]
    generated_at: datetime

    @property
    def closing(self) -> int:
        return self.opening + self.income - self.spending


def signed_amount(fen: int) -> str:
    """``+¥12.50`` / ``-¥12.50`` (two decimals, no float)."""
    return f"{'-' if fen < 0 else '+'}¥{format_fen(abs(fen))}"


def yuan(fen: int) -> str:
    """``¥12.50`` (``-¥12.50`` below zero)."""
    return f"{'-' if fen < 0 else ''}¥{format_fen(abs(fen))}"


async def export_link(user_id: int, start_text: str, end_text: str) -> ExportLink:
    """A signed link to the PDF of the period (valid LINK_TTL); PDF_UNAVAILABLE without a font,
    VALIDATION_FAILED (``to``) above MAX_ENTRIES entries."""
    first, last = export_period(start_text, end_text)
    pdf_font.require_font(runtime.settings())
    wallet = await wallet_of(user_id)
    if len(await wallet_entries(wallet.id, _period(first, last))) > MAX_ENTRIES:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, f"该期间超过 {MAX_ENTRIES} 笔交易，请缩短期间或导出 CSV", ("to",)
        )
    token, expires = signed_links.sign(PURPOSE, {"u": user_id, "f": first.isoformat(), "t": last.isoformat()}, LINK_TTL)
    return ExportLink(url=signed_links.url(PATH, token), expires_at=expires)


def _period(first: date, last: date) -> Period:
    return Period(china_midnight(first), china_midnight(last + timedelta(days=1)))


async def statement_of(user_id: int, first: date, last: date) -> StatementPdf:
    """The user's wallet entries from ``first`` to ``last`` (China days, inclusive)."""
    wallet = await wallet_of(user_id)
    period = _period(first, last)
    entries = await wallet_entries(wallet.id, period)
    return StatementPdf(
        first=first,
        last=last,
        account_no=wallet.account_no,
        opening=await balance_before(wallet.id, period.start),
        income=sum(e.net for e in entries if e.net > 0),
        spending=-sum(e.net for e in entries if e.net < 0),
        rows=[
            Row(e.at, e.type, e.counterparty, e.transaction.transaction_no if e.transaction else "", e.net)
            for e in entries
        ],
        generated_at=clock.now(),
    )


class _Document(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 6, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")


def render(statement: StatementPdf, font: Path) -> bytes:
    """The PDF document (CPU-bound: call it off the event loop)."""
    pdf = _Document(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(f"fenpay 账单 {statement.first:%Y-%m-%d} 至 {statement.last:%Y-%m-%d}")
    pdf.set_creator("fenpay")
    pdf.add_font(FONT, fname=str(font), collection_font_number=0)
    pdf.add_page()
    pdf.set_font(FONT, size=16)
    pdf.cell(0, 10, "fenpay 账单", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    generated = statement.generated_at.astimezone(CHINA)
    for line in (
        f"账单期间：{statement.first:%Y-%m-%d} 至 {statement.last:%Y-%m-%d}（北京时间）",
        f"账户：{statement.account_no}",
        f"生成时间：{generated:%Y-%m-%d %H:%M:%S}",
    ):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    with pdf.table(col_widths=(45, 45, 45, 45), text_align="CENTER", first_row_as_headings=True,
                   headings_style=FontFace(emphasis=None, fill_color=(235, 235, 235))) as summary:
        summary.row(("期初余额", "收入合计", "支出合计", "期末余额"))
        summary.row(tuple(yuan(fen) for fen in (
            statement.opening, statement.income, statement.spending, statement.closing)))
    pdf.ln(4)
    pdf.set_font(FONT, size=9)
    if not statement.rows:
        pdf.cell(0, 8, "本期间没有交易", new_x="LMARGIN", new_y="NEXT")
    else:
        with pdf.table(col_widths=WIDTHS, text_align=("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT"),
                       headings_style=FontFace(emphasis=None, fill_color=(235, 235, 235)),
                       repeat_headings=1) as table:
            table.row(HEADING)
            for row in statement.rows:
                table.row((
                    row.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
                    TYPE_TEXT.get(row.type, row.type),
                    row.counterparty,
                    row.transaction_no,
                    signed_amount(row.net),
                ))
    return bytes(pdf.output())


async def pdf_for_token(token: str | None) -> tuple[bytes, str] | None:
    """(document, file name) for a genuine unexpired link token, else None; PDF_UNAVAILABLE
    when the font went missing since the link was made."""
    data = await signed_links.verify_for_open_account(PURPOSE, token)
    if data is None:
        return None
    font = pdf_font.require_font(runtime.settings())
    first, last = date.fromisoformat(data["f"]), date.fromisoformat(data["t"])
    statement = await statement_of(int(data["u"]), first, last)
    body = await asyncio.to_thread(render, statement, font)
    return body, f"fenpay-statement-{first:%Y%m%d}-{last:%Y%m%d}.pdf"
