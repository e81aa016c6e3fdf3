"""The shipped FAQ is in the database from the first start (and refreshed when the file changes)."""

from __future__ import annotations

from .faq import load_shipped_faq


async def ensure() -> None:
    await load_shipped_faq()
