"""Project hygiene: what pytest only reports as a collection error on a fresh clone, and
facts that live in two files."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from tlsdoctor._data import loads_toml
from tlsdoctor._version import PROJECT_URL

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


def test_the_project_url_is_the_one_in_pyproject() -> None:
    pyproject = loads_toml((TESTS.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["urls"]["Homepage"] == PROJECT_URL
