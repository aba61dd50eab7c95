"""Issue 25, defects 2 and 9: the relay's step survives Tutor's settings chain and other plugins' steps; a system
check warns when a relayed filter has lost it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.core import checks
from django.test import override_settings

from openedx_webhooks_relay.routing import Routes, routing
from openedx_webhooks_relay.settings import common, production

RELAY_DIR = Path(__file__).resolve().parents[1]
STEP = "openedx_webhooks_relay.pipeline.Webfilter"
ENROLL = "org.openedx.learning.course.enrollment.started.v1"
LOGIN = "org.openedx.learning.student.login.requested.v1"

PROBE = r"""
import json, django
django.setup()
from django.core import checks
from openedx_filters.learning.filters import CourseEnrollmentStarted, StudentLoginRequested
out = {}
for f in (CourseEnrollmentStarted, StudentLoginRequested):
    pipeline, fail_silently, _ = f.get_pipeline_configuration()
    out[f.filter_type] = {"pipeline": pipeline, "fail_silently": fail_silently}
out["checks"] = [m.id for m in checks.run_checks() if m.id.startswith("openedx_webhooks_relay")]
print(json.dumps(out))
"""


def test_an_operator_patch_replacing_the_filters_config_keeps_the_relay_step() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.tutor_settings"}
    res = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=RELAY_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr[-3000:]
    got = json.loads(res.stdout.strip().splitlines()[-1])
    # The operator's own step and fail_silently are kept, the relay's step runs after it.
    assert got[ENROLL] == {"pipeline": ["tests.filterapp.steps.ModeFromCatalog", STEP], "fail_silently": False}
    # A filter the operator's dict left out gets the step again.
    assert got[LOGIN] == {"pipeline": [STEP], "fail_silently": True}
    assert got["checks"] == []


def test_the_check_warns_when_a_filter_has_lost_the_step() -> None:
    assert [m for m in checks.run_checks() if m.id.startswith("openedx_webhooks_relay")] == []
    with override_settings(OPEN_EDX_FILTERS_CONFIG={ENROLL: {"pipeline": ["x.Step"], "fail_silently": False}}):
        found = [m for m in checks.run_checks() if m.id == "openedx_webhooks_relay.W001"]
    assert len(found) == 1 and found[0].level == checks.WARNING
    assert LOGIN in found[0].msg or "more" in found[0].msg


def test_the_check_warns_for_a_filter_type_routing_lists_without_the_step(settings: Any) -> None:
    custom = "org.example.platform.only.filter.v1"  # a webfilter for a filter this openedx-filters lacks
    routing._routes = Routes(frozenset(), frozenset({custom}), "1", None, False)
    try:
        found = [m for m in checks.run_checks() if m.id == "openedx_webhooks_relay.W001"]
    finally:
        routing.reset()
    assert len(found) == 1 and custom in found[0].msg


def test_production_settings_keep_steps_other_plugins_added() -> None:
    # The platform applied its YAML (OPEN_EDX_FILTERS_CONFIG with the operator's step), then another plugin's
    # production settings added a step of its own; the relay's production settings run after them.
    settings = SimpleNamespace(
        ENV_TOKENS={"OPENEDX_WEBHOOKS_URL": "https://hooks.example.com", "OPEN_EDX_FILTERS_CONFIG": {LOGIN: "x.Step"}},
        OPEN_EDX_FILTERS_CONFIG={LOGIN: {"pipeline": ["x.Step", "other_plugin.Step"], "fail_silently": False}},
    )
    production.plugin_settings(settings)
    assert settings.OPENEDX_WEBHOOKS_URL == "https://hooks.example.com"
    assert settings.OPEN_EDX_FILTERS_CONFIG[LOGIN] == {
        "pipeline": ["x.Step", "other_plugin.Step", STEP],
        "fail_silently": False,
    }
    assert settings.OPEN_EDX_FILTERS_CONFIG[ENROLL]["pipeline"] == [STEP]
    common.plugin_settings(settings)  # idempotent
    assert settings.OPEN_EDX_FILTERS_CONFIG[LOGIN]["pipeline"].count(STEP) == 1
