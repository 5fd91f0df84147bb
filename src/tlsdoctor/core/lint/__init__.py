"""tlsdoctor lint: find disabled TLS verification and leaked inspection settings.

Rules are data (``data/lint_rules.toml``); this package is the one engine that runs them.
"""

from __future__ import annotations

from .config import LintConfig, find_config
from .engine import lint_file, lint_paths
from .model import Finding, LintResult
from .rules import Rule, catalog, select_rules

__all__ = [
    "Finding",
    "LintConfig",
    "LintResult",
    "Rule",
    "catalog",
    "find_config",
    "lint_file",
    "lint_paths",
    "select_rules",
]
