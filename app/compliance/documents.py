"""Versioned legal documents shipped as files in ``texts/``; registration stores the version accepted."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

TEXTS = Path(__file__).resolve().parent / "texts"
CURRENT_VERSION = "2026-11"
KINDS = {"USER_AGREEMENT": "user-agreement", "PRIVACY_POLICY": "privacy-policy"}


@dataclass(frozen=True)
class Document:
    kind: str
    version: str
    title: str
    body: str


@cache
def document(kind: str) -> Document:
    text = (TEXTS / f"{KINDS[kind]}-{CURRENT_VERSION}.md").read_text(encoding="utf-8")
    title, _, body = text.partition("\n")
    return Document(kind=kind, version=CURRENT_VERSION, title=title.lstrip("# ").strip(), body=body.strip())
