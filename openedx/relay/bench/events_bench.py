"""What the relay adds to a platform request that sends an event: the same request timed with no receiver at all
(the bare baseline, measured in the same run) and with the relay connected in each of its situations.

    cd openedx/relay && .venv-ulmo/bin/python bench/events_bench.py [--n 600] [--burst]

One "request" is what an ATOMIC_REQUESTS view of the LMS does around an event (Tutor sets ATOMIC_REQUESTS:
tutor/templates/apps/openedx/config/partials/auth.yml line 16): a transaction that writes one row of the platform
(an enrollment's mode), sends COURSE_ENROLLMENT_CREATED and commits. The commit and the on_commit callbacks are
timed too, since the outbox's row is written by that transaction. The database is a temporary SQLite file in WAL
mode, migrated here, with synchronous=NORMAL so that the disk's fsync noise does not hide the relay's cost.

In celery mode a web process only writes the row (a Celery worker's poll publishes it; this bench runs no worker,
so the rows stay); in thread mode the process's relay thread posts it to a stand-in service (a subprocess on
loopback answering 202) after the commit. "Outbox off" hands the body to the relay thread, which publishes it to
the local Redis (a queue of its own, deleted afterwards). What is timed is the caller's wait.

A second table times the relay's receiver alone (what it adds inside send_event: routing lookup, body, outbox
INSERT, on_commit registration), inside one open transaction, many times over. The load average is printed:
figures are only worth comparing from a quiet machine.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
_DB = Path(tempfile.mkdtemp(prefix="relay-bench-")) / "bench.sqlite3"
atexit.register(shutil.rmtree, _DB.parent, True)
os.environ["RELAY_TEST_SQLITE"] = str(_DB)
os.environ["RELAY_TEST_SQLITE_SYNC"] = "NORMAL"  # WAL without an fsync per commit: the disk's noise left out
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("RELAY_TEST_QUEUE", f"openedx-webhooks-relay-bench-{os.getpid()}")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED  # noqa: E402

from openedx_webhooks_relay import events, tasks  # noqa: E402
from openedx_webhooks_relay.models import OutboxEvent  # noqa: E402
from openedx_webhooks_relay.routing import routing  # noqa: E402
from tests.filterapp.cases import make_enrollment  # noqa: E402
from tests.filterapp.models import CourseEnrollment  # noqa: E402
from tests.test_events import enrollment  # noqa: E402

STUB = r"""
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def _answer(self, status, body):
        raw = json.dumps(body).encode()
        self.send_response(status); self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw))); self.send_header("etag", '"1"'); self.end_headers()
        self.wfile.write(raw)
    def do_GET(self):
        self._answer(200, {"events": sys.argv[1].split(","), "filters": [], "version": "1"})
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self._answer(202, {"id": "x", "event_type": "x", "deliveries": 1})
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"""

BURST = False
ENROLLMENT = enrollment()
ROW = 0


def request(i: int) -> None:
    """One platform request: a write, the event, the commit (and the relay's on_commit hand-off)."""
    with transaction.atomic():
        CourseEnrollment.objects.filter(pk=ROW).update(mode="honor" if i % 2 else "audit")
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=ENROLLMENT)


def settle() -> None:
    """Waits until the relay's thread has handed off everything (and, outbox on, the rows are gone)."""
    tasks.dispatcher.drain(60)


def timed(n: int) -> list[float]:
    """Microseconds per request. The relay's thread finishes its work between two requests, as it does between a
    platform's requests (each sending an event or two); a burst is measured by --burst."""
    for i in range(min(200, n)):
        request(i)
    settle()
    out = []
    for i in range(n):
        t0 = time.perf_counter_ns()
        request(i)
        out.append((time.perf_counter_ns() - t0) / 1000)
        if not BURST:
            # The same pause in every configuration (the baseline too): a process coming back from a sleep
            # runs colder, and only the relay's configurations would otherwise pay for it.
            settle()
            time.sleep(0.002)
    settle()
    return out


def stub(events_routed: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-c", STUB, events_routed], stdout=subprocess.PIPE, text=True)
    port = proc.stdout.readline().strip()
    return proc, f"http://127.0.0.1:{port}"


def configure(url: str, mode: str, outbox: bool = True) -> None:
    settings.OPENEDX_WEBHOOKS_URL = url
    settings.OPENEDX_WEBHOOKS_API_KEY = "bench-key-0123456789abcdef"
    settings.OPENEDX_WEBHOOKS_EVENTS_DELIVERY = mode
    settings.OPENEDX_WEBHOOKS_OUTBOX = outbox
    routing.reset()
    routing.refresh()


def row(name: str, us: list[float], base: list[float] | None) -> str:
    q = statistics.quantiles(us, n=100)
    p50, p99 = q[49], q[98]
    extra = ""
    if base is not None:
        b = statistics.quantiles(base, n=100)
        extra = f"   added: p50 {p50 - b[49]:7.1f} µs, p99 {p99 - b[98]:7.1f} µs"
    return f"{name:<52} p50 {p50:7.1f} µs  p99 {p99:7.1f} µs  mean {statistics.fmean(us):7.1f} µs{extra}"


def receiver_only(n: int) -> list[tuple[str, list[float]]]:
    """The receiver's own time, called as openedx-events calls it, inside an open transaction (rolled back)."""
    metadata = COURSE_ENROLLMENT_CREATED.generate_signal_metadata()
    out = []

    def run(count: int) -> list[float]:
        times = []
        for _ in range(count):
            t0 = time.perf_counter_ns()
            events.relay_event(signal=COURSE_ENROLLMENT_CREATED, metadata=metadata, enrollment=ENROLLMENT)
            times.append((time.perf_counter_ns() - t0) / 1000)
        return times

    from openedx_webhooks_relay.routing import Routes

    with transaction.atomic():
        routing._routes = Routes(frozenset({"*"}), frozenset(), "bench", None, True)
        routing._fetched_at = time.monotonic() + 3600  # no refresh during the measure
        settings.OPENEDX_WEBHOOKS_OUTBOX = True
        out.append(("receiver alone, routed, outbox (INSERT in the transaction)", run(n)))
        settings.OPENEDX_WEBHOOKS_OUTBOX = False
        out.append(("receiver alone, routed, outbox off", run(n)))
        routing._routes = Routes(frozenset({"nothing"}), frozenset(), "bench", None, False)
        out.append(("receiver alone, event type not routed", run(n * 10)))
        transaction.set_rollback(True)
    routing.reset()
    return out


def main() -> None:
    global BURST, ROW
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--burst", action="store_true", help="send back to back (the relay's thread competes)")
    args = parser.parse_args()
    n = args.n
    BURST = args.burst
    from importlib.metadata import version

    call_command("migrate", run_syncdb=True, verbosity=0)
    ROW = make_enrollment().pk
    print(
        f"one request (write + send_event + commit), {n} each{' back to back' if BURST else ''}; "
        f"openedx-events {version('openedx-events')}, Python {sys.version.split()[0]}, SQLite (WAL), "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at start"
    )

    events.disconnect_all()
    base = timed(n)
    print(row("no receiver connected (baseline)", base, None))

    events.connect_all()
    results = []
    routed, url = stub("org.openedx.learning.student.registration.completed.v1")
    try:
        configure(url, "thread")
        results.append(("relay, event type not routed", timed(n)))
    finally:
        routed.terminate()
    proc, url = stub("*")
    try:
        configure(url, "thread")
        results.append(("relay, routed, outbox, thread mode", timed(n)))
        from tests.celery_app import app

        app.set_current()
        import redis

        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        try:
            broker.ping()
            configure(url, "celery")
            results.append(("relay, routed, outbox, celery mode (row only)", timed(n)))
            configure(url, "celery", outbox=False)
            results.append(("relay, routed, outbox off, celery mode (publish)", timed(n)))
        except redis.RedisError as exc:
            print(f"celery mode skipped: Redis at {settings.CELERY_BROKER_URL} does not answer ({exc})")
        finally:
            broker.delete(queue, f"_kombu.binding.{queue}")
    finally:
        proc.terminate()
    for name, us in results:
        print(row(name, us, base))
    settings.OPENEDX_WEBHOOKS_URL = "http://127.0.0.1:9"  # nothing is sent: the receiver's own work only
    for name, us in receiver_only(n):
        print(row(name, us, None))
    left = OutboxEvent.objects.count()
    print(f"outbox rows left: {left} (celery mode: waiting for a worker, which this bench does not run)")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
    print("targets: routed ≤ 250 µs added at p99, not routed ≤ 10 µs added at p99")


if __name__ == "__main__":
    main()
