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
from collections.abc import Callable, Mapping
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
    return _converter(type(value))(value)


def to_json(value: Any) -> Any:
    """A JSON-ready copy of `value`; unknown objects become their `str()`.

    On the request path (every routed event): the conversion of a value depends only on its type, so each type's
    converter is found once (the isinstance chain of `_find`) and then looked up by `type(value)`.
    """
    convert = _BY_TYPE.get(type(value))
    if convert is None:
        convert = _converter(type(value))
    return convert(value)


def _same(value: Any) -> Any:
    return value


def _float(value: float) -> float | None:
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def _enum(value: enum.Enum) -> Any:
    return to_json(value.value)


def _mapping(value: Mapping) -> dict[str, Any]:
    return {k if isinstance(k, str) else str(to_json(k)): to_json(v) for k, v in value.items()}


def _sequence(value: Any) -> list[Any]:
    return [to_json(v) for v in value]


def _bytes(value: Any) -> str:
    raw = bytes(value)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii")


def _file(value: Any) -> Any:
    # A file (a certificate signatory's image): its URL or name, never its bytes.
    return getattr(value, "url", None) or getattr(value, "name", None) or None


def _attrs(cls: type) -> Callable[[Any], dict[str, Any]]:
    names = tuple(f.name for f in attrs.fields(cls))

    def convert(value: Any) -> dict[str, Any]:
        out = {}
        for name in names:
            field = getattr(value, name)
            out[name] = field if type(field) in _PLAIN else to_json(field)
        return out

    return convert


def _find(cls: type) -> Callable[[Any], Any]:
    """The conversion of a value of this type (the order of the checks decides, as for a subclass of str and Enum)."""
    if cls is type(None) or issubclass(cls, (bool, int, str)):
        return _same
    if issubclass(cls, float):
        return _float
    if issubclass(cls, (OpaqueKey, uuid.UUID, decimal.Decimal)):
        return str
    if issubclass(cls, dt.datetime):
        return iso_datetime
    if issubclass(cls, (dt.date, dt.time)):
        return cls.isoformat
    if issubclass(cls, dt.timedelta):
        return cls.total_seconds
    if issubclass(cls, enum.Enum):
        return _enum
    if attrs.has(cls):
        return _attrs(cls)
    if issubclass(cls, Mapping):
        return _mapping
    if issubclass(cls, (list, tuple, set, frozenset)):
        return _sequence
    if issubclass(cls, (bytes, bytearray, memoryview)):
        return _bytes
    if hasattr(cls, "read"):
        return _file
    return str


_BY_TYPE: dict[type, Callable[[Any], Any]] = {}
_PLAIN = frozenset({str, int, bool, type(None)})  # JSON values as they are (not their subclasses: an Enum may be one)


def _converter(cls: type) -> Callable[[Any], Any]:
    convert = _BY_TYPE.get(cls)
    if convert is None:
        convert = _find(cls)
        if len(_BY_TYPE) < 1000:  # types are few; a bound all the same
            _BY_TYPE[cls] = convert
    return convert


# --- Filter arguments (Django models, QueryDict, …): the filter pipeline's section. ---
