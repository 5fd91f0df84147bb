"""Project configuration: ``.tlsdoctor.toml`` ([lint] table) or ``pyproject.toml``
([tool.tlsdoctor.lint]), found from the linted path upwards; ``.tlsdoctor.toml`` wins."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tlsdoctor._data import loads_toml, tomllib
from tlsdoctor.errors import UsageError
from tlsdoctor.i18n import _, os_reason

from .files import MAX_FILE_SIZE

KEYS = frozenset(
    {"select", "extend-select", "ignore", "exclude", "extend-exclude", "per-file-ignores"}
    | {"max-file-size"}
)


@dataclass
class LintConfig:
    root: str = "."
    source: str | None = None
    select: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    max_file_size: int = MAX_FILE_SIZE


def _read(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            return loads_toml(f.read())
    except OSError as err:
        raise UsageError(
            _("cannot read {path}: {error}", path=path, error=os_reason(err))
        ) from None
    except UnicodeDecodeError as err:
        raise UsageError(_("cannot read {path}: {error}", path=path, error=err)) from None
    except tomllib.TOMLDecodeError as err:
        # the parser's own words stay (they name line and column), after a translated lead-in
        raise UsageError(_("{path} is not valid TOML: {error}", path=path, error=err)) from None


def _table(path: str) -> Mapping[str, Any] | None:
    data = _read(path)
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool", {})
        ours = tool.get("tlsdoctor") if isinstance(tool, Mapping) else None
        if ours is None:
            return None
        if not isinstance(ours, Mapping):
            raise UsageError(_("{path}: {key} must be a table", path=path, key="tool.tlsdoctor"))
        table = ours.get("lint")
        if table is not None and not isinstance(table, Mapping):
            raise UsageError(
                _("{path}: {key} must be a table", path=path, key="tool.tlsdoctor.lint")
            )
        return table
    lint = data.get("lint")
    if lint is not None and not isinstance(lint, Mapping):
        raise UsageError(_("{path}: {key} must be a table", path=path, key="lint"))
    return lint if lint is not None else data


def _strings(value: Any, key: str, path: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise UsageError(_("{path}: {key} must be a list of strings", path=path, key=key))


def parse(table: Mapping[str, Any], root: str, source: str) -> LintConfig:
    config = LintConfig(root=root, source=source)
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        if key not in KEYS:
            raise UsageError(_("{path}: unknown lint setting {key!r}", path=source, key=raw_key))
        if key == "per-file-ignores":
            if not isinstance(value, Mapping):
                raise UsageError(_("{path}: {key} must be a table", path=source, key=raw_key))
            config.per_file_ignores = {
                str(glob): _strings(codes, raw_key, source) for glob, codes in value.items()
            }
        elif key == "max-file-size":
            if not isinstance(value, int) or value <= 0:
                raise UsageError(
                    _("{path}: {key} must be a positive number", path=source, key=raw_key)
                )
            config.max_file_size = value
        elif key in ("exclude", "extend-exclude"):
            config.exclude.extend(_strings(value, raw_key, source))
        else:
            setattr(config, key.replace("-", "_"), _strings(value, raw_key, source))
    return config


def find_config(start: str) -> LintConfig:
    """The nearest configuration above ``start`` (a file or folder), or the defaults."""
    here = os.path.abspath(start)
    if not os.path.isdir(here):
        here = os.path.dirname(here)
    while True:
        for name in (".tlsdoctor.toml", "pyproject.toml"):
            candidate = os.path.join(here, name)
            if os.path.isfile(candidate):
                table = _table(candidate)
                if table is not None:
                    return parse(table, here, candidate)
        parent = os.path.dirname(here)
        if parent == here:
            return LintConfig(root=os.getcwd())
        here = parent
