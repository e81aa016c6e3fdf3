"""Rules over the web client's source that hold for every screen (no browser needed)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB_JS = ROOT / "web" / "js"


def sources() -> dict[str, str]:
    return {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in WEB_JS.rglob("*.js")}


def test_screens_add_children_through_the_helper_that_spreads_arrays() -> None:
    """Element.append/prepend print an array as "[object HTMLDivElement],..."; every screen
    adds children with dom.js's add/addFirst (FormData.append in api.js is not a DOM call)."""
    offenders = []
    for name, text in sources().items():
        if name.endswith("web/js/dom.js"):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if re.search(r"\.(append|prepend)\(", line) and not re.search(r"\bform\.append\(", line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_no_native_date_pickers() -> None:
    """A native date input shows the browser's format (mm/dd/yyyy) whatever the page language."""
    offenders = [name for name, text in sources().items() if re.search(r"type: \"(date|datetime-local|time)\"", text)]
    assert not offenders, offenders


def _alert_types() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"raise_alert\(\s*\"([A-Z_]+)\"", text))
        found |= set(re.findall(r"^ALERT_TYPE = \"([A-Z_]+)\"", text, re.M))
    return found


def test_every_alert_type_the_server_raises_has_a_label_in_both_languages() -> None:
    types = _alert_types()
    assert {"LARGE_AMOUNT", "VELOCITY", "PAYMENT_PASSWORD_ATTEMPTS"} <= types, types
    for language in ("zh", "en"):
        text = (WEB_JS / "lang" / f"{language}.js").read_text(encoding="utf-8")
        missing = sorted(t for t in types if f'"enum.AlertType.{t}"' not in text)
        assert not missing, f"{language}.js lacks labels for alert types {missing}"


def test_alert_messages_name_users_by_masked_phone_not_by_id() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in (ROOT / "app").rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"用户 \{user\.id\}|用户 \{user_id\}", line)
    ]
    assert not offenders, offenders
