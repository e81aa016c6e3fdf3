"""Malformed and oversized request bodies: a clean 4xx (or a GraphQL error), never a 5xx,
and a mutation inside a refused body never runs."""

from __future__ import annotations

import json

import httpx
import pytest

from app.http.body_limit import JSON_LIMIT, MULTIPART_LIMIT
from models.support import Ticket
from tests.factories import make_user, token_for

JSON = {"content-type": "application/json"}
SUBMIT_TICKET = (
    "mutation($input: SubmitTicketInput!) { submitTicket(input: $input) { ticket { ticketNo } errors { code } } }"
)


def _ticket_body(padding: int) -> bytes:
    body = {
        "query": SUBMIT_TICKET,
        "variables": {"input": {"kind": "FEEDBACK", "subject": "主题", "body": "内容"}},
        "padding": "x" * padding,
    }
    return json.dumps(body).encode()


MALFORMED = {
    "invalid JSON": (b"{not json", JSON),
    "empty body": (b"", JSON),
    "number": (b"42", JSON),
    "string": (b'"query"', JSON),
    "null": (b"null", JSON),
    "true": (b"true", JSON),
    "invalid UTF-8": (b'{"query": "\xff\xfe"}', JSON),
    "deeply nested body": (b"[" * 100_000 + b"]" * 100_000, JSON),
    "deeply nested variables": (
        b'{"query": "query($x: String) { __typename }", "variables": {"x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}}",
        JSON,
    ),
    "query not a string": (b'{"query": 5}', JSON),
    "variables not an object": (b'{"query": "{ __typename }", "variables": [1]}', JSON),
    "extensions not an object": (b'{"query": "{ __typename }", "extensions": 7}', JSON),
    "JSON array batch": (b'[{"query": "{ __typename }"}, {"query": "{ __typename }"}]', JSON),
    "text/plain": (b"{ __typename }", {"content-type": "text/plain"}),
    "no content type": (b'{"query": "{ __typename }"}', {}),
    "form encoded": (b"query=%7B__typename%7D", {"content-type": "application/x-www-form-urlencoded"}),
    "multipart without boundary": (b"abc", {"content-type": "multipart/form-data"}),
    "multipart garbage": (b"--xx\r\nfoo", {"content-type": "multipart/form-data; boundary=xx"}),
    "bad content length": (b'{"query": "{ __typename }"}', {"content-type": "application/json", "content-length": "x"}),
}


def _multipart(operations: str, files_map: str, file_bytes: int = 5) -> tuple[bytes, dict[str, str]]:
    boundary = "fenpayboundary"
    parts = [("operations", operations), ("map", files_map)]
    body = b""
    for name, value in parts:
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode() + b"h" * file_bytes + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


MULTIPART = {
    "operations a number": ("5", "{}"),
    "operations a list (batch)": ('[{"query": "{ __typename }"}]', "{}"),
    "map a list": ('{"query": "{ __typename }"}', '["0"]'),
    "map paths not strings": ('{"query": "{ __typename }"}', '{"0": [1]}'),
    "map path not a list": ('{"query": "{ __typename }"}', '{"0": "variables.file"}'),
    "map path through a missing key": ('{"query": "{ __typename }", "variables": {}}', '{"0": ["variables.a.b"]}'),
    "map index not a number": ('{"query": "{ __typename }", "variables": {"a": []}}', '{"0": ["variables.a.x"]}'),
    "map index out of range": ('{"query": "{ __typename }", "variables": {"a": []}}', '{"0": ["variables.a.3.b"]}'),
    "map file field missing": ('{"query": "{ __typename }"}', '{"9": ["variables.file"]}'),
}


@pytest.mark.parametrize("name", list(MALFORMED))
async def test_malformed_bodies_get_a_clean_4xx(http, name):
    content, headers = MALFORMED[name]
    response = await http.post("/graphql", content=content, headers=headers)
    assert 400 <= response.status_code < 500, (name, response.status_code, response.text[:200])


@pytest.mark.parametrize("name", list(MULTIPART))
async def test_malformed_multipart_gets_a_clean_4xx(http, name):
    operations, files_map = MULTIPART[name]
    content, headers = _multipart(operations, files_map)
    response = await http.post("/graphql", content=content, headers=headers)
    assert 400 <= response.status_code < 500, (name, response.status_code, response.text[:200])


async def test_wellformed_multipart_still_works(http):
    content, headers = _multipart(
        '{"query": "{ __typename }", "variables": {"file": null}}', '{"0": ["variables.file"]}'
    )
    response = await http.post("/graphql", content=content, headers=headers)
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_oversized_json_body_is_refused_and_nothing_runs(http):
    user = await make_user()
    headers = {**JSON, "authorization": f"Bearer {token_for(user)}"}
    small = await http.post("/graphql", content=_ticket_body(100), headers=headers)
    assert small.status_code == 200 and small.json()["data"]["submitTicket"]["ticket"], small.text
    big = await http.post("/graphql", content=_ticket_body(JSON_LIMIT + 10), headers=headers)
    assert big.status_code == 413
    assert "larger than" in big.json()["errors"][0]["message"]
    assert await Ticket.all().count() == 1


async def test_oversized_body_without_content_length_is_refused(http):
    """A chunked body declares no length: it is counted while it streams in."""
    user = await make_user()
    chunk = b"x" * 65536

    async def stream():  # noqa: ANN202
        body = _ticket_body(0)
        yield body[:-1] + b', "more": "'
        for _ in range(JSON_LIMIT // len(chunk) + 2):
            yield chunk
        yield b'"}'

    headers = {**JSON, "authorization": f"Bearer {token_for(user)}"}
    response = await http.post("/graphql", content=stream(), headers=headers)
    assert response.status_code == 413
    assert await Ticket.all().count() == 0


async def test_multipart_bodies_get_the_larger_allowance(http):
    content, headers = _multipart(
        '{"query": "{ __typename }", "variables": {"file": null}}', '{"0": ["variables.file"]}', JSON_LIMIT * 2
    )
    assert JSON_LIMIT < len(content) < MULTIPART_LIMIT
    accepted = await http.post("/graphql", content=content, headers=headers)
    assert accepted.status_code == 200, accepted.text[:200]
    huge, headers = _multipart(
        '{"query": "{ __typename }", "variables": {"file": null}}', '{"0": ["variables.file"]}', MULTIPART_LIMIT
    )
    refused = await http.post("/graphql", content=huge, headers=headers)
    assert refused.status_code == 413


async def test_oversized_body_over_a_real_socket(server_http):
    """Through uvicorn: the 413 arrives before the whole body is read."""
    response = await server_http.post("/graphql", content=_ticket_body(5 * 1024 * 1024), headers=JSON)
    assert response.status_code == 413
    ok = await server_http.post("/graphql", json={"query": "{ __typename }"})
    assert ok.status_code == 200


@pytest.mark.parametrize("name", ["invalid JSON", "number", "invalid UTF-8", "deeply nested body", "JSON array batch"])
async def test_malformed_bodies_over_a_real_socket(server_http, name):
    content, headers = MALFORMED[name]
    response = await server_http.post("/graphql", content=content, headers=headers)
    assert 400 <= response.status_code < 500, (name, response.status_code)


async def test_get_queries_are_refused(http):
    response = await http.get("/graphql", params={"query": "{ __typename }"})
    assert response.status_code in (400, 405)
    mutation = await http.get("/graphql", params={"query": "mutation { __typename }"})
    assert 400 <= mutation.status_code < 500


@pytest.fixture
async def server_http(live_server):  # noqa: ANN001
    async with httpx.AsyncClient(base_url=live_server.http_url, timeout=30) as client:
        yield client
