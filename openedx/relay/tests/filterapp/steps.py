"""An operator's own pipeline step, run before the relay's (the plugin settings keep it first)."""

from __future__ import annotations

from typing import Any

from openedx_filters.filters import PipelineStep


class ModeFromCatalog(PipelineStep):
    """Turns the "audit" mode into "honor", as a site's own enrollment rule might."""

    def run_filter(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # The extra key is the step's own (openedx-filters passes it on): the relay must not send it.
        return {"mode": "honor", "enrollment_rule": "catalog"} if kwargs.get("mode") == "audit" else {}
