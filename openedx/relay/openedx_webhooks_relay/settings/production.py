"""Production plugin settings: values from the platform's YAML (ENV_TOKENS where it still exists), then the merge."""

from __future__ import annotations

from typing import Any

from .common import DEFAULTS
from .common import plugin_settings as common_settings


def plugin_settings(settings: Any) -> None:
    """Reads OPENEDX_WEBHOOKS_* from ENV_TOKENS when the platform has it, then merges the filters config again.

    The operator's OPEN_EDX_FILTERS_CONFIG may be set by the production YAML after the common settings ran,
    so the merge runs here too (it is idempotent).
    """
    tokens = getattr(settings, "ENV_TOKENS", None) or {}
    for name in DEFAULTS:
        if name in tokens:
            setattr(settings, name, tokens[name])
    if "OPEN_EDX_FILTERS_CONFIG" in tokens:
        settings.OPEN_EDX_FILTERS_CONFIG = tokens["OPEN_EDX_FILTERS_CONFIG"]
    common_settings(settings)
