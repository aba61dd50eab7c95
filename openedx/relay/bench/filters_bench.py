"""What the relay's filter step costs a filter call, each figure beside its bare baseline measured in the same run.

    cd openedx/relay && .venv-ulmo/bin/python bench/filters_bench.py [--n 20000] [--calls 300]

1. No webfilter for the filter (the routing answer says so): `CourseEnrollmentStarted.run_filter` with the relay's
   step in its pipeline, against the same call with an empty pipeline (openedx-filters alone). Target: ≤ 50 µs.
2. One webfilter: the same call, the real service calling a loopback webfilter that changes `mode`, against the
   bare HTTP round trip to the same route (`POST /api/filters` with the same body, sent by `requests` with no
   relay code around it). Target: the service's answer + ≤ 2 ms.

The real service is started as the tests start it (tests/helpers/start-server-cli.ts, fresh PGlite).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import override_settings  # noqa: E402
from opaque_keys.edx.keys import CourseKey  # noqa: E402
from openedx_filters.learning.filters import CourseEnrollmentStarted  # noqa: E402

from openedx_webhooks_relay import client  # noqa: E402
from openedx_webhooks_relay.apply import apply_changes  # noqa: E402
from openedx_webhooks_relay.routing import routing  # noqa: E402
from openedx_webhooks_relay.serialize_filters import arguments_to_json  # noqa: E402
from tests.conftest import Service  # noqa: E402

log = logging.getLogger("filters_bench")


def start_webfilter(answer: dict) -> ThreadingHTTPServer:
    """A loopback webfilter answering `answer` (TCP_NODELAY, so no delayed-ACK stall is timed)."""
    raw = json.dumps(answer).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *a: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def timed(fn: Callable[[], object], n: int, warm: int = 0) -> list[float]:
    """Seconds per call, n calls (after `warm` untimed ones)."""
    for _ in range(warm):
        fn()
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(label: str, samples: list[float], unit: float, suffix: str) -> str:
    return (
        f"  {label:<44} median {statistics.median(samples) / unit:9.2f} {suffix}"
        f"   p99 {p(samples, 0.99) / unit:9.2f} {suffix}   (n={len(samples)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000, help="calls for the no-webfilter figures")
    parser.add_argument("--calls", type=int, default=300, help="calls for the one-webfilter figures")
    args = parser.parse_args()
    logging.getLogger("openedx_webhooks_relay").setLevel(logging.ERROR)
    logging.getLogger("openedx_filters").setLevel(logging.ERROR)

    user = get_user_model()(id=7, username="ana", email="ana@example.com", first_name="Ana")
    key = CourseKey.from_string("course-v1:edX+DemoX+Demo_Course")
    kwargs = {"user": user, "course_key": key, "mode": "audit"}

    def call() -> object:
        return CourseEnrollmentStarted.run_filter(**kwargs)

    service = Service()
    webfilter = start_webfilter({"data": {"mode": "honor"}})
    webfilter_url = f"http://127.0.0.1:{webfilter.server_address[1]}/"
    try:
        with override_settings(
            OPENEDX_WEBHOOKS_URL=service.url, OPENEDX_WEBHOOKS_API_KEY=service.key, OPENEDX_WEBHOOKS_ROUTING_TTL=30
        ):
            ftype = CourseEnrollmentStarted.filter_type
            bare_config = {k: v for k, v in settings.OPEN_EDX_FILTERS_CONFIG.items() if k != ftype}
            with override_settings(OPEN_EDX_FILTERS_CONFIG=bare_config):
                bare = timed(call, args.n, warm=500)
            routing.reset()
            routing.refresh()
            assert routing.routes is not None and ftype not in routing.routes.filters
            skipped = timed(call, args.n, warm=500)
            assert call() == (user, key, "audit")

            made = service.api("POST", "/api/v1/webfilters", {"filter_type": ftype, "url": webfilter_url}).json()
            routing.refresh()
            assert ftype in routing.routes.filters
            assert call() == (user, key, "honor"), "the webfilter's change did not come back"

            body = json.dumps({"filter_type": ftype, "data": arguments_to_json(kwargs)}).encode()
            headers = {
                "authorization": f"Bearer {service.key}",
                "content-type": "application/json",
                "user-agent": client.user_agent(),
            }
            http = service.http

            def raw() -> object:
                res = http.post(service.url + "/api/filters", data=body, headers=headers, timeout=10)
                assert res.status_code == 200 and res.json()["changes"] == {"mode": "honor"}
                return res

            # Alternated call by call so both see the same machine load; the overhead is the median of the pairs.
            timed(call, 20)
            timed(raw, 20)
            relayed: list[float] = []
            round_trip: list[float] = []
            for _ in range(args.calls):
                relayed += timed(call, 1)[-1:]
                round_trip += timed(raw, 1)[-1:]
            service.api("DELETE", f"/api/v1/webfilters/{made['id']}")

            # The relay's own work in that call, without the network: arguments to JSON and the body encoded,
            # the answer decoded and its changes applied back.
            answer = json.dumps({"filter_type": ftype, "data": {}, "changes": {"mode": "honor"}, "exception": None})

            def own_work() -> object:
                json.dumps({"filter_type": ftype, "data": arguments_to_json(kwargs)})
                return apply_changes(kwargs, json.loads(answer)["changes"])

            work = timed(own_work, args.n, warm=500)
    finally:
        webfilter.shutdown()
        service.close()

    us, ms = 1e-6, 1e-3
    versions = client.library_versions()
    print(
        f"Filter step (openedx-filters {versions['openedx-filters']}, Django {django.get_version()}, "
        f"Python {sys.version.split()[0]}), CourseEnrollmentStarted.run_filter:"
    )
    print("No webfilter for the filter:")
    print(row("bare run_filter, empty pipeline", bare, us, "µs"))
    print(row("run_filter with the relay step (skips)", skipped, us, "µs"))
    added = statistics.median(skipped) - statistics.median(bare)
    print(f"  step cost (median difference): {added / us:.2f} µs (target ≤ 50 µs)")
    print("One webfilter (the real service calling a loopback webfilter):")
    print(row("bare HTTP round trip, POST /api/filters", round_trip, ms, "ms"))
    print(row("run_filter with the relay step", relayed, ms, "ms"))
    pairs = [a - b for a, b in zip(relayed, round_trip, strict=True)]
    print(
        f"  relay overhead over the round trip (median of paired differences): "
        f"{statistics.median(pairs) / ms:.3f} ms (target ≤ 2 ms)"
    )
    print(row("the relay's own work in it, no network", work, us, "µs"))


if __name__ == "__main__":
    main()
