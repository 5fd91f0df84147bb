"""argparse help that wraps by display width, so Japanese help fits the terminal."""

from __future__ import annotations

import argparse
from typing import Any

from tlsdoctor.render.text import display_width, wrap


class DisplayWidthHelpFormatter(argparse.HelpFormatter):
    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None) -> str:
        # argparse measures the "usage: " prefix in characters; a translated one is wider.
        if prefix is None:
            prefix = argparse._("usage: ")  # type: ignore[attr-defined]
        extra = display_width(prefix) - len(prefix)
        self._width -= extra
        try:
            return super()._format_usage(usage, actions, groups, prefix)  # type: ignore[misc]
        finally:
            self._width += extra


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose help (and its subcommands' help) wraps by display width."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", DisplayWidthHelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
