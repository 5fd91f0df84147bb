"""Test-suite hygiene that pytest only reports as a collection error on a fresh clone."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_module_basenames_are_unique_outside_packages() -> None:
    # Test folders without __init__.py share one module namespace (pytest's prepend import
    # mode), so two test_x.py files in different folders collide.
    seen: dict[str, list[str]] = defaultdict(list)
    for path in TESTS.rglob("*.py"):
        relative = path.relative_to(TESTS)
        if {"corpus", "data"} & set(relative.parts) or path.name == "conftest.py":
            continue
        if (path.parent / "__init__.py").exists():
            continue
        seen[path.name].append(str(relative))
    clashes = {name: where for name, where in seen.items() if len(where) > 1}
    assert not clashes, f"rename one of each: {clashes}"
