"""A GraphQL client of the served fenpay (HTTP and graphql-transport-ws), plus the steps a
person takes to get an account: nothing here reaches into the server's process or database."""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import struct
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import websockets

from tests.factories import card_number, next_id_number, next_phone

from .server import ServedFenpay

PASSWORD = "Fen#pay2026x"
PIN = "135790"
_keys = itertools.count(1)


def key(label: str = "k") -> str:
    """A fresh idempotency key."""
    return f"e2e-{label}-{next(_keys)}-{secrets.token_hex(4)}"


def png_bytes() -> bytes:
    """A real 1x1 PNG (an ID card photo stand-in that passes the image check)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b"")


class GraphQLFailure(AssertionError):
    pass


@dataclass
class Person:
    """A signed-in user of the wallet."""

    phone: str
    token: str
    user_id: str = ""
    card_id: str | None = None
    id_number: str | None = None
    real_name: str = "张三"


@dataclass
class Staff:
    admin: Person
    support: Person
    officer: Person


class Api:
    def __init__(self, server: ServedFenpay, http: httpx.AsyncClient) -> None:
        self.server = server
        self.http = http

    @classmethod
    @asynccontextmanager
    async def connect(cls, server: ServedFenpay) -> AsyncIterator[Api]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            yield cls(server, http)

    # -- GraphQL over HTTP -------------------------------------------------------------
    async def request(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None) -> dict:
        """The whole GraphQL response ``{data, errors}`` (HTTP 200 asserted)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert response.status_code == 200, (response.status_code, response.text)
        return response.json()

    async def ok(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None) -> dict:
        """``data``, failing on any GraphQL error."""
        result = await self.request(query, variables, token=token)
        if result.get("errors"):
            raise GraphQLFailure(result["errors"])
        return result["data"]

    async def payload(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None) -> dict:
        """The one mutation payload of ``query`` (its ``errors`` not checked)."""
        (value,) = (await self.ok(query, variables, token=token)).values()
        return value

    async def mutate(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None) -> dict:
        """The one mutation payload, failing on UserErrors."""
        value = await self.payload(query, variables, token=token)
        assert not value.get("errors"), value["errors"]
        return value

    # -- sandbox outbox ------------------------------------------------------------------
    async def messages(self, recipient: str) -> list[dict[str, Any]]:
        response = await self.http.get("/sandbox/messages", params={"recipient": recipient})
        assert response.status_code == 200, response.text
        return response.json()

    async def send_code(self, recipient: str, purpose: str, *, token: str | None = None) -> str:
        """Ask for a verification code and read it from the sandbox outbox's ``code`` field."""
        sent = await self.mutate(
            "mutation($input: RequestVerificationCodeInput!) { requestVerificationCode(input: $input) { sent errors { code message field } } }",
            {"input": {"recipient": recipient, "purpose": purpose}}, token=token,
        )
        assert sent["sent"], sent
        newest = (await self.messages(recipient))[0]
        assert newest["purpose"] == purpose, newest
        code = newest["code"]
        assert code and code.isdigit() and len(code) == 6 and code in newest["text"], newest
        return code

    # -- accounts ----------------------------------------------------------------------
    async def login(self, identifier: str, password: str = PASSWORD) -> dict[str, Any]:
        payload = await self.mutate(
            "mutation($input: LoginInput!) { login(input: $input) { auth { accessToken refreshToken user { id phone roles } } errors { code message field } } }",
            {"input": {"identifier": identifier, "password": password}},
        )
        return payload["auth"]

    async def register(self, phone: str | None = None) -> Person:
        phone = phone or next_phone()
        code = await self.send_code(phone, "REGISTER")
        await self.mutate(
            "mutation($input: RegisterInput!) { register(input: $input) { user { id phone } errors { code message field } } }",
            {"input": {"phone": phone, "verificationCode": code, "password": PASSWORD,
                       "confirmPassword": PASSWORD, "acceptTerms": True}},
        )
        auth = await self.login(phone)
        return Person(phone=phone, token=auth["accessToken"], user_id=auth["user"]["id"])

    async def set_pin(self, person: Person) -> None:
        await self.mutate(
            "mutation($input: SetPaymentPasswordInput!) { setPaymentPassword(input: $input) { ok errors { code message field } } }",
            {"input": {"paymentPassword": PIN, "confirmPaymentPassword": PIN}}, token=person.token,
        )

    async def submit_real_name(self, person: Person, real_name: str = "张三") -> None:
        """submitRealNameVerification as a multipart upload with an ID card photo."""
        person.id_number, person.real_name = next_id_number("19900101"), real_name
        operations = {
            "query": "mutation($input: SubmitRealNameInput!) { submitRealNameVerification(input: $input) { user { realNameStatus } errors { code message field } } }",
            "variables": {"input": {"realName": real_name, "idNumber": person.id_number, "idCardFront": None}},
        }
        response = await self.http.post(
            "/graphql",
            data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.idCardFront"]})},
            files={"0": ("front.png", png_bytes(), "image/png")},
            headers={"Authorization": f"Bearer {person.token}", "Apollo-Require-Preflight": "true"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert not body.get("errors"), body
        payload = body["data"]["submitRealNameVerification"]
        assert not payload["errors"], payload
        assert payload["user"]["realNameStatus"] == "PENDING"

    async def approve_real_name(self, staff: Staff, person: Person) -> dict[str, Any]:
        """The reviewer finds the person's review in the queue and approves it; returns the review."""
        queue = (await self.ok(
            "{ realNameReviewQueue { id realName idNumber status photoUrls user { id phone } } }", token=staff.support.token
        ))["realNameReviewQueue"]
        (review,) = [r for r in queue if r["user"]["id"] == person.user_id]
        await self.mutate(
            "mutation($input: ReviewRealNameInput!) { reviewRealNameVerification(input: $input) { user { realNameStatus } errors { code message field } } }",
            {"input": {"reviewId": review["id"], "approve": True}}, token=staff.support.token,
        )
        return review

    async def bind_card(self, person: Person) -> str:
        code = await self.send_code(person.phone, "BIND_BANK_CARD", token=person.token)
        payload = await self.mutate(
            "mutation($input: AddBankCardInput!) { addBankCard(input: $input) { bankCard { id last4 bankName } errors { code message field } } }",
            {"input": {"cardNumber": card_number("6217000000", length=19), "holderName": person.real_name, "idNumber": person.id_number,
                       "phone": person.phone, "verificationCode": code}}, token=person.token,
        )
        person.card_id = payload["bankCard"]["id"]
        return person.card_id

    async def top_up_by_card(self, person: Person, amount: str) -> dict[str, Any]:
        payload = await self.mutate(TOP_UP, {"input": {
            "amount": amount, "channel": "BANK_CARD", "bankCardId": person.card_id, "idempotencyKey": key("topup")}},
            token=person.token)
        assert payload["transaction"]["status"] == "SUCCEEDED", payload
        return payload["transaction"]

    async def new_customer(self, staff: Staff, *, top_up: str | None = "1000.00", real_name: str = "李四") -> Person:
        """A verified user with a payment password, a bank card and (optionally) a card top-up."""
        person = await self.register()
        await self.set_pin(person)
        await self.submit_real_name(person, real_name)
        await self.approve_real_name(staff, person)
        await self.bind_card(person)
        if top_up:
            await self.top_up_by_card(person, top_up)
        return person

    async def balance(self, person: Person) -> dict[str, str]:
        return (await self.ok("{ viewer { account { balance available frozen } } }", token=person.token))["viewer"]["account"]

    async def create_merchant(self, staff: Staff, owner: Person, name: str = "好邻居便利店") -> str:
        payload = await self.mutate(
            "mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { merchant { merchantNo } errors { code message field } } }",
            {"input": {"name": name, "category": "便利店", "ownerPhone": owner.phone}}, token=staff.admin.token,
        )
        return payload["merchant"]["merchantNo"]

    async def pay(self, person: Person, merchant_no: str, amount: str, channel: str = "WALLET_BALANCE",
                  **extra: Any) -> dict[str, Any]:
        """pay(...) payload (UserErrors not checked)."""
        given = {"merchantNo": merchant_no, "amount": amount, "channel": channel, "paymentPassword": PIN,
                 "idempotencyKey": key("pay"), **extra}
        if channel == "BANK_CARD":
            given.setdefault("bankCardId", person.card_id)
        return await self.payload(PAY, {"input": given}, token=person.token)

    # -- websockets ----------------------------------------------------------------------
    @asynccontextmanager
    async def subscription(self, query: str, variables: dict[str, Any] | None = None, *,
                           token: str | None = None) -> AsyncIterator[Subscription]:
        """One graphql-transport-ws subscription on its own connection."""
        async with websockets.connect(self.server.ws_url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
            await ws.send(json.dumps({"type": "connection_init",
                                      "payload": {"authorization": f"Bearer {token}"} if token else {}}))
            ack = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
            assert ack["type"] == "connection_ack", ack
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}))
            subscription = Subscription(ws)
            await subscription.settle()
            yield subscription


class Subscription:
    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def settle(self) -> None:
        """A ping round trip after subscribing, so the server has registered the subscription
        before the test acts (the server answers messages of one connection in order)."""
        await self.ws.send(json.dumps({"type": "ping"}))
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout=10))
            if message["type"] == "pong":
                return
            if message["type"] in ("error", "complete"):
                raise AssertionError(message)

    async def next(self, timeout: float = 15.0) -> dict[str, Any]:
        """The data of the next event (GraphQL errors fail)."""
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout=timeout))
            if message["type"] == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            if message["type"] == "pong":
                continue
            assert message["type"] == "next", message
            assert not message["payload"].get("errors"), message
            return message["payload"]["data"]


TX_FIELDS = "transactionNo type status direction amount fee channel checkoutUrl createdAt completedAt expectedArrivalAt refundableAmount counterparty { name account }"
TOP_UP = f"""mutation($input: TopUpInput!) {{ topUp(input: $input) {{ transaction {{ {TX_FIELDS} }} account {{ balance available }} errors {{ code message field }} }} }}"""
PAY = f"""mutation($input: PayInput!) {{ pay(input: $input) {{ transaction {{ {TX_FIELDS} }} account {{ balance available }} errors {{ code message field }} }} }}"""


async def make_staff(api: Api) -> Staff:
    members = {}
    for role in ("ADMIN", "SUPPORT", "RISK_OFFICER"):
        phone = next_phone()
        api.server.run("create-staff", "--phone", phone, "--password", PASSWORD, "--role", role)
        auth = await api.login(phone)
        assert role in auth["user"]["roles"], auth
        members[role] = Person(phone=phone, token=auth["accessToken"], user_id=auth["user"]["id"])
    return Staff(admin=members["ADMIN"], support=members["SUPPORT"], officer=members["RISK_OFFICER"])
