"""Request factories and checks for the benchmark scenarios (picklable for worker processes)."""

from __future__ import annotations

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


class FenpayPay:
    """Each request: a random user pays 1.00 to one of ``merchants`` with a fresh idempotency key."""

    def __init__(self, tokens: list[str], merchant_nos: list[str], pin: str) -> None:
        self.tokens, self.merchant_nos, self.pin = tokens, merchant_nos, pin

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
        return "/graphql", {"query": PAY, "variables": variables}, {"Authorization": f"Bearer {token}"}


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
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, rng: random.Random, i: int) -> tuple[str, dict, dict[str, str]]:
        return "/graphql", {"query": TRANSACTIONS}, {"Authorization": f"Bearer {self.token}"}


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
