"""The relay under uWSGI as Tutor runs the LMS and Studio: the master loads the platform and forks the workers with
C fork(), which runs no Python hook before it (tutor/templates/build/openedx/settings/uwsgi.ini: master = true,
lazy-apps = false, py-call-osafterfork = true, enable-threads = true). A relay thread running in the master at that
moment would hand its held locks to every worker (forksafe.py): the relay starts no thread in a uWSGI master, and
each worker starts its own (routing, and in thread mode the outbox thread) once forked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from .conftest import free_port, stop_process

RELAY_DIR = Path(__file__).resolve().parents[1]
UWSGI = Path(sys.executable).with_name("uwsgi")

# Tutor's uwsgi.ini (Tutor 21 and 22), the lines that decide how the platform is loaded and forked.
TUTOR_INI = """[uwsgi]
http-socket = 127.0.0.1:{port}
wsgi-file = tests/uwsgi_app.py
processes = 2
thunder-lock = true
single-interpreter = true
enable-threads = true
die-on-term = true
lazy-apps = false
need-app = true
master = true
py-call-osafterfork = true
vacuum = true
"""


@pytest.mark.skipif(not UWSGI.exists(), reason="uwsgi is not installed in this venv")
@pytest.mark.parametrize("delivery", ["celery", "thread"])
def test_no_relay_thread_runs_in_the_uwsgi_master_and_each_worker_starts_its_own(
    tmp_path: Path, delivery: str
) -> None:
    port = free_port()
    ini = tmp_path / "uwsgi.ini"
    ini.write_text(TUTOR_INI.format(port=port))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "RELAY_TEST_SQLITE": str(tmp_path / "db.sqlite3"),
        # Enabled (a URL and a key); nothing answers there, which only makes routing keep its last answer.
        "RELAY_TEST_SERVICE_URL": f"http://127.0.0.1:{free_port()}",
        "RELAY_TEST_SERVICE_KEY": "uwsgi-test-key",
        "RELAY_TEST_DELIVERY": delivery,
        "PYTHONPATH": str(RELAY_DIR),
    }
    log = tmp_path / "uwsgi.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(UWSGI), "--ini", str(ini), "--virtualenv", sys.prefix, "--chdir", str(RELAY_DIR)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        answers: dict[int, dict] = {}
        deadline = time.monotonic() + 60
        while len(answers) < 2 and time.monotonic() < deadline:
            try:
                res = requests.get(f"http://127.0.0.1:{port}/", timeout=5)
                body = res.json()
                answers[body["pid"]] = body
            except requests.RequestException:
                time.sleep(0.2)
            assert proc.poll() is None, log.read_text()[-3000:]
        assert answers, f"uWSGI did not answer\n{log.read_text()[-3000:]}"
        for body in answers.values():
            master = body["at_load"]
            assert master["pid"] != body["pid"]  # loaded in the master, served by a forked worker
            assert not [t for t in master["threads"] if t.startswith("openedx-webhooks")], master
            assert "openedx-webhooks-routing" in body["threads"], body
            if delivery == "thread":
                assert "openedx-webhooks-events" in body["threads"], body
        assert "uWSGI master: routing, outbox and catalog start in each worker" in log.read_text()
    finally:
        stop_process(proc, 20)
