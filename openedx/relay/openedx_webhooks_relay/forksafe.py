"""The relay's threads and the platform's forks: a fork never happens while a relay thread is inside its work.

A process that forks while another of its threads holds a lock (inside a database driver, an HTTP client, SQLite's
shared memory…) gives the child that lock, held for ever: the child hangs the first time it needs it, and SQLite
may even corrupt the database (sqlite.org/howtocorrupt.html, 2.6). Celery's prefork pool forks a new child from the
worker's main process every `--max-tasks-per-child` tasks (Tutor: 100), and that main process runs the relay thread
that polls the outbox every second: measured here with SQLite, 8 children of 300 hung and the database was damaged
when forks met a polling thread; none with this guard.

So every piece of a relay thread's work runs inside `working()`, and `os.fork()` (through `os.register_at_fork`)
first waits until no relay thread is inside one (at most WAIT seconds), and no new piece starts until the fork is
done. uWSGI forks its workers with C `fork()`, which runs no Python hook before it: in a uWSGI master (Tutor's
`lazy-apps = false` loads the platform there) the relay starts no thread at all; each worker starts its own after
the fork (`py-call-osafterfork = true` in Tutor's uwsgi.ini runs the hooks; otherwise on first use).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

#: How long a fork waits at most for the relay's threads (their network calls have timeouts well under it).
WAIT = 30.0

_cond = threading.Condition()
_busy = 0
_forking = 0  # the pid of the process that is forking now (a child may run before its hooks reset this)
_depth = threading.local()


@contextmanager
def working() -> Iterator[None]:
    """One piece of a relay thread's work: no fork of this process happens while it runs."""
    global _busy
    depth = getattr(_depth, "n", 0)
    if depth == 0:
        with _cond:
            while _forking == os.getpid():
                _cond.wait()
            _busy += 1
    _depth.n = depth + 1
    try:
        yield
    finally:
        _depth.n = depth
        if depth == 0:
            with _cond:
                _busy -= 1
                if _busy == 0:
                    _cond.notify_all()


def busy() -> int:
    """How many relay threads are inside a piece of work now."""
    return _busy


def _before_fork() -> None:
    global _forking
    mine = 1 if getattr(_depth, "n", 0) else 0  # a relay thread that forks itself does not wait for itself
    with _cond:
        _forking = os.getpid()
        deadline = time.monotonic() + WAIT
        while _busy > mine:
            left = deadline - time.monotonic()
            if left <= 0:
                log.warning("openedx-webhooks-relay: forking while a relay thread still works (after %.0f s)", WAIT)
                return
            _cond.wait(left)


def _after_fork_in_parent() -> None:
    global _forking
    with _cond:
        _forking = 0
        _cond.notify_all()


def _after_fork_in_child() -> None:
    # The child has only the thread that forked: nobody else is at work, nobody waits.
    global _cond, _busy, _forking
    _cond = threading.Condition()
    _busy = 0
    _forking = 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child
    )


_master: tuple[int, bool] = (0, False)  # (pid, uwsgi_master() in that process)


def uwsgi_master() -> bool:
    """True in a uWSGI master process (it forks the workers with C fork(): no thread may run in it). Decided once
    per process: it is asked where the relay would start a thread, and a failed `import uwsgi` searches sys.path."""
    global _master
    pid = os.getpid()
    if _master[0] != pid:
        _master = (pid, _in_uwsgi_master())
    return _master[1]


def _in_uwsgi_master() -> bool:
    try:
        import uwsgi  # type: ignore[import-not-found]  # only importable inside uWSGI
    except ImportError:
        return False
    try:
        return int(uwsgi.worker_id()) == 0
    except Exception:  # noqa: BLE001 - an unknown uWSGI: assume a worker (threads start as before)
        return False


def start_after_fork(start: Callable[[], None]) -> None:
    """Runs `start` in each forked child (the uWSGI workers of a master where the relay started nothing)."""
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=start)
