"""Ids whose number does not fit a BIGINT (found by a black-box review: they answered "Internal
error" with an OverflowError in the log). Every node type answers null, and an id-taking
mutation answers NOT_FOUND, on both backends."""

from __future__ import annotations

import base64

import pytest

from schema.node import _LOADERS  # noqa: PLC2701 (every registered node type)
from tests.factories import DEFAULT_PIN, make_user, token_for
from tests.harness.graphql import user_error_codes
from tests.money.support import REMOVE_CARD

HUGE = "99999999999999999999999"
NODE = "query($id: ID!) { node(id: $id) { __typename } }"


def huge_id(type_name: str, number: str = HUGE) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{number}".encode()).decode().rstrip("=")


@pytest.mark.parametrize("number", [HUGE, str(2**63), "-1", "0"])
async def test_every_node_type_answers_null_for_an_id_out_of_range(gql, number):
    token = token_for(await make_user(roles="ADMIN"))
    assert _LOADERS, "no node types registered"
    for type_name in sorted(_LOADERS):
        result = await gql(NODE, {"id": huge_id(type_name, number)}, token=token)
        assert result.errors == [] or not result.errors, (type_name, result.errors)
        assert result.data == {"node": None}, type_name


async def test_an_id_taking_mutation_answers_not_found(gql):
    user = await make_user()
    payload = await gql.mutate(REMOVE_CARD, {"input": {"bankCardId": huge_id("BankCard"),
                                                       "paymentPassword": DEFAULT_PIN}}, token=token_for(user))
    assert user_error_codes(payload) == ["NOT_FOUND"]
