"""Which event and filter types the service wants (GET /api/v1/routing), refreshed in the background.

A lookup never waits on the network: it reads the last answer. A background thread asks again with If-None-Match
every OPENEDX_WEBHOOKS_ROUTING_TTL (at most 30 s), and sooner when a lookup finds the answer older than that. When
the event types an answer routes change, the event receiver follows (events.follow): it is connected only to the
signals some webhook wants, so an event type nobody routes costs the platform's request nothing.

Routing is loaded when the process starts (AppConfig.ready): the last answer any process got is kept in the
Django cache (shared by the platform's processes), so a new uwsgi worker or Celery child knows it at once, and a
background thread asks the service. Until a process has an answer, every event counts as wanted (the outbox
holds it; the service drops what no webhook wants), but a filter call goes to the service only when the operator
chose fail closed: with fail open, a filter whose webfilter the process cannot know about yet goes on, as it
would if the service were unreachable.

The answer's `filter_policies` (SPEC §12: `{"<filter type>": {"timeout_ms": 50..30000, "on_unreachable":
"allow"|"halt"}}`, only for the types an operator gave a policy of their own) is kept with the routes, and in the
shared cache with them; `policy(filter_type)` is what the filter step uses instead of OPENEDX_WEBHOOKS_TIMEOUT and
OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN for that type. An older service sends no `filter_policies`: every type keeps the
defaults. A malformed entry is left out (the type keeps the defaults) and logged once per process.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import client, forksafe

log = logging.getLogger(__name__)

MAX_TTL = 30.0
# The range the service accepts for a policy's timeout_ms (PUT /api/v1/filter-policies/{filter_type}).
POLICY_TIMEOUT_MS = (50, 30000)


@dataclass(frozen=True)
class FilterPolicy:
    """A filter type's own policy: the service's budget for the whole call, and what the relay does when the
    service cannot answer ("allow": go on unchanged; "halt": the filter's default halt)."""

    timeout_ms: int
    on_unreachable: str

    @property
    def fail_open(self) -> bool:
        return self.on_unreachable == "allow"


@dataclass(frozen=True)
class Routes:
    events: frozenset[str]
    filters: frozenset[str]
    version: str
    etag: str | None
    all_events: bool
    policies: Mapping[str, FilterPolicy] = field(default_factory=dict, hash=False)


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
        return wanted(self._current(), event_type, signal)

    def has_filter(self, filter_type: str, name: str | None = None) -> bool:
        """True when some enabled webfilter runs for this filter type (routing not known yet: only fail closed)."""
        routes = self._current()
        if routes is None:
            return not client.setting("OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN")
        return filter_type in routes.filters or (name is not None and name in routes.filters)

    def policy(self, filter_type: str, name: str | None = None) -> FilterPolicy | None:
        """The filter type's own policy, or None: the defaults (OPENEDX_WEBHOOKS_TIMEOUT and
        OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN) apply, as they do while routing is not known yet."""
        routes = self._routes  # no refresh kick: has_filter() just did that for the same call
        if routes is None or not routes.policies:
            return None
        found = routes.policies.get(filter_type)
        if found is None and name is not None:
            found = routes.policies.get(name)
        return found

    @property
    def routes(self) -> Routes | None:
        return self._routes

    def load_at_start(self) -> None:
        """The last answer from the shared cache (no network), then a refresh on the background thread."""
        if not client.enabled():
            return
        if self._routes is None:
            try:
                from django.core.cache import cache

                kept = cache.get(self._cache_key())
                if isinstance(kept, dict):
                    self._set(_routes_of(kept, kept.get("__etag__")))
            except Exception:  # noqa: BLE001 - no cache: the refresh below answers
                log.debug("openedx-webhooks-relay: no routing in the cache", exc_info=True)
        self._fetched_at = 0.0
        self._kick()

    @staticmethod
    def _cache_key() -> str:
        import hashlib

        url = str(client.setting("OPENEDX_WEBHOOKS_URL") or "")
        return "openedx_webhooks_relay:routing:" + hashlib.sha256(url.encode()).hexdigest()[:16]

    def _keep(self, body: dict, etag: str | None) -> None:
        try:
            from django.core.cache import cache

            cache.set(self._cache_key(), {**body, "__etag__": etag}, 24 * 3600)
        except Exception:  # noqa: BLE001 - the cache is a help, not a need
            log.debug("openedx-webhooks-relay: routing not kept in the cache", exc_info=True)

    def _set(self, routes: Routes | None) -> None:
        """The new answer; when the events it routes changed, the event receiver follows it (events.follow)."""
        before, self._routes = self._routes, routes
        if _events_of(before) != _events_of(routes):
            from . import events

            events.follow(routes)

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
        if not client.enabled() or forksafe.uwsgi_master():
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
            with forksafe.working():
                self.refresh()
            # Asked again every TTL, and sooner when a lookup finds the answer stale: an event type nobody routed
            # has no receiver connected, so no lookup of it would ever ask.
            self._wake.wait(max(1.0, self.ttl()))
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
            self._set(_routes_of(res.body, res.headers.get("etag")))
            self._fetched_at = time.monotonic()
            self._keep(res.body, res.headers.get("etag"))
        else:
            # Not known better: keep the last answer, ask again after the TTL.
            self._fetched_at = time.monotonic()
            log.warning("openedx-webhooks-relay: routing not refreshed (%s)", res.error or f"HTTP {res.status}")
        return self._routes

    def reset(self) -> None:
        """Forgets the answer, here and in the shared cache; for tests and settings changes."""
        self._generation += 1
        self._set(None)
        self._fetched_at = 0.0
        try:
            from django.core.cache import cache

            cache.delete(self._cache_key())
        except Exception:  # noqa: BLE001
            log.debug("openedx-webhooks-relay: routing not removed from the cache", exc_info=True)


def wanted(routes: Routes | None, event_type: str, signal: str | None = None) -> bool:
    """Whether these routes want the event type (named by its type or its signal's constant name); routing not known
    yet wants every event."""
    if routes is None or routes.all_events:
        return True
    return event_type in routes.events or (signal is not None and signal in routes.events)


def _events_of(routes: Routes | None) -> frozenset[str] | None:
    return None if routes is None else routes.events


def _routes_of(body: dict, etag: str | None) -> Routes:
    events = [str(e) for e in body.get("events") or []]
    return Routes(
        events=frozenset(events),
        filters=frozenset(str(f) for f in body.get("filters") or []),
        version=str(body.get("version", "")),
        etag=etag,
        all_events="*" in events,
        policies=_policies_of(body.get("filter_policies")),
    )


_malformed_logged: set[str] = set()  # what was already logged, so each malformed entry is logged once per process


def _malformed(what: str) -> None:
    if what in _malformed_logged:
        return
    if len(_malformed_logged) < 1000:
        _malformed_logged.add(what)
    log.warning("openedx-webhooks-relay: routing: %s ignored; that filter type keeps the defaults", what)


def _policy_of(value: Any) -> FilterPolicy | None:
    if not isinstance(value, dict):
        return None
    timeout, on_unreachable = value.get("timeout_ms"), value.get("on_unreachable")
    if isinstance(timeout, float) and timeout.is_integer():
        timeout = int(timeout)
    if not isinstance(timeout, int) or isinstance(timeout, bool):
        return None
    if not POLICY_TIMEOUT_MS[0] <= timeout <= POLICY_TIMEOUT_MS[1] or on_unreachable not in ("allow", "halt"):
        return None
    return FilterPolicy(timeout, on_unreachable)


def _policies_of(raw: Any) -> dict[str, FilterPolicy]:
    """The answer's filter_policies; absent (an older service) or null: none. Malformed entries are left out."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        _malformed(f"filter_policies that is not an object ({str(raw)[:200]})")
        return {}
    policies: dict[str, FilterPolicy] = {}
    for filter_type, value in raw.items():
        found = _policy_of(value)
        if found is None:
            _malformed(f"the filter policy of {str(filter_type)[:200]} ({str(value)[:200]})")
        else:
            policies[str(filter_type)] = found
    return policies


routing = Routing()


def wants_event(event_type: str, signal: str | None = None) -> bool:
    return routing.wants_event(event_type, signal)


def has_filter(filter_type: str, name: str | None = None) -> bool:
    """Whether a call of this filter should go to the service (the filters pipeline asks before any network)."""
    return routing.has_filter(filter_type, name)


def policy(filter_type: str, name: str | None = None) -> FilterPolicy | None:
    """The filter type's own policy from routing (SPEC §12), or None when the relay's defaults apply."""
    return routing.policy(filter_type, name)
