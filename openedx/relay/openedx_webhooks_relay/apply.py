"""The service's filter answer → the platform: `changes` applied to the real arguments, `exception` raised.

Changes keep each argument's original type (README "Filters"): a model instance gets its concrete fields set
and is saved, except its primary key, secret-like fields and the privilege and identity fields of `protected_field`
(`is_superuser`, `is_staff`, `is_active`, `last_login`, every relation…) unless the operator lists them in
OPENEDX_WEBHOOKS_WRITABLE_FIELDS; a `QueryDict` is copied and updated; a dict is deep-merged;
a list takes the answer's items; an opaque key is parsed back into a key; a datetime, date, UUID or decimal is
parsed; a string, number or boolean is coerced to the original type; a QuerySet is narrowed by `filter` and
`exclude` lookups; a named tuple is replaced; an `HttpResponse` gets its status, content and headers set; any
other object gets its plain public attributes set. A change that does not fit is logged and left out: applying
an answer never raises. Every change left out is also listed (`apply_changes(..., report=[])`): the pipeline
reports them against the filter call, so the service's delivery log shows them beside the answer that asked.
"""

from __future__ import annotations

import contextvars
import copy
import datetime as dt
import decimal
import enum
import inspect
import json
import logging
import uuid
from collections.abc import Mapping, MutableMapping
from typing import Any

import attrs
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models.query import QuerySet
from django.http import HttpResponse, HttpResponseBase, QueryDict
from django.utils.functional import Promise
from django.utils.safestring import SafeData
from opaque_keys import InvalidKeyError, OpaqueKey
from openedx_filters.exceptions import OpenEdxFilterException

from . import client
from .serialize_filters import concrete_fields, is_namedtuple, is_plain, is_secret, public_attributes

log = logging.getLogger(__name__)

#: Fields an answer never writes, on any model, unless OPENEDX_WEBHOOKS_WRITABLE_FIELDS lists them: a receiver is a
#: third party, and these decide who a user is and what they may do. Every relation (foreign key, one-to-one,
#: many-to-many such as `groups` and `user_permissions`) is protected too.
PROTECTED_FIELDS = frozenset(
    {"is_superuser", "is_staff", "is_active", "password", "last_login", "date_joined", "groups", "user_permissions"}
)


def writable_fields() -> frozenset[str]:
    """OPENEDX_WEBHOOKS_WRITABLE_FIELDS, lower-cased: `"field"` (any model) or `"app_label.Model.field"`."""
    value = client.setting("OPENEDX_WEBHOOKS_WRITABLE_FIELDS") or ()
    if isinstance(value, str):
        value = [value]
    return frozenset(str(v).strip().lower() for v in value if str(v).strip())


def protected_field(model: type[models.Model], field: models.Field) -> bool:
    """True when an answer may not write this field: a privilege or identity field or a relation, not listed."""
    if not (field.name in PROTECTED_FIELDS or field.is_relation):
        return False
    allowed = writable_fields()
    label = f"{model._meta.app_label}.{model._meta.object_name}".lower()
    names = {field.name.lower(), str(getattr(field, "attname", field.name)).lower()}
    return not any(n in allowed or f"{label}.{n}" in allowed for n in names)


class Skip(Exception):
    """A change that cannot be applied; the message says why (logged with its path)."""


#: The changes left out by the apply_changes call running in this context: [{"path", "reason"}], or None.
_left_out: contextvars.ContextVar[list[dict[str, str]] | None] = contextvars.ContextVar("left_out", default=None)


def not_applied(path: str, reason: str, *, refusal: bool = False, error: bool = False) -> None:
    """A change left out: logged (a refusal as an error: a webfilter asked for what it may not have; an unexpected
    failure with its traceback) and listed for the report of apply_changes' caller."""
    if refusal:
        log.error("openedx-webhooks-relay: change to %s refused: %s", path, reason)
    elif error:
        log.exception("openedx-webhooks-relay: change to %s ignored", path)
    else:
        log.warning("openedx-webhooks-relay: change to %s ignored: %s", path, reason)
    _list(path, reason)


def _list(path: str, reason: str) -> None:
    """A change left out, listed for the report of the apply_changes call running in this context (if it wants one)."""
    report = _left_out.get()
    if report is not None and len(report) < 100:
        report.append({"path": path[:300], "reason": reason[:300]})


def _failed(path: str, exc: Exception) -> None:
    if isinstance(exc, Skip):
        not_applied(path, str(exc))
    else:
        not_applied(path, f"the relay could not apply it ({type(exc).__name__})", error=True)


# --- changes -------------------------------------------------------------------------------------------------


def apply_changes(
    arguments: Mapping[str, Any], changes: Mapping[str, Any], report: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """The changed arguments, by name, with their original types (what the pipeline step returns). `report`, when
    given, gets each change left out: `{"path": "user.is_superuser", "reason": "…"}` (at most 100)."""
    token = _left_out.set(report)
    try:
        result: dict[str, Any] = {}
        for name, change in changes.items():
            if name not in arguments:
                not_applied(name, "not an argument of this filter")
                continue
            if change is None and arguments[name] is not None:
                not_applied(name, "an argument cannot be set to null")
                continue
            try:
                result[name] = apply_change(arguments[name], change, name)
            except Exception as exc:  # noqa: BLE001 - a bad answer must never break the platform's request
                _failed(name, exc)
        return result
    finally:
        _left_out.reset(token)


def apply_change(original: Any, change: Any, path: str) -> Any:
    """`change` (JSON) applied to `original`: the new value, of the original's type where it has one."""
    if original is None:
        return change
    if isinstance(original, models.Model):
        return _model(original, change, path)
    if isinstance(original, QueryDict):
        return _querydict(original, change)
    if isinstance(original, QuerySet):
        return _queryset(original, change)
    if isinstance(original, HttpResponseBase):
        return _response(original, change)
    if isinstance(original, OpaqueKey):
        return _key(original, change)
    if isinstance(original, (bool, int, float, str, Promise, dt.date, dt.time, dt.timedelta, uuid.UUID)):
        return coerce_scalar(original, change)
    if isinstance(original, (decimal.Decimal, enum.Enum)):
        return coerce_scalar(original, change)
    if attrs.has(type(original)):
        return _attrs(original, change, path)
    if isinstance(original, Mapping):
        return _mapping(original, change, path)
    if is_namedtuple(original):
        return _namedtuple(original, change, path)
    if isinstance(original, (list, tuple)):
        return _sequence(original, change, path)
    if isinstance(original, (set, frozenset)):
        if not isinstance(change, list):
            raise Skip("a set takes a list")
        return type(original)(_hashable(v) for v in change)
    return _object(original, change, path)


def _nested(original: Any, change: Any, path: str) -> Any:
    """apply_change for a value inside an argument: on failure the old value stays (and the log says why)."""
    try:
        return apply_change(original, change, path)
    except Exception as exc:  # noqa: BLE001
        _failed(path, exc)
    return original


def form_text(value: Any) -> str:
    """A JSON value as form text: booleans as `true`/`false`, objects and lists as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return "" if value is None else str(value)


def coerce_scalar(original: Any, value: Any) -> Any:
    """`value` as the type of `original` (a string, number, boolean, date, time, UUID, decimal or enum)."""
    if value is None:
        return None
    kind = type(original)
    try:
        if isinstance(original, bool):
            if isinstance(value, bool):
                return value
            if isinstance(value, (int, float)) and value in (0, 1):
                return bool(value)
            if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
                return value.strip().lower() in ("true", "1", "yes")
            raise Skip(f"{value!r} is not a boolean")
        if isinstance(original, enum.Enum):
            return kind(value)
        if isinstance(original, int):
            if isinstance(value, float) and not value.is_integer():
                raise Skip(f"{value!r} is not a whole number")
            number = int(value) if not isinstance(value, str) else int(value.strip())
            return kind(number) if kind is not int else number
        if isinstance(original, float):
            if isinstance(value, bool):
                raise Skip(f"{value!r} is not a number")
            return kind(value)
        if isinstance(original, decimal.Decimal):
            return decimal.Decimal(str(value))
        if isinstance(original, (str, Promise)):
            if isinstance(value, (dict, list)):
                raise Skip("a string takes a string, a number or a boolean")
            text = form_text(value)
            # A safe string (mark_safe) comes back plain, so templates escape what a webfilter wrote.
            if isinstance(original, SafeData) or not isinstance(original, str) or kind is str:
                return text
            return kind(text)
        if isinstance(original, dt.datetime):
            return _datetime(original, value)
        if isinstance(original, dt.date):
            return dt.date.fromisoformat(str(value)[:10])
        if isinstance(original, dt.time):
            return dt.time.fromisoformat(str(value))
        if isinstance(original, dt.timedelta):
            return dt.timedelta(seconds=float(value))
        if isinstance(original, uuid.UUID):
            return uuid.UUID(str(value))
    except Skip:
        raise
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise Skip(f"{value!r} does not fit a {kind.__name__}: {exc}") from None
    raise Skip(f"cannot set a {kind.__name__}")


def _datetime(original: dt.datetime, value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise Skip("a datetime takes an ISO-8601 string")
    parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if original.tzinfo is not None and parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    if original.tzinfo is None and parsed.tzinfo is not None:
        return parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def _key_class(original: OpaqueKey) -> type[OpaqueKey]:
    """The public key class to parse with: CourseKey for a CourseLocator, UsageKey for a BlockUsageLocator…"""
    kinds = [
        c for c in type(original).__mro__ if isinstance(c, type) and issubclass(c, OpaqueKey) and c is not OpaqueKey
    ]
    for cls in kinds:
        if cls.__module__ == "opaque_keys.edx.keys":
            return cls
    return kinds[-1] if kinds else type(original)


def _key(original: OpaqueKey, change: Any) -> OpaqueKey:
    if not isinstance(change, str):
        raise Skip("a key takes its string form")
    if change == str(original):
        return original
    try:
        return _key_class(original).from_string(change)
    except InvalidKeyError:
        raise Skip(f"{change!r} is not a {_key_class(original).__name__}") from None


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return value


def _mapping(original: Mapping[str, Any], change: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(change, Mapping):
        raise Skip("an object takes an object (its keys are merged)")
    # A copy of the same type (an OrderedDict stays one); a read-only mapping becomes a dict.
    out = copy.copy(original) if isinstance(original, MutableMapping) else dict(original)
    for key, value in change.items():
        if key in original:
            out[key] = _nested(original[key], value, f"{path}.{key}")
        else:
            out[key] = value
    return out


def _sequence(original: list | tuple, change: Any, path: str) -> list | tuple:
    if not isinstance(change, list):
        raise Skip("a list takes a list")
    items = [
        _nested(original[i], value, f"{path}[{i}]") if i < len(original) else value for i, value in enumerate(change)
    ]
    return (
        tuple(items) if isinstance(original, tuple) else type(original)(items) if type(original) is not list else items
    )


def _namedtuple(original: Any, change: Any, path: str) -> Any:
    if not isinstance(change, Mapping):
        raise Skip("a named tuple takes an object of its fields")
    values = {}
    for key, value in change.items():
        if key not in original._fields:
            not_applied(f"{path}.{key}", "no such field")
            continue
        values[key] = _nested(getattr(original, key), value, f"{path}.{key}")
    return original._replace(**values)


def _attrs(original: Any, change: Any, path: str) -> Any:
    if not isinstance(change, Mapping):
        raise Skip("an attrs object takes an object of its fields")
    names = {f.name for f in attrs.fields(type(original)) if f.init}
    values = {k: _nested(getattr(original, k), v, f"{path}.{k}") for k, v in change.items() if k in names}
    return attrs.evolve(original, **values)


def _object(original: Any, change: Any, path: str) -> Any:
    """Any other object: its plain public attributes set in place."""
    if not isinstance(change, Mapping):
        raise Skip(f"a {type(original).__name__} takes an object of its attributes")
    settable = public_attributes(original)
    for key, value in change.items():
        if key == "__type__":
            continue
        if key not in settable:
            not_applied(f"{path}.{key}", "not a plain public attribute")
            continue
        new = _nested(settable[key], value, f"{path}.{key}")
        if is_plain(new):
            setattr(original, key, new)
    return original


def _querydict(original: QueryDict, change: Any) -> QueryDict:
    if not isinstance(change, Mapping):
        raise Skip("form data takes an object of fields")
    out = original.copy()  # a mutable copy, whatever the original was
    for key, value in change.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, list):
            out.setlist(key, [form_text(v) for v in value])
        else:
            out[key] = form_text(value)
    return out


def _queryset(original: QuerySet, change: Any) -> QuerySet:
    """Narrowed by the answer's `filter` and `exclude` lookups (never evaluated here)."""
    if not isinstance(change, Mapping):
        raise Skip('a QuerySet takes {"filter": {…}, "exclude": {…}}')
    out = original
    for how in ("filter", "exclude"):
        lookups = change.get(how)
        if not lookups:
            continue
        if not isinstance(lookups, Mapping):
            raise Skip(f"{how} must be an object of field lookups")
        try:
            out = getattr(out, how)(**{str(k): v for k, v in lookups.items()})
        except Exception as exc:  # noqa: BLE001 - FieldError, ValidationError, TypeError…
            raise Skip(f"{how} {dict(lookups)!r}: {exc}") from None
    return out


def _response(original: HttpResponseBase, change: Any) -> HttpResponseBase:
    if not isinstance(change, Mapping):
        raise Skip("a response takes an object (status_code, content, content_type, headers)")
    if "status_code" in change:
        original.status_code = coerce_scalar(0, change["status_code"])
    if "content_type" in change and change["content_type"]:
        original["Content-Type"] = str(change["content_type"])
    headers = change.get("headers")
    if isinstance(headers, Mapping):
        for name, value in headers.items():
            original[str(name)] = form_text(value)
    if "content" in change and not getattr(original, "streaming", False):
        content = change["content"]
        original.content = content if isinstance(content, str) else json.dumps(content)  # type: ignore[attr-defined]
    return original


def coerce_field(field: models.Field, value: Any) -> Any:
    """A JSON value as the Python value of a model field (a foreign key takes the related row's id)."""
    if value is None:
        if not field.null:
            raise Skip(f"{field.name} cannot be null")
        return None
    target = field.target_field if field.is_relation else field
    if isinstance(value, (dict, list)) and not isinstance(target, models.JSONField):
        raise Skip(f"{field.name} takes a single value, not {type(value).__name__}")
    if isinstance(target, models.BooleanField) and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            value = lowered == "true"
    try:
        return target.to_python(value)
    except (ValidationError, TypeError, ValueError, InvalidKeyError) as exc:
        raise Skip(f"{value!r} does not fit {field.name}: {exc}") from None


def refused(path: str, key: str, model: type[models.Model], name: str | None = None) -> None:
    """A refused privilege or identity change (an error: a webfilter asked for what it may not have)."""
    not_applied(
        f"{path}.{key}",
        "a privilege or identity field or a relation is never written from a webfilter's answer unless "
        f"OPENEDX_WEBHOOKS_WRITABLE_FIELDS lists it ({model._meta.app_label}.{model._meta.object_name}.{name or key})",
        refusal=True,
    )


def _model(obj: models.Model, change: Any, path: str) -> models.Model:
    """Fields set in memory, then saved (only those fields) in a savepoint; a failed save is undone."""
    if not isinstance(change, Mapping):
        raise Skip(f"a {type(obj).__name__} takes an object of its fields")
    fields = {}
    for f in concrete_fields(type(obj)):
        fields[f.name] = f
        fields[f.attname] = f
    updates: dict[str, Any] = {}
    protected = {f.name: f for f in type(obj)._meta.get_fields() if f.is_relation or f.name in PROTECTED_FIELDS}
    for key, value in change.items():
        field = fields.get(key)
        if field is None and key in protected and not is_secret(key):
            # A many-to-many (`groups`) or reverse relation: not a column, and never set from an answer.
            refused(path, key, type(obj))
            continue
        if is_secret(key) or field is None:
            not_applied(f"{path}.{key}", "not a field that can be set")
            continue
        if field.primary_key:
            not_applied(f"{path}.{key}", "the primary key is never changed")
            continue
        if protected_field(type(obj), field):
            refused(path, key, type(obj), field.name)
            continue
        try:
            updates[field.attname] = coerce_field(field, value)
        except Skip as exc:
            not_applied(f"{path}.{key}", str(exc))
    changed = {name: value for name, value in updates.items() if getattr(obj, name) != value}
    if not changed:
        return obj
    before = {name: getattr(obj, name) for name in changed}
    for name, value in changed.items():
        setattr(obj, name, value)
    if obj.pk is None or obj._state.adding:
        return obj  # not a saved row: the platform saves it itself
    try:
        with transaction.atomic(using=obj._state.db or router.db_for_write(type(obj))):
            obj.save(update_fields=list(changed))
    except Exception as exc:  # noqa: BLE001 - the savepoint keeps the platform's transaction usable
        for name, value in before.items():
            setattr(obj, name, value)
        log.exception(
            "openedx-webhooks-relay: change to %s not saved; the %s is left as it was", path, type(obj).__name__
        )
        _list(path, f"not saved ({type(exc).__name__}); the {type(obj).__name__} is left as it was")
    return obj


# --- exceptions ----------------------------------------------------------------------------------------------


def exception_classes(filter_class: type) -> dict[str, type[OpenEdxFilterException]]:
    """The filter's nested exception classes by name, in the order the filter declares them."""
    found: dict[str, type[OpenEdxFilterException]] = {}
    for cls in filter_class.__mro__:
        for name, value in vars(cls).items():
            if isinstance(value, type) and issubclass(value, OpenEdxFilterException) and name not in found:
                found[name] = value
    return found


def _parameters(exc_class: type) -> tuple[dict[str, inspect.Parameter], bool]:
    params = list(inspect.signature(exc_class.__init__).parameters.values())[1:]
    named = {
        p.name: p for p in params if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }
    return named, any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def build_response(value: Any) -> HttpResponseBase:
    """An `HttpResponse` from the answer's `response`: `{content, content_type, status, reason, charset, headers}`."""
    if isinstance(value, HttpResponseBase):
        return value
    if not isinstance(value, Mapping):
        return HttpResponse("" if value is None else form_text(value))
    content = value.get("content", "")
    kwargs: dict[str, Any] = {}
    if not isinstance(content, (str, bytes)):
        content = json.dumps(content)
        kwargs["content_type"] = "application/json"
    if value.get("content_type"):
        kwargs["content_type"] = str(value["content_type"])
    status = value.get("status", value.get("status_code"))
    if isinstance(status, int) and not isinstance(status, bool) and 100 <= status <= 599:
        kwargs["status"] = status
    for name in ("reason", "charset"):
        if isinstance(value.get(name), str):
            kwargs[name] = value[name]
    headers = value.get("headers")
    if isinstance(headers, Mapping):
        kwargs["headers"] = {str(k): form_text(v) for k, v in headers.items()}
    try:
        return HttpResponse(content, **kwargs)
    except Exception:  # noqa: BLE001 - a bad header or charset: the content alone
        log.warning("openedx-webhooks-relay: response arguments not usable; the content alone is sent")
        return HttpResponse(content)


def make_exception(exc_class: type[OpenEdxFilterException], arguments: Mapping[str, Any]) -> OpenEdxFilterException:
    """`exc_class` built from the arguments its constructor takes; a missing required one is empty."""
    named, extra = _parameters(exc_class)
    kwargs: dict[str, Any] = {}
    for key, value in arguments.items():
        if key == "name" or not (key in named or extra):
            continue
        if key == "response":
            value = build_response(value)
        elif key == "message":
            value = "" if value is None else str(value)
        elif key == "status_code" and value is not None:
            try:
                value = int(value)
            except (TypeError, ValueError):
                continue
        kwargs[key] = value
    for name, param in named.items():
        if name not in kwargs and param.default is inspect.Parameter.empty:
            kwargs[name] = "/" if name == "redirect_to" else ""  # a redirect with no target goes to the site root
    try:
        return exc_class(**kwargs)
    except TypeError:
        log.exception(
            "openedx-webhooks-relay: %s rejected its arguments; raised with the message only", exc_class.__name__
        )
        exc = exc_class.__new__(exc_class)
        OpenEdxFilterException.__init__(exc, str(kwargs.get("message", "")))
        return exc


def answer_exception(filter_class: type, exception: Any) -> OpenEdxFilterException | None:
    """The exception the service's answer names, ready to raise; None (and logged) when the filter has none such."""
    if isinstance(exception, str):
        exception = {"name": exception}
    if not isinstance(exception, Mapping) or not isinstance(exception.get("name"), str):
        log.warning("openedx-webhooks-relay: answer's exception is not {name, message, …}: ignored")
        return None
    classes = exception_classes(filter_class)
    exc_class = classes.get(exception["name"])
    if exc_class is None:
        log.warning(
            "openedx-webhooks-relay: %s has no exception %s (it has: %s); the process goes on",
            filter_class.__name__,
            exception["name"],
            ", ".join(classes) or "none",
        )
        return None
    return fit_to_filter(filter_class, make_exception(exc_class, exception))


def fit_to_filter(filter_class: type, error: OpenEdxFilterException) -> OpenEdxFilterException:
    """What one filter's handler needs beyond the constructor: render_xblock wraps exc.response in a Fragment
    (lms/djangoapps/courseware/views/views.py), so RenderXBlockStarted's response is HTML text, not a response."""
    response = getattr(error, "response", None)
    if filter_class.__name__ == "RenderXBlockStarted" and isinstance(response, HttpResponse):
        error.response = response.content.decode(response.charset or "utf-8")  # type: ignore[attr-defined]
    return error
