"""An operator's own pipeline step, run before the relay's (the plugin settings keep it first)."""

from __future__ import annotations

from typing import Any

from openedx_filters.filters import PipelineStep


class ModeFromCatalog(PipelineStep):
    """Turns the "audit" mode into "honor", as a site's own enrollment rule might."""

    def run_filter(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return {"mode": "honor"} if kwargs.get("mode") == "audit" else {}
