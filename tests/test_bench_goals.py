"""bench.run judges issue 24's goals on one run's figures (bench/goals.py)."""

from __future__ import annotations

from bench import goals


def _report(**overrides: float) -> dict:
    figures = {"pgbench": 1000.0, "spread": 160.0, "one": 155.0, "history": 250.0, "paced_p99": 40.0,
               "subscribers_p99": 60.0, "kib": 20.0, "metrics": 0.96, "statement_p99": 30.0, "delivered": 99.0,
               "delivery_p99": 1200.0}
    figures.update(overrides)
    return {
        "pgbench": {"tps": figures["pgbench"]},
        "metrics_on_off_ratio": figures["metrics"],
        "rows": [
            {"scenario": "pgbench tpcb-like (8 clients)", "throughput": figures["pgbench"]},
            {"scenario": goals.PAY_SPREAD, "throughput": figures["spread"], "p99_ms": 90.0},
            {"scenario": goals.PAY_ONE_MERCHANT, "throughput": figures["one"], "p99_ms": 95.0},
            {"scenario": f"{goals.PAY_HALF_PEAK_PREFIX} (80/s, open loop)", "throughput": 80.0, "p99_ms": figures["paced_p99"]},
            {"scenario": f"{goals.TRANSACTIONS_PREFIX}, 10000 of 1000000 rows", "throughput": figures["history"]},
            {"scenario": f"2000 {goals.SUBSCRIBERS_MARK}, payments offered at 500/s", "throughput": 100.0,
             "p99_ms": 5.0, "kib_per_idle_subscriber": 99.0},
            {"scenario": f"2000 {goals.SUBSCRIBERS_MARK}, payments offered at 80/s", "throughput": 80.0,
             "p99_ms": figures["subscribers_p99"], "kib_per_idle_subscriber": figures["kib"]},
            {"scenario": f"{goals.STATEMENT_HALF_PEAK_PREFIX} (125/s, open loop)", "throughput": 125.0,
             "p99_ms": figures["statement_p99"]},
            {"scenario": f"{goals.WEBHOOKS_HALF_PEAK_PREFIX} (40/s offered)", "throughput": 40.0, "ok": 100,
             "delivered": figures["delivered"], "delivery_p99_ms": figures["delivery_p99"]},
        ],
    }


def test_each_goal_is_met_or_not_on_the_runs_figures():
    judged = {g["goal"]: g for g in goals.evaluate(_report())}
    assert [(g["value"], g["met"]) for g in judged.values()] == [
        (0.16, True),  # pay 160 / pgbench 1000
        (0.969, True),  # one merchant 155 / spread 160
        (0.25, False),  # transactions 250 / 1000 < 0.30
        (40.0, True),  # pay p99 at half peak
        (60.0, False),  # the half-peak subscriber row (the last one), not the 500/s one
        (20.0, True),
        (0.96, True),
        (30.0, True),  # the statement page at half peak
        (0.99, False),  # one webhook of 100 paid orders not delivered
        (1200.0, False),  # delivery p99 above 1 s
    ]
    markdown = goals.markdown(list(judged.values()))
    assert "| transactions(first: 20) ≥ 0.30 × pgbench | 0.25 | not met |" in markdown
    assert any(line.endswith("  met") and line.startswith("pay, 100 merchants") for line in goals.text_lines(list(judged.values())))


def test_a_figure_the_run_did_not_measure_is_not_judged():
    report = _report()
    report["rows"] = [r for r in report["rows"] if not r["scenario"].startswith(goals.TRANSACTIONS_PREFIX)]
    report["metrics_on_off_ratio"] = None
    judged = {g["goal"]: g for g in goals.evaluate(report)}
    assert judged["transactions(first: 20) ≥ 0.30 × pgbench"] == {
        "goal": "transactions(first: 20) ≥ 0.30 × pgbench", "target": 0.30, "value": None, "met": None}
    assert goals.verdict(judged["pay, metrics on ÷ off ≥ 0.95"]) == "not measured"
    assert judged["pay, 100 merchants ≥ 0.15 × pgbench"]["met"] is True
