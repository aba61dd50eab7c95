"""What the relay adds to `send_event`: the same COURSE_ENROLLMENT_CREATED.send_event timed with no receiver at all
(the bare baseline, measured in the same run) and with the relay connected in each of its situations.

    cd openedx/relay && .venv-ulmo/bin/python bench/events_bench.py [--n 5000]

The relay's network work happens on its own thread (and in Celery); what is timed is the caller's wait, which
is what the platform's request pays. A stand-in service (a subprocess on loopback answering 202) takes the posts
in thread mode; celery mode publishes to the local Redis (a queue of its own, deleted afterwards).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("RELAY_TEST_QUEUE", f"openedx-webhooks-relay-bench-{os.getpid()}")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from opaque_keys.edx.keys import CourseKey  # noqa: E402
from openedx_events.learning.data import CourseData, CourseEnrollmentData, UserData, UserPersonalData  # noqa: E402
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED  # noqa: E402

from openedx_webhooks_relay import events, tasks  # noqa: E402
from openedx_webhooks_relay.routing import routing  # noqa: E402

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

ENROLLMENT = CourseEnrollmentData(
    user=UserData(id=42, is_active=True, pii=UserPersonalData(username="ada", email="ada@example.com", name="Ada")),
    course=CourseData(course_key=CourseKey.from_string("course-v1:OpenedX+Demo+2025"), display_name="Demo"),
    mode="audit",
    is_active=True,
    creation_date=dt.datetime(2025, 3, 14, 15, 9, 26, tzinfo=dt.UTC),
)


def timed(n: int) -> list[float]:
    """Microseconds per send_event. The relay's thread finishes its work between two events, as it does between
    a platform's requests (each sending an event or two); a burst is measured by --burst."""
    for _ in range(min(200, n)):
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=ENROLLMENT)
    tasks.dispatcher.drain(60)
    out = []
    for _ in range(n):
        t0 = time.perf_counter_ns()
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=ENROLLMENT)
        out.append((time.perf_counter_ns() - t0) / 1000)
        if not BURST:
            # The same pause in every configuration (the baseline too): a process coming back from a sleep
            # runs colder, and only the relay's configurations would otherwise pay for it.
            tasks.dispatcher.drain(60)
            time.sleep(0.002)
    tasks.dispatcher.drain(60)
    return out


def stub(events_routed: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-c", STUB, events_routed], stdout=subprocess.PIPE, text=True)
    port = proc.stdout.readline().strip()
    return proc, f"http://127.0.0.1:{port}"


def configure(url: str, mode: str) -> None:
    settings.OPENEDX_WEBHOOKS_URL = url
    settings.OPENEDX_WEBHOOKS_API_KEY = "bench-key-0123456789abcdef"
    settings.OPENEDX_WEBHOOKS_EVENTS_DELIVERY = mode
    routing.reset()
    routing.refresh()


def row(name: str, us: list[float], base: list[float] | None) -> str:
    q = statistics.quantiles(us, n=100)
    p50, p99 = q[49], q[98]
    extra = ""
    if base is not None:
        b = statistics.quantiles(base, n=100)
        extra = f"   added: p50 {p50 - b[49]:7.1f} µs, p99 {p99 - b[98]:7.1f} µs"
    return f"{name:<44} p50 {p50:7.1f} µs  p99 {p99:7.1f} µs  mean {statistics.fmean(us):7.1f} µs{extra}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--burst", action="store_true", help="send back to back (the relay's thread competes)")
    args = parser.parse_args()
    n = args.n
    global BURST
    BURST = args.burst
    from importlib.metadata import version

    print(
        f"send_event(COURSE_ENROLLMENT_CREATED), {n} calls each{' back to back' if BURST else ''}; "
        f"openedx-events {version('openedx-events')}, Python {sys.version.split()[0]}, load {os.getloadavg()[0]:.1f}"
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
        results.append(("relay, routed, thread mode (posts on loopback)", timed(n)))
        from tests.celery_app import app

        app.set_current()
        configure(url, "celery")
        try:
            import redis

            redis.Redis.from_url(settings.CELERY_BROKER_URL).ping()
            results.append(("relay, routed, celery mode (publish to Redis)", timed(n)))
        except Exception as exc:  # noqa: BLE001
            print(f"celery mode skipped: Redis at {settings.CELERY_BROKER_URL} does not answer ({exc})")
        finally:
            import redis

            queue = settings.CELERY_TASK_DEFAULT_QUEUE
            redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(queue, f"_kombu.binding.{queue}")
    finally:
        proc.terminate()
    for name, us in results:
        print(row(name, us, base))
    print("target: ≤ 1000 µs added at p99")


if __name__ == "__main__":
    main()
