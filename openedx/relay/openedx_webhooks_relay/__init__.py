"""Open edX plugin app that relays every Open edX event and filter call to the Open edX Webhooks service."""

__version__ = "1.0.0"
