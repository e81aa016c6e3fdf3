"""``fenpay doctor``: check what a deployment needs and say how to fix what is wrong.

Each check gives one ``Finding``: OK, WARN (works, but not as it should run in production) or
FAIL (something will not work), with the fix in plain words. The command exits non-zero on any
FAIL. Checks: configuration, database, migrations, broker/store, message channels, the
business-day calendar's coverage of this year and the next, and the statement PDFs' CJK font
(WARN when missing: everything else works, PDF requests answer PDF_UNAVAILABLE).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import clock, db
from ..settings import Settings

OK, WARN, FAIL = "ok", "warn", "FAIL"
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "models"


@dataclass(frozen=True)
class Finding:
    check: str
    status: str
    detail: str
    fix: str = ""

    def lines(self) -> list[str]:
        first = f"{self.status:<4} {self.check}: {self.detail}"
        return [first, f"     fix: {self.fix}"] if self.fix and self.status != OK else [first]


def configuration(settings: Settings) -> list[Finding]:
    """What loading the settings cannot refuse but production should not run with (short secrets,
    '*' origins and missing channels are refused by ``load_settings`` itself)."""
    found = [Finding("configuration", OK, f"mode {settings.mode}, database {settings.database_url.split('://')[0]}")]
    if settings.sandbox:
        return found
    if settings.graphiql or settings.introspection:
        found.append(Finding("configuration", WARN, "GraphiQL or introspection is on in production",
                             "unset FENPAY_GRAPHIQL and FENPAY_INTROSPECTION"))
    if not settings.redis_url:
        found.append(Finding("broker", WARN, "no Redis: events, limits and job locks live in this one process",
                             "set FENPAY_REDIS_URL before running more than one process"))
    return found


async def database(settings: Settings) -> list[Finding]:
    try:
        await db.init_db(settings)
        await db.ping()
    except Exception as exc:
        return [Finding("database", FAIL, f"{db_backend(settings)} unreachable ({type(exc).__name__})",
                        "check FENPAY_DATABASE_URL and that the database server is running")]
    found = [Finding("database", OK, f"{db_backend(settings)} answers")]
    found.append(await migrations())
    return found


def db_backend(settings: Settings) -> str:
    return "PostgreSQL" if settings.is_postgres else "SQLite"


async def migrations() -> Finding:
    from tortoise import connections

    # In the order ``fenpay migrate`` applies them (by number: 10 after 9).
    shipped = sorted((p.stem for p in MIGRATIONS.glob("*.py") if p.stem[:1].isdigit()), key=lambda s: int(s.split("_")[0]))
    try:
        rows = await connections.get("default").execute_query_dict("SELECT version FROM aerich")
    except Exception:
        return Finding("migrations", FAIL, "no migration has been applied", "run `fenpay migrate`")
    applied = {str(row["version"]).removesuffix(".py") for row in rows}
    pending = [name for name in shipped if name not in applied]
    if pending:
        return Finding("migrations", FAIL, f"pending: {', '.join(pending)}", "run `fenpay migrate`")
    return Finding("migrations", OK, f"{len(shipped)} applied")


async def broker(settings: Settings) -> list[Finding]:
    if not settings.redis_url:
        return [Finding("broker", OK, "in-process broker and store")]
    from redis.asyncio import Redis

    client = Redis.from_url(settings.redis_url, socket_timeout=3)
    try:
        await client.ping()
    except Exception as exc:
        return [Finding("broker", FAIL, f"Redis unreachable ({type(exc).__name__})",
                        "check FENPAY_REDIS_URL and that Redis is running")]
    finally:
        await client.aclose()
    return [Finding("broker", OK, "Redis answers")]


async def message_channels(settings: Settings) -> list[Finding]:
    if settings.sandbox:
        return [Finding("messages", OK, "sandbox outbox (GET /sandbox/messages)")]
    from ..messaging.channels import DeliveryError
    from ..messaging.configured import build_email, build_sms

    found = []
    for kind, channel in (("SMS", build_sms(settings.messaging)), ("email", build_email(settings.messaging))):
        if channel is None:
            found.append(Finding("messages", FAIL, f"no {kind} channel", "see README \"Operations\": message channels"))
            continue
        try:
            found.append(Finding("messages", OK, await channel.check()))
        except DeliveryError as exc:
            found.append(Finding("messages", FAIL, str(exc), f"check the {kind} settings and that the provider is reachable"))
    return found


def calendar_coverage() -> list[Finding]:
    from ..business_days import china_date
    from ..workdays.calendars import year_calendar

    this_year = china_date(clock.now()).year
    found = []
    for year in (this_year, this_year + 1):
        calendar = year_calendar(year)
        if calendar.makeup_known:
            found.append(Finding("calendar", OK, f"{year}: holidays and make-up working days known ({calendar.source})"))
        else:
            found.append(Finding("calendar", WARN if year > this_year else FAIL,
                                 f"{year}: make-up working days (调休) unknown",
                                 "add the year to the make-up day file (FENPAY_CALENDAR_FILE); `fenpay calendar YEAR` shows what fenpay believes"))
    return found


def statement_pdf_font(settings: Settings) -> list[Finding]:
    from ..statements import pdf_font

    font = pdf_font.statement_font(settings)
    if font is None:
        where = settings.statement_pdf_font or "fonts-wqy-microhei"
        return [Finding("pdf font", WARN, f"no CJK font for statement PDFs ({where} not found): PDF exports answer"
                        " PDF_UNAVAILABLE", pdf_font.FIX)]
    return [Finding("pdf font", OK, f"statement PDFs embed {font}")]


async def run(settings: Settings) -> list[Finding]:
    findings = configuration(settings)
    findings += await database(settings)
    findings += await broker(settings)
    findings += await message_channels(settings)
    findings += calendar_coverage()
    findings += statement_pdf_font(settings)
    return findings
