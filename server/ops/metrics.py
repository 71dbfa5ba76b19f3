"""`/metrics` for Prometheus: the hall as the queue tells it (waiting and waits per service,
counters by state, device alerts), how fast the server answers (issue, Next, every HTTP route),
and how it holds (stream subscribers, writes in flight, the central copy's lag).

Scraped from the addresses IT configures (NOVBE_METRICS_ALLOW, default this machine only) or
with a token (NOVBE_METRICS_TOKEN as a bearer token). Each app has its own registry: nothing
global, so two servers in one process (tests) never mix their figures."""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from server.http import offload

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
TIMED_ROUTES = {("POST", "/api/tickets"): "issue", ("POST", "/api/counters/{counter}/next"): "next"}
UNTIMED_PREFIXES = ("/api/events/stream", "/api/stream", "/t/", "/metrics")  # streams, phones

router = APIRouter()


@dataclass(frozen=True)
class MetricsAccess:
    """Who may scrape: these networks, or anyone with the token."""

    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    token: str | None = None

    @classmethod
    def from_env(cls) -> MetricsAccess:
        raw = os.environ.get("NOVBE_METRICS_ALLOW", "127.0.0.1/32,::1/128")
        nets = tuple(ipaddress.ip_network(part.strip(), strict=False)
                     for part in raw.split(",") if part.strip())
        return cls(nets, os.environ.get("NOVBE_METRICS_TOKEN") or None)

    def allows(self, host: str | None, authorization: str | None) -> bool:
        if self.token and authorization and hmac.compare_digest(
                authorization.encode(), f"Bearer {self.token}".encode()):
            return True
        try:
            address = ipaddress.ip_address(host or "")
        except ValueError:
            return False
        return any(address in net for net in self.networks)


class HallCollector(Collector):
    """Gauges read from the app's queue and parts at scrape time (in the read lane)."""

    def __init__(self, state: Any):
        self.state = state

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snap = self.state.queue.snapshot()
        waiting = GaugeMetricFamily("novbe_waiting", "Visitors waiting, per service",
                                    labels=["service"])
        estimate = GaugeMetricFamily("novbe_estimated_wait_seconds",
                                     "The wait a visitor taking a ticket now is shown",
                                     labels=["service"])
        oldest = GaugeMetricFamily("novbe_oldest_wait_seconds",
                                   "How long the longest-waiting visitor has waited",
                                   labels=["service"])
        for s in snap.services:
            waiting.add_metric([s.id], s.waiting)
            estimate.add_metric([s.id], s.estimated_wait_min * 60)
            oldest.add_metric([s.id], s.oldest_wait_min * 60)
        yield from (waiting, estimate, oldest)
        counters = GaugeMetricFamily("novbe_counters", "Counters by state", labels=["state"])
        by_mode: dict[str, int] = {}
        for c in snap.counters:
            by_mode[str(c.mode)] = by_mode.get(str(c.mode), 0) + 1
        for mode, n in sorted(by_mode.items()):
            counters.add_metric([mode], n)
        yield counters
        alerts = GaugeMetricFamily("novbe_device_alert", "A device's open alert (1 while open)",
                                   labels=["device", "kind"])
        for a in snap.alerts:
            alerts.add_metric([a.source, a.kind], 1)
        yield alerts
        yield GaugeMetricFamily("novbe_last_event_id", "The newest event of the queue",
                                value=snap.last_event_id)
        hub = getattr(self.state, "hub", None)
        if hub is not None:
            yield GaugeMetricFamily("novbe_stream_subscribers", "Open event streams",
                                    value=hub.subscribers)
        lanes = getattr(self.state, "lanes", None)
        if lanes is not None:
            yield GaugeMetricFamily("novbe_writes_in_flight", "Queue writes under way",
                                    value=lanes.writing)
        shipper = getattr(self.state, "shipper", None)
        if shipper is not None:
            status = shipper.status()
            yield GaugeMetricFamily("novbe_shipping_pending_events",
                                    "Events not yet in the central copy",
                                    value=float(status.pending or 0))
            yield GaugeMetricFamily("novbe_shipping_lag_seconds",
                                    "Age of the oldest event not yet in the central copy",
                                    value=status.lag_seconds(time.time()))


class Metrics:
    """One app's registry: latency histograms fed by the front layer (server/http/front.py),
    the hall's gauges."""

    def __init__(self, state: Any, access: MetricsAccess | None = None):
        self.access = access or MetricsAccess.from_env()
        self.registry = CollectorRegistry(auto_describe=False)
        self.http = Histogram("novbe_http_request_seconds", "Time to answer an HTTP request",
                              ["method", "route", "status"], buckets=LATENCY_BUCKETS,
                              registry=self.registry)
        self.operations = Histogram("novbe_operation_seconds",
                                    "Time to answer an issue or a Next over HTTP",
                                    ["operation"], buckets=LATENCY_BUCKETS,
                                    registry=self.registry)
        self.registry.register(HallCollector(state))
        # each (method, route, status)'s histograms, found once: labels() takes a lock and
        # formats its values on every call (no more keys than the histograms' own children)
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            operation = TIMED_ROUTES.get((method, route))
            children = self._children[key] = (
                self.http.labels(method, route, str(status)),
                self.operations.labels(operation)
                if operation is not None and status < 400 else None)
        children[0].observe(seconds)
        if children[1] is not None:
            children[1].observe(seconds)


def timed(path: str) -> bool:
    """Whether requests for `path` are timed (streams and phones are not)."""
    return not path.startswith(UNTIMED_PREFIXES)


def observe_request(scope: dict, status: int, seconds: float) -> None:
    """Count one answered request by its route template (the router put it in the scope)."""
    route = getattr(scope.get("route"), "path", None) or "(unmatched)"
    metrics = getattr(scope["app"].state, "metrics", None)
    if metrics is not None:
        metrics.observe(scope["method"], route, status, seconds)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """The Prometheus text format, for the addresses allowed or the token."""
    m: Metrics = request.app.state.metrics
    host = request.client.host if request.client else None
    if not m.access.allows(host, request.headers.get("authorization")):
        return PlainTextResponse("metrics are not open to this address (NOVBE_METRICS_ALLOW) "
                                 "and no valid token was given\n", status_code=403)
    body = await offload.read(request, generate_latest, m.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
