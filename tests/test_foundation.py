"""Foundation: the app answers, the schema file matches the code, migrations match the models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.ledger.reconcile import reconcile
from tests.factories import fund, make_user, token_for

ROOT = Path(__file__).resolve().parents[1]


async def test_health_reports_database_and_broker(http):
    response = await http.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["state"] == "ok"
    assert body["broker"]["state"] == "ok"


async def test_viewer_is_null_without_token(gql):
    data = await gql.ok("{ viewer { id } }")
    assert data == {"viewer": None}


async def test_viewer_with_forged_token_is_null(gql):
    data = await gql.ok("{ viewer { id } }", token="not-a-jwt")
    assert data == {"viewer": None}


async def test_viewer_with_token(gql):
    user = await make_user()
    data = await gql.ok("{ viewer { phone roles account { balance available frozen } } }", token=token_for(user))
    assert data["viewer"]["phone"] == user.phone[:3] + "****" + user.phone[-4:]
    assert data["viewer"]["account"] == {"balance": "0.00", "available": "0.00", "frozen": "0.00"}


async def test_reconcile_clean_after_funding():
    user = await make_user()
    await fund(user, 12_345)
    report = await reconcile()
    assert report.clean, report.breaks
    assert report.figures["wallet_available_fen"] == 12_345


def test_schema_file_matches_code():
    from schema.root import schema

    exported = schema.as_str().strip() + "\n"
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == exported, "schema.graphql is stale: run `strawberry export-schema schema.root:schema --output schema.graphql`"


def test_migration_matches_models():
    result = subprocess.run([sys.executable, "-m", "app.dbschema", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
