"""The platform's own catalog (SPEC §8): every event with a JSON Schema of its data, every filter with its
arguments and exceptions, sent to PUT /api/v1/catalog/platform at start and whenever the versions change."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import importlib
import inspect
import json
import logging
import pkgutil
import re
import threading
import types
import typing
import uuid
from typing import Any

import attrs

from . import __version__, client, forksafe
from .events import all_signals, signal_names

log = logging.getLogger(__name__)

_SIMPLE: dict[type, dict[str, Any]] = {
    bool: {"type": "boolean"},
    int: {"type": "integer"},
    float: {"type": "number"},
    str: {"type": "string"},
    bytes: {"type": "string"},
    dt.datetime: {"type": "string", "format": "date-time"},
    dt.date: {"type": "string", "format": "date"},
    uuid.UUID: {"type": "string", "format": "uuid"},
}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def type_schema(tp: Any, seen: tuple[type, ...] = ()) -> dict[str, Any]:
    """A JSON Schema for one Python type as openedx-events writes it (attrs classes, keys, typing generics)."""
    from opaque_keys import OpaqueKey

    if tp is None or tp is type(None):
        return {"type": "null"}
    if tp is Any or isinstance(tp, (str, typing.ForwardRef)):
        return {}
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        real = [a for a in args if a is not type(None)]
        inner = type_schema(real[0], seen) if len(real) == 1 else {"anyOf": [type_schema(a, seen) for a in real]}
        return _nullable(inner) if len(real) < len(args) else inner
    if origin in (list, set, frozenset, tuple) or tp in (list, set, frozenset, tuple):
        items = [a for a in args if a is not Ellipsis]
        return {"type": "array", **({"items": type_schema(items[0], seen)} if len(items) == 1 else {})}
    if origin is dict or tp is dict:
        return {"type": "object", **({"additionalProperties": type_schema(args[1], seen)} if len(args) == 2 else {})}
    if not isinstance(tp, type):
        return {}
    if attrs.has(tp):
        return attrs_schema(tp, seen)
    if issubclass(tp, OpaqueKey):
        return {"type": "string", "format": "opaque-key", "x-key-type": tp.__name__}
    if issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    for base, schema in _SIMPLE.items():
        if issubclass(tp, base) and not (base is int and issubclass(tp, bool)):
            return dict(schema)
    return {}


def attrs_schema(cls: type, seen: tuple[type, ...] = ()) -> dict[str, Any]:
    """An object schema of an attrs class: one property per field, `required` for fields without a default."""
    if cls in seen:
        return {"type": "object"}
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001 - unresolvable hints fall back to the attrs field types
        hints = {}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in attrs.fields(cls):
        tp = hints.get(field.name, field.type)
        schema = type_schema(tp, (*seen, cls))
        if field.default is None and schema and "null" not in json.dumps(schema.get("type")):
            schema = _nullable(schema)
        properties[field.name] = schema
        if field.default is attrs.NOTHING:
            required.append(field.name)
    out: dict[str, Any] = {"type": "object", "title": cls.__name__, "properties": properties}
    if required:
        out["required"] = required
    return out


def _described(module_name: str) -> dict[str, str]:
    """event_type → `.. event_description:` of the signals module's annotations (joined continuation lines)."""
    try:
        source = inspect.getsource(importlib.import_module(module_name))
    except (OSError, TypeError):
        return {}
    found: dict[str, str] = {}
    current: str | None = None
    collecting: list[str] | None = None
    for line in source.splitlines():
        m = re.match(r"#\s*\.\.\s*(\w+):\s*(.*)", line.strip())
        if m:
            if collecting is not None and current:
                found[current] = " ".join(collecting).strip()
            collecting = None
            if m.group(1) == "event_type":
                current = m.group(2).strip()
            elif m.group(1) == "event_description":
                collecting = [m.group(2).strip()]
        elif collecting is not None and line.strip().startswith("#"):
            collecting.append(line.strip().lstrip("#").strip())
        elif collecting is not None:
            if current:
                found[current] = " ".join(collecting).strip()
            collecting = None
    return found


def event_entries() -> list[dict[str, Any]]:
    names = signal_names()
    descriptions: dict[str, str] = {}
    root = importlib.import_module("openedx_events")
    for info in pkgutil.walk_packages(root.__path__, root.__name__ + "."):
        if info.name.endswith(".signals") and "tests" not in info.name.split("."):
            descriptions.update(_described(info.name))
    entries = []
    for signal in sorted(all_signals(), key=lambda s: s.event_type):
        entries.append(
            {
                "event_type": signal.event_type,
                "signal": names.get(signal.event_type, ""),
                "data": {
                    arg: attrs_schema(cls) if attrs.has(cls) else type_schema(cls)
                    for arg, cls in signal.init_data.items()
                },
                "description": descriptions.get(signal.event_type, "")[:2000],
            }
        )
    return entries


def all_filter_classes() -> list[type]:
    from openedx_filters.tooling import OpenEdxPublicFilter

    from .settings.common import all_filter_types

    all_filter_types()  # imports every filters module
    found: dict[str, type] = {}
    stack = list(OpenEdxPublicFilter.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if getattr(cls, "filter_type", "") and cls.__module__.startswith("openedx_filters."):
            found.setdefault(cls.filter_type, cls)
    return [found[k] for k in sorted(found)]


def _params(func: Any, skip: int) -> list[str]:
    try:
        params = list(inspect.signature(func).parameters.values())[skip:]
    except (TypeError, ValueError):
        return []
    return [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def filter_exceptions(cls: type) -> list[dict[str, Any]]:
    """The exception classes nested in a filter class, with their constructor arguments."""
    from openedx_filters.exceptions import OpenEdxFilterException

    out = []
    for name, member in inspect.getmembers(cls, inspect.isclass):
        if issubclass(member, OpenEdxFilterException) and member is not OpenEdxFilterException:
            out.append({"name": name, "arguments": _params(member.__init__, 1)})
    return out


def _doc(obj: Any) -> str:
    text = inspect.getdoc(obj) or ""
    return re.sub(r"\s+", " ", text.split("\n\n")[0]).strip()[:2000]


def filter_entries() -> list[dict[str, Any]]:
    return [
        {
            "filter_type": cls.filter_type,
            "name": cls.__name__,
            "arguments": _params(cls.run_filter, 0),
            "exceptions": filter_exceptions(cls),
            "description": _doc(cls),
        }
        for cls in all_filter_classes()
    ]


def platform_host() -> str:
    """The platform's public host (LMS_BASE or CMS_BASE, as operators know it), else the machine's name."""
    import socket

    from django.conf import settings

    name = "CMS_BASE" if client.variant() == "cms" else "LMS_BASE"
    host = str(getattr(settings, name, "") or "").strip().lower()
    return host.split("/")[0] if host else socket.gethostname().lower()


def build_catalog() -> dict[str, Any]:
    """The PUT /api/v1/catalog/platform body."""
    versions = client.library_versions()
    return {
        "source": {
            "host": platform_host(),
            "variant": client.variant(),
            "relay": __version__,
            "openedx_events": versions["openedx-events"],
            "openedx_filters": versions["openedx-filters"],
        },
        "events": event_entries(),
        "filters": filter_entries(),
    }


def sync() -> client.Result:
    """Sends the catalog now (blocking); the service answers its counts."""
    res = client.call(
        "PUT",
        "/api/v1/catalog/platform",
        build_catalog(),
        timeout=max(10.0, float(client.setting("OPENEDX_WEBHOOKS_TIMEOUT"))),
    )
    if res.ok:
        log.info("openedx-webhooks-relay: catalog synced: %s", res.body)
    else:
        log.warning("openedx-webhooks-relay: catalog not synced (%s)", res.error or f"HTTP {res.status}: {res.body}")
    return res


def _stamp_key() -> str:
    versions = client.library_versions()
    raw = "|".join(
        [
            __version__,
            versions["openedx-events"],
            versions["openedx-filters"],
            client.variant(),
            str(client.setting("OPENEDX_WEBHOOKS_URL")),
        ]
    )
    return "openedx_webhooks_relay:catalog:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def sync_if_changed() -> client.Result | None:
    """Syncs unless this version set was synced in the last day (the Django cache is shared by the processes)."""
    from django.core.cache import cache

    key = _stamp_key()
    try:
        if not cache.add(key, "1", 24 * 3600):
            return None
    except Exception:  # noqa: BLE001 - no usable cache: sync every start
        pass
    res = sync()
    if not res.ok:
        try:
            cache.delete(key)
        except Exception:  # noqa: BLE001
            pass
    return res


def sync_in_background() -> threading.Thread | None:
    """At start, off the start-up path; a failure is logged and tried again at the next start."""
    if not client.enabled() or not client.setting("OPENEDX_WEBHOOKS_CATALOG_SYNC") or forksafe.uwsgi_master():
        return None

    def run() -> None:
        try:
            with forksafe.working():
                sync_if_changed()
        except Exception:  # noqa: BLE001
            log.exception("openedx-webhooks-relay: catalog sync failed")

    thread = threading.Thread(target=run, name="openedx-webhooks-catalog", daemon=True)
    thread.start()
    return thread
