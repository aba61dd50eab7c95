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
    # If the service cannot be used (or, in a new process, routing is not known yet), a filter lets the process go
    # on (True) or halts it with the filter's default halt (False; halts.py, README "Halting a filter").
    "OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN": True,
    # Master switch: False disconnects nothing but sends nothing.
    "OPENEDX_WEBHOOKS_ENABLED": True,
    # How events leave the process: "celery" (a task per batch of events on the platform's Celery workers) or
    # "thread" (the relay's thread in each process posts them, for installs without a Celery worker).
    "OPENEDX_WEBHOOKS_EVENTS_DELIVERY": "celery",
    # The transactional outbox: each event is a row written in the transaction that sent it, deleted once the service
    # took it, so nothing accepted is lost when a process dies, the broker or the service is down (README "Delivery
    # guarantees"). False: events wait in process memory only (one INSERT less per event on the request path).
    "OPENEDX_WEBHOOKS_OUTBOX": True,
    # Celery mode: how often each Celery worker's relay thread polls the outbox for rows due (the longest an event
    # waits before its task is published). Seconds.
    "OPENEDX_WEBHOOKS_OUTBOX_POLL_SECONDS": 1,
    # How often every process sweeps the outbox for rows due (left by a dead process, retries whose time has come),
    # how long a row written in thread mode is left to its own process, and how long a taken row is leased
    # (ten times this) before another sweep may take it again. Seconds.
    "OPENEDX_WEBHOOKS_OUTBOX_SWEEP_SECONDS": 30,
    # The Celery queue of the relay's tasks; empty: the Celery app's default queue (the platform's). Give the relay a
    # queue and a worker of its own so its calls never delay grading, certificates or email (the Tutor plugin does).
    "OPENEDX_WEBHOOKS_CELERY_QUEUE": "",
    # Events held by the in-process queue at most (the oldest are dropped, and logged, beyond it).
    "OPENEDX_WEBHOOKS_QUEUE_SIZE": 10000,
    # How long an event is retried while the service cannot take it, in hours.
    "OPENEDX_WEBHOOKS_RETRY_HOURS": 25,
    # First retry delay in seconds; each next one doubles, up to one hour.
    "OPENEDX_WEBHOOKS_RETRY_BASE_SECONDS": 5,
    # Seconds between two routing requests of a process (a conditional GET; at most 30): how soon a new webhook or
    # webfilter reaches every process.
    "OPENEDX_WEBHOOKS_ROUTING_TTL": 15,
    # Send the platform's catalog of events and filters to the service at start (once per version set).
    "OPENEDX_WEBHOOKS_CATALOG_SYNC": True,
    # Model fields a webfilter's answer may write although they are privilege or identity fields or relations
    # (is_superuser, is_staff, is_active, password, last_login, date_joined, groups, user_permissions, any foreign
    # key): "field" for every model or "app_label.Model.field". Empty: never (a webfilter is a third party).
    "OPENEDX_WEBHOOKS_WRITABLE_FIELDS": [],
    # A CA bundle (PEM file) to verify the service's TLS certificate, for a service behind a private CA. Empty: the
    # REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE environment variable when set, else certifi's public CAs.
    "OPENEDX_WEBHOOKS_CA_BUNDLE": "",
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
