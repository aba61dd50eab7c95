"""The Open edX plugin app: settings for LMS and Studio; ready() connects the event receiver and syncs the catalog."""

from __future__ import annotations

import logging

from django.apps import AppConfig

log = logging.getLogger(__name__)

_SETTINGS = {
    "common": {"relative_path": "settings.common"},
    "production": {"relative_path": "settings.production"},
}


class WebhooksRelayConfig(AppConfig):
    """Relays Open edX events and filter calls to the Open edX Webhooks service."""

    name = "openedx_webhooks_relay"
    verbose_name = "Open edX Webhooks relay"
    default_auto_field = "django.db.models.BigAutoField"

    # edx-django-utils plugin configuration (ProjectType.LMS/CMS, SettingsType.COMMON/PRODUCTION).
    plugin_app = {
        "settings_config": {
            "lms.djangoapp": _SETTINGS,
            "cms.djangoapp": _SETTINGS,
        },
    }

    def ready(self) -> None:
        try:
            from . import catalog, events

            events.connect_all()
            catalog.sync_in_background()
        except Exception:  # noqa: BLE001 - the platform must start even if the relay cannot
            log.exception("openedx-webhooks-relay: could not start; events are not relayed")
