"""Issue 25, defect 1: a webfilter's answer never makes a user a superuser (nor changes any privilege or identity
field, or relation, on any model) unless the operator lists that field in OPENEDX_WEBHOOKS_WRITABLE_FIELDS.

A real `User` row, the real StudentLoginRequested filter run by openedx-filters, the real service calling a loopback
webfilter that answers with the privilege change; the row is re-read from the database.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from openedx_filters.learning.filters import CourseUnenrollmentStarted, StudentLoginRequested

from tests.conftest import refresh_routing
from tests.filterapp.cases import make_enrollment, make_user
from tests.filterapp.models import CourseEnrollment

pytestmark = pytest.mark.django_db

ESCALATION = {
    "is_superuser": True,
    "is_staff": True,
    "is_active": False,
    "last_login": "2026-01-02T03:04:05Z",
    "date_joined": "2001-01-01T00:00:00Z",
    "groups": [1],
    "user_permissions": [1],
    "first_name": "Bia",  # an ordinary field: still written
}


def test_a_webfilter_asking_for_superuser_leaves_a_plain_user(
    relay: Any, receiver: Any, make_webfilter: Any, caplog: Any
) -> None:
    Group.objects.create(name="admins")
    user = make_user()
    before = get_user_model().objects.get(pk=user.pk)
    receiver.body = {"data": {"user": ESCALATION}}
    make_webfilter(StudentLoginRequested.filter_type, receiver.url)
    refresh_routing()

    with caplog.at_level(logging.ERROR, logger="openedx_webhooks_relay"):
        got = StudentLoginRequested.run_filter(user=user)

    assert len(receiver.requests) == 1  # the webfilter was really asked
    fresh = get_user_model().objects.get(pk=user.pk)
    assert got is user
    assert (fresh.is_superuser, fresh.is_staff, fresh.is_active) == (False, False, True)
    assert (user.is_superuser, user.is_staff, user.is_active) == (False, False, True)  # in memory too
    assert fresh.last_login is None and fresh.date_joined == before.date_joined
    assert not fresh.groups.exists() and not fresh.user_permissions.exists()
    assert fresh.first_name == "Bia"
    refused = " ".join(r.getMessage() for r in caplog.records)
    for name in ("is_superuser", "is_staff", "is_active", "last_login", "date_joined", "groups", "user_permissions"):
        assert f"user.{name} refused" in refused, name


def test_relations_are_refused_on_any_model(relay: Any, receiver: Any, make_webfilter: Any) -> None:
    enrollment = make_enrollment()
    other = get_user_model().objects.create(username="mallory")
    receiver.body = {"data": {"enrollment": {"user_id": other.pk, "user": other.pk, "mode": "verified"}}}
    make_webfilter(CourseUnenrollmentStarted.filter_type, receiver.url)
    refresh_routing()

    CourseUnenrollmentStarted.run_filter(enrollment=enrollment)

    row = CourseEnrollment.objects.get(pk=enrollment.pk)
    assert (row.user_id, row.mode) == (enrollment.user_id, "verified")


def test_the_operator_can_allow_a_field_by_name(relay: Any, receiver: Any, make_webfilter: Any, settings: Any) -> None:
    settings.OPENEDX_WEBHOOKS_WRITABLE_FIELDS = ["auth.User.is_staff", "filterapp.CourseEnrollment.is_active"]
    user = make_user()
    receiver.body = {"data": {"user": {"is_staff": True, "is_superuser": True}}}
    make_webfilter(StudentLoginRequested.filter_type, receiver.url)
    refresh_routing()

    StudentLoginRequested.run_filter(user=user)

    fresh = get_user_model().objects.get(pk=user.pk)
    assert (fresh.is_staff, fresh.is_superuser) == (True, False)


def test_refused_changes_show_in_the_service_delivery_log_of_that_call(
    relay: Any, receiver: Any, make_webfilter: Any
) -> None:
    user = make_user()
    receiver.body = {"data": {"user": {"is_superuser": True, "first_name": ["not", "a", "name"], "last_name": "Lima"}}}
    webfilter = make_webfilter(StudentLoginRequested.filter_type, receiver.url)
    refresh_routing()

    StudentLoginRequested.run_filter(user=user)

    assert get_user_model().objects.get(pk=user.pk).last_name == "Lima"
    # The report leaves from a thread of its own, after the request thread returned: the log shows it shortly.
    deadline = time.monotonic() + 15
    refused: list[dict[str, str]] = []
    while time.monotonic() < deadline and not refused:
        res = relay.api("GET", f"/api/v1/deliveries?kind=webfilter&target_id={webfilter['id']}")
        assert res.status_code == 200, res.text
        rows = res.json()["items"]
        refused = rows[0]["outcome"].get("refused_by_relay", []) if rows else []
        time.sleep(0.1)
    assert [r["path"] for r in refused] == ["user.is_superuser", "user.first_name"]
    assert "OPENEDX_WEBHOOKS_WRITABLE_FIELDS" in refused[0]["reason"]
    assert "auth.User.is_superuser" in refused[0]["reason"]
    assert "single value" in refused[1]["reason"]


def test_an_answer_without_a_call_id_is_only_logged(relay: Any, caplog: Any, monkeypatch: Any) -> None:
    from openedx_webhooks_relay import client, pipeline

    sent: list[Any] = []
    monkeypatch.setattr(client, "send_in_background", lambda *a: sent.append(a) or True)
    for call_id in (None, "../../api/v1/webhooks", "x"):
        pipeline.report_left_out("f", call_id, [{"path": "user.is_staff", "reason": "r"}])
    assert sent == []
    pipeline.report_left_out("f", "0b5e6a1c-77a4-4f6c-9d55-1f2e3a4b5c6d", [{"path": "p", "reason": "r"}])
    assert sent[0][0] == "/api/filters/0b5e6a1c-77a4-4f6c-9d55-1f2e3a4b5c6d/refused"
