"""A learner's retirement (SPEC §13): on the platform's USER_RETIRE_LMS_CRITICAL, the service is told the learner's
user id, username and email (`POST /api/v1/retirements`) so it erases them from what it stored.

The signal is sent by edx-platform's retirement pipeline (`AccountRetirementView.post`,
openedx/core/djangoapps/user_api/accounts/views.py) with `user` and, since openedx-platform PR 38078 (March 2026,
after Ulmo), `retired_username` and `retired_email`. By then the platform has already replaced the learner's email:
`create_retirement_request_and_deactivate_account` (accounts/utils.py) set `user.email` to the retired one when the
learner asked to be deleted, days before; only `user.username` is still the original (it is replaced right after the
signal). The original values are kept in `UserRetirementStatus.original_username` / `original_email` (app
`user_api`), so they are read there; a value equal to the retired one, or shaped like one, is never sent.

The call has the durability of an event: a row of the outbox (`event_type` RETIREMENT, `event_id`
"retirement:<uuid>") written in the signal's transaction, sent after the commit by the relay thread (thread mode) or a
Celery worker's poll (celery mode), retried with backoff while the service cannot take it, deleted once it did. It
is written whatever OPENEDX_WEBHOOKS_OUTBOX says (one INSERT per retirement). Nothing raises into the platform.
"""

from __future__ import annotations

import logging
import threading
import uuid
from functools import partial
from typing import Any

from django.db import connections, router, transaction

from . import client, forksafe, outbox

log = logging.getLogger(__name__)

SIGNAL_MODULE = "openedx.core.djangoapps.user_api.accounts.signals"
SIGNAL_NAME = "USER_RETIRE_LMS_CRITICAL"
DISPATCH_UID = "openedx_webhooks_relay.retirement.on_retire"
#: The outbox row's event_type, and the prefix of its event_id, for a retirement.
RETIREMENT = "openedx_webhooks_relay.retirement"
ID_PREFIX = "retirement:"
PATH = "/api/v1/retirements"


def is_retirement(event_id: str) -> bool:
    return event_id.startswith(ID_PREFIX)


def connect() -> bool:
    """Connects the receiver where the platform has the signal (an Open edX release: the LMS sends it, Studio has the
    module but never sends it); elsewhere (a bare Django, another service) nothing. Returns whether it connected."""
    try:
        import importlib

        module = importlib.import_module(SIGNAL_MODULE)
        signal = getattr(module, SIGNAL_NAME)
    except (ImportError, AttributeError) as exc:
        log.debug(
            "openedx-webhooks-relay: no %s.%s here (%s); retirements are not relayed", SIGNAL_MODULE, SIGNAL_NAME, exc
        )
        return False
    signal.connect(on_retire, weak=False, dispatch_uid=DISPATCH_UID)
    log.info("openedx-webhooks-relay: listening to %s", SIGNAL_NAME)
    return True


def disconnect() -> None:
    try:
        import importlib

        getattr(importlib.import_module(SIGNAL_MODULE), SIGNAL_NAME).disconnect(dispatch_uid=DISPATCH_UID)
    except (ImportError, AttributeError):
        pass


def _setting(name: str, default: str) -> str:
    from django.conf import settings

    return str(getattr(settings, name, default) or default)


def _looks_retired(value: str, kind: str) -> bool:
    """A value of the platform's retired formats (RETIRED_USERNAME_FMT / RETIRED_EMAIL_FMT: the prefix, a hash,
    and for an email `@` RETIRED_EMAIL_DOMAIN; defaults of lms/envs/common.py)."""
    if kind == "username":
        return value.startswith(_setting("RETIRED_USERNAME_PREFIX", "retired__user_"))
    return value.startswith(_setting("RETIRED_EMAIL_PREFIX", "retired__user_")) and value.endswith(
        "@" + _setting("RETIRED_EMAIL_DOMAIN", "retired.invalid")
    )


def _originals(user_id: int) -> tuple[str, str] | None:
    """(original_username, original_email) from the platform's UserRetirementStatus, or None where there is none."""
    try:
        from django.apps import apps

        model = apps.get_model("user_api", "UserRetirementStatus")
    except (LookupError, ValueError):
        return None
    rows = model.objects.filter(user_id=user_id).values_list("original_username", "original_email")
    alias = router.db_for_read(model)
    conn = connections[alias]
    try:
        if conn.vendor == "postgresql" and conn.in_atomic_block:
            # A failed statement aborts a PostgreSQL transaction: a savepoint keeps the platform's usable.
            with transaction.atomic(using=alias):
                row = rows.using(alias).first()
        else:
            row = rows.using(alias).first()
    except Exception:  # noqa: BLE001 - then the user's own fields, retired-looking values left out
        log.warning("openedx-webhooks-relay: UserRetirementStatus of user %s not read", user_id, exc_info=True)
        return None
    return (str(row[0] or ""), str(row[1] or "")) if row else None


def learner(user: Any, retired_username: str | None = None, retired_email: str | None = None) -> dict[str, Any]:
    """The §13 body: the user id, and the ORIGINAL username and email (left out where only a retired one is known)."""
    user_id = getattr(user, "pk", None) or getattr(user, "id", None)
    originals = _originals(int(user_id)) if user_id is not None else None
    username, email = originals or (str(getattr(user, "username", "") or ""), str(getattr(user, "email", "") or ""))
    body: dict[str, Any] = {}
    if user_id is not None:
        body["user_id"] = int(user_id)
    if username and username != retired_username and not _looks_retired(username, "username"):
        body["username"] = username
    if email and email != retired_email and not _looks_retired(email, "email"):
        body["email"] = email
    return body


def on_retire(sender: Any = None, user: Any = None, **kwargs: Any) -> None:
    """The receiver of USER_RETIRE_LMS_CRITICAL: one outbox row in the signal's transaction; never raises."""
    try:
        if user is None or not client.enabled():
            return
        body = learner(user, kwargs.get("retired_username"), kwargs.get("retired_email"))
        if not body:
            return
        send(body)
    except Exception:  # noqa: BLE001 - a retirement must never fail because of the relay
        log.exception("openedx-webhooks-relay: a retirement was not relayed")


def send(body: dict[str, Any]) -> None:
    """Writes the retirement to the outbox (rolled back with the platform's transaction); sent after the commit."""
    if outbox.keep(ID_PREFIX + str(uuid.uuid4()), RETIREMENT, body):
        return
    # No outbox table (migrations not run, logged by the outbox): one attempt after the commit, off the request.
    log.error("openedx-webhooks-relay: retirement of user %s not kept (no outbox table)", body.get("user_id"))
    transaction.on_commit(partial(_post_in_background, outbox.encode(body)))


def _post_in_background(text: str) -> None:
    def post() -> None:
        with forksafe.working():
            res = client.call("POST", PATH, text)
        if not res.ok:
            log.error("openedx-webhooks-relay: retirement not taken by the service (%s)", res.error or res.status)

    threading.Thread(target=post, name="openedx-webhooks-retirement", daemon=True).start()
