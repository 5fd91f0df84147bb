"""Reading the packaged data catalogs (TOML): vendors, error signatures, tools, lint rules."""

from __future__ import annotations

import sys
from functools import cache
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

__all__ = ["load_data", "loads_toml", "tomllib"]


def loads_toml(text: str) -> dict[str, Any]:
    parsed: dict[str, Any] = tomllib.loads(text)
    return parsed


@cache
def load_data(name: str) -> dict[str, Any]:
    """Parse ``src/tlsdoctor/data/<name>`` once per process."""
    text = resources.files("tlsdoctor.data").joinpath(name).read_text(encoding="utf-8")
    return loads_toml(text)
