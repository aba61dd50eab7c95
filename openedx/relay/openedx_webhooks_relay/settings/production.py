"""Production plugin settings: values from the platform's YAML (ENV_TOKENS where it still exists), then the merge."""

from __future__ import annotations

from typing import Any

from .common import DEFAULTS
from .common import plugin_settings as common_settings


def plugin_settings(settings: Any) -> None:
    """Reads OPENEDX_WEBHOOKS_* from ENV_TOKENS when the platform has it, then merges the filters config again.

    OPEN_EDX_FILTERS_CONFIG is merged as the settings hold it now, never read again from ENV_TOKENS: the platform
    has already applied its YAML (lms/envs/production.py loads it before the plugins' production settings), and
    other plugins' production settings, run before this one, may have added steps of their own that a copy
    of the YAML's value would drop. The merge runs again in AppConfig.ready(), once the settings are final.
    """
    tokens = getattr(settings, "ENV_TOKENS", None) or {}
    for name in DEFAULTS:
        if name in tokens:
            setattr(settings, name, tokens[name])
    common_settings(settings)
