"""Tests only: edx-platform's user_api app, reduced to what the relay reads (see tests/platform/README.md)."""
