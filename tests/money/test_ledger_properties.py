"""Property test: random sequences of top-ups, withdrawals, payouts, failures, webhook
redeliveries and replays keep the ledger invariants and the wallet where a simple model says."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import clock
from app.channels import webhooks
from app.funding.expiry import expire_stale_pending
from app.funding.payouts import pay_out_due_withdrawals
from tests.factories import card_number, make_user, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.money.support import assert_clean_ledger, bind_card, top_up, withdraw

yuan = st.integers(min_value=1, max_value=60).map(lambda n: n * 10)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("top_up_card"), yuan, st.booleans()),
        st.tuples(st.just("top_up_third_party"), yuan),
        st.tuples(st.just("finish_checkout"), st.integers(0, 9), st.booleans()),
        st.tuples(st.just("deliver_twice"), st.integers(0, 9)),
        st.tuples(st.just("withdraw_card"), yuan.map(lambda n: n + 40), st.booleans()),
        st.tuples(st.just("withdraw_third_party"), yuan.map(lambda n: n + 40)),
        st.tuples(st.just("pay_out_and_expire")),
        st.tuples(st.just("replay"), st.integers(0, 19)),
        st.tuples(st.just("reuse_key"), st.integers(0, 19)),
    ),
    min_size=1,
    max_size=10,
)


@dataclass
class Model:
    available: int = 0
    held: int = 0
    pending_withdrawals: list[tuple[int, bool]] = field(default_factory=list)
    pending_checkouts: list[tuple[str, int]] = field(default_factory=list)
    # (kind, variables, first transaction number or None, first error codes)
    history: list[tuple[str, dict[str, Any], str | None, list[str]]] = field(default_factory=list)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
async def test_random_money_sequences_keep_the_invariants(gql, http, steps):
    user = await make_user()
    good_card = await bind_card(gql, user, card_number())
    bad_card = await bind_card(gql, user, card_number(ending="0002"))
    model = Model()

    async def remember(kind: str, variables: dict[str, Any], payload: dict[str, Any]) -> None:
        number = payload["transaction"]["transactionNo"] if payload["transaction"] else None
        model.history.append((kind, variables, number, user_error_codes(payload)))

    for step in steps:
        op = step[0]
        if op == "top_up_card":
            _, amount, declined = step
            variables = {"card": bad_card if declined else good_card, "key": secrets.token_hex(6)}
            payload = await top_up(gql, user, str(amount), **variables)
            if declined:
                assert user_error_codes(payload) == ["CHANNEL_DECLINED"]
            else:
                assert payload["errors"] == []
                model.available += amount * 100
            await remember("top_up", {"amount": str(amount), **variables}, payload)
        elif op == "top_up_third_party":
            _, amount = step
            variables = {"channel": "THIRD_PARTY", "key": secrets.token_hex(6)}
            payload = await top_up(gql, user, str(amount), **variables)
            assert payload["transaction"]["status"] == "PENDING"
            model.pending_checkouts.append((payload["transaction"]["transactionNo"], amount * 100))
            await remember("top_up", {"amount": str(amount), **variables}, payload)
        elif op == "finish_checkout" and model.pending_checkouts:
            _, index, succeeded = step
            number, fen = model.pending_checkouts.pop(index % len(model.pending_checkouts))
            response = await http.post(f"/sandbox/checkout/{number}/{'complete' if succeeded else 'fail'}")
            assert response.json()["status"] == "processed"
            if succeeded:
                model.available += fen
        elif op == "deliver_twice" and model.pending_checkouts:
            number, fen = model.pending_checkouts.pop(step[1] % len(model.pending_checkouts))
            body = orjson.dumps(
                {"id": f"evt_{secrets.token_hex(6)}", "type": "payment.succeeded", "reference": number, "amount": fen}
            )
            headers = webhooks.signed_headers(body)
            first = await http.post("/webhooks/third-party", content=body, headers=headers)
            second = await http.post("/webhooks/third-party", content=body, headers=headers)
            assert (first.json()["status"], second.json()["status"]) == ("processed", "duplicate")
            model.available += fen
        elif op in ("withdraw_card", "withdraw_third_party"):
            amount = step[1]
            to_bad_card = op == "withdraw_card" and step[2]
            variables: dict[str, Any] = {"key": secrets.token_hex(6)}
            if op == "withdraw_card":
                variables["card"] = bad_card if to_bad_card else good_card
            else:
                variables["channel"] = "THIRD_PARTY"
            payload = await withdraw(gql, user, str(amount), **variables)
            if amount * 100 > model.available:
                assert user_error_codes(payload) == ["INSUFFICIENT_FUNDS"]
                continue  # nothing is kept under the key of a request that moved nothing
            assert payload["errors"] == []
            model.available -= amount * 100
            if op == "withdraw_card":
                model.held += amount * 100
                model.pending_withdrawals.append((amount * 100, to_bad_card))
            await remember("withdraw", {"amount": str(amount), **variables}, payload)
        elif op == "pay_out_and_expire":
            later = clock.now() + timedelta(days=15)
            await pay_out_due_withdrawals(later)
            await expire_stale_pending(later)
            for fen, refused in model.pending_withdrawals:
                model.held -= fen
                if refused:
                    model.available += fen
            model.pending_withdrawals.clear()
            model.pending_checkouts.clear()
        elif op == "replay" and model.history:
            kind, variables, number, codes = model.history[step[1] % len(model.history)]
            variables = dict(variables)
            amount = variables.pop("amount")
            replayed = await (top_up if kind == "top_up" else withdraw)(gql, user, amount, **variables)
            assert user_error_codes(replayed) == codes
            replayed_number = replayed["transaction"]["transactionNo"] if replayed["transaction"] else None
            assert replayed_number == number
        elif op == "reuse_key" and model.history:
            kind, variables, _, _ = model.history[step[1] % len(model.history)]
            variables = dict(variables)
            amount = str(int(variables.pop("amount")) + 10)
            reused = await (top_up if kind == "top_up" else withdraw)(gql, user, amount, **variables)
            assert user_error_codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]

        await assert_clean_ledger()
        assert await wallet_balance(user) == (model.available, model.held), (step, model)
