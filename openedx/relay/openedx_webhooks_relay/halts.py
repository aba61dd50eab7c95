"""Each filter's default halt: the exception the relay raises when it must halt a filter without a usable exception
(fail closed with the service unreachable, or an answer naming an exception the platform cannot show as it is,
such as a RenderInvalid* without a template). Every one is an exception the platform's handler turns into a page,
a message or a redirect, never an error page; the table and where each handler was read are in the README
("Halting a filter").
"""

from __future__ import annotations

import html
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpResponse

#: Shown by the platform's own pages (ORA's "Not Available" step).
ORA_UNAVAILABLE = "legacy/response/oa_response_unavailable.html"


def _page(message: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """A small 403 page saying why, for handlers that return `exc.response` as the page."""
    body = f"<!DOCTYPE html><html><body><p>{html.escape(message)}</p></body></html>"
    return {"response": HttpResponse(body, status=403, content_type="text/html; charset=utf-8")}


def _fragment(message: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """render_xblock wraps `exc.response` in a Fragment: HTML text (apply.fit_to_filter keeps it text)."""
    return {"response": {"content": f"<p>{html.escape(message)}</p>", "content_type": "text/html"}}


def _message_only(message: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    return {}


def _forbidden(message: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    return {"status_code": 403}


def _access_error(message: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    return {"error_code": "webfilter_halt", "developer_message": message, "user_message": message}


#: filter class name → (exception name, its arguments besides `message`).
DEFAULT_HALTS: dict[str, tuple[str, Callable[[str, Mapping[str, Any]], dict[str, Any]]]] = {
    # Pages: the view returns exc.response as the page (RenderInvalid* would need a real template).
    "AccountSettingsRenderStarted": ("RenderCustomResponse", _page),
    "CertificateRenderStarted": ("RenderCustomResponse", _page),
    "CourseAboutRenderStarted": ("RenderCustomResponse", _page),
    "DashboardRenderStarted": ("RenderCustomResponse", _page),
    "InstructorDashboardRenderStarted": ("RenderCustomResponse", _page),
    # render_xblock: PreventXBlockBlockRender renders the 500 page; RenderCustomResponse the chromeless page.
    "RenderXBlockStarted": ("RenderCustomResponse", _fragment),
    # ORA's own "Not Available" step, with the context it was given.
    "ORASubmissionViewRenderStarted": (
        "RenderInvalidTemplate",
        lambda m, a: {"template_name": ORA_UNAVAILABLE, "context": a.get("context") or {}},
    ),
    # The unit: the child is left out; the vertical shows the message.
    "VerticalBlockChildRenderStarted": ("PreventChildBlockRender", _message_only),
    "VerticalBlockRenderCompleted": ("PreventVerticalBlockRender", _message_only),
    # Actions: the platform turns these into its own errors with the message (a form error, a 4xx, a log line).
    "StudentLoginRequested": ("PreventLogin", _message_only),
    "StudentRegistrationRequested": ("PreventRegistration", _forbidden),
    "CourseEnrollmentStarted": ("PreventEnrollment", _message_only),
    "CourseEnrollmentViewStarted": ("PreventEnrollment", _forbidden),
    "CourseUnenrollmentStarted": ("PreventUnenrollment", _message_only),
    "CertificateCreationRequested": ("PreventCertificateCreation", _message_only),
    "CohortAssignmentRequested": ("PreventCohortAssignment", _message_only),
    "CohortChangeRequested": ("PreventCohortChange", _message_only),
    "CourseEnrollmentQuerysetRequested": ("PreventEnrollmentQuerysetRequest", _message_only),
    "DiscountEligibilityCheckRequested": ("DiscountIneligible", _message_only),
    "CoursewareAccessChecksRequested": ("PreventCoursewareAccess", _access_error),
    "CourseStartDateValidationFailed": ("OverrideStartDateError", _access_error),
    "InstructorDashboardTabsRequested": ("PreventTabsGeneration", lambda m, a: {"tabs": a.get("tabs") or []}),
    # The only exception is a redirect: to the learner's dashboard.
    "CoursewareViewStarted": ("RedirectToUrl", lambda m, a: {"redirect_to": "/dashboard"}),
}

#: Constructor arguments that name a template: never raised empty (the platform would render "").
TEMPLATE_ARGUMENTS = ("template_name", "dashboard_template", "account_settings_template", "course_about_template",
                      "instructor_template")  # fmt: skip


def default_halt(filter_class: type, message: str, arguments: Mapping[str, Any]) -> Any:
    """The filter's default halt, ready to raise; None when the filter has no exception (it cannot halt)."""
    from .apply import exception_classes, fit_to_filter, make_exception

    classes = exception_classes(filter_class)
    if not classes:
        return None
    name, build = DEFAULT_HALTS.get(filter_class.__name__, (None, _message_only))
    exc_class = classes.get(name) if name else None
    if exc_class is None:
        # A filter newer than this table: its first exception that takes no template and no redirect target.
        exc_class = next((c for c in classes.values() if not _needs_more(c)), next(iter(classes.values())))
        return fit_to_filter(filter_class, make_exception(exc_class, {"message": message, "redirect_to": "/dashboard"}))
    return fit_to_filter(filter_class, make_exception(exc_class, {"message": message, **build(message, arguments)}))


def _needs_more(exc_class: type) -> bool:
    params = inspect.signature(exc_class.__init__).parameters
    return exc_class.__name__.startswith(("Redirect", "RenderInvalid", "RenderAlternative", "RenderCustom")) or any(
        p in params for p in TEMPLATE_ARGUMENTS
    )


def unusable(filter_class: type, exc: Any) -> str | None:
    """Why an exception built from an answer would give the learner an error page (None: it is fine)."""
    for name in TEMPLATE_ARGUMENTS:
        if hasattr(exc, name) and not getattr(exc, name):
            return f"{type(exc).__name__} without {name}"
    if type(exc).__name__ == "RenderCustomResponse":
        response = getattr(exc, "response", None)
        if response is None:
            return "RenderCustomResponse without response"
        if filter_class.__name__ == "RenderXBlockStarted" and not isinstance(response, str):
            return "RenderXBlockStarted.RenderCustomResponse takes HTML text (the platform wraps it in a Fragment)"
    if type(exc).__name__ == "PreventXBlockBlockRender":
        return "PreventXBlockBlockRender renders the platform's 500 page"
    return None
