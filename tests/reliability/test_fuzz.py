"""GraphQL fuzzing: property-based documents generated from the served schema, sent as an
anonymous caller, a user and staff. No 5xx, no internal error (masked or not), and the
ledger invariants hold afterwards."""

from __future__ import annotations

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis_graphql import Mode, from_schema

from app.ledger.reconcile import reconcile
from schema.root import schema as served_schema
from tests.factories import fund, make_staff, make_user, token_for

SDL = served_schema.as_str()

_money = st.one_of(
    st.from_regex(r"\A-?\d{1,7}(\.\d{1,2})?\Z", fullmatch=True),
    st.sampled_from(["", " ", "1e3", "NaN", "Infinity", "10.001", "abc", "0", "-0.00"]),
)
_datetime = st.sampled_from(["2026-11-28T08:00:00Z", "2020-01-01T00:00:00+08:00", "not-a-date", ""])
CUSTOM_SCALARS = {
    "Money": _money.map(lambda s: graphql.StringValueNode(value=s)),
    "DateTime": _datetime.map(lambda s: graphql.StringValueNode(value=s)),
    "Upload": st.just(graphql.NullValueNode()),
}

INTERNAL = "Internal error"


@pytest.fixture
async def callers(http):  # noqa: ANN001
    user = await make_user()
    await fund(user, 100_000)
    staff = await make_staff("ADMIN")
    return {"anonymous": None, "user": token_for(user), "staff": token_for(staff)}


async def _send(http: httpx.AsyncClient, document: str, token: str | None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json={"query": document}, headers=headers)
    return response.status_code, response.json()


def _assert_clean(status: int, body: dict, document: str) -> None:
    assert status < 500, (status, document)
    for error in body.get("errors") or []:
        assert error.get("message") != INTERNAL, (document, body)


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE])
async def test_generated_documents_never_break_the_server(http, callers, mode):
    strategy = from_schema(SDL, custom_scalars=CUSTOM_SCALARS, mode=mode, allow_x00=False)
    documents: list[str] = []

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(document=strategy)
    def collect(document: str) -> None:
        documents.append(document)

    collect()
    for index, document in enumerate(documents):
        token = list(callers.values())[index % len(callers)]
        status, body = await _send(http, document, token)
        _assert_clean(status, body, document)
    report = await reconcile()
    assert report.clean, report.breaks


_GRAPHQL_SCHEMA = graphql.build_schema(SDL)
ROOT_FIELDS = sorted(
    [f"Query.{name}" for name in _GRAPHQL_SCHEMA.query_type.fields]
    + [f"Mutation.{name}" for name in (_GRAPHQL_SCHEMA.mutation_type.fields if _GRAPHQL_SCHEMA.mutation_type else {})]
)


@pytest.mark.parametrize("root_field", ROOT_FIELDS)
async def test_every_root_field_is_fuzzed(http, callers, root_field):
    """Each query and mutation on its own (the whole-schema strategy may skip some), valid and
    invalid, as anonymous, user and staff: no 5xx, no internal error, ledger clean."""
    name = root_field.split(".", 1)[1]
    documents: list[str] = []
    for mode in (Mode.POSITIVE, Mode.NEGATIVE):
        strategy = from_schema(SDL, fields=[name], custom_scalars=CUSTOM_SCALARS, mode=mode, allow_x00=False)

        @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(document=strategy)
        def collect(document: str) -> None:
            documents.append(document)

        try:
            collect()
        except InvalidArgument:
            if mode is Mode.POSITIVE:
                raise  # no arguments to get wrong is fine only for the invalid variants
    assert documents
    for document in documents:
        for token in callers.values():
            status, body = await _send(http, document, token)
            _assert_clean(status, body, document)
    report = await reconcile()
    assert report.clean, report.breaks
