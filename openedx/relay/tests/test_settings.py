"""Plugin settings: the §8 defaults, OPEN_EDX_FILTERS_CONFIG merged (never replaced), the entry points, the catalog."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from types import SimpleNamespace

from openedx_webhooks_relay import catalog
from openedx_webhooks_relay.events import all_signals
from openedx_webhooks_relay.settings import common

STEP = "openedx_webhooks_relay.pipeline.Webfilter"
LOGIN = "org.openedx.learning.student.login.requested.v1"


def test_defaults_are_set_and_operator_values_kept():
    settings = SimpleNamespace(OPENEDX_WEBHOOKS_TIMEOUT=2)
    common.plugin_settings(settings)
    assert settings.OPENEDX_WEBHOOKS_TIMEOUT == 2
    assert settings.OPENEDX_WEBHOOKS_URL == ""
    assert settings.OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN is True
    assert settings.OPENEDX_WEBHOOKS_ENABLED is True
    assert settings.OPENEDX_WEBHOOKS_EVENTS_DELIVERY == "celery"


def test_every_filter_gets_the_step_after_the_operators_own():
    settings = SimpleNamespace(
        OPEN_EDX_FILTERS_CONFIG={
            LOGIN: {"pipeline": ["my_plugin.steps.First"], "fail_silently": False, "log_level": "debug"},
            "org.openedx.learning.course.enrollment.started.v1": ["my_plugin.steps.Listed"],
        }
    )
    common.plugin_settings(settings)
    common.plugin_settings(settings)  # twice: nothing doubles
    config = settings.OPEN_EDX_FILTERS_CONFIG
    assert config[LOGIN] == {
        "pipeline": ["my_plugin.steps.First", STEP],
        "fail_silently": False,
        "log_level": "debug",
    }
    assert config["org.openedx.learning.course.enrollment.started.v1"]["pipeline"] == ["my_plugin.steps.Listed", STEP]
    types = common.all_filter_types()
    assert len(types) >= 24
    assert set(types) <= set(config)
    assert all(config[t]["pipeline"][-1] == STEP and config[t]["pipeline"].count(STEP) == 1 for t in types)


def test_the_plugin_is_registered_for_lms_and_studio():
    for group in ("lms.djangoapp", "cms.djangoapp"):
        found = {e.name: e.value for e in entry_points(group=group)}
        assert found.get("openedx_webhooks_relay") == "openedx_webhooks_relay.apps:WebhooksRelayConfig"
    from openedx_webhooks_relay.apps import WebhooksRelayConfig

    config = WebhooksRelayConfig.plugin_app["settings_config"]
    for project in ("lms.djangoapp", "cms.djangoapp"):
        assert config[project]["common"]["relative_path"] == "settings.common"
        assert config[project]["production"]["relative_path"] == "settings.production"


def test_the_catalog_describes_events_from_their_attrs_classes():
    body = catalog.build_catalog()
    assert len(body["events"]) == len(all_signals())
    enrollment = next(e for e in body["events"] if e["signal"] == "COURSE_ENROLLMENT_CREATED")
    schema = enrollment["data"]["enrollment"]
    assert schema["title"] == "CourseEnrollmentData"
    assert set(schema["required"]) == {"user", "course", "mode", "is_active", "creation_date"}
    assert schema["properties"]["creation_date"] == {"type": "string", "format": "date-time"}
    assert schema["properties"]["course"]["properties"]["course_key"]["type"] == "string"
    assert schema["properties"]["user"]["properties"]["pii"]["properties"]["email"] == {"type": "string"}
    assert "null" in json.dumps(schema["properties"]["created_by"])
    assert enrollment["description"].startswith("Emitted when the user enrolls")
    login = next(f for f in body["filters"] if f["filter_type"] == LOGIN)
    assert login["name"] == "StudentLoginRequested"
    assert login["arguments"] == ["user"]
    assert {"name": "PreventLogin", "arguments": ["message", "redirect_to", "error_code", "context"]} in login[
        "exceptions"
    ]
    assert len(json.dumps(body)) < 1024 * 1024  # the service's default MAX_BODY_BYTES
