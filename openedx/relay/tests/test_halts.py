"""Issue 25, defect 3: every filter's default halt is an exception edx-platform's handler turns into a page, a
message or a redirect, never an error page; checked for every filter of the installed openedx-filters.

The handlers, read in the platform's source, are in the README ("Halting a filter"); what each handler needs is
asserted here: a template name that is not empty, a redirect target, a response the view can return (HTML text for
render_xblock, which wraps it in a Fragment), and never PreventXBlockBlockRender (render_xblock answers it with
render_500).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse

from openedx_webhooks_relay.apply import exception_classes
from openedx_webhooks_relay.halts import DEFAULT_HALTS, ORA_UNAVAILABLE, TEMPLATE_ARGUMENTS, default_halt, unusable
from tests.test_filters import FILTERS, build_arguments

HALTING = [f for f in FILTERS if exception_classes(f)]


def test_every_filter_that_can_halt_has_a_default_halt_in_the_table() -> None:
    missing = [f.__name__ for f in HALTING if f.__name__ not in DEFAULT_HALTS]
    assert not missing, f"filters of the installed openedx-filters without a default halt (halts.py): {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("filter_cls", HALTING, ids=lambda f: f.__name__)
def test_the_default_halt_is_one_the_platform_shows(filter_cls: type) -> None:
    arguments: dict[str, Any] = build_arguments(filter_cls)
    exc = default_halt(filter_cls, "Closed by the operator's webfilter.", arguments)
    name, _ = DEFAULT_HALTS[filter_cls.__name__]
    assert type(exc) is exception_classes(filter_cls)[name]
    assert exc.message == "Closed by the operator's webfilter."
    assert unusable(filter_cls, exc) is None
    for attr in TEMPLATE_ARGUMENTS:
        assert getattr(exc, attr, "set") != "", f"{name}.{attr} is empty"
    if name.startswith("Redirect"):
        assert exc.redirect_to, "a redirect needs a target"
    if name == "RenderCustomResponse":
        if filter_cls.__name__ == "RenderXBlockStarted":
            assert isinstance(exc.response, str) and "Closed by the operator" in exc.response
        else:
            assert isinstance(exc.response, HttpResponse) and exc.response.status_code == 403
            assert b"Closed by the operator&#x27;s webfilter." in exc.response.content  # escaped
    if filter_cls.__name__ == "ORASubmissionViewRenderStarted":
        assert (exc.template_name, exc.context) == (ORA_UNAVAILABLE, arguments["context"])
    if filter_cls.__name__ in ("CoursewareAccessChecksRequested", "CourseStartDateValidationFailed"):
        assert exc.user_message == exc.message and exc.error_code


def test_a_filter_without_exceptions_cannot_halt() -> None:
    quiet = [f for f in FILTERS if not exception_classes(f)]
    assert quiet and all(default_halt(f, "x", {}) is None for f in quiet)
