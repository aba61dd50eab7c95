"""What the relay adds to a platform request that sends an event: the same request timed with no receiver at all
(the bare baseline, measured in the same run) and with the relay connected in each of its situations.

    cd openedx/relay && .venv-ulmo/bin/python bench/events_bench.py [--n 600] [--db mysql]

One "request" is what an ATOMIC_REQUESTS view of the LMS does around an event (Tutor sets ATOMIC_REQUESTS:
tutor/templates/apps/openedx/config/partials/auth.yml line 16): a transaction that writes one row of the platform
(an enrollment's mode), sends COURSE_ENROLLMENT_CREATED and commits. The commit and the on_commit callbacks are
timed too, since the outbox's row is written by that transaction. The database is a temporary SQLite file in WAL
mode, migrated here, with synchronous=OFF so that the disk's fsync noise does not hide the relay's cost (with
NORMAL, the WAL checkpoints' fsyncs put 2.5 ms stalls in the commit of about 1 % of requests, the baseline's too); with
`--db mysql`, a database of its own on the local MySQL or MariaDB (root, 127.0.0.1:3306; mysqlclient installed in
the venv), configured as Tutor configures the platform's. Each request changes the row (MySQL skips an unchanged
one, and its commit would then write nothing).

As in the platform, the relay's receiver is connected only to the signals routing wants ("event type nobody
routes" is the platform with no relay receiver on that signal: events.follow).

In celery mode a web process only writes the row (a Celery worker's poll publishes it; this bench runs no worker
and deletes the rows between two requests, untimed, as the poll would); celery mode is measured before the
configurations that start the relay thread (outbox off, thread mode), since a web process in celery mode has none;
in thread mode the process's relay thread posts it to a stand-in service (a subprocess on
loopback answering 202) after the commit. "Outbox off" hands the body to the relay thread, which publishes it to
the local Redis (a queue of its own, deleted afterwards). What is timed is the caller's wait.

The configurations are measured **interleaved**, request by request (baseline, not routed, routed, baseline, …, in
a rotating order), not one block after the other: on this machine the same bare request drifts by ±100 µs p50
between consecutive blocks of 600 (the SQLite WAL, the allocator, the CPU's caches), more than the relay's own
cost. After each switch one untimed request warms the signal's receiver cache. Phase 1 is celery mode (the default:
no relay thread in the web process); phase 2 starts the relay thread (outbox off publishes from it, thread mode
posts from it) and has its own baseline, measured with that thread idle in the process.

A second table times the relay's receiver alone (what it adds inside send_event: routing lookup, body, outbox
INSERT, on_commit registration), inside one open transaction, many times over. The load average is printed:
figures are only worth comparing from a quiet machine.
"""

from __future__ import annotations

import argparse
import atexit
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
PARSER = argparse.ArgumentParser()
PARSER.add_argument("--n", type=int, default=600)
PARSER.add_argument(
    "--db",
    choices=("sqlite", "mysql"),
    default="sqlite",
    help="mysql: a database of its own on the MySQL/MariaDB at 127.0.0.1:3306 (root; pip install mysqlclient)",
)
ARGS = PARSER.parse_args()
_DB = Path(tempfile.mkdtemp(prefix="relay-bench-")) / "bench.sqlite3"
atexit.register(shutil.rmtree, _DB.parent, True)
os.environ["RELAY_TEST_SQLITE"] = str(_DB)
os.environ["RELAY_TEST_SQLITE_SYNC"] = "OFF"  # no fsync, not even at a checkpoint: the disk's noise left out
if ARGS.db == "mysql":
    try:
        import MySQLdb  # mysqlclient, as in Tutor's images
    except ImportError:  # PyMySQL (the tests' driver): a pure-Python driver's figures, not the platform's
        import pymysql as MySQLdb

    _NAME = f"relay_bench_{os.getpid()}"
    _server = MySQLdb.connect(host="127.0.0.1", port=3306, user="root", password="")
    _server.cursor().execute(f"CREATE DATABASE {_NAME} CHARACTER SET utf8mb4")
    atexit.register(lambda: _server.cursor().execute(f"DROP DATABASE IF EXISTS {_NAME}"))
    os.environ["RELAY_TEST_MYSQL"] = _NAME
    os.environ["RELAY_TEST_PLATFORM"] = "0"  # the tests' stand-in of edx-platform's user_api: not needed here
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("RELAY_TEST_QUEUE", f"openedx-webhooks-relay-bench-{os.getpid()}")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED  # noqa: E402

from openedx_webhooks_relay import events, tasks  # noqa: E402
from openedx_webhooks_relay.models import OutboxEvent  # noqa: E402
from openedx_webhooks_relay.routing import Routes, routing  # noqa: E402
from tests.filterapp.cases import create_database, make_enrollment  # noqa: E402
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

ENROLLMENT = enrollment()
FLIP = itertools.cycle((True, False))
ROW = 0
SPLIT: list[tuple[float, float, float]] = []  # per request: µs in the write, in send_event, in the commit


def request() -> None:
    """One platform request: a write, the event, the commit (and the relay's on_commit hand-off)."""
    t0 = time.perf_counter_ns()
    with transaction.atomic():
        # A value other than the last request's: MySQL skips an unchanged row, and its commit then writes nothing.
        CourseEnrollment.objects.filter(pk=ROW).update(mode="honor" if next(FLIP) else "audit")
        t1 = time.perf_counter_ns()
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=ENROLLMENT)
        t2 = time.perf_counter_ns()
    SPLIT.append(((t1 - t0) / 1000, (t2 - t1) / 1000, (time.perf_counter_ns() - t2) / 1000))


def settle() -> None:
    """Waits until the relay's thread has handed off everything."""
    tasks.dispatcher.drain(60)


ROUTED = Routes(frozenset({COURSE_ENROLLMENT_CREATED.event_type}), frozenset(), "bench", None, False)
NOT_ROUTED = Routes(
    frozenset({"org.openedx.learning.student.registration.completed.v1"}), frozenset(), "b", None, False
)
NOTHING = Routes(frozenset(), frozenset(), "none", None, False)
NOOP_UID = "events-bench-noop"


def route(routes: Routes) -> None:
    """Routing as a service's answer sets it: the relay's receiver follows (events.follow connects or disconnects only
    the signals whose routing changed), and no refresh happens during the measure."""
    routing._set(routes)
    routing._fetched_at = time.monotonic() + 3600


def bare() -> None:
    """No receiver on the event (the platform without the relay, or with nothing routed)."""
    COURSE_ENROLLMENT_CREATED.disconnect(dispatch_uid=NOOP_UID)
    route(NOTHING)


def noop_receiver(**kwargs: object) -> None:
    """A receiver that does nothing: what openedx-events and Django's signal charge for any receiver at all."""


def noop() -> None:
    bare()
    COURSE_ENROLLMENT_CREATED.connect(noop_receiver, weak=False, dispatch_uid=NOOP_UID)


def relay(routes: Routes, mode: str, outbox: bool = True) -> Callable[[], None]:
    def enter() -> None:
        bare()
        settings.OPENEDX_WEBHOOKS_EVENTS_DELIVERY = mode
        settings.OPENEDX_WEBHOOKS_OUTBOX = outbox
        route(routes)

    return enter


def tidy() -> None:
    """Between two requests, untimed: the relay's thread has handed off everything, and the outbox rows a Celery
    worker's poll would have taken are gone (the table stays as small as in production)."""
    settle()
    OutboxEvent.objects.all().delete()


def interleaved(n: int, configs: list[tuple[str, Callable[[], None]]]) -> dict[str, tuple[list[float], list]]:
    """Microseconds per request and the parts of each, by configuration, measured in turn request by request."""
    out: dict[str, tuple[list[float], list]] = {name: ([], []) for name, _ in configs}
    warm = min(100, n)
    for i in range(n + warm):
        k = i % len(configs)
        for name, enter in configs[k:] + configs[:k]:  # a rotating order: none is always first
            enter()
            request()  # untimed: the signal's receiver cache is rebuilt after a connect or disconnect
            tidy()
            t0 = time.perf_counter_ns()
            request()
            took = (time.perf_counter_ns() - t0) / 1000
            if i >= warm:
                out[name][0].append(took)
                out[name][1].append(SPLIT[-1])
            tidy()
            time.sleep(0.002)
    return out


def parts(name: str, split: list[tuple[float, float, float]]) -> str:
    """Where one configuration's request time goes: the platform's write, send_event (the receivers), the commit."""
    cols = []
    for label, k in (("write", 0), ("send_event", 1), ("commit", 2)):
        q = statistics.quantiles([s[k] for s in split], n=100)
        cols.append(f"{label} {q[49]:6.1f} / {q[98]:6.1f}")
    return f"  {name:<56} " + "   ".join(cols)


def stub() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-c", STUB, "*"], stdout=subprocess.PIPE, text=True)
    port = proc.stdout.readline().strip()
    return proc, f"http://127.0.0.1:{port}"


def row(name: str, us: list[float], base: list[float] | None) -> str:
    q = statistics.quantiles(us, n=100)
    p50, p99 = q[49], q[98]
    extra = ""
    if base is not None:
        b = statistics.quantiles(base, n=100)
        extra = f"   added: p50 {p50 - b[49]:7.1f} µs, p99 {p99 - b[98]:7.1f} µs"
    return f"{name:<58} p50 {p50:7.1f} µs  p99 {p99:7.1f} µs  mean {statistics.fmean(us):7.1f} µs{extra}"


def report(results: dict[str, tuple[list[float], list]]) -> None:
    names = list(results)
    base = results[names[0]][0]
    for name in names:
        print(row(name, results[name][0], None if name == names[0] else base))
    print("  where the time goes (µs, p50 / p99 of each part; the parts' p99 come from different requests):")
    for name in names:
        print(parts(name, results[name][1]))


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

    settings.OPENEDX_WEBHOOKS_EVENTS_DELIVERY = "celery"
    with transaction.atomic():
        routing._routes = ROUTED
        routing._fetched_at = time.monotonic() + 3600
        settings.OPENEDX_WEBHOOKS_OUTBOX = True
        out.append(("receiver alone, routed, outbox (INSERT in the transaction)", run(n)))
        settings.OPENEDX_WEBHOOKS_OUTBOX = False
        out.append(("receiver alone, routed, outbox off", run(n)))
        routing._routes = NOT_ROUTED
        out.append(("receiver alone, not routed (until the connections follow)", run(n * 10)))
        transaction.set_rollback(True)
    routing.reset()
    return out


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def database() -> str:
    from django.db import connection

    if connection.vendor != "mysql":
        return "SQLite (WAL, synchronous=OFF)"
    with connection.cursor() as cursor:
        cursor.execute("SELECT VERSION(), @@innodb_flush_log_at_trx_commit")
        server, flush = cursor.fetchone()
    driver = type(connection.connection).__module__.split(".")[0]  # MySQLdb (mysqlclient) or pymysql
    return f"MySQL {server} (innodb_flush_log_at_trx_commit={flush}; driver {driver})"


def main() -> None:
    global ROW
    n = ARGS.n
    from importlib.metadata import version

    create_database()
    ROW = make_enrollment().pk
    print(
        f"one request (write + send_event + commit), {n} of each configuration, interleaved; openedx-events "
        f"{version('openedx-events')}, Python {sys.version.split()[0]}, {database()}; load average {load()} at start"
    )
    route(NOTHING)  # the relay's receiver on no signal (AppConfig.ready connected it to all: routing was unknown)
    from tests.celery_app import app

    app.set_current()
    proc, url = stub()
    settings.OPENEDX_WEBHOOKS_URL = url
    settings.OPENEDX_WEBHOOKS_API_KEY = "bench-key-0123456789abcdef"
    try:
        print("phase 1, celery mode (the default; no relay thread in the web process):")
        report(
            interleaved(
                n,
                [
                    ("no receiver connected (baseline)", bare),
                    ("a receiver that does nothing (any receiver's price)", noop),
                    ("relay, event type nobody routes (not connected)", relay(NOT_ROUTED, "celery")),
                    ("relay, routed, outbox (the row only)", relay(ROUTED, "celery")),
                ],
            )
        )
        assert not tasks.dispatcher.running(), "celery mode started a relay thread in the web process"
        import redis

        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        configs = [("no receiver connected (baseline; relay thread idle)", bare)]
        try:
            broker.ping()
            configs.append(("relay, routed, outbox off, celery mode (publish)", relay(ROUTED, "celery", outbox=False)))
        except redis.RedisError as exc:
            print(f"outbox off skipped: Redis at {settings.CELERY_BROKER_URL} does not answer ({exc})")
        configs.append(("relay, routed, outbox, thread mode (posts it)", relay(ROUTED, "thread")))
        tasks.dispatcher.ensure()
        print("phase 2, the relay thread running in the process:")
        try:
            report(interleaved(n, configs))
        finally:
            broker.delete(queue, f"_kombu.binding.{queue}")
    finally:
        proc.terminate()
    settings.OPENEDX_WEBHOOKS_URL = "http://127.0.0.1:9"  # nothing is sent: the receiver's own work only
    for name, us in receiver_only(n):
        print(row(name, us, None))
    print(f"outbox rows left: {OutboxEvent.objects.count()}; load average {load()} at the end")
    print("targets: routed ≤ 250 µs added at p99, not routed ≤ 10 µs added at p99")


if __name__ == "__main__":
    main()
