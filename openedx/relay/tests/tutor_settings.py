"""Settings built in the order Tutor builds the LMS's (a stand-in for lms/envs/production.py plus Tutor's file).

Tutor's tutor/templates/apps/openedx/settings/lms/production.py (overhangio/tutor f9c2a39) starts with
`from lms.envs.production import *` (line 3): that module ends by running every plugin's settings
(`add_plugins(..., SettingsType.PRODUCTION)`), the relay's merge included. Only then come Tutor's
partials/common_lms.py with the `openedx-common-settings` patch (partials/common_all.py line 258) and the
`openedx-lms-common-settings` patch (partials/common_lms.py line 50), then `openedx-lms-production-settings`
(lms/production.py line 32). An operator's patch there that sets OPEN_EDX_FILTERS_CONFIG replaces the merged dict.
"""

from __future__ import annotations

import sys

from openedx_webhooks_relay.settings import production
from tests.settings import *  # noqa: F403 - the platform's settings; its common plugin settings already ran

# lms/envs/production.py: the plugins' production settings.
production.plugin_settings(sys.modules[__name__])

# Tutor's openedx-lms-common-settings patch, as an operator writes it: a whole new dict.
OPEN_EDX_FILTERS_CONFIG = {
    "org.openedx.learning.course.enrollment.started.v1": {
        "pipeline": ["tests.filterapp.steps.ModeFromCatalog"],
        "fail_silently": False,
    },
}
