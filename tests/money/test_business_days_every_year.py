"""Issue 16 item 7: business days for every year. chinese-calendar 1.11 has no 2027; fenpay then
uses the statutory holidays of the ``holidays`` package plus the make-up day file (never a
silent Monday-Friday), raises an alert from 1 November while next year's make-up days are
unknown, and ``fenpay calendar YEAR`` prints what it believes."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from app import clock, runtime
from app.business_days import is_business_day
from app.jobs.registry import run_once
from app.workdays.calendars import primary_knows, year_calendar
from app.workdays.jobs import ALERT_TYPE
from app.workdays.makeup_file import SHIPPED_FILE, MakeupFileError
from models.risk import RiskAlert
from tests.factories import fund, make_merchant, make_user, token_for, wallet_payment
from tests.history.docs import ask_refund

CHINA = timezone(timedelta(hours=8))
QUOTE = """
query($amount: Money!, $channel: Channel!) {
  withdrawalQuote(amount: $amount, channel: $channel) { expectedArrivalAt }
}"""
SPRING_FESTIVAL_2027 = [date(2027, 2, 5) + timedelta(days=n) for n in range(6)]  # 02-05 .. 02-10


def _china(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(CHINA)


async def _arrival(gql, at: datetime) -> datetime:  # noqa: ANN001
    user = await make_user()
    clock.set_now(at)
    data = await gql.ok(QUOTE, {"amount": "100", "channel": "BANK_CARD"}, token=token_for(user))
    return _china(data["withdrawalQuote"]["expectedArrivalAt"])


@pytest.fixture
def calendar_file(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """Point the running settings at an operator's own make-up day file; returns a writer."""
    path = tmp_path / "makeup.json"

    def write(years: dict) -> Path:  # noqa: ANN001
        path.write_text(json.dumps({"years": years}), encoding="utf-8")
        os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 1_000_000))
        return path

    rt = runtime.get()
    monkeypatch.setattr(rt, "settings", dataclasses.replace(rt.settings, calendar_file=path))
    return write


def test_the_primary_calendar_lacks_2027_so_the_fallback_is_exercised():
    assert primary_knows(2026)
    assert not primary_knows(2027)
    assert year_calendar(2027).source == "holidays"


def test_2027_statutory_holidays_come_from_the_holidays_package():
    assert not is_business_day(date(2027, 1, 1))  # New Year's Day, a Friday
    for day in SPRING_FESTIVAL_2027:
        assert not is_business_day(day), day
    assert is_business_day(date(2027, 2, 11))
    assert not is_business_day(date(2027, 10, 1))
    assert is_business_day(date(2027, 3, 1))


async def test_quote_on_new_years_eve_2026_arrives_on_the_first_working_day_of_2027(gql):
    arrival = await _arrival(gql, datetime(2026, 12, 31, 10, 0, tzinfo=CHINA))
    assert arrival.date() >= date(2027, 1, 4)
    assert arrival == datetime(2027, 1, 4, 9, 0, tzinfo=CHINA)


async def test_quote_before_spring_festival_2027_skips_the_holiday(gql):
    arrival = await _arrival(gql, datetime(2027, 2, 4, 10, 0, tzinfo=CHINA))
    assert arrival.date() not in SPRING_FESTIVAL_2027
    assert arrival == datetime(2027, 2, 11, 9, 0, tzinfo=CHINA)


async def test_the_operators_file_adds_make_up_working_days_and_holidays(gql, calendar_file):
    # Friday 2027-02-19: with Saturday 02-20 declared a make-up working day, money arrives then.
    calendar_file({"2027": {"workdays": ["2027-02-20"], "holidays": ["2027-02-11"]}})
    assert await _arrival(gql, datetime(2027, 2, 19, 10, 0, tzinfo=CHINA)) == datetime(2027, 2, 20, 9, 0, tzinfo=CHINA)
    # And an extra holiday moves the post-festival arrival from 02-11 to 02-12.
    assert await _arrival(gql, datetime(2027, 2, 4, 10, 0, tzinfo=CHINA)) == datetime(2027, 2, 12, 9, 0, tzinfo=CHINA)
    assert year_calendar(2027).makeup_known


async def test_a_malformed_file_is_an_error_not_a_silent_guess(calendar_file):
    calendar_file({"2027": {"workdays": ["2027-13-01"]}})
    with pytest.raises(MakeupFileError, match="2027-13-01"):
        is_business_day(date(2027, 3, 1))
    calendar_file({"2027": {"workdays": ["2028-01-02"]}})
    with pytest.raises(MakeupFileError, match="not in 2027"):
        is_business_day(date(2027, 3, 1))


async def test_refund_review_deadline_counts_2027_working_days(gql):
    alice = await make_user()
    shop, _ = await make_merchant()
    await fund(alice, 100_00)
    payment = await wallet_payment(alice, shop, 50_00)
    clock.set_now(datetime(2026, 12, 31, 10, 0, tzinfo=CHINA))
    refund = (await ask_refund(gql, token_for(alice), payment.transaction_no, amount="1.00"))["refund"]
    # Three working days after Thursday 2026-12-31: 01-04, 01-05, 01-06 (01-01 is a holiday).
    assert _china(refund["reviewDeadline"]) == datetime(2027, 1, 6, 10, 0, tzinfo=CHINA)


async def test_the_daily_job_alerts_from_november_while_next_years_make_up_days_are_unknown():
    await run_once(datetime(2026, 10, 31, 12, 0, tzinfo=CHINA))
    assert await RiskAlert.filter(type=ALERT_TYPE).count() == 0
    results = dict(await run_once(datetime(2026, 11, 1, 12, 0, tzinfo=CHINA)))
    assert "2027" in results["calendar-makeup-days"]
    alerts = await RiskAlert.filter(type=ALERT_TYPE)
    assert [(a.level, a.scope) for a in alerts] == [("HIGH", "PLATFORM")]
    assert "2027" in alerts[0].message
    # Once per day, again the next day.
    await run_once(datetime(2026, 11, 1, 18, 0, tzinfo=CHINA))
    assert await RiskAlert.filter(type=ALERT_TYPE).count() == 1
    await run_once(datetime(2026, 11, 2, 12, 0, tzinfo=CHINA))
    assert await RiskAlert.filter(type=ALERT_TYPE).count() == 2


async def test_no_alert_once_the_operator_adds_the_year(calendar_file):
    calendar_file({"2027": {"workdays": [], "holidays": [], "source": "operator"}})
    results = dict(await run_once(datetime(2026, 11, 1, 12, 0, tzinfo=CHINA)))
    assert "known" in results["calendar-makeup-days"]
    assert await RiskAlert.filter(type=ALERT_TYPE).count() == 0


def _fenpay_calendar(year: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "calendar", year],
        capture_output=True, text=True, timeout=60, env={**os.environ, **env},
    )


def test_fenpay_calendar_prints_what_fenpay_believes(tmp_path):
    result = _fenpay_calendar("2027")
    assert result.returncode == 0, result.stderr
    assert "source holidays package" in result.stdout
    assert "make-up working days UNKNOWN" in result.stdout
    assert "2027-02-05" in result.stdout and "2027-01-01" in result.stdout
    assert "Traceback" not in result.stderr

    own = tmp_path / "own.json"
    own.write_text(json.dumps({"years": {"2027": {"workdays": ["2027-02-20"]}}}), encoding="utf-8")
    result = _fenpay_calendar("2027", FENPAY_CALENDAR_FILE=str(own))
    assert result.returncode == 0, result.stderr
    assert "make-up working days from the file" in result.stdout
    assert "2027-02-20 周六" in result.stdout

    result = _fenpay_calendar("2026")
    assert "source chinese_calendar" in result.stdout and "2026-02-14 周六" in result.stdout

    own.write_text("{not json", encoding="utf-8")
    result = _fenpay_calendar("2027", FENPAY_CALENDAR_FILE=str(own))
    assert result.returncode == 2
    assert result.stderr.strip().startswith("fenpay:") and "Traceback" not in result.stderr


def test_the_shipped_file_is_valid_and_agrees_with_the_primary_calendar():
    data = json.loads(SHIPPED_FILE.read_text(encoding="utf-8"))
    for year, entry in data["years"].items():
        for text in entry.get("workdays", []):
            day = date.fromisoformat(text)
            assert day.weekday() >= 5, text
            if primary_knows(int(year)):
                assert is_business_day(day), text
