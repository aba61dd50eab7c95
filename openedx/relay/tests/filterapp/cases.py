"""Realistic arguments for every Open edX filter, by filter class name, with one change a webfilter makes to each.

Each argument is an `Arg`: `make()` builds the real value (rows saved in the test database), `change` is what a
webfilter answers for it in `data`, and `check(original, new)` says whether the value the filter returned carries
the change with the argument's original type. test_filters.py fails for any filter of the installed openedx-filters
missing here, so a new release of the library shows up as a failing test, not a silent gap.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.query import QuerySet
from django.http import HttpResponse, QueryDict
from opaque_keys.edx.keys import CourseKey

from .models import CertificateTemplate, CohortMembership, CourseEnrollment, CourseUserGroup, ProviderConfig, Schedule
from .objects import FormDescription, Fragment, Mode, VerticalBlock

COURSE = "course-v1:edX+DemoX+Demo_Course"
CHANGED_COURSE = "course-v1:edX+DemoX+2026_T1"
UNIT = "block-v1:edX+DemoX+Demo_Course+type@vertical+block@unit1"


@dataclass
class Arg:
    make: Callable[[], Any]
    change: Any
    check: Callable[[Any, Any], bool]


# --- builders ------------------------------------------------------------------------------------------------


def make_user() -> Any:
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username="ana", defaults={"email": "ana@example.com", "first_name": "Ana", "last_name": "Lima"}
    )
    user.set_password("s3cret-pass-never-sent")
    user.save()
    return user


def create_database() -> None:
    """The tables of a process that sets up its own database (the events bench, tests/mysql_outbox.py): the
    migrations, then this app's own tables (it has none), once auth_user exists: MySQL checks foreign keys when it
    creates a table (migrate --run-syncdb creates the apps without migrations first)."""
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.schema_editor() as editor:
        for model in apps.get_app_config("filterapp").get_models():
            editor.create_model(model)


def make_enrollment(mode: str = "audit") -> CourseEnrollment:
    return CourseEnrollment.objects.create(
        user=make_user(),
        course_id=CourseKey.from_string(COURSE),
        mode=mode,
        created=dt.datetime(2025, 3, 14, 15, 9, 26, tzinfo=dt.UTC),
    )


def make_enrollments() -> QuerySet:
    make_enrollment("audit")
    make_enrollment("verified")
    return CourseEnrollment.objects.all()


def make_schedules() -> QuerySet:
    for mode, active in (("audit", True), ("verified", False)):
        Schedule.objects.create(
            enrollment=make_enrollment(mode), active=active, start_date=dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
        )
    return Schedule.objects.all()


def make_cohort(name: str = "Cohort A") -> CourseUserGroup:
    return CourseUserGroup.objects.create(name=name, course_id=CourseKey.from_string(COURSE))


def make_membership() -> CohortMembership:
    make_cohort("Cohort B")
    return CohortMembership.objects.create(
        course_user_group=make_cohort(), user=make_user(), course_id=CourseKey.from_string(COURSE)
    )


def make_template() -> CertificateTemplate:
    return CertificateTemplate.objects.create(
        name="Default", template="<p>${accomplishment_copy_name}</p>", is_active=True
    )


def make_provider() -> ProviderConfig:
    return ProviderConfig.objects.create(name="Google", slug="google-oauth2")


def make_form_data() -> QueryDict:
    qd = QueryDict(mutable=True)
    qd.update(
        {
            "email": "ana@example.com",
            "name": "Ana Lima",
            "username": "ana",
            "password": "s3cret-pass-never-sent",
            "honor_code": "true",
            "country": "BR",
        }
    )
    qd.setlist("goals", ["career", "fun"])
    return qd


def page_context() -> dict[str, Any]:
    """A template context: plain values and a real user row, as the LMS views pass."""
    return {"user": make_user(), "course_id": COURSE, "message": "Welcome", "show_banner": False, "course_count": 2}


# --- checks --------------------------------------------------------------------------------------------------


def user_changed(original: Any, new: Any) -> bool:
    return (
        isinstance(new, get_user_model())
        and new.first_name == "Changed"
        and get_user_model().objects.get(pk=original.pk).first_name == "Changed"
    )


def key_changed(original: Any, new: Any) -> bool:
    return isinstance(new, CourseKey) and str(new) == CHANGED_COURSE


def same_type(value: Any) -> Callable[[Any, Any], bool]:
    return lambda original, new: type(new) is type(original) and new == value


def dict_key(key: str, value: Any) -> Callable[[Any, Any], bool]:
    """The key changed, the other keys kept (deep merge), still a dict."""
    return lambda original, new: (
        type(new) is type(original)
        and new[key] == value
        and set(original) <= set(new)
        and all(new[k] == v for k, v in original.items() if k != key and not hasattr(v, "_meta"))
    )


def saved(model: type, **expected: Any) -> Callable[[Any, Any], bool]:
    """The returned row has the values and the database too (re-read)."""

    def check(original: Any, new: Any) -> bool:
        fresh = model.objects.get(pk=original.pk)
        return isinstance(new, model) and all(
            getattr(new, k) == v and getattr(fresh, k) == v for k, v in expected.items()
        )

    return check


USER = Arg(make_user, {"first_name": "Changed"}, user_changed)
COURSE_KEY = Arg(lambda: CourseKey.from_string(COURSE), CHANGED_COURSE, key_changed)


def text(value: str, changed: str) -> Arg:
    return Arg(lambda: value, changed, same_type(changed))


def context(changed_message: str = "Changed by a webfilter") -> Arg:
    return Arg(page_context, {"message": changed_message}, dict_key("message", changed_message))


TEMPLATE = text("dashboard.html", "dashboard_alt.html")

PAGE_URL = "https://lms.example.com/courses/course-v1:edX+DemoX+Demo_Course/about"
FORM = Arg(
    lambda: FormDescription("post", "/api/user/v1/account/login_session/"),
    {"submit_url": "/api/user/v2/account/login_session/"},
    lambda o, n: isinstance(n, FormDescription) and n.submit_url == "/api/user/v2/account/login_session/",
)
RUNNING_PIPELINE = Arg(
    lambda: {
        "backend": "google-oauth2",
        "kwargs": {
            "details": {"email": "ana@example.com", "fullname": "Ana Lima"},
            "response": {"sub": "1234"},
            "is_new": True,
        },
    },
    {"kwargs": {"details": {"fullname": "Ana Changed"}}},
    lambda o, n: (
        type(n) is dict
        and n["kwargs"]["details"] == {"email": "ana@example.com", "fullname": "Ana Changed"}
        and n["backend"] == "google-oauth2"
        and n["kwargs"]["is_new"] is True
    ),
)
PROVIDER = Arg(make_provider, {"skip_registration_form": True}, saved(ProviderConfig, skip_registration_form=True))
COHORT = Arg(make_cohort, {"name": "Cohort Changed"}, saved(CourseUserGroup, name="Cohort Changed"))
BLOCK = Arg(
    lambda: VerticalBlock(UNIT, "Unit 1"),
    {"display_name": "Unit 1 (changed)"},
    lambda o, n: isinstance(n, VerticalBlock) and n.display_name == "Unit 1 (changed)" and str(n.location) == UNIT,
)


def _membership_moved(original: Any, new: Any) -> bool:
    target = CourseUserGroup.objects.get(name="Cohort B")
    return saved(CohortMembership, course_user_group_id=target.pk)(original, new)


def _membership_change() -> dict[str, Any]:
    return {"course_user_group_id": CourseUserGroup.objects.get(name="Cohort B").pk}


#: Filled lazily: some changes need rows (a second cohort's id).
LAZY = object()

CASES: dict[str, dict[str, Arg]] = {
    # learning
    "AccountSettingsRenderStarted": {"context": context(), "template_name": TEMPLATE},
    "AccountSettingsReadOnlyFieldsRequested": {
        "readonly_fields": Arg(
            lambda: {"email", "name"},
            ["country", "email", "name"],
            lambda o, n: type(n) is set and n == {"email", "name", "country"},
        ),
        "user": USER,
    },
    "CertificateCreationRequested": {
        "user": USER,
        "course_key": COURSE_KEY,
        "mode": text("audit", "verified"),
        "status": text("downloadable", "notpassing"),
        "grade": Arg(lambda: 0.85, 0.95, same_type(0.95)),
        "generation_mode": text("batch", "self"),
    },
    "CertificateRenderStarted": {
        "context": context(),
        "custom_template": Arg(
            make_template, {"name": "Changed template"}, saved(CertificateTemplate, name="Changed template")
        ),
    },
    "CohortAssignmentRequested": {"user": USER, "target_cohort": COHORT},
    "CohortChangeRequested": {
        "current_membership": Arg(make_membership, LAZY, _membership_moved),
        "target_cohort": COHORT,
    },
    "CourseAboutPageURLRequested": {"url": text(PAGE_URL, PAGE_URL + "?from=webfilter"), "org": text("edX", "OpenedX")},
    "CourseAboutRenderStarted": {
        "context": context(),
        "template_name": text("courseware/course_about.html", "about_alt.html"),
    },
    "CourseEnrollmentAPIRenderStarted": {
        "course_key": COURSE_KEY,
        "serialized_enrollment": Arg(
            lambda: {"course_id": COURSE, "mode": "audit", "is_active": True, "created": "2025-03-14T15:09:26Z"},
            {"mode": "verified"},
            dict_key("mode", "verified"),
        ),
    },
    "CourseEnrollmentQuerysetRequested": {
        "enrollments": Arg(
            make_enrollments,
            {"filter": {"mode": "verified"}},
            lambda o, n: isinstance(n, QuerySet) and [e.mode for e in n] == ["verified"] and o.count() == 2,
        ),
    },
    "CourseEnrollmentStarted": {"user": USER, "course_key": COURSE_KEY, "mode": text("audit", "honor")},
    "CourseEnrollmentViewStarted": {
        "user": USER,
        "course_key": COURSE_KEY,
        "requester_is_backend_service": Arg(lambda: False, True, same_type(True)),
    },
    "CourseHomeUrlCreationStarted": {
        "course_key": COURSE_KEY,
        "course_home_url": text(
            "https://apps.example.com/learning/course/" + COURSE + "/home",
            "https://apps.example.com/learning/course/" + COURSE + "/home?tab=dates",
        ),
    },
    "CourseModePriceRequested": {
        "user": USER,
        "course_mode_data": Arg(
            lambda: Mode("verified", "Verified Certificate", 100, "", "usd", None, None, "SKU-1", None, None, None),
            {"min_price": 80},
            lambda o, n: type(n) is Mode and n.min_price == 80 and n.slug == "verified",
        ),
        "price": Arg(lambda: 100, 80, same_type(80)),
    },
    "CourseRunAPIRenderStarted": {
        "serialized_courserun": Arg(
            lambda: {"course_id": COURSE, "title": "Demo", "pacing_type": "self_paced", "is_enrolled": True},
            {"title": "Demo (changed)"},
            dict_key("title", "Demo (changed)"),
        ),
    },
    "CourseStartDateValidationFailed": {
        "course_key": COURSE_KEY,
        "start_date": Arg(
            lambda: dt.datetime(2026, 1, 6, 9, 0, tzinfo=dt.UTC),
            "2026-09-01T00:00:00Z",
            lambda o, n: type(n) is dt.datetime and n == dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
        ),
    },
    "CourseUnenrollmentStarted": {
        "enrollment": Arg(
            make_enrollment,
            {"mode": "verified", "is_active": "false"},  # is_active is refused (a privilege field, apply.py)
            saved(CourseEnrollment, mode="verified", is_active=True),
        ),
    },
    "CoursewareAccessChecksRequested": {"user": USER, "course_key": COURSE_KEY},
    "CoursewareViewStarted": {"course_key": COURSE_KEY, "view_name": text("index", "progress")},
    "DashboardRenderStarted": {"context": context(), "template_name": TEMPLATE},
    "DiscountEligibilityCheckRequested": {"user": USER, "course_key": COURSE_KEY},
    "GradeEventContextRequested": {
        "context": Arg(
            lambda: {"course_id": COURSE, "org_id": "edX", "enterprise_uuid": ""},
            {"enterprise_uuid": "7f1c…"},
            dict_key("enterprise_uuid", "7f1c…"),
        ),
        "user_id": Arg(lambda: 42, 43, same_type(43)),
        "course_id": text(COURSE, CHANGED_COURSE),
    },
    "IDVPageURLRequested": {"url": text("https://lms.example.com/verify_student/", "https://idv.example.com/start")},
    "InstructorDashboardRenderStarted": {
        "context": context(),
        "template_name": text("instructor/instructor_dashboard_2.html", "alt.html"),
    },
    "InstructorDashboardTabsRequested": {
        "tabs": Arg(
            lambda: [
                {"tab_name": "Course Info", "section_key": "course_info"},
                {"tab_name": "Membership", "section_key": "membership"},
            ],
            [{"tab_name": "Course Information"}, {}],
            lambda o, n: (
                type(n) is list
                and n[0] == {"tab_name": "Course Information", "section_key": "course_info"}
                and n[1] == o[1]
            ),
        ),
        "user": USER,
        "course_key": COURSE_KEY,
    },
    "ORASubmissionViewRenderStarted": {
        "context": context(),
        "template_name": text("openassessmentblock/oa_response.html", "alt.html"),
    },
    "RenderXBlockStarted": {
        "context": context(),
        "student_view_context": Arg(
            lambda: {"show_title": True, "show_bookmark_button": True},
            {"show_title": False},
            dict_key("show_title", False),
        ),
    },
    "ScheduleQuerySetRequested": {
        "schedules": Arg(
            make_schedules,
            {"exclude": {"active": False}},
            lambda o, n: isinstance(n, QuerySet) and n.count() == 1 and all(s.active for s in n),
        ),
    },
    "StudentLoginRequested": {"user": USER},
    "StudentRegistrationRequested": {
        "form_data": Arg(
            make_form_data,
            {"name": "Ana Changed", "goals": ["career"]},
            lambda o, n: (
                isinstance(n, QueryDict)
                and n["name"] == "Ana Changed"
                and n.getlist("goals") == ["career"]
                and n["email"] == "ana@example.com"
            ),
        ),
    },
    "SupportContactContextRequested": {
        "context": Arg(
            lambda: {"tags": ["lms"], "course_id": COURSE}, {"tags": ["lms", "vip"]}, dict_key("tags", ["lms", "vip"])
        )
    },
    "SupportEnrollmentDataRequested": {
        "enrollments_data": Arg(
            lambda: [{"course_id": COURSE, "mode": "audit", "is_active": True, "verified_price": 149}],
            [{"verified_price": 99}],
            lambda o, n: type(n) is list and n[0]["verified_price"] == 99 and n[0]["mode"] == "audit",
        ),
        "user": USER,
    },
    "VerticalBlockChildRenderStarted": {"block": BLOCK, "context": context()},
    "VerticalBlockRenderCompleted": {
        "block": BLOCK,
        "fragment": Arg(
            lambda: Fragment("<div>unit</div>"),
            {"content": "<div>unit (changed)</div>"},
            lambda o, n: isinstance(n, Fragment) and n.content == "<div>unit (changed)</div>",
        ),
        "context": context(),
        "view": text("student_view", "author_view"),
    },
    # content_authoring
    "LMSPageURLRequested": {
        "url": text("https://lms.example.com/courses/x", "https://lms.example.com/courses/y"),
        "org": text("edX", "OpenedX"),
    },
    # authentication (openedx-filters 3)
    "AccountActivationEmailContextGenerated": {
        "user": USER,
        "message_context": Arg(
            lambda: {"key": "abc", "lms_url": "https://lms.example.com", "platform_name": "Demo"},
            {"platform_name": "Demo Changed"},
            dict_key("platform_name", "Demo Changed"),
        ),
    },
    "AuthnMFEContextGenerated": {
        "context": Arg(
            lambda: {"optionalFields": {}, "countryCode": "BR"}, {"countryCode": "AR"}, dict_key("countryCode", "AR")
        ),
        "extra_context": Arg(
            lambda: {"pipeline_user_details": {}},
            {"pipeline_user_details": {"email": "x@example.com"}},
            dict_key("pipeline_user_details", {"email": "x@example.com"}),
        ),
    },
    "LoginAltRedirectURLRequested": {"redirect_url": text("/dashboard", "/courses"), "user": USER},
    "LoginFormGenerated": {"form_desc": FORM, "running_pipeline": RUNNING_PIPELINE, "current_provider": PROVIDER},
    "LogistrationViewContextGenerated": {"context": context()},
    "LogistrationViewRenderCompleted": {
        "response": Arg(
            lambda: HttpResponse("<html>login</html>"),
            {"content": "<html>changed</html>"},
            lambda o, n: isinstance(n, HttpResponse) and n.content == b"<html>changed</html>",
        ),
        "context": context(),
    },
    "RegistrationFormGenerated": {
        "form_desc": FORM,
        "running_pipeline": RUNNING_PIPELINE,
        "current_provider": PROVIDER,
    },
    # management
    "ManagementCommandContextmanagerRequested": {
        "command_contextmanager": Arg(
            lambda: contextlib.nullcontext("ready"),
            {"enter_result": "changed"},
            lambda o, n: isinstance(n, contextlib.nullcontext) and n.enter_result == "changed",
        ),
        "command_name": text("migrate", "showmigrations"),
        "service_variant": text("lms", "cms"),
    },
}


def change_of(arg: Arg) -> Any:
    return _membership_change() if arg.change is LAZY else arg.change
