"""Answers applied to real values, one kind at a time (no service needed): types kept, misfits left out."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from collections import OrderedDict
from typing import Any

import attrs
import pytest
from django.http import HttpResponse, QueryDict
from opaque_keys.edx.keys import CourseKey, UsageKey
from openedx_filters.learning.filters import (
    CertificateRenderStarted,
    CourseEnrollmentStarted,
    StudentLoginRequested,
)

from openedx_webhooks_relay.apply import answer_exception, apply_changes, make_exception
from tests.filterapp.cases import COURSE, UNIT, make_enrollments


class Level(enum.Enum):
    LOW = "low"
    HIGH = "high"


@attrs.frozen
class Grade:
    percent: float
    letter: str


def test_scalars_keep_their_types() -> None:
    key = CourseKey.from_string(COURSE)
    args: dict[str, Any] = {
        "n": 3,
        "f": 0.5,
        "b": False,
        "s": "a",
        "d": decimal.Decimal("1.50"),
        "u": uuid.UUID(int=1),
        "e": Level.LOW,
        "day": dt.date(2026, 1, 1),
        "naive": dt.datetime(2026, 1, 1),
        "usage": UsageKey.from_string(UNIT),
        "key": key,
    }
    got = apply_changes(
        args,
        {
            "n": "12",
            "f": 2,
            "b": "true",
            "s": 7,
            "d": "2.25",
            "u": str(uuid.UUID(int=2)),
            "e": "high",
            "day": "2026-02-03",
            "naive": "2026-02-03T04:05:06Z",
            "usage": UNIT.replace("unit1", "unit2"),
            "key": "course-v1:edX+DemoX+2026_T1",
        },
    )
    assert got == {
        "n": 12,
        "f": 2.0,
        "b": True,
        "s": "7",
        "d": decimal.Decimal("2.25"),
        "u": uuid.UUID(int=2),
        "e": Level.HIGH,
        "day": dt.date(2026, 2, 3),
        "naive": dt.datetime(2026, 2, 3, 4, 5, 6),
        "usage": UsageKey.from_string(UNIT.replace("unit1", "unit2")),
        "key": CourseKey.from_string("course-v1:edX+DemoX+2026_T1"),
    }
    assert type(got["f"]) is float and isinstance(got["key"], CourseKey) and got["naive"].tzinfo is None


def test_a_safe_string_comes_back_plain_so_templates_escape_it() -> None:
    from django.utils.html import conditional_escape  # what templates apply to a variable
    from django.utils.safestring import mark_safe

    got = apply_changes({"banner": mark_safe("<b>Hi</b>")}, {"banner": "<script>x()</script>"})
    assert type(got["banner"]) is str
    assert conditional_escape(got["banner"]) == "&lt;script&gt;x()&lt;/script&gt;"


def test_misfits_and_nulls_are_left_out() -> None:
    args = {
        "n": 3,
        "b": True,
        "key": CourseKey.from_string(COURSE),
        "s": "x",
        "when": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    }
    got = apply_changes(args, {"n": 2.5, "b": "perhaps", "key": "library-v1:nope", "s": None, "when": 5, "other": 1})
    assert got == {}


def test_containers_merge_and_keep_their_types() -> None:
    context = OrderedDict(a={"x": 1, "y": 2}, tags=("t1", "t2"), seen={"a"})
    got = apply_changes(
        {"context": context}, {"context": {"a": {"y": 3}, "tags": ["t3"], "seen": ["b", "c"], "new": [1]}}
    )
    new = got["context"]
    assert type(new) is OrderedDict and new is not context and context["a"] == {"x": 1, "y": 2}
    assert new == {"a": {"x": 1, "y": 3}, "tags": ("t3",), "seen": {"b", "c"}, "new": [1]}


def test_form_data_is_copied_and_updated_a_null_removes_a_field() -> None:
    form = QueryDict("name=Ana&goals=a&goals=b&country=BR")  # immutable, as request.POST
    got = apply_changes(
        {"form_data": form}, {"form_data": {"name": "Bia", "goals": ["c"], "country": None, "tos": True}}
    )
    new = got["form_data"]
    assert isinstance(new, QueryDict) and new is not form and new._mutable
    assert (new["name"], new.getlist("goals"), "country" in new, new["tos"]) == ("Bia", ["c"], False, "true")
    assert form["name"] == "Ana"


def test_attrs_namedtuple_and_response() -> None:
    response = HttpResponse("old")
    got = apply_changes(
        {"grade": Grade(0.5, "C"), "response": response},
        {
            "grade": {"letter": "B", "percent": "0.8", "nope": 1},
            "response": {"status_code": 202, "content": "new", "headers": {"X-Webfilter": "yes"}},
        },
    )
    assert got["grade"] == Grade(0.8, "B")
    assert got["response"] is response and (response.status_code, response.content, response["X-Webfilter"]) == (
        202,
        b"new",
        "yes",
    )


@pytest.mark.django_db
def test_a_queryset_is_narrowed_and_a_bad_lookup_leaves_it_as_it_was() -> None:
    qs = make_enrollments()
    got = apply_changes(
        {"qs": qs}, {"qs": {"filter": {"mode__in": ["verified", "honor"]}, "exclude": {"is_active": False}}}
    )
    assert [e.mode for e in got["qs"]] == ["verified"]
    assert apply_changes({"qs": qs}, {"qs": {"filter": {"no_such_field": 1}}}) == {}


def test_exceptions_take_what_their_constructor_accepts_and_fill_what_it_requires() -> None:
    from openedx_filters.learning.filters import AccountSettingsRenderStarted

    exc = make_exception(
        AccountSettingsRenderStarted.RedirectToPage, {"message": "go", "status_code": 302, "name": "x"}
    )
    assert (exc.message, exc.redirect_to) == ("go", "/")
    exc = make_exception(CertificateRenderStarted.RenderCustomResponse, {"message": "m", "response": "<b>plain</b>"})
    assert isinstance(exc.response, HttpResponse) and exc.response.content == b"<b>plain</b>"
    exc = make_exception(CertificateRenderStarted.RenderCustomResponse, {"response": {"content": {"ok": True}}})
    assert exc.response["Content-Type"] == "application/json" and exc.response.content == b'{"ok": true}'
    exc = make_exception(
        CourseEnrollmentStarted.PreventEnrollment, {"message": "no", "status_code": "403", "extra": [1]}
    )
    assert (exc.status_code, exc.extra) == (403, [1])
    assert answer_exception(StudentLoginRequested, {"name": "PreventSomethingElse"}) is None
    assert answer_exception(StudentLoginRequested, "PreventLogin").message == ""
