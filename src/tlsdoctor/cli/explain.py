"""`tlsdoctor explain "TEXT" | - | --file LOG`: find TLS failures in text, say why, say the fix."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

from tlsdoctor.cli._options import add_jobs, add_json, add_network, add_roots
from tlsdoctor.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from tlsdoctor.i18n import _, os_reason

if TYPE_CHECKING:
    from tlsdoctor.core.explain import Matcher


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "text",
        nargs="?",
        metavar="TEXT",
        help=_("the error message ('-' reads standard input)"),
    )
    parser.add_argument(
        "--file", "-f", metavar="LOG", help=_("read a log file (any size, read as a stream)")
    )
    add_jobs(
        parser, _("processes that search a big --file (default: one per CPU; 1: this one only)")
    )
    add_json(parser)
    parser.add_argument(
        "--probe",
        action="store_true",
        help=_("connect to the hosts the messages name to confirm or correct the cause"),
    )
    add_network(parser)
    add_roots(parser)


def run(args: argparse.Namespace) -> int:
    from tlsdoctor.core import explain as core
    from tlsdoctor.render.console import console, print_json
    from tlsdoctor.render.explain import findings_json, render_findings

    if args.probe:  # bad options are bad input whatever the text holds (as for detect)
        from tlsdoctor.cli._options import network_from

        network_from(args)
    matcher = core.Matcher()
    _read_input(args, matcher)
    findings = matcher.close()
    if not findings:
        _refuse_a_file_name(args.text)
    if args.probe and findings:
        from tlsdoctor.cli._options import probe_findings_with

        probe_findings_with(args, findings)
    if args.json:
        print_json(findings_json(findings, matcher.insecure_items))
    else:
        render_findings(console(), findings, matcher.insecure_attempts)
    return EXIT_FINDINGS if findings else EXIT_OK


def _read_input(args: argparse.Namespace, matcher: Matcher) -> None:
    sources = [s for s in (args.text, args.file) if s is not None]
    if not sources:
        raise UsageError(
            _("nothing to explain: give the message, '-' for standard input, or --file LOG"),
            hint=_('example: tlsdoctor explain "curl: (60) SSL certificate problem: ..."'),
        )
    if args.text is not None and args.file is not None:
        raise UsageError(_("give either the message or --file, not both"))
    if args.file is not None:
        _feed_file(args.file, matcher, args.jobs)
    elif args.text == "-":
        if not _feed_binary(sys.stdin.buffer, matcher):
            raise UsageError(
                _("standard input is empty: pipe or paste the message into it"),
                hint=_("example: tlsdoctor explain - < build.log"),
            )
    else:
        if not args.text.strip():
            raise UsageError(_("the message is empty"))
        matcher.note_text(args.text)
        matcher.feed(args.text.encode("utf-8", "replace"))


def _refuse_a_file_name(text: str | None) -> None:
    """TEXT that names a file or folder and holds no failure: the user meant --file (saying
    "no failure found" would pass over the log they wanted read)."""
    if text is None or text == "-" or len(text.split()) != 1 or not os.path.exists(text):
        return
    if os.path.isdir(text):
        raise UsageError(_("{path} is a directory, not a log file", path=text))
    raise UsageError(
        _("{path} is a file name, not a message: the file was not read", path=text),
        hint=_("to read the file: tlsdoctor explain --file {path}", path=text),
    )


def _feed_file(path: str, matcher: Matcher, jobs: int) -> None:
    from tlsdoctor.core.explain.parallel import prefiltered
    from tlsdoctor.core.explain.source import read_log_blocks

    try:
        with prefiltered(matcher, path, jobs=jobs) as blocks:
            if blocks is None:
                blocks = read_log_blocks(path, on_wait=lambda: _say_waiting(path))
            with _reading_progress(path, blocks) as shown:
                _feed_blocks(shown, matcher)
    except IsADirectoryError:
        raise UsageError(_("{path} is a directory, not a log file", path=path)) from None
    except FileNotFoundError:
        raise UsageError(_("no such file: {path}", path=path)) from None
    except PermissionError:
        raise UsageError(_("cannot read {path}: permission denied", path=path)) from None
    except OSError as err:
        raise UsageError(
            _("cannot read {path}: {reason}", path=path, reason=os_reason(err))
        ) from None


PASTE_LIMIT = 1 << 20  # up to this size, input is also read as a pasted message
PROGRESS_FROM = 64 << 20  # a file this big takes a few seconds or more


@contextmanager
def _reading_progress(path: str, blocks: Iterator[bytes]) -> Iterator[Iterator[bytes]]:
    """``blocks``, advancing a transient bar on stderr while a big regular file is read (only
    when stderr is a terminal)."""
    from tlsdoctor.core.explain.source import regular_file_size

    size = regular_file_size(path)
    if size < PROGRESS_FROM or not sys.stderr.isatty():
        yield blocks
        return
    from rich.progress import DownloadColumn

    from tlsdoctor.render.console import progress_bar

    bar = progress_bar(DownloadColumn())
    task = bar.add_task(_("reading {name}", name=os.path.basename(path)), total=size)

    def advancing() -> Iterator[bytes]:
        for data in blocks:
            bar.advance(task, len(data))
            yield data

    with bar:
        yield advancing()


def _say_waiting(path: str) -> None:
    sys.stderr.write(
        _(
            "{path} is a named pipe and nothing writes to it yet: waiting for its writer "
            "(Ctrl-C to stop)",
            path=path,
        )
        + "\n"
    )
    sys.stderr.flush()


def _feed_binary(stream: IO[bytes], matcher: Matcher) -> bool:
    """Feed the stream (UTF-8 or UTF-16) to the matcher; whether it held anything but white
    space."""
    from tlsdoctor.core.explain import BLOCK_SIZE

    return _feed_blocks(iter(lambda: stream.read(BLOCK_SIZE), b""), matcher)


def _feed_blocks(blocks: Iterator[bytes], matcher: Matcher) -> bool:
    """Feed the blocks (UTF-8 or UTF-16) to the matcher; whether they held anything but white
    space."""
    head: list[bytes] = []
    size = 0
    text = False
    from tlsdoctor.core.explain.encoding import utf8_blocks

    for data in utf8_blocks(blocks):
        text = text or bool(data.strip())
        size += len(data)
        if size <= PASTE_LIMIT:
            head.append(data)
        matcher.feed(data)
    if size <= PASTE_LIMIT:  # a pasted message: its command line names hosts and flags
        matcher.note_text(b"".join(head).decode("utf-8", "replace"))
    return text
