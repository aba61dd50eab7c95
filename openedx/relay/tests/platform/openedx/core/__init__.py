"""Tests only (see tests/platform/README.md)."""
