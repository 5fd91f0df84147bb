"""argparse help that wraps by display width, so Japanese help fits the terminal."""

from __future__ import annotations

import argparse
import re
from typing import Any

from tlsdoctor.render.text import display_width, wrap

# A section heading ("位置引数:") that argparse ends with an ASCII colon: Japanese takes "：".
_WIDE_HEADING = re.compile(r"^(\S.*[\u2e80-\uffef]):$", re.MULTILINE)


class DisplayWidthHelpFormatter(argparse.HelpFormatter):
    def format_help(self) -> str:
        return _WIDE_HEADING.sub(r"\1：", super().format_help())

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None) -> str:
        # argparse measures the "usage: " prefix in characters; a translated one is wider: the
        # lines get that much narrower and the continuation lines that much further in.
        if prefix is None:
            prefix = argparse._("usage: ")  # type: ignore[attr-defined]
        extra = display_width(prefix) - len(prefix)
        self._width -= extra
        try:
            text: str = super()._format_usage(usage, actions, groups, prefix)  # type: ignore[misc]
        finally:
            self._width += extra
        first, *rest = text.split("\n")
        return "\n".join([first, *((" " * extra + line) if line else line for line in rest)])


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose help (and its subcommands' help) wraps by display width."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", DisplayWidthHelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
