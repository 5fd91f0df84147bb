"""Fixtures for the check tests; the helpers live in check_sites.py (a unique module name:
several test folders have a conftest.py, so `from conftest import ...` would be ambiguous)."""

from check_sites import tls_site

__all__ = ["tls_site"]
