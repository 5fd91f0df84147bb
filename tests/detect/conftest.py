"""Fixtures for the detect tests; the helpers live in detect_world.py (a unique module name:
several test folders have a conftest.py, so `from conftest import ...` would be ambiguous)."""

from detect_world import world

__all__ = ["world"]
