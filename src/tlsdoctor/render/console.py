"""Consoles for human output: colours off with NO_COLOR or when not a terminal."""

from __future__ import annotations

import json
import os
import sys
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

_no_color_flag = False


def disable_color() -> None:
    global _no_color_flag
    _no_color_flag = True


def color_enabled(stream: IO[str]) -> bool:
    if _no_color_flag or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def console(stderr: bool = False) -> Console:
    """A rich console (imported lazily: rich is slow to import and --version must be fast)."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    enabled = color_enabled(stream)
    return Console(
        file=stream,
        no_color=not enabled,
        color_system="auto" if enabled else None,
        highlight=False,
        emoji=False,  # ":ab:" in a fingerprint is not an emoji code
        soft_wrap=not stream.isatty(),
    )


def print_json(data: Any, stream: IO[str] | None = None) -> None:
    """Stable, UTF-8, indented JSON for scripts."""
    out = stream or sys.stdout
    out.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str))
    out.write("\n")
