"""Run by tests/test_mysql.py in a process of its own, on a MySQL database of its own (RELAY_TEST_MYSQL): the relay's
receiver writes the outbox row in the platform's transaction on MySQL, as Tutor runs the platform. Prints one JSON
object of what it saw; the test asserts on it."""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED  # noqa: E402

from openedx_webhooks_relay import events, outbox, tasks  # noqa: E402
from openedx_webhooks_relay.models import OutboxEvent  # noqa: E402
from openedx_webhooks_relay.routing import Routes, routing  # noqa: E402
from tests.celery_app import app  # noqa: E402
from tests.filterapp.cases import create_database, make_enrollment  # noqa: E402
from tests.filterapp.models import CourseEnrollment  # noqa: E402
from tests.test_events import enrollment  # noqa: E402


def main() -> None:
    create_database()
    app.set_current()
    settings.OPENEDX_WEBHOOKS_URL = "http://127.0.0.1:9"  # nothing is sent: celery mode only writes the row
    settings.OPENEDX_WEBHOOKS_API_KEY = "mysql-test-key-0123456789"
    settings.OPENEDX_WEBHOOKS_EVENTS_DELIVERY = "celery"
    routing._set(Routes(frozenset({COURSE_ENROLLMENT_CREATED.event_type}), frozenset(), "t", None, False))
    routing._fetched_at = time.monotonic() + 3600
    row = make_enrollment().pk
    seen: dict = {"vendor": connection.vendor, "server": connection.mysql_server_info}

    # Rolled back: the row existed inside the transaction (the platform's own connection), and is gone with it.
    with transaction.atomic():
        CourseEnrollment.objects.filter(pk=row).update(mode="honor")
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment(user_id=1))
        seen["inside_rolled_back"] = OutboxEvent.objects.count()
        transaction.set_rollback(True)
    seen["after_rollback"] = OutboxEvent.objects.count()

    # Committed: one row, its body the event's §3 body, due now (celery mode: a worker's poll takes it).
    before = timezone.now()
    with transaction.atomic():
        CourseEnrollment.objects.filter(pk=row).update(mode="verified")
        metadata = COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment(user_id=2))
    kept = list(OutboxEvent.objects.values("event_id", "event_type", "body", "created", "next_attempt", "attempts"))
    seen["committed"] = [
        {
            "event_id": k["event_id"],
            "event_type": k["event_type"],
            "user": json.loads(k["body"])["data"]["enrollment"]["user"]["id"],
            "created_delta": (k["created"] - before).total_seconds(),
            "due_delta": (k["next_attempt"] - k["created"]).total_seconds(),
            "attempts": k["attempts"],
        }
        for k in kept
    ]
    seen["responses"] = len(metadata)
    seen["taken"] = [event_id for event_id, _ in outbox.take()]
    for event_id in seen["taken"]:
        outbox.done(event_id)
    seen["after_done"] = OutboxEvent.objects.count()

    # The INSERT fails (the table is gone): the platform's transaction goes on and commits, and the event is handed
    # off in memory after the commit instead (recorded here rather than published).
    handed: list[dict] = []
    tasks.enqueue = handed.append
    with connection.cursor() as cursor:
        cursor.execute("RENAME TABLE openedx_webhooks_relay_outboxevent TO relay_outbox_away")
    try:
        with transaction.atomic():
            COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment(user_id=3))
            CourseEnrollment.objects.filter(pk=row).update(mode="audit")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RENAME TABLE relay_outbox_away TO openedx_webhooks_relay_outboxevent")
    seen["platform_write_after_failed_insert"] = CourseEnrollment.objects.get(pk=row).mode
    seen["handed_off"] = [b["data"]["enrollment"]["user"]["id"] for b in handed]
    seen["connected"] = sorted(events.connected())
    sys.stdout.write(json.dumps(seen, default=str) + "\n")


if __name__ == "__main__":
    main()
