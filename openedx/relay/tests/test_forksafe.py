"""A fork never meets a relay thread at work (forksafe.py).

Celery's prefork pool forks a child every --max-tasks-per-child tasks (Tutor: 100, overhangio/tutor
tutor/plugins/openedx.py) from the worker's main process, where the relay's thread polls the outbox. A child forked
while that thread is inside SQLite inherits SQLite's locks held: seen in CI as a worker child that never finished its
task (tests/test_outbox.py, the recycled worker), and reproduced below without the guard (children hung, "database is
locked", "file is not a database"). Each case runs in a fresh interpreter: pytest's own process has threads of its
own (the service's log reader, receivers) that no test should fork beside.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

RELAY_DIR = Path(__file__).resolve().parents[1]


def run(code: str, timeout: float = 300) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=RELAY_DIR, capture_output=True, text=True, timeout=timeout
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_fork_waits_until_the_relay_thread_has_finished_its_piece_of_work() -> None:
    got = run(
        """
        import json, os, threading, time
        from openedx_webhooks_relay import forksafe

        entered, left = threading.Event(), []
        def work():
            with forksafe.working():
                entered.set()
                time.sleep(0.3)
                left.append(time.monotonic())
        threading.Thread(target=work).start()
        entered.wait()
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        forked = time.monotonic()
        os.waitpid(pid, 0)
        # And a thread that starts working after the fork is not held up.
        t0 = time.monotonic()
        with forksafe.working():
            pass
        print(json.dumps({"waited": forked >= left[0], "after": time.monotonic() - t0, "busy": forksafe.busy()}))
        """
    )
    assert got["waited"] is True
    assert got["after"] < 0.1 and got["busy"] == 0


def test_children_forked_beside_a_thread_at_work_in_sqlite_neither_hang_nor_damage_the_database() -> None:
    """The relay thread's pattern (open, query, write, close, sleep) inside working(); the main thread forks children
    that write to the same database, as the platform's tasks write their outbox rows."""
    got = run(
        """
        import json, os, sqlite3, sys, tempfile, threading, time
        from openedx_webhooks_relay import forksafe

        path = os.path.join(tempfile.mkdtemp(), "db")
        c = sqlite3.connect(path)
        c.execute("pragma journal_mode=WAL")
        c.execute("create table o (id integer primary key autoincrement, b text)")
        c.commit(); c.close()

        def poller():
            while True:
                with forksafe.working():
                    conn = sqlite3.connect(path, timeout=5, check_same_thread=False)
                    for _ in range(5):
                        conn.execute("select id, b from o order by id limit 100").fetchall()
                        conn.execute("delete from o where id < (select max(id) - 50 from o)")
                        conn.commit()
                    conn.close()
                time.sleep(0.001)
        threading.Thread(target=poller, daemon=True).start()

        hung = failed = 0
        for i in range(150):
            pid = os.fork()
            if pid == 0:
                try:
                    conn = sqlite3.connect(path, timeout=5)
                    for j in range(20):
                        conn.execute("insert into o (b) values (?)", ("x" * 1000,))
                        conn.commit()
                except Exception as exc:
                    os._exit(1)
                os._exit(0)
            deadline = time.monotonic() + 10
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    failed += status != 0
                    break
                if time.monotonic() > deadline:
                    hung += 1
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.002)
        check = sqlite3.connect(path).execute("pragma integrity_check").fetchone()[0]
        print(json.dumps({"hung": hung, "failed": failed, "integrity": check}))
        """
    )
    assert got == {"hung": 0, "failed": 0, "integrity": "ok"}
