"""Query cost (issue 17): list sizes from first/last multiplied through the nesting, aliases
counted, refused before anything executes with QUERY_TOO_COSTLY; ordinary pages pass."""

from __future__ import annotations

from graphql import get_introspection_query

from tests.factories import make_user, token_for

NODE = "edges { node { id transactionNo amount type status createdAt } }"


def _aliases(count: int, first: int) -> str:
    return "{ " + " ".join(f"a{i}: transactions(first: {first}) {{ {NODE} }}" for i in range(count)) + " }"


async def test_thirty_aliases_of_a_hundred_transactions_are_refused_before_running(gql):
    user = await make_user()
    result = await gql(_aliases(30, 100), token=token_for(user))
    assert result.get("data") is None
    (error,) = result.errors
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["cost"] > error["extensions"]["maxCost"] == 5000


async def test_sizes_given_by_variables_count_the_same(gql):
    user = await make_user()
    query = "query($n: Int) { " + " ".join(f"a{i}: transactions(first: $n) {{ {NODE} }}" for i in range(10)) + " }"
    assert (await gql(query, {"n": 100}, token=token_for(user))).error_codes() == ["QUERY_TOO_COSTLY"]
    assert (await gql(query, {"n": 5}, token=token_for(user))).errors == []


async def test_fragments_are_expanded_and_counted(gql):
    user = await make_user()
    query = ("fragment T on Query { transactions(first: 100) { " + NODE + " } }"
             " { ...T a: transactions(first: 100) { " + NODE + " } b: transactions(first: 100) { " + NODE + " }"
             " c: transactions(first: 100) { " + NODE + " } d: transactions(first: 100) { " + NODE + " }"
             " e: transactions(first: 100) { " + NODE + " } }")
    assert (await gql(query, token=token_for(user))).error_codes() == ["QUERY_TOO_COSTLY"]


async def test_ordinary_pages_and_introspection_pass(gql):
    user = await make_user()
    assert (await gql(_aliases(2, 100), token=token_for(user))).errors == []
    assert (await gql(get_introspection_query(descriptions=True))).errors == []
