"""/metrics: Prometheus' own parser reads it; it shows the hall and the latencies; only the
allowed addresses or the token reach it."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from server.ops.metrics import MetricsAccess
from tests.server.live import LiveServer


def _families(text: str) -> dict[str, list]:
    return {f.name: f.samples for f in text_string_to_metric_families(text)}


def test_metrics_show_the_hall_and_the_latencies(server: LiveServer):
    """After issues and a Next over HTTP, /metrics (parsed by prometheus_client) has the waiting
    per service, counters by state and issue/Next latency histograms with their counts."""
    kiosk = server.device_client("kiosk")
    for _ in range(3):
        assert kiosk.post("/api/tickets", json={"service": "labour"}).status_code == 200
    staff = server.staff_client("aysel", counter="3")     # serves labour
    assert staff.api("POST", "/api/counters/3/next").status_code == 200
    answer = httpx.get(f"{server.url}/metrics", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    found = _families(answer.text)
    waiting = {s.labels["service"]: s.value for s in found["novbe_waiting"]}
    assert waiting["labour"] == 2
    counters = {s.labels["state"]: s.value for s in found["novbe_counters"]}
    assert counters.get("open", 0) >= 1
    ops = {(s.labels.get("operation"), s.name): s.value for s in found["novbe_operation_seconds"]}
    assert ops[("issue", "novbe_operation_seconds_count")] == 3
    assert ops[("next", "novbe_operation_seconds_count")] == 1
    routes = {s.labels.get("route") for s in found["novbe_http_request_seconds"]}
    assert "/api/tickets" in routes and "/api/counters/{counter}/next" in routes
    assert found["novbe_stream_subscribers"][0].value >= 0


def test_metrics_refuse_other_addresses_without_the_token(monkeypatch: pytest.MonkeyPatch):
    """The access rule: allowed networks pass, others need the bearer token."""
    monkeypatch.delenv("NOVBE_METRICS_ALLOW", raising=False)
    access = MetricsAccess.from_env()  # the default: this machine only
    assert access.allows("127.0.0.1", None)
    assert not access.allows("192.0.2.7", None)
    with_token = MetricsAccess(access.networks, "s3cret")
    assert with_token.allows("192.0.2.7", "Bearer s3cret")
    assert not with_token.allows("192.0.2.7", "Bearer wrong")
    assert not with_token.allows("not-an-address", None)


def test_metrics_refused_over_http_to_an_address_not_allowed(server: LiveServer):
    """A scrape from an address outside NOVBE_METRICS_ALLOW is answered 403, with the token 200."""
    server.handle.app.state.metrics.access = MetricsAccess((), "s3cret")
    assert httpx.get(f"{server.url}/metrics").status_code == 403
    ok = httpx.get(f"{server.url}/metrics", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200 and "novbe_waiting" in ok.text


def test_the_grafana_dashboard_reads_only_metrics_the_server_exports(server: LiveServer):
    """Every metric named in docs/grafana-dashboard.json is one /metrics exports (a renamed
    metric would leave a panel empty)."""
    import json
    import re
    from pathlib import Path

    dash = json.loads((Path(__file__).resolve().parents[2] / "docs/grafana-dashboard.json").read_text())
    exported = set(_families(httpx.get(f"{server.url}/metrics", timeout=10).text))
    exported |= {"novbe_shipping_lag_seconds", "novbe_shipping_pending_events"}  # when shipping
    for panel in dash["panels"]:
        for target in panel["targets"]:
            for name in re.findall(r"\bnovbe_[a-z_]+", target["expr"]):
                base = re.sub(r"_(bucket|count|sum)$", "", name)
                assert base in exported or name in exported, f"{panel['title']}: {name}"
