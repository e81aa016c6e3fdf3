"""The Grafana dashboard in docs/ queries only metrics fenpay exports (a rename breaks this test)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client.metrics import MetricWrapperBase

from app.ops import metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana-dashboard.json"


def exported_names() -> set[str]:
    names = set()
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            name = value._name  # noqa: SLF001 (the metric's full name)
            names.add(name)
            names.update({f"{name}_total", f"{name}_bucket", f"{name}_count", f"{name}_sum"})
    return names


def test_every_dashboard_query_uses_an_exported_metric():
    dashboard = json.loads(DASHBOARD.read_text())
    used = {name for panel in dashboard["panels"] for target in panel["targets"]
            for name in re.findall(r"\bfenpay_\w+", target["expr"])}
    assert used, "the dashboard has no fenpay queries"
    assert used <= exported_names(), used - exported_names()
