"""Python values → JSON values: attrs data classes, opaque keys, datetimes, UUIDs and the containers holding them.

Events use `to_json` on their attrs data; the filter pipeline adds the platform's own objects (Django models,
QueryDict) in the filter arguments section below and reuses these functions for everything else.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Mapping
from typing import Any

import attrs
from opaque_keys import OpaqueKey


def iso_datetime(value: dt.datetime) -> str:
    """UTC ISO-8601 with a `Z` (a naive datetime is taken as UTC, as Open edX stores them)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    text = value.astimezone(dt.UTC).isoformat(timespec="microseconds" if value.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def attrs_to_json(value: Any) -> dict[str, Any]:
    """An attrs instance as an object of its fields, each converted by `to_json`."""
    return {f.name: to_json(getattr(value, f.name)) for f in attrs.fields(type(value))}


def to_json(value: Any) -> Any:
    """A JSON-ready copy of `value`; unknown objects become their `str()`."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, OpaqueKey):
        return str(value)
    if isinstance(value, dt.datetime):
        return iso_datetime(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if attrs.has(type(value)):
        return attrs_to_json(value)
    if isinstance(value, Mapping):
        return {str(to_json(k)) if not isinstance(k, str) else k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(raw).decode("ascii")
    if hasattr(value, "read"):
        # A file (a certificate signatory's image): its URL or name, never its bytes.
        return getattr(value, "url", None) or getattr(value, "name", None) or None
    return str(value)


# --- Filter arguments (Django models, QueryDict, …): the filter pipeline's section. ---
