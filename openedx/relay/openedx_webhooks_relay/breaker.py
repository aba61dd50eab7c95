"""A circuit breaker per service URL for filter calls, the relay's only calls made inside the platform's requests.

Closed: every call goes out. A failed call (no answer, a timeout, a 5xx, 401 or 403 — a rotated key —, 408, 429)
opens it for BASE_PAUSE seconds: filter calls in that time are treated as unanswered at once (fail open goes on,
fail closed halts), so a failing service costs the platform one failed call per pause, not one per request. When
the pause is over, one call goes out as a trial while the others still skip: a success closes the breaker, a
failure opens it again for twice as long, up to MAX_PAUSE.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from .client import Result

log = logging.getLogger(__name__)

BASE_PAUSE = 5.0
MAX_PAUSE = 60.0


def failed(res: Result) -> bool:
    """A call that says the service cannot serve filter calls now (a 400 or 422 is about that one body)."""
    return res.status is None or res.status >= 500 or res.status in (401, 403, 408, 429)


@dataclass
class _Open:
    until: float
    pause: float
    reason: str


class Breaker:
    def __init__(self) -> None:
        self._open: dict[str, _Open] = {}
        self._lock = threading.Lock()

    def allow(self, base: str) -> bool:
        """True when a call may go out now (closed, or the one trial call after a pause)."""
        state = self._open.get(base)
        if state is None:
            return True
        now = time.monotonic()
        if now < state.until:
            return False
        with self._lock:
            if now < state.until:
                return False
            state.until = now + state.pause  # the trial is out: the others keep skipping meanwhile
            return True

    def reason(self, base: str) -> str:
        state = self._open.get(base)
        return f"circuit open after {state.reason}" if state else "circuit closed"

    def record(self, base: str, res: Result) -> None:
        if not failed(res):
            if base in self._open and self._open.pop(base, None) is not None:
                log.info("openedx-webhooks-relay: filter calls to %s go out again (circuit closed)", base)
            return
        reason = res.error or f"HTTP {res.status}"
        with self._lock:
            state = self._open.get(base)
            pause = BASE_PAUSE if state is None else min(MAX_PAUSE, state.pause * 2)
            self._open[base] = _Open(time.monotonic() + pause, pause, reason)
        log.warning(
            "openedx-webhooks-relay: filter calls to %s paused for %g s after a failed call (%s)", base, pause, reason
        )

    def reset(self) -> None:
        self._open.clear()


breaker = Breaker()
