"""Getting event bodies to the service off the request path: the platform's Celery, or an in-process queue.

The receiver only puts the body on a bounded in-process queue (after the transaction commits). One daemon
thread per process takes it from there:
- "celery" (default): publishes the `openedx_webhooks_relay.send_event` task on the platform's own Celery app;
  the worker posts it and retries with exponential backoff while the service cannot take it, for at least
  OPENEDX_WEBHOOKS_RETRY_HOURS. `metadata.id` makes every retry safe (the service stores an event once).
- "thread": the same thread posts it itself and keeps retries in memory (lost if the process ends), for
  installs without a Celery worker.
A 4xx other than 408/429 means the service will never take the body: logged, not retried.
"""

from __future__ import annotations

import atexit
import collections
import heapq
import logging
import os
import random
import threading
import time
from typing import Any

from . import client

log = logging.getLogger(__name__)

TASK_NAME = "openedx_webhooks_relay.send_event"
MAX_DELAY = 3600.0

SENT, RETRY, DROPPED = "sent", "retry", "dropped"


def backoff(retries: int) -> float:
    """Seconds before retry number `retries` (0-based): base × 2^n up to an hour, ±10 % jitter."""
    base = max(0.05, float(client.setting("OPENEDX_WEBHOOKS_RETRY_BASE_SECONDS")))
    delay = min(MAX_DELAY, base * (2 ** min(retries, 30)))
    return delay * random.uniform(0.9, 1.1)


def max_retries() -> int:
    """How many retries cover OPENEDX_WEBHOOKS_RETRY_HOURS with the schedule of `backoff` (jitter aside)."""
    budget = float(client.setting("OPENEDX_WEBHOOKS_RETRY_HOURS")) * 3600
    base = max(0.05, float(client.setting("OPENEDX_WEBHOOKS_RETRY_BASE_SECONDS")))
    total, n = 0.0, 0
    while total < budget:
        total += min(MAX_DELAY, base * (2 ** min(n, 30)))
        n += 1
    return n


def deliver(body: dict[str, Any]) -> str:
    """One POST /api/events; SENT, RETRY (no answer, 5xx, 408, 429) or DROPPED (any other 4xx)."""
    res = client.call("POST", "/api/events", body)
    event = f"{body.get('event_type')} {body.get('metadata', {}).get('id')}"
    if res.ok:
        return SENT
    if res.transient:
        log.warning("openedx-webhooks-relay: event %s not taken yet (%s)", event, res.error or f"HTTP {res.status}")
        return RETRY
    log.error("openedx-webhooks-relay: event %s refused by the service, HTTP %s: %s", event, res.status, res.body)
    return DROPPED


try:
    from celery import shared_task
except ImportError:  # pragma: no cover - the platform always has Celery; the thread mode does not need it
    shared_task = None
    send_event = None
else:

    @shared_task(bind=True, name=TASK_NAME, max_retries=None, ignore_result=True, acks_late=True)
    def send_event(self: Any, body: dict[str, Any]) -> str:
        """Celery task: post one event body; retried with backoff while the service cannot take it."""
        outcome = deliver(body)
        if outcome != RETRY:
            return outcome
        if self.request.retries >= max_retries():
            log.error(
                "openedx-webhooks-relay: event %s given up after %d retries",
                body.get("event_type"),
                self.request.retries,
            )
            return DROPPED
        raise self.retry(countdown=backoff(self.request.retries))


def mode() -> str:
    """ "celery" or "thread" (thread when set so, when Celery is missing or runs tasks eagerly)."""
    chosen = str(client.setting("OPENEDX_WEBHOOKS_EVENTS_DELIVERY") or "celery").lower()
    if chosen != "celery" or send_event is None:
        return "thread"
    try:
        if send_event.app.conf.task_always_eager:
            return "thread"
    except Exception:  # noqa: BLE001
        return "thread"
    return "celery"


class Dispatcher:
    """The per-process hand-off: a bounded inbox, a heap of delayed retries and one daemon thread.

    `put` only appends to a deque: it never wakes the thread, because waking it hands the GIL to it in the middle of
    the platform's request (measured: several hundred µs). The thread looks at the inbox every POLL seconds instead.
    """

    POLL = 0.05

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._heap_lock = threading.Lock()
        self._pid = 0
        self._inbox: collections.deque[dict[str, Any]] = collections.deque()
        self._later: list[tuple[float, int, dict[str, Any], int, float]] = []
        self._busy = 0
        self._seq = 0
        self._size = 10000

    def put(self, body: dict[str, Any]) -> bool:
        self._ensure()
        if len(self._inbox) >= self._size:
            log.error("openedx-webhooks-relay: queue full, event %s dropped", body.get("event_type"))
            return False
        self._inbox.append(body)
        return True

    def _ensure(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._size = int(client.setting("OPENEDX_WEBHOOKS_QUEUE_SIZE") or 10000)
            self._inbox = collections.deque()
            self._later = []
            self._busy = 0
            threading.Thread(target=self._loop, name="openedx-webhooks-events", daemon=True).start()
            self._pid = os.getpid()

    def pending(self) -> int:
        """Bodies not handed off yet (queued, being handled or waiting for a retry)."""
        return len(self._inbox) + len(self._later) + self._busy

    def drain(self, timeout: float) -> bool:
        """Waits until nothing is queued or in hand (retries waiting for their time are not waited for)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._inbox and self._busy == 0:
                return True
            time.sleep(0.005)
        return False

    def forget(self) -> int:
        """Drops the retries waiting in this process (tests; a settings change); returns how many."""
        with self._heap_lock:
            dropped = len(self._later)
            self._later.clear()
        return dropped

    def _next(self) -> tuple[dict[str, Any], int, float] | None:
        # _busy is set before the item leaves the inbox, so drain() never sees both empty while one is in hand.
        self._busy = 1
        try:
            body = self._inbox.popleft()
            return body, 0, time.monotonic()
        except IndexError:
            pass
        with self._heap_lock:
            if self._later and self._later[0][0] <= time.monotonic():
                _, _, body, attempt, first = heapq.heappop(self._later)
                return body, attempt, first
        self._busy = 0
        return None

    def _loop(self) -> None:
        while True:
            item = self._next()
            if item is None:
                time.sleep(self.POLL)
                continue
            body, attempt, first = item
            try:
                self._handle(body, attempt, first)
            except Exception:  # noqa: BLE001 - the thread must live on
                log.exception("openedx-webhooks-relay: event %s not handed off", body.get("event_type"))
            finally:
                self._busy = 0

    def _handle(self, body: dict[str, Any], attempt: int, first: float) -> None:
        if mode() == "celery":
            try:
                send_event.apply_async(args=[body], retry=True)
                return
            except Exception as exc:  # noqa: BLE001 - the broker is down: keep it here and try again
                log.warning(
                    "openedx-webhooks-relay: cannot publish event %s to Celery (%s)", body.get("event_type"), exc
                )
                outcome = RETRY
        else:
            outcome = deliver(body)
        if outcome != RETRY:
            return
        if time.monotonic() - first > float(client.setting("OPENEDX_WEBHOOKS_RETRY_HOURS")) * 3600:
            log.error(
                "openedx-webhooks-relay: event %s given up after %d attempts", body.get("event_type"), attempt + 1
            )
            return
        with self._heap_lock:
            if len(self._later) >= self._size:
                log.error("openedx-webhooks-relay: retry queue full, event %s dropped", body.get("event_type"))
                return
            self._seq += 1
            heapq.heappush(self._later, (time.monotonic() + backoff(attempt), self._seq, body, attempt + 1, first))


dispatcher = Dispatcher()


def enqueue(body: dict[str, Any]) -> None:
    """Called after commit: never raises, never waits on the network."""
    try:
        dispatcher.put(body)
    except Exception:  # noqa: BLE001
        log.exception("openedx-webhooks-relay: event %s not queued", body.get("event_type"))


@atexit.register
def _flush_at_exit() -> None:
    # Give a closing process a moment to hand off what it holds (Celery publishing takes milliseconds).
    if dispatcher._pid == os.getpid() and not dispatcher.drain(2.0):
        log.warning("openedx-webhooks-relay: %d events not handed off at exit", dispatcher.pending())
