"""Entry point: a lazy argparse dispatcher.

Only the module of the command being run is imported, so ``tlsdoctor --version`` and
``tlsdoctor explain`` do not pay for rich, cryptography or the network code they do not use.
Each command module provides ``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import IO, Any, TypeVar

from tlsdoctor import i18n
from tlsdoctor._version import __version__
from tlsdoctor.cli._help import Parser
from tlsdoctor.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    OutputError,
    TlsDoctorError,
)
from tlsdoctor.i18n import N_, _

COMMANDS: dict[str, tuple[str, str]] = {
    "detect": ("tlsdoctor.cli.detect", N_("tell whether this network inspects TLS, with evidence")),
    "show": ("tlsdoctor.cli.show", N_("show the certificate chain a host presents")),
    "explain": ("tlsdoctor.cli.explain", N_("explain TLS error messages and give the right fix")),
    "run": ("tlsdoctor.cli.run", N_("run a command and explain its TLS errors if it fails")),
    "ca": ("tlsdoctor.cli.ca", N_("find, export and check the inspection CA")),
    "bundle": (
        "tlsdoctor.cli.bundle",
        N_("build the combined bundle: public roots + inspection CA"),
    ),
    "env": ("tlsdoctor.cli.env", N_("print shell settings that point tools at the bundle")),
    "setup": ("tlsdoctor.cli.setup", N_("plan or apply per-tool trust settings (journaled)")),
    "undo": ("tlsdoctor.cli.undo", N_("undo changes made by setup")),
    "check": ("tlsdoctor.cli.check", N_("run real clients against a URL and report which work")),
    "doctor": ("tlsdoctor.cli.doctor", N_("audit existing TLS settings and insecure workarounds")),
    "fix": ("tlsdoctor.cli.fix", N_("guided fix: detect, export, bundle, set up, check")),
    "lint": ("tlsdoctor.cli.lint", N_("find disabled verification and leaked inspection settings")),
    "lab": ("tlsdoctor.cli.lab", N_("reproduce TLS inspection on loopback (mitmproxy)")),
}


def _prescan(argv: Sequence[str]) -> tuple[str | None, str | None]:
    """Find --lang and the command name before the parser exists (help text needs the language)."""
    lang: str | None = None
    command: str | None = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
            i += 2
            continue
        if arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
        elif not arg.startswith("-") and command is None:
            command = arg
        i += 1
    return lang, command


def _translate_argparse() -> None:
    """argparse builds its own messages with gettext; route them through our catalog."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = _ngettext  # type: ignore[attr-defined]


def _ngettext(one: str, many: str, count: int) -> str:
    return _(one if count == 1 else many)


def _global_options(parser: argparse.ArgumentParser, *, suppress_defaults: bool) -> None:
    default = argparse.SUPPRESS if suppress_defaults else None
    parser.add_argument(
        "--lang", metavar="LANG", default=default, help=_("output language: en or ja")
    )
    parser.add_argument(
        "--no-color",
        action="store_true",
        default=argparse.SUPPRESS if suppress_defaults else False,
        help=_("no colours (also when NO_COLOR is set or output is not a terminal)"),
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if suppress_defaults else False,
        help=argparse.SUPPRESS,
    )


def build_parser(command: str | None) -> argparse.ArgumentParser:
    parser = Parser(
        prog="tlsdoctor",
        description=_(
            "Diagnose and fix TLS inspection without turning verification off. "
            "Run 'tlsdoctor COMMAND --help' for a command's options."
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"tlsdoctor {__version__}",
        help=_("show program's version number and exit"),
    )
    _global_options(parser, suppress_defaults=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title=_("commands"))
    for name, (module_name, help_text) in COMMANDS.items():
        sub_parser = sub.add_parser(name, help=_(help_text), description=_(help_text))
        _global_options(sub_parser, suppress_defaults=True)
        if name == command:
            _load(module_name).add_arguments(sub_parser)
            _global_options_below(sub_parser)
            sub_parser.set_defaults(_module=module_name)
    return parser


def _global_options_below(parser: argparse.ArgumentParser) -> None:
    """--lang and --no-color after a subcommand too ('tlsdoctor ca check --lang ja FILE')."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for nested in action.choices.values():
                _global_options(nested, suppress_defaults=True)
                _global_options_below(nested)


def _load(module_name: str) -> ModuleType:
    return importlib.import_module(module_name)


def _report_error(err: TlsDoctorError) -> int:
    sys.stderr.write(_("tlsdoctor: error: {message}", message=str(err)) + "\n")
    if err.hint:
        sys.stderr.write(_("hint: {hint}", hint=err.hint) + "\n")
    return err.exit_code


_T = TypeVar("_T")


class _GuardedStdout:
    """sys.stdout while a command runs: a failed write becomes one line (OutputError, exit 2).

    A closed pipe stays BrokenPipeError: ``tlsdoctor detect | head -1`` ends quietly. ``None``
    stands for a standard output that was closed when the process started (``>&-``).
    """

    def __init__(self, stream: IO[str] | None) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._guarded(lambda stream: stream.write(text))

    def flush(self) -> None:
        if self._stream is not None:
            self._guarded(lambda stream: stream.flush())

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def _guarded(self, action: Callable[[IO[str]], _T]) -> _T:
        try:
            if self._stream is None:
                raise OSError(errno.EBADF, os.strerror(errno.EBADF))
            return action(self._stream)
        except BrokenPipeError:
            raise
        except OSError as err:
            raise OutputError.from_os_error(err) from None

    def __getattr__(self, name: str) -> Any:
        if self._stream is None:
            raise AttributeError(name)
        return getattr(self._stream, name)


def _fill_closed_std_streams() -> None:
    """Started with stdout or stderr closed: hold fds 1 and 2 with /dev/null.

    Otherwise the next file or socket opened gets fd 1, and whatever writes to "stdout" (a child
    process too) writes into it.
    """
    for fd in (1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process


def _discard_stdout(stream: IO[str] | None) -> None:
    """After a failed write: what is still buffered goes to /dev/null at exit, not into an error."""
    if stream is not sys.__stdout__ or stream is None:
        return  # not the process's own stdout (a test's capture): leave its fd alone
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    if sys.stdout is None or sys.stderr is None:
        _fill_closed_std_streams()
    original = sys.stdout
    sys.stdout = _GuardedStdout(original)  # type: ignore[assignment]
    try:
        code = _main(argv)
        sys.stdout.flush()  # a full disk shows here, not as a traceback at exit
        return code
    except BrokenPipeError:
        _discard_stdout(original)
        return EXIT_OK
    except OutputError as err:
        _discard_stdout(original)
        return _report_error(err)
    finally:
        sys.stdout = original


def _main(argv: Sequence[str] | None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--version"]:
        sys.stdout.write(f"tlsdoctor {__version__}\n")
        return 0
    lang, command = _prescan(args_list)
    if lang is not None and i18n.normalize(lang) is None:
        i18n.set_language(None)
        sys.stderr.write(
            _("tlsdoctor: error: unknown language {lang!r} (use en or ja)", lang=lang) + "\n"
        )
        return EXIT_USAGE
    i18n.set_language(lang)
    _translate_argparse()
    debug = "--debug" in args_list
    try:
        parser = build_parser(command if command in COMMANDS else None)
        args = parser.parse_args(args_list)
        if getattr(args, "no_color", False):
            from tlsdoctor.render.console import disable_color

            disable_color()
        module_name = getattr(args, "_module", None)
        if module_name is None:
            parser.print_help()
            return EXIT_USAGE if args_list else 0
        return int(_load(module_name).run(args) or 0)
    except (BrokenPipeError, OutputError):
        raise  # main() ends these, after the last flush
    except TlsDoctorError as err:
        return _report_error(err)
    except KeyboardInterrupt:
        sys.stderr.write(_("tlsdoctor: interrupted") + "\n")
        return EXIT_INTERRUPTED
    except Exception as err:  # the last line of defence: one line, never a traceback
        if debug:
            raise
        sys.stderr.write(
            _(
                "tlsdoctor: internal error: {error} (run again with --debug for details)",
                error=f"{type(err).__name__}: {err}",
            )
            + "\n"
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
