"""Plain objects shaped like the platform's non-model filter arguments (XBlock, Fragment, FormDescription, Mode)."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from opaque_keys.edx.keys import UsageKey

# course_modes.models.Mode, what CourseModePriceRequested passes as course_mode_data.
Mode = namedtuple(
    "Mode",
    [
        "slug",
        "name",
        "min_price",
        "suggested_prices",
        "currency",
        "expiration_datetime",
        "description",
        "sku",
        "android_sku",
        "ios_sku",
        "bulk_sku",
    ],
)


class VerticalBlock:
    """An XBlock: a location, a display name, children; runtime internals stay private."""

    def __init__(self, location: str, display_name: str) -> None:
        self.location = UsageKey.from_string(location)
        self.display_name = display_name
        self.children = [str(self.location).replace("vertical", "html") + "1"]
        self.graded = False
        self._runtime = object()


class Fragment:
    """web_fragments.fragment.Fragment: rendered content and its resources."""

    def __init__(self, content: str) -> None:
        self.content = content
        self.resources: list[dict[str, Any]] = []
        self.js_init_fn = None


class FormDescription:
    """user_authn's FormDescription: method, submit URL and field descriptions."""

    def __init__(self, method: str, submit_url: str) -> None:
        self.method = method
        self.submit_url = submit_url
        self.fields: list[dict[str, Any]] = [
            {"name": "email", "type": "email", "label": "Email", "required": True},
            {"name": "password", "type": "password", "label": "Password", "required": True},
        ]

    def override_field_properties(self, field_name: str, **kwargs: Any) -> None:
        for f in self.fields:
            if f["name"] == field_name:
                f.update(kwargs)
