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
    from rich.progress import Progress, ProgressColumn
    from rich.text import Text

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


def progress_bar(count: ProgressColumn) -> Progress:
    """A transient bar on stderr: spinner, description, bar, then ``count`` (done of total)."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        count,
        console=console(stderr=True),
        transient=True,
    )


@cache
def _console_class() -> type[Console]:
    from rich.console import Console
    from rich.text import Text

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # rich's own handler exits with 1; cli.main ends every closed pipe the same quiet way.
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

        def print(self, *objects: Any, **options: Any) -> None:  # type: ignore[override]
            """One line of text on a terminal is wrapped by display width, later lines under
            its first non-space character: rich breaks only at spaces, which leaves Japanese
            lines starting with "、" and a lone "CA" (help and tables already wrap this way)."""
            text = self._paragraph(objects, options)
            if text is None:
                super().print(*objects, **options)
                return
            lead = len(text.plain) - len(text.plain.lstrip(" "))
            _print_lines(self, text[:lead], text[lead:])

        def _paragraph(self, objects: tuple[Any, ...], options: dict[str, Any]) -> Text | None:
            if self.soft_wrap or len(objects) != 1 or set(options) - _TEXT_OPTIONS:
                return None
            item = objects[0]
            if isinstance(item, str):
                markup = options.get("markup")
                item = self.render_str(item, markup=markup, highlight=False)
            if not isinstance(item, Text):
                return None
            text = item.copy()
            if options.get("style"):
                text.stylize_before(options["style"])
            return text

    return _Console


def print_wrapped(
    out: Console, prefix: str | Text, body: str | Text, *, markup: bool = False
) -> None:
    """``prefix`` then ``body``, whose later lines (and lines after a newline) start under its
    first character; wrapped by display width on a terminal (see ``_Console.print``)."""
    from rich.text import Text

    def as_text(part: str | Text) -> Text:
        if isinstance(part, Text):
            return part
        return Text.from_markup(part) if markup else Text(part)

    _print_lines(out, as_text(prefix), as_text(body))


def _print_lines(out: Console, head: Text, text: Text) -> None:
    from rich.text import Text

    from tlsdoctor.render.text import break_offsets

    indent = Text(" " * head.cell_len)
    width = out.width - head.cell_len
    wrapping = not out.soft_wrap and width >= 16
    for index, paragraph in enumerate(text.split("\n", allow_blank=True)):
        lines = paragraph.divide(break_offsets(paragraph.plain, width)) if wrapping else [paragraph]
        for number, line in enumerate(lines):
            line.rstrip()
            lead = head if index == number == 0 else indent
            out.print(Text.assemble(lead, line), soft_wrap=True)


_TEXT_OPTIONS = frozenset({"markup", "highlight", "style"})


def print_json(data: Any, stream: IO[str] | None = None) -> None:
    """Stable, UTF-8, indented JSON for scripts."""
    out = stream or sys.stdout
    out.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str))
    out.write("\n")
