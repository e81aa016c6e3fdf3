"""Issue 17 against a real ``fenpay serve`` (two workers on PostgreSQL + Redis, one on SQLite):
revoked sign-ins stop at once over HTTP and websockets, sockets end with their token, the legacy
protocol takes one init, and lockouts hold under bursts of concurrent guesses (issue 16, item 5)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
import websockets

from models import Transaction, User
from tests.factories import DEFAULT_PASSWORD, DEFAULT_PIN, fund, make_user, next_phone, token_for
from tests.harness.fenpay_serve import Served, fenpay_serve
from tests.harness.graphql import GraphQLClient, user_error_codes
from tests.identity.helpers import LOGIN

LOGOUT = "mutation($t: String!) { logout(input: {refreshToken: $t}) { ok errors { code } } }"
CHANGE_PASSWORD = """mutation($old: String!, $new: String!) {
  changePassword(input: {oldPassword: $old, newPassword: $new, confirmPassword: $new}) { ok errors { code } } }"""
TRANSFER = """mutation($input: TransferInput!) { transfer(input: $input) {
  transaction { id } errors { code field } } }"""
VIEWER = "{ viewer { id } }"
NEW_PASSWORD = "New!pass2026"


@pytest.fixture(scope="module")
def served(test_env, platform) -> Iterator[Served]:  # noqa: ANN001
    with fenpay_serve(test_env) as server:
        yield server


@pytest_asyncio.fixture
async def api(served: Served) -> AsyncIterator[GraphQLClient]:
    limits = httpx.Limits(max_connections=60, max_keepalive_connections=60)
    async with httpx.AsyncClient(base_url=served.http_url, timeout=60, limits=limits) as client:
        yield GraphQLClient(client)


async def _sign_in(api: GraphQLClient, phone: str, password: str = DEFAULT_PASSWORD) -> dict[str, Any]:
    payload = await api.mutate(LOGIN, {"identifier": phone, "password": password})
    assert payload["errors"] == [], payload
    return payload["auth"]


def _transfer(recipient: str, pin: str = DEFAULT_PIN, amount: str = "1.00") -> dict[str, Any]:
    return {"input": {"recipient": recipient, "amount": amount, "paymentPassword": pin,
                      "idempotencyKey": secrets.token_hex(12)}}


async def _refused(api: GraphQLClient, token: str) -> bool:
    """True when the token no longer signs anyone in (a transfer answers UNAUTHENTICATED)."""
    result = await api(TRANSFER, _transfer("13900000000"), token=token)
    return result.error_codes() == ["UNAUTHENTICATED"]


async def test_logout_and_password_change_end_access_tokens_at_once(api):
    user, friend = await make_user(), await make_user()
    await fund(user, 10_000)
    a, b, c = [await _sign_in(api, user.phone) for _ in range(3)]
    assert (await api.ok(VIEWER, token=b["accessToken"]))["viewer"]["id"]

    assert (await api.mutate(LOGOUT, {"t": b["refreshToken"]}))["errors"] == []
    assert await _refused(api, b["accessToken"])
    assert (await api.ok(VIEWER, token=b["accessToken"]))["viewer"] is None
    # The others are untouched by B's logout.
    assert (await api.mutate(TRANSFER, _transfer(friend.phone), token=c["accessToken"]))["errors"] == []

    changed = await api.mutate(CHANGE_PASSWORD, {"old": DEFAULT_PASSWORD, "new": NEW_PASSWORD}, token=a["accessToken"])
    assert changed["errors"] == []
    for session in (a, c):
        assert await _refused(api, session["accessToken"])
    assert await Transaction.filter(type="TRANSFER").count() == 1


async def _ws(url: str, token: str, protocol: str = "graphql-transport-ws") -> Any:
    ws = await websockets.connect(url, subprotocols=[protocol], open_timeout=10)
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    ack = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
    assert ack["type"] == "connection_ack", ack
    return ws


async def _close_code(ws: Any, timeout: float = 10.0) -> int:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), timeout=timeout)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


@pytest.mark.parametrize(("protocol", "kind"), [("graphql-transport-ws", "subscribe"), ("graphql-ws", "start")])
async def test_a_socket_opened_before_logout_cannot_move_money_after_it(api, served, protocol, kind):
    user, friend = await make_user(), await make_user()
    await fund(user, 10_000)
    session = await _sign_in(api, user.phone)
    ws = await _ws(served.ws_url, session["accessToken"], protocol)
    try:
        assert (await api.mutate(LOGOUT, {"t": session["refreshToken"]}))["errors"] == []
        with contextlib.suppress(websockets.ConnectionClosed):  # the logout may have closed it already
            await ws.send(json.dumps({"id": "1", "type": kind, "payload": {
                "query": TRANSFER, "variables": _transfer(friend.phone)}}))
        assert await _close_code(ws) == 4401
    finally:
        await ws.close()
    assert await Transaction.filter(type="TRANSFER").count() == 0


async def test_logout_closes_an_idle_subscription_at_once_on_every_worker(api, served):
    """A socket that only listens sends no operation to be refused: the logout is announced to
    every worker, which closes the sign-in's sockets at once (before: at its next periodic
    check, up to 15 s later, still pushing the events of that window)."""
    user, friend = await make_user(), await make_user()
    await fund(friend, 10_000)
    session = await _sign_in(api, user.phone)
    ws = await _ws(served.ws_url, session["accessToken"])
    try:
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription { balanceChanged { delta } }"}}))
        for _ in range(20):  # until the subscription is live: a transfer's event arrives
            sent = await api.mutate(TRANSFER, _transfer(user.phone), token=token_for(friend))
            assert sent["errors"] == [], sent
            with contextlib.suppress(TimeoutError):
                pushed = json.loads(await asyncio.wait_for(ws.recv(), timeout=1))
                assert pushed["type"] == "next", pushed
                break
        else:
            pytest.fail("no balanceChanged after 20 transfers")
        assert (await api.mutate(LOGOUT, {"t": session["refreshToken"]}))["errors"] == []
        assert await _close_code(ws, timeout=5) == 4401  # well before the 15 s periodic check
    finally:
        await ws.close()


async def test_a_password_change_closes_open_sockets(api, served):
    user = await make_user()
    first, second = await _sign_in(api, user.phone), await _sign_in(api, user.phone)
    ws = await _ws(served.ws_url, second["accessToken"])
    try:
        changed = await api.mutate(CHANGE_PASSWORD, {"old": DEFAULT_PASSWORD, "new": NEW_PASSWORD},
                                   token=first["accessToken"])
        assert changed["errors"] == []
        with contextlib.suppress(websockets.ConnectionClosed):  # the change may have closed it already
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": VIEWER}}))
        assert await _close_code(ws) == 4401
    finally:
        await ws.close()


async def test_the_legacy_protocol_takes_one_connection_init(api, served):
    ws = await websockets.connect(served.ws_url, subprotocols=["graphql-ws"], open_timeout=10)
    try:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), timeout=10))["type"] == "connection_ack"
        for _ in range(50):  # was: each one acked and a keep-alive task started that nothing cancelled
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert await _close_code(ws) == 4429
    finally:
        await ws.close()
    assert (await api.http.get("/health")).status_code == 200


@pytest.fixture(scope="module")
def short_lived(test_env, platform) -> Iterator[Served]:  # noqa: ANN001
    """Access tokens of 2 s and a 1 s websocket init timeout."""
    with fenpay_serve(test_env, extra_env={"FENPAY_ACCESS_TOKEN_TTL": "2", "FENPAY_WS_INIT_TIMEOUT_SECONDS": "1"}) as server:
        yield server


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_sockets_close_when_their_token_expires_or_without_init(short_lived, protocol):
    user = await make_user()
    async with httpx.AsyncClient(base_url=short_lived.http_url, timeout=30) as client:
        session = await _sign_in(GraphQLClient(client), user.phone)
    ws = await _ws(short_lived.ws_url, session["accessToken"], protocol)
    try:
        assert await _close_code(ws, timeout=8) == 4401  # the server closes it at expiry (2 s)
    finally:
        await ws.close()
    idle = await websockets.connect(short_lived.ws_url, subprotocols=[protocol], open_timeout=10)
    try:
        assert await _close_code(idle, timeout=8) == 4408
    finally:
        await idle.close()


async def test_forty_concurrent_wrong_pins_get_at_most_five_tries(api, served):
    user, friend = await make_user(), await make_user()
    await fund(user, 100_000)
    session = await _sign_in(api, user.phone)
    wrong = await asyncio.gather(*[
        api.mutate(TRANSFER, _transfer(friend.phone, pin=f"{900000 + i:06d}"), token=session["accessToken"])
        for i in range(40)
    ])
    codes = Counter(code for payload in wrong for code in user_error_codes(payload))
    assert set(codes) <= {"INVALID_PAYMENT_PASSWORD", "PAYMENT_PASSWORD_LOCKED"}, codes
    assert codes["INVALID_PAYMENT_PASSWORD"] <= 4, codes  # the fifth evaluated try answers LOCKED
    right = await api.mutate(TRANSFER, _transfer(friend.phone), token=session["accessToken"])
    assert user_error_codes(right) == ["PAYMENT_PASSWORD_LOCKED"]
    assert await Transaction.filter(type="TRANSFER").count() == 0
    assert (await User.get(id=user.id)).payment_locked_until is not None


async def _login_burst(api: GraphQLClient, identifier: str) -> Counter:
    answers = await asyncio.gather(*[
        api.mutate(LOGIN, {"identifier": identifier, "password": f"Wrong!{i:04d}x"}) for i in range(40)
    ])
    return Counter(code for payload in answers for code in user_error_codes(payload))


async def test_forty_concurrent_wrong_logins_get_at_most_five_tries_registered_or_not(api):
    user = await make_user()
    registered = await _login_burst(api, user.phone)
    unknown = await _login_burst(api, next_phone())
    for codes in (registered, unknown):
        assert set(codes) <= {"INVALID_CREDENTIALS", "ACCOUNT_LOCKED"}, codes
        assert codes["INVALID_CREDENTIALS"] <= 5 and codes["ACCOUNT_LOCKED"] >= 35, codes
    right = await api.mutate(LOGIN, {"identifier": user.phone, "password": DEFAULT_PASSWORD})
    assert user_error_codes(right) == ["ACCOUNT_LOCKED"] and right["auth"] is None


async def test_locked_answers_do_not_tell_registered_from_unknown(api):
    user = await make_user()
    stranger = next_phone()
    for _ in range(6):
        mine = await api.mutate(LOGIN, {"identifier": user.phone, "password": "Wrong!pass99"})
        theirs = await api.mutate(LOGIN, {"identifier": stranger, "password": "Wrong!pass99"})
        assert mine["errors"] == theirs["errors"]
    assert user_error_codes(mine) == ["ACCOUNT_LOCKED"]


async def test_transfer_probes_learn_nothing_once_the_pin_is_locked_and_misses_are_budgeted(api):
    prober, victim = await make_user(), await make_user()
    await fund(prober, 100_000)
    session = await _sign_in(api, prober.phone)
    misses = [await api.mutate(TRANSFER, _transfer(next_phone()), token=session["accessToken"]) for _ in range(21)]
    assert [user_error_codes(m) for m in misses[:20]] == [["NOT_FOUND"]] * 20
    assert user_error_codes(misses[20]) == ["RATE_LIMITED"]
    # Past the budget a registered phone answers the same as an unknown one.
    assert user_error_codes(await api.mutate(TRANSFER, _transfer(victim.phone), token=session["accessToken"])) == [
        "RATE_LIMITED"]
    for _ in range(5):
        await api.mutate(TRANSFER, _transfer(victim.phone, pin="000000"), token=session["accessToken"])
    known = await api.mutate(TRANSFER, _transfer(victim.phone, pin="000000"), token=session["accessToken"])
    unknown = await api.mutate(TRANSFER, _transfer(next_phone(), pin="000000"), token=session["accessToken"])
    assert known["errors"] == unknown["errors"]
    assert user_error_codes(known) == ["PAYMENT_PASSWORD_LOCKED"]


def test_the_access_log_has_its_lines_and_no_traceback(test_env, platform):  # noqa: ANN001
    with fenpay_serve(test_env) as server:
        for _ in range(3):
            assert httpx.get(f"{server.http_url}/health", timeout=10).status_code == 200
        response = httpx.post(f"{server.http_url}/graphql?access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcd",
                              json={"query": "{ __typename }"}, timeout=10)
        assert response.status_code == 200
    output = server.output()
    assert "Traceback" not in output and "TypeError" not in output, output[-3000:]
    assert output.count('"GET /health HTTP/1.1" 200') >= 4, output[-3000:]  # 3 + the start-up poll
    assert '"POST /graphql?access_token=[REDACTED] HTTP/1.1" 200' in output, output[-3000:]
