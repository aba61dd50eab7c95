"""The relay's one table: the transactional outbox of events and retirements (README "Delivery guarantees",
"Retirement")."""

from __future__ import annotations

from django.db import models


class OutboxEvent(models.Model):
    """One event accepted by the relay and not yet taken by the service (or a learner's retirement: event_type
    "openedx_webhooks_relay.retirement", event_id "retirement:<uuid>", body the POST /api/v1/retirements body).

    Written in the platform's own transaction (the one that sent the event), so it exists exactly when the
    platform's change does; deleted once the service has taken the event (or refused it for good).
    """

    #: The event's metadata.id: the service stores an event once per id, so sending a row twice is harmless.
    event_id = models.CharField(max_length=64, db_index=True)
    event_type = models.CharField(max_length=255)
    #: The POST /api/events body as JSON text, sent as it is.
    body = models.TextField()
    created = models.DateTimeField()
    #: Not taken before this time: the retry schedule, and a lease while a process is sending it.
    next_attempt = models.DateTimeField(db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "outbox event"
