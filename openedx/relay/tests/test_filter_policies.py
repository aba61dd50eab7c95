"""Per filter type policies (SPEC §12, issue 29): the routing answer's `filter_policies` give a filter type its own
timeout and its own `on_unreachable` ("allow" or "halt"), used instead of OPENEDX_WEBHOOKS_TIMEOUT and
OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN, which stay the defaults of every other type.

The real service sets and serves the policies (PUT /api/v1/filter-policies/{filter_type}, GET /api/v1/routing) and
is stopped for the unreachable case; a loopback stand-in speaks its protocol where the test needs a service that
answers late, an older service without `filter_policies`, or malformed policies. The filters are the real
openedx-filters classes run through OPEN_EDX_FILTERS_CONFIG."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from openedx_filters.learning.filters import (
    CourseEnrollmentStarted,
    CourseUnenrollmentStarted,
    StudentLoginRequested,
)

from openedx_webhooks_relay import routing as routing_module
from openedx_webhooks_relay.breaker import breaker
from openedx_webhooks_relay.halts import DEFAULT_HALTS
from openedx_webhooks_relay.routing import FilterPolicy, routing
from tests.conftest import Received, Receiver, refresh_routing
from tests.filterapp.cases import CASES, make_enrollment, make_user

pytestmark = pytest.mark.django_db

LOGIN = StudentLoginRequested.filter_type
ENROLL = CourseEnrollmentStarted.filter_type
UNENROLL = CourseUnenrollmentStarted.filter_type


def strict_pipelines(settings: Any) -> None:
    """fail_silently off everywhere: an exception other than the filter's own would reach the caller (and fail)."""
    settings.OPEN_EDX_FILTERS_CONFIG = {
        k: {**v, "fail_silently": False} for k, v in settings.OPEN_EDX_FILTERS_CONFIG.items()
    }


def filter_calls(r: Receiver) -> list[Received]:
    return [x for x in list(r.requests) if x.method == "POST" and x.path == "/api/filters"]


def answer(filter_type: str, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"filter_type": filter_type, "data": {}, "changes": changes or {}, "exception": None}


def quiet(r: Receiver) -> None:
    """A held answer written after its caller gave up is a broken pipe, expected here: not printed."""
    r.server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]


def stand_in(make_receiver: Callable[[], Receiver], routes: dict[str, Any], settings: Any) -> Receiver:
    """A loopback service answering GET /api/v1/routing with `routes` and every filter call with no change (a test
    may replace `post`); the relay is pointed at it."""
    stub = make_receiver()
    stub.post = lambda req: (200, answer(req.json()["filter_type"]))  # type: ignore[attr-defined]
    stub.respond = lambda req: (200, routes) if req.method == "GET" else stub.post(req)  # type: ignore[attr-defined]
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    return stub


@pytest.fixture
def set_policy(service: Any) -> Iterator[Callable[[str, int, str], None]]:
    """set_policy(filter_type, timeout_ms, on_unreachable) through the real service's API; removed after the test."""
    made: list[str] = []

    def put(filter_type: str, timeout_ms: int, on_unreachable: str) -> None:
        body = {"timeout_ms": timeout_ms, "on_unreachable": on_unreachable}
        res = service.api("PUT", f"/api/v1/filter-policies/{filter_type}", body)
        assert res.status_code == 200, f"PUT /api/v1/filter-policies/{filter_type}: {res.status_code} {res.text}"
        made.append(filter_type)

    yield put
    for filter_type in made:
        service.api("DELETE", f"/api/v1/filter-policies/{filter_type}")


def _last_body(service: Any) -> dict[str, Any]:
    res = service.api("GET", "/api/v1/routing")
    assert res.status_code == 200, res.text
    return res.json()


def test_routing_keeps_the_services_policies_and_shares_them_through_the_cache(
    relay: Any, receiver: Receiver, make_webfilter: Any, set_policy: Any, make_receiver: Any, settings: Any
) -> None:
    set_policy(LOGIN, 200, "halt")
    set_policy(ENROLL, 3000, "allow")
    make_webfilter(LOGIN, receiver.url)
    refresh_routing()
    assert routing.routes is not None and routing.routes.policies == {
        LOGIN: FilterPolicy(200, "halt"),
        ENROLL: FilterPolicy(3000, "allow"),
    }
    assert routing_module.policy(LOGIN) == FilterPolicy(200, "halt")
    assert routing_module.policy("nope", StudentLoginRequested.__name__) is None
    assert routing_module.policy(UNENROLL) is None  # no policy of its own: the relay's defaults

    # Another process got the answer (kept in the shared Django cache); a new process whose service cannot answer
    # routing yet has the policies from the cache.
    stub = stand_in(make_receiver, _last_body(relay), settings)  # the real service's answer, from a stand-in
    refresh_routing()
    stub.respond = lambda req: (503, {"error": "starting"})
    routing._routes = None
    routing.load_at_start()
    assert routing.routes is not None and routing_module.policy(LOGIN) == FilterPolicy(200, "halt")
    assert routing_module.policy(ENROLL) == FilterPolicy(3000, "allow")


def test_with_the_service_stopped_halt_halts_and_allow_goes_on_in_the_same_process(
    relay: Any, receiver: Receiver, make_webfilter: Any, set_policy: Any, settings: Any
) -> None:
    """StudentLoginRequested has `on_unreachable: halt`, CourseEnrollmentStarted `allow`, CourseUnenrollmentStarted
    no policy (OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN decides). Each is tried first with the service refusing the
    connection and then with the breaker open after another type's failed call, under both global settings."""
    set_policy(LOGIN, 1000, "halt")
    set_policy(ENROLL, 1000, "allow")
    for filter_type in (LOGIN, ENROLL, UNENROLL):
        make_webfilter(filter_type, receiver.url)
    refresh_routing()
    strict_pipelines(settings)
    user, key = make_user(), CASES["CourseEnrollmentStarted"]["course_key"].make()
    enrollment = make_enrollment()

    def login_halts(how: str) -> None:
        with pytest.raises(StudentLoginRequested.PreventLogin) as raised:
            StudentLoginRequested.run_filter(user=user)
        assert type(raised.value).__name__ == DEFAULT_HALTS["StudentLoginRequested"][0]
        assert "on_unreachable: halt" in raised.value.message and how in raised.value.message

    def enrollment_goes_on() -> None:
        assert CourseEnrollmentStarted.run_filter(user=user, course_key=key, mode="audit") == (user, key, "audit")

    relay.stop()
    try:
        for fail_open in (True, False):
            settings.OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN = fail_open
            breaker.reset()
            login_halts("ConnectionError")  # the call was refused; the breaker opens
            enrollment_goes_on()  # skipped by the open breaker
            assert breaker.reason(relay.url).startswith("circuit open")
            breaker.reset()
            enrollment_goes_on()  # the call was refused
            login_halts("circuit open")
            # No policy: the global setting, as before.
            if fail_open:
                assert CourseUnenrollmentStarted.run_filter(enrollment=enrollment) is enrollment
            else:
                with pytest.raises(CourseUnenrollmentStarted.PreventUnenrollment, match="FILTERS_FAIL_OPEN is False"):
                    CourseUnenrollmentStarted.run_filter(enrollment=enrollment)
        assert receiver.requests == []
    finally:
        relay.start()


def test_a_policy_timeout_of_300_ms_cuts_a_service_that_answers_in_2_s(
    relay: Any, make_receiver: Any, settings: Any
) -> None:
    routes = {
        "events": [],
        "filters": [LOGIN, ENROLL, UNENROLL],
        "filter_policies": {
            LOGIN: {"timeout_ms": 300, "on_unreachable": "halt"},
            UNENROLL: {"timeout_ms": 300, "on_unreachable": "allow"},
        },
        "version": "1",
    }
    stub = stand_in(make_receiver, routes, settings)
    quiet(stub)
    arrived: list[str] = []
    release = threading.Event()  # set at the end: the stand-in's held answers go out, its threads end

    def post(req: Received) -> tuple[int, Any]:
        filter_type = req.json()["filter_type"]
        arrived.append(filter_type)
        if filter_type == ENROLL:  # no policy: answers in 0.8 s, past the policy's cut, within the default timeout
            threading.Event().wait(0.8)
            return 200, answer(ENROLL, {"mode": "honor"})
        release.wait(2.0)  # the service answers in 2 s
        return 200, answer(filter_type)

    stub.post = post  # type: ignore[attr-defined]
    settings.OPENEDX_WEBHOOKS_TIMEOUT = 10  # the default would wait for the answer
    settings.OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN = False  # the default would halt
    strict_pipelines(settings)
    refresh_routing()
    user, key, enrollment = make_user(), CASES["CourseEnrollmentStarted"]["course_key"].make(), make_enrollment()
    try:
        t0 = time.perf_counter()
        with pytest.raises(StudentLoginRequested.PreventLogin, match="on_unreachable: halt"):
            StudentLoginRequested.run_filter(user=user)
        took = time.perf_counter() - t0
        assert arrived == [LOGIN]  # a real call, cut by its timeout (not skipped)
        assert 0.3 <= took < 1.5, f"cut after {took:.2f} s"  # about 0.3 s + the margin, far below the 2 s

        breaker.reset()  # the timeout opened it; the next call must go out
        t0 = time.perf_counter()
        assert CourseUnenrollmentStarted.run_filter(enrollment=enrollment) is enrollment  # allow: goes on

        took = time.perf_counter() - t0
        assert arrived == [LOGIN, UNENROLL]
        assert 0.3 <= took < 1.5, f"cut after {took:.2f} s"

        breaker.reset()
        t0 = time.perf_counter()
        assert CourseEnrollmentStarted.run_filter(user=user, course_key=key, mode="audit") == (user, key, "honor")
        assert time.perf_counter() - t0 >= 0.8  # waited for the answer: OPENEDX_WEBHOOKS_TIMEOUT, not 300 ms
        assert arrived == [LOGIN, UNENROLL, ENROLL]
    finally:
        release.set()


def test_the_services_answer_at_its_deadline_still_arrives(
    relay: Any, receiver: Receiver, make_webfilter: Any, set_policy: Any, settings: Any
) -> None:
    """The real service cuts a webfilter that hangs at the policy's 300 ms and answers then (this webfilter does not
    halt on a request exception, so: no change). The relay's margin lets that answer arrive: the login goes on,
    although `on_unreachable` is halt, and the breaker stays closed."""
    release = threading.Event()

    def hang(req: Received) -> tuple[int, Any]:
        release.wait(3.0)
        return 200, {}

    receiver.respond = hang
    quiet(receiver)
    set_policy(LOGIN, 300, "halt")
    make_webfilter(LOGIN, receiver.url, halt_on_request_exception=False)
    refresh_routing()
    strict_pipelines(settings)
    user = make_user()
    try:
        t0 = time.perf_counter()
        assert StudentLoginRequested.run_filter(user=user) is user
        took = time.perf_counter() - t0
        assert took < 1.5, f"answered after {took:.2f} s"  # the service cut the webfilter at its 300 ms
        assert breaker.reason(relay.url) == "circuit closed"
    finally:
        release.set()


def test_an_older_service_without_filter_policies_keeps_working(
    relay: Any, make_receiver: Any, settings: Any, caplog: Any
) -> None:
    stub = stand_in(make_receiver, {"events": [], "filters": [ENROLL], "version": "1"}, settings)
    stub.post = lambda req: (200, answer(ENROLL, {"mode": "honor"}))  # type: ignore[attr-defined]
    strict_pipelines(settings)
    refresh_routing()
    assert routing.routes is not None and routing.routes.policies == {}
    assert routing_module.policy(ENROLL) is None
    user, key = make_user(), CASES["CourseEnrollmentStarted"]["course_key"].make()
    assert CourseEnrollmentStarted.run_filter(user=user, course_key=key, mode="audit") == (user, key, "honor")

    stub.post = lambda req: (503, {"error": "down"})  # type: ignore[attr-defined]
    assert CourseEnrollmentStarted.run_filter(user=user, course_key=key, mode="audit") == (user, key, "audit")
    breaker.reset()
    settings.OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN = False
    with pytest.raises(CourseEnrollmentStarted.PreventEnrollment, match="FILTERS_FAIL_OPEN is False"):
        CourseEnrollmentStarted.run_filter(user=user, course_key=key, mode="audit")
    assert len(filter_calls(stub)) == 3
    assert "filter polic" not in caplog.text  # nothing to warn about


def test_a_malformed_policy_is_ignored_and_logged_once(
    relay: Any, make_receiver: Any, settings: Any, caplog: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(routing_module, "_malformed_logged", set())
    routes: dict[str, Any] = {
        "events": [],
        "filters": [LOGIN, ENROLL, UNENROLL],
        "filter_policies": {
            LOGIN: {"timeout_ms": 10, "on_unreachable": "halt"},  # below 50 ms
            ENROLL: {"timeout_ms": 300, "on_unreachable": "maybe"},
            "org.openedx.learning.a.v1": "fast",
            "org.openedx.learning.b.v1": {"timeout_ms": True, "on_unreachable": "halt"},
            "org.openedx.learning.c.v1": {"timeout_ms": "300", "on_unreachable": "halt"},
            UNENROLL: {"timeout_ms": 400, "on_unreachable": "halt"},  # the one well-formed entry
        },
        "version": "1",
    }
    stub = stand_in(make_receiver, routes, settings)
    stub.post = lambda req: (503, {"error": "down"})  # type: ignore[attr-defined]
    strict_pipelines(settings)
    refresh_routing()
    refresh_routing()  # asked again (no ETag: a full answer each time): logged once all the same
    assert routing.routes is not None and routing.routes.policies == {UNENROLL: FilterPolicy(400, "halt")}
    ignored = "ignored; that filter type keeps the defaults"
    warnings = [r.getMessage() for r in caplog.records if ignored in r.getMessage()]
    assert len(warnings) == 5, warnings
    for filter_type in (LOGIN, ENROLL, "org.openedx.learning.a.v1", "org.openedx.learning.b.v1"):
        assert sum(filter_type in w for w in warnings) == 1, filter_type

    # The malformed "halt" of StudentLoginRequested is not applied: the defaults (fail open) are.
    user, enrollment = make_user(), make_enrollment()
    assert StudentLoginRequested.run_filter(user=user) is user
    breaker.reset()
    with pytest.raises(CourseUnenrollmentStarted.PreventUnenrollment, match="on_unreachable: halt"):
        CourseUnenrollmentStarted.run_filter(enrollment=enrollment)
    assert len(filter_calls(stub)) == 2

    # filter_policies that is not an object at all: no policies, one warning.
    routes["filter_policies"] = ["not", "an", "object"]
    refresh_routing()
    refresh_routing()
    assert routing.routes is not None and routing.routes.policies == {}
    assert sum("filter_policies that is not an object" in r.getMessage() for r in caplog.records) == 1
