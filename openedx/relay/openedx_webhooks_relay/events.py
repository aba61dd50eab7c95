"""One receiver on every Open edX event: build the §3 body, write it to the outbox in the event's transaction, then
hand it to the relay thread after the commit."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import threading
from functools import lru_cache, partial
from typing import Any

from django.db import transaction

from . import client, outbox, routing, tasks
from .serialize import iso_datetime, to_json

log = logging.getLogger(__name__)

DISPATCH_UID = "openedx_webhooks_relay.events.relay_event"


def load_signal_modules() -> None:
    """Imports every `signals` module of openedx-events, so all_events() holds every signal of the release."""
    from openedx_events import tooling

    loader = getattr(tooling, "load_all_signals", None)
    if loader is not None:
        loader()
        return
    root = importlib.import_module("openedx_events")
    for info in pkgutil.walk_packages(root.__path__, root.__name__ + "."):
        if info.name.endswith(".signals") and "tests" not in info.name.split("."):
            importlib.import_module(info.name)


def all_signals() -> list[Any]:
    """Every OpenEdxPublicSignal of the installed openedx-events (tests' own signals left out)."""
    return list(_signals())


@lru_cache(maxsize=1)
def _signals() -> tuple[Any, ...]:
    from openedx_events.tooling import OpenEdxPublicSignal

    load_signal_modules()
    return tuple(s for s in OpenEdxPublicSignal.all_events() if signal_names().get(s.event_type))


@lru_cache(maxsize=1)
def signal_names() -> dict[str, str]:
    """event_type → the signal's constant name (COURSE_ENROLLMENT_CREATED), read from the signals modules."""
    from openedx_events.tooling import OpenEdxPublicSignal

    load_signal_modules()
    names: dict[str, str] = {}
    root = importlib.import_module("openedx_events")
    for info in pkgutil.walk_packages(root.__path__, root.__name__ + "."):
        if not info.name.endswith(".signals") or "tests" in info.name.split("."):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, OpenEdxPublicSignal):
                names.setdefault(value.event_type, name)
    return names


_lock = threading.Lock()
_listening = False  # connect_all() ran: routing changes now connect and disconnect the receiver
_connected: set[str] = set()  # the event types the receiver is connected to


def connect_all() -> int:
    """Starts listening: the receiver on every signal routing may want (all of them until routing is known);
    returns how many. New events of a newer release need no code."""
    global _listening
    with _lock:
        _listening = True
    count = follow(routing.routing.routes)
    log.info("openedx-webhooks-relay: listening to %d of %d Open edX events", count, len(_signals()))
    return count


def disconnect_all() -> None:
    global _listening
    with _lock:
        _listening = False
        for signal in _signals():
            signal.disconnect(dispatch_uid=DISPATCH_UID)
        _connected.clear()


def follow(routes: routing.Routes | None) -> int:
    """Connects the receiver to the signals some webhook routes, and disconnects it from the others: an event
    nobody routes then costs the platform nothing, not even a call. While routing is not known (None), or a
    webhook listens to every event, the receiver is on every signal. Routing calls this whenever its answer's
    events change; the receiver still checks routing itself (a change reaches it before the connections do)."""
    names = signal_names()
    with _lock:
        if not _listening:
            return 0
        for signal in _signals():
            event_type = signal.event_type
            wanted = routing.wanted(routes, event_type, names.get(event_type))
            if wanted and event_type not in _connected:
                signal.connect(relay_event, weak=False, dispatch_uid=DISPATCH_UID)
                _connected.add(event_type)
            elif not wanted and event_type in _connected:
                signal.disconnect(dispatch_uid=DISPATCH_UID)
                _connected.discard(event_type)
        return len(_connected)


def connected() -> frozenset[str]:
    """The event types the receiver is connected to now."""
    with _lock:
        return frozenset(_connected)


def event_body(signal: Any, metadata: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The POST /api/events body (SPEC §3) for one event."""
    meta: dict[str, Any] = {"id": str(metadata.id), "time": iso_datetime(metadata.time)}
    for name in ("source", "sourcehost", "minorversion"):
        meta[name] = getattr(metadata, name, None)
    meta["sourcelib"] = [int(v) for v in getattr(metadata, "sourcelib", ()) or ()]
    return {"event_type": signal.event_type, "data": {k: to_json(v) for k, v in data.items()}, "metadata": meta}


def relay_event(sender: Any = None, signal: Any = None, metadata: Any = None, **kwargs: Any) -> None:
    """The receiver: cheap checks, the body, the outbox row, then an on_commit hand-off. Never raises."""
    try:
        from_bus = kwargs.pop("from_event_bus", False)
        if from_bus or signal is None or metadata is None or not client.enabled():
            # An event re-sent by the event bus consumer was relayed where it was produced (same metadata.id).
            return
        event_type = signal.event_type
        if not routing.wants_event(event_type, signal_names().get(event_type)):
            return
        body = event_body(signal, metadata, kwargs)
        if outbox.enabled():
            try:
                if outbox.keep(body["metadata"]["id"], event_type, body):
                    return
            except Exception:  # noqa: BLE001 - the row could not be written: the event goes on in memory
                log.exception("openedx-webhooks-relay: event %s not written to the outbox", event_type)
        transaction.on_commit(partial(tasks.enqueue, body))
    except Exception:  # noqa: BLE001 - an event must never fail because of the relay
        log.exception("openedx-webhooks-relay: event %s not relayed", getattr(signal, "event_type", "?"))
