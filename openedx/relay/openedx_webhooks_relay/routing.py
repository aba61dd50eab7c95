"""Which event and filter types the service wants (GET /api/v1/routing), refreshed in the background.

A lookup never waits on the network: it reads the last answer and, when that answer is older than
OPENEDX_WEBHOOKS_ROUTING_TTL (at most 30 s), wakes a background thread that asks again with If-None-Match.
Until a first answer, every type counts as wanted (the service decides).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass

from . import client

log = logging.getLogger(__name__)

MAX_TTL = 30.0


@dataclass(frozen=True)
class Routes:
    events: frozenset[str]
    filters: frozenset[str]
    version: str
    etag: str | None
    all_events: bool


class Routing:
    """The process-wide routing cache (one per process: a fork starts its own refresher)."""

    def __init__(self) -> None:
        self._routes: Routes | None = None
        self._fetched_at = 0.0
        self._generation = 0  # bumped by reset(): a refresh begun before it does not write its answer
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    # Lookups: no network, no lock on the hot path.
    def wants_event(self, event_type: str, signal: str | None = None) -> bool:
        """True when some enabled webhook listens to this event type (or routing is not known yet)."""
        routes = self._current()
        if routes is None or routes.all_events:
            return True
        return event_type in routes.events or (signal is not None and signal in routes.events)

    def has_filter(self, filter_type: str, name: str | None = None) -> bool:
        """True when some enabled webfilter runs for this filter type (or routing is not known yet)."""
        routes = self._current()
        if routes is None:
            return True
        return filter_type in routes.filters or (name is not None and name in routes.filters)

    @property
    def routes(self) -> Routes | None:
        return self._routes

    def _current(self) -> Routes | None:
        if time.monotonic() - self._fetched_at >= self.ttl():
            self._kick()
        return self._routes

    @staticmethod
    def ttl() -> float:
        try:
            return max(0.0, min(MAX_TTL, float(client.setting("OPENEDX_WEBHOOKS_ROUTING_TTL"))))
        except (TypeError, ValueError):
            return MAX_TTL

    def _kick(self) -> None:
        if not client.enabled():
            return
        if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                    self._pid = os.getpid()
                    self._wake = threading.Event()
                    self._thread = threading.Thread(target=self._loop, name="openedx-webhooks-routing", daemon=True)
                    self._thread.start()
                    return
        self._wake.set()

    def _loop(self) -> None:
        while True:
            self.refresh()
            # Asked again when a lookup finds the answer stale; idle processes make no calls.
            self._wake.wait()
            self._wake.clear()

    # Network: only from the background thread, or from tests and the catalog sync.
    def refresh(self) -> Routes | None:
        """Asks the service now (conditional GET); keeps the last answer when the service does not answer."""
        previous, generation = self._routes, self._generation
        headers = {"if-none-match": previous.etag} if previous and previous.etag else None
        res = client.call(
            "GET",
            "/api/v1/routing",
            headers=headers,
            timeout=min(5.0, float(client.setting("OPENEDX_WEBHOOKS_TIMEOUT"))),
        )
        if generation != self._generation:
            return self._routes  # reset() while this call was out: its answer may be stale
        if res.status == 304 and previous is not None:
            self._fetched_at = time.monotonic()
        elif res.status == 200 and isinstance(res.body, dict):
            events = [str(e) for e in res.body.get("events") or []]
            self._routes = Routes(
                events=frozenset(events),
                filters=frozenset(str(f) for f in res.body.get("filters") or []),
                version=str(res.body.get("version", "")),
                etag=res.headers.get("etag"),
                all_events="*" in events,
            )
            self._fetched_at = time.monotonic()
        else:
            # Not known better: keep the last answer, ask again after the TTL.
            self._fetched_at = time.monotonic()
            log.warning("openedx-webhooks-relay: routing not refreshed (%s)", res.error or f"HTTP {res.status}")
        return self._routes

    def reset(self) -> None:
        """Forgets the answer (every type wanted again until the next one); for tests and settings changes."""
        self._generation += 1
        self._routes = None
        self._fetched_at = 0.0


routing = Routing()


def wants_event(event_type: str, signal: str | None = None) -> bool:
    return routing.wants_event(event_type, signal)


def has_filter(filter_type: str, name: str | None = None) -> bool:
    """Whether a call of this filter should go to the service (the filters pipeline asks before any network)."""
    return routing.has_filter(filter_type, name)
