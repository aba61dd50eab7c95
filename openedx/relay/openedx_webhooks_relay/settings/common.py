"""Plugin settings for the LMS and Studio: the relay's defaults and its step added to every Open edX filter."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from typing import Any

log = logging.getLogger(__name__)

WEBFILTER_STEP = "openedx_webhooks_relay.pipeline.Webfilter"

#: Settings the relay reads, with their defaults (SPEC §8, plus the relay's own OPENEDX_WEBHOOKS_* knobs).
DEFAULTS: dict[str, Any] = {
    # Base URL of the Open edX Webhooks service, e.g. "https://webhooks.example.com". Empty: the relay is idle.
    "OPENEDX_WEBHOOKS_URL": "",
    # An API key of the service with the scopes "events" and "filters".
    "OPENEDX_WEBHOOKS_API_KEY": "",
    # Seconds for one call to the service.
    "OPENEDX_WEBHOOKS_TIMEOUT": 5,
    # If the service cannot be reached, a filter lets the process go on (True) or raises the filter's exception.
    "OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN": True,
    # Master switch: False disconnects nothing but sends nothing.
    "OPENEDX_WEBHOOKS_ENABLED": True,
    # How events leave the process: "celery" (the platform's Celery workers, retried for 24 h and more) or
    # "thread" (a bounded in-process queue with retries, for installs without a Celery worker).
    "OPENEDX_WEBHOOKS_EVENTS_DELIVERY": "celery",
    # Events held by the in-process queue at most (the oldest are dropped, and logged, beyond it).
    "OPENEDX_WEBHOOKS_QUEUE_SIZE": 10000,
    # How long an event is retried while the service cannot take it, in hours.
    "OPENEDX_WEBHOOKS_RETRY_HOURS": 25,
    # First retry delay in seconds; each next one doubles, up to one hour.
    "OPENEDX_WEBHOOKS_RETRY_BASE_SECONDS": 5,
    # Seconds a routing answer is used before it is asked again (at most 30).
    "OPENEDX_WEBHOOKS_ROUTING_TTL": 15,
    # Send the platform's catalog of events and filters to the service at start (once per version set).
    "OPENEDX_WEBHOOKS_CATALOG_SYNC": True,
}


def all_filter_types() -> list[str]:
    """Every filter type of the installed openedx-filters (each `filters` module of the package)."""
    from openedx_filters.tooling import OpenEdxPublicFilter

    root = importlib.import_module("openedx_filters")
    for info in pkgutil.walk_packages(root.__path__, root.__name__ + "."):
        parts = info.name.split(".")
        if "tests" in parts or not (parts[-1] == "filters"):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:  # noqa: BLE001 - one broken module must not hide the others
            log.exception("openedx-webhooks-relay: cannot import %s", info.name)
    types: list[str] = []
    seen: set[str] = set()
    stack = list(OpenEdxPublicFilter.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        ftype = getattr(cls, "filter_type", "")
        if ftype and ftype not in seen and cls.__module__.startswith("openedx_filters."):
            seen.add(ftype)
            types.append(ftype)
    return sorted(types)


def merge_filters_config(config: dict[str, Any] | None, filter_types: list[str]) -> dict[str, Any]:
    """OPEN_EDX_FILTERS_CONFIG with the relay's step after the operator's steps of each filter type.

    The operator's steps and `fail_silently` are kept as they are; a filter the operator did not configure
    gets `{"pipeline": [step], "fail_silently": True}` so a relay problem never stops the platform.
    Running it twice changes nothing.
    """
    merged: dict[str, Any] = dict(config or {})
    for ftype in filter_types:
        current = merged.get(ftype)
        if isinstance(current, dict):
            entry = dict(current)
            pipeline = list(entry.get("pipeline") or [])
            entry.setdefault("fail_silently", True)
        elif isinstance(current, (list, tuple)):
            entry, pipeline = {"fail_silently": True}, list(current)
        elif isinstance(current, str) and current:
            entry, pipeline = {"fail_silently": True}, [current]
        else:
            entry, pipeline = {"fail_silently": True}, []
        if WEBFILTER_STEP not in pipeline:
            pipeline.append(WEBFILTER_STEP)
        entry["pipeline"] = pipeline
        merged[ftype] = entry
    return merged


def merge_into(settings: Any) -> None:
    """Merges the relay's step into `settings.OPEN_EDX_FILTERS_CONFIG` (a settings module or django.conf.settings).

    Run by the plugin settings and again by AppConfig.ready(), when the settings are final: Tutor's
    `openedx-*-settings` patches come after the plugin settings in lms/envs/production.py's chain, and an operator's
    `OPEN_EDX_FILTERS_CONFIG = {...}` there replaces the dict the plugin settings merged.
    """
    try:
        types = all_filter_types()
    except Exception:  # noqa: BLE001 - settings must load even when openedx-filters is broken
        log.exception("openedx-webhooks-relay: cannot list the installed filters; none is relayed")
        return
    current = getattr(settings, "OPEN_EDX_FILTERS_CONFIG", None)
    merged = merge_filters_config(current, types)
    if merged != current:
        settings.OPEN_EDX_FILTERS_CONFIG = merged


def plugin_settings(settings: Any) -> None:
    """Called by the platform's plugin machinery with its settings module (LMS and Studio, common)."""
    for name, default in DEFAULTS.items():
        if not hasattr(settings, name):
            setattr(settings, name, default)
    merge_into(settings)
