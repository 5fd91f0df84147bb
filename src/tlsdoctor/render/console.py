"""Consoles for human output: colours off with NO_COLOR or when not a terminal."""

from __future__ import annotations

import errno
import json
import os
import sys
from functools import cache
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
    stream = sys.stderr if stderr else sys.stdout
    enabled = color_enabled(stream)
    return _console_class()(
        file=stream,
        no_color=not enabled,
        color_system="auto" if enabled else None,
        highlight=False,
        emoji=False,  # ":ab:" in a fingerprint is not an emoji code
        soft_wrap=not stream.isatty(),
    )


@cache
def _console_class() -> type[Console]:
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # rich's own handler exits with 1; cli.main ends every closed pipe the same quiet way.
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    return _Console


def print_json(data: Any, stream: IO[str] | None = None) -> None:
    """Stable, UTF-8, indented JSON for scripts."""
    out = stream or sys.stdout
    out.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str))
    out.write("\n")
