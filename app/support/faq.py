"""The FAQ: shipped as ``data/faq.json``, loaded idempotently, searched in either Chinese script.

Entries are Simplified Chinese; a search typed in Traditional characters is converted
to Simplified (OpenCC) before matching a Simplified copy of each entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from opencc import OpenCC

from models.support import FaqEntry

from ..errors import DomainError, ErrorCode

DATA_FILE = Path(__file__).with_name("data") / "faq.json"
MAX_SEARCH_LENGTH = 100


@dataclass(frozen=True)
class FaqItem:
    key: str
    category: str
    question: str
    answer: str
    position: int

    @property
    def search_text(self) -> str:
        return searchable(f"{self.question}\n{self.answer}")


@cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def searchable(text: str) -> str:
    """The form both entries and searches are compared in: Simplified script, lower case."""
    return _t2s().convert(text).lower()


@cache
def shipped_entries() -> tuple[FaqItem, ...]:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    items = []
    for position, entry in enumerate(raw["entries"]):
        items.append(
            FaqItem(
                key=entry["key"],
                category=entry["category"],
                question=entry["question"],
                answer=entry["answer"],
                position=position,
            )
        )
    keys = [item.key for item in items]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{DATA_FILE} repeats a key")
    return tuple(items)


async def load_shipped_faq() -> tuple[int, int]:
    """Create missing entries and refresh changed ones; returns (created, updated).

    Keyed by ``key``, so running it again changes nothing; missing entries are inserted
    if absent (``ON CONFLICT DO NOTHING``), so processes starting together do not collide.
    ``created`` counts the entries this call found missing.
    """
    existing = {row.key: row for row in await FaqEntry.all()}
    created: list[FaqEntry] = []
    updated = 0
    for item in shipped_entries():
        values = {
            "category": item.category,
            "question": item.question,
            "answer": item.answer,
            "search_text": item.search_text,
            "position": item.position,
        }
        row = existing.get(item.key)
        if row is None:
            created.append(FaqEntry(key=item.key, **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            await FaqEntry.filter(id=row.id).update(**values)
            updated += 1
    if created:
        await FaqEntry.bulk_create(created, ignore_conflicts=True)
    return len(created), updated


async def search_faq(search: str | None) -> list[FaqEntry]:
    """Every entry, or those whose question or answer contains each word of ``search``."""
    query = FaqEntry.all()
    if search is not None:
        if len(search) > MAX_SEARCH_LENGTH:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED,
                f"搜索内容不能超过 {MAX_SEARCH_LENGTH} 个字",
                ("search",),
            )
        for word in searchable(search).split():
            query = query.filter(search_text__contains=word)
    return list(await query.order_by("position", "id"))
