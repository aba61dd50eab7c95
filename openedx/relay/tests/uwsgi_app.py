"""The platform's lms/wsgi.py as Tutor's uWSGI loads it: once, in the master (lazy-apps = false), then forked into
the workers. Answers what the worker that serves the request runs, and what the master ran once loaded."""

from __future__ import annotations

import json
import os
import threading

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

django_application = get_wsgi_application()  # django.setup(): the relay's AppConfig.ready() runs here, in the master

#: The threads of the loading process right after the platform loaded (a started thread is listed at once).
AT_LOAD = {"pid": os.getpid(), "threads": sorted(t.name for t in threading.enumerate())}


def application(environ: dict, start_response: object) -> list[bytes]:
    body = {"pid": os.getpid(), "at_load": AT_LOAD, "threads": sorted(t.name for t in threading.enumerate())}
    start_response("200 OK", [("content-type", "application/json")])  # type: ignore[operator]
    return [json.dumps(body).encode()]
