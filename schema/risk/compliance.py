"""The legal documents users accept at registration (user agreement, privacy policy)."""

from __future__ import annotations

from enum import Enum

import strawberry

from app.compliance.documents import Document


@strawberry.enum(name="LegalDocumentKind")
class LegalDocumentKindEnum(Enum):
    USER_AGREEMENT = "USER_AGREEMENT"
    PRIVACY_POLICY = "PRIVACY_POLICY"


@strawberry.type(name="LegalDocument")
class LegalDocumentType:
    kind: LegalDocumentKindEnum
    version: str = strawberry.field(description="The version registration stores as accepted, e.g. 2026-11.")
    title: str
    body: str = strawberry.field(description="Markdown text in Simplified Chinese.")

    @classmethod
    def from_document(cls, document: Document) -> LegalDocumentType:
        return cls(
            kind=LegalDocumentKindEnum(document.kind),
            version=document.version,
            title=document.title,
            body=document.body,
        )
