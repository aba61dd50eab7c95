"""Tests only: a stand-in for edx-platform's `openedx` package (see tests/platform/README.md)."""
