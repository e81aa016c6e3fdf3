"""Outbound HTTP and after-commit work: one TLS context per process for every outbound client
(building one loads the CA bundle, ~50 ms of CPU, which every webhook run and every message
used to pay), and background work that shutdown waits for before the database closes."""

from __future__ import annotations

import ast
import asyncio
import ssl
from pathlib import Path

import httpx
import pytest

from app import background, outbound_http
from app.merchant_platform import webhook_delivery

APP = Path(__file__).resolve().parents[2] / "app"


def test_every_outbound_client_shares_one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    outbound_http.tls_context()  # made once per process
    loads: list[object] = []
    original = ssl.SSLContext.load_verify_locations

    def counting(self: ssl.SSLContext, *args: object, **kwargs: object) -> None:
        loads.append(args)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counting)
    webhook_delivery.new_client(), outbound_http.client(timeout=1), outbound_http.client(timeout=2)
    assert loads == []
    # while a client httpx builds by itself loads the bundle again (what this guards against)
    httpx.AsyncClient()
    assert len(loads) == 1


def test_no_module_of_the_app_builds_its_own_http_client() -> None:
    """Every outbound client comes from ``app.outbound_http`` (so it shares the TLS context)."""
    builders = []
    for path in APP.rglob("*.py"):
        if path.name == "outbound_http.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"AsyncClient", "Client"}
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "httpx"):
                builders.append(f"{path.relative_to(APP.parent)}:{node.lineno}")
    assert builders == []


async def test_settle_waits_for_background_work_and_what_it_starts() -> None:
    finished: list[str] = []
    gate = asyncio.Event()

    async def second() -> None:
        await gate.wait()
        finished.append("second")

    async def first() -> None:
        background.spawn(second(), name="second")
        await asyncio.sleep(0)
        gate.set()
        finished.append("first")

    background.spawn(first(), name="first")
    await background.settle(timeout=10)
    assert finished == ["first", "second"]


async def test_settle_cancels_what_outlives_the_grace_period(caplog: pytest.LogCaptureFixture) -> None:
    stuck = background.spawn(asyncio.Event().wait(), name="stuck")  # type: ignore[arg-type]
    await background.settle(timeout=0.05)
    assert stuck.cancelled()
    assert "cancelled 1 background task" in caplog.text
