"""Request factories and checks for the benchmark scenarios (picklable for worker processes)."""

from __future__ import annotations

import hashlib
import random
import secrets

PAY = (
    "mutation Pay($input: PayInput!) { pay(input: $input) {"
    " transaction { transactionNo status } errors { code } } }"
)
TRANSACTIONS = (
    "query { transactions(first: 20) { totalCount edges { cursor node {"
    " transactionNo type status direction amount createdAt counterparty { name account } } } } }"
)
POSTGRAPHILE_PAY = "mutation Pay($input: PayInput!) { pay(input: $input) { bigInt } }"

# Automatic persisted queries (README "Using the API"): fenpay's requests carry the hash of
# their document and no text; the one answer PersistedQueryNotFound per worker is followed
# by the same request with the text (``with_text``).
KNOWN_TEXTS = {hashlib.sha256(q.encode()).hexdigest(): q for q in (PAY, TRANSACTIONS)}


def operation(query: str, variables: dict | None, apq: bool) -> dict:
    """The JSON body of a request: the text, or (``apq``) only the hash of a known text."""
    body: dict = {"variables": variables} if variables is not None else {}
    if apq:
        body["extensions"] = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}}
    else:
        body["query"] = query
    return body


def persisted_query_missed(body: dict, answer: dict) -> bool:
    """True when ``body`` sent a hash the server did not know (send ``with_text(body)`` then)."""
    return "query" not in body and any(
        (e.get("extensions") or {}).get("code") == "PERSISTED_QUERY_NOT_FOUND" for e in answer.get("errors") or ()
    )


def with_text(body: dict) -> dict:
    sha256_hash = body["extensions"]["persistedQuery"]["sha256Hash"]
    return {**body, "query": KNOWN_TEXTS[sha256_hash]}


class FenpayPay:
    """Each request: a random user pays 1.00 to one of ``merchants`` with a fresh idempotency key."""

    def __init__(self, tokens: list[str], merchant_nos: list[str], pin: str, *, apq: bool = True) -> None:
        self.tokens, self.merchant_nos, self.pin, self.apq = tokens, merchant_nos, pin, apq

    def __call__(self, rng: random.Random, i: int) -> tuple[str, dict, dict[str, str]]:
        token = self.tokens[rng.randrange(len(self.tokens))]
        variables = {
            "input": {
                "merchantNo": self.merchant_nos[rng.randrange(len(self.merchant_nos))],
                "amount": "1.00",
                "channel": "WALLET_BALANCE",
                "paymentPassword": self.pin,
                "idempotencyKey": f"b{i}-{secrets.token_hex(6)}",
            }
        }
        return "/graphql", operation(PAY, variables, self.apq), {"Authorization": f"Bearer {token}"}


def check_pay(status: int, body: dict) -> str | None:
    if status != 200:
        return f"http-{status}"
    if body.get("errors"):
        return "graphql-error"
    payload = (body.get("data") or {}).get("pay") or {}
    if payload.get("errors"):
        return payload["errors"][0]["code"]
    return None if payload.get("transaction") else "no-transaction"


class FenpayTransactions:
    def __init__(self, token: str, *, apq: bool = True) -> None:
        self.token, self.apq = token, apq

    def __call__(self, rng: random.Random, i: int) -> tuple[str, dict, dict[str, str]]:
        return "/graphql", operation(TRANSACTIONS, None, self.apq), {"Authorization": f"Bearer {self.token}"}


def check_transactions(status: int, body: dict) -> str | None:
    if status != 200 or body.get("errors"):
        return f"http-{status}" if status != 200 else "graphql-error"
    edges = body["data"]["transactions"]["edges"]
    return None if len(edges) == 20 else "short-page"


class PostGraphilePay:
    def __init__(self, payers: int, merchant_ids: list[int]) -> None:
        self.payers, self.merchant_ids = payers, merchant_ids

    def __call__(self, rng: random.Random, i: int) -> tuple[str, dict, dict[str, str]]:
        variables = {
            "input": {
                "payer": str(1 + rng.randrange(self.payers)),
                "merchant": str(self.merchant_ids[rng.randrange(len(self.merchant_ids))]),
                "amount": "100",
                "idemKey": f"p{i}-{secrets.token_hex(6)}",
            }
        }
        return "/graphql", {"query": POSTGRAPHILE_PAY, "variables": variables}, {}


def check_postgraphile(status: int, body: dict) -> str | None:
    if status != 200 or body.get("errors"):
        return "error"
    return None if (body.get("data") or {}).get("pay") else "no-result"
