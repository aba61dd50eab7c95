"""The tests' Celery app, standing in for the platform's own (lms/celery.py): Django settings, CELERY_ namespace."""

from __future__ import annotations

import os

import django
from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()

app = Celery("relay_tests")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(lambda: ["openedx_webhooks_relay", "tests"])  # tests.tasks: the platform's own tasks
