"""Query bombs (depth, aliases, tokens, batches, introspection cycles, huge pages) are refused
with a GraphQL or HTTP 4xx error before anything executes."""

from __future__ import annotations

import json

from models.support import Ticket
from tests.factories import make_user, token_for

TICKET = 'submitTicket(input: {kind: FEEDBACK, subject: "s", body: "b"}) { ticket { ticketNo } }'


def _messages(body: dict) -> str:
    return " ".join(e.get("message", "") for e in body.get("errors") or [])


async def _post(http, document: str, token: str | None = None):  # noqa: ANN001, ANN202
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json={"query": document}, headers=headers)
    assert response.status_code < 500, response.text[:300]
    return response.status_code, response.json()


def _nested_refunds(levels: int) -> str:
    """transactions -> refunds -> transaction -> refunds ... (a cycle in the schema)."""
    inner = "id"
    for _ in range(levels):
        inner = f"refunds {{ transaction {{ {inner} }} }}"
    return f"{{ transactions {{ edges {{ node {{ {inner} }} }} }} }}"


async def test_depth_bomb_is_refused(http):
    user = await make_user()
    token = token_for(user)
    status, shallow = await _post(http, _nested_refunds(1), token)
    assert not shallow.get("errors"), shallow
    status, body = await _post(http, _nested_refunds(8), token)
    assert body.get("data") is None
    assert "exceeds maximum operation depth" in _messages(body)


async def test_depth_inside_fragments_counts(http):
    user = await make_user()
    fragments = "".join(
        f"fragment F{i} on Transaction {{ refunds {{ transaction {{ ...F{i + 1} }} }} }} " for i in range(8)
    ) + "fragment F8 on Transaction { id }"
    document = "{ transactions { edges { node { ...F0 } } } } " + fragments
    _, body = await _post(http, document, token_for(user))
    assert "exceeds maximum operation depth" in _messages(body)


async def test_alias_bomb_of_mutations_runs_none_of_them(http):
    user = await make_user()
    document = "mutation { " + " ".join(f"t{i}: {TICKET}" for i in range(40)) + " }"
    _, body = await _post(http, document, token_for(user))
    assert "aliases found" in _messages(body)
    assert await Ticket.all().count() == 0


async def test_aliases_hidden_in_fragments_count(http):
    user = await make_user()
    fragment = "fragment V on Query { " + " ".join(f"a{i}: viewer {{ id }}" for i in range(10)) + " }"
    document = "{ ...V ...V ...V ...V } " + fragment.replace("fragment V", "fragment V")
    _, body = await _post(http, document, token_for(user))
    assert "aliases found" in _messages(body)


async def test_token_bomb_is_refused_before_parsing_finishes(http):
    document = "{ " + " ".join("__typename" for _ in range(5000)) + " }"
    _, body = await _post(http, document)
    assert "more than" in _messages(body) and "tokens" in _messages(body)


async def test_directive_bomb_is_a_token_bomb(http):
    document = "{ __typename " + "@include(if: true) " * 500 + "}"
    _, body = await _post(http, document)
    assert "tokens" in _messages(body)


async def test_field_repetition_without_aliases_is_bounded(http):
    user = await make_user()
    document = "{ viewer { " + "id " * 3000 + "} }"
    _, body = await _post(http, document, token_for(user))
    assert "tokens" in _messages(body)


async def test_introspection_cycles_are_cut(http):
    """Introspection is ignored by the depth limiter; graphql-core's own rule bounds its cycles."""
    document = "{ __schema { types { " + "fields { type { " * 4 + "name" + " } }" * 4 + " } } }"
    _, body = await _post(http, document)
    assert body.get("data") is None
    assert "introspection depth" in _messages(body).lower()


async def test_fragment_cycles_are_refused(http):
    _, body = await _post(http, "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }")
    assert "within itself" in _messages(body)


async def test_batched_requests_are_refused(http):
    user = await make_user()
    batch = [{"query": f"mutation {{ {TICKET} }}"} for _ in range(50)]
    response = await http.post(
        "/graphql", content=json.dumps(batch), headers={"content-type": "application/json",
                                                        "Authorization": f"Bearer {token_for(user)}"}
    )
    assert response.status_code == 400
    assert await Ticket.all().count() == 0


async def test_huge_page_sizes_are_capped_or_refused(http):
    user = await make_user()
    status, body = await _post(http, "{ transactions(first: 100000000) { edges { cursor } } }", token_for(user))
    if body.get("errors"):
        assert all(e.get("message") != "Internal error" for e in body["errors"])
    else:
        assert len(body["data"]["transactions"]["edges"]) <= 100
    _, negative = await _post(http, "{ transactions(first: -5) { edges { cursor } } }", token_for(user))
    assert all(e.get("message") != "Internal error" for e in negative.get("errors") or [])
    _, overflow = await _post(http, "{ transactions(first: 99999999999) { edges { cursor } } }", token_for(user))
    assert overflow.get("errors")  # not a 32-bit Int: a validation error


async def test_many_operations_without_a_name_do_not_all_run(http):
    user = await make_user()
    document = " ".join(f"mutation M{i} {{ {TICKET} }}" for i in range(20))
    await _post(http, document, token_for(user))
    assert await Ticket.all().count() <= 1
