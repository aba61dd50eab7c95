"""What a webfilter receives for the platform's objects: filter arguments as JSON (no service needed)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.http import HttpResponse, QueryDict

from openedx_webhooks_relay.serialize_filters import arguments_to_json
from tests.filterapp.cases import COURSE, UNIT, make_enrollment, make_enrollments, make_form_data, make_user
from tests.filterapp.objects import FormDescription, Mode, VerticalBlock


@pytest.mark.django_db
def test_models_by_their_columns_related_rows_by_id_and_never_the_password() -> None:
    enrollment = make_enrollment()
    data = arguments_to_json({"user": enrollment.user, "enrollment": enrollment})
    user = data["user"]
    assert "password" not in user and user["username"] == "ana" and user["id"] == enrollment.user.pk
    assert user["date_joined"].endswith("Z") and user["is_active"] is True
    assert data["enrollment"] == {
        "id": enrollment.pk,
        "user_id": enrollment.user.pk,
        "course_id": COURSE,
        "mode": "audit",
        "is_active": True,
        "created": "2025-03-14T15:09:26Z",
    }
    assert "s3cret" not in json.dumps(data)


@pytest.mark.django_db
def test_serialising_never_queries(django_assert_num_queries: Any) -> None:
    qs = make_enrollments()
    partial = qs.only("id", "mode").first()
    with django_assert_num_queries(0):
        data = arguments_to_json({"enrollments": qs.filter(is_active=True), "enrollment": partial})
    assert data["enrollments"] == {"__queryset__": "filterapp.CourseEnrollment", "filter": {}, "exclude": {}}
    assert data["enrollment"] == {"id": partial.pk, "mode": "audit"}  # deferred columns are not read


def test_form_data_values_and_lists_keys_datetimes_and_containers() -> None:
    form = make_form_data()
    moment = dt.datetime(2026, 3, 1, 12, 0, 0, 250000, tzinfo=dt.timezone(dt.timedelta(hours=-3)))
    data = arguments_to_json(
        {
            "form_data": form,
            "context": {"when": moment, "keys": [UNIT], "tags": {"b", "a"}, "ok": True, 3: None},
            "course_mode_data": Mode("verified", "Verified", 100, "", "usd", None, None, "SKU", None, None, None),
        }
    )
    assert data["form_data"]["goals"] == ["career", "fun"] and data["form_data"]["name"] == "Ana Lima"
    assert data["context"] == {
        "when": "2026-03-01T15:00:00.250000Z",
        "keys": [UNIT],
        "tags": ["a", "b"],
        "ok": True,
        "3": None,
    }
    assert data["course_mode_data"]["slug"] == "verified" and data["course_mode_data"]["min_price"] == 100
    json.dumps(data)


def test_other_objects_by_type_and_plain_public_attributes_only() -> None:
    block = VerticalBlock(UNIT, "Unit 1")
    block.password = "nope"  # a secret-named attribute is never sent
    form = FormDescription("post", "/login")
    data = arguments_to_json({"block": block, "form_desc": form, "response": HttpResponse("<p>hi</p>", status=201)})
    assert data["block"] == {
        "__type__": "tests.filterapp.objects.VerticalBlock",
        "location": UNIT,
        "display_name": "Unit 1",
        "children": [UNIT.replace("vertical", "html") + "1"],
        "graded": False,
    }
    assert data["form_desc"]["submit_url"] == "/login" and data["form_desc"]["fields"][0]["name"] == "email"
    assert data["response"] == {"status_code": 201, "content_type": "text/html; charset=utf-8", "content": "<p>hi</p>"}


@pytest.mark.django_db
def test_a_context_holding_a_user_sends_the_row_without_its_password() -> None:
    data = arguments_to_json({"context": {"user": make_user(), "request": QueryDict("a=1")}})
    assert data["context"]["user"]["username"] == "ana" and "password" not in data["context"]["user"]
    assert data["context"]["request"] == {"a": "1"}


def test_secret_like_names_and_request_internals_are_never_sent() -> None:
    from django.test import RequestFactory

    request = RequestFactory().get(
        "/dashboard?tab=courses", HTTP_AUTHORIZATION="Bearer abc", HTTP_COOKIE="sessionid=s1"
    )
    request.session = {"_auth_user_id": "7"}
    form = QueryDict("email=a%40example.com&new_password=p1&csrfmiddlewaretoken=t1")
    data = arguments_to_json(
        {"context": {"request": request, "csrf_token": "t2", "api_key": "k", "ok": 1}, "form": form}
    )
    assert data["context"] == {
        "request": {
            "__type__": "django.core.handlers.wsgi.WSGIRequest",
            "method": "GET",
            "path": "/dashboard",
            "GET": {"tab": "courses"},
        },
        "ok": 1,
    }
    assert data["form"] == {"email": "a@example.com"}
    for secret in ("abc", "s1", "p1", "t1", "t2"):
        assert secret not in json.dumps(data)
