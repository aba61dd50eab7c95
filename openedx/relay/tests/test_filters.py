"""The filter step end to end: real openedx-filters runs `Webfilter` from OPEN_EDX_FILTERS_CONFIG, the real service
calls a loopback webfilter, and the answer comes back into the real arguments (rows re-read from SQLite)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import socket
import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import override_settings
from openedx_filters.exceptions import OpenEdxFilterException
from openedx_filters.tooling import OpenEdxPublicFilter

from openedx_webhooks_relay.halts import DEFAULT_HALTS, unusable
from tests.conftest import assume_routes, free_port, refresh_routing
from tests.filterapp.cases import CASES, COURSE, change_of
from tests.filterapp.models import CourseEnrollment

STEP = "openedx_webhooks_relay.pipeline.Webfilter"


def library_filters() -> list[type]:
    """Every filter class of the installed openedx-filters, found in the library itself (not from the relay)."""
    import openedx_filters

    for info in pkgutil.walk_packages(openedx_filters.__path__, "openedx_filters."):
        if info.name.endswith(".filters") and ".tests" not in info.name:
            importlib.import_module(info.name)
    found, stack = {}, list(OpenEdxPublicFilter.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("openedx_filters.") and getattr(cls, "filter_type", ""):
            found[cls.__name__] = cls
    return [found[k] for k in sorted(found)]


def nested_exceptions(filter_cls: type) -> dict[str, type]:
    return {n: v for n, v in vars(filter_cls).items() if isinstance(v, type) and issubclass(v, OpenEdxFilterException)}


def arguments_of(filter_cls: type) -> list[str]:
    return [p for p in inspect.signature(filter_cls.run_filter).parameters if p != "cls"]


def build_arguments(filter_cls: type) -> dict[str, Any]:
    case = CASES.get(filter_cls.__name__)
    assert case is not None, f"{filter_cls.__name__} is in the installed openedx-filters but has no case in cases.py"
    return {name: case[name].make() for name in arguments_of(filter_cls)}


def returned(filter_cls: type, result: Any) -> list[Any]:
    """run_filter's return value as a list in argument order (one argument: the value itself)."""
    names = arguments_of(filter_cls)
    return [result] if len(names) == 1 else list(result)


FILTERS = library_filters()
EXCEPTIONS = [(f, name) for f in FILTERS for name in nested_exceptions(f)]


@pytest.fixture(scope="module")
def platform_catalog(service: Any) -> Any:
    """The relay's catalog sync, so the service knows the filters of this openedx-filters (newer ones included)."""
    from openedx_webhooks_relay import catalog

    with override_settings(OPENEDX_WEBHOOKS_URL=service.url, OPENEDX_WEBHOOKS_API_KEY=service.key):
        return catalog.sync()


def test_the_library_has_filters_and_every_one_has_a_case() -> None:
    assert len(FILTERS) >= 24
    missing = [f.__name__ for f in FILTERS if f.__name__ not in CASES]
    assert not missing, f"filters of the installed openedx-filters without a case in cases.py: {missing}"
    for f in FILTERS:
        assert set(CASES[f.__name__]) >= set(arguments_of(f)), f"{f.__name__}: a case for each of {arguments_of(f)}"


@pytest.mark.parametrize("filter_cls", FILTERS, ids=lambda f: f.__name__)
def test_the_plugin_settings_put_the_step_last_in_every_filter(filter_cls: type, settings: Any) -> None:
    pipeline, _, _ = filter_cls.get_pipeline_configuration()
    assert pipeline and pipeline[-1] == STEP


@pytest.mark.django_db
@pytest.mark.parametrize("filter_cls", FILTERS, ids=lambda f: f.__name__)
def test_a_webfilter_changes_every_argument_and_the_types_stay(
    filter_cls: type, relay: Any, receiver: Any, make_webfilter: Any, platform_catalog: Any, settings: Any
) -> None:
    # A relation is written only when the operator lists it (test_privileges.py): moving a learner to another
    # cohort is what a CohortChangeRequested webfilter is for.
    settings.OPENEDX_WEBHOOKS_WRITABLE_FIELDS = ["filterapp.CohortMembership.course_user_group"]
    args = build_arguments(filter_cls)
    case = CASES[filter_cls.__name__]
    receiver.body = {"data": {name: change_of(case[name]) for name in args}}
    make_webfilter(filter_cls.filter_type, receiver.url)
    refresh_routing()  # the relay learns of the new webfilter now, not within the routing TTL

    values = returned(filter_cls, filter_cls.run_filter(**dict(args)))

    calls = receiver.wait_for(1, timeout=1)
    assert len(calls) == 1, f"the webfilter was not called for {filter_cls.__name__} (catalog sync: {platform_catalog})"
    sent = calls[0].json()
    assert sent["event_metadata"]["event_type"] == filter_cls.filter_type
    assert set(sent) - {"event_metadata"} == set(args)
    assert "s3cret-pass-never-sent" not in calls[0].body.decode() and '"password":' not in calls[0].body.decode()
    for (name, original), new in zip(args.items(), values, strict=True):
        assert case[name].check(original, new), f"{filter_cls.__name__}.{name}: got {new!r} ({type(new).__name__})"


_service_filters: dict[str, dict[str, Any]] = {}


def service_filters(service: Any) -> dict[str, dict[str, Any]]:
    """The service's filter catalog by type (GET /api/v1/catalog/filters), read once."""
    if not _service_filters:
        res = service.api("GET", "/api/v1/catalog/filters")
        assert res.status_code == 200, res.text
        body = res.json()
        items = body if isinstance(body, list) else body.get("filters", body.get("items", []))
        _service_filters.update({f["filter_type"]: f for f in items})
        assert any("builtin" in f["sources"] for f in _service_filters.values()), body
    return _service_filters


EXCEPTION_VALUES: dict[str, Any] = {
    "message": "Halted by a webfilter",
    "redirect_to": "https://lms.example.com/blocked",
    "status_code": 403,
    "response": {"content": "<p>Closed for maintenance</p>", "content_type": "text/html", "status": 503},
    "template_name": "alt_template.html",
    "account_settings_template": "alt_template.html",
    "dashboard_template": "alt_template.html",
    "course_about_template": "alt_template.html",
    "instructor_template": "alt_template.html",
    "template_context": {"reason": "closed"},
    "context": {"reason": "closed"},
    "error_code": "blocked",
    "developer_message": "blocked by the enrollment webfilter",
    "user_message": "This course is not open to you yet.",
    "tabs": [{"tab_name": "Course Info", "section_key": "course_info"}],
}


def exception_arguments(exc_cls: type) -> tuple[dict[str, Any], bool]:
    params = list(inspect.signature(exc_cls.__init__).parameters.values())[1:]
    named = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    missing = [n for n in named if n not in EXCEPTION_VALUES]
    assert not missing, f"{exc_cls.__qualname__} takes {missing}: add values to EXCEPTION_VALUES"
    return {n: EXCEPTION_VALUES[n] for n in named}, any(p.kind is p.VAR_KEYWORD for p in params)


@pytest.mark.django_db
@pytest.mark.parametrize(("filter_cls", "name"), EXCEPTIONS, ids=lambda v: v if isinstance(v, str) else v.__name__)
def test_every_exception_of_every_filter_can_be_raised_from_an_answer(
    filter_cls: type, name: str, relay: Any, receiver: Any, make_webfilter: Any, platform_catalog: Any
) -> None:
    exc_cls = nested_exceptions(filter_cls)[name]
    given, extra = exception_arguments(exc_cls)
    # An argument beyond the constructor's own goes through **kwargs; the service passes it only for filters of its
    # built-in catalog (the catalog sync's format has no way to say an exception takes **kwargs).
    if extra and "builtin" in service_filters(relay).get(filter_cls.filter_type, {}).get("sources", []):
        given["reason_code"] = "E-42"
    receiver.body = {"exception": {name: given}}
    make_webfilter(filter_cls.filter_type, receiver.url)
    refresh_routing()  # the relay learns of the new webfilter now, not within the routing TTL

    if (filter_cls.__name__, name) == ("RenderXBlockStarted", "PreventXBlockBlockRender"):
        # render_xblock answers it with the 500 page: the relay halts with the filter's default halt instead.
        exc_cls, given = filter_cls.RenderCustomResponse, {"message": given["message"]}
    with pytest.raises(exc_cls) as raised:
        filter_cls.run_filter(**build_arguments(filter_cls))

    exc = raised.value
    assert type(exc) is exc_cls and exc.message == "Halted by a webfilter"
    assert unusable(filter_cls, exc) is None
    for key, value in given.items():
        if key == "response" and filter_cls.__name__ == "RenderXBlockStarted":
            assert exc.response == "<p>Closed for maintenance</p>"  # HTML text: the platform makes it a Fragment
        elif key == "response":
            assert isinstance(exc.response, HttpResponse)
            assert (exc.response.status_code, exc.response.content) == (503, b"<p>Closed for maintenance</p>")
            assert exc.response["Content-Type"] == "text/html"
        else:  # every argument the service was given arrives on the exception (extra ones through **kwargs too)
            assert getattr(exc, key, "<missing>") == value, f"{name}.{key}"


@pytest.mark.django_db
def test_a_model_change_is_saved_and_password_and_primary_key_are_never_changed(
    relay: Any, receiver: Any, make_webfilter: Any
) -> None:
    from openedx_filters.learning.filters import CourseUnenrollmentStarted, StudentLoginRequested

    from tests.filterapp.cases import make_enrollment, make_user

    enrollment = make_enrollment()
    receiver.body = {"data": {"enrollment": {"mode": "verified", "is_active": False, "id": 999, "user_id": "x"}}}
    make_webfilter(CourseUnenrollmentStarted.filter_type, receiver.url)
    refresh_routing()  # the relay learns of the new webfilter now, not within the routing TTL
    assert CourseUnenrollmentStarted.run_filter(enrollment=enrollment) is enrollment
    row = CourseEnrollment.objects.get(pk=enrollment.pk)
    assert (row.mode, row.is_active, row.user_id) == ("verified", True, enrollment.user_id)  # is_active refused
    assert not CourseEnrollment.objects.filter(pk=999).exists()

    user = make_user()
    hashed = user.password
    receiver.body = {
        "data": {"user": {"password": "plain-text", "first_name": "Bia", "last_login": "2026-01-02T03:04:05Z"}}
    }
    make_webfilter(StudentLoginRequested.filter_type, receiver.url)
    refresh_routing()  # the relay learns of the new webfilter now, not within the routing TTL
    got = StudentLoginRequested.run_filter(user=user)
    fresh = get_user_model().objects.get(pk=user.pk)
    assert got is user and fresh.first_name == "Bia" and fresh.password == hashed
    assert fresh.last_login is None  # an identity field: refused (test_privileges.py)
    assert fresh.check_password("s3cret-pass-never-sent")


@pytest.mark.django_db
def test_changes_that_do_not_fit_are_left_out_and_never_raise(
    relay: Any, receiver: Any, make_webfilter: Any, settings: Any
) -> None:
    from openedx_filters.learning.filters import CourseEnrollmentStarted

    from tests.filterapp.cases import make_user

    strict_pipelines(settings)
    user = make_user()
    receiver.body = {
        "data": {
            "user": {"first_name": {"nested": 1}, "is_staff": "maybe", "last_name": "Souza"},
            "course_key": "not a course key",
            "mode": {"x": 1},
        }
    }
    make_webfilter(CourseEnrollmentStarted.filter_type, receiver.url)
    refresh_routing()  # the relay learns of the new webfilter now, not within the routing TTL
    key = CASES["CourseEnrollmentStarted"]["course_key"].make()
    got_user, got_key, got_mode = CourseEnrollmentStarted.run_filter(user=user, course_key=key, mode="audit")
    assert got_user is user and got_key is key and got_mode == "audit"
    fresh = get_user_model().objects.get(pk=user.pk)
    assert (fresh.first_name, fresh.is_staff, fresh.last_name) == ("Ana", False, "Souza")


@pytest.mark.django_db
def test_a_filter_with_no_webfilter_makes_no_network_call(
    relay: Any, receiver: Any, make_receiver: Any, make_webfilter: Any, settings: Any
) -> None:
    from openedx_filters.learning.filters import CourseEnrollmentStarted, StudentLoginRequested

    from tests.filterapp.cases import make_user

    make_webfilter(StudentLoginRequested.filter_type, receiver.url)
    refresh_routing()  # the service now says: StudentLoginRequested has a webfilter, nothing else
    # From here the relay talks to a loopback server that counts what it gets, instead of the service.
    counter = make_receiver()
    routes = {"events": [], "filters": [StudentLoginRequested.filter_type], "version": "1"}
    counter.respond = lambda req: (
        (200, routes)
        if req.method == "GET"
        else (200, {"filter_type": "x", "data": {}, "changes": {}, "exception": None})
    )

    def filter_calls() -> list[str]:  # a routing refresh (a slow run outlasting the TTL) is not a filter call
        return [r.path for r in counter.requests if r.method == "POST"]

    settings.OPENEDX_WEBHOOKS_URL = counter.url
    user, key = make_user(), CASES["CourseEnrollmentStarted"]["course_key"].make()

    for _ in range(20):
        assert CourseEnrollmentStarted.run_filter(user=user, course_key=key, mode="audit") == (user, key, "audit")
    assert filter_calls() == []

    StudentLoginRequested.run_filter(user=user)  # the control: a filter with a webfilter does call
    deadline = time.monotonic() + 5  # the counter records a call just after answering it
    while not filter_calls() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert filter_calls() == ["/api/filters"]

    settings.OPENEDX_WEBHOOKS_ENABLED = False  # switched off: not even filters with a webfilter call out
    assert StudentLoginRequested.run_filter(user=user) is user
    assert filter_calls() == ["/api/filters"]


def strict_pipelines(settings: Any) -> None:
    """fail_silently off everywhere: an exception other than the filter's own would reach the caller (and fail)."""
    settings.OPEN_EDX_FILTERS_CONFIG = {
        k: {**v, "fail_silently": False} for k, v in settings.OPEN_EDX_FILTERS_CONFIG.items()
    }


@pytest.mark.django_db
def test_the_operators_steps_run_first_and_the_webfilter_sees_their_result(
    relay: Any, receiver: Any, make_webfilter: Any, settings: Any
) -> None:
    from openedx_filters.learning.filters import CourseEnrollmentStarted

    from tests.filterapp.cases import make_user

    ftype = CourseEnrollmentStarted.filter_type
    settings.OPEN_EDX_FILTERS_CONFIG = {
        **settings.OPEN_EDX_FILTERS_CONFIG,
        ftype: {"pipeline": ["tests.filterapp.steps.ModeFromCatalog", STEP], "fail_silently": False},
    }
    receiver.respond = lambda req: (200, {"data": {"mode": req.json()["mode"] + "-checked"}})
    make_webfilter(ftype, receiver.url)
    refresh_routing()
    user, key = make_user(), CASES["CourseEnrollmentStarted"]["course_key"].make()
    assert CourseEnrollmentStarted.run_filter(user=user, course_key=key, mode="audit") == (user, key, "honor-checked")
    sent = receiver.requests[0].json()
    assert sent["mode"] == "honor" and "enrollment_rule" not in sent


def unreachable(settings: Any, make_receiver: Any, how: str) -> None:
    """Points the relay at a service that cannot answer: nothing listening, a 502, or a body that is not JSON."""

    if how == "down":
        settings.OPENEDX_WEBHOOKS_URL = f"http://127.0.0.1:{free_port()}"
    else:
        r = make_receiver()
        r.respond = (
            (lambda req: (502, b"<html>Bad gateway</html>")) if how == "5xx" else (lambda req: (200, b"not json"))
        )
        settings.OPENEDX_WEBHOOKS_URL = r.url
    settings.OPENEDX_WEBHOOKS_TIMEOUT = 2
    strict_pipelines(settings)
    assume_routes()  # every filter has a webfilter: each one calls the service


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["down", "5xx", "garbage"])
def test_service_unreachable_fail_open_returns_the_arguments_unchanged(
    how: str, relay: Any, make_receiver: Any, settings: Any
) -> None:
    unreachable(settings, make_receiver, how)
    for filter_cls in FILTERS:
        args = build_arguments(filter_cls)
        values = returned(filter_cls, filter_cls.run_filter(**dict(args)))
        for (name, original), value in zip(args.items(), values, strict=True):
            if filter_cls.__name__ == "StudentRegistrationRequested":
                assert value == original, name  # the filter itself takes the password out and back in
            else:
                assert value is original, f"{filter_cls.__name__}.{name} changed with the service {how}"


@pytest.mark.django_db
@pytest.mark.parametrize("filter_cls", FILTERS, ids=lambda f: f.__name__)
def test_service_unreachable_fail_closed_raises_the_filters_exception(
    filter_cls: type, relay: Any, make_receiver: Any, settings: Any
) -> None:
    unreachable(settings, make_receiver, "down")
    settings.OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN = False
    classes = list(nested_exceptions(filter_cls).values())
    args = build_arguments(filter_cls)
    if not classes:  # nothing to halt with: the process goes on, unchanged
        values = returned(filter_cls, filter_cls.run_filter(**dict(args)))
        assert all(v is o or v == o for v, o in zip(values, args.values(), strict=True))
        return
    with pytest.raises(OpenEdxFilterException) as raised:
        filter_cls.run_filter(**args)
    assert type(raised.value) in classes
    assert "OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN" in raised.value.message and filter_cls.__name__ in raised.value.message
    # The filter's default halt (halts.py, README "Halting a filter"): one the platform shows without an error page.
    assert type(raised.value).__name__ == DEFAULT_HALTS[filter_cls.__name__][0]
    assert unusable(filter_cls, raised.value) is None


@pytest.mark.django_db
def test_an_exception_the_filter_does_not_have_is_logged_and_the_changes_still_apply(
    relay: Any, make_receiver: Any, settings: Any, caplog: Any
) -> None:
    """A service newer than the library may name an exception this openedx-filters lacks (the real service only
    names valid ones, so a loopback server speaks its protocol here)."""
    from openedx_filters.learning.filters import CourseEnrollmentStarted

    from tests.filterapp.cases import make_user

    fake = make_receiver()
    fake.respond = lambda req: (
        200,
        {
            "filter_type": CourseEnrollmentStarted.filter_type,
            "data": {},
            "changes": {"mode": "honor"},
            "exception": {"name": "PreventEverything", "message": "no"},
        },
    )
    settings.OPENEDX_WEBHOOKS_URL = fake.url
    assume_routes()
    strict_pipelines(settings)
    user, key = make_user(), CASES["CourseEnrollmentStarted"]["course_key"].make()
    assert CourseEnrollmentStarted.run_filter(user=user, course_key=key, mode="audit") == (user, key, "honor")
    assert "has no exception PreventEverything" in caplog.text
    assert str(key) == COURSE


@pytest.mark.django_db
def test_a_service_that_hangs_costs_one_timeout_then_calls_pause(relay: Any, settings: Any, monkeypatch: Any) -> None:
    """A service that accepts and never answers: the first call waits its timeout, the next ones skip the network
    (no new connection) until the pause is over."""
    import threading

    from openedx_filters.learning.filters import CourseEnrollmentStarted

    from openedx_webhooks_relay import breaker
    from tests.filterapp.cases import make_user

    held: list[socket.socket] = []
    posts: list[bytes] = []  # request lines of filter calls (the routing refresher's GETs hang here too)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def accept() -> None:
        while True:
            try:
                conn = listener.accept()[0]
            except OSError:
                return
            held.append(conn)
            first = conn.recv(64)
            if first.startswith(b"POST /api/filters"):
                posts.append(first)

    threading.Thread(target=accept, daemon=True).start()
    try:
        settings.OPENEDX_WEBHOOKS_URL = f"http://127.0.0.1:{listener.getsockname()[1]}"
        settings.OPENEDX_WEBHOOKS_TIMEOUT = 0.5
        strict_pipelines(settings)
        monkeypatch.setattr(breaker, "BASE_PAUSE", 1.5)
        assume_routes()
        user, key = make_user(), CASES["CourseEnrollmentStarted"]["course_key"].make()
        for _ in range(5):
            assert CourseEnrollmentStarted.run_filter(user=user, course_key=key, mode="audit") == (user, key, "audit")
        assert len(posts) == 1
        settings.OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN = False
        with pytest.raises(CourseEnrollmentStarted.PreventEnrollment):
            CourseEnrollmentStarted.run_filter(user=user, course_key=key, mode="audit")
        assert len(posts) == 1
        time.sleep(1.6)  # the pause is over: the next call tries the service again
        with pytest.raises(CourseEnrollmentStarted.PreventEnrollment):
            CourseEnrollmentStarted.run_filter(user=user, course_key=key, mode="audit")
        assert len(posts) == 2
    finally:
        listener.close()
        for s in held:
            s.close()


class Unreadable:
    """An argument the relay cannot read (its attributes raise), standing in for a relay fault."""

    def __getattribute__(self, name: str) -> Any:
        if name == "__dict__":
            raise RuntimeError("cannot read me")
        return super().__getattribute__(name)


@pytest.mark.django_db
def test_a_relay_fault_counts_as_no_answer(relay: Any, settings: Any) -> None:
    from openedx_filters.learning.filters import CourseUnenrollmentStarted

    strict_pipelines(settings)
    odd = Unreadable()
    assert CourseUnenrollmentStarted.run_filter(enrollment=odd) is odd
    settings.OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN = False
    with pytest.raises(CourseUnenrollmentStarted.PreventUnenrollment, match="relay error RuntimeError"):
        CourseUnenrollmentStarted.run_filter(enrollment=odd)


@pytest.mark.django_db
def test_a_render_halt_without_a_template_shows_a_page_not_an_error(
    relay: Any, receiver: Any, make_webfilter: Any
) -> None:
    """A webfilter (or the service's own halt on a failing webfilter) naming RenderInvalidDashboard with a message
    only: edx-platform would render_to_response("") (a 500); the relay answers with the dashboard's default halt."""
    from openedx_filters.learning.filters import DashboardRenderStarted

    receiver.body = {"exception": {"RenderInvalidDashboard": "The dashboard is closed tonight."}}
    make_webfilter(DashboardRenderStarted.filter_type, receiver.url)
    refresh_routing()
    with pytest.raises(DashboardRenderStarted.RenderCustomResponse) as raised:
        DashboardRenderStarted.run_filter(**build_arguments(DashboardRenderStarted))
    response = raised.value.response
    assert isinstance(response, HttpResponse) and response.status_code == 403
    assert b"The dashboard is closed tonight." in response.content
