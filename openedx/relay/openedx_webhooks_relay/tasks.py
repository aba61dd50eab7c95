"""Getting events to the service off the request path: the outbox's rows (or, with the outbox off, the bodies
themselves), sent by Celery tasks or by the relay's own thread.

- "celery" (default): a web process only writes the row (outbox.py). The relay thread of each Celery worker process
  (started on `worker_init`) polls the outbox every OPENEDX_WEBHOOKS_OUTBOX_POLL_SECONDS and publishes the due rows
  as `openedx_webhooks_relay.send_events` tasks (up to BATCH events each) on OPENEDX_WEBHOOKS_CELERY_QUEUE when
  set. A task makes one attempt per event: a failed one sets the row's next attempt and ends, so long waits are
  kept in the table, never in the broker, and a Redis visibility timeout can never redeliver a waiting task.
- "thread": the writing process's relay thread posts its own rows after the commit, and every process sweeps the
  outbox every OPENEDX_WEBHOOKS_OUTBOX_SWEEP_SECONDS (rows a dead process left, retries whose time has come).
`metadata.id` makes every repeat safe: the service stores an event once. A 4xx other than 401, 403, 408 and 429
means the service will never take the body: logged, not retried; 401 and 403 (a rotated or wrong key) are errors an
operator fixes, so they are logged as errors and retried.
"""

from __future__ import annotations

import atexit
import collections
import heapq
import json
import logging
import os
import random
import threading
import time
from typing import Any

from . import client, forksafe

log = logging.getLogger(__name__)

TASK_NAME = "openedx_webhooks_relay.send_event"
BATCH_TASK_NAME = "openedx_webhooks_relay.send_events"
MAX_DELAY = 3600.0
#: Events per send_events task at most.
BATCH = 50

SENT, RETRY, DROPPED = "sent", "retry", "dropped"


def backoff(retries: int, cap: float = MAX_DELAY) -> float:
    """Seconds before retry number `retries` (0-based): base × 2^n up to `cap`, ±10 % jitter."""
    base = max(0.05, float(client.setting("OPENEDX_WEBHOOKS_RETRY_BASE_SECONDS")))
    delay = min(cap, base * (2 ** min(retries, 30)))
    return delay * random.uniform(0.9, 1.1)


def max_retries(cap: float = MAX_DELAY) -> int:
    """How many retries cover OPENEDX_WEBHOOKS_RETRY_HOURS with the schedule of `backoff` (jitter aside)."""
    budget = float(client.setting("OPENEDX_WEBHOOKS_RETRY_HOURS")) * 3600
    base = max(0.05, float(client.setting("OPENEDX_WEBHOOKS_RETRY_BASE_SECONDS")))
    total, n = 0.0, 0
    while total < budget:
        total += min(cap, base * (2 ** min(n, 30)))
        n += 1
    return n


def _label(body: Any) -> str:
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return "?"
    if "event_type" not in body and "user_id" in body:
        return f"retirement of user {body.get('user_id')}"  # never the username or email in a log
    return f"{body.get('event_type')} {body.get('metadata', {}).get('id')}"


def deliver(
    body: dict[str, Any] | str, path: str = "/api/events", headers: dict[str, str] | None = None
) -> tuple[str, str]:
    """One POST /api/events (or, for a retirement, /api/v1/retirements): (SENT | RETRY | DROPPED, what happened).
    RETRY: no answer, 5xx, 408, 429, 401, 403."""
    res = client.call("POST", path, body, headers=headers)
    if res.ok:
        return SENT, ""
    reason = res.error or f"HTTP {res.status}"
    if res.unauthorized:
        log.error(
            "openedx-webhooks-relay: event %s refused with HTTP %s: check OPENEDX_WEBHOOKS_API_KEY (a key of the "
            "service with the scope events); retried with backoff: %s",
            _label(body),
            res.status,
            res.body,
        )
        return RETRY, reason
    if res.transient:
        log.warning("openedx-webhooks-relay: event %s not taken yet (%s)", _label(body), reason)
        return RETRY, reason
    log.error(
        "openedx-webhooks-relay: event %s refused by the service, HTTP %s: %s", _label(body), res.status, res.body
    )
    return DROPPED, reason


def attempt_row(event_id: str, body: str) -> str:
    """One attempt for an outbox row: deleted when sent or refused for good, else its next attempt is set. A
    retirement row (retirement.py) goes to POST /api/v1/retirements, an event to POST /api/events."""
    from . import outbox, retirement

    if retirement.is_retirement(event_id):
        # The row's id as Idempotency-Key: a retirement sent again (its answer lost) is not done twice.
        outcome, reason = deliver(body, retirement.PATH, {"idempotency-key": event_id})
    else:
        outcome, reason = deliver(body)  # an event sent again is stored once per metadata.id by the service
    if outcome == RETRY:
        delay = outbox.failed(event_id, reason)
        if delay is not None and dispatcher.running():
            dispatcher.sweep_at(delay)  # this process takes it again when due, not only at its next sweep
    else:
        outbox.done(event_id)
    return outcome


def visibility_timeout(app: Any) -> float:
    """The broker's visibility timeout (Redis and SQS redeliver a task held unacknowledged longer than it)."""
    try:
        opts = app.conf.broker_transport_options or {}
        return float(opts.get("visibility_timeout") or 3600)
    except Exception:  # noqa: BLE001
        return 3600.0


try:
    from celery import shared_task
except ImportError:  # pragma: no cover - the platform always has Celery; the thread mode does not need it
    shared_task = None
    send_event = send_events = None
else:

    @shared_task(name=BATCH_TASK_NAME, ignore_result=True)
    def send_events(items: list[list[str]]) -> int:
        """Celery task (outbox mode): one attempt for each [event_id, body]; returns how many were sent.

        No Celery retry and no acks_late: a row that was not taken keeps its own next attempt in the outbox, and a
        worker that dies mid-task leaves rows that the sweep sends again after their lease.
        """
        sent = 0
        for event_id, body in items:
            try:
                sent += attempt_row(event_id, body) == SENT
            except Exception:  # noqa: BLE001 - one bad row must not stop the others
                log.exception("openedx-webhooks-relay: event %s not handled", event_id)
        return sent

    @shared_task(bind=True, name=TASK_NAME, max_retries=None, ignore_result=True, acks_late=True)
    def send_event(self: Any, body: dict[str, Any]) -> str:
        """Celery task (outbox off): post one event body; retried with backoff while the service cannot take it.

        A retry waits at most half the broker's visibility timeout: a task held longer would be delivered again.
        """
        outcome, _ = deliver(body)
        if outcome != RETRY:
            return outcome
        cap = min(MAX_DELAY, visibility_timeout(self.app) / 2)
        if self.request.retries >= max_retries(cap):
            log.error("openedx-webhooks-relay: event %s given up after %d retries", _label(body), self.request.retries)
            return DROPPED
        raise self.retry(countdown=backoff(self.request.retries, cap), queue=queue_name())


def queue_name() -> str | None:
    """OPENEDX_WEBHOOKS_CELERY_QUEUE, or None for the Celery app's default queue."""
    return str(client.setting("OPENEDX_WEBHOOKS_CELERY_QUEUE") or "") or None


def mode() -> str:
    """ "celery" or "thread" (thread when set so, when Celery is missing or runs tasks eagerly)."""
    chosen = str(client.setting("OPENEDX_WEBHOOKS_EVENTS_DELIVERY") or "celery").lower()
    if chosen != "celery" or send_event is None:
        return "thread"
    return "thread" if _eager() else "celery"


_EAGER: tuple[Any, bool] = (None, True)  # (the Celery app, its task_always_eager), read once per app


def _eager() -> bool:
    """The current Celery app runs tasks eagerly (read once per app, on the request path of every routed event:
    an app's configuration is set when the process starts)."""
    global _EAGER
    try:
        from celery import _state

        app = _state.get_current_app()
        if _EAGER[0] is not app:
            _EAGER = (app, bool(app.conf.task_always_eager))
        return _EAGER[1]
    except Exception:  # noqa: BLE001
        return True


class Dispatcher:
    """The per-process hand-off: an inbox, one daemon thread, the outbox sweep (and, outbox off, retries in memory).

    `put` only appends to a deque: it never wakes the thread, because waking it hands the GIL to it in the middle of
    the platform's request. The thread looks at the inbox every POLL seconds instead.
    """

    POLL = 0.05

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._heap_lock = threading.Lock()
        self._pid = 0
        self._inbox: collections.deque[tuple[str, Any]] = collections.deque()
        self._later: list[tuple[float, int, dict[str, Any], int, float]] = []
        self._busy = 0
        self._seq = 0
        self._size = 10000
        self._next_sweep = 0.0
        self._wakeups: list[float] = []  # when rows this process failed are due again (monotonic), a heap
        self._sweep_error = ""

    def put(self, body: dict[str, Any]) -> bool:
        """A body held in memory only (outbox off, or its table missing)."""
        return self._put(("mem", body))

    def put_row(self, event_id: str, body: str) -> bool:
        """An outbox row just committed: sent at once; if this process dies first, the sweep sends it."""
        return self._put(("row", (event_id, body)))

    def _put(self, item: tuple[str, Any]) -> bool:
        self.ensure()
        if len(self._inbox) >= self._size:
            if item[0] == "row":
                return False  # the row is safe in the outbox: the sweep sends it
            log.error("openedx-webhooks-relay: queue full, event %s dropped", _label(item[1]))
            return False
        self._inbox.append(item)
        return True

    def ensure(self) -> None:
        """Starts this process's thread (once per process: a forked child starts its own; none in a uWSGI master)."""
        if self._pid == os.getpid() or forksafe.uwsgi_master():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._size = int(client.setting("OPENEDX_WEBHOOKS_QUEUE_SIZE") or 10000)
            self._inbox = collections.deque()
            self._later = []
            self._busy = 0
            self._next_sweep = 0.0
            self._wakeups = []
            threading.Thread(target=self._loop, name="openedx-webhooks-events", daemon=True).start()
            self._pid = os.getpid()

    def pending(self) -> int:
        """Bodies not handed off yet (queued, being handled or waiting for a retry in memory)."""
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
        """Drops the retries waiting in this process's memory (tests; a settings change); returns how many."""
        with self._heap_lock:
            dropped = len(self._later)
            self._later.clear()
        return dropped

    def running(self) -> bool:
        return self._pid == os.getpid()

    def sweep_at(self, delay: float) -> None:
        """The thread sweeps the outbox in `delay` seconds (a row this process failed is due then), besides its
        regular sweeps."""
        self.ensure()
        with self._heap_lock:
            heapq.heappush(self._wakeups, time.monotonic() + delay + 0.01)

    def _due(self) -> bool:
        """Time for a sweep: the regular interval is over, or a row this process failed is due."""
        now = time.monotonic()
        woken = False
        with self._heap_lock:
            while self._wakeups and self._wakeups[0] <= now:
                heapq.heappop(self._wakeups)
                woken = True
        if now >= self._next_sweep:
            self._next_sweep = now + _sweep_interval()
            return True
        return woken

    def _take(self) -> list[tuple[str, Any]]:
        items: list[tuple[str, Any]] = []
        while len(items) < BATCH:
            try:
                items.append(self._inbox.popleft())
            except IndexError:
                break
        return items

    def _loop(self) -> None:
        while True:
            # A turn is one piece of work for forksafe: the process does not fork in the middle of it (its database
            # connection is closed at the end of the turn, so a child never inherits it open).
            with forksafe.working():
                # _busy is set before items leave the inbox, so drain() never sees both empty while one is in hand.
                self._busy = 1
                try:
                    items = self._take()
                    if items:
                        self._handle(items)
                    else:
                        self._retry_in_memory()
                        if self._due():
                            self._sweep()
                except Exception:  # noqa: BLE001 - the thread must live on
                    log.exception("openedx-webhooks-relay: events not handed off")
                    items = []
                finally:
                    self._busy = 0
                    _close_connections()
            if not items:
                time.sleep(self.POLL)

    def _handle(self, items: list[tuple[str, Any]]) -> None:
        rows = [value for kind, value in items if kind == "row"]
        if rows:
            self._send_rows(rows, swept=False)
        for kind, value in items:
            if kind == "mem":
                self._handle_memory(value, 0, time.monotonic())

    def _send_rows(self, rows: list[tuple[str, str]], swept: bool) -> None:
        if mode() == "celery":
            for i in range(0, len(rows), BATCH):
                batch = rows[i : i + BATCH]
                try:
                    send_events.apply_async(args=[[list(r) for r in batch]], queue=queue_name(), retry=False)
                except Exception as exc:  # noqa: BLE001 - the broker is down: the rows wait in the outbox
                    log.warning(
                        "openedx-webhooks-relay: cannot publish %d events to Celery (%s); they wait in the outbox",
                        len(batch),
                        exc,
                    )
                    if swept:
                        _release([event_id for event_id, _ in batch])
            return
        for event_id, body in rows:
            attempt_row(event_id, body)

    def _sweep(self) -> None:
        from . import outbox

        # Outbox off: the table may still hold retirements (written whatever OPENEDX_WEBHOOKS_OUTBOX says).
        if not (client.enabled() and (outbox.enabled() or outbox.table_exists())):
            return
        try:
            while True:
                rows = outbox.take(BATCH * 4)
                if rows:
                    log.info("openedx-webhooks-relay: %d events taken from the outbox", len(rows))
                    self._send_rows(rows, swept=True)
                if len(rows) < BATCH * 4:
                    return
        except Exception as exc:  # noqa: BLE001 - no table yet (migrations), database away: next sweep
            text = f"{type(exc).__name__}: {exc}"
            # Once per cause, not once a second: a worker polls every OPENEDX_WEBHOOKS_OUTBOX_POLL_SECONDS.
            (log.debug if text == self._sweep_error else log.warning)(
                "openedx-webhooks-relay: outbox not swept (%s)", text
            )
            self._sweep_error = text
        else:
            self._sweep_error = ""

    # Outbox off: bodies in memory, retried in memory (thread mode) or by Celery.
    def _retry_in_memory(self) -> None:
        with self._heap_lock:
            if not (self._later and self._later[0][0] <= time.monotonic()):
                return
            _, _, body, attempt, first = heapq.heappop(self._later)
        self._handle_memory(body, attempt, first)

    def _handle_memory(self, body: dict[str, Any], attempt: int, first: float) -> None:
        if mode() == "celery":
            try:
                send_event.apply_async(args=[body], queue=queue_name(), retry=False)
                return
            except Exception as exc:  # noqa: BLE001 - the broker is down: keep it here and try again
                log.warning("openedx-webhooks-relay: cannot publish event %s to Celery (%s)", _label(body), exc)
                outcome = RETRY
        else:
            outcome, _ = deliver(body)
        if outcome != RETRY:
            return
        if time.monotonic() - first > float(client.setting("OPENEDX_WEBHOOKS_RETRY_HOURS")) * 3600:
            log.error("openedx-webhooks-relay: event %s given up after %d attempts", _label(body), attempt + 1)
            return
        with self._heap_lock:
            if len(self._later) >= self._size:
                log.error("openedx-webhooks-relay: retry queue full, event %s dropped", _label(body))
                return
            self._seq += 1
            heapq.heappush(self._later, (time.monotonic() + backoff(attempt), self._seq, body, attempt + 1, first))


#: True in a Celery worker process (worker_init): its relay thread polls the outbox for the whole platform.
POLLER = {"on": False}


def _sweep_interval() -> float:
    from . import outbox

    if POLLER["on"] and mode() == "celery":
        return outbox.poll_seconds() * random.uniform(0.9, 1.1)
    return outbox.sweep_seconds() * random.uniform(0.8, 1.2)


def _release(event_ids: list[str]) -> None:
    from . import outbox

    try:
        outbox.release(event_ids)
    except Exception:  # noqa: BLE001 - their lease ends by itself
        log.debug("openedx-webhooks-relay: outbox rows not released", exc_info=True)


def _close_connections() -> None:
    # The thread's own database connection: closed after each turn with work, so none is left to time out.
    try:
        from django.db import connections

        for conn in connections.all(initialized_only=True):
            if conn.connection is not None and not conn.in_atomic_block:
                conn.close()
    except Exception:  # noqa: BLE001
        pass


dispatcher = Dispatcher()


def enqueue(body: dict[str, Any]) -> None:
    """Called after commit (outbox off): never raises, never waits on the network."""
    try:
        dispatcher.put(body)
    except Exception:  # noqa: BLE001
        log.exception("openedx-webhooks-relay: event %s not queued", _label(body))


def enqueue_row(event_id: str, body: str) -> None:
    """Called after commit (outbox on): never raises, never waits on the network."""
    try:
        dispatcher.put_row(event_id, body)
    except Exception:  # noqa: BLE001
        log.exception("openedx-webhooks-relay: event %s not queued (it waits in the outbox)", event_id)


def start() -> None:
    """Starts the relay thread where it has work (AppConfig.ready, forks): in thread mode every process (it sends
    its own events and sweeps what a dead process left); in celery mode only Celery worker processes (they poll
    the outbox), so a web process's request thread never shares the GIL with a hand-off."""
    try:
        if client.enabled() and (mode() == "thread" or POLLER["on"]):
            dispatcher.ensure()
    except Exception:  # noqa: BLE001
        log.exception("openedx-webhooks-relay: the relay thread did not start")


def become_poller() -> None:
    """This process is a Celery worker: its relay thread polls the outbox and publishes the due rows."""
    POLLER["on"] = True
    start()
    dispatcher._next_sweep = 0.0  # poll now, then every OPENEDX_WEBHOOKS_OUTBOX_POLL_SECONDS


if hasattr(os, "register_at_fork"):
    # A forked uwsgi worker has no thread: in thread mode it starts its own. (A Celery pool process needs none: the
    # worker's main process polls.)
    os.register_at_fork(after_in_child=lambda: POLLER["on"] or start())

try:
    from celery.signals import worker_init
except ImportError:  # pragma: no cover
    pass
else:

    @worker_init.connect(weak=False)
    def _on_worker_init(**kwargs: Any) -> None:
        become_poller()


@atexit.register
def _flush_at_exit() -> None:
    # Give a closing process a moment to hand off what it holds (the outbox keeps rows whatever happens).
    if dispatcher._pid == os.getpid() and not dispatcher.drain(2.0):
        log.warning("openedx-webhooks-relay: %d events not handed off at exit", dispatcher.pending())
