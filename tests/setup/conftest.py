"""Fixtures for the setup/undo/doctor tests (helpers live in setup_helpers.py)."""

from setup_helpers import certs

__all__ = ["certs"]
