"""The outbox on MySQL, the platform's database under Tutor (tutor/templates/apps/openedx/config/partials/auth.yml:
django.db.backends.mysql, ATOMIC_REQUESTS, STRICT_TRANS_TABLES): on MySQL the relay writes its row straight to the
DB-API connection Django holds (outbox.write), past Django's cursor, so that path is run against a real server here.

The local MySQL or MariaDB at 127.0.0.1:3306 (root, no password: RELAY_TEST_MYSQL_* say otherwise) gets a database of
this test's own; tests/mysql_outbox.py runs in a process of its own on it (the other tests keep their SQLite file).
The driver is PyMySQL, in the tests' venvs because it needs no C headers; Tutor's images use mysqlclient, which has
the same DB-API calls (a cursor, execute with %s, close).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pymysql = pytest.importorskip("pymysql")

RELAY_DIR = Path(__file__).resolve().parents[1]
ENROLLMENT = "org.openedx.learning.course.enrollment.created.v1"


def server() -> tuple[str, int, str, str]:
    return (
        os.environ.get("RELAY_TEST_MYSQL_HOST", "127.0.0.1"),
        int(os.environ.get("RELAY_TEST_MYSQL_PORT", "3306")),
        os.environ.get("RELAY_TEST_MYSQL_USER", "root"),
        os.environ.get("RELAY_TEST_MYSQL_PASSWORD", ""),
    )


@pytest.fixture
def mysql_database() -> Iterator[str]:
    host, port, user, password = server()
    try:
        conn = pymysql.connect(host=host, port=port, user=user, password=password, connect_timeout=5)
    except pymysql.err.OperationalError as exc:
        pytest.skip(f"no MySQL server at {host}:{port} ({exc})")
    name = f"relay_test_{os.getpid()}"
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    try:
        yield name
    finally:
        with conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.close()


def test_the_outbox_row_lives_and_dies_with_the_platforms_transaction_on_mysql(mysql_database: str) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "RELAY_TEST_MYSQL": mysql_database,
        "RELAY_TEST_PLATFORM": "0",  # the stand-in of edx-platform's user_api is not needed here
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.mysql_outbox"],
        cwd=RELAY_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["vendor"] == "mysql"

    # Written in the transaction (visible to it), gone when it rolls back.
    assert seen["inside_rolled_back"] == 1
    assert seen["after_rollback"] == 0

    # Committed: one row with the event's body, due at once (celery mode), taken by a poll and deleted when sent.
    [row] = seen["committed"]
    assert row["event_type"] == ENROLLMENT and row["user"] == 2 and row["attempts"] == 0
    assert -1 < row["created_delta"] < 30  # stored as the UTC time it was written (Django's adaptation on MySQL)
    assert row["due_delta"] == 0
    assert seen["taken"] == [row["event_id"]]
    assert seen["after_done"] == 0

    # A failed INSERT (no table) leaves the platform's transaction usable: its own write commits, and the event is
    # handed off in memory after the commit instead of being lost.
    assert seen["platform_write_after_failed_insert"] == "audit"
    assert seen["handed_off"] == [3]
    assert seen["connected"] == [ENROLLMENT]
    assert "not written to the outbox" in done.stderr
