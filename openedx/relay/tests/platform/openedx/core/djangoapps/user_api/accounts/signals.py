"""Tests only: edx-platform's openedx/core/djangoapps/user_api/accounts/signals.py, the signal the relay connects to.

As in openedx/openedx-platform (e57a655): plain Django signals; the retirement view sends USER_RETIRE_LMS_CRITICAL
with `user` and, since PR 38078 (2026), `retired_username` and `retired_email`.
"""

from django.dispatch import Signal

# providing_args=["user", "retired_username", "retired_email"]
USER_RETIRE_LMS_CRITICAL = Signal()
