"""The Open edX plugin app: settings for LMS and Studio; ready() merges the filter step into the final settings,
connects the event receiver (and, where the platform has it, the retirement receiver), loads routing and syncs the
catalog."""

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
            from django.conf import settings

            from . import checks  # noqa: F401 - registers the system check
            from .settings.common import merge_into

            # The settings are final now: a Tutor patch may have replaced OPEN_EDX_FILTERS_CONFIG after the
            # plugin settings merged the step into it.
            merge_into(settings)
        except Exception:  # noqa: BLE001 - the platform must start even if the relay cannot
            log.exception("openedx-webhooks-relay: could not merge its step into OPEN_EDX_FILTERS_CONFIG")
        try:
            from . import events, forksafe

            events.connect_all()
            _connect_retirement()
            if forksafe.uwsgi_master():
                # uWSGI forks its workers from this process with C fork() (Tutor: lazy-apps = false): nothing may run
                # beside it then. Each worker starts the relay's work once forked.
                log.info("openedx-webhooks-relay: uWSGI master: routing, outbox and catalog start in each worker")
                forksafe.start_after_fork(start_work)
            else:
                start_work()
        except Exception:  # noqa: BLE001 - the platform must start even if the relay cannot
            log.exception("openedx-webhooks-relay: could not start; events are not relayed")


def start_work() -> None:
    """Routing from the cache (then the service), this process's outbox thread, the catalog sync."""
    try:
        from . import catalog, tasks
        from .routing import routing

        routing.load_at_start()
        tasks.start()  # this process sweeps the outbox (a forked child starts its own thread)
        catalog.sync_in_background()
    except Exception:  # noqa: BLE001 - the platform must start even if the relay cannot
        log.exception("openedx-webhooks-relay: could not start its work; events wait in the outbox")


def _connect_retirement() -> None:
    """USER_RETIRE_LMS_CRITICAL, imported here (lazily): only a platform that has the module gets the receiver."""
    try:
        from . import retirement

        retirement.connect()
    except Exception:  # noqa: BLE001 - the platform must start even if the relay cannot
        log.exception("openedx-webhooks-relay: could not connect to the retirement signal")
