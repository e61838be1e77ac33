"""The figures behind ``GET /metrics`` (protocol §7.7), in Prometheus's model.

Two kinds of figures, written down in docs/operations.md:

- this process's own: rings and their outcomes, calls ended by reason, sockets connected,
  Redis round-trip time (counters since the process started; Prometheus sums processes);
- what lives in Redis: calls in progress by state, queues, billing delivery, reaper and
  lease lag. Every process reads them the same way at scrape time (``sessions.census``),
  so a scrape of any process gives the same answer and no call pays for them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from billing.census import DeliveryCensus
from sessions.census import Census
from sessions.notify import Notifier
from sessions.replies import Outcome
from sessions.states import State
from signaling.manager import RelayCounts
from signaling.presence import Status

log = logging.getLogger(__name__)


@dataclass
class Snapshot:
    """What a scrape read from Redis, held only while the text is generated."""

    census: Census
    deliveries: dict[str, DeliveryCensus]
    experts: dict[Status, int]
    redis_seconds: float
    sockets: int
    relay: RelayCounts | None = None  # None: one process, nothing crosses


class _SnapshotCollector:
    """Turns the latest snapshot into metric families (prometheus_client calls ``collect``)."""

    def __init__(self) -> None:
        self.latest: Snapshot | None = None

    def collect(self) -> Iterator[Metric]:
        snap = self.latest
        if snap is None:
            return
        census = snap.census
        calls = GaugeMetricFamily("helpcall_calls", "Calls in progress by state.",
                                  labels=["state"])
        for state, count in census.calls.items():
            calls.add_metric([state.value], count)
        yield calls
        waiting = GaugeMetricFamily("helpcall_queue_waiting",
                                    "Clients waiting in a category queue.", labels=["category"])
        wait = GaugeMetricFamily("helpcall_queue_oldest_wait_seconds",
                                 "How long the first client of a queue has waited.",
                                 labels=["category"])
        for queue in census.queues:
            waiting.add_metric([queue.category], queue.waiting)
            wait.add_metric([queue.category], queue.oldest_wait_ms / 1000)
        yield waiting
        yield wait
        yield GaugeMetricFamily("helpcall_reaper_lag_seconds",
                                "How long the oldest overdue deadline has been due.",
                                value=census.reaper_lag_ms / 1000)
        yield GaugeMetricFamily("helpcall_lease_age_max_seconds",
                                "Time since the stalest live process renewed its lease.",
                                value=max(census.lease_age_ms.values(), default=0) / 1000)
        yield GaugeMetricFamily("helpcall_processes", "Web processes holding a lease.",
                                value=len(census.lease_age_ms))
        experts = GaugeMetricFamily("helpcall_experts", "Experts who went online, by what "
                                    "callers see (offline: no tab open).", labels=["status"])
        for status, count in snap.experts.items():
            experts.add_metric([status.value], count)
        yield experts
        yield from _delivery_families(snap.deliveries)
        yield GaugeMetricFamily("helpcall_redis_roundtrip_seconds",
                                "Round trip of a PING to Redis, measured at this scrape.",
                                value=snap.redis_seconds)
        yield GaugeMetricFamily("helpcall_sockets_connected",
                                "Socket.IO connections held by this process.",
                                value=snap.sockets)
        if snap.relay is not None:
            yield from _relay_families(snap.relay)


def _relay_families(relay: RelayCounts) -> Iterator[Metric]:
    yield CounterMetricFamily(
        "helpcall_relay_published", "Messages this process published for sockets on other "
        "processes (events, invalidations, answers).", value=relay.published)
    yield CounterMetricFamily(
        "helpcall_relay_lost", "Messages for other processes lost to Redis errors.",
        value=relay.lost)
    yield CounterMetricFamily(
        "helpcall_relay_resubscriptions", "Times this process's pub/sub subscription was "
        "lost and taken again.", value=relay.resubscriptions)


def _delivery_families(deliveries: dict[str, DeliveryCensus]) -> Iterator[Metric]:
    appended = CounterMetricFamily("helpcall_billing_events_appended",
                                   "Billing events in the stream.")
    appended.add_metric([], max((d.appended for d in deliveries.values()), default=0))
    yield appended
    delivered = CounterMetricFamily("helpcall_billing_events_delivered",
                                    "Billing events acknowledged by a webhook receiver.",
                                    labels=["target"])
    failures = CounterMetricFamily("helpcall_billing_delivery_failures",
                                   "Failed webhook delivery attempts.", labels=["target"])
    undelivered = GaugeMetricFamily("helpcall_billing_events_undelivered",
                                    "Billing events not yet acknowledged.", labels=["target"])
    oldest = GaugeMetricFamily("helpcall_billing_oldest_undelivered_seconds",
                               "Age of the oldest billing event not yet acknowledged.",
                               labels=["target"])
    for target, census in deliveries.items():
        delivered.add_metric([target], census.delivered)
        failures.add_metric([target], census.failed_attempts)
        undelivered.add_metric([target], census.undelivered)
        oldest.add_metric([target], census.oldest_undelivered_ms / 1000)
    yield from (delivered, failures, undelivered, oldest)


class Metrics:
    """The figures of one app: its own registry, so several apps in one test never mix."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.rings = Counter("helpcall_rings", "Times an expert (or a booked client) was rung.",
                             registry=self.registry)
        self.ring_outcomes = Counter(
            "helpcall_ring_outcomes", "How rings ended: accepted, declined, no_answer, "
            "cancelled, failed.", ["outcome"], registry=self.registry)
        self.calls_ended = Counter("helpcall_calls_ended", "Calls ended, by reason.",
                                   ["reason"], registry=self.registry)
        self._snapshot = _SnapshotCollector()
        self.registry.register(self._snapshot)  # type: ignore[arg-type]

    def observe(self, outcome: Outcome) -> None:
        """Count what one script did (every outcome passes through the notifier)."""
        session = outcome.session
        if session is None or not outcome.state_changed:
            return
        if session.state == State.RINGING:
            self.rings.inc()
        if outcome.previous == State.RINGING:
            if session.state == State.ACCEPTED:
                self.ring_outcomes.labels("accepted").inc()
            elif session.state == State.QUEUED and outcome.released_reason:
                self.ring_outcomes.labels(outcome.released_reason).inc()
            elif session.state == State.ENDED and session.end_reason is not None:
                self.ring_outcomes.labels(session.end_reason.value).inc()
        if session.state == State.ENDED and session.end_reason is not None:
            self.calls_ended.labels(session.end_reason.value).inc()

    def render(self, snapshot: Snapshot) -> bytes:
        self._snapshot.latest = snapshot
        try:
            return generate_latest(self.registry)  # type: ignore[arg-type]
        finally:
            self._snapshot.latest = None


class MeteredNotifier:
    """A ``Notifier`` that counts each outcome, then passes everything on unchanged."""

    def __init__(self, inner: Notifier, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def publish(self, outcome: Outcome) -> None:
        self._metrics.observe(outcome)
        await self._inner.publish(outcome)

    async def chat(self, session_id: str, message: dict[str, Any]) -> None:
        await self._inner.chat(session_id, message)
