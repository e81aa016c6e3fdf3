"""Shared column helpers."""

from __future__ import annotations

from datetime import datetime

from tortoise import fields

from app import clock


def _now() -> datetime:
    return clock.now()


def created_at_field() -> fields.DatetimeField:
    """Creation time from the injectable clock (so tests can move time)."""
    return fields.DatetimeField(default=_now)
