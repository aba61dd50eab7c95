"""The one HTTP client of the relay: the service's base URL and key from settings, a timeout, never an exception."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import requests
from django.conf import settings

from . import __version__, forksafe
from .settings.common import DEFAULTS

log = logging.getLogger(__name__)

_local = threading.local()


@dataclass(frozen=True)
class Result:
    """What one call gave: `status` is None when no HTTP answer came (refused, timeout, not configured)."""

    status: int | None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def unauthorized(self) -> bool:
        """401 or 403: the key is wrong, rotated or lacks a scope; an operator can fix it, so it is worth retrying."""
        return self.status in (401, 403)

    @property
    def transient(self) -> bool:
        """Worth trying again later: no answer, a 5xx, 408 or 429."""
        return self.status is None or self.status >= 500 or self.status in (408, 429)


def setting(name: str, default: Any = None) -> Any:
    """A relay setting (the plugin settings set every default; this covers a platform that skipped them)."""
    return getattr(settings, name, DEFAULTS.get(name, default))


def enabled() -> bool:
    """True when the relay should talk to the service: switched on, with a URL and a key."""
    return (
        bool(setting("OPENEDX_WEBHOOKS_ENABLED"))
        and bool(setting("OPENEDX_WEBHOOKS_URL"))
        and bool(setting("OPENEDX_WEBHOOKS_API_KEY"))
    )


def variant() -> str:
    """`lms` or `cms`, from the platform's SERVICE_VARIANT (Studio is "cms")."""
    name = str(getattr(settings, "SERVICE_VARIANT", "") or getattr(settings, "EVENTS_SERVICE_NAME", "") or "lms")
    return "cms" if name.lower() in ("cms", "studio") else "lms"


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """The installed openedx-events and openedx-filters versions."""
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, str] = {}
    for dist in ("openedx-events", "openedx-filters"):
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            found[dist] = "unknown"
    return found


def user_agent() -> str:
    v = library_versions()
    return (
        f"openedx-webhooks-relay/{__version__} ({variant()}; "
        f"openedx-events/{v['openedx-events']}; openedx-filters/{v['openedx-filters']})"
    )


def _session() -> requests.Session:
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        # The platform's proxy variables (HTTP_PROXY…) are not meant for an internal service; the CA bundle is
        # still honoured, through verify() on every call.
        session.trust_env = False
        _local.session = session
    return session


def verify() -> str | bool:
    """What TLS verification trusts: OPENEDX_WEBHOOKS_CA_BUNDLE (a private CA), else REQUESTS_CA_BUNDLE or
    CURL_CA_BUNDLE from the environment (as requests does with trust_env), else certifi's bundle."""
    bundle = (
        setting("OPENEDX_WEBHOOKS_CA_BUNDLE")
        or os.environ.get("REQUESTS_CA_BUNDLE")
        or os.environ.get("CURL_CA_BUNDLE")
    )
    return str(bundle) if bundle else True


def call(
    method: str,
    path: str,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
) -> Result:
    """One call to the service (`path` like "/api/events"). Never raises: failures come back as a Result.

    `body` is sent as JSON; a `str` or `bytes` body is taken as JSON text already encoded (the outbox's rows)."""
    base = str(setting("OPENEDX_WEBHOOKS_URL") or "").rstrip("/")
    key = str(setting("OPENEDX_WEBHOOKS_API_KEY") or "")
    if not base or not key:
        return Result(None, error="OPENEDX_WEBHOOKS_URL or OPENEDX_WEBHOOKS_API_KEY is not set")
    sent = {
        "authorization": f"Bearer {key}",
        "user-agent": user_agent(),
        "accept": "application/json",
    }
    data = None
    if body is not None:
        sent["content-type"] = "application/json"
        if isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if headers:
        sent.update(headers)
    try:
        limit = float(timeout if timeout is not None else setting("OPENEDX_WEBHOOKS_TIMEOUT"))
        res = _session().request(
            method, base + path, data=data, headers=sent, timeout=limit, allow_redirects=False, verify=verify()
        )
    except Exception as exc:  # noqa: BLE001 - a relay call never raises into the platform
        return Result(None, error=f"{type(exc).__name__}: {exc}")
    parsed: Any = None
    if res.content:
        try:
            parsed = res.json()
        except ValueError:
            parsed = res.text[:2000]
    return Result(res.status_code, parsed, {k.lower(): v for k, v in res.headers.items()})


_background = threading.BoundedSemaphore(4)


def send_in_background(path: str, body: Any, what: str) -> bool:
    """POSTs `body` from a short-lived daemon thread, never the request thread: for reports nobody waits for (a
    filter call's left-out changes). At most 4 at once per process, beyond that dropped with a warning; tried once
    more a second later when the service gave no answer or a 5xx. False when it was not started."""
    if not _background.acquire(blocking=False):
        log.warning("openedx-webhooks-relay: %s not sent: 4 reports are already being sent", what)
        return False

    def run() -> None:
        try:
            with forksafe.working():
                res = call("POST", path, body)
            if not res.ok and res.transient:
                time.sleep(1.0)
                with forksafe.working():
                    res = call("POST", path, body)
            if not res.ok:
                log.warning(
                    "openedx-webhooks-relay: %s not recorded by the service (%s)",
                    what,
                    f"HTTP {res.status}" if res.status is not None else res.error,
                )
        except Exception:  # noqa: BLE001 - a report must never take anything down
            log.exception("openedx-webhooks-relay: %s not sent", what)
        finally:
            _background.release()

    try:
        threading.Thread(target=run, name="openedx-webhooks-report", daemon=True).start()
    except Exception:  # noqa: BLE001 - no thread to be had (interpreter shutting down)
        _background.release()
        log.exception("openedx-webhooks-relay: %s not sent", what)
        return False
    return True
