"""The transactional outbox: an event is a row of OutboxEvent written in the transaction that sent it.

The receiver writes the row with one INSERT in the platform's open transaction (no commit of its own, no network):
a rolled-back change leaves no event, a committed one leaves a row that outlives the process. Nothing else happens
in the platform's web processes in celery mode: the relay thread of each Celery worker process polls the table
every OPENEDX_WEBHOOKS_OUTBOX_POLL_SECONDS and publishes the due rows as send_events tasks (so the request thread
never competes with a hand-off for the GIL). In thread mode the writing process's own relay thread sends the row
after the commit, and the sweep every process runs every OPENEDX_WEBHOOKS_OUTBOX_SWEEP_SECONDS takes what a dead
process left. Sent or
refused for good → deleted; not taken by the service → `next_attempt` set by the retry schedule, in this table,
never in the broker.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from typing import Any

from django.db import connections, router, transaction
from django.utils import timezone

from . import client
from .models import OutboxEvent

log = logging.getLogger(__name__)

MAX_DELAY = 3600.0
_insert: dict[tuple[str, bool], str] = {}
_ready: dict[str, bool] = {}
_ALIAS: str | None = None


def enabled() -> bool:
    return bool(client.setting("OPENEDX_WEBHOOKS_OUTBOX"))


def poll_seconds() -> float:
    """How often a Celery worker's relay thread polls the outbox (the delay an event waits at most in celery mode)."""
    try:
        return max(0.05, float(client.setting("OPENEDX_WEBHOOKS_OUTBOX_POLL_SECONDS")))
    except (TypeError, ValueError):
        return 1.0


def sweep_seconds() -> float:
    try:
        return max(0.2, float(client.setting("OPENEDX_WEBHOOKS_OUTBOX_SWEEP_SECONDS")))
    except (TypeError, ValueError):
        return 30.0


def lease_seconds() -> float:
    """How long a row taken by a sweep is left to its sender before another sweep may take it again."""
    return max(10 * sweep_seconds(), 4 * float(client.setting("OPENEDX_WEBHOOKS_TIMEOUT") or 5))


def backoff(attempts: int) -> float:
    """Seconds before attempt number `attempts` + 1: base × 2^n up to an hour, ±10 % jitter."""
    base = max(0.05, float(client.setting("OPENEDX_WEBHOOKS_RETRY_BASE_SECONDS")))
    return min(MAX_DELAY, base * (2 ** min(attempts, 30))) * random.uniform(0.9, 1.1)


def _table_ready(alias: str) -> bool:
    ready = _ready.get(alias)
    if ready is None:
        try:
            with connections[alias].cursor() as cursor:
                names = connections[alias].introspection.table_names(cursor)
            ready = OutboxEvent._meta.db_table in names
        except Exception:  # noqa: BLE001
            log.exception("openedx-webhooks-relay: cannot look for the outbox table")
            ready = False
        if not ready:
            log.error(
                "openedx-webhooks-relay: the table %s is missing (run the migrations); events are handed off in "
                "memory, and lost if the process ends before they are sent",
                OutboxEvent._meta.db_table,
            )
        _ready[alias] = ready
    return ready


def table_exists() -> bool:
    """The outbox table exists in the outbox's database (checked once per process)."""
    return _table_ready(_alias())


def _alias() -> str:
    """The outbox's database (asked of the routers once per process: routing a model's writes does not change)."""
    global _ALIAS
    if _ALIAS is None:
        _ALIAS = router.db_for_write(OutboxEvent)
    return _ALIAS


_COLUMNS = ("event_id", "event_type", "body", "created", "next_attempt", "attempts", "last_error")


def _insert_sql(alias: str, native: bool) -> str:
    """The INSERT with Django's `%s` placeholders, or (`native`) the DB-API driver's own (SQLite's `?`)."""
    sql = _insert.get((alias, native))
    if sql is None:
        conn = connections[alias]
        ops = conn.ops
        mark = "?" if native and conn.vendor == "sqlite" else "%s"
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            ops.quote_name(OutboxEvent._meta.db_table),
            ", ".join(ops.quote_name(c) for c in _COLUMNS),
            ", ".join([mark] * len(_COLUMNS)),
        )
        _insert[(alias, native)] = sql
    return sql


def write(event_id: str, event_type: str, body: str, grace: bool = False) -> bool:
    """The row, in the current transaction of the outbox's database (on the request path: one INSERT, no ORM).

    `grace`: the writing process sends it itself (thread mode), so other processes' sweeps leave it alone for a
    sweep interval; otherwise it is due at once for the Celery workers' poll. False when it could not be written
    (no table yet): the caller hands the event off in memory instead.

    SQLite and MySQL (the platform's database in production): the statement goes to the DB-API connection that
    Django holds open, past Django's cursor wrappers (query logging, execute wrappers, the placeholder rewrite),
    which cost more than the INSERT itself on the request path; a failed statement leaves their transaction
    usable. PostgreSQL: through Django, in a savepoint, since a failed statement aborts the whole transaction there.
    """
    alias = _alias()
    if not _table_ready(alias):
        return False
    conn = connections[alias]
    now = timezone.now()
    stamp = conn.ops.adapt_datetimefield_value(now)
    due = conn.ops.adapt_datetimefield_value(now + dt.timedelta(seconds=sweep_seconds())) if grace else stamp
    params = (event_id, event_type, body, stamp, due, 0, "")
    raw = conn.connection
    if raw is not None and conn.vendor in ("sqlite", "mysql"):
        cursor = raw.cursor()
        try:
            cursor.execute(_insert_sql(alias, True), params)
        finally:
            cursor.close()
    elif conn.vendor == "postgresql" and conn.in_atomic_block:
        # A failed statement aborts a PostgreSQL transaction: a savepoint keeps the platform's usable.
        with transaction.atomic(using=alias), conn.cursor() as cursor:
            cursor.execute(_insert_sql(alias, False), params)
    else:
        with conn.cursor() as cursor:
            cursor.execute(_insert_sql(alias, False), params)
    return True


def take(limit: int = 100) -> list[tuple[str, str]]:
    """Rows whose time has come, leased to this process (a conditional update per row: another process sweeping
    at the same moment takes each row at most once); [(event_id, body)] in the order they were written."""
    now = timezone.now()
    rows = list(
        OutboxEvent.objects.filter(next_attempt__lte=now)
        .order_by("id")
        .values_list("id", "event_id", "body", "next_attempt")[:limit]
    )
    lease = now + dt.timedelta(seconds=lease_seconds())
    taken = []
    for pk, event_id, body, when in rows:
        if OutboxEvent.objects.filter(pk=pk, next_attempt=when).update(next_attempt=lease):
            taken.append((event_id, body))
    return taken


def release(event_ids: list[str]) -> None:
    """Rows a sweep took but could not hand off (the broker is down): due again at the next sweep."""
    later = timezone.now() + dt.timedelta(seconds=sweep_seconds())
    OutboxEvent.objects.filter(event_id__in=event_ids).update(next_attempt=later)


def done(event_id: str) -> None:
    OutboxEvent.objects.filter(event_id=event_id).delete()


def failed(event_id: str, error: str) -> float | None:
    """The service did not take it: the next attempt per the retry schedule (seconds), or None when given up."""
    row = OutboxEvent.objects.filter(event_id=event_id).values_list("attempts", "created").first()
    if row is None:
        return None
    attempts, created = row
    now = timezone.now()
    if (now - created).total_seconds() > float(client.setting("OPENEDX_WEBHOOKS_RETRY_HOURS")) * 3600:
        log.error("openedx-webhooks-relay: event %s given up after %d attempts (%s)", event_id, attempts + 1, error)
        done(event_id)
        return None
    delay = backoff(attempts)
    OutboxEvent.objects.filter(event_id=event_id).update(
        attempts=attempts + 1, next_attempt=now + dt.timedelta(seconds=delay), last_error=error[:500]
    )
    return delay


def pending() -> int:
    return OutboxEvent.objects.count()


def keep(event_id: str, event_type: str, body: dict[str, Any]) -> bool:
    """The row of an event or a retirement in the current transaction; in thread mode this process sends it after
    the commit (in celery mode a worker's poll does). False when there is no outbox table (logged by write)."""
    from functools import partial

    from . import tasks

    text = encode(body)
    itself = tasks.mode() == "thread"
    if not write(event_id, event_type, text, grace=itself):
        return False
    if itself:
        transaction.on_commit(partial(tasks.enqueue_row, event_id, text))
    return True


def encode(body: dict[str, Any]) -> str:
    return _ENCODER.encode(body)


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
