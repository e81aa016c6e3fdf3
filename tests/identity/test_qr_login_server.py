"""QR login against a real uvicorn server: the page over a websocket, the phone over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import make_user, token_for
from tests.harness.server import run_server
from tests.harness.websocket import connect, subscribe
from tests.identity.qr_documents import CONFIRM, CREATE, SCAN, STATUS


@pytest.fixture(scope="module")
def server(test_env, platform):  # noqa: ANN001
    with run_server(test_env) as srv:
        yield srv


async def _call(server: Any, query: str, variables: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=server.http_url, timeout=10) as client:
        response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body = response.json()
    assert not body.get("errors"), body
    (payload,) = body["data"].values()
    return payload


async def test_qr_login_over_a_websocket(server):
    phone_user = await make_user()
    created = await _call(server, CREATE, {"d": "Firefox · 北京"})
    session, secret = created["session"], created["secret"]
    async with connect(server.ws_url) as ws:
        page = await subscribe(ws, STATUS, {"id": session["id"], "secret": secret})
        assert (await page.next_data())["qrLoginStatus"]["status"] == "PENDING"

        scanned = await _call(server, SCAN, {"p": session["payload"]}, token_for(phone_user))
        assert scanned["errors"] == [] and scanned["clientDescription"] == "Firefox · 北京"
        event = (await page.next_data())["qrLoginStatus"]
        assert event["status"] == "SCANNED" and event["auth"] is None

        confirmed = await _call(server, CONFIRM, {"id": session["id"], "approve": True}, token_for(phone_user))
        assert confirmed["errors"] == []
        event = (await page.next_data())["qrLoginStatus"]
        assert event["status"] == "CONFIRMED"
        tokens = event["auth"]
        assert tokens["expiresIn"] == 900 and tokens["refreshToken"]
        assert (await page.next())["type"] == "complete"

    viewer = await _call(server, "{ viewer { id } }", {}, tokens["accessToken"])
    assert viewer == {"id": tokens["user"]["id"]}


async def test_declined_qr_login_over_a_websocket(server):
    phone_user = await make_user()
    created = await _call(server, CREATE, {"d": None})
    session = created["session"]
    async with connect(server.ws_url) as ws:
        page = await subscribe(ws, STATUS, {"id": session["id"], "secret": created["secret"]})
        assert (await page.next_data())["qrLoginStatus"]["status"] == "PENDING"
        await _call(server, SCAN, {"p": session["payload"]}, token_for(phone_user))
        assert (await page.next_data())["qrLoginStatus"]["status"] == "SCANNED"
        await _call(server, CONFIRM, {"id": session["id"], "approve": False}, token_for(phone_user))
        event = (await page.next_data())["qrLoginStatus"]
        assert event["status"] == "REJECTED" and event["auth"] is None
        assert (await page.next())["type"] == "complete"


async def test_wrong_secret_gets_an_error_on_the_websocket(server):
    created = await _call(server, CREATE, {"d": None})
    async with connect(server.ws_url) as ws:
        page = await subscribe(ws, STATUS, {"id": created["session"]["id"], "secret": "guessed-secret"})
        message = await page.next()
        errors = message["payload"] if message["type"] == "error" else message["payload"].get("errors")
        assert errors, message
        assert errors[0]["extensions"]["code"] == "NOT_FOUND"
        assert "auth" not in str(message.get("payload", {}).get("data") or "")
