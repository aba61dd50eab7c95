"""Issue 30, the relay's side: the platform's retirement signal tells the service (POST /api/v1/retirements) the
learner's user id and ORIGINAL username and email, once, after the commit, retried while the service is down.

How the platform sends it, read in openedx/openedx-platform at 14f7dc89 (master, 2026):
- openedx/core/djangoapps/user_api/accounts/views.py line 1190, in AccountRetirementView.post:
  `USER_RETIRE_LMS_CRITICAL.send(sender=self.__class__, user=user, retired_username=retired_username,
  retired_email=retired_email)` (the two retired_* kwargs since PR 38078, March 2026: Ulmo sends `user` only);
  lines 1200-1201 then set `user.username = retired_username` and `user.email = retired_email`, after the signal.
- openedx/core/djangoapps/user_api/accounts/utils.py line 216, in create_retirement_request_and_deactivate_account
  (run when the learner asked to be deleted, days before): `user.email = get_retired_email_by_email(user.email)`.
  So at the signal `user.username` is still the original but `user.email` is already the retired one; the original
  email is in UserRetirementStatus.original_email (line 1167 reads it there too).

Real parts: the signal is a Django `Signal` at its real import path (tests/platform, a stand-in module tree), the
relay's real receiver, outbox and thread, a real Celery worker on the local Redis, the tests' SQLite file, and a
loopback server standing in for the service (it counts every call), or the real service.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from openedx.core.djangoapps.user_api.accounts.signals import USER_RETIRE_LMS_CRITICAL
from openedx.core.djangoapps.user_api.models import UserRetirementStatus

from openedx_webhooks_relay import retirement
from openedx_webhooks_relay.models import OutboxEvent

from .conftest import Received
from .test_outbox import celery_queue, celery_worker, wait_until  # noqa: F401 - celery_queue is a fixture

pytestmark = pytest.mark.django_db(transaction=True)

RELAY_DIR = Path(__file__).resolve().parents[1]
RETIRED_EMAIL = "retired__user_5e1f0c2a9b@retired.invalid"
RETIRED_USERNAME = "retired__user_0d3c7a61f2"


def retired(username: str) -> tuple[str, str]:
    """The platform's retired username and email of a learner (RETIRED_USERNAME_FMT / RETIRED_EMAIL_FMT: a hash)."""
    digest = hashlib.sha1(username.encode()).hexdigest()[:10]
    return f"retired__user_{digest}", f"retired__user_{digest}@retired.invalid"


class AccountRetirementView:
    """The sender the platform uses (`self.__class__` in AccountRetirementView.post)."""


class RetirementStub:
    """The service's POST /api/v1/retirements on loopback: answers `statuses` in turn (then 202), counts calls."""

    def __init__(self, make_receiver: Any, statuses: list[int] | None = None) -> None:
        self.receiver = make_receiver()
        self.statuses = list(statuses or [])
        self.receiver.respond = self._respond

    def _respond(self, req: Received) -> tuple[int, Any]:
        if req.method == "GET":
            return 200, {"events": [], "filters": [], "version": "1"}
        status = self.statuses.pop(0) if self.statuses else 202
        return status, ({"id": "r1", "status": "queued"} if status == 202 else {"error": "unavailable"})

    @property
    def url(self) -> str:
        return self.receiver.url

    def calls(self) -> list[Received]:
        return [r for r in list(self.receiver.requests) if r.method == "POST"]

    def bodies(self) -> list[dict[str, Any]]:
        return [r.json() for r in self.calls()]


def learner_being_retired(username: str = "ada", email: str = "ada@example.com", status: bool = True) -> Any:
    """A learner as the platform holds them at the signal: email already replaced when they asked to be deleted
    (utils.py line 216), the originals in UserRetirementStatus."""
    retired_username, retired_email = retired(username)
    user = get_user_model().objects.create(username=username, email=retired_email if status else email)
    if status:
        UserRetirementStatus.objects.create(
            user=user,
            original_username=username,
            original_email=email,
            original_name=username.title(),
            retired_username=retired_username,
            retired_email=retired_email,
        )
    return user


def platform_retires(user: Any, with_retired_kwargs: bool = True) -> None:
    """What AccountRetirementView.post does around the signal (views.py lines 1190-1201)."""
    retired_username, retired_email = retired(user.username)
    kwargs = {"retired_username": retired_username, "retired_email": retired_email} if with_retired_kwargs else {}
    USER_RETIRE_LMS_CRITICAL.send(sender=AccountRetirementView, user=user, **kwargs)
    user.first_name = user.last_name = ""
    user.is_active = False
    user.username = retired_username
    user.email = retired_email
    user.save()


def test_the_receiver_is_connected_to_the_platform_signal() -> None:
    assert any(entry[0][0] == retirement.DISPATCH_UID for entry in USER_RETIRE_LMS_CRITICAL.receivers)


@pytest.mark.parametrize("with_retired_kwargs", [True, False], ids=["master", "ulmo"])
def test_the_signal_in_a_transaction_makes_one_call_after_commit_with_the_original_values(
    relay: Any, settings: Any, make_receiver: Any, with_retired_kwargs: bool
) -> None:
    stub = RetirementStub(make_receiver)
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    user = learner_being_retired()
    with transaction.atomic():
        platform_retires(user, with_retired_kwargs)
        assert OutboxEvent.objects.filter(event_type=retirement.RETIREMENT).count() == 1  # in the transaction
        assert len(connection.run_on_commit) == 1  # handed off only once it commits
        assert stub.calls() == []
    wait_until(lambda: stub.calls(), 20, "no retirement call after the commit")
    wait_until(lambda: not OutboxEvent.objects.exists(), 20, "the retirement row was not deleted once taken")
    [call] = stub.calls()  # the row is gone, so nothing else will come
    assert call.path == "/api/v1/retirements"
    assert call.headers["authorization"] == f"Bearer {relay.key}"
    assert call.json() == {"user_id": user.pk, "username": "ada", "email": "ada@example.com"}


def test_a_rolled_back_retirement_makes_no_call(relay: Any, settings: Any, make_receiver: Any) -> None:
    stub = RetirementStub(make_receiver)
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    rolled_back = learner_being_retired("grace", "grace@example.com")
    with transaction.atomic():
        platform_retires(rolled_back)
        transaction.set_rollback(True)
    assert not OutboxEvent.objects.exists()
    # A retirement committed after it is handed to the same relay thread: once it has arrived, the rolled-back one
    # would have arrived before it.
    marker = learner_being_retired("alan", "alan@example.com")
    with transaction.atomic():
        platform_retires(marker)
    wait_until(lambda: stub.calls(), 20, "the committed retirement did not arrive")
    wait_until(lambda: not OutboxEvent.objects.exists(), 20, "the retirement row was not deleted once taken")
    assert stub.bodies() == [{"user_id": marker.pk, "username": "alan", "email": "alan@example.com"}]


def test_the_service_answering_503_is_retried_until_it_takes_the_retirement(
    relay: Any, settings: Any, make_receiver: Any
) -> None:
    stub = RetirementStub(make_receiver, statuses=[503, 503])
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    user = learner_being_retired()
    with transaction.atomic():
        platform_retires(user)
    wait_until(lambda: len(stub.calls()) >= 3, 30, "a 503 was not retried")
    wait_until(lambda: not OutboxEvent.objects.exists(), 20, "the retirement row was not deleted once taken")
    assert len(stub.calls()) == 3  # two refused, the third taken, then nothing
    assert stub.bodies() == [{"user_id": user.pk, "username": "ada", "email": "ada@example.com"}] * 3
    # One Idempotency-Key for every attempt of the row: the service does a retirement sent again once.
    keys = {call.headers.get("idempotency-key") for call in stub.calls()}
    assert len(keys) == 1 and next(iter(keys)).startswith(retirement.ID_PREFIX)


def test_an_unreachable_service_raises_nothing_and_gets_the_retirement_once_it_is_back(
    relay: Any, settings: Any, make_receiver: Any
) -> None:
    settings.OPENEDX_WEBHOOKS_URL = "http://127.0.0.1:9"  # nothing listens: the service is down
    user = learner_being_retired()
    with transaction.atomic():
        platform_retires(user)  # raises nothing
    platform_retires(learner_being_retired("alan", "alan@example.com"))  # outside a transaction: the same
    wait_until(
        lambda: OutboxEvent.objects.filter(attempts__gte=1).count() == 2, 20, "the attempts while down were not kept"
    )
    assert all("ConnectionError" in e for e in OutboxEvent.objects.values_list("last_error", flat=True))

    stub = RetirementStub(make_receiver)
    settings.OPENEDX_WEBHOOKS_URL = stub.url  # back (the relay thread's next attempts are already scheduled)
    wait_until(lambda: not OutboxEvent.objects.exists(), 30, "the retirements were not sent once the service was back")
    assert sorted(b["username"] for b in stub.bodies()) == ["ada", "alan"]


def test_a_failure_inside_the_relay_never_reaches_the_platform(relay: Any, caplog: Any) -> None:
    class Broken:
        @property
        def pk(self) -> int:
            raise RuntimeError("a user the relay cannot read")

    USER_RETIRE_LMS_CRITICAL.send(sender=AccountRetirementView, user=Broken())
    assert "not relayed" in caplog.text
    assert not OutboxEvent.objects.exists()


def test_only_original_values_are_sent() -> None:
    """Without a UserRetirementStatus row (none found), a value in the platform's retired format is left out."""
    user = get_user_model().objects.create(username="ada", email=RETIRED_EMAIL)
    assert retirement.learner(user) == {"user_id": user.pk, "username": "ada"}
    assert retirement.learner(user, RETIRED_USERNAME, RETIRED_EMAIL) == {"user_id": user.pk, "username": "ada"}
    user.username = RETIRED_USERNAME
    assert retirement.learner(user) == {"user_id": user.pk}
    # Another retired format (RETIRED_EMAIL_PREFIX / _DOMAIN changed): the retired_email kwarg still tells it.
    other = get_user_model().objects.create(username="bob", email="gone-7f3a@example.invalid")
    body = retirement.learner(other, "gone-7f3a", "gone-7f3a@example.invalid")
    assert body == {"user_id": other.pk, "username": "bob"}


def test_a_celery_worker_sends_the_retirement(
    relay: Any, settings: Any, make_receiver: Any, celery_queue: str, tmp_path: Path  # noqa: F811
) -> None:
    """Celery mode: the web process only writes the row; a real worker's poll sends it (503 first, then taken)."""
    stub = RetirementStub(make_receiver, statuses=[503])
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    settings.OPENEDX_WEBHOOKS_EVENTS_DELIVERY = "celery"
    user = learner_being_retired()
    with transaction.atomic():
        platform_retires(user)
        assert connection.run_on_commit == []  # celery mode: nothing for this process after the commit
    settings.OPENEDX_WEBHOOKS_URL = ""  # this process stays out: only the worker may send
    log = tmp_path / "worker.log"
    with celery_worker(celery_queue, stub.url, relay.key, log, "-P", "solo"):
        wait_until(lambda: not OutboxEvent.objects.exists(), 60, "the worker did not send the retirement", log)
    assert stub.bodies() == [{"user_id": user.pk, "username": "ada", "email": "ada@example.com"}] * 2


def test_the_real_service_records_the_retirement(relay: Any) -> None:
    user = learner_being_retired("mary", "mary@example.com")
    with transaction.atomic():
        platform_retires(user)
    wait_until(lambda: not OutboxEvent.objects.exists(), 30, "the service did not take the retirement")
    items = relay.api("GET", "/api/v1/retirements").json()["items"]
    assert user.pk in [item["user_id"] for item in items]


def test_a_retirement_sent_again_is_recorded_once_by_the_real_service(relay: Any) -> None:
    """The service took the retirement but its answer was lost (the relay saw no answer): the row is sent again, with
    the same Idempotency-Key, and the service answers with the same retirement instead of doing it twice."""
    from openedx_webhooks_relay import tasks

    user = learner_being_retired("nora", "nora@example.com")
    event_id, body = f"{retirement.ID_PREFIX}{uuid.uuid4()}", json.dumps({"user_id": user.pk, "username": "nora"})
    before = relay.api("GET", "/api/v1/retirements").json()["items"]
    now = timezone.now()
    OutboxEvent.objects.create(
        event_id=event_id, event_type=retirement.RETIREMENT, body=body, created=now, next_attempt=now
    )
    assert tasks.attempt_row(event_id, body) == tasks.SENT
    assert tasks.attempt_row(event_id, body) == tasks.SENT  # the same row again, as after a lost answer
    after = relay.api("GET", "/api/v1/retirements").json()["items"]
    assert len(after) == len(before) + 1
    assert [i["user_id"] for i in after].count(user.pk) == [i["user_id"] for i in before].count(user.pk) + 1


PROBE = r"""
import json, logging, django
django.setup()
from openedx_webhooks_relay import retirement
records = []
handler = logging.Handler(level=logging.DEBUG)
handler.emit = records.append
log = logging.getLogger("openedx_webhooks_relay.retirement")
log.addHandler(handler)
log.setLevel(logging.DEBUG)
try:
    import openedx.core.djangoapps.user_api.accounts.signals  # noqa: F401
    present = True
except ImportError:
    present = False
print(json.dumps({"present": present, "connected": retirement.connect(),
                  "debug": [r.getMessage() for r in records if r.levelno == logging.DEBUG]}))
"""


def test_a_platform_without_the_signal_module_starts_and_skips_retirement() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "RELAY_TEST_PLATFORM": "0"}
    res = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=RELAY_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr[-3000:]
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert got["present"] is False and got["connected"] is False
    assert any("retirements are not relayed" in m for m in got["debug"])
