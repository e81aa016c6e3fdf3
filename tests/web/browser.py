"""Driving the web client in Debian's Chromium through Playwright (no downloaded browser)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 860}
# Generous: a shared 2-core machine runs the server, the browser and the tests at once.
TIMEOUT_MS = 20_000


def session_script(token: str, phone: str | None = None) -> str:
    """An init script that signs a page in with an access token (what the app keeps in sessionStorage)."""
    state = json.dumps({"accessToken": token, "refreshToken": None, "phone": phone})
    return f"sessionStorage.getItem('fenpay.session') || sessionStorage.setItem('fenpay.session', {json.dumps(state)});"


async def new_page(browser: Any, base_url: str, *, token: str | None = None, phone: str | None = None) -> Any:
    """A page in a fresh browser context (its own storage), optionally already signed in."""
    context = await browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    if token:
        await context.add_init_script(session_script(token, phone))
    page = await context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    return page


async def open_screen(page: Any, route: str) -> None:
    """Go to ``#/<route>`` and wait until the app rendered that screen."""
    await page.goto(f"/#/{route}")
    name = route.split("/")[0]
    await page.get_by_test_id(f"screen-{name}").wait_for()


SCREENSHOTS_ENV = "FENPAY_SCREENSHOTS"


async def screenshot(page: Any, name: str) -> Path | None:
    """Refresh docs/screenshots/<name>.png, only when FENPAY_SCREENSHOTS=1 asks for it.

    Tests never write tracked files otherwise (a plain test run leaves ``git status`` clean).
    """
    if os.environ.get(SCREENSHOTS_ENV) != "1":
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.evaluate("window.scrollTo(0, 0)")  # else the sticky top bar lands mid-page
    await page.screenshot(path=str(path), full_page=True)
    return path

