"""Issue 25, defects 7 and 9: a failing service does not make every filter call synchronous (circuit breaker on
any failed call; routing loaded at process start), and the service's TLS certificate is verified with the
operator's CA bundle."""

from __future__ import annotations

import http.server
import json
import ssl
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from openedx_filters.learning.filters import CourseEnrollmentStarted, StudentLoginRequested

from openedx_webhooks_relay import client
from openedx_webhooks_relay.routing import routing
from tests.conftest import Received, assume_routes
from tests.filterapp.cases import CASES, make_user

pytestmark = pytest.mark.django_db

LOGIN = StudentLoginRequested.filter_type
ANSWER = {"filter_type": LOGIN, "data": {}, "changes": {}, "exception": None}


def filter_calls(r: Any) -> list[Received]:
    return [x for x in list(r.requests) if x.method == "POST" and x.path == "/api/filters"]


@pytest.mark.parametrize("status", [500, 502, 401, 403])
def test_a_failing_service_costs_one_call_per_pause(status: int, relay: Any, settings: Any, make_receiver: Any) -> None:
    stub = make_receiver()
    stub.respond = lambda req: (status, {"error": "failing"})
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    assume_routes(filters=[LOGIN])
    user = make_user()
    for _ in range(20):
        assert StudentLoginRequested.run_filter(user=user) is user
    assert len(filter_calls(stub)) == 1  # the next 19 skipped the network while the breaker was open
    settings.OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN = False
    with pytest.raises(StudentLoginRequested.PreventLogin, match="circuit open after HTTP"):
        StudentLoginRequested.run_filter(user=user)
    assert len(filter_calls(stub)) == 1


def test_the_breaker_closes_after_a_successful_trial(
    relay: Any, settings: Any, make_receiver: Any, monkeypatch: Any
) -> None:
    from openedx_webhooks_relay import breaker

    answers = iter([503, 200, 200])
    stub = make_receiver()
    stub.respond = lambda req: (next(answers), ANSWER)
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    monkeypatch.setattr(breaker, "BASE_PAUSE", 0.0)  # no pause: the very next call is the trial
    assume_routes(filters=[LOGIN])
    user = make_user()
    for _ in range(3):
        StudentLoginRequested.run_filter(user=user)
    assert len(filter_calls(stub)) == 3
    assert breaker.breaker.reason(stub.url) == "circuit closed"


def test_a_process_without_routing_yet_sends_no_filter_call_when_failing_open(
    relay: Any, settings: Any, make_receiver: Any
) -> None:
    """A new uwsgi worker whose routing has not come (the service slow or down): with fail open a filter goes
    on as it would with the service unreachable, instead of every filter calling the service."""
    stub = make_receiver()
    stub.respond = lambda req: (503, {"error": "starting"}) if req.method == "GET" else (200, ANSWER)
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    routing.reset()
    user, key = make_user(), CASES["CourseEnrollmentStarted"]["course_key"].make()
    for _ in range(20):
        StudentLoginRequested.run_filter(user=user)
        CourseEnrollmentStarted.run_filter(user=user, course_key=key, mode="audit")
    assert filter_calls(stub) == []
    settings.OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN = False  # fail closed: a webfilter may guard it, so it is sent
    StudentLoginRequested.run_filter(user=user)
    assert len(filter_calls(stub)) == 1


def test_routing_is_loaded_at_start_from_the_cache_the_processes_share(
    relay: Any, settings: Any, make_receiver: Any
) -> None:
    answers = {"status": 200}
    stub = make_receiver()
    stub.respond = lambda req: (
        (answers["status"], {"events": [], "filters": [LOGIN], "version": "7"})
        if req.method == "GET"
        else (200, ANSWER)
    )
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    routing.reset()
    routing.refresh()  # one process asked the service; the answer is in the Django cache
    answers["status"] = 503  # the service cannot answer the next process's routing call
    routing._routes = None  # a new process: nothing in memory
    routing.load_at_start()
    assert routing.routes is not None and routing.routes.filters == frozenset({LOGIN})
    user, key = make_user(), CASES["CourseEnrollmentStarted"]["course_key"].make()
    CourseEnrollmentStarted.run_filter(user=user, course_key=key, mode="audit")  # no webfilter: no call
    StudentLoginRequested.run_filter(user=user)
    assert [json.loads(r.body)["filter_type"] for r in filter_calls(stub)] == [LOGIN]


@pytest.fixture(scope="module")
def private_ca(tmp_path_factory: Any) -> tuple[Path, Path, Path]:
    """A private CA and a certificate for 127.0.0.1 signed by it (openssl, as an operator's PKI would)."""
    d = tmp_path_factory.mktemp("pki")
    run = lambda *a: subprocess.run(["openssl", *a], cwd=d, check=True, capture_output=True)  # noqa: E731
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Relay test private CA")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1")
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "srv.pem",
        "-days", "2", "-extfile", "ext.cnf")  # fmt: skip
    return d / "ca.pem", d / "srv.pem", d / "srv.key"


@pytest.fixture
def https_service(private_ca: tuple[Path, Path, Path]) -> Any:
    _, cert, key = private_ca

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            raw = json.dumps({"events": [], "filters": [], "version": "1"}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_service_behind_a_private_ca(
    relay: Any, settings: Any, https_service: str, private_ca: Any, monkeypatch: Any
) -> None:
    ca = str(private_ca[0])
    settings.OPENEDX_WEBHOOKS_URL = https_service
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    refused = client.call("GET", "/api/v1/routing")
    assert refused.status is None and "CERTIFICATE_VERIFY_FAILED" in str(refused.error)

    settings.OPENEDX_WEBHOOKS_CA_BUNDLE = ca
    assert client.call("GET", "/api/v1/routing").status == 200

    settings.OPENEDX_WEBHOOKS_CA_BUNDLE = ""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)  # the platform's own variable is honoured too
    assert client.call("GET", "/api/v1/routing").status == 200
