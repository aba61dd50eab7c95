"""A process that sends events and is then killed (test_outbox.py): Django on the tests' database file, the relay
pointed at a service that is down, 20 events committed in one transaction, then it waits to be SIGKILLed."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED  # noqa: E402

from tests.test_events import enrollment  # noqa: E402

with transaction.atomic():
    for user_id in range(1, 21):
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment(user_id=user_id))
sys.stdout.write("committed\n")
sys.stdout.flush()
sys.stdin.readline()  # killed before this returns
