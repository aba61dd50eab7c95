"""A platform task for the Celery tests: sends events from inside a worker, as grading or certificate tasks do."""

from __future__ import annotations

from celery import shared_task
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED


@shared_task(name="tests.send_enrollments")
def send_enrollments(first_user: int, count: int) -> int:
    """COURSE_ENROLLMENT_CREATED for users first_user … first_user + count - 1 (each committed at once)."""
    from tests.test_events import enrollment

    for user_id in range(first_user, first_user + count):
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment(user_id=user_id))
    return count
