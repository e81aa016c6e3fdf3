"""Issue 24's goals, judged on the figures of one ``bench.run`` (ratios to pgbench in the same run).

``evaluate(report)`` returns one dict per goal: ``goal`` (text), ``target`` (number),
``value`` (the run's figure, None when the run did not measure it) and ``met`` (True, False,
or None when not measured). Ratios are plain numbers, latencies milliseconds, memory KiB.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PAY_SPREAD = "fenpay pay, 100 merchants"
PAY_ONE_MERCHANT = "fenpay pay, 1 merchant"
PAY_HALF_PEAK_PREFIX = "fenpay pay at half peak"
TRANSACTIONS_PREFIX = "transactions(first: 20)"
SUBSCRIBERS_MARK = "balanceChanged subscribers"
STATEMENT_HALF_PEAK_PREFIX = "transactions page at half peak"
WEBHOOKS_HALF_PEAK_PREFIX = "merchant orders at half peak"


def _row(rows: list[dict[str, Any]], pick: Callable[[str], bool]) -> dict[str, Any] | None:
    found = [r for r in rows if pick(r["scenario"])]
    return found[-1] if found else None


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    return round(numerator / denominator, 3) if numerator is not None and denominator else None


def evaluate(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The goals next to the run's figures (see the module docstring for the shape)."""
    rows: list[dict[str, Any]] = report.get("rows", [])
    pgbench = (report.get("pgbench") or {}).get("tps")
    spread = _row(rows, lambda s: s == PAY_SPREAD)
    one = _row(rows, lambda s: s == PAY_ONE_MERCHANT)
    paced = _row(rows, lambda s: s.startswith(PAY_HALF_PEAK_PREFIX))
    history = _row(rows, lambda s: s.startswith(TRANSACTIONS_PREFIX))
    # The last subscriber scenario is the one at half of the measured peak.
    subscribers = _row(rows, lambda s: SUBSCRIBERS_MARK in s)
    statement_paced = _row(rows, lambda s: s.startswith(STATEMENT_HALF_PEAK_PREFIX))
    webhooks = _row(rows, lambda s: s.startswith(WEBHOOKS_HALF_PEAK_PREFIX))

    def throughput(r: dict[str, Any] | None) -> float | None:
        return r["throughput"] if r else None

    def field(r: dict[str, Any] | None, name: str) -> float | None:
        return r.get(name) if r else None

    goals = [
        ("pay, 100 merchants ≥ 0.15 × pgbench", 0.15, _ratio(throughput(spread), pgbench), True),
        ("pay, one merchant ≥ 0.95 × the spread figure", 0.95, _ratio(throughput(one), throughput(spread)), True),
        ("transactions(first: 20) ≥ 0.30 × pgbench", 0.30, _ratio(throughput(history), pgbench), True),
        ("pay p99 ≤ 50 ms at half peak", 50.0, field(paced, "p99_ms"), False),
        ("balanceChanged subscribers p99 ≤ 50 ms (payments at half peak)", 50.0, field(subscribers, "p99_ms"), False),
        ("≤ 32 KiB per idle subscriber", 32.0, field(subscribers, "kib_per_idle_subscriber"), False),
        ("pay, metrics on ÷ off ≥ 0.95", 0.95, report.get("metrics_on_off_ratio"), True),
        ("transactions(first: 20) p99 ≤ 50 ms at half peak", 50.0, field(statement_paced, "p99_ms"), False),
        ("webhooks keep up at half peak (delivered ÷ paid)", 1.0,
         _ratio(field(webhooks, "delivered"), field(webhooks, "ok")), True),
        ("webhook delivery p99 ≤ 1 s at half peak (ms)", 1000.0, field(webhooks, "delivery_p99_ms"), False),
    ]
    return [
        {
            "goal": text,
            "target": target,
            "value": value,
            "met": None if value is None else (value >= target if at_least else value <= target),
        }
        for text, target, value, at_least in goals
    ]


def verdict(goal: dict[str, Any]) -> str:
    return {True: "met", False: "not met", None: "not measured"}[goal["met"]]


def markdown(goals: list[dict[str, Any]]) -> str:
    """The goals as a Markdown table (appended to latest.md)."""
    lines = ["| goal (issue 24) | this run | |", "|---|---:|---|"]
    for g in goals:
        value = "" if g["value"] is None else f"{g['value']:g}"
        lines.append(f"| {g['goal']} | {value} | {verdict(g)} |")
    return "\n".join(lines) + "\n"


def text_lines(goals: list[dict[str, Any]]) -> list[str]:
    """The goals for the terminal, one line each."""
    lines = []
    for g in goals:
        value = "-" if g["value"] is None else f"{g['value']:g}"
        lines.append(f"{g['goal']:<62} {value:>8}  {verdict(g)}")
    return lines
