"""Monthly statements and the statement CSV export (guide 5.1, 8.1.5)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from app.statements.monthly import Breakdown
from app.statements.monthly import MonthlyStatement as Statement
from resolvers import statements as resolve

from ..context import Info
from ..permissions import SIGNED_IN
from ..scalars import Money


@strawberry.type
class StatementBreakdown:
    key: str = strawberry.field(description="Transaction type, counterparty or merchant name.")
    income: Money
    spending: Money
    count: int

    @classmethod
    def from_domain(cls, b: Breakdown) -> StatementBreakdown:
        return cls(key=b.key, income=Money(b.income), spending=Money(b.spending), count=b.count)


@strawberry.type(description="A China calendar month of the viewer's wallet, read from the ledger.")
class MonthlyStatement:
    month: str
    start: datetime
    end: datetime = strawberry.field(description="Exclusive.")
    opening_balance: Money
    closing_balance: Money = strawberry.field(description="openingBalance + income - spending.")
    income: Money
    spending: Money
    by_type: list[StatementBreakdown]
    by_counterparty: list[StatementBreakdown]
    top_merchants: list[StatementBreakdown] = strawberry.field(description="Up to 5, by net spending.")

    @classmethod
    def from_domain(cls, s: Statement) -> MonthlyStatement:
        return cls(
            month=s.month, start=s.start, end=s.end, opening_balance=Money(s.opening_balance),
            closing_balance=Money(s.closing_balance), income=Money(s.income), spending=Money(s.spending),
            by_type=[StatementBreakdown.from_domain(b) for b in s.by_type],
            by_counterparty=[StatementBreakdown.from_domain(b) for b in s.by_counterparty],
            top_merchants=[StatementBreakdown.from_domain(b) for b in s.top_merchants],
        )


@strawberry.enum(description="The document a statement export links to.")
class StatementExportFormat(Enum):
    CSV = "CSV"
    PDF = "PDF"


@strawberry.type
class StatementExport:
    csv_url: str = strawberry.field(description="UTF-8 CSV with BOM; works without a token until expiresAt.")
    expires_at: datetime
    format: StatementExportFormat = strawberry.field(description="The format asked for.")
    url: str = strawberry.field(
        description="The document in the format asked for (the CSV's link, or a PDF with Chinese text:"
        " totals, each entry, page numbers); works without a token until expiresAt."
    )


@strawberry.type
class StatementQuery:
    @strawberry.field(
        permission_classes=SIGNED_IN,
        description='The viewer\'s statement of a month ("YYYY-MM", China time; the last five years).',
    )
    async def monthly_statement(self, info: Info, month: str) -> MonthlyStatement:
        return MonthlyStatement.from_domain(await resolve.monthly_statement(info.context, month))

    @strawberry.field(
        permission_classes=SIGNED_IN,
        description='A signed link to the statement of China days from..to ("YYYY-MM-DD", inclusive, at most 366'
        " days) as CSV (csvUrl, and url by default) or PDF (url; PDF_UNAVAILABLE when the server has no CJK font).",
    )
    async def statement_export(
        self,
        info: Info,
        from_: Annotated[str, strawberry.argument(name="from")],
        to: str,
        format: StatementExportFormat = StatementExportFormat.CSV,  # noqa: A002 (the API's name)
    ) -> StatementExport:
        csv = await resolve.export_link(info.context, from_, to)
        if format is StatementExportFormat.CSV:
            return StatementExport(csv_url=csv.url, expires_at=csv.expires_at, format=format, url=csv.url)
        pdf = await resolve.pdf_link(info.context, from_, to)
        return StatementExport(csv_url=csv.url, expires_at=pdf.expires_at, format=format, url=pdf.url)
