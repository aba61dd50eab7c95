"""Filter arguments → JSON: the platform's own objects (Django models, QueryDict, QuerySet, responses, others).

What a webfilter receives for each kind of argument (README "Filters"):

- a Django model instance: an object of its concrete fields by attribute name (`user_id` for a foreign key, so
  related objects go by id); a field whose name holds `password`, `secret`, `token`, `api_key`, `cookie`,
  `session`, `authorization` or `csrf` is never sent (nor set from an answer);
- a `QueryDict` (form data): an object of its keys, a value as it is, or a list when the key holds several
  (secret-like keys left out, as openedx-filters itself takes passwords out of registration data);
- a dict, list, tuple or set: the same shape, each value converted by these rules (secret-like keys left out);
- attrs instances, opaque keys and locators, datetimes (UTC ISO-8601), dates, UUIDs, decimals, enums: as
  `serialize.to_json` writes them for events;
- a QuerySet: `{"__queryset__": "<app_label.Model>", "filter": {}, "exclude": {}}`. It is never evaluated (no
  query runs, no row leaves the process); a webfilter narrows it by answering `filter`/`exclude` lookups;
- an `HttpResponse`: `{"status_code", "content_type", "content"}` (content only when it is text under 64 KiB);
- an `HttpRequest` (in a template context): `{"__type__", "method", "path", "GET"}`, never its headers, cookies,
  session or body;
- a named tuple: an object of its fields;
- any other object: `{"__type__": "<module.Class>"}` plus its public attributes that are plain data (strings,
  numbers, booleans, keys, datetimes and lists or dicts of them) whose names are not secret-like (as for
  models); nothing else of it, never its `str()`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Mapping
from typing import Any

import attrs
from django.db import models
from django.db.models.query import QuerySet
from django.http import HttpRequest, HttpResponseBase, QueryDict
from django.utils.functional import Promise
from opaque_keys import OpaqueKey

from .serialize import to_json as plain_to_json

#: Field and attribute names never sent (nor set from an answer), whatever the model or object: a name that
#: contains one of these words, in any case (`password`, `csrf_token`, `api_key`, `session_key`…).
SECRET_WORDS = ("password", "secret", "token", "api_key", "apikey", "cookie", "session", "authorization", "csrf")


def is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


#: Response content larger than this is not sent.
MAX_CONTENT = 64 * 1024
#: Nesting deeper than this is cut (cycles in contexts, deep object graphs).
MAX_DEPTH = 12

_LEAVES = (str, int, float, bool, type(None), OpaqueKey, dt.date, dt.time, dt.timedelta, uuid.UUID, decimal.Decimal)


def label_of(obj: Any) -> str:
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def concrete_fields(model: type[models.Model]) -> list[models.Field]:
    """The model's own columns, without the ones never sent."""
    return [f for f in model._meta.concrete_fields if not is_secret(f.name) and not is_secret(f.attname)]


def model_to_json(obj: models.Model) -> dict[str, Any]:
    """The loaded columns (a deferred one is left out rather than read: serialising never queries)."""
    deferred = obj.get_deferred_fields()
    out: dict[str, Any] = {}
    for f in concrete_fields(type(obj)):
        if f.attname not in deferred:
            out[f.attname] = plain_to_json(f.value_from_object(obj))
    return out


def querydict_to_json(qd: QueryDict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in qd:
        if is_secret(key):
            continue
        values = qd.getlist(key)
        out[key] = values[0] if len(values) == 1 else list(values)
    return out


def queryset_to_json(qs: QuerySet) -> dict[str, Any]:
    return {"__queryset__": qs.model._meta.label, "filter": {}, "exclude": {}}


def response_to_json(res: HttpResponseBase) -> dict[str, Any]:
    out: dict[str, Any] = {"status_code": res.status_code, "content_type": res.get("Content-Type", "")}
    if not getattr(res, "streaming", False):
        content = getattr(res, "content", b"")
        if len(content) <= MAX_CONTENT:
            try:
                out["content"] = content.decode(getattr(res, "charset", None) or "utf-8")
            except (UnicodeDecodeError, LookupError):
                pass
    return out


def is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields") and hasattr(value, "_asdict")


def is_plain(value: Any, depth: int = 0) -> bool:
    """Plain data: what an arbitrary object's attribute may be to be sent."""
    if depth > 4:
        return False
    if isinstance(value, _LEAVES) or isinstance(value, (enum.Enum, Promise)):
        return True
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and is_plain(v, depth + 1) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)) and not is_namedtuple(value):
        return all(is_plain(v, depth + 1) for v in value)
    return False


def public_attributes(obj: Any) -> dict[str, Any]:
    """An object's public instance attributes that are plain data (the ones a webfilter may change)."""
    try:
        attributes = vars(obj)
    except TypeError:
        return {}
    return {
        k: v
        for k, v in attributes.items()
        if not k.startswith("_") and not is_secret(k) and not callable(v) and is_plain(v)
    }


def filter_to_json(value: Any, depth: int = 0) -> Any:
    """One filter argument (or a value inside one) as JSON, by the rules in the module docstring."""
    if isinstance(value, _LEAVES) or isinstance(value, enum.Enum):
        return plain_to_json(value)
    if isinstance(value, Promise):  # lazy translations in template contexts
        return str(value)
    if depth >= MAX_DEPTH:
        return {"__type__": label_of(value)}
    if isinstance(value, models.Model):
        return model_to_json(value)
    if isinstance(value, QueryDict):
        return querydict_to_json(value)
    if isinstance(value, QuerySet):
        return queryset_to_json(value)
    if isinstance(value, HttpResponseBase):
        return response_to_json(value)
    if isinstance(value, HttpRequest):  # never its headers, cookies, session or body
        return {
            "__type__": label_of(value),
            "method": value.method,
            "path": value.path,
            "GET": querydict_to_json(value.GET),
        }
    if attrs.has(type(value)):
        return {f.name: filter_to_json(getattr(value, f.name), depth + 1) for f in attrs.fields(type(value))}
    if isinstance(value, Mapping):
        return {
            (k if isinstance(k, str) else str(plain_to_json(k))): filter_to_json(v, depth + 1)
            for k, v in value.items()
            if not (isinstance(k, str) and is_secret(k))
        }
    if is_namedtuple(value):
        return {k: filter_to_json(v, depth + 1) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [filter_to_json(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [filter_to_json(v, depth + 1) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, (bytes, bytearray, memoryview)):
        return plain_to_json(value)
    if isinstance(value, type) or callable(value):
        return {"__type__": label_of(value)}
    out: dict[str, Any] = {"__type__": label_of(value)}
    for key, attr in public_attributes(value).items():
        out[key] = filter_to_json(attr, depth + 1)
    return out


def arguments_to_json(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The `data` of a `/api/filters` call: each filter argument by name."""
    return {name: filter_to_json(value) for name, value in arguments.items()}
