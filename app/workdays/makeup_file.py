"""The file of make-up working days (调休) and extra holidays that operators extend.

Shape (JSON)::

    {"years": {"2027": {"workdays": ["2027-02-20", ...], "holidays": ["2027-02-11", ...],
                        "source": "free text"}}}

A year present in ``years`` counts as known, even with empty lists. The shipped file is
``app/workdays/data/makeup_workdays.json``; setting ``FENPAY_CALENDAR_FILE`` replaces it.
A malformed file raises ``MakeupFileError`` naming the file and the entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

SHIPPED_FILE = Path(__file__).with_name("data") / "makeup_workdays.json"


class MakeupFileError(ValueError):
    """The make-up day file cannot be read or does not have the documented shape."""


@dataclass(frozen=True)
class MakeupYear:
    """What the file says of one year: weekend days worked and extra days off."""

    year: int
    workdays: frozenset[date]
    holidays: frozenset[date]
    source: str


def configured_path() -> Path:
    """The file in use: ``FENPAY_CALENDAR_FILE`` (setting ``calendar_file``), else the shipped file."""
    from .. import runtime
    from ..settings import load_settings

    try:
        configured = runtime.settings().calendar_file
    except RuntimeError:  # no runtime started (a CLI command without the database)
        configured = load_settings().calendar_file
    return configured or SHIPPED_FILE


def _dates(path: Path, year: int, kind: str, raw: object) -> frozenset[date]:
    if not isinstance(raw, list):
        raise MakeupFileError(f"{path}: years.{year}.{kind} must be a list of YYYY-MM-DD dates")
    days = set()
    for text in raw:
        try:
            day = date.fromisoformat(text)
        except (TypeError, ValueError):
            raise MakeupFileError(f"{path}: years.{year}.{kind}: {text!r} is not a YYYY-MM-DD date") from None
        if day.year != year:
            raise MakeupFileError(f"{path}: years.{year}.{kind}: {text} is not in {year}")
        days.add(day)
    return frozenset(days)


@lru_cache(maxsize=8)
def _load(path: Path, modified_ns: int) -> dict[int, MakeupYear]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MakeupFileError(f"{path}: cannot read make-up working days ({exc})") from exc
    years = raw.get("years") if isinstance(raw, dict) else None
    if not isinstance(years, dict):
        raise MakeupFileError(f"{path}: expected an object with \"years\"")
    loaded: dict[int, MakeupYear] = {}
    for key, entry in years.items():
        if not (isinstance(key, str) and key.isascii() and key.isdigit() and len(key) == 4):
            raise MakeupFileError(f"{path}: {key!r} is not a year")
        year = int(key)
        if not isinstance(entry, dict):
            raise MakeupFileError(f"{path}: years.{year} must be an object")
        loaded[year] = MakeupYear(
            year=year,
            workdays=_dates(path, year, "workdays", entry.get("workdays", [])),
            holidays=_dates(path, year, "holidays", entry.get("holidays", [])),
            source=str(entry.get("source", "")),
        )
    return loaded


def makeup_year(year: int, path: Path | None = None) -> MakeupYear | None:
    """The file's entry for ``year``, or None when the file does not know that year.

    Re-read when the file changes (keyed by its modification time).
    """
    path = path or configured_path()
    try:
        modified = path.stat().st_mtime_ns
    except OSError as exc:
        raise MakeupFileError(f"{path}: cannot read make-up working days ({exc})") from exc
    return _load(path, modified).get(year)
