"""The user agreement and privacy policy are served with their version, without sign-in,
and the version a user accepted is readable by that user."""

from __future__ import annotations

import pytest

from app.compliance.documents import CURRENT_VERSION
from app.identity.users import create_user
from tests.factories import make_user, next_phone, token_for

# Tests here may run first: the database must be up before the per-test clean-up.
pytestmark = pytest.mark.usefixtures("platform")

DOCUMENTS = "{ legalDocuments { kind version title body } }"


async def test_documents_are_public_and_versioned(gql):
    data = await gql.ok(DOCUMENTS)
    documents = {d["kind"]: d for d in data["legalDocuments"]}
    assert set(documents) == {"USER_AGREEMENT", "PRIVACY_POLICY"}
    for document in documents.values():
        assert document["version"] == CURRENT_VERSION
        assert document["title"] and not document["title"].startswith("#")
        assert len(document["body"]) > 200
    assert "协议" in documents["USER_AGREEMENT"]["title"]
    assert "隐私" in documents["PRIVACY_POLICY"]["title"]


async def test_viewer_sees_the_version_they_accepted(gql):
    accepted = await create_user(next_phone(), "Fen!pay2026", terms_version=CURRENT_VERSION)
    data = await gql.ok("{ viewerTermsVersion }", token=token_for(accepted))
    assert data["viewerTermsVersion"] == CURRENT_VERSION
    legacy = await make_user()  # created without accepting (before the terms existed)
    assert (await gql.ok("{ viewerTermsVersion }", token=token_for(legacy)))["viewerTermsVersion"] is None
    assert (await gql("{ viewerTermsVersion }")).error_codes() == ["UNAUTHENTICATED"]
