"""tlsdoctor: diagnose and fix TLS inspection without turning verification off.

The public functions are imported lazily so that ``import tlsdoctor`` stays cheap::

    import tlsdoctor
    report = tlsdoctor.detect(["example.com"])
    result = tlsdoctor.probe("example.com", 443)
    chain = tlsdoctor.show("example.com")
"""

from __future__ import annotations

import importlib
from typing import Any

from tlsdoctor._version import __version__

_LAZY: dict[str, tuple[str, str]] = {
    "detect": ("tlsdoctor.core.detect", "detect"),
    "probe": ("tlsdoctor.core.probe", "probe"),
    "probe_many": ("tlsdoctor.core.probe", "probe_many"),
    "show": ("tlsdoctor.core.show", "show"),
    "explain": ("tlsdoctor.core.explain", "explain_text"),
    "load_certificates": ("tlsdoctor.core.x509", "load_certificates"),
    "build_bundle": ("tlsdoctor.core.bundle", "build_bundle"),
    "lint": ("tlsdoctor.core.lint", "lint_paths"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'tlsdoctor' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module_name), attribute)
    globals()[name] = value
    return value
