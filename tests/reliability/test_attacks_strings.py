"""String arguments (issue 17): oversized and control-character strings are refused with
VALIDATION_FAILED naming the field, for every String argument of the schema, before anything
reaches the database; the reported cases are reproduced against a real server."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
)

from schema.root import schema
from tests.factories import make_user, token_for

OVERSIZED = "7" * 20_000
CONTROL = "abc\x00def"
SAMPLES = {"Int": 1, "Float": 1.0, "Boolean": True, "ID": "eA", "Money": "1.00", "Date": "2026-11-30",
           "DateTime": "2026-11-30T00:00:00Z", "JSON": {}}


def _filler(gtype: Any, depth: int = 0) -> Any:
    """A value of ``gtype`` with only required fields filled (strings harmless)."""
    if isinstance(gtype, GraphQLNonNull):
        return _filler(gtype.of_type, depth)
    if isinstance(gtype, GraphQLList):
        return [_filler(gtype.of_type, depth)]
    if isinstance(gtype, GraphQLEnumType):
        return next(iter(gtype.values))
    if isinstance(gtype, GraphQLInputObjectType):
        return {name: _filler(f.type, depth + 1) for name, f in gtype.fields.items()
                if isinstance(f.type, GraphQLNonNull) and depth < 4}
    if isinstance(gtype, GraphQLScalarType):
        return "x" if gtype.name == "String" else SAMPLES.get(gtype.name, "x")
    return None


def _string_paths(gtype: Any, path: list[str], depth: int = 0) -> list[list[str]]:
    """Paths to String fields through input objects (lists of strings are left to the fuzz suite)."""
    if isinstance(gtype, GraphQLNonNull):
        gtype = gtype.of_type
    if isinstance(gtype, GraphQLList):
        return []
    named = get_named_type(gtype)
    if isinstance(named, GraphQLScalarType) and named.name == "String":
        return [path]
    if isinstance(named, GraphQLInputObjectType) and depth < 3:
        return [p for name, f in named.fields.items() for p in _string_paths(f.type, [*path, name], depth + 1)]
    return []


def _cases() -> list[tuple[str, str, list[str]]]:
    cases = []
    gschema = schema._schema
    for kind, root in (("query", gschema.query_type), ("mutation", gschema.mutation_type)):
        for field_name, field in root.fields.items():
            for arg_name, arg in field.args.items():
                for path in _string_paths(arg.type, [arg_name]):
                    cases.append((kind, field_name, path))
    return cases


CASES = _cases()


def _request(kind: str, field_name: str, path: list[str], bad: str) -> dict[str, Any]:
    root = schema._schema.query_type if kind == "query" else schema._schema.mutation_type
    field = root.fields[field_name]
    variables, definitions, arguments = {}, [], []
    for name, arg in field.args.items():
        if name != path[0] and not isinstance(arg.type, GraphQLNonNull):
            continue
        value = _filler(arg.type)
        if name == path[0]:
            if len(path) == 1:
                value = bad
            else:
                value = value if isinstance(value, dict) else {}
                target = value
                for key in path[1:-1]:
                    target = target.setdefault(key, {})
                target[path[-1]] = bad
        variables[name] = value
        definitions.append(f"${name}: {arg.type}")
        arguments.append(f"{name}: ${name}")
    selection = " { __typename }" if not isinstance(get_named_type(field.type), (GraphQLScalarType, GraphQLEnumType)) else ""
    head = f"({', '.join(definitions)})" if definitions else ""
    call = f"({', '.join(arguments)})" if arguments else ""
    return {"query": f"{kind}{head} {{ {field_name}{call}{selection} }}", "variables": variables}


def test_every_string_argument_is_covered():
    assert len(CASES) > 50
    assert ("query", "transaction", ["transactionNo"]) in CASES


@pytest.mark.parametrize("bad", [OVERSIZED, CONTROL], ids=["oversized", "control"])
async def test_every_string_argument_refuses_oversized_and_control_strings(http, bad):
    token = token_for(await make_user())
    failures, checked = [], 0
    for kind, field_name, path in CASES:
        body = _request(kind, field_name, path, bad)
        response = await http.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code in (200, 400), (field_name, path, response.text)
        errors = response.json().get("errors") or []
        codes = [(e.get("extensions") or {}).get("code") for e in errors]
        if codes == ["VALIDATION_FAILED"] and errors[0]["extensions"]["field"] == path:
            checked += 1
        else:
            failures.append((field_name, path, [e["message"][:80] for e in errors]))
    assert not failures, failures[:10]
    assert checked == len(CASES)


async def test_the_reported_strings_answer_validation_failed_on_a_real_server(live_server):
    user = await make_user()
    headers = {"Authorization": f"Bearer {token_for(user)}"}
    requests = [
        ({"query": "query($n: String!) { transaction(transactionNo: $n) { id } }", "variables": {"n": "T" * 5000}},
         ["transactionNo"]),
        ({"query": "mutation { requestRefund(input: {transactionNo: \"%s\", reason: WRONG_AMOUNT}) { errors { code } } }"
                   % ("T" * 300)}, ["input", "transactionNo"]),
        ({"query": "query($m: String!) { merchant(merchantNo: $m) { name } }", "variables": {"m": "M1\u0000"}}, ["merchantNo"]),
    ]
    async with httpx.AsyncClient(base_url=live_server.http_url, timeout=10) as client:
        for body, field in requests:
            answer = (await client.post("/graphql", json=body, headers=headers)).json()
            (error,) = answer["errors"]
            assert error["extensions"] == {"code": "VALIDATION_FAILED", "field": field}, answer
