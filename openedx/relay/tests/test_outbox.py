"""Issue 25, defects 4, 5, 6 and 8: nothing the relay accepted is lost (a worker recycled after every task, SIGKILL of
the sending process after its commit), a long outage keeps no waiting copies in the broker, the relay's tasks go to
their own queue, and a rejected key is retried.

Real parts only: a real Celery worker (prefork, --max-tasks-per-child=1) on the local Redis, real subprocesses
killed with SIGKILL, the tests' SQLite database file shared by them, a loopback HTTP server standing in for the
service (it counts every call, which the real service would hide by storing an event once), and the real service
where what matters is what a webhook receives.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.db import transaction
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED

from openedx_webhooks_relay import tasks
from openedx_webhooks_relay.models import OutboxEvent
from openedx_webhooks_relay.routing import routing

from .conftest import Received, refresh_routing, stop_process
from .test_events import ENROLLMENT, enrollment

pytestmark = pytest.mark.django_db(transaction=True)

RELAY_DIR = Path(__file__).resolve().parents[1]


def wait_until(check: Callable[[], Any], timeout: float, what: str, log: Path | None = None) -> Any:
    """Polls `check` until it is truthy (the state, not a guessed sleep); fails with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            tail = log.read_text()[-4000:] if log and log.exists() else ""
            import traceback

            frames = sys._current_frames()
            stacks = "".join(
                f"--- {t.name}\n" + "".join(traceback.format_stack(frames[t.ident]))
                for t in threading.enumerate()
                if t.name.startswith("openedx-webhooks") and t.ident in frames
            )
            pytest.fail(f"{what} (after {timeout:.0f} s)\n{tail}\n{stacks}")
        time.sleep(0.05)


class StubService:
    """The service's two relay routes on loopback: routing (every event) and POST /api/events, counted."""

    def __init__(self, make_receiver: Callable[[], Any]) -> None:
        self.receiver = make_receiver()
        self.status = 202
        self.receiver.respond = self._respond

    def _respond(self, req: Received) -> tuple[int, Any]:
        if req.method == "GET":
            return 200, {"events": ["*"], "filters": [], "version": "1"}
        return self.status, {"id": "x", "event_type": ENROLLMENT, "deliveries": 1}

    @property
    def url(self) -> str:
        return self.receiver.url

    def posts(self) -> list[Received]:
        return [r for r in list(self.receiver.requests) if r.method == "POST" and r.path == "/api/events"]

    def ids(self) -> Counter:
        return Counter(r.json()["metadata"]["id"] for r in self.posts())

    def users(self) -> list[int]:
        return sorted({r.json()["data"]["enrollment"]["user"]["id"] for r in self.posts()})


@pytest.fixture
def celery_queue(settings: Any) -> Iterator[str]:
    """The tests' Celery app on the local Redis, with a queue of this run only (removed afterwards)."""
    from .celery_app import app

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {settings.CELERY_BROKER_URL} does not answer ({exc}): start redis-server")
    app.set_current()
    queue = settings.CELERY_TASK_DEFAULT_QUEUE  # of this run only (run-tests.sh); the app routes to it
    client.delete(queue)
    yield queue
    client.delete(queue, f"_kombu.binding.{queue}")


@contextmanager
def celery_worker(queue: str, url: str, key: str, log: Path, *args: str, **env: str) -> Iterator[subprocess.Popen]:
    """A real Celery worker process on `queue`, on the tests' database file, its relay pointed at `url`."""
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "RELAY_TEST_SQLITE": django_settings.DATABASES["default"]["NAME"],
        "RELAY_TEST_SERVICE_URL": url,
        "RELAY_TEST_SERVICE_KEY": key,
        "RELAY_TEST_QUEUE": queue,
        "RELAY_TEST_REDIS_URL": django_settings.CELERY_BROKER_URL,
        "RELAY_TEST_SWEEP_SECONDS": "1",
        **env,
    }
    cmd = [sys.executable, "-m", "celery", "-A", "tests.celery_app", "worker", "-Q", queue]
    cmd += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info", *args]
    with log.open("w") as out:
        worker = subprocess.Popen(cmd, cwd=RELAY_DIR, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield worker
    finally:
        stop_process(worker)


def test_a_worker_recycled_after_every_task_loses_no_event(
    relay: Any, settings: Any, make_receiver: Any, celery_queue: str, tmp_path: Path
) -> None:
    """Tutor runs workers with --max-tasks-per-child=100 (overhangio/tutor tutor/plugins/openedx.py line 232): a child
    ends with os._exit, no at-exit flush. Here every child ends after one task, right after sending 100 events."""
    from .celery_app import app

    stub = StubService(make_receiver)
    settings.OPENEDX_WEBHOOKS_URL = ""  # this process stays out: only the worker's processes may deliver
    log = tmp_path / "worker.log"
    with celery_worker(celery_queue, stub.url, relay.key, log, "-P", "prefork", "-c", "1", "--max-tasks-per-child=1"):
        app.send_task("tests.send_enrollments", args=[1, 100], queue=celery_queue)
        wait_until(lambda: len(stub.ids()) >= 100, 180, "not every event reached the service", log)
        wait_until(lambda: not OutboxEvent.objects.exists(), 60, "sent events were not deleted", log)
    assert stub.users() == list(range(1, 101))


def test_sigkill_of_the_sending_process_after_its_commit_loses_nothing(
    relay: Any, settings: Any, make_receiver: Any, tmp_path: Path
) -> None:
    stub = StubService(make_receiver)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "RELAY_TEST_SQLITE": django_settings.DATABASES["default"]["NAME"],
        "RELAY_TEST_SERVICE_URL": "http://127.0.0.1:9",  # the service is down while the sender runs
        "RELAY_TEST_SERVICE_KEY": relay.key,
        "RELAY_TEST_DELIVERY": "thread",
    }
    sender = subprocess.Popen(
        [sys.executable, "-m", "tests.outbox_sender"],
        cwd=RELAY_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert sender.stdout is not None
        line = sender.stdout.readline()
        assert line.strip() == "committed", sender.stderr.read() if sender.stderr else ""
    finally:
        sender.send_signal(signal.SIGKILL)
        sender.wait(timeout=30)
    assert sender.returncode == -signal.SIGKILL
    assert stub.posts() == []

    # The service is back; any process with the relay (this one) sweeps what the dead one committed.
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    settings.OPENEDX_WEBHOOKS_OUTBOX_SWEEP_SECONDS = 0.5
    routing.reset()
    tasks.dispatcher.sweep_at(0)
    wait_until(lambda: len(stub.ids()) >= 20, 60, "events of the killed process were lost")
    wait_until(lambda: not OutboxEvent.objects.exists(), 30, "sent events were not deleted")
    assert stub.users() == list(range(1, 21))
    assert set(stub.ids().values()) == {1}


def _copies(client: redis.Redis, queue: str) -> tuple[int, list[dict[str, Any]]]:
    """Messages of `queue` in the broker: waiting in the list, or delivered and not acknowledged (kombu's
    `unacked` hash, which the Redis transport puts back in the list after the visibility timeout)."""
    messages = [json.loads(m) for m in client.lrange(queue, 0, -1)]
    for raw in client.hvals("unacked"):
        message, _exchange, routing_key = json.loads(raw)
        if routing_key == queue:
            messages.append(message)
    return len(messages), messages


def test_an_outage_longer_than_the_visibility_timeout_keeps_no_waiting_copies(
    relay: Any, settings: Any, receiver: Any, make_webhook: Any, celery_queue: str, tmp_path: Path
) -> None:
    """Tutor sets no visibility timeout, so Redis's is one hour (kombu's default); Celery redelivers a task held
    unacknowledged longer. Shortened here to 2 s, with the real service down for 8 s."""
    settings.OPENEDX_WEBHOOKS_EVENTS_DELIVERY = "celery"
    make_webhook(ENROLLMENT, receiver.url)
    refresh_routing()
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    log = tmp_path / "worker.log"
    relay.stop()
    try:
        with celery_worker(
            celery_queue, relay.url, relay.key, log, "-P", "prefork", "-c", "2", RELAY_TEST_VISIBILITY_TIMEOUT="2"
        ):
            for user_id in range(1, 6):
                COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment(user_id=user_id))
            most, etas = 0, []
            deadline = time.monotonic() + 8
            while time.monotonic() < deadline:
                count, messages = _copies(client, celery_queue)
                most = max(most, count)
                etas += [m["headers"].get("eta") for m in messages if m.get("headers", {}).get("eta")]
                time.sleep(0.1)
            assert log.read_text().count("not taken yet") >= 5, log.read_text()[-3000:]
            relay.start()
            got = receiver.wait_for(5, timeout=120)
            assert len(got) == 5, log.read_text()[-3000:]
            wait_until(lambda: not OutboxEvent.objects.exists(), 60, "sent events were not deleted", log)
        assert most <= 5, f"{most} copies of 5 events in the broker"
        assert etas == [], "a retry waited in the broker"
        assert sorted(r.json()["enrollment"]["user"]["id"] for r in receiver.requests) == [1, 2, 3, 4, 5]
    finally:
        if not _healthy(relay):
            relay.start()


def test_the_relay_tasks_go_to_their_own_queue(relay: Any, settings: Any, make_receiver: Any, celery_queue: str):
    stub = StubService(make_receiver)
    own = f"{celery_queue}-relay"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    settings.OPENEDX_WEBHOOKS_EVENTS_DELIVERY = "celery"
    settings.OPENEDX_WEBHOOKS_CELERY_QUEUE = own
    routing.reset()
    routing.refresh()
    try:
        with transaction.atomic():
            for user_id in range(1, 4):
                COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment(user_id=user_id))
        assert client.llen(own) == 0  # a web process publishes nothing: a Celery worker's poll does
        tasks.become_poller()  # this process polls as a Celery worker's does (worker_init)
        wait_until(lambda: client.llen(own) >= 1, 20, "nothing published on the relay's queue")
        assert client.llen(celery_queue) == 0  # the platform's queue got nothing
        [message] = [json.loads(m) for m in client.lrange(own, 0, -1)]
        assert message["headers"]["task"] == tasks.BATCH_TASK_NAME
    finally:
        tasks.POLLER["on"] = False
        client.delete(own, f"_kombu.binding.{own}")


def test_a_rejected_key_is_retried_not_dropped(relay: Any, settings: Any, make_receiver: Any, caplog: Any) -> None:
    answers = iter([401, 403, 202])
    lock = threading.Lock()
    stub = StubService(make_receiver)

    def respond(req: Received) -> tuple[int, Any]:
        if req.method == "GET":
            return 200, {"events": ["*"], "filters": [], "version": "1"}
        with lock:
            return next(answers), {"error": "Unknown API key."}

    stub.receiver.respond = respond
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    routing.reset()
    routing.refresh()

    COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment())

    wait_until(lambda: len(stub.posts()) >= 3, 30, "a 401 or 403 was not retried")
    assert len(stub.ids()) == 1  # the same event each time
    errors = [r for r in caplog.records if r.levelname == "ERROR" and "OPENEDX_WEBHOOKS_API_KEY" in r.getMessage()]
    assert len(errors) == 2
    wait_until(lambda: not OutboxEvent.objects.exists(), 30, "the event was not deleted once taken")


def test_an_event_in_a_rolled_back_transaction_leaves_no_row(relay: Any, settings: Any) -> None:
    settings.OPENEDX_WEBHOOKS_URL = "http://127.0.0.1:9"
    with transaction.atomic():
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment(user_id=1))
        assert OutboxEvent.objects.count() == 1  # written in the event's own transaction
        transaction.set_rollback(True)
    assert not OutboxEvent.objects.exists()


def _healthy(service: Any) -> bool:
    try:
        return service.http.get(service.url + "/api/health", timeout=2).status_code == 200
    except Exception:  # noqa: BLE001
        return False


class TcpProxy:
    """A loopback TCP proxy to the broker that can be taken down and brought back on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.conns: list[Any] = []
        self.listener: Any = None
        self.start()

    def start(self) -> None:
        import socket

        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener: Any) -> None:
        import socket

        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: Any, dst: Any) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.close()
            except OSError:
                pass

    def stop(self) -> None:
        import socket

        self.listener.close()
        for s in self.conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.conns = []


def test_events_committed_while_the_broker_is_down_are_sent_once_it_is_back(
    relay: Any, settings: Any, make_receiver: Any, celery_queue: str, tmp_path: Path
) -> None:
    """The broker down (shortened from an hour to the time the test takes): the rows wait in the outbox, the
    worker's poll cannot publish them; once the broker is back they are published and sent."""
    from urllib.parse import urlparse

    stub = StubService(make_receiver)
    broker = urlparse(settings.CELERY_BROKER_URL)
    proxy = TcpProxy((broker.hostname or "127.0.0.1", broker.port or 6379))
    through = f"redis://127.0.0.1:{proxy.port}{broker.path}"
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    settings.OPENEDX_WEBHOOKS_EVENTS_DELIVERY = "celery"
    routing.reset()
    routing.refresh()
    log = tmp_path / "worker.log"
    try:
        with celery_worker(celery_queue, stub.url, relay.key, log, "-P", "solo", RELAY_TEST_REDIS_URL=through):
            wait_until(lambda: "ready." in log.read_text(), 60, "the worker did not start", log)
            proxy.stop()  # the broker is down from here
            with transaction.atomic():
                for user_id in range(1, 11):
                    COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment(user_id=user_id))
            wait_until(lambda: "cannot publish" in log.read_text(), 60, "the poll did not meet the broker down", log)
            assert stub.posts() == [] and OutboxEvent.objects.count() == 10
            proxy.start()  # back, on the same address
            wait_until(lambda: len(stub.ids()) >= 10, 120, "events were lost while the broker was down", log)
            wait_until(lambda: not OutboxEvent.objects.exists(), 60, "sent events were not deleted", log)
        assert stub.users() == list(range(1, 11))
    finally:
        proxy.stop()
