"""Rows shaped like the platform's (student.CourseEnrollment, course_groups.CourseUserGroup, schedules.Schedule…).

Only the columns the filters' callers and webfilters use; real Django models on the test database.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField


class CourseEnrollment(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    course_id = CourseKeyField(max_length=255, db_index=True)
    mode = models.CharField(max_length=100, default="audit")
    is_active = models.BooleanField(default=True)
    created = models.DateTimeField(null=True)


class CourseUserGroup(models.Model):
    name = models.CharField(max_length=255)
    course_id = CourseKeyField(max_length=255)
    group_type = models.CharField(max_length=20, default="cohort")


class CohortMembership(models.Model):
    course_user_group = models.ForeignKey(CourseUserGroup, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    course_id = CourseKeyField(max_length=255)


class Schedule(models.Model):
    enrollment = models.OneToOneField(CourseEnrollment, on_delete=models.CASCADE)
    active = models.BooleanField(default=True)
    start_date = models.DateTimeField()
    upgrade_deadline = models.DateTimeField(null=True)


class CertificateTemplate(models.Model):
    name = models.CharField(max_length=255)
    template = models.TextField()
    organization_id = models.IntegerField(null=True)
    course_key = CourseKeyField(max_length=255, null=True)
    mode = models.CharField(max_length=125, default="honor")
    is_active = models.BooleanField(default=False)


class ProviderConfig(models.Model):
    """third_party_auth's provider configuration (what `current_provider` is)."""

    name = models.CharField(max_length=50)
    slug = models.SlugField(max_length=30)
    enabled = models.BooleanField(default=True)
    skip_registration_form = models.BooleanField(default=False)
