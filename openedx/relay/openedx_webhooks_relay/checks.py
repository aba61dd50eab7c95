"""Django system checks (`manage.py lms check`): a relayed filter whose pipeline lost the relay's step."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core import checks

from .settings.common import WEBFILTER_STEP, all_filter_types

log = logging.getLogger(__name__)


def _pipeline(config: Any) -> list[str]:
    if isinstance(config, dict):
        config = config.get("pipeline")
    if isinstance(config, str):
        return [config]
    return [str(s) for s in config or []]


def filters_without_step() -> list[str]:
    """Filter types that should run the relay's step but do not: every filter of the installed openedx-filters,
    and every filter type the routing answer lists (a webfilter is waiting for it), against the settings now."""
    from .routing import routing

    wanted = set(all_filter_types())
    routes = routing.routes
    if routes is not None:
        wanted |= set(routes.filters)
    config = getattr(settings, "OPEN_EDX_FILTERS_CONFIG", None) or {}
    if not isinstance(config, dict):
        return sorted(wanted)
    return sorted(t for t in wanted if WEBFILTER_STEP not in _pipeline(config.get(t)))


@checks.register(checks.Tags.compatibility)
def check_filters_config(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """W001: a filter (of openedx-filters, or one with a webfilter per routing) whose pipeline lacks the step."""
    if not getattr(settings, "OPENEDX_WEBHOOKS_ENABLED", True):
        return []
    try:
        missing = filters_without_step()
    except Exception as exc:  # noqa: BLE001 - a check must never break `manage.py check`
        log.exception("openedx-webhooks-relay: cannot check OPEN_EDX_FILTERS_CONFIG")
        return [
            checks.Warning(
                f"openedx-webhooks-relay cannot check OPEN_EDX_FILTERS_CONFIG: {exc}", id="openedx_webhooks_relay.W002"
            )
        ]
    if not missing:
        return []
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    return [
        checks.Warning(
            f"{len(missing)} Open edX filter(s) do not run the relay's step {WEBFILTER_STEP}: {shown}. Their "
            "webfilters are never called.",
            hint="Something replaced OPEN_EDX_FILTERS_CONFIG after the relay merged its step (the relay merges "
            "again in AppConfig.ready()). Add the step to those filters' pipelines, or set "
            "OPEN_EDX_FILTERS_CONFIG before the plugin settings run.",
            id="openedx_webhooks_relay.W001",
        )
    ]
