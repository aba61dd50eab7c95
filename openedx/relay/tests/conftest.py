"""The relay's test harness: the REAL service (built app on loopback, fresh PGlite), loopback receivers that record
what they get, helpers for the management API, and the relay pointed at the service.

Fixtures for every test file (events and filters alike):
- `service` (session): the running service; `service.api(method, path, body)` calls it with the all-scopes key;
  `service.stop()` / `service.start()` take it down and back on the same port and data.
- `receiver`: a loopback HTTP server; `receiver.wait_for(n)`, `receiver.requests`, `receiver.respond(...)`.
- `make_webhook(event_type, url)` / `make_webfilter(filter_type, url, **fields)`: created through the API and
  deleted after the test.
- `relay`: Django settings pointing the relay at the service, routing forgotten before and after.
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

RELAY_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = RELAY_DIR.parents[1]
START_TIMEOUT = float(os.environ.get("RELAY_TEST_START_TIMEOUT", "900"))  # a first build takes minutes


class Service:
    """The service as a child process of the Node helper tests/helpers/start-server-cli.ts."""

    def __init__(self) -> None:
        self.key = "oewh_relaytest_" + secrets.token_hex(16)
        node = shutil.which("node")
        if not node:
            raise RuntimeError("node is not on PATH: the relay tests start the real service")
        env = {**os.environ, "INITIAL_API_KEY": self.key}
        self.proc = subprocess.Popen(
            [node, "--import", "tsx", "tests/helpers/start-server-cli.ts"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        self._log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        first = self._next_json(START_TIMEOUT)
        if "url" not in first:
            self.close()
            raise RuntimeError(f"the service did not start: {first.get('error')}\n{self.log()}")
        self.url: str = first["url"]
        self.port: int = first["port"]
        self.http = requests.Session()
        self.http.trust_env = False

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._log.append(line)
            if line.startswith("{"):
                self._lines.put(line)
        self._lines.put('{"error": "the service helper exited"}')

    def _next_json(self, timeout: float) -> dict[str, Any]:
        try:
            return json.loads(self._lines.get(timeout=timeout))
        except queue.Empty:
            return {"error": f"no answer in {timeout:.0f} s"}

    def log(self) -> str:
        return "".join(self._log[-80:])

    def _command(self, cmd: str, timeout: float = 120) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        answer = self._next_json(timeout)
        if answer.get("error"):
            raise RuntimeError(f"service {cmd}: {answer['error']}")
        return answer

    def stop(self) -> None:
        """Takes the service down (SIGTERM); its data is kept for start()."""
        self._command("stop")

    def start(self) -> None:
        """Starts it again on the same port and data; returns when it is healthy."""
        self._command("start")

    def api(self, method: str, path: str, body: Any = None, key: str | None = None) -> requests.Response:
        headers = {"authorization": f"Bearer {key or self.key}"}
        return self.http.request(method, self.url + path, json=body, headers=headers, timeout=30)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except Exception:  # noqa: BLE001
                self.proc.kill()


def free_port() -> int:
    """A loopback port nothing listens on now (for a server a test starts, or for a service that cannot answer)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc: subprocess.Popen, timeout: float = 30) -> None:
    """Ends a process a test started: SIGTERM, then SIGKILL if it is still there after `timeout` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def service() -> Iterator[Service]:
    svc = Service()
    try:
        yield svc
    finally:
        svc.close()


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A loopback HTTP server that records requests; answers with `status`/`body` or a `respond(req)` function."""

    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    status: int = 200
    body: Any = None
    respond: Callable[[Received], tuple[int, Any]] | None = None
    cond: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def wait_for(self, n: int, timeout: float = 20) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.requests) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            return list(self.requests)


def _make_receiver() -> Receiver:
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            rec = Received(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
            )
            r = holder["r"]
            status, body = r.respond(rec) if r.respond else (r.status, r.body)
            raw = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
            # Recorded before the answer goes out: a caller that has its answer finds its request recorded.
            with r.cond:
                r.requests.append(rec)
                r.cond.notify_all()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = _serve

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    r = Receiver(server)
    holder["r"] = r
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return r


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = _make_receiver()
    try:
        yield r
    finally:
        r.server.shutdown()
        r.server.server_close()


@pytest.fixture
def make_receiver() -> Iterator[Callable[[], Receiver]]:
    made: list[Receiver] = []

    def make() -> Receiver:
        made.append(_make_receiver())
        return made[-1]

    yield make
    for r in made:
        r.server.shutdown()
        r.server.server_close()


def _maker(service: Service, collection: str, type_field: str) -> Iterator[Callable[..., dict[str, Any]]]:
    created: list[str] = []

    def make(kind: str, url: str, **fields: Any) -> dict[str, Any]:
        res = service.api("POST", f"/api/v1/{collection}", {type_field: kind, "url": url, **fields})
        assert res.status_code == 201, f"POST /api/v1/{collection}: {res.status_code} {res.text}"
        row = res.json()
        created.append(row["id"])
        return row

    yield make
    for ident in created:
        service.api("DELETE", f"/api/v1/{collection}/{ident}")


@pytest.fixture
def make_webhook(service: Service) -> Iterator[Callable[..., dict[str, Any]]]:
    """make_webhook(event_type, url, **fields) → the created webhook (with its `secret`); deleted after the test."""
    yield from _maker(service, "webhooks", "event_type")


@pytest.fixture
def make_webfilter(service: Service) -> Iterator[Callable[..., dict[str, Any]]]:
    """make_webfilter(filter_type, url, **fields) → the created webfilter; deleted after the test."""
    yield from _maker(service, "webfilters", "filter_type")


@pytest.fixture
def relay(service: Service, settings: Any) -> Iterator[Service]:
    """The relay pointed at the service (thread delivery unless a test sets celery), routing forgotten around it."""
    from openedx_webhooks_relay.breaker import breaker
    from openedx_webhooks_relay.routing import routing
    from openedx_webhooks_relay.tasks import dispatcher

    settings.OPENEDX_WEBHOOKS_URL = service.url
    settings.OPENEDX_WEBHOOKS_API_KEY = service.key
    settings.OPENEDX_WEBHOOKS_ENABLED = True
    settings.OPENEDX_WEBHOOKS_EVENTS_DELIVERY = "thread"
    routing.reset()
    breaker.reset()
    dispatcher.forget()
    yield service
    # Nothing of this test may reach the next one's receivers.
    dispatcher.drain(10)
    dispatcher.forget()
    routing.reset()
    breaker.reset()


def assume_routes(events: list[str] | None = None, filters: list[str] | None = None) -> None:
    """Routing as if the service had answered (every event and every installed filter by default), for tests
    whose service cannot answer GET /api/v1/routing."""
    from openedx_webhooks_relay.routing import Routes, routing
    from openedx_webhooks_relay.settings.common import all_filter_types

    events = ["*"] if events is None else events
    routing.reset()
    routing._routes = Routes(
        frozenset(events), frozenset(all_filter_types() if filters is None else filters), "test", None, "*" in events
    )
    routing._fetched_at = time.monotonic()


def refresh_routing() -> None:
    """Asks the service for routing now (tests: the answer is known before the next event or filter call)."""
    from openedx_webhooks_relay.routing import routing

    routing.refresh()
    assert routing.routes is not None, "GET /api/v1/routing did not answer"
