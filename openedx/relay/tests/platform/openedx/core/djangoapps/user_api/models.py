"""Tests only: edx-platform's UserRetirementStatus (openedx/core/djangoapps/user_api/models.py), with the fields the
relay reads; the platform's also has current_state, last_state and responses."""

from django.conf import settings
from django.db import models


class UserRetirementStatus(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    original_username = models.CharField(max_length=150, db_index=True)
    original_email = models.EmailField(db_index=True)
    original_name = models.CharField(max_length=255, blank=True, db_index=True)
    retired_username = models.CharField(max_length=150, db_index=True)
    retired_email = models.EmailField(db_index=True)

    class Meta:
        app_label = "user_api"
