"""The filter step: every Open edX filter call → POST /api/filters, the answer applied to the real arguments.

The plugin settings add `openedx_webhooks_relay.pipeline.Webfilter` after the operator's own steps of every
filter of the installed openedx-filters. A filter type with no enabled webfilter (per the routing answer)
returns at once without a network call. Only the filter's own exceptions leave this step: a webfilter's halt,
or, with OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN = False, the halt for a service that cannot answer.

A filter type with a policy of its own in the routing answer (SPEC §12, routing.policy) uses it instead of those
defaults: the call's timeout follows the policy's `timeout_ms`, and `on_unreachable` ("allow" or "halt") decides
what a service that cannot answer means for that type instead of OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN.

A failed call (no answer, a 5xx, 401/403…) opens the circuit breaker of breaker.py: the filter calls of the next
seconds are treated as unanswered at once, so a failing service costs the platform one failed call every few
seconds, not one per request.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from typing import Any

from openedx_filters.exceptions import OpenEdxFilterException
from openedx_filters.filters import PipelineStep

from . import client, routing
from .apply import answer_exception, apply_changes
from .breaker import breaker
from .halts import default_halt, unusable
from .serialize_filters import arguments_to_json

log = logging.getLogger(__name__)

# Added to a policy's timeout_ms for the relay's own timeout. The service starts the policy's budget when the
# request reaches its route (after the key check), cuts every webfilter at that deadline and only then answers
# (the webfilters' request-exception settings applied: their halt or redirect, or no change). That answer is the
# one the operator configured, so the relay must still be waiting for it: the margin covers the connection, the key
# check and reading the body before the service's clock starts, the answer's encoding after the deadline, and the
# network both ways. Without it the relay would give up at the very moment the service answers, and treat a
# slow webfilter as a service outage (on_unreachable, and a pause of every filter call by the breaker).
POLICY_TIMEOUT_MARGIN = 0.25

_classes: dict[str, type] = {}


def filter_class(filter_type: str) -> type | None:
    """The openedx-filters class of a filter type (the index is built once, on the first call that needs it)."""
    cls = _classes.get(filter_type)
    if cls is None and filter_type not in _classes:
        from .catalog import all_filter_classes

        _classes.update({c.filter_type: c for c in all_filter_classes()})
        cls = _classes.setdefault(filter_type, None)  # type: ignore[arg-type]
    return cls


_arguments: dict[type, frozenset[str]] = {}


def filter_arguments(cls: type) -> frozenset[str]:
    """The names of the filter's own arguments (its run_filter parameters)."""
    names = _arguments.get(cls)
    if names is None:
        params = inspect.signature(cls.run_filter).parameters.values()
        names = frozenset(p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
        _arguments[cls] = names
    return names


def _reason(res: client.Result) -> str:
    if res.status is None:
        return res.error or "no answer"
    if not res.ok:
        detail = res.body.get("error") if isinstance(res.body, dict) else None
        return f"HTTP {res.status}" + (f": {str(detail)[:300]}" if detail else "")
    return "the answer is not a JSON object"


def report_left_out(filter_type: str, call_id: Any, left_out: list[dict[str, str]]) -> None:
    """The changes of an answer the relay did not apply, sent (off the request thread) against the filter call, so
    the service's delivery log shows them with that call: POST /api/filters/{call_id}/refused."""
    try:
        call = str(uuid.UUID(str(call_id)))
    except ValueError:
        log.debug("openedx-webhooks-relay: %s: the answer has no call_id; left-out changes only logged", filter_type)
        return
    client.send_in_background(
        f"/api/filters/{call}/refused", {"refused": left_out}, f"the report of {len(left_out)} changes not applied"
    )


class Webfilter(PipelineStep):
    """Runs the service's webfilters for this filter call and applies their answer."""

    def run_filter(self, *args: Any, **kwargs: Any) -> dict[str, Any]:  # noqa: ARG002 - filters pass keywords
        try:
            if not routing.has_filter(self.filter_type) or not client.enabled():
                return {}
        except Exception:  # noqa: BLE001 - never into the platform
            log.exception("openedx-webhooks-relay: routing lookup failed for %s", self.filter_type)
            return {}
        try:
            return self._relay(kwargs)
        except OpenEdxFilterException:
            raise
        except Exception as exc:  # noqa: BLE001 - never into the platform; a relay fault counts as no answer
            log.exception("openedx-webhooks-relay: filter %s not relayed", self.filter_type)
            try:
                return self._unanswered(
                    filter_class(self.filter_type), f"relay error {type(exc).__name__}", kwargs, quiet=True
                )
            except OpenEdxFilterException:
                raise
            except Exception:  # noqa: BLE001
                return {}

    def _relay(self, arguments: dict[str, Any]) -> dict[str, Any]:
        cls = filter_class(self.filter_type)
        base = str(client.setting("OPENEDX_WEBHOOKS_URL"))
        if not breaker.allow(base):
            return self._unanswered(cls, breaker.reason(base), arguments, quiet=True)
        # Only the filter's own arguments: a step before this one may have added keys of its own to the
        # pipeline's output, which the service would refuse (they pass through untouched).
        own = filter_arguments(cls) if cls is not None else frozenset(arguments)
        body = {
            "filter_type": self.filter_type,
            "data": arguments_to_json({k: v for k, v in arguments.items() if k in own}),
        }
        policy = routing.policy(self.filter_type)
        # With a policy: its budget plus the margin above; without one: OPENEDX_WEBHOOKS_TIMEOUT (client's default).
        timeout = policy.timeout_ms / 1000 + POLICY_TIMEOUT_MARGIN if policy is not None else None
        res = client.call("POST", "/api/filters", body, timeout=timeout)
        breaker.record(base, res)
        if not res.ok or not isinstance(res.body, dict):
            return self._unanswered(cls, _reason(res), arguments)
        answer = res.body
        if answer.get("exception") and cls is not None:
            error = answer_exception(cls, answer["exception"])
            why = unusable(cls, error) if error is not None else None
            if why:
                # The platform would show an error page (an empty template, a 500): its default halt instead.
                log.warning(
                    "openedx-webhooks-relay: %s: %s; halted with the filter's default halt", self.filter_type, why
                )
                error = default_halt(cls, str(getattr(error, "message", "") or ""), arguments)
            if error is not None:
                log.info(
                    "openedx-webhooks-relay: %s halted by a webfilter with %s", self.filter_type, type(error).__name__
                )
                raise error
        changes = answer.get("changes")
        if not isinstance(changes, dict) or not changes:
            return {}
        left_out: list[dict[str, str]] = []
        result = apply_changes(arguments, changes, left_out)
        if left_out:
            report_left_out(self.filter_type, answer.get("call_id"), left_out)
        return result

    def _unanswered(
        self, cls: type | None, reason: str, arguments: dict[str, Any], quiet: bool = False
    ) -> dict[str, Any]:
        """The service gave no usable answer: go on unchanged, or halt when the operator asked for fail closed (the
        filter type's policy, `on_unreachable`, else OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN)."""
        try:
            policy = routing.policy(self.filter_type)
        except Exception:  # noqa: BLE001 - never into the platform; the defaults apply
            log.exception("openedx-webhooks-relay: filter policy lookup failed for %s", self.filter_type)
            policy = None
        if policy is not None:
            fail_open, why = policy.fail_open, "the filter type's policy says on_unreachable: halt"
        else:
            fail_open = bool(client.setting("OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN"))
            why = "OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN is False"
        if fail_open:
            (log.debug if quiet else log.warning)(
                "openedx-webhooks-relay: %s: no answer from the service (%s); going on unchanged (%s)",
                self.filter_type,
                reason,
                "on_unreachable: allow" if policy is not None else "fail open",
            )
            return {}
        name = cls.__name__ if cls is not None else self.filter_type
        message = (
            f"The Open edX Webhooks service did not answer for {name} ({reason}); the process is halted because {why}."
        )
        error = default_halt(cls, message, arguments) if cls is not None else None
        if error is None:
            log.error(
                "openedx-webhooks-relay: %s: no answer from the service (%s) and %s, but the filter has no "
                "exception to halt with; going on unchanged",
                self.filter_type,
                reason,
                why,
            )
            return {}
        log.error("openedx-webhooks-relay: %s", message)
        raise error
